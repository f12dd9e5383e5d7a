package redisdedup_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/redistest"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verifik/redisdedup"
)

// quiet drops go-redis's own log lines (dial failures while a test has
// killed the server); the tests assert on the errors instead.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}

var ctx = context.Background()

// client is one receiver instance's own connection pool, set up as
// docs/FLEET.md advises: no retries of its own (Verifik redelivers) and
// bounded timeouts (generous here: the race detector on a busy machine).
func client(t *testing.T, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// TestClaim covers the store on its own: one first claim among racing
// stores, Release of one's own claim only, expiry, and keys that hold no
// event key.
func TestClaim(t *testing.T) {
	srv := redistest.Start(t)
	a, b := redisdedup.New(client(t, srv.Addr)), redisdedup.New(client(t, srv.Addr))
	inspect := client(t, srv.Addr)

	t.Run("one first claim among racing stores", func(t *testing.T) {
		var firsts atomic.Int32
		var wg sync.WaitGroup
		for i := range 16 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				first, err := s.Claim(ctx, "verifik:race", time.Minute)
				assert.NoError(t, err)
				if first {
					firsts.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, firsts.Load())
	})

	t.Run("release forgets only one's own claim", func(t *testing.T) {
		first, err := a.Claim(ctx, "verifik:mine", time.Minute)
		require.NoError(t, err)
		require.True(t, first)
		require.NoError(t, b.Release(ctx, "verifik:mine"), "not b's claim: no error, no effect")
		first, err = b.Claim(ctx, "verifik:mine", time.Minute)
		require.NoError(t, err)
		assert.False(t, first, "a's claim survived b's release")
		require.NoError(t, a.Release(ctx, "verifik:mine"))
		first, err = b.Claim(ctx, "verifik:mine", time.Minute)
		require.NoError(t, err)
		assert.True(t, first, "a released it: b handles the redelivery")
		assert.NoError(t, a.Release(ctx, "verifik:never-claimed"), "releasing an unknown key is fine")
	})

	t.Run("expiry", func(t *testing.T) {
		tests := []struct {
			name string
			ttl  time.Duration
			want time.Duration
		}{
			{"given", 90 * time.Second, 90 * time.Second},
			{"default", 0, verifik.DefaultDedupTTL},
		}
		for _, tt := range tests {
			key := "verifik:ttl-" + tt.name
			_, err := a.Claim(ctx, key, tt.ttl)
			require.NoError(t, err)
			left, err := inspect.PTTL(ctx, a.Key(key)).Result()
			require.NoError(t, err)
			assert.LessOrEqual(t, left, tt.want, tt.name)
			assert.Greater(t, left, tt.want-time.Minute, tt.name)
		}
	})

	t.Run("keys hold no event key", func(t *testing.T) {
		const eventKey = "verifik:0123456789abcdef0123456789abcdef"
		_, err := a.Claim(ctx, eventKey, time.Minute)
		require.NoError(t, err)
		keys, err := inspect.Keys(ctx, redisdedup.DefaultPrefix+"*").Result()
		require.NoError(t, err)
		require.Contains(t, keys, a.Key(eventKey))
		for _, k := range keys {
			assert.NotContains(t, k, "0123456789abcdef0123456789abcdef")
			assert.Len(t, k, len(redisdedup.DefaultPrefix)+64)
		}
	})
}

// receiver is one instance of the integrator's backend: a verifik.Receiver
// on its own Redis connections, counting what it applied in a ledger the
// instances share (the integrator's database).
type ledger struct {
	mu      sync.Mutex
	applied map[string]int // event key -> times applied
}

func (l *ledger) apply(_ context.Context, ev verifik.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.applied[ev.Meta().Key]++
	return nil
}

func receiver(t *testing.T, addr string, l *ledger) *httptest.Server {
	srv := httptest.NewServer(verifik.NewReceiver(l.apply, verifik.ReceiverOptions{
		Store:  redisdedup.New(client(t, addr)),
		Logger: discard(),
	}))
	t.Cleanup(srv.Close)
	return srv
}

func deliver(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// events returns one delivery of every documented event type.
func events(t *testing.T) [][]byte {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var out [][]byte
	for i, typ := range verifik.EventTypes() {
		body, ok := verifik.ExampleEvent(typ, now.Add(time.Duration(i)*time.Millisecond))
		require.True(t, ok, typ)
		out = append(out, body)
	}
	require.NotEmpty(t, out)
	return out
}

// TestTwoReceiversApplyADuplicateOnce: every event is delivered to two
// receiver instances at once, and once more to the first; each is applied
// once.
func TestTwoReceiversApplyADuplicateOnce(t *testing.T) {
	srv := redistest.Start(t)
	l := &ledger{applied: map[string]int{}}
	a, b := receiver(t, srv.Addr, l), receiver(t, srv.Addr, l)
	all := events(t)
	var wg sync.WaitGroup
	for _, body := range all {
		for _, url := range []string{a.URL, b.URL, a.URL} {
			wg.Go(func() { assert.Equal(t, http.StatusOK, deliver(t, url, body)) })
		}
	}
	wg.Wait()
	assert.Len(t, l.applied, len(all), "every event applied")
	for key, n := range l.applied {
		assert.Equal(t, 1, n, "event %s applied once", key)
	}
}

// TestReceiversWhenRedisGoesAway: with Redis killed, deliveries get 503 and
// nothing is applied; Verifik's redelivery after Redis is back is applied
// once, and an event applied before the crash stays a duplicate (Redis's
// append-only file kept its claim). Nothing lost, nothing applied twice.
func TestReceiversWhenRedisGoesAway(t *testing.T) {
	srv := redistest.Start(t)
	l := &ledger{applied: map[string]int{}}
	a, b := receiver(t, srv.Addr, l), receiver(t, srv.Addr, l)
	all := events(t)
	before, during := all[0], all[1:]

	require.Equal(t, http.StatusOK, deliver(t, a.URL, before))
	srv.Kill()
	for _, body := range during {
		assert.Equal(t, http.StatusServiceUnavailable, deliver(t, b.URL, body), "the store is down: redeliver later")
	}
	l.mu.Lock()
	assert.Len(t, l.applied, 1, "nothing applied while the store is down")
	l.mu.Unlock()

	store := redisdedup.New(client(t, srv.Addr))
	_, err := store.Claim(ctx, "verifik:any", time.Minute)
	assert.ErrorIs(t, err, verifik.ErrDedupStore)
	assert.ErrorIs(t, err, redisdedup.ErrUnavailable)
	assert.ErrorIs(t, store.Release(ctx, "verifik:any"), verifik.ErrDedupStore)

	srv.Restart()
	// Verifik redelivers everything, to either instance, until it gets 200
	// (go-redis redials a failed server within about a second).
	for i, body := range all {
		url := a.URL
		if i%2 == 1 {
			url = b.URL
		}
		assert.Eventually(t, func() bool { return deliver(t, url, body) == http.StatusOK }, 10*time.Second, 20*time.Millisecond)
	}
	assert.Len(t, l.applied, len(all), "nothing lost")
	for key, n := range l.applied {
		assert.Equal(t, 1, n, "event %s applied once", key)
	}
}

func TestCancelledClaim(t *testing.T) {
	srv := redistest.Start(t)
	s := redisdedup.New(client(t, srv.Addr))
	c, cancel := context.WithCancel(ctx)
	cancel()
	_, err := s.Claim(c, "verifik:x", time.Minute)
	assert.ErrorIs(t, err, verifik.ErrDedupStore)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.NotErrorIs(t, err, redisdedup.ErrUnavailable, "the caller gave up; Redis did not fail")
}
