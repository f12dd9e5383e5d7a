package raceflag

import "testing"

// ExtraAllocs holds what an idvkit call allocates beyond the same exchange written by
// hand (both measured with testing.AllocsPerRun in one test) to limit, or to raceLimit
// under the race detector, whose instrumentation allocates too. It logs the figures.
func ExtraAllocs(t testing.TB, hand, idvkit, limit, raceLimit float64) {
	t.Helper()
	t.Logf("hand %.0f, idvkit %.0f: +%.0f", hand, idvkit, idvkit-hand)
	if Enabled {
		limit = raceLimit
	}
	if idvkit-hand > limit {
		t.Fatalf("idvkit allocates %.0f more than the hand-written call, want at most %.0f", idvkit-hand, limit)
	}
}
