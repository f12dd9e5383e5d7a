package verifik_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// The two phases of a claim in the memory store, on its clock: a lease, then done or
// released, and release only by the lease's own token.
func TestMemoryStoreLeases(t *testing.T) {
	const lease = time.Minute
	type env struct {
		s     *verifik.MemoryStore
		clock *sandbox.FakeClock
	}
	claim := func(t *testing.T, e env, key string) verifik.DedupClaim {
		t.Helper()
		c, err := e.s.Claim(context.Background(), key, lease)
		require.NoError(t, err)
		return c
	}
	tests := []struct {
		name string
		run  func(t *testing.T, e env)
	}{
		{"a live lease is in flight, with what is left of it", func(t *testing.T, e env) {
			first := claim(t, e, "k")
			require.Equal(t, verifik.ClaimGranted, first.State)
			assert.NotEmpty(t, first.Token)
			e.clock.Advance(20 * time.Second)
			got := claim(t, e, "k")
			assert.Equal(t, verifik.DedupClaim{State: verifik.ClaimInFlight, Left: 40 * time.Second}, got, "no token for a lease not granted")
		}},
		{"an abandoned lease runs out and the key is granted again", func(t *testing.T, e env) {
			first := claim(t, e, "k")
			e.clock.Advance(lease)
			again := claim(t, e, "k")
			assert.Equal(t, verifik.ClaimGranted, again.State)
			assert.NotEqual(t, first.Token, again.Token, "each lease has its own token")
		}},
		{"done lasts the dedup TTL, then is forgotten", func(t *testing.T, e env) {
			claim(t, e, "k")
			require.NoError(t, e.s.Done(context.Background(), "k", time.Hour))
			e.clock.Advance(time.Hour - time.Second)
			assert.Equal(t, verifik.ClaimDone, claim(t, e, "k").State)
			e.clock.Advance(time.Second)
			assert.Equal(t, verifik.ClaimGranted, claim(t, e, "k").State)
		}},
		{"done of zero TTL is DefaultDedupTTL", func(t *testing.T, e env) {
			claim(t, e, "k")
			require.NoError(t, e.s.Done(context.Background(), "k", 0))
			e.clock.Advance(verifik.DefaultDedupTTL - time.Second)
			assert.Equal(t, verifik.ClaimDone, claim(t, e, "k").State)
		}},
		{"a lease of zero is DefaultLease", func(t *testing.T, e env) {
			_, err := e.s.Claim(context.Background(), "k", 0)
			require.NoError(t, err)
			e.clock.Advance(verifik.DefaultLease - time.Second)
			assert.Equal(t, verifik.ClaimInFlight, claim(t, e, "k").State)
			e.clock.Advance(time.Second)
			assert.Equal(t, verifik.ClaimGranted, claim(t, e, "k").State)
		}},
		{"release forgets one's own lease", func(t *testing.T, e env) {
			c := claim(t, e, "k")
			require.NoError(t, e.s.Release(context.Background(), "k", c.Token))
			assert.Equal(t, verifik.ClaimGranted, claim(t, e, "k").State)
		}},
		{"a stale release leaves the lease that took over", func(t *testing.T, e env) {
			stale := claim(t, e, "k")
			e.clock.Advance(lease)
			claim(t, e, "k")
			require.NoError(t, e.s.Release(context.Background(), "k", stale.Token))
			require.NoError(t, e.s.Release(context.Background(), "k", ""))
			assert.Equal(t, verifik.ClaimInFlight, claim(t, e, "k").State)
		}},
		{"release leaves a done key", func(t *testing.T, e env) {
			c := claim(t, e, "k")
			require.NoError(t, e.s.Done(context.Background(), "k", time.Hour))
			require.NoError(t, e.s.Release(context.Background(), "k", c.Token))
			assert.Equal(t, verifik.ClaimDone, claim(t, e, "k").State)
		}},
		{"done after the lease was taken over still records the event", func(t *testing.T, e env) {
			claim(t, e, "k")
			e.clock.Advance(lease)
			other := claim(t, e, "k")
			require.NoError(t, e.s.Done(context.Background(), "k", time.Hour))
			require.NoError(t, e.s.Release(context.Background(), "k", other.Token))
			assert.Equal(t, verifik.ClaimDone, claim(t, e, "k").State)
		}},
		{"releasing an unknown key is fine", func(t *testing.T, e env) {
			assert.NoError(t, e.s.Release(context.Background(), "never", "1"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := sandbox.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			tt.run(t, env{s: verifik.NewMemoryStore(0, clock.Now), clock: clock})
		})
	}
}

// deadStore is the store as a receiver that dies mid-handler leaves it: the claim was
// made, and nothing after it (Done, Release) ever reaches the store.
type deadStore struct{ verifik.DedupStore }

func (deadStore) Done(context.Context, string, time.Duration) error { return nil }
func (deadStore) Release(context.Context, string, string) error     { return nil }

// faultyStore fails the end of a claim.
type faultyStore struct {
	verifik.DedupStore
	doneErr, releaseErr error
}

func (s faultyStore) Done(ctx context.Context, key string, ttl time.Duration) error {
	if s.doneErr != nil {
		return s.doneErr
	}
	return s.DedupStore.Done(ctx, key, ttl)
}

func (s faultyStore) Release(ctx context.Context, key, token string) error {
	if s.releaseErr != nil {
		return s.releaseErr
	}
	return s.DedupStore.Release(ctx, key, token)
}

// deliver posts body to rc and returns the recorder; a panic out of the handler (the
// receiver passes it on, as net/http expects) is returned too.
func deliver(rc http.Handler, body string) (w *httptest.ResponseRecorder, panicked any) {
	w = httptest.NewRecorder()
	defer func() { panicked = recover() }()
	r := httptest.NewRequest(http.MethodPost, "/h", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	rc.ServeHTTP(w, r)
	return w, nil
}

// An event whose first delivery never finished is not lost: a redelivery within the lease
// is not acknowledged (503, Retry-After), the first after it is handled, once, and a
// duplicate after that gets 200 without being handled. Before the lease, the claim lasted
// the whole TTL and every redelivery was answered 200 as a duplicate.
func TestReceiverRecoversAnAbandonedClaim(t *testing.T) {
	const lease = 2 * time.Minute
	tests := []struct {
		name string
		// first is the receiver of the first delivery and its handler.
		first func(shared verifik.DedupStore) (verifik.DedupStore, verifik.EventHandler)
		// status is what the first delivery answered, 0 when it did not (a crash).
		status int
	}{
		{"the process dies mid-handler", func(shared verifik.DedupStore) (verifik.DedupStore, verifik.EventHandler) {
			return deadStore{shared}, func(context.Context, verifik.Event) error { panic(http.ErrAbortHandler) }
		}, 0},
		{"the handler fails and the release fails", func(shared verifik.DedupStore) (verifik.DedupStore, verifik.EventHandler) {
			return faultyStore{DedupStore: shared, releaseErr: errors.New("connection reset")},
				func(context.Context, verifik.Event) error { return errors.New("database down") }
		}, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := sandbox.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			shared := verifik.NewMemoryStore(0, clock.Now)
			store, handler := tt.first(shared)
			dying := verifik.NewReceiver(handler, verifik.ReceiverOptions{Store: store, Lease: lease, Logger: discard()})
			h := &handled{}
			other := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Store: shared, Lease: lease, Logger: discard()})

			w, panicked := deliver(dying, completed)
			if tt.status == 0 {
				require.Equal(t, http.ErrAbortHandler, panicked, "the connection is dropped, as by a crash")
			} else {
				require.Equal(t, tt.status, w.Code)
			}

			steps := []struct {
				advance    time.Duration
				status     int
				retryAfter string
				body       string
				handled    int
			}{
				{30 * time.Second, http.StatusServiceUnavailable, "90", "", 0},                  // Verifik's first retry
				{2 * time.Minute, http.StatusOK, "", "ok\n", 1},                                 // its second: the lease ran out
				{10 * time.Minute, http.StatusOK, "", "duplicate\n", 1},                         // a duplicate after Done
				{verifik.DefaultDedupTTL - 13*time.Minute, http.StatusOK, "", "duplicate\n", 1}, // remembered for the TTL
			}
			for i, s := range steps {
				clock.Advance(s.advance)
				w, panicked := deliver(other, completed)
				require.Nil(t, panicked)
				assert.Equal(t, s.status, w.Code, "step %d", i)
				assert.Equal(t, s.retryAfter, w.Header().Get("Retry-After"), "step %d", i)
				if s.body != "" {
					assert.Equal(t, s.body, w.Body.String(), "step %d", i)
				}
				assert.Equal(t, s.handled, h.count(), "step %d", i)
			}
		})
	}
}

