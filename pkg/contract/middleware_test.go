package contract

import (
	"encoding/json"
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

// fakeSessions is a handler that answers getSession with a canned body.
func fakeSessions(status int, body string, withRequestID bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if withRequestID {
			w.Header().Set("X-Request-Id", "req-1")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

type violation struct {
	Error    string    `json:"error"`
	Spec     string    `json:"spec"`
	Problems []Problem `json:"problems"`
}

func TestMiddleware(t *testing.T) {
	validSession := `{"id":"` + uuidV4 + `","status":"done"}`
	validCreate := `{"account_id":"a","metadata":{"session_id":"` + uuidV4 + `"}}`
	tests := []struct {
		name        string
		mode        Mode
		handler     http.Handler
		req         func() *http.Request
		wantStatus  int
		wantCalled  bool
		wantRules   []string // rules in the violation body; nil when the handler's answer goes out
		wantReports int
		wantDrift   bool
		// serveMissing sets MiddlewareOptions.ServeMissingCredentials.
		serveMissing bool
	}{
		{
			name: "valid traffic passes", mode: ModeEnforce,
			handler:    fakeSessions(200, validSession, true),
			req:        func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV4, "") },
			wantStatus: 200, wantCalled: true,
		},
		{
			name: "bad request gets 400", mode: ModeEnforce,
			handler:    fakeSessions(201, validSession, false),
			req:        func() *http.Request { return jsonRequest("POST", "/sessions", `{"metadata":{"session_id":"x"}}`) },
			wantStatus: 400, wantRules: []string{"required", "format"}, wantReports: 1,
		},
		{
			name: "missing credential gets 400", mode: ModeEnforce,
			handler:    fakeSessions(200, validSession, true),
			req:        func() *http.Request { return withoutKey(jsonRequest("GET", "/sessions/"+uuidV4, "")) },
			wantStatus: 400, wantRules: []string{"security"}, wantReports: 1,
		},
		{
			name: "missing credential served when asked: the handler answers as the vendor", mode: ModeEnforce,
			handler:      fakeSessions(404, `{"error":"no_key"}`, true),
			req:          func() *http.Request { return withoutKey(jsonRequest("GET", "/sessions/"+uuidV4, "")) },
			serveMissing: true,
			wantStatus:   404, wantCalled: true, wantReports: 1,
		},
		{
			name: "serving missing credentials lets no other violation through", mode: ModeEnforce,
			handler:      fakeSessions(201, validSession, false),
			req:          func() *http.Request { return withoutKey(jsonRequest("POST", "/sessions", `{"metadata":{}}`)) },
			serveMissing: true,
			wantStatus:   400, wantRules: []string{"security", "required", "required"}, wantReports: 1,
		},
		{
			name: "bad response gets 500", mode: ModeEnforce,
			handler:    fakeSessions(200, `{"id":"`+uuidV4+`","status":5}`, true),
			req:        func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV4, "") },
			wantStatus: 500, wantCalled: true, wantRules: []string{"type"}, wantReports: 1,
		},
		{
			name: "undocumented status gets 500", mode: ModeEnforce,
			handler:    fakeSessions(202, validSession, true),
			req:        func() *http.Request { return jsonRequest("POST", "/sessions", validCreate) },
			wantStatus: 500, wantCalled: true, wantRules: []string{"undocumented-status"}, wantReports: 1,
		},
		{
			name: "drift is reported, not enforced", mode: ModeEnforce,
			handler:    fakeSessions(200, `{"id":"`+uuidV4+`","status":"done","new_field":1}`, true),
			req:        func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV4, "") },
			wantStatus: 200, wantCalled: true, wantReports: 1, wantDrift: true,
		},
		{
			name: "unknown route gets 404", mode: ModeEnforce,
			handler:    fakeSessions(200, `{}`, false),
			req:        func() *http.Request { return jsonRequest("GET", "/unknown/route", "") },
			wantStatus: 404, wantRules: []string{"no-route"}, wantReports: 1,
		},
		{
			name: "sandbox control routes are skipped", mode: ModeEnforce,
			handler:    fakeSessions(200, `{"anything":true}`, false),
			req:        func() *http.Request { return jsonRequest("POST", "/_sandbox/test/faults", `{}`) },
			wantStatus: 200, wantCalled: true,
		},
		{
			name: "report mode lets a bad request through", mode: ModeReport,
			handler:    fakeSessions(201, validSession, false),
			req:        func() *http.Request { return jsonRequest("POST", "/sessions", `{"metadata":{}}`) },
			wantStatus: 201, wantCalled: true, wantReports: 1,
		},
		{
			name: "report mode lets a bad response through", mode: ModeReport,
			handler:    fakeSessions(200, `{"status":5}`, true),
			req:        func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV4, "") },
			wantStatus: 200, wantCalled: true, wantReports: 1,
		},
		{
			name: "report mode passes unknown routes", mode: ModeReport,
			handler:    fakeSessions(200, `{}`, false),
			req:        func() *http.Request { return jsonRequest("GET", "/unknown", "") },
			wantStatus: 200, wantCalled: true, wantReports: 1,
		},
		{
			name: "off validates nothing", mode: ModeOff,
			handler:    fakeSessions(200, `{"status":5}`, false),
			req:        func() *http.Request { return jsonRequest("GET", "/unknown", "") },
			wantStatus: 200, wantCalled: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called atomic.Bool
			var mu sync.Mutex
			var reports []*Error
			logs := &syncBuffer{}
			mw := Middleware(MiddlewareOptions{
				Mode:      tt.mode,
				OnProblem: func(e *Error) { mu.Lock(); reports = append(reports, e); mu.Unlock() },
				Logger:    slog.New(slog.NewJSONHandler(logs, nil)),
				Skip:      func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/_sandbox/") },

				ServeMissingCredentials: tt.serveMissing,
			}, people(t), things(t))
			h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called.Store(true)
				tt.handler.ServeHTTP(w, r)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tt.req())

			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantCalled, called.Load(), "handler called")
			if tt.wantRules != nil {
				var v violation
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())
				assert.Equal(t, "contract_violation", v.Error)
				var rules []string
				for _, p := range v.Problems {
					rules = append(rules, p.Rule)
				}
				assert.ElementsMatch(t, tt.wantRules, rules)
				assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			}
			require.Len(t, reports, tt.wantReports)
			if tt.wantReports > 0 {
				assert.Equal(t, tt.wantDrift, reports[0].DriftOnly())
				level := `"level":"ERROR"`
				if tt.wantDrift {
					level = `"level":"WARN"`
				}
				assert.Contains(t, logs.String(), level)
				assert.NotContains(t, logs.String(), apiKey)
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

func TestMiddlewareKeepsResponse(t *testing.T) {
	body := `{"id":"` + uuidV4 + `","status":"done"}`
	h := Middleware(MiddlewareOptions{Mode: ModeEnforce}, people(t))(fakeSessions(200, body, true))
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL+"/sessions/"+uuidV4, nil)
	require.NoError(t, err)
	req.Header.Set("x-api-key", apiKey)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, body, string(got))
	assert.Equal(t, "req-1", resp.Header.Get("X-Request-Id"))
}

