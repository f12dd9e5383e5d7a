package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sleepRecorder replaces RetryPolicy.Sleep: it records each wait and returns
// at once (or ctx.Err() when ctx has ended).
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// testPolicy classifies "<vendor>/read…" operations Safe and everything
// else through the package table, sleeps through rec and jitters by half.
func testPolicy(rec *sleepRecorder) RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   3,
		BaseDelay:     100 * time.Millisecond,
		MaxDelay:      time.Second,
		MaxRetryAfter: 5 * time.Second,
		Classify: func(op string) Safety {
			if _, name, _ := strings.Cut(op, "/"); strings.HasPrefix(name, "read") {
				return Safe
			}
			return classify(op)
		},
		Sleep: rec.Sleep,
		Rand:  func() float64 { return 0.5 },
	}
}

// scriptedServer answers the i-th request with script[i] (the last entry
// repeats) and records every request body.
type scriptedServer struct {
	*httptest.Server
	hits   atomic.Int32
	mu     sync.Mutex
	bodies []string
}

type answer struct {
	status int
	header http.Header
	hijack bool // read the request, then close the connection without answering
	stall  time.Duration
}

func newScriptedServer(t *testing.T, script ...answer) *scriptedServer {
	t.Helper()
	s := &scriptedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(s.hits.Add(1)) - 1
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		a := script[min(i, len(script)-1)]
		if a.stall > 0 {
			select {
			case <-time.After(a.stall):
			case <-r.Context().Done():
				return
			}
		}
		if a.hijack {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, `{"error":"x","error_description":"y"}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedServer) Bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// post sends a replayable JSON POST for op through c.
func post(ctx context.Context, c *Client, url, op string) (*http.Response, []byte, error) {
	ctx = WithOperation(ctx, op)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"session_id":"s-1"}`))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestRetryMatrix(t *testing.T) {
	s := func(code int) answer { return answer{status: code} }
	tests := []struct {
		name       string
		op         string
		script     []answer
		wantHits   int
		wantStatus int
		wantSleeps int
	}{
		{name: "safe 503 then ok", op: "readProject", script: []answer{s(503), s(200)}, wantHits: 2, wantStatus: 200, wantSleeps: 1},
		{name: "safe 429 then ok", op: "readProject", script: []answer{s(429), s(200)}, wantHits: 2, wantStatus: 200, wantSleeps: 1},
		{name: "safe 502 until exhausted", op: "readProject", script: []answer{s(502)}, wantHits: 3, wantStatus: 502, wantSleeps: 2},
		{name: "safe 500, 504, ok", op: "readProject", script: []answer{s(500), s(504), s(200)}, wantHits: 3, wantStatus: 200, wantSleeps: 2},
		{name: "safe 501 not retried", op: "readProject", script: []answer{s(501)}, wantHits: 1, wantStatus: 501},
		{name: "safe 400 not retried", op: "readProject", script: []answer{s(400)}, wantHits: 1, wantStatus: 400},
		{name: "safe 404 not retried", op: "readProject", script: []answer{s(404)}, wantHits: 1, wantStatus: 404},
		{name: "unsafe 503 not retried", op: "enroll", script: []answer{s(503), s(200)}, wantHits: 1, wantStatus: 503},
		{name: "unsafe 429 not retried", op: "enroll", script: []answer{s(429), s(200)}, wantHits: 1, wantStatus: 429},
		{name: "unknown op is unsafe", op: "somethingNew", script: []answer{s(503), s(200)}, wantHits: 1, wantStatus: 503},
		{name: "unnamed op is unsafe", op: "", script: []answer{s(503), s(200)}, wantHits: 1, wantStatus: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptedServer(t, tt.script...)
			rec := &sleepRecorder{}
			c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(rec)))
			require.NoError(t, err)
			resp, body, err := post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantHits, int(srv.hits.Load()))
			assert.Len(t, rec.Waits(), tt.wantSleeps)
			for _, b := range srv.Bodies() {
				assert.Equal(t, `{"session_id":"s-1"}`, b, "every attempt carries the full body")
			}
			checkErr := c.Check(WithOperation(context.Background(), tt.op), "", resp, body)
			if tt.wantStatus == 200 {
				require.NoError(t, checkErr)
				return
			}
			var apiErr *APIError
			require.ErrorAs(t, checkErr, &apiErr)
			assert.Equal(t, tt.wantHits, apiErr.Attempts, "attempts counted in the final error")
			if tt.wantHits > 1 {
				assert.Contains(t, apiErr.Error(), "3 attempts")
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		header   func() string
		min, max time.Duration
	}{
		{name: "seconds", header: func() string { return "2" }, min: 2 * time.Second, max: 2 * time.Second},
		{name: "seconds capped", header: func() string { return "3600" }, min: 5 * time.Second, max: 5 * time.Second},
		{name: "http date", header: func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }, min: 1 * time.Second, max: 3 * time.Second},
		{name: "http date capped", header: func() string { return time.Now().Add(time.Hour).UTC().Format(http.TimeFormat) }, min: 5 * time.Second, max: 5 * time.Second},
		{name: "http date in the past", header: func() string { return time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat) }, min: 0, max: 0},
		{name: "garbage falls back to backoff", header: func() string { return "later" }, min: 75 * time.Millisecond, max: 75 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptedServer(t, answer{status: 429, header: http.Header{"Retry-After": {tt.header()}}}, answer{status: 200})
			rec := &sleepRecorder{}
			c, err := New("iproov", srv.URL, WithRetryPolicy(testPolicy(rec)))
			require.NoError(t, err)
			resp, _, err := post(context.Background(), c, srv.URL+"/claim/enrol/token", "readToken")
			require.NoError(t, err)
			assert.Equal(t, 200, resp.StatusCode)
			waits := rec.Waits()
			require.Len(t, waits, 1)
			assert.GreaterOrEqual(t, waits[0], tt.min)
			assert.LessOrEqual(t, waits[0], tt.max)
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: 350 * time.Millisecond}.withDefaults()
	tests := []struct {
		next int
		rand float64
		want time.Duration
	}{
		{next: 2, rand: 0, want: 50 * time.Millisecond},
		{next: 2, rand: 0.999999, want: 99_999_950 * time.Nanosecond},
		{next: 3, rand: 0, want: 100 * time.Millisecond},
		{next: 4, rand: 0, want: 175 * time.Millisecond}, // 400ms capped at 350ms
		{next: 40, rand: 0.5, want: 262_500 * time.Microsecond},
	}
	for _, tt := range tests {
		p.Rand = func() float64 { return tt.rand }
		got := p.delay(tt.next, nil, time.Now())
		assert.InDelta(t, float64(tt.want), float64(got), float64(time.Microsecond), "attempt %d rand %v", tt.next, tt.rand)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{" 30 ", 30 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"99999999999999999", 24 * time.Hour, true},
		{"Sun, 01 Mar 2026 12:01:00 GMT", time.Minute, true},
		{"Sunday, 01-Mar-26 12:00:10 GMT", 10 * time.Second, true},
		{"Sun Mar  1 12:00:05 2026", 5 * time.Second, true},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		assert.Equal(t, tt.wantOK, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestConnectionResetMidResponse(t *testing.T) {
	tests := []struct {
		name     string
		op       string
		wantHits int
	}{
		{name: "unsafe op not retried: the vendor may have acted", op: "enroll", wantHits: 1},
		{name: "safe op retried", op: "readSession", wantHits: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptedServer(t, answer{hijack: true})
			rec := &sleepRecorder{}
			c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(rec)))
			require.NoError(t, err)
			_, _, err = post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
			require.Error(t, err)
			assert.Equal(t, tt.wantHits, int(srv.hits.Load()))
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, tt.wantHits, reqErr.Attempts)
			assert.Equal(t, tt.op, reqErr.Operation)
			assert.Equal(t, failConn, classifyErr(reqErr.Err), "a reset after the write is a connection failure")
			if tt.wantHits > 1 {
				assert.Contains(t, err.Error(), "after 3 attempts")
			}
		})
	}
}

