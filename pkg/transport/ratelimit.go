package transport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter paces the calls sent under one vendor quota, so that the
// vendor's limit is kept before it answers 429. The transport asks it before
// every attempt (retries included) and sends nothing until Wait returns nil.
//
// Wait blocks until a call may be sent under key, within ctx. When ctx ends
// first it returns ctx's error; when the next free slot is past ctx's
// deadline it returns at once with an error matching
// context.DeadlineExceeded, rather than sleep to fail. Any other error (a
// shared store that cannot answer) fails the call unsent. Implementations
// are safe for concurrent use.
//
// Limiter is the in-process implementation: every instance of a backend has
// its own. A fleet sharing one vendor key shares one RateLimiter on Redis
// (package transport/redisrate), so the instances keep the limit together.
type RateLimiter interface {
	Wait(ctx context.Context, key string) error
}

// Quota is a vendor's request limit: at most Requests calls in any Period.
// Burst of them may go back to back after a quiet spell; the rest are paced
// evenly. Burst 0 means 1: every call paced, which suits a limit counted over
// a sliding window, as Verisoul's is.
//
// The pace keeps one slot of each Period spare (Requests-Burst calls per
// Period, see Paced): the limiter admits calls on its clock but the vendor
// counts arrivals, which network and scheduling jitter bunch up by a few
// milliseconds; the spare slot absorbs up to one interval of it, so no window
// of Period at the vendor holds more than Requests. Verisoul's 300 per minute
// paces a call every 200.7 ms.
//
// Vendor limits, as published (see docs/FLEET.md):
//   - Verisoul: 300 requests per minute per API key, across all endpoints
//     (VerisoulQuota; https://docs.verisoul.ai/api-reference/rate-limits).
//   - Verifik: per-minute limits per endpoint family appear only on a
//     self-hosted page (projects 100, flows 50, document 20, biometric 10,
//     background 5), unverified; pace by the strictest family the backend
//     calls.
//   - iProov: no figures published; only the token endpoints document 429.
type Quota struct {
	Requests int
	Period   time.Duration
	Burst    int
}

// PerMinute is a quota of n calls per minute, each paced.
func PerMinute(n int) Quota { return Quota{Requests: n, Period: time.Minute} }

// VerisoulQuota is Verisoul's documented limit: 300 requests per minute per
// API key, across all endpoints.
var VerisoulQuota = PerMinute(300)

// Validate reports a quota that cannot be kept.
func (q Quota) Validate() error {
	_, burst := q.Paced()
	switch {
	case q.Requests < 2:
		return errors.New("transport: quota needs at least 2 requests per period (one is kept spare)")
	case q.Period <= 0:
		return errors.New("transport: quota needs a positive period")
	case q.Burst < 0 || burst >= q.Requests:
		return errors.New("transport: quota burst must be between 0 and its requests minus one")
	}
	return nil
}

// Paced returns the steady pace (calls per Period) and the burst a GCRA or
// token bucket keeps the quota with. Such a limiter admits at most
// burst+pace-1 calls in a window of Period; pace Requests-Burst makes that
// Requests-1, one spare for jitter.
func (q Quota) Paced() (pace, burst int) {
	burst = q.Burst
	if burst == 0 {
		burst = 1
	}
	return q.Requests - burst, burst
}

// Interval is the gap between paced calls: Period divided by the pace.
func (q Quota) Interval() time.Duration {
	pace, _ := q.Paced()
	if pace <= 0 {
		return 0
	}
	return q.Period / time.Duration(pace)
}

// String reads like "300/1m0s (burst 1)".
func (q Quota) String() string {
	_, burst := q.Paced()
	return strconv.Itoa(q.Requests) + "/" + q.Period.String() + " (burst " + strconv.Itoa(burst) + ")"
}

// QuotaKey is the key a Client with WithRateLimiter(l, credential) passes to
// l: the vendor and a fingerprint of the credential (the first 128 bits of
// its SHA-256, in hex), never the credential itself, which may end up in a
// shared store. Clients of one vendor and credential share a key, hence a
// quota, whichever product or instance they serve.
func QuotaKey(vendor, credential string) string {
	sum := sha256.Sum256([]byte("idvkit quota\x00" + vendor + "\x00" + credential))
	return vendor + ":" + hex.EncodeToString(sum[:16])
}