func TestDefaultKitVerisoulEnroll(t *testing.T) {
	s := Default().Spec("verisoul/facematch")
	req := httptest.NewRequest("POST", "/liveness/enroll",
		strings.NewReader(`{"session_id":"`+uuidV7+`","account_id":"account-123"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", apiKey)
	op, ok := s.FindOperation(req)
	require.True(t, ok)
	assert.NotEmpty(t, op)
	require.NoError(t, s.ValidateRequest(req))
	assert.Same(t, s, Default().Spec("verisoul/facematch"), "loaded once")
}

func TestMiddlewareConcurrent(t *testing.T) {
	var reports atomic.Int32
	h := Middleware(MiddlewareOptions{
		Mode:      ModeEnforce,
		OnProblem: func(*Error) { reports.Add(1) },
		Logger:    discardLogger(),
	}, people(t))(fakeSessions(200, `{"id":"`+uuidV4+`","status":"done","extra":1}`, true))
	srv := httptest.NewServer(h)
	defer srv.Close()

	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := srv.URL + "/sessions/" + uuidV4
			if i%2 == 1 {
				target = srv.URL + "/sessions/bad"
			}
			req, _ := http.NewRequest("GET", target, nil)
			req.Header.Set("x-api-key", apiKey)
			resp, err := srv.Client().Do(req)
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Body.Close()
			want := 200
			if i%2 == 1 {
				want = 400
			}
			assert.Equal(t, want, resp.StatusCode)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(16), reports.Load(), "8 drift reports and 8 violations")
}

func withoutKey(r *http.Request) *http.Request {
	r.Header.Del("x-api-key")
	return r
}