// While one delivery is being handled, another of the same event (a duplicate Verifik
// sent at once, or to another instance) is not acknowledged: 503, so that it comes back
// and finds the event done — or free, if the first handler fails.
func TestReceiverInFlight(t *testing.T) {
	tests := []struct {
		name      string
		firstErr  error
		firstCode int
		thenBody  string
		handled   int
	}{
		{"first succeeds: the redelivery is a duplicate", nil, http.StatusOK, "duplicate\n", 1},
		{"first fails: the redelivery is handled", errors.New("down"), http.StatusInternalServerError, "ok\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entered, finish := make(chan struct{}), make(chan struct{})
			var calls atomic.Int32
			var handledCount atomic.Int32
			rc := verifik.NewReceiver(func(context.Context, verifik.Event) error {
				if calls.Add(1) == 1 {
					close(entered)
					<-finish
					if tt.firstErr != nil {
						return tt.firstErr
					}
				}
				handledCount.Add(1)
				return nil
			}, verifik.ReceiverOptions{Logger: discard()})

			firstDone := make(chan *httptest.ResponseRecorder)
			go func() {
				w, _ := deliver(rc, completed)
				firstDone <- w
			}()
			<-entered
			w, _ := deliver(rc, completed)
			assert.Equal(t, http.StatusServiceUnavailable, w.Code, "in flight")
			assert.Equal(t, "120", w.Header().Get("Retry-After"), "the rest of the lease: nearly all of DefaultLease")
			close(finish)
			assert.Equal(t, tt.firstCode, (<-firstDone).Code)

			w, _ = deliver(rc, completed)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, tt.thenBody, w.Body.String())
			assert.EqualValues(t, tt.handled, handledCount.Load())
		})
	}
}

