package redisdedup_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
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
func client(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// TestClaim covers the store on its own: one lease among racing stores, the
// states a claim finds, release of one's own lease only, expiry, and keys
// that hold no event key.
func TestClaim(t *testing.T) {
	srv := redistest.Start(t)
	a, b := redisdedup.New(client(t, srv.Addr)), redisdedup.New(client(t, srv.Addr))
	inspect := client(t, srv.Addr)
	claim := func(t *testing.T, s *redisdedup.Store, key string) verifik.DedupClaim {
		t.Helper()
		c, err := s.Claim(ctx, key, time.Minute)
		require.NoError(t, err)
		return c
	}

	t.Run("one lease among racing stores", func(t *testing.T) {
		var granted, inFlight atomic.Int32
		var wg sync.WaitGroup
		for i := range 16 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				c, err := s.Claim(ctx, "verifik:race", time.Minute)
				assert.NoError(t, err)
				switch c.State {
				case verifik.ClaimGranted:
					granted.Add(1)
				case verifik.ClaimInFlight:
					inFlight.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, granted.Load())
		assert.EqualValues(t, 15, inFlight.Load())
	})

	t.Run("states", func(t *testing.T) {
		first := claim(t, a, "verifik:states")
		require.Equal(t, verifik.ClaimGranted, first.State)
		assert.Len(t, first.Token, 32)
		inFlight := claim(t, b, "verifik:states")
		assert.Equal(t, verifik.ClaimInFlight, inFlight.State)
		assert.Empty(t, inFlight.Token)
		assert.InDelta(t, time.Minute, inFlight.Left, float64(10*time.Second), "what is left of the lease")
		require.NoError(t, a.Done(ctx, "verifik:states", time.Hour))
		assert.Equal(t, verifik.DedupClaim{State: verifik.ClaimDone}, claim(t, b, "verifik:states"))
	})

	t.Run("release forgets only one's own lease", func(t *testing.T) {
		mine := claim(t, a, "verifik:mine")
		require.Equal(t, verifik.ClaimGranted, mine.State)
		require.NoError(t, b.Release(ctx, "verifik:mine", "not-the-token"), "not b's lease: no error, no effect")
		require.NoError(t, b.Release(ctx, "verifik:mine", ""))
		assert.Equal(t, verifik.ClaimInFlight, claim(t, b, "verifik:mine").State, "a's lease survived b's release")
		require.NoError(t, a.Release(ctx, "verifik:mine", mine.Token))
		theirs := claim(t, b, "verifik:mine")
		assert.Equal(t, verifik.ClaimGranted, theirs.State, "a released it: b handles the redelivery")
		require.NoError(t, a.Release(ctx, "verifik:mine", mine.Token), "a stale release")
		assert.Equal(t, verifik.ClaimInFlight, claim(t, a, "verifik:mine").State, "leaves b's lease")
		require.NoError(t, b.Done(ctx, "verifik:mine", time.Hour))
		require.NoError(t, b.Release(ctx, "verifik:mine", theirs.Token))
		assert.Equal(t, verifik.ClaimDone, claim(t, a, "verifik:mine").State, "release leaves a done key")
		assert.NoError(t, a.Release(ctx, "verifik:never-claimed", "x"), "releasing an unknown key is fine")
	})

	t.Run("done over a lease that was taken over", func(t *testing.T) {
		claim(t, a, "verifik:late")
		require.NoError(t, inspect.Del(ctx, a.Key("verifik:late")).Err(), "a's lease runs out")
		other := claim(t, b, "verifik:late")
		require.Equal(t, verifik.ClaimGranted, other.State)
		require.NoError(t, a.Done(ctx, "verifik:late", time.Hour), "a's handler finished after all")
		require.NoError(t, b.Release(ctx, "verifik:late", other.Token))
		assert.Equal(t, verifik.ClaimDone, claim(t, b, "verifik:late").State, "handled once is done")
	})

	t.Run("a value of the earlier version reads as done", func(t *testing.T) {
		require.NoError(t, inspect.Set(ctx, a.Key("verifik:old"), "0123456789abcdef0123456789abcdef", time.Hour).Err())
		assert.Equal(t, verifik.ClaimDone, claim(t, a, "verifik:old").State)
	})

	t.Run("expiry", func(t *testing.T) {
		tests := []struct {
			name  string
			lease time.Duration
			ttl   time.Duration // 0: no Done
			want  time.Duration
		}{
			{"lease given", 90 * time.Second, 0, 90 * time.Second},
			{"lease default", 0, 0, verifik.DefaultLease},
			{"done given", time.Minute, 3 * time.Hour, 3 * time.Hour},
			{"done default", time.Minute, -1, verifik.DefaultDedupTTL},
		}
		for _, tt := range tests {
			key := "verifik:ttl-" + tt.name
			_, err := a.Claim(ctx, key, tt.lease)
			require.NoError(t, err)
			if tt.ttl != 0 {
				require.NoError(t, a.Done(ctx, key, max(tt.ttl, 0)))
			}
			left, err := inspect.PTTL(ctx, a.Key(key)).Result()
			require.NoError(t, err)
			assert.LessOrEqual(t, left, tt.want, tt.name)
			assert.Greater(t, left, tt.want-time.Minute/2, tt.name)
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
	return serve(t, l.apply, verifik.ReceiverOptions{Store: redisdedup.New(client(t, addr))})
}

func serve(t *testing.T, h verifik.EventHandler, opts verifik.ReceiverOptions) *httptest.Server {
	opts.Logger = discard()
	srv := httptest.NewServer(verifik.NewReceiver(h, opts))
	t.Cleanup(srv.Close)
	return srv
}

// deliverUntilOK redelivers body, as Verifik does, until a receiver answers
// 200; every answer before must be a 503 (in flight elsewhere).
func deliverUntilOK(t *testing.T, url string, body []byte) {
	t.Helper()
	for {
		status := deliver(t, url, body)
		if status == http.StatusOK {
			return
		}
		if !assert.Equal(t, http.StatusServiceUnavailable, status) {
			return
		}
		time.Sleep(time.Millisecond)
	}
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
// once. A delivery that arrives while another is being handled gets 503 and
// is redelivered until it finds the event done.
func TestTwoReceiversApplyADuplicateOnce(t *testing.T) {
	srv := redistest.Start(t)
	l := &ledger{applied: map[string]int{}}
	a, b := receiver(t, srv.Addr, l), receiver(t, srv.Addr, l)
	all := events(t)
	var wg sync.WaitGroup
	for _, body := range all {
		for _, url := range []string{a.URL, b.URL, a.URL} {
			wg.Go(func() { deliverUntilOK(t, url, body) })
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
	assert.ErrorIs(t, store.Release(ctx, "verifik:any", "token"), verifik.ErrDedupStore)
	assert.ErrorIs(t, store.Done(ctx, "verifik:any", time.Minute), verifik.ErrDedupStore)

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

// deadStore is the store as an instance that dies mid-handler leaves it: the
// lease was taken, and nothing after it (Done, Release) reaches Redis.
type deadStore struct{ verifik.DedupStore }

func (deadStore) Done(context.Context, string, time.Duration) error { return nil }
func (deadStore) Release(context.Context, string, string) error     { return nil }

// TestCrashedReceiverRecovers: two instances share one Redis. The first dies
// mid-handler (the connection drops; its lease stays in Redis). A redelivery
// to the second within the lease gets 503 with Retry-After; once the lease
// runs out the second handles it, once; later duplicates, to either store,
// get 200 and are not handled. Before leases, the claim lasted the whole TTL
// and the event was lost. The lease is a minute where the test checks what
// happens within it (no race with the clock) and 200 ms where it waits for
// the end of it.
func TestCrashedReceiverRecovers(t *testing.T) {
	srv := redistest.Start(t)
	all := events(t)
	l := &ledger{applied: map[string]int{}}
	alive := serve(t, l.apply, verifik.ReceiverOptions{Store: redisdedup.New(client(t, srv.Addr))})
	crash := func(t *testing.T, lease time.Duration, body []byte) {
		t.Helper()
		var died atomic.Int32
		dying := serve(t, func(context.Context, verifik.Event) error {
			died.Add(1)
			panic(http.ErrAbortHandler) // the process dies: no answer, no Done, no Release
		}, verifik.ReceiverOptions{Store: deadStore{redisdedup.New(client(t, srv.Addr))}, Lease: lease})
		_, err := http.Post(dying.URL, "application/json", strings.NewReader(string(body)))
		require.Error(t, err, "no answer from a dead instance")
		require.EqualValues(t, 1, died.Load())
	}
	applied := func(body []byte) int {
		ev, err := verifik.DecodeEvent(body)
		require.NoError(t, err)
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.applied[ev.Meta().Key]
	}

	t.Run("a redelivery within the lease is not acknowledged", func(t *testing.T) {
		body := all[0]
		crash(t, time.Minute, body)
		resp, err := http.Post(alive.URL, "application/json", strings.NewReader(string(body)))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "in flight: Verifik must redeliver")
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		assert.InDelta(t, 60, retry, 5, "the rest of the dead instance's lease, in seconds")
		assert.Zero(t, applied(body))
	})

	t.Run("the first redelivery after the lease is handled once", func(t *testing.T) {
		const lease = 200 * time.Millisecond
		body := all[1]
		start := time.Now()
		crash(t, lease, body)
		// Verifik redelivers; wait on the outcome, not for a fixed time.
		var others []int
		require.Eventually(t, func() bool {
			status := deliver(t, alive.URL, body)
			if status != http.StatusOK && status != http.StatusServiceUnavailable {
				others = append(others, status)
			}
			return status == http.StatusOK
		}, 10*time.Second, 10*time.Millisecond)
		assert.Empty(t, others, "until then, 503 only")
		t.Logf("handled by the other instance %v after the crash (lease %v)", time.Since(start).Round(time.Millisecond), lease)
		assert.Equal(t, 1, applied(body))

		again := serve(t, l.apply, verifik.ReceiverOptions{Store: redisdedup.New(client(t, srv.Addr))})
		for _, url := range []string{alive.URL, again.URL} {
			assert.Equal(t, http.StatusOK, deliver(t, url, body), "a duplicate")
		}
		assert.Equal(t, 1, applied(body), "duplicates are not handled")
	})
}
