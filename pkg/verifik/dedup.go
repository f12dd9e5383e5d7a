package verifik

import (
	"container/list"
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// DedupStore remembers which webhook deliveries a receiver has handled, so that a delivery
// Verifik (or a network) repeats is handed to the integrator's handler once — and so that
// an event whose receiver died mid-handler is not lost.
//
// A delivery goes through two phases. Claim takes a short lease on the event's key: while
// it runs, other deliveries of the event are told ClaimInFlight and not acknowledged, so
// Verifik redelivers them later. The holder then calls Done when its handler succeeded
// (the key is remembered as handled for the dedup TTL: later deliveries are duplicates)
// or Release when it failed (the key is forgotten: the redelivery is handled). A receiver
// that dies calls neither; its lease runs out and the next redelivery is handled.
//
// The in-process MemoryStore is the default; a fleet of receivers behind one URL shares a
// store (see pkg/verifik/redisdedup) because a repeated delivery may land on another
// instance. Keys are derived from the event by EventKey; implementations treat them as
// opaque strings (they carry no personal data).
type DedupStore interface {
	// Claim leases key for lease, atomically across every receiver sharing the store, if
	// nobody holds it: ClaimGranted, with a Token for Release. Otherwise it reports
	// ClaimInFlight (another lease is live) or ClaimDone (handled). A lease of zero or
	// less means DefaultLease. An error means the store could not answer; the receiver
	// then answers 503 so that Verifik retries later, and nothing is handled.
	Claim(ctx context.Context, key string, lease time.Duration) (DedupClaim, error)
	// Done records key as handled for ttl (zero or less: DefaultDedupTTL), whatever holds
	// it now: the handler has run, so every later delivery is a duplicate — even when the
	// caller's lease ran out and another delivery took the key meanwhile.
	Done(ctx context.Context, key string, ttl time.Duration) error
	// Release forgets key if it still holds the lease token names, so that a redelivery
	// is handled again; a lease that ran out and was taken by another delivery, or a key
	// marked done, stays. Releasing an unknown key is not an error.
	Release(ctx context.Context, key, token string) error
}

// ClaimState is what DedupStore.Claim found.
type ClaimState int

const (
	// ClaimGranted: nobody held the key; the caller holds a lease on it and ends it with
	// Done or Release.
	ClaimGranted ClaimState = iota + 1
	// ClaimInFlight: another delivery of the event holds a live lease — being handled
	// now, or its receiver died and the lease has not run out. The receiver answers 503
	// so that Verifik redelivers after it.
	ClaimInFlight
	// ClaimDone: the event was handled; this delivery is a duplicate.
	ClaimDone
)

func (s ClaimState) String() string {
	switch s {
	case ClaimGranted:
		return "granted"
	case ClaimInFlight:
		return "in flight"
	case ClaimDone:
		return "done"
	}
	return "ClaimState(" + strconv.Itoa(int(s)) + ")"
}

// DedupClaim is the answer to DedupStore.Claim.
type DedupClaim struct {
	State ClaimState
	// Token names a granted lease, for Release: a receiver whose lease ran out never
	// frees the lease of the delivery that took the key over.
	Token string
	// Left is how long an in-flight lease has to run (zero when the store cannot tell);
	// the receiver sends it as Retry-After.
	Left time.Duration
}

// DefaultDedupTTL is how long a handled key is remembered: longer than the emulator's whole
// retry schedule and any plausible vendor redelivery window, short enough to stay small.
const DefaultDedupTTL = 24 * time.Hour

// DefaultLease is how long a delivery being handled holds its key (ReceiverOptions.Lease).
// Two minutes: a receiver that dies mid-handler has its event handled by a redelivery
// two and a half minutes later on the emulator's schedule (30 s, then 2 m), and a handler
// still gets 90 s — longer than any sender waits for an answer.
const DefaultLease = 2 * time.Minute

// DefaultMemoryStoreCapacity bounds a MemoryStore made with a capacity of zero.
const DefaultMemoryStoreCapacity = 100_000

// ErrDedupStore wraps every error a DedupStore returns to the receiver, so callers can tell a
// store outage from a bad delivery with errors.Is.
var ErrDedupStore = errors.New("verifik: webhook dedup store unavailable")

// MemoryStore is the in-process DedupStore: a bounded map with expiry. When it is full it
// forgets the oldest key first (the one least likely to be redelivered), so memory stays
// bounded under a flood at the cost of dedup for very old deliveries. Safe for concurrent use.
type MemoryStore struct {
	mu       sync.Mutex
	capacity int
	now      func() time.Time
	order    *list.List // of *memoryEntry, oldest first
	keys     map[string]*list.Element
	leases   uint64
}

type memoryEntry struct {
	key     string
	token   string // the lease's; "" once done
	expires time.Time
}

// NewMemoryStore returns a MemoryStore holding at most capacity keys (0 means
// DefaultMemoryStoreCapacity). now is the clock (nil means time.Now); tests inject one.
func NewMemoryStore(capacity int, now func() time.Time) *MemoryStore {
	if capacity <= 0 {
		capacity = DefaultMemoryStoreCapacity
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{capacity: capacity, now: now, order: list.New(), keys: map[string]*list.Element{}}
}

// Claim implements DedupStore.
func (m *MemoryStore) Claim(ctx context.Context, key string, lease time.Duration) (DedupClaim, error) {
	if err := ctx.Err(); err != nil {
		return DedupClaim{}, err
	}
	if lease <= 0 {
		lease = DefaultLease
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e := m.live(key, now); e != nil {
		if e.token == "" {
			return DedupClaim{State: ClaimDone}, nil
		}
		return DedupClaim{State: ClaimInFlight, Left: e.expires.Sub(now)}, nil
	}
	m.leases++
	token := strconv.FormatUint(m.leases, 36)
	m.put(&memoryEntry{key: key, token: token, expires: now.Add(lease)}, now)
	return DedupClaim{State: ClaimGranted, Token: token}, nil
}

// Done implements DedupStore.
func (m *MemoryStore) Done(_ context.Context, key string, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = DefaultDedupTTL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.remove(key)
	m.put(&memoryEntry{key: key, expires: now.Add(ttl)}, now)
	return nil
}

// Release implements DedupStore.
func (m *MemoryStore) Release(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.keys[key]; ok && token != "" && el.Value.(*memoryEntry).token == token {
		m.remove(key)
	}
	return nil
}

// Len reports how many keys the store holds (expired ones included until evicted).
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// live returns key's entry if it has not expired, dropping an expired one. m.mu is held.
func (m *MemoryStore) live(key string, now time.Time) *memoryEntry {
	el, ok := m.keys[key]
	if !ok {
		return nil
	}
	if e := el.Value.(*memoryEntry); now.Before(e.expires) {
		return e
	}
	m.remove(key)
	return nil
}

// put adds e as the newest entry, making room first. m.mu is held and e.key is absent.
func (m *MemoryStore) put(e *memoryEntry, now time.Time) {
	m.evict(now)
	m.keys[e.key] = m.order.PushBack(e)
}

func (m *MemoryStore) remove(key string) {
	if el, ok := m.keys[key]; ok {
		m.order.Remove(el)
		delete(m.keys, key)
	}
}

// evict drops expired keys from the front, then the oldest until there is room for one more.
func (m *MemoryStore) evict(now time.Time) {
	for el := m.order.Front(); el != nil; el = m.order.Front() {
		e := el.Value.(*memoryEntry)
		if now.Before(e.expires) && m.order.Len() < m.capacity {
			return
		}
		m.order.Remove(el)
		delete(m.keys, e.key)
	}
}
