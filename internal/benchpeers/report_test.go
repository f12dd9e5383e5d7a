package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentileAndMedian(t *testing.T) {
	tests := []struct {
		in       []time.Duration
		p50, p99 time.Duration
	}{
		{nil, 0, 0},
		{[]time.Duration{5}, 5, 5},
		{[]time.Duration{4, 1, 3, 2}, 2, 4},
		{func() []time.Duration {
			var d []time.Duration
			for i := 100; i >= 1; i-- {
				d = append(d, time.Duration(i))
			}
			return d
		}(), 50, 99},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.p50, percentile(tt.in, 0.50))
		assert.Equal(t, tt.p99, percentile(tt.in, 0.99))
	}
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	assert.Equal(t, 3.0, median([]float64{5, 1, 3}))
	assert.Equal(t, 0.0, median(nil))
}

func TestPrintRatios(t *testing.T) {
	out := `goos: linux
BenchmarkClientX/hand-2         	    1000	    100000 ns/op	  50000 cpu-ns/op	   18000 B/op	     180 allocs/op
BenchmarkClientX/idvkit-off-2   	    1000	    120000 ns/op	  60000 cpu-ns/op	   24000 B/op	     270 allocs/op
BenchmarkClientX/hand-2         	    1000	    200000 ns/op	 100000 cpu-ns/op	   18000 B/op	     180 allocs/op
BenchmarkClientX/idvkit-off-2   	    1000	    220000 ns/op	 105000 cpu-ns/op	   24000 B/op	     270 allocs/op
BenchmarkClientX/hand-2         	    1000	    150000 ns/op	  80000 cpu-ns/op	   18000 B/op	     180 allocs/op
BenchmarkClientX/idvkit-off-2   	    1000	    180000 ns/op	 100000 cpu-ns/op	   24000 B/op	     270 allocs/op
BenchmarkSolo-2   	    1000	    5 ns/op	   3.1 MB/s
PASS
`
	f := filepath.Join(t.TempDir(), "bench.txt")
	require.NoError(t, os.WriteFile(f, []byte(out), 0o600))
	var b strings.Builder
	require.NoError(t, printRatios(&b, f))
	got := b.String()
	assert.Contains(t, got, "cpu-ns/op ratio to hand")
	assert.Contains(t, got, "| hand | 150,000 | 80,000 | 18,000 | 180 | **1.00×** | 3 |")
	assert.Contains(t, got, "| idvkit-off | 180,000 | 100,000 | 24,000 | 270 | **1.25×** | 3 |")
	assert.Contains(t, got, "BenchmarkSolo\n\n| variant | ns/op | cpu-ns/op | B/op | allocs/op | ns/op ratio to -")
}
