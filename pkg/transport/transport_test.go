package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		vendor  string
		base    string
		opts    []Option
		wantErr string
	}{
		{name: "defaults", vendor: "verisoul", base: "https://api.sandbox.verisoul.ai"},
		{name: "empty vendor", vendor: " ", base: "https://x.test", wantErr: "empty vendor"},
		{name: "unparsable base", vendor: "v", base: "http://[::1", wantErr: "unparsable base URL"},
		{name: "relative base", vendor: "v", base: "/api", wantErr: "absolute http or https"},
		{name: "wrong scheme", vendor: "v", base: "ftp://x.test", wantErr: "absolute http or https"},
		{name: "override bad base", vendor: "v", base: "https://x.test", opts: []Option{WithBaseURL("x")}, wantErr: "absolute"},
		{name: "negative timeout", vendor: "v", base: "https://x.test", opts: []Option{WithTimeout(-1)}, wantErr: "negative timeout"},
		{name: "negative total", vendor: "v", base: "https://x.test", opts: []Option{WithTotalTimeout(-time.Second)}, wantErr: "negative total timeout"},
		{name: "negative body cap", vendor: "v", base: "https://x.test", opts: []Option{WithMaxBodyBytes(-1)}, wantErr: "negative max body"},
		{name: "negative attempts", vendor: "v", base: "https://x.test", opts: []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: -1})}, wantErr: "MaxAttempts"},
		{name: "negative delay", vendor: "v", base: "https://x.test", opts: []Option{WithRetryPolicy(RetryPolicy{BaseDelay: -1})}, wantErr: "negative delay"},
		{name: "nil client and logger keep defaults", vendor: "v", base: "https://x.test", opts: []Option{WithHTTPClient(nil), WithLogger(nil), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.vendor, tt.base, tt.opts...)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.Nil(t, c)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.base, c.BaseURL())
			assert.Equal(t, DefaultMaxBodyBytes, c.maxBody)
			assert.Equal(t, 3, c.retry.MaxAttempts)
		})
	}
}

func TestWithBaseURLOverrides(t *testing.T) {
	c, err := New("iproov", "https://eu.rp.secure.iproov.me/api/v2", WithBaseURL("http://127.0.0.1:9/api/v2"))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9/api/v2", c.BaseURL())
	assert.Equal(t, "iproov", c.Vendor())
}

func TestUserAgent(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{name: "default", want: DefaultUserAgent},
		{name: "custom", opts: []Option{WithUserAgent("acme-backend/1.2")}, want: "acme-backend/1.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Get("User-Agent")
			}))
			defer srv.Close()
			c, err := New("verifik", srv.URL, tt.opts...)
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/v2/projects", nil)
			require.NoError(t, err)
			resp, err := c.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, tt.want, got)
			assert.Empty(t, req.Header.Get("User-Agent"), "the caller's request is not modified")
		})
	}
}

func TestBodyCap(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		limit   int64
		wantErr bool
	}{
		{name: "under", size: 99, limit: 100},
		{name: "exactly at", size: 100, limit: 100},
		{name: "one over", size: 101, limit: 100, wantErr: true},
		{name: "far over", size: 1 << 20, limit: 1000, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(strings.Repeat("a", tt.size)))
			}))
			defer srv.Close()
			c, err := New("verisoul", srv.URL, WithMaxBodyBytes(tt.limit))
			require.NoError(t, err)
			req, err := http.NewRequestWithContext(WithOperation(context.Background(), "enroll"), http.MethodPost, srv.URL+"/liveness/enroll", nil)
			require.NoError(t, err)
			resp, err := c.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Len(t, body, tt.size)
				return
			}
			require.ErrorIs(t, err, ErrBodyTooLarge)
			var tooLarge *BodyTooLargeError
			require.ErrorAs(t, err, &tooLarge)
			assert.Equal(t, tt.limit, tooLarge.Limit)
			assert.Equal(t, "enroll", tooLarge.Operation)
			assert.Len(t, body, int(tt.limit), "reads stop at the cap")
			_, err = resp.Body.Read(make([]byte, 10))
			require.ErrorIs(t, err, ErrBodyTooLarge, "the error is sticky")
		})
	}
}

func TestOperationContext(t *testing.T) {
	ctx := context.Background()
	assert.Empty(t, Operation(ctx))
	assert.Equal(t, "enroll", Operation(WithOperation(ctx, "enroll")))
}

func TestPerAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := New("iproov", srv.URL, WithTimeout(50*time.Millisecond))
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/claim/verify/validate", strings.NewReader("{}"))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Do(req)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.Equal(t, 1, reqErr.Attempts, "an unnamed operation is unsafe: no retry after a timeout")
}

func TestTimeoutCoversBodyRead(t *testing.T) {
	// The body is read after Do returns; the attempt's context must stay
	// alive until then, and still bound the read.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":`))
		w.(http.Flusher).Flush()
		time.Sleep(30 * time.Millisecond)
		_, _ = w.Write([]byte(`{}}`))
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		timeout time.Duration
		wantErr bool
	}{
		{name: "slow body within timeout", timeout: 2 * time.Second},
		{name: "slow body past timeout", timeout: 10 * time.Millisecond, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New("verifik", srv.URL, WithTimeout(tt.timeout))
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/v2/projects", nil)
			require.NoError(t, err)
			resp, err := c.Do(req)
			if err != nil {
				require.True(t, tt.wantErr, "unexpected error %v", err)
				return
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, `{"data":{}}`, string(body))
		})
	}
}

func TestRequestErrorHidesQuery(t *testing.T) {
	c, err := New("verifik", "http://127.0.0.1:1", WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/v2/people/1234567890?documentNumber=1234567890&token=s3cr3t", nil)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
	assert.NotContains(t, err.Error(), "1234567890")
	assert.Contains(t, err.Error(), "connection refused")
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
	assert.True(t, errors.Is(err, reqErr.Err))
}

func TestConcurrentCalls(t *testing.T) {
	srv := newScriptedServer(t, answer{status: 503}, answer{status: 200})
	rec := &sleepRecorder{}
	c, err := New("verifik", srv.URL, WithRetryPolicy(testPolicy(rec)), WithTimeout(5*time.Second))
	require.NoError(t, err)
	const n = 32
	errs := make(chan error, n)
	for range n {
		go func() {
			resp, _, err := post(context.Background(), c, srv.URL+"/v2/projects", "readProjects")
			if err == nil && resp.StatusCode != 200 {
				err = errors.New(resp.Status)
			}
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, n+1, int(srv.hits.Load()), "only the first answer was a 503")
}