// WithRateLimiter makes every attempt of every call wait for a slot of l
// before it is sent, under QuotaKey(vendor, credential). credential is what
// the vendor counts the quota by: Verisoul's API key, iProov's api_key,
// Verifik's client token — or any stable name of that account, since only
// its fingerprint is used. A vendor 429 still backs off as the retry policy
// says; the wait for a slot happens within the call's context and total
// timeout, and a call that gets no slot fails unsent with a *RequestError
// holding a *LimiterError. nil l turns limiting off (the default).
func WithRateLimiter(l RateLimiter, credential string) Option {
	return func(c *config) { c.limiter, c.limitCredential = l, credential }
}

// ErrLimiter is matched by *LimiterError.
var ErrLimiter = errors.New("no slot from the rate limiter")

// LimiterError is a call not sent because the RateLimiter gave it no slot:
// the caller's context ended or its deadline comes before the next slot
// (errors.Is(err, context.DeadlineExceeded) or context.Canceled), or the
// limiter's store failed (Err says so; see the store's package). The vendor
// saw nothing of this attempt: the call may be sent again later.
type LimiterError struct {
	Vendor, Operation string
	Err               error
}

func (e *LimiterError) Error() string {
	s := prefix(e.Vendor, e.Operation) + "not sent: no slot from the rate limiter"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes ErrLimiter and the cause.
func (e *LimiterError) Unwrap() []error { return []error{ErrLimiter, e.Err} }

// WaitPastDeadline is what a RateLimiter returns when the next slot comes
// after ctx's deadline; it matches context.DeadlineExceeded. Wait is how
// long the slot was away.
type WaitPastDeadline struct{ Wait time.Duration }

func (e *WaitPastDeadline) Error() string {
	return "next slot in " + e.Wait.Round(time.Millisecond).String() + " is past the deadline"
}

// Is matches context.DeadlineExceeded.
func (e *WaitPastDeadline) Is(target error) bool { return target == context.DeadlineExceeded }

// SleepUntilSlot waits d, or returns early: at once with *WaitPastDeadline
// when ctx's deadline comes before d has passed, or with ctx's error when
// ctx ends during the wait. RateLimiter implementations share it.
func SleepUntilSlot(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return &WaitPastDeadline{Wait: d}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DefaultLimiterKeys bounds the keys a Limiter holds before it forgets idle
// ones. A key is one vendor credential, so a backend has a handful.
const DefaultLimiterKeys = 1024

// Limiter is the in-process RateLimiter: a token bucket per key
// (golang.org/x/time/rate) paced as its Quota says. It keeps the quota for
// one process only; instances of a fleet each get the whole quota, so share
// a Redis one (transport/redisrate) or give each Limiter its share. Safe for
// concurrent use.
type Limiter struct {
	quota Quota
	every rate.Limit
	burst int

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewLimiter returns an in-process Limiter keeping q for each key.
func NewLimiter(q Quota) (*Limiter, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	pace, burst := q.Paced()
	return &Limiter{
		quota: q,
		every: rate.Limit(float64(pace) / q.Period.Seconds()),
		burst: burst,
		keys:  map[string]*rate.Limiter{},
	}, nil
}

// Quota returns the quota the limiter keeps.
func (l *Limiter) Quota() Quota { return l.quota }

// Wait implements RateLimiter. A slot taken by a wait that then fails is
// given back.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := l.bucket(key).Reserve()
	d := r.Delay()
	if err := SleepUntilSlot(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

func (l *Limiter) bucket(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.keys[key]; ok {
		return b
	}
	if len(l.keys) >= DefaultLimiterKeys {
		// A full bucket has no debt to remember: forgetting it changes nothing.
		now := time.Now()
		for k, b := range l.keys {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.keys, k)
			}
		}
	}
	b := rate.NewLimiter(l.every, l.burst)
	l.keys[key] = b
	return b
}

// waitForSlot asks the configured limiter for a slot before an attempt.
func (c *Client) waitForSlot(ctx context.Context, op string) error {
	if c.limiter == nil {
		return nil
	}
	if err := c.limiter.Wait(ctx, c.limitKey); err != nil {
		return &LimiterError{Vendor: c.vendor, Operation: op, Err: err}
	}
	return nil
}