// closedAddr returns an address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestDialErrorRetriedEvenWhenUnsafe(t *testing.T) {
	addr := closedAddr(t)
	rec := &sleepRecorder{}
	c, err := New("verisoul", "http://"+addr, WithRetryPolicy(testPolicy(rec)))
	require.NoError(t, err)
	_, _, err = post(context.Background(), c, "http://"+addr+"/liveness/enroll", "enroll")
	require.Error(t, err)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 3, reqErr.Attempts)
	assert.Len(t, rec.Waits(), 2)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "last cause kept")
	assert.Contains(t, err.Error(), "verisoul enroll: request failed after 3 attempts")
	assert.Contains(t, err.Error(), "connection refused")
}

func TestDialErrorThenSuccessReplaysBody(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 200})
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	rec := &sleepRecorder{}
	c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(rec)), WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	resp, _, err := post(context.Background(), c, srv.URL+"/liveness/enroll", "enroll")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 1, int(srv.hits.Load()), "the vendor saw exactly one enrol")
	assert.Equal(t, []string{`{"session_id":"s-1"}`}, srv.Bodies())
}

func TestDNSErrorIsNotSent(t *testing.T) {
	err := &net.DNSError{Err: "no such host", Name: "api.vendor.invalid", IsNotFound: true}
	assert.True(t, shouldRetry(Unsafe, nil, err))
	assert.Equal(t, "dns: no such host", describeErr(err))
}

