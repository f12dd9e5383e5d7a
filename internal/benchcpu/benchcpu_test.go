package benchcpu

import "testing"

func BenchmarkSpin(b *testing.B) {
	defer Start(b)()
	x := 0
	for b.Loop() {
		for i := range 1000 {
			x += i
		}
	}
	_ = x
}

func TestProcessCPU(t *testing.T) {
	a, ok := processCPU()
	if !ok {
		t.Skip("no process CPU time here")
	}
	x := 0
	for i := range 10_000_000 {
		x += i
	}
	c, _ := processCPU()
	if c < a {
		t.Fatalf("CPU time went back: %d then %d (%d)", a, c, x)
	}
}
