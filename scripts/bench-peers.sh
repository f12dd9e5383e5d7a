#!/usr/bin/env bash
# bench-peers: `idvkit sandbox serve` next to Stoplight Prism's mock server (same spec) and
# a bare net/http handler (same bytes), under one load generator on loopback; prints
# req/s, p50, p99, startup time, RSS and the ratios (internal/benchpeers).
#
# Prism 5.14.2 is installed with npm into a temporary directory, removed afterwards
# (5.15 and later need Node 24; this needs Node 18 or 20). Without npm, Prism is skipped.
# Extra arguments go to benchpeers: -rounds 5 -d 3s -c 16.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
PRISM_VERSION=5.14.2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prism=()
if command -v npm >/dev/null 2>&1; then
  echo "bench-peers: installing @stoplight/prism-cli@$PRISM_VERSION into $tmp (node $(node --version))" >&2
  npm install --no-audit --no-fund --loglevel=error --prefix "$tmp" "@stoplight/prism-cli@$PRISM_VERSION" >&2
  prism=(-prism "$tmp/node_modules/.bin/prism")
else
  echo "bench-peers: npm not found; measuring without Prism" >&2
fi
"$GO" build -o "$tmp/benchpeers" ./internal/benchpeers
"$tmp/benchpeers" -go "$GO" "${prism[@]}" "$@"
