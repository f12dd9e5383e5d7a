package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deadlineRecorder is a RoundTripper that records each attempt's deadline and
// answers 200 at once.
type deadlineRecorder struct {
	deadline time.Time
	ok       bool
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	d.deadline, d.ok = r.Context().Deadline()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// TestTimeoutDefaults: a transport built with no options has non-zero
// deadlines, and the *http.Transport it supplies times out silent servers.
func TestTimeoutDefaults(t *testing.T) {
	callers := NewHTTPTransport()
	callers.ResponseHeaderTimeout = time.Hour
	tests := []struct {
		name        string
		opts        []Option
		wantAttempt time.Duration
		wantTotal   time.Duration
		// wantHeader is the supplied transport's ResponseHeaderTimeout; 0
		// when the caller's own transport is kept.
		wantHeader time.Duration
	}{
		{name: "no options", wantAttempt: DefaultTimeout, wantTotal: DefaultTotalTimeout, wantHeader: DefaultTimeout},
		{name: "zero keeps the defaults", opts: []Option{WithTimeout(0), WithTotalTimeout(0)},
			wantAttempt: DefaultTimeout, wantTotal: DefaultTotalTimeout, wantHeader: DefaultTimeout},
		{name: "client without transport", opts: []Option{WithHTTPClient(&http.Client{})},
			wantAttempt: DefaultTimeout, wantTotal: DefaultTotalTimeout, wantHeader: DefaultTimeout},
		{name: "longer attempt", opts: []Option{WithTimeout(5 * time.Minute), WithTotalTimeout(10 * time.Minute)},
			wantAttempt: 5 * time.Minute, wantTotal: 10 * time.Minute, wantHeader: 5 * time.Minute},
		{name: "caller's transport kept", opts: []Option{WithHTTPClient(&http.Client{Transport: callers})},
			wantAttempt: DefaultTimeout, wantTotal: DefaultTotalTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New("iproov", "https://x.test", tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAttempt, c.timeout)
			assert.Equal(t, tt.wantTotal, c.total)
			tr, ok := c.hc.Transport.(*http.Transport)
			require.True(t, ok, "%T", c.hc.Transport)
			if tt.wantHeader == 0 {
				assert.Same(t, callers, tr)
				return
			}
			assert.Equal(t, tt.wantHeader, tr.ResponseHeaderTimeout)
			assert.Equal(t, DefaultTLSHandshakeTimeout, tr.TLSHandshakeTimeout)
			assert.Equal(t, DefaultMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
			assert.NotNil(t, tr.Proxy, "a clone of http.DefaultTransport")
		})
	}
	assert.Positive(t, DefaultTimeout)
	assert.Greater(t, DefaultTotalTimeout, DefaultTimeout, "the total leaves room for a retry")
}

// TestDefaultDeadlineApplied: with no options and no ctx deadline, each
// attempt still carries one, at about DefaultTimeout from the send.
func TestDefaultDeadlineApplied(t *testing.T) {
	rec := &deadlineRecorder{}
	c, err := New("iproov", "https://x.test", WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	start := time.Now()
	req, err := http.NewRequestWithContext(WithOperation(context.Background(), "userGet"), http.MethodGet, "https://x.test/users/u", nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.True(t, rec.ok, "the attempt had a deadline")
	assert.WithinRange(t, rec.deadline, start.Add(DefaultTimeout-time.Minute), start.Add(DefaultTimeout+time.Minute))
}

// silentServer accepts requests and never answers until the client leaves.
func silentServer(t *testing.T) *scriptedServer {
	t.Helper()
	return newScriptedServer(t, answer{status: 200, stall: time.Hour})
}

// TestSilentServerTimesOut: a server that never answers ends the call in a
// *RequestError matching context.DeadlineExceeded — from the per-attempt
// timeout, the total timeout across retries, and the supplied transport's
// response header timeout alike.
func TestSilentServerTimesOut(t *testing.T) {
	headerOnly := NewHTTPTransport()
	headerOnly.ResponseHeaderTimeout = 50 * time.Millisecond
	tests := []struct {
		name         string
		op           string
		opts         []Option
		wantAttempts int
	}{
		{name: "attempt timeout, unsafe op", op: "enroll",
			opts: []Option{WithTimeout(50 * time.Millisecond)}, wantAttempts: 1},
		{name: "total timeout bounds retries of a safe op", op: "readAccount",
			opts: []Option{WithTimeout(40 * time.Millisecond), WithTotalTimeout(150 * time.Millisecond),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 100, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
					Classify: func(string) Safety { return Safe }})}},
		{name: "response header timeout of the transport", op: "enroll",
			opts: []Option{WithHTTPClient(&http.Client{Transport: headerOnly})}, wantAttempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := silentServer(t)
			c, err := New("verisoul", srv.URL, tt.opts...)
			require.NoError(t, err)
			start := time.Now()
			_, _, err = post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
			took := time.Since(start)
			t.Logf("%s: ended after %v and %d requests", tt.name, took.Round(time.Millisecond), srv.hits.Load())
			require.Error(t, err)
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "verisoul "+tt.op)
			if tt.wantAttempts > 0 {
				assert.Equal(t, tt.wantAttempts, reqErr.Attempts)
			} else {
				assert.Greater(t, reqErr.Attempts, 1, "retried until the total ran out")
				assert.Less(t, reqErr.Attempts, 100)
			}
			assert.Equal(t, "timeout", describeErr(reqErr.Err))
		})
	}
}

// TestRequestErrorTimeoutMatching: only timeouts match
// context.DeadlineExceeded.
func TestRequestErrorTimeoutMatching(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Close()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"context deadline", context.DeadlineExceeded, true},
		{"net timeout", &timeoutErr{}, true},
		{"cancelled", context.Canceled, false},
		{"refused", errors.New("connection refused"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &RequestError{Vendor: "v", Err: tt.err}
			assert.Equal(t, tt.want, errors.Is(err, context.DeadlineExceeded))
		})
	}
}

type timeoutErr struct{}

func (*timeoutErr) Error() string   { return "i/o timeout" }
func (*timeoutErr) Timeout() bool   { return true }
func (*timeoutErr) Temporary() bool { return true }
