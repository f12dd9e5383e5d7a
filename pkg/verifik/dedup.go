package verifik

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// DedupStore remembers which webhook deliveries a receiver has already handled, so that a
// delivery Verifik (or a network) repeats is handed to the integrator's handler once.
//
// The in-process MemoryStore is the default; a fleet of receivers behind one URL shares a
// store (see pkg/verifik/redisdedup) because a repeated delivery may land on another instance.
//
// Keys are derived from the event by EventKey; implementations treat them as opaque strings
// (they carry no personal data).
type DedupStore interface {
	// Claim records key as handled for ttl and reports whether this call was the first to do
	// so (first == true: go ahead and handle; false: a duplicate, skip it). It is atomic
	// across every receiver sharing the store. An error means the store could not answer;
	// the receiver then answers 503 so that Verifik retries later, and nothing is handled.
	Claim(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
	// Release forgets key, so that a redelivery is handled again. A receiver calls it when
	// the integrator's handler fails after a successful Claim. Releasing an unknown key is
	// not an error.
	Release(ctx context.Context, key string) error
}

// DefaultDedupTTL is how long a handled key is remembered: longer than the emulator's whole
// retry schedule and any plausible vendor redelivery window, short enough to stay small.
const DefaultDedupTTL = 24 * time.Hour

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
}

type memoryEntry struct {
	key     string
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
func (m *MemoryStore) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if ttl <= 0 {
		ttl = DefaultDedupTTL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if el, ok := m.keys[key]; ok {
		if now.Before(el.Value.(*memoryEntry).expires) {
			return false, nil
		}
		m.order.Remove(el)
		delete(m.keys, key)
	}
	m.evict(now)
	m.keys[key] = m.order.PushBack(&memoryEntry{key: key, expires: now.Add(ttl)})
	return true, nil
}

// Release implements DedupStore.
func (m *MemoryStore) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.keys[key]; ok {
		m.order.Remove(el)
		delete(m.keys, key)
	}
	return nil
}

// Len reports how many keys the store holds (expired ones included until evicted).
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
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