// The handler's context ends at three quarters of the lease, so that a handler that
// honours it ends while it still holds the event.
func TestReceiverHandlerDeadline(t *testing.T) {
	tests := []struct {
		lease, want time.Duration
	}{
		{0, 90 * time.Second},
		{time.Minute, 45 * time.Second},
		{200 * time.Millisecond, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			var deadline time.Time
			var ok bool
			rc := verifik.NewReceiver(func(ctx context.Context, _ verifik.Event) error {
				deadline, ok = ctx.Deadline()
				return nil
			}, verifik.ReceiverOptions{Lease: tt.lease, Logger: discard()})
			before := time.Now()
			w, _ := deliver(rc, completed)
			after := time.Now()
			require.Equal(t, http.StatusOK, w.Code)
			require.True(t, ok, "the handler has a deadline")
			assert.False(t, deadline.Before(before.Add(tt.want)), "deadline %v after start", deadline.Sub(before))
			assert.False(t, deadline.After(after.Add(tt.want)), "deadline %v after start", deadline.Sub(before))
		})
	}
}

// A handler that panics has not handled the event: its claim is released and the panic
// goes on to net/http, so Verifik's redelivery is handled at once.
func TestReceiverPanicReleases(t *testing.T) {
	var calls atomic.Int32
	rc := verifik.NewReceiver(func(context.Context, verifik.Event) error {
		if calls.Add(1) == 1 {
			panic("bug")
		}
		return nil
	}, verifik.ReceiverOptions{Logger: discard()})
	_, panicked := deliver(rc, completed)
	require.Equal(t, "bug", panicked)
	w, panicked := deliver(rc, completed)
	require.Nil(t, panicked)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "ok\n", w.Body.String(), "handled, not a duplicate")
	assert.EqualValues(t, 2, calls.Load())
}

