package redisrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/redistest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/transport/redisrate"
)

func TestNewRefuses(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	tests := []struct {
		name string
		rdb  redis.UniversalClient
		q    transport.Quota
		want string
	}{
		{"nil client", nil, transport.VerisoulQuota, "nil Redis client"},
		{"bad quota", rdb, transport.Quota{Requests: 1, Period: time.Minute}, "at least 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := redisrate.New(tt.rdb, tt.q)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// countingLimiter is a fallback that admits everything and counts.
type countingLimiter struct{ n int }

func (c *countingLimiter) Wait(context.Context, string) error { c.n++; return nil }

func TestWait(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	ctx := context.Background()

	t.Run("slot past the deadline fails at once", func(t *testing.T) {
		lim, err := redisrate.New(rdb, transport.Quota{Requests: 2, Period: time.Hour})
		require.NoError(t, err)
		require.NoError(t, lim.Wait(ctx, "k1"), "the burst")
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err = lim.Wait(dctx, "k1")
		var past *transport.WaitPastDeadline
		require.ErrorAs(t, err, &past)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Greater(t, past.Wait, 59*time.Minute)
		assert.NoError(t, lim.Wait(ctx, "k2"), "another key, another quota")
	})

	t.Run("cancelled", func(t *testing.T) {
		lim, err := redisrate.New(rdb, transport.VerisoulQuota)
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, lim.Wait(cctx, "k3"), context.Canceled)
	})

	t.Run("outage: typed error, then the cooldown spares Redis", func(t *testing.T) {
		down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
		defer down.Close()
		lim, err := redisrate.New(down, transport.VerisoulQuota, redisrate.WithCooldown(time.Hour))
		require.NoError(t, err)
		err = lim.Wait(ctx, "k4")
		require.ErrorIs(t, err, redisrate.ErrUnavailable)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		err = lim.Wait(ctx, "k4")
		require.ErrorIs(t, err, redisrate.ErrUnavailable)
		assert.Contains(t, err.Error(), "within the cooldown", "not asked again")
	})

	t.Run("outage: fallback", func(t *testing.T) {
		down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
		defer down.Close()
		fb := &countingLimiter{}
		lim, err := redisrate.New(down, transport.VerisoulQuota, redisrate.WithFallback(fb))
		require.NoError(t, err)
		for range 3 {
			require.NoError(t, lim.Wait(ctx, "k5"))
		}
		assert.Equal(t, 3, fb.n)
	})

	t.Run("prefix", func(t *testing.T) {
		lim, err := redisrate.New(rdb, transport.PerMinute(10), redisrate.WithPrefix("staging:"))
		require.NoError(t, err)
		require.NoError(t, lim.Wait(ctx, "k6"))
		n, err := rdb.Exists(ctx, "rate:staging:k6").Result()
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
		assert.Equal(t, transport.PerMinute(10), lim.Quota())
	})
}
