package transport

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

var (
	testSpecOnce sync.Once
	testSpec     *contract.Spec
	testSpecErr  error
)

// acmeSpec loads testdata/specs/acme/accounts.yaml once: a small spec owned
// by this package, so these tests do not depend on the vendor specs.
func acmeSpec(t *testing.T) *contract.Spec {
	t.Helper()
	testSpecOnce.Do(func() {
		kit, err := contract.Load(os.DirFS("testdata/specs"))
		if err != nil {
			testSpecErr = err
			return
		}
		testSpec = kit.Spec("acme/accounts")
	})
	require.NoError(t, testSpecErr)
	return testSpec
}

// vendorStub answers enroll and getAccount with the given bodies.
func vendorStub(t *testing.T, enrollBody, accountBody string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/account/") {
			_, _ = io.WriteString(w, accountBody)
			return
		}
		_, _ = io.WriteString(w, enrollBody)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestContractModes(t *testing.T) {
	spec := acmeSpec(t)
	const goodReq = `{"session_id":"s-1","account_id":"a-1"}`
	const badReq = `{"session_id":"s-1"}`
	tests := []struct {
		name         string
		mode         contract.Mode
		reqBody      string
		respBody     string
		wantErr      bool
		wantHits     int
		wantProblems int
	}{
		{name: "enforce valid", mode: contract.ModeEnforce, reqBody: goodReq, respBody: `{"request_id":"r","success":true}`, wantHits: 1},
		{name: "enforce bad request never sent", mode: contract.ModeEnforce, reqBody: badReq, respBody: `{"request_id":"r","success":true}`, wantErr: true, wantHits: 0, wantProblems: 1},
		{name: "enforce bad response", mode: contract.ModeEnforce, reqBody: goodReq, respBody: `{"request_id":"r","success":"yes"}`, wantErr: true, wantHits: 1, wantProblems: 1},
		{name: "enforce drift passes", mode: contract.ModeEnforce, reqBody: goodReq, respBody: `{"request_id":"r","success":true,"new_field":1}`, wantHits: 1, wantProblems: 1},
		{name: "report lets violations through", mode: contract.ModeReport, reqBody: badReq, respBody: `{"request_id":"r","success":"yes"}`, wantHits: 1, wantProblems: 2},
		{name: "off checks nothing", mode: contract.ModeOff, reqBody: badReq, respBody: `{"success":"yes"}`, wantHits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := vendorStub(t, tt.respBody, `{}`)
			var mu sync.Mutex
			var problems []*contract.Error
			p := testPolicy(&sleepRecorder{})
			// Even a "safe" classification must not retry a contract violation.
			p.Classify = func(string) Safety { return Safe }
			c, err := New("acme", srv.URL, WithContract(tt.mode, spec), WithRetryPolicy(p),
				WithContractOptions(contract.RoundTripperOptions{OnProblem: func(e *contract.Error) {
					mu.Lock()
					problems = append(problems, e)
					mu.Unlock()
				}}))
			require.NoError(t, err)
			ctx := WithOperation(context.Background(), "enroll")
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/liveness/enroll", strings.NewReader(tt.reqBody))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if tt.wantErr {
				require.Error(t, err)
				var reqErr *RequestError
				require.ErrorAs(t, err, &reqErr)
				assert.Equal(t, 1, reqErr.Attempts)
				var ce *contract.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "acme/accounts", ce.Spec)
				assert.Equal(t, "contract violation", describeErr(err))
			} else {
				require.NoError(t, err)
				_, err = io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
			}
			assert.Equal(t, tt.wantHits, int(hits.Load()))
			mu.Lock()
			assert.Len(t, problems, tt.wantProblems)
			mu.Unlock()
		})
	}
}

