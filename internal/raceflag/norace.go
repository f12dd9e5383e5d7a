//go:build !race

// Package raceflag tells tests whether the race detector is on, and holds the allocation
// bounds that differ under it (make test runs with -race; benchmarks without): ExtraAllocs.
package raceflag

// Enabled reports whether the binary was built with the race detector.
const Enabled = false
