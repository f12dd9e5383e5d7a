package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuotaPaced(t *testing.T) {
	tests := []struct {
		name      string
		q         Quota
		pace      int
		burst     int
		interval  time.Duration
		wantError string
	}{
		{name: "verisoul", q: VerisoulQuota, pace: 299, burst: 1, interval: time.Minute / 299},
		{name: "burst keeps the window", q: Quota{Requests: 300, Period: time.Minute, Burst: 20}, pace: 280, burst: 20, interval: time.Minute / 280},
		{name: "smallest", q: Quota{Requests: 2, Period: time.Second}, pace: 1, burst: 1, interval: time.Second},
		{name: "one request leaves no spare", q: Quota{Requests: 1, Period: time.Second}, wantError: "at least 2"},
		{name: "no period", q: Quota{Requests: 10}, wantError: "positive period"},
		{name: "negative burst", q: Quota{Requests: 10, Period: time.Second, Burst: -1}, wantError: "burst"},
		{name: "burst is everything", q: Quota{Requests: 10, Period: time.Second, Burst: 10}, wantError: "burst"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if tt.wantError != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantError)
				_, err = NewLimiter(tt.q)
				assert.Error(t, err, "NewLimiter refuses it too")
				return
			}
			require.NoError(t, err)
			pace, burst := tt.q.Paced()
			assert.Equal(t, tt.pace, pace)
			assert.Equal(t, tt.burst, burst)
			assert.Equal(t, tt.interval, tt.q.Interval())
			// The invariant the pace is chosen for: burst + pace - 1 < Requests.
			assert.Less(t, burst+pace-1, tt.q.Requests)
		})
	}
}

func TestQuotaKeyHidesTheCredential(t *testing.T) {
	const secret = "sk_live_0123456789abcdef"
	k := QuotaKey("verisoul", secret)
	assert.NotContains(t, k, secret)
	assert.NotContains(t, k, "0123456789abcdef")
	assert.True(t, strings.HasPrefix(k, "verisoul:"), k)
	assert.Len(t, k, len("verisoul:")+32)
	assert.Equal(t, k, QuotaKey("verisoul", secret), "stable, so instances share it")
	assert.NotEqual(t, k, QuotaKey("verisoul", secret+"x"), "another key, another quota")
	assert.NotEqual(t, k, QuotaKey("verifik", secret), "another vendor, another quota")
}

func TestWithRateLimiterNeedsCredential(t *testing.T) {
	lim, err := NewLimiter(PerMinute(10))
	require.NoError(t, err)
	_, err = New("verisoul", "https://x.test", WithRateLimiter(lim, " "))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "credential")
	_, err = New("verisoul", "https://x.test", WithRateLimiter(nil, ""))
	assert.NoError(t, err, "nil turns limiting off")
}

// recordingLimiter answers each Wait with err and remembers the keys asked.
type recordingLimiter struct {
	mu   sync.Mutex
	keys []string
	err  error
}

func (r *recordingLimiter) Wait(_ context.Context, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, key)
	return r.err
}

// TestRateLimiterBeforeEveryAttempt: a retry after the vendor's 429 backs off
// as before (Retry-After honoured) and then waits for a slot again.
func TestRateLimiterBeforeEveryAttempt(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	lim := &recordingLimiter{}
	var slept []time.Duration
	c, err := New("verisoul", srv.URL, WithRateLimiter(lim, "the-api-key"), WithRetryPolicy(RetryPolicy{
		Classify: func(string) Safety { return Safe },
		Sleep:    func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	}))
	require.NoError(t, err)
	req, _ := http.NewRequestWithContext(WithOperation(context.Background(), "getSession"), http.MethodGet, srv.URL+"/session", nil)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.EqualValues(t, 2, hits.Load())
	assert.Equal(t, []time.Duration{2 * time.Second}, slept, "the vendor's 429 still backs off")
	want := QuotaKey("verisoul", "the-api-key")
	assert.Equal(t, []string{want, want}, lim.keys, "a slot per attempt, under the fingerprint")
}

