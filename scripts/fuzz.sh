#!/usr/bin/env bash
# A bounded run of every fuzz target, FUZZTIME each. Targets are found by name, so no test
# binary is built just to list them; new inputs are minimized briefly so the time goes to
# fuzzing.
#
# A failure that wrote a new input under testdata/fuzz/ is a finding: it fails the run
# (and the seed corpus replays it from then on). Go's fuzzing engine can also stop with
# "context deadline exceeded" when -fuzztime runs out while a worker is busy with a slow
# input on a loaded machine; such a stop leaves no input behind, and the target is run
# once more before it counts as a failure.
set -uo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-1s}

inputs() { ls "$1/testdata/fuzz/$2" 2>/dev/null | sort; }

for file in $(grep -rl --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' pkg | sort); do
  dir=./$(dirname "$file")
  for t in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing.F).*/\1/p' "$file"); do
    echo "fuzz $dir $t"
    before=$(inputs "$dir" "$t")
    run() { "$GO" test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$dir"; }
    if run; then continue; fi
    if [ "$(inputs "$dir" "$t")" != "$before" ]; then
      echo "fuzz: $t found a failing input (see $dir/testdata/fuzz/$t)" >&2
      exit 1
    fi
    echo "fuzz: $t stopped without a failing input (a slow input at the deadline); once more" >&2
    run || exit 1
  done
done
