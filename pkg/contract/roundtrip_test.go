package contract

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vendorServer serves the test API under /base (a base path prefix the spec does not
// know) and counts every request that reaches it.
func vendorServer(t *testing.T, respStatus int, respBody string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/base/", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		w.WriteHeader(respStatus)
		_, _ = io.WriteString(w, respBody)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestRoundTripper(t *testing.T) {
	goodCreate := `{"account_id":"a","metadata":{"session_id":"` + uuidV7 + `"}}`
	badCreate := `{"account_id":"a","metadata":{"session_id":"` + apiKey + `"}}`
	created := `{"id":"` + uuidV4 + `","status":"pending"}`
	tests := []struct {
		name        string
		mode        Mode
		path        string
		reqBody     string
		respStatus  int
		respBody    string
		wantErr     bool
		wantDrift   bool // the error, or the single report, is drift only
		wantHits    int32
		wantReports int
	}{
		{name: "off passes a bad request", mode: ModeOff, path: "/sessions", reqBody: badCreate, respStatus: 201, respBody: `{"status":1}`, wantHits: 1},
		{name: "report passes a bad request and reports it", mode: ModeReport, path: "/sessions", reqBody: badCreate, respStatus: 201, respBody: created, wantHits: 1, wantReports: 1},
		{name: "report passes a bad response and reports it", mode: ModeReport, path: "/sessions", reqBody: goodCreate, respStatus: 201, respBody: `{"status":1}`, wantHits: 1, wantReports: 1},
		{name: "report passes drift", mode: ModeReport, path: "/sessions", reqBody: goodCreate, respStatus: 201, respBody: `{"id":"` + uuidV4 + `","status":"pending","extra":true}`, wantHits: 1, wantReports: 1, wantDrift: true},
		{name: "enforce sends a valid call", mode: ModeEnforce, path: "/sessions", reqBody: goodCreate, respStatus: 201, respBody: created, wantHits: 1},
		{name: "enforce never sends a bad request", mode: ModeEnforce, path: "/sessions", reqBody: badCreate, respStatus: 201, respBody: created, wantErr: true, wantHits: 0, wantReports: 1},
		{name: "enforce never sends to an unknown route", mode: ModeEnforce, path: "/sessionz", reqBody: goodCreate, respStatus: 201, respBody: created, wantErr: true, wantHits: 0, wantReports: 1},
		{name: "enforce fails a bad response", mode: ModeEnforce, path: "/sessions", reqBody: goodCreate, respStatus: 201, respBody: `{"id":"` + uuidV4 + `"}`, wantErr: true, wantHits: 1, wantReports: 1},
		{name: "enforce fails an undocumented status", mode: ModeEnforce, path: "/sessions", reqBody: goodCreate, respStatus: 418, respBody: `{"error":"teapot"}`, wantErr: true, wantHits: 1, wantReports: 1},
		{name: "enforce reports an undocumented 5xx and hands it back for retries", mode: ModeEnforce, path: "/sessions", reqBody: goodCreate, respStatus: 503, respBody: `<html>Service Unavailable</html>`, wantHits: 1, wantReports: 1},
		{name: "enforce reports an undocumented 429 and hands it back", mode: ModeEnforce, path: "/sessions", reqBody: goodCreate, respStatus: 429, respBody: `{"message":"slow down"}`, wantHits: 1, wantReports: 1},
		{name: "enforce reports drift and returns the response", mode: ModeEnforce, path: "/sessions", reqBody: goodCreate, respStatus: 201, respBody: `{"id":"` + uuidV4 + `","status":"expired"}`, wantHits: 1, wantReports: 1, wantDrift: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := vendorServer(t, tt.respStatus, tt.respBody)
			var mu sync.Mutex
			var reports []*Error
			logs := &syncBuffer{}
			rt := NewRoundTripper(srv.Client().Transport, tt.mode, RoundTripperOptions{
				OnProblem: func(e *Error) { mu.Lock(); reports = append(reports, e); mu.Unlock() },
				Logger:    slog.New(slog.NewTextHandler(logs, nil)),
			}, people(t))
			client := &http.Client{Transport: rt}

			req, err := http.NewRequest("POST", srv.URL+"/base"+tt.path, strings.NewReader(tt.reqBody))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("x-api-key", apiKey)
			resp, err := client.Do(req)

			assert.Equal(t, tt.wantHits, hits.Load(), "requests that reached the server")
			if tt.wantErr {
				require.Error(t, err)
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tt.wantDrift, errors.Is(err, ErrDrift))
				assert.NotContains(t, err.Error(), apiKey)
			} else {
				require.NoError(t, err)
				defer resp.Body.Close()
				got, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.Equal(t, tt.respBody, string(got), "the body is handed back whole")
			}
			require.Len(t, reports, tt.wantReports)
			if tt.wantReports == 1 {
				assert.Equal(t, tt.wantDrift, reports[0].DriftOnly())
				want := "level=ERROR msg=\"contract violation\""
				if tt.wantDrift {
					want = "level=WARN msg=\"contract drift\""
				}
				assert.Contains(t, logs.String(), want)
			}
			assert.NotContains(t, logs.String(), apiKey)
		})
	}
}

func TestRoundTripperLeavesRequestAlone(t *testing.T) {
	srv, hits := vendorServer(t, 201, `{"id":"`+uuidV4+`","status":"pending"}`)
	rt := NewRoundTripper(srv.Client().Transport, ModeEnforce, RoundTripperOptions{Logger: discardLogger()}, people(t))
	body := `{"account_id":"a","metadata":{"session_id":"` + uuidV4 + `"}}`

	// A body that cannot be replayed (no GetBody) is buffered once and still sent whole.
	req, err := http.NewRequest("POST", srv.URL+"/base/sessions?simulate=pass", io.NopCloser(strings.NewReader(body)))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", apiKey)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, int32(1), hits.Load())
	assert.Equal(t, "simulate=pass", req.URL.RawQuery, "no defaults added to the caller's request")
}

func TestRoundTripperLargeResponsePassesUnchecked(t *testing.T) {
	big := `{"id":"` + uuidV4 + `","status":"done","pad":"` + strings.Repeat("x", 4096) + `"}`
	srv, _ := vendorServer(t, 201, big)
	var reports atomic.Int32
	rt := NewRoundTripper(srv.Client().Transport, ModeEnforce, RoundTripperOptions{
		MaxBodyBytes: 1024,
		OnProblem:    func(*Error) { reports.Add(1) },
		Logger:       discardLogger(),
	}, people(t))
	req, err := http.NewRequest("POST", srv.URL+"/base/sessions", bytes.NewReader([]byte(`{"account_id":"a","metadata":{"session_id":"`+uuidV4+`"}}`)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", apiKey)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, big, string(got))
	assert.Zero(t, reports.Load())
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