// TestLimiterRefusalSendsNothing: whatever stops the limiter, the call fails
// typed and unsent.
func TestLimiterRefusalSendsNothing(t *testing.T) {
	storeDown := errors.New("store unavailable")
	tests := []struct {
		name     string
		err      error
		deadline bool // errors.Is(err, context.DeadlineExceeded)
		cause    error
	}{
		{name: "slot past the deadline", err: &WaitPastDeadline{Wait: time.Hour}, deadline: true},
		{name: "caller cancelled", err: context.Canceled, cause: context.Canceled},
		{name: "store down", err: storeDown, cause: storeDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
			defer srv.Close()
			c, err := New("verisoul", srv.URL, WithRateLimiter(&recordingLimiter{err: tt.err}, "k"))
			require.NoError(t, err)
			req, _ := http.NewRequestWithContext(WithOperation(context.Background(), "enrollFaceMatch"), http.MethodPost, srv.URL+"/enroll", strings.NewReader("{}"))
			resp, err := c.Do(req)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Zero(t, hits.Load(), "nothing sent")
			var re *RequestError
			require.ErrorAs(t, err, &re)
			var le *LimiterError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, "enrollFaceMatch", le.Operation)
			assert.ErrorIs(t, err, ErrLimiter)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the vendor saw nothing")
			assert.Equal(t, tt.deadline, errors.Is(err, context.DeadlineExceeded))
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
			assert.Contains(t, err.Error(), "verisoul enrollFaceMatch: request failed: verisoul enrollFaceMatch: not sent")
			assert.Same(t, re, c.Wrap(req.Context(), "enrollFaceMatch", err), "Wrap keeps it")
		})
	}
}

// TestLimiterSlotPastDeadline: the in-process limiter fails at once when the
// next slot is past the caller's deadline, instead of sleeping to fail.
func TestLimiterSlotPastDeadline(t *testing.T) {
	lim, err := NewLimiter(Quota{Requests: 2, Period: time.Hour})
	require.NoError(t, err)
	require.NoError(t, lim.Wait(context.Background(), "k"), "the burst")
	require.NoError(t, lim.Wait(context.Background(), "other"), "another key has its own bucket")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = lim.Wait(ctx, "k")
	var past *WaitPastDeadline
	require.ErrorAs(t, err, &past)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, past.Wait, 59*time.Minute)

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	assert.ErrorIs(t, lim.Wait(cancelled, "k"), context.Canceled)
}

// TestLimiterKeepsQuotaAcrossClients: four clients sharing one in-process
// Limiter never put more than the quota's requests in any window of its
// period at the server, and no call waits in vain.
func TestLimiterKeepsQuotaAcrossClients(t *testing.T) {
	if testing.Short() {
		t.Skip("paces calls for about two seconds")
	}
	q := Quota{Requests: 10, Period: time.Second}
	lim, err := NewLimiter(q)
	require.NoError(t, err)
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()

	const perClient = 6
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 4; i++ {
		c, err := New("verisoul", srv.URL, WithRateLimiter(lim, "shared-key"))
		require.NoError(t, err)
		wg.Go(func() {
			for j := 0; j < perClient; j++ {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
				resp, err := c.Do(req)
				if !assert.NoError(t, err) {
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	require.Len(t, arrivals, 4*perClient)
	most := mostInWindow(arrivals, q.Period)
	t.Logf("%d calls in %v; at most %d in any %v (quota %v)", len(arrivals), elapsed.Round(time.Millisecond), most, q.Period, q)
	assert.LessOrEqual(t, most, q.Requests)
}

// mostInWindow is the largest number of times within any window of length
// d, counted as a vendor does: (t-d, t].
func mostInWindow(ts []time.Time, d time.Duration) int {
	ts = append([]time.Time(nil), ts...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most, lo := 0, 0
	for hi := range ts {
		for !ts[lo].After(ts[hi].Add(-d)) {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

func TestMostInWindow(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	assert.Equal(t, 2, mostInWindow(at(0, 500, 1000), time.Second), "(t-d, t] leaves the first out")
	assert.Equal(t, 3, mostInWindow(at(0, 500, 999), time.Second))
	assert.Equal(t, 1, mostInWindow(at(0), time.Second))
}