func TestShouldRetryDecision(t *testing.T) {
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	dial := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Err: syscall.ECONNRESET}
	tests := []struct {
		name   string
		safety Safety
		resp   *http.Response
		err    error
		want   bool
	}{
		{"safe 503", Safe, resp(503), nil, true},
		{"safe 429", Safe, resp(429), nil, true},
		{"safe 501", Safe, resp(501), nil, false},
		{"safe 409", Safe, resp(409), nil, false},
		{"unsafe 500", Unsafe, resp(500), nil, false},
		{"unsafe dial", Unsafe, nil, dial, true},
		{"unsafe reset", Unsafe, nil, reset, false},
		{"safe reset", Safe, nil, reset, true},
		{"safe unexpected EOF", Safe, nil, io.ErrUnexpectedEOF, true},
		{"unsafe unexpected EOF", Unsafe, nil, io.ErrUnexpectedEOF, false},
		{"safe unknown error", Safe, nil, errors.New("contract says no"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shouldRetry(tt.safety, tt.resp, tt.err), tt.name)
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 503})
	p := testPolicy(&sleepRecorder{})
	p.Sleep = nil // real timer
	p.BaseDelay, p.MaxDelay = 10*time.Second, 10*time.Second
	c, err := New("verifik", srv.URL, WithRetryPolicy(p))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, _, err = post(ctx, c, srv.URL+"/v2/projects", "readProjects")
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.Less(t, elapsed, 2*time.Second, "cancellation interrupts the backoff")
	assert.ErrorIs(t, err, context.Canceled)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 1, reqErr.Attempts)
	assert.Contains(t, err.Error(), "last failure: HTTP 503")
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestCancelledContextNotRetried(t *testing.T) {
	srv := newScriptedServer(t, answer{stall: 5 * time.Second, status: 200})
	rec := &sleepRecorder{}
	c, err := New("verifik", srv.URL, WithRetryPolicy(testPolicy(rec)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err = post(ctx, c, srv.URL+"/v2/projects", "readProjects")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, rec.Waits())
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestPerAttemptTimeoutRetriedWhenSafe(t *testing.T) {
	srv := newScriptedServer(t, answer{stall: 5 * time.Second, status: 200}, answer{status: 200})
	rec := &sleepRecorder{}
	c, err := New("verifik", srv.URL, WithRetryPolicy(testPolicy(rec)), WithTimeout(50*time.Millisecond))
	require.NoError(t, err)
	resp, _, err := post(context.Background(), c, srv.URL+"/v2/projects", "readProjects")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, int(srv.hits.Load()))
}

func TestTotalTimeoutStopsRetrying(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 503})
	p := testPolicy(&sleepRecorder{})
	p.Sleep = nil
	p.MaxAttempts = 10
	// Attempts start about every 100ms; the last one before the 350ms
	// deadline has some 50ms to answer (40ms waits left ~30ms, which a
	// loaded -race run overshot).
	p.BaseDelay, p.MaxDelay = 100*time.Millisecond, 100*time.Millisecond
	p.Rand = func() float64 { return 0.999 }
	c, err := New("verifik", srv.URL, WithRetryPolicy(p), WithTotalTimeout(350*time.Millisecond))
	require.NoError(t, err)
	start := time.Now()
	resp, body, err := post(context.Background(), c, srv.URL+"/v2/projects", "readProjects")
	require.NoError(t, err, "the last vendor answer is returned, not a timeout")
	assert.Less(t, time.Since(start), time.Second)
	hits := int(srv.hits.Load())
	assert.Greater(t, hits, 1)
	assert.Less(t, hits, 10)
	checkErr := c.Check(context.Background(), "readProjects", resp, body)
	var apiErr *APIError
	require.ErrorAs(t, checkErr, &apiErr)
	assert.Equal(t, hits, apiErr.Attempts)
	assert.ErrorIs(t, checkErr, ErrServer)
}

func TestNoRetryWithoutGetBody(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 503}, answer{status: 200})
	rec := &sleepRecorder{}
	c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(rec)))
	require.NoError(t, err)
	ctx := WithOperation(context.Background(), "readSession")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/x", io.NopCloser(strings.NewReader("{}")))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, 1, int(srv.hits.Load()))
	assert.Empty(t, rec.Waits())
}

func TestGetBodyFailureStops(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 503})
	c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(&sleepRecorder{})))
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(WithOperation(context.Background(), "readSession"), http.MethodPost, srv.URL+"/x", strings.NewReader("{}"))
	require.NoError(t, err)
	req.GetBody = func() (io.ReadCloser, error) { return nil, errors.New("body gone") }
	_, err = c.Do(req)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 1, reqErr.Attempts)
	assert.Equal(t, 1, int(srv.hits.Load()))
}

func TestClassifyKey(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 200})
	var got []string
	p := testPolicy(&sleepRecorder{})
	p.Classify = func(op string) Safety { got = append(got, op); return Unsafe }
	c, err := New("iproov", srv.URL, WithRetryPolicy(p))
	require.NoError(t, err)
	_, _, err = post(context.Background(), c, srv.URL+"/claim/enrol/token", "userEnrolServerToken")
	require.NoError(t, err)
	assert.Equal(t, []string{"iproov/userEnrolServerToken"}, got)
}
