package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, 400, put(`[{"kind":"meteor","rate":1}]`))
	assert.Equal(t, 400, put(`[{"kind":"error","rate":2}]`))
	assert.Equal(t, 400, put(`[{"kind":"error","rate":1,"status":404}]`))
	assert.Equal(t, 400, put(`[{"kind":"latency","rate":1,"latency_ms":86400000}]`))
	assert.Equal(t, 400, put(`[{"kind":"rate_limit","rate":1,"retry_after":86400}]`))
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

// TestFaultRatesAddUp: rules share one roll per call, so each rule's Rate is its own
// fraction of the calls and the total is their sum.
func TestFaultRatesAddUp(t *testing.T) {
	f := NewFaults(7, opByPath)
	require.NoError(t, f.Set(
		FaultRule{Kind: FaultError, Rate: 0.1, Status: 500},
		FaultRule{Kind: FaultRateLimit, Rate: 0.1},
		FaultRule{Operation: "other", Kind: FaultDrop, Rate: 0.5}, // never matches /x
	))
	srv, served := faultTarget(t, f)
	const calls = 2000
	for i := 0; i < calls; i++ {
		res, err := http.Get(srv.URL + "/x")
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	counts := f.Counts()
	assert.InDelta(t, 200, counts[string(FaultError)], 60, "10%% of %d", calls)
	assert.InDelta(t, 200, counts[string(FaultRateLimit)], 60, "10%% of %d, not 10%% of the 90%% left", calls)
	assert.Zero(t, counts[string(FaultDrop)])
	assert.Equal(t, int64(calls-counts[string(FaultError)]-counts[string(FaultRateLimit)]), served.Load())
}

func TestFaultRetryAfterForms(t *testing.T) {
	tests := []struct {
		name  string
		rule  FaultRule
		check func(t *testing.T, values map[string]int)
	}{
		{"default one second", FaultRule{Kind: FaultRateLimit, Rate: 1}, func(t *testing.T, v map[string]int) {
			assert.Equal(t, map[string]int{"1": 40}, v)
		}},
		{"jitter 0 to 1 second", FaultRule{Kind: FaultRateLimit, Rate: 1, RetryAfter: 1, RetryAfterJitter: true}, func(t *testing.T, v map[string]int) {
			assert.Len(t, v, 2, "both 0 and 1 drawn: %v", v)
			assert.Equal(t, 40, v["0"]+v["1"])
		}},
		{"http date", FaultRule{Kind: FaultRateLimit, Rate: 1, RetryAfter: 2, RetryAfterDate: true}, func(t *testing.T, v map[string]int) {
			for s := range v {
				at, err := http.ParseTime(s)
				require.NoError(t, err, s)
				assert.WithinDuration(t, time.Now().Add(2*time.Second), at, 2*time.Second)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFaults(3, nil)
			require.NoError(t, f.Set(tc.rule))
			srv, _ := faultTarget(t, f)
			values := map[string]int{}
			for i := 0; i < 40; i++ {
				res, err := http.Get(srv.URL + "/x")
				require.NoError(t, err)
				res.Body.Close()
				require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
				values[res.Header.Get("Retry-After")]++
			}
			tc.check(t, values)
		})
	}
}

func TestFaultRuleValidation(t *testing.T) {
	f := NewFaults(1, nil)
	for _, r := range []FaultRule{
		{Kind: "meteor", Rate: 1},
		{Kind: FaultError, Rate: -0.1},
		{Kind: FaultError, Rate: 1.1},
		{Kind: FaultError, Rate: 1, Status: 429},
		{Kind: FaultRateLimit, Rate: 1, RetryAfter: -1},
		{Kind: FaultLatency, Rate: 1, LatencyMS: -5},
	} {
		assert.Error(t, f.Set(r), "%+v", r)
	}
	require.NoError(t, f.Set(FaultRule{Kind: FaultError, Rate: 1}))
	assert.Error(t, f.Set(FaultRule{Kind: FaultError, Rate: 1}, FaultRule{Kind: "meteor"}))
	state := f.rules
	assert.Len(t, state, 1, "a rejected set leaves the rules as they were")
}

// TestFaultsConcurrentUse: rules change while calls are served (run with -race).
func TestFaultsConcurrentUse(t *testing.T) {
	f := NewFaults(5, opByPath)
	srv, _ := faultTarget(t, f)
	client := &http.Client{Timeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			_ = f.Set(FaultRule{Kind: FaultDrift, Rate: 0.5}, FaultRule{Kind: FaultError, Rate: 0.2, Status: 502})
			_ = f.Counts()
			f.Clear()
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				res, err := client.Get(srv.URL + "/x")
				if assert.NoError(t, err) {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	<-done
}

// TestFaultsKeepToDocumentedAnswers: with SetDocumented, an injected error or rate limit
// answers only where the operation documents its status; other kinds are unaffected.
func TestFaultsKeepToDocumentedAnswers(t *testing.T) {
	documents := func(op string, status int) bool {
		return op == "limited" && status == http.StatusTooManyRequests || status == http.StatusInternalServerError
	}
	tests := []struct {
		name       string
		rule       FaultRule
		path       string
		wantStatus int
	}{
		{"documented 429", FaultRule{Kind: FaultRateLimit, Rate: 1}, "/limited", 429},
		{"undocumented 429 skipped", FaultRule{Kind: FaultRateLimit, Rate: 1}, "/plain", 200},
		{"documented 500", FaultRule{Kind: FaultError, Status: 500, Rate: 1}, "/plain", 500},
		{"undocumented 503 skipped", FaultRule{Kind: FaultError, Rate: 1}, "/plain", 200},
		{"latency unaffected", FaultRule{Kind: FaultLatency, LatencyMS: 1, Rate: 1}, "/plain", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFaults(1, opByPath)
			f.SetDocumented(documents)
			require.NoError(t, f.Set(tc.rule))
			srv, _ := faultTarget(t, f)
			res, err := http.Get(srv.URL + tc.path)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tc.wantStatus, res.StatusCode)
		})
	}
	f := NewFaults(1, opByPath)
	f.SetDocumented(documents)
	assert.ErrorContains(t, f.Set(FaultRule{Operation: "plain", Kind: FaultRateLimit, Rate: 1}), `"plain" does not document status 429`)
	assert.NoError(t, f.Set(FaultRule{Operation: "limited", Kind: FaultRateLimit, Rate: 1}))
}

// TestFaultControlBodyTooLarge: rules over the control endpoint's 1 MiB bound are a 413,
// not a parse error.
func TestFaultControlBodyTooLarge(t *testing.T) {
	f := NewFaults(1, opByPath)
	srv, _ := faultTarget(t, f)
	req, err := http.NewRequest(http.MethodPut, srv.URL+ControlPath, io.MultiReader(strings.NewReader(`[{"kind":"error","rate":1,"set":{"x":"`), strings.NewReader(strings.Repeat("a", 2<<20)), strings.NewReader(`"}}]`)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode, string(body))
	assert.Contains(t, string(body), `"body_too_large"`)
}
