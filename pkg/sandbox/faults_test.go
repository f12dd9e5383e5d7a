package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultTarget is an emulator stand-in that counts the calls it really served.
func faultTarget(t *testing.T, f *Faults) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var served atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"decision":"Real","session_id":"s-1","padding":"0123456789abcdef"}`)
	})
	srv := httptest.NewServer(f.Wrap(h))
	t.Cleanup(srv.Close)
	return srv, &served
}

func opByPath(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/") }

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name       string
		rule       FaultRule
		wantStatus int   // 0: the call fails at the transport level
		wantServed int64 // calls the emulator saw
		check      func(t *testing.T, res *http.Response, body []byte)
	}{
		{"error 502", FaultRule{Kind: FaultError, Rate: 1, Status: 502}, 502, 0, nil},
		{"error default 503", FaultRule{Kind: FaultError, Rate: 1}, 503, 0, nil},
		{"rate limit", FaultRule{Kind: FaultRateLimit, Rate: 1, RetryAfter: 7}, 429, 0,
			func(t *testing.T, res *http.Response, _ []byte) { assert.Equal(t, "7", res.Header.Get("Retry-After")) }},
		{"latency", FaultRule{Kind: FaultLatency, Rate: 1, LatencyMS: 1}, 200, 1, nil},
		{"drop", FaultRule{Kind: FaultDrop, Rate: 1}, 0, 0, nil},
		{"truncate", FaultRule{Kind: FaultTruncate, Rate: 1}, 0, 1, nil},
		{"drift", FaultRule{Kind: FaultDrift, Rate: 1, Set: map[string]any{"decision": "Unreviewed", "missing.path": 1}}, 200, 1,
			func(t *testing.T, _ *http.Response, body []byte) {
				var got map[string]any
				require.NoError(t, json.Unmarshal(body, &got))
				assert.Equal(t, "Unreviewed", got["decision"])
				assert.Contains(t, got, DriftField)
				assert.NotContains(t, got, "missing")
			}},
		{"rate zero never fires", FaultRule{Kind: FaultError, Rate: 0}, 200, 1, nil},
		{"other operation untouched", FaultRule{Operation: "other", Kind: FaultError, Rate: 1}, 200, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFaults(1, opByPath)
			require.NoError(t, f.Set(tc.rule))
			srv, served := faultTarget(t, f)
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
			res, err := client.Post(srv.URL+"/verify", "application/json", strings.NewReader(`{}`))
			var body []byte
			if err == nil {
				body, err = io.ReadAll(res.Body)
				res.Body.Close()
			}
			if tc.wantStatus == 0 {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.wantStatus, res.StatusCode)
				if tc.check != nil {
					tc.check(t, res, body)
				}
			}
			assert.Equal(t, tc.wantServed, served.Load())
		})
	}
}

func TestFaultErrorBodyIsTheVendors(t *testing.T) {
	f := NewFaults(1, nil)
	f.SetErrorBody(func(status int) any {
		return map[string]any{"error": "server_error", "error_description": http.StatusText(status)}
	})
	require.NoError(t, f.Set(FaultRule{Kind: FaultError, Rate: 1, Status: 500}))
	srv, _ := faultTarget(t, f)
	res, err := http.Get(srv.URL + "/x")
	require.NoError(t, err)
	defer res.Body.Close()
	var got map[string]string
	require.NoError(t, json.NewDecoder(res.Body).Decode(&got))
	assert.Equal(t, map[string]string{"error": "server_error", "error_description": "Internal Server Error"}, got)
}

func TestFaultRateIsAFraction(t *testing.T) {
	f := NewFaults(42, nil)
	require.NoError(t, f.Set(FaultRule{Kind: FaultError, Rate: 0.2}))
	srv, served := faultTarget(t, f)
	for i := 0; i < 500; i++ {
		res, err := http.Get(srv.URL + "/x")
		require.NoError(t, err)
		res.Body.Close()
	}
	faulted := f.Counts()[string(FaultError)]
	assert.InDelta(t, 100, faulted, 40, "about 20%% of 500 calls")
	assert.Equal(t, int64(500-faulted), served.Load())
}

func TestFaultControlEndpoint(t *testing.T) {
	f := NewFaults(1, opByPath)
	srv, _ := faultTarget(t, f)
	put := func(body string) int {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+ControlPath, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, 400, put(`[{"kind":"meteor","rate":1}]`))
	assert.Equal(t, 400, put(`[{"kind":"error","rate":2}]`))
	assert.Equal(t, 400, put(`[{"kind":"error","rate":1,"status":404}]`))
	assert.Equal(t, 204, put(`[{"kind":"error","rate":1,"status":500,"operation":"verify"}]`))

	res, err := http.Post(srv.URL+"/verify", "application/json", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 500, res.StatusCode)

	res, err = http.Get(srv.URL + ControlPath)
	require.NoError(t, err)
	var state struct {
		Rules  []FaultRule
		Counts map[string]int
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&state))
	res.Body.Close()
	assert.Len(t, state.Rules, 1)
	assert.Equal(t, 1, state.Counts["error"])

	req, _ := http.NewRequest(http.MethodDelete, srv.URL+ControlPath, nil)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	res, err = http.Post(srv.URL+"/verify", "application/json", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
}
