// Package redisrate keeps a vendor quota for a fleet of backends on Redis:
// a transport.RateLimiter whose state lives in one Redis, so every instance
// that shares the vendor key shares its limit (Verisoul's 300 requests per
// minute holds for the fleet, not per instance).
//
// It runs GCRA (github.com/go-redis/redis_rate/v10: one Lua script per
// call, timed by the Redis server's clock, so instances' clocks need not
// agree) on github.com/redis/go-redis/v9. Import it only where Redis is
// wanted: package transport does not link Redis.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	lim, err := redisrate.New(rdb, transport.VerisoulQuota)
//	...
//	client, err := verisoul.New(apiKey,
//		verisoul.WithTransport(transport.WithRateLimiter(lim, apiKey)))
//
// Keys in Redis are "rate:" + the prefix (default "idvkit:quota:") +
// transport.QuotaKey: the vendor and a fingerprint of the credential, never
// the credential. Each expires once its quota is back to full.
//
// When Redis cannot answer, a call fails unsent with a
// *transport.LimiterError matching ErrUnavailable, unless WithFallback names
// a limiter to use meanwhile. After a failure Redis is not asked again for
// the cooldown (WithCooldown), so an outage costs one failed round trip per
// cooldown rather than one per call. See docs/FLEET.md.
package redisrate

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/idvkit/idvkit/pkg/transport"
)

// DefaultPrefix starts every key the limiter writes (after redis_rate's own
// "rate:").
const DefaultPrefix = "idvkit:quota:"

// DefaultCooldown is how long the limiter leaves Redis alone after it failed
// to answer.
const DefaultCooldown = time.Second

// ErrUnavailable is matched by the error of a Wait that Redis could not
// answer, with no fallback configured. The call was not sent.
var ErrUnavailable = errors.New("redisrate: Redis unavailable")

// Limiter is a transport.RateLimiter on Redis. Safe for concurrent use.
type Limiter struct {
	rl       *redis_rate.Limiter
	limit    redis_rate.Limit
	quota    transport.Quota
	prefix   string
	fallback transport.RateLimiter
	cooldown time.Duration
	now      func() time.Time

	// downUntil is when Redis may be asked again (Unix nanoseconds), after a
	// failure; 0 when it answered last.
	downUntil atomic.Int64
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithPrefix replaces DefaultPrefix, to keep apart fleets or environments
// sharing one Redis.
func WithPrefix(p string) Option { return func(l *Limiter) { l.prefix = p } }

// WithFallback waits on fb while Redis cannot answer, instead of failing the
// call. An in-process transport.Limiter with this instance's share of the
// quota (the quota divided by the instances) keeps the fleet within the
// vendor's limit at a lower pace; one with the whole quota keeps calls
// flowing and lets the vendor's 429s, which the transport backs off from,
// catch the excess.
func WithFallback(fb transport.RateLimiter) Option { return func(l *Limiter) { l.fallback = fb } }

// WithCooldown sets how long Redis is left alone after a failure (default
// DefaultCooldown; 0 keeps it). Meanwhile calls go to the fallback or fail
// at once.
func WithCooldown(d time.Duration) Option { return func(l *Limiter) { l.cooldown = d } }

// New returns a Limiter keeping q on rdb (a *redis.Client, a
// *redis.ClusterClient, a failover client…). Give rdb short timeouts: a
// call waits for Redis before it is sent (see docs/FLEET.md).
func New(rdb redis.UniversalClient, q transport.Quota, opts ...Option) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("redisrate: nil Redis client")
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	pace, burst := q.Paced()
	l := &Limiter{
		rl:       redis_rate.NewLimiter(rdb),
		limit:    redis_rate.Limit{Rate: pace, Burst: burst, Period: q.Period},
		quota:    q,
		prefix:   DefaultPrefix,
		cooldown: DefaultCooldown,
		now:      time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o(l)
		}
	}
	if l.cooldown <= 0 {
		l.cooldown = DefaultCooldown
	}
	return l, nil
}

// Quota returns the quota the limiter keeps.
func (l *Limiter) Quota() transport.Quota { return l.quota }

// Wait implements transport.RateLimiter: it asks Redis for a slot, and while
// there is none sleeps for as long as Redis says, within ctx.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if until := l.downUntil.Load(); until != 0 && l.now().UnixNano() < until {
			return l.unavailable(ctx, key, errCooling)
		}
		res, err := l.rl.Allow(ctx, l.prefix+key, l.limit)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			l.downUntil.Store(l.now().Add(l.cooldown).UnixNano())
			return l.unavailable(ctx, key, err)
		}
		l.downUntil.Store(0)
		if res.Allowed > 0 {
			return nil
		}
		if err := transport.SleepUntilSlot(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// errCooling stands for the failure that started the cooldown.
var errCooling = errors.New("failed within the cooldown")

func (l *Limiter) unavailable(ctx context.Context, key string, cause error) error {
	if l.fallback != nil {
		return l.fallback.Wait(ctx, key)
	}
	// go-redis errors name the address and the network failure, no secrets.
	return fmt.Errorf("%w: %w", ErrUnavailable, cause)
}
