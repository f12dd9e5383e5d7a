package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cutServer answers status with a Content-Length promising more than it
// sends, then closes the connection: a body cut short.
func cutServer(t *testing.T, status int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.ReadAll(r.Body)
		body := `{"user_id":"user-1","success":true}`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body[:len(body)/2])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestOutcomeUnknown: an Unsafe call that reached the vendor and lost its
// answer says so (errors.Is ErrOutcomeUnknown, and what to do in the text);
// one that provably never left, or a Safe one, does not.
func TestOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name     string
		op       string
		script   []answer
		timeout  time.Duration // per attempt
		wantHits int
		want     bool
	}{
		{name: "unsafe: connection dropped after the write", op: "enroll", script: []answer{{hijack: true}}, wantHits: 1, want: true},
		{name: "unsafe: attempt timeout after the write", op: "enroll", script: []answer{{stall: 5 * time.Second, status: 200}}, timeout: 50 * time.Millisecond, wantHits: 1, want: true},
		{name: "safe: dropped until exhausted", op: "readSession", script: []answer{{hijack: true}}, wantHits: 3, want: false},
		{name: "safe: timeouts until exhausted", op: "readSession", script: []answer{{stall: 5 * time.Second, status: 200}}, timeout: 50 * time.Millisecond, wantHits: 3, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptedServer(t, tt.script...)
			c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(&sleepRecorder{})), WithTimeout(tt.timeout))
			require.NoError(t, err)
			_, _, err = post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, tt.wantHits, int(srv.hits.Load()))
			assert.Equal(t, tt.wantHits, reqErr.Attempts)
			assert.Equal(t, tt.want, reqErr.OutcomeUnknown)
			assert.Equal(t, tt.want, errors.Is(err, ErrOutcomeUnknown))
			if tt.want {
				assert.Contains(t, err.Error(), "reconcile before retrying")
			} else {
				assert.NotContains(t, err.Error(), "outcome unknown")
			}
		})
	}
}

func TestOutcomeKnownWhenNothingWasSent(t *testing.T) {
	addr := closedAddr(t)
	c, err := New("verisoul", "http://"+addr, WithRetryPolicy(testPolicy(&sleepRecorder{})))
	require.NoError(t, err)
	_, _, err = post(context.Background(), c, "http://"+addr+"/liveness/enroll", "enroll")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a refused dial never reached the vendor")

	// A context already over never sends anything either.
	srv := newScriptedServer(t, answer{status: 200})
	c, err = New("verisoul", srv.URL, WithRetryPolicy(testPolicy(&sleepRecorder{})))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = post(ctx, c, srv.URL+"/liveness/enroll", "enroll")
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Zero(t, srv.hits.Load())
}

// TestCancelAfterSendIsOutcomeUnknown: the caller giving up on an Unsafe call
// the vendor already received does not undo it; the error says so, and the
// call returns at once rather than waiting for the vendor.
func TestCancelAfterSendIsOutcomeUnknown(t *testing.T) {
	srv := newScriptedServer(t, answer{stall: 5 * time.Second, status: 200})
	c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(&sleepRecorder{})))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, _, err = post(ctx, c, srv.URL+"/liveness/enroll", "enroll")
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
}