func TestContractSpecsNameOperationsAndPaths(t *testing.T) {
	spec := acmeSpec(t)
	srv, _ := vendorStub(t, `{}`, `{"account_id":"a-1"}`)
	logs := &syncBuffer{}
	var classified []string
	p := testPolicy(&sleepRecorder{})
	p.Classify = func(op string) Safety { classified = append(classified, op); return Unsafe }
	// ModeOff: no checking, but the spec still names the call.
	c, err := New("acme", srv.URL, WithContract(contract.ModeOff, spec), WithRetryPolicy(p),
		WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/account/Jane.Doe-1987", nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, []string{"acme/getAccount"}, classified)
	lines := logs.Lines(t)
	require.Len(t, lines, 1)
	assert.Equal(t, "getAccount", lines[0]["operation"])
	assert.Equal(t, "/account/{account_id}", lines[0]["path"])
	assert.NotContains(t, logs.String(), "Jane")
}

func TestContractOptionValidation(t *testing.T) {
	spec := acmeSpec(t)
	hc := &http.Client{}
	tests := []struct {
		name    string
		opt     Option
		wantErr string
	}{
		{name: "nil spec", opt: WithContract(contract.ModeEnforce, nil), wantErr: "nil spec"},
		{name: "enforce without specs", opt: WithContract(contract.ModeEnforce), wantErr: "needs at least one spec"},
		{name: "unknown mode", opt: WithContract(contract.Mode(9), spec), wantErr: "unknown contract mode"},
		{name: "off without specs", opt: WithContract(contract.ModeOff)},
		{name: "enforce", opt: WithContract(contract.ModeEnforce, spec)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("acme", "https://x.test", WithHTTPClient(hc), tt.opt)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Nil(t, hc.Transport, "the caller's client is not modified")
		})
	}
}

// TestContractEnforceLetsGatewayStatusesRetry: a 503 the spec does not document is
// reported, yet still retried on a safe call and, when attempts run out, surfaced as the
// vendor's *APIError — not a contract error that would hide the outage from the caller.
func TestContractEnforceLetsGatewayStatusesRetry(t *testing.T) {
	spec := acmeSpec(t)
	tests := []struct {
		name       string
		failures   int32 // 503s before a good answer
		wantErr    bool
		wantHits   int32
		wantReport int
	}{
		{name: "recovers after two 503s", failures: 2, wantHits: 3, wantReport: 2},
		{name: "503 throughout is the vendor's error", failures: 99, wantErr: true, wantHits: 3, wantReport: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if hits.Add(1) <= tt.failures {
					w.WriteHeader(http.StatusServiceUnavailable)
					_, _ = io.WriteString(w, `{"message":"Service Unavailable"}`)
					return
				}
				_, _ = io.WriteString(w, `{"account_id":"a-1"}`)
			}))
			defer srv.Close()
			var mu sync.Mutex
			reports := 0
			p := testPolicy(&sleepRecorder{})
			p.Classify = func(string) Safety { return Safe }
			c, err := New("acme", srv.URL, WithContract(contract.ModeEnforce, spec), WithRetryPolicy(p),
				WithContractOptions(contract.RoundTripperOptions{OnProblem: func(*contract.Error) { mu.Lock(); reports++; mu.Unlock() }}))
			require.NoError(t, err)
			ctx := WithOperation(context.Background(), "getAccount")
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/account/a-1", nil)
			require.NoError(t, err)
			resp, err := c.Do(req)
			require.NoError(t, err, "a status is an answer, not a transport failure")
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			checkErr := c.Check(ctx, "getAccount", resp, body)
			if tt.wantErr {
				var apiErr *APIError
				require.ErrorAs(t, checkErr, &apiErr)
				assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
				assert.True(t, apiErr.Retryable)
				assert.ErrorIs(t, checkErr, ErrServer)
			} else {
				require.NoError(t, checkErr)
			}
			assert.Equal(t, tt.wantHits, hits.Load())
			mu.Lock()
			assert.Equal(t, tt.wantReport, reports, "each undocumented 503 is reported")
			mu.Unlock()
		})
	}
}
