// Package redisdedup is a verifik.DedupStore on Redis, for a fleet of
// webhook receivers behind one URL: a delivery Verifik repeats may land on
// another instance, and the store they share hands it to the integrator's
// handler once.
//
// A claim is one SET NX with an expiry (github.com/redis/go-redis/v9), so
// it is atomic across every receiver, and Redis forgets handled events by
// itself. Import it only where Redis is wanted: package verifik does not link
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
	// owner marks this store's claims, so that Release forgets only a claim
	// this store made, never another receiver's made after the first expired.
	owner string
}

// Option configures a Store.
type Option func(*Store)

// WithPrefix replaces DefaultPrefix, to keep apart receivers (environments,
// Verifik projects) sharing one Redis.
func WithPrefix(p string) Option { return func(s *Store) { s.prefix = p } }

// New returns a Store on rdb (a *redis.Client, a *redis.ClusterClient, a
// failover client…).
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	s := &Store{rdb: rdb, prefix: DefaultPrefix, owner: hex.EncodeToString(b[:])}
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

// Claim implements verifik.DedupStore: SET key owner NX PX ttl. A ttl of
// zero or less means verifik.DefaultDedupTTL.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		ttl = verifik.DefaultDedupTTL
	}
	err := s.rdb.SetArgs(ctx, s.Key(key), s.owner, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil // someone holds it: a duplicate
	}
	return false, s.fail(ctx, err)
}

// release deletes the key only while it holds this store's claim.
var release = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// Release implements verifik.DedupStore. It forgets only a claim this store
// made: if the claim expired and another receiver claimed the event since,
// that claim stays.
func (s *Store) Release(ctx context.Context, key string) error {
	if err := release.Run(ctx, s.rdb, []string{s.Key(key)}, s.owner).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return s.fail(ctx, err)
	}
	return nil
}

func (s *Store) fail(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w: %w", verifik.ErrDedupStore, cerr)
	}
	// go-redis errors name the address and the network failure, no secrets.
	return fmt.Errorf("%w: %w: %w", verifik.ErrDedupStore, ErrUnavailable, err)
}