// TestCutBody: a body cut short is a typed *RequestError naming the attempts,
// outcome unknown when an Unsafe call succeeded or answered an ambiguous 5xx,
// known when the status already says the vendor refused.
func TestCutBody(t *testing.T) {
	tests := []struct {
		name   string
		op     string
		status int
		want   bool
	}{
		{"unsafe 200", "enroll", 200, true},
		{"unsafe 500", "enroll", 500, true},
		{"unsafe 400: refused", "enroll", 400, false},
		{"unsafe 503: refused", "enroll", 503, false},
		{"safe 200", "readSession", 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := cutServer(t, tt.status)
			p := testPolicy(&sleepRecorder{})
			p.MaxAttempts = 1
			c, err := New("verisoul", srv.URL, WithRetryPolicy(p))
			require.NoError(t, err)
			resp, _, err := post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
			require.NotNil(t, resp, "the status arrived")
			assert.Equal(t, tt.status, resp.StatusCode)
			var reqErr *RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, 1, reqErr.Attempts)
			assert.Equal(t, tt.op, reqErr.Operation)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "last cause kept")
			assert.Equal(t, tt.want, errors.Is(err, ErrOutcomeUnknown))
			assert.Equal(t, int32(1), hits.Load())
			// Wrap keeps it as it is: not a decode problem, a lost answer.
			assert.Same(t, err, c.Wrap(context.Background(), tt.op, err))
		})
	}
}

// TestAmbiguousStatusIsOutcomeUnknown: an Unsafe call answered 500, 502 or
// 504 may have been carried out; 503, 429 and 4xx were refused before any
// work; a Safe call is never outcome unknown.
func TestAmbiguousStatusIsOutcomeUnknown(t *testing.T) {
	tests := []struct {
		op     string
		status int
		want   bool
	}{
		{"enrollFaceMatch", 500, true},
		{"enrollFaceMatch", 502, true},
		{"enrollFaceMatch", 504, true},
		{"enrollFaceMatch", 503, false},
		{"enrollFaceMatch", 429, false},
		{"enrollFaceMatch", 501, false},
		{"enrollFaceMatch", 400, false},
		{"createFaceMatchSession", 500, false},
		{"", 500, true}, // unnamed operations are Unsafe
	}
	for _, tt := range tests {
		srv := newScriptedServer(t, answer{status: tt.status})
		p := testPolicy(&sleepRecorder{})
		p.MaxAttempts = 1
		c, err := New("verisoul", srv.URL, WithRetryPolicy(p))
		require.NoError(t, err)
		resp, body, err := post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
		require.NoError(t, err)
		checkErr := c.Check(context.Background(), tt.op, resp, body)
		var apiErr *APIError
		require.ErrorAs(t, checkErr, &apiErr, "%s %d", tt.op, tt.status)
		assert.Equal(t, tt.want, apiErr.OutcomeUnknown, "%s %d", tt.op, tt.status)
		assert.Equal(t, tt.want, errors.Is(checkErr, ErrOutcomeUnknown), "%s %d", tt.op, tt.status)
		assert.Equal(t, tt.want, strings.Contains(checkErr.Error(), "reconcile before retrying"), "%s %d", tt.op, tt.status)
	}
}

// TestBodyTooLargeNamesAttemptsAndOutcome: an answer over the cap is a typed error
// naming the attempts; for an Unsafe success the result is unread, so outcome unknown.
func TestBodyTooLargeNamesAttemptsAndOutcome(t *testing.T) {
	tests := []struct {
		op     string
		status int
		want   bool
	}{
		{"enroll", 200, true},
		{"enroll", 422, false},
		{"readSession", 200, false},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = io.WriteString(w, strings.Repeat("x", 100))
		}))
		c, err := New("verisoul", srv.URL, WithRetryPolicy(testPolicy(&sleepRecorder{})), WithMaxBodyBytes(10))
		require.NoError(t, err)
		_, _, err = post(context.Background(), c, srv.URL+"/liveness/enroll", tt.op)
		var big *BodyTooLargeError
		require.ErrorAs(t, err, &big, "%s %d", tt.op, tt.status)
		assert.Equal(t, 1, big.Attempts)
		assert.ErrorIs(t, err, ErrBodyTooLarge)
		assert.Equal(t, tt.want, errors.Is(err, ErrOutcomeUnknown), "%s %d", tt.op, tt.status)
		assert.Equal(t, tt.want, strings.Contains(err.Error(), "reconcile before retrying"), "%s %d", tt.op, tt.status)
		srv.Close()
	}
}
