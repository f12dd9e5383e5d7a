package redisdedup_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/idvkit/idvkit/internal/redistest"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verifik/redisdedup"
)

// BenchmarkDedup is what dedup adds to each handled delivery on Redis: a
// claim (one script) and Done (one SET), and a duplicate's claim alone.
func BenchmarkDedup(b *testing.B) {
	srv := redistest.Start(b)
	rdb := client(b, srv.Addr)
	s := redisdedup.New(rdb)
	n := 0 // the runner calls each sub-benchmark several times: keys stay new
	b.Run("claim and done", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			n++
			key := "verifik:bench-" + strconv.Itoa(n)
			c, err := s.Claim(ctx, key, time.Minute)
			if err != nil || c.State != verifik.ClaimGranted {
				b.Fatal(c.State, err)
			}
			if err := s.Done(ctx, key, time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("duplicate", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			c, err := s.Claim(ctx, "verifik:bench-1", time.Minute)
			if err != nil || c.State != verifik.ClaimDone {
				b.Fatal(c.State, err)
			}
		}
	})
}
