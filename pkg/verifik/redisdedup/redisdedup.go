// Package redisdedup is a verifik.DedupStore on Redis, for a fleet of
// webhook receivers behind one URL: a delivery Verifik repeats may land on
// another instance, and the store they share hands it to the integrator's
// handler once.
//
// A key holds "lease:<token>" while a delivery is being handled and "done"
// once it was, each with its own expiry (github.com/redis/go-redis/v9):
//
//   - Claim is one Lua script: SET key lease:<token> PX lease when the key is
//     absent, else the key's state (and, for a lease, its PTTL). Atomic across
//     every receiver, in one round trip.
//   - Done is SET key done PX ttl, whatever the key held: the handler ran.
//   - Release is an owner-checked DEL: it deletes the key only while it holds
//     the caller's own lease.
//
// A receiver that dies mid-handler leaves its lease, which Redis expires after
// the lease (verifik.ReceiverOptions.Lease); the next redelivery is handled.
// Values an earlier version wrote (a bare owner id, for the whole TTL) read as
// done. Import it only where Redis is wanted: package verifik does not link
// Redis.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	rc := verifik.NewReceiver(handle, verifik.ReceiverOptions{Store: redisdedup.New(rdb)})
//
// Keys in Redis are the prefix (default "idvkit:verifik:dedup:") and the
// SHA-256 of the event key, so their length is bounded whatever the event.
// When Redis cannot answer, Claim fails with an error matching
// verifik.ErrDedupStore and ErrUnavailable; the receiver answers 503,
// handles nothing and Verifik redelivers later, so nothing is lost. Run
// Redis with persistence (appendonly) if a restart must not forget the
// events handled: a forgotten key lets a later duplicate through once.
package redisdedup

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idvkit/idvkit/pkg/verifik"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "idvkit:verifik:dedup:"

// ErrUnavailable is matched, with verifik.ErrDedupStore, by the errors of a
// store whose Redis could not answer.
var ErrUnavailable = errors.New("redisdedup: Redis unavailable")

// Store is a verifik.DedupStore on Redis. Safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// Option configures a Store.
type Option func(*Store)

// WithPrefix replaces DefaultPrefix, to keep apart receivers (environments,
// Verifik projects) sharing one Redis.
func WithPrefix(p string) Option { return func(s *Store) { s.prefix = p } }

// New returns a Store on rdb (a *redis.Client, a *redis.ClusterClient, a
// failover client…).
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb, prefix: DefaultPrefix}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

var _ verifik.DedupStore = (*Store)(nil)

// Key returns the Redis key the store uses for an event key.
func (s *Store) Key(eventKey string) string {
	sum := sha256.Sum256([]byte(eventKey))
	return s.prefix + hex.EncodeToString(sum[:])
}

// Values a key holds.
const (
	leasePrefix = "lease:"
	doneValue   = "done"
)

// claim leases KEYS[1] as ARGV[1] for ARGV[2] ms if it is absent; it answers
// {1} granted, {2, pttl} in flight, {3} done (anything but a lease: done, or a
// value an earlier version wrote for a handled event).
var claim = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if not v then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return {1}
end
if string.sub(v, 1, 6) == "lease:" then
  return {2, redis.call("PTTL", KEYS[1])}
end
return {3}
`)

// Claim implements verifik.DedupStore. A lease of zero or less means
// verifik.DefaultLease.
func (s *Store) Claim(ctx context.Context, key string, lease time.Duration) (verifik.DedupClaim, error) {
	if lease <= 0 {
		lease = verifik.DefaultLease
	}
	token, err := newToken()
	if err != nil {
		return verifik.DedupClaim{}, fmt.Errorf("%w: %w", verifik.ErrDedupStore, err)
	}
	ms := max(lease.Milliseconds(), 1)
	res, err := claim.Run(ctx, s.rdb, []string{s.Key(key)}, leasePrefix+token, ms).Int64Slice()
	if err != nil {
		return verifik.DedupClaim{}, s.fail(ctx, err)
	}
	switch {
	case len(res) == 1 && res[0] == 1:
		return verifik.DedupClaim{State: verifik.ClaimGranted, Token: token}, nil
	case len(res) == 2 && res[0] == 2:
		return verifik.DedupClaim{State: verifik.ClaimInFlight, Left: max(time.Duration(res[1])*time.Millisecond, 0)}, nil
	case len(res) == 1 && res[0] == 3:
		return verifik.DedupClaim{State: verifik.ClaimDone}, nil
	}
	return verifik.DedupClaim{}, fmt.Errorf("%w: unexpected claim answer %v", verifik.ErrDedupStore, res)
}

// Done implements verifik.DedupStore: SET key done PX ttl. A ttl of zero or
// less means verifik.DefaultDedupTTL.
func (s *Store) Done(ctx context.Context, key string, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = verifik.DefaultDedupTTL
	}
	if err := s.rdb.Set(ctx, s.Key(key), doneValue, ttl).Err(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// release deletes the key only while it holds the caller's lease.
var release = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// Release implements verifik.DedupStore. It forgets only the caller's own
// lease: if it ran out and another delivery took the key since, or the key is
// done, the key stays.
func (s *Store) Release(ctx context.Context, key, token string) error {
	if token == "" {
		return nil
	}
	if err := release.Run(ctx, s.rdb, []string{s.Key(key)}, leasePrefix+token).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return s.fail(ctx, err)
	}
	return nil
}

// newToken names one lease: 128 random bits, so that no other claim, in any
// process, has the same.
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func (s *Store) fail(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w: %w", verifik.ErrDedupStore, cerr)
	}
	// go-redis errors name the address and the network failure, no secrets.
	return fmt.Errorf("%w: %w: %w", verifik.ErrDedupStore, ErrUnavailable, err)
}
