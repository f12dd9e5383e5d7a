package redisrate_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idvkit/idvkit/internal/redistest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/transport/redisrate"
)

// benchQuota never makes a benchmark wait (a burst of a million): what is
// measured is the cost of asking.
var benchQuota = transport.Quota{Requests: 10_000_000, Period: time.Second, Burst: 1_000_000}

// limiters returns the three configurations compared: none, in-process and
// Redis on loopback, and the Redis client.
func limiters(b *testing.B) (_ []struct {
	name string
	lim  transport.RateLimiter
}, rdb *redis.Client) {
	srv := redistest.Start(b)
	rdb = redis.NewClient(&redis.Options{Addr: srv.Addr})
	b.Cleanup(func() { _ = rdb.Close() })
	onRedis, err := redisrate.New(rdb, benchQuota)
	if err != nil {
		b.Fatal(err)
	}
	inProcess, err := transport.NewLimiter(benchQuota)
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		lim  transport.RateLimiter
	}{{"none", nil}, {"in-process", inProcess}, {"redis", onRedis}}, rdb
}

// BenchmarkCall is the cost per call of each limiter on a whole vendor call
// through the transport, over loopback to a server that answers at once (a
// real vendor answers in tens to hundreds of milliseconds).
func BenchmarkCall(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"request_id":"r"}`)
	}))
	defer srv.Close()
	all, _ := limiters(b)
	for _, l := range all {
		b.Run(l.name, func(b *testing.B) {
			var opts []transport.Option
			if l.lim != nil {
				opts = append(opts, transport.WithRateLimiter(l.lim, "bench-key"))
			}
			c, err := transport.New("verisoul", srv.URL, opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := transport.WithOperation(context.Background(), "createFaceMatchSession")
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/liveness/session", nil)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkWait is the limiter alone: one slot asked and granted; redis-ping
// is one bare Redis round trip, for scale.
func BenchmarkWait(b *testing.B) {
	all, rdb := limiters(b)
	b.Run("redis-ping", func(b *testing.B) {
		for b.Loop() {
			if err := rdb.Ping(context.Background()).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, l := range all {
		if l.lim == nil {
			continue
		}
		b.Run(l.name, func(b *testing.B) {
			ctx := context.Background()
			key := transport.QuotaKey("verisoul", "bench-key")
			b.ReportAllocs()
			for b.Loop() {
				if err := l.lim.Wait(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