// When the store cannot record a handled event, the delivery still gets 200 (a 5xx would
// have it handled again), the failure is logged, and the lease keeps duplicates away
// until it runs out.
func TestReceiverDoneFails(t *testing.T) {
	clock := sandbox.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var logs bytes.Buffer
	h := &handled{}
	store := faultyStore{DedupStore: verifik.NewMemoryStore(0, clock.Now), doneErr: errors.New("connection reset")}
	rc := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Store: store,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	w, _ := deliver(rc, completed)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, 1, h.count())
	assert.Contains(t, logs.String(), "did not record it")
	assert.NotContains(t, logs.String(), "66e1a2b3c4d5e6f708192a3b", "the log names the event by its key only")
	w, _ = deliver(rc, completed)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code, "still leased")
	assert.Equal(t, 1, h.count())
}

// The emulator's retries bring an event through a receiver that died mid-handler: its
// first attempt gets no answer, the retry 30 s later finds the lease and gets 503, and the
// one 2 m after that is handled by the instance still alive.
func TestEmulatorRedeliversAfterACrash(t *testing.T) {
	e := newEnv(t)
	t.Cleanup(func() { _ = e.emu.Close() })
	shared := verifik.NewMemoryStore(0, e.clock.Now)
	h := &handled{}
	var crashed atomic.Bool
	var crashedKey atomic.Pointer[string]
	dying := verifik.NewReceiver(func(_ context.Context, ev verifik.Event) error {
		key := ev.Meta().Key
		crashedKey.Store(&key)
		panic(http.ErrAbortHandler) // the process dies: no answer, no Done, no Release
	}, verifik.ReceiverOptions{Store: deadStore{shared}, Logger: discard()})
	alive := verifik.NewReceiver(h.handle, verifik.ReceiverOptions{Store: shared, Logger: discard()})
	// The load balancer sends the first delivery to the instance that dies.
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if crashed.CompareAndSwap(false, true) {
			dying.ServeHTTP(w, r)
			return
		}
		alive.ServeHTTP(w, r)
	}))
	t.Cleanup(app.Close)

	flow := e.setup(verifik.BasicEnrollment("https://acme.example/welcome"))
	_, err := e.client.CreateWebhook(ctx, verifik.WebhookConfig{URL: app.URL + "/hooks", Name: "crash", Flows: []string{flow.FlowID}})
	require.NoError(t, err)
	e.register(flow, "alice@example.com", "Alice Liddell")
	wait := func() {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		require.NoError(t, e.emu.WaitDeliveries(wctx))
	}
	wait()
	e.clock.Advance(30 * time.Second)
	wait()
	e.clock.Advance(2 * time.Minute)
	wait()

	deliveries := e.emu.Deliveries()
	require.NotEmpty(t, deliveries)
	first := deliveries[0]
	assert.Equal(t, verifiktest.DeliveryDelivered, first.Outcome)
	var statuses []int
	for _, a := range first.Attempts {
		statuses = append(statuses, a.Status)
	}
	assert.Equal(t, []int{0, http.StatusServiceUnavailable, http.StatusOK}, statuses, "no answer, in flight, handled")
	var keys []string
	h.mu.Lock()
	for _, ev := range h.events {
		keys = append(keys, ev.Meta().Key)
	}
	h.mu.Unlock()
	assert.Len(t, keys, len(deliveries), "every event handled once")
	n := 0
	for _, k := range keys {
		if k == *crashedKey.Load() {
			n++
		}
	}
	assert.Equal(t, 1, n, "the crashed event handled once")
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
