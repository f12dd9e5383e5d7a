// Package benchcpu reports a benchmark's CPU time per operation (user + system, the whole
// process: client, loopback server and garbage collector alike) next to its wall time.
// On a shared machine wall time also counts the time other processes held the CPUs;
// CPU time per operation does not, so ratios between variants stay readable there.
package benchcpu

import "testing"

// Start begins measuring; call the returned function after the benchmark loop. It adds
// the metric "cpu-ns/op" (nothing where the OS gives no process CPU time).
func Start(b *testing.B) (stop func()) {
	t0, ok := processCPU()
	return func() {
		t1, ok1 := processCPU()
		if ok && ok1 && b.N > 0 {
			b.ReportMetric(float64(t1-t0)/float64(b.N), "cpu-ns/op")
		}
	}
}
