# idvkit — the two commands of the README quick start, plus the pieces they are made of.
GO ?= go

.PHONY: test vet check generate demo serve fuzz bench bench-peers soak probe screenshots

## test: everything CI runs — vet, the spec gate, and the race-enabled test suite.
test: vet check
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

## check: the pull-request spec gate (specs, examples, project rules, generated code current,
## the module builds and vets). Its own command links neither pkg/ nor the emulators, so it
## runs and reports when they do not compile (docs/SPEC-GATE.md).
check:
	$(GO) run ./cmd/idvkit-spec check -go $(GO)

## generate: regenerate gen/ from api/ with the pinned oapi-codegen.
generate:
	$(GO) generate ./gen/...

## demo: every verification journey against the embedded sandbox.
demo:
	$(GO) run ./cmd/idvkit demo

serve:
	$(GO) run ./cmd/idvkit sandbox serve

## bench: the benchmarks behind docs/BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/...

## bench-peers: `idvkit sandbox serve` next to Stoplight Prism's mock (same spec) and a bare
## net/http handler (same bytes) under one load generator, c=16, interleaved rounds: req/s,
## p50, p99, startup, RSS and ratios (docs/BENCHMARKS.md). Installs Prism 5.14.2 with npm
## into a temporary directory; a few minutes; not part of make test. BENCHPEERSFLAGS passes
## options (-rounds 5 -d 3s -c 16).
BENCHPEERSFLAGS ?=
bench-peers:
	GO=$(GO) ./scripts/bench-peers.sh $(BENCHPEERSFLAGS)

## fuzz: a bounded run of every fuzz target, FUZZTIME each (their seed corpora also run
## in make test); see scripts/fuzz.sh for how a finding is told from a slow stop.
FUZZTIME ?= 10s
FUZZMINIMIZETIME ?= 1s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZMINIMIZETIME=$(FUZZMINIMIZETIME) ./scripts/fuzz.sh

## soak: the long soak run (the 1,000-journey one is part of make test): SOAK_JOURNEYS
## journeys across the three vendors with SOAK_FAULTS of the calls faulted, race detector on.
SOAK_JOURNEYS ?= 10000
SOAK_FAULTS ?= 0.2
soak:
	$(GO) test -race -run 'TestSoak$$' -count=1 -v ./internal/soak/ -soak.journeys=$(SOAK_JOURNEYS) -soak.faults=$(SOAK_FAULTS)

## probe: the hostile figures of `idvkit sandbox serve` (1 GiB bodies on each route family,
## a 1 byte/s body, an idle keep-alive, 2,000 stalled connections), measured against a child
## on a free 127.0.0.1 port; about a minute, bounded, Linux only. PROBEFLAGS passes options.
PROBEFLAGS ?=
probe:
	$(GO) run ./internal/probe -go $(GO) $(PROBEFLAGS)

## screenshots: rerun the browser tests (headless Chromium) with -update-screenshots, which
## writes a PNG of each page they open to docs/img/ for the README. Packages are found by
## the flag, so only those defining it are run.
screenshots:
	$(GO) test -count=1 $$(grep -rl --include='*_test.go' '"update-screenshots"' cmd pkg internal | xargs -n1 dirname | sort -u | sed 's|^|./|') -update-screenshots
