package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// TestServeVerboseLogsEveryCall: with -v, each emulated call is one log line with its
// vendor, method, operation, status, duration and contract verdict, and never the path,
// query, headers or body (iProov's /{api_key}/access_token carries the key).
func TestServeVerboseLogsEveryCall(t *testing.T) {
	logs := newSyncBuffer()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h, _ := newSandboxMux(muxOptions{logger: logger, logCalls: true})
	srv := httptest.NewServer(h)
	defer srv.Close()

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		body     string
		wantLine string // a regexp of the call's line
	}{
		{"face match session", "GET", "/verisoul/liveness/session",
			map[string]string{"x-api-key": verisoultest.DefaultAPIKey}, "",
			`vendor=verisoul method=GET operation=createFaceMatchSession status=200 duration=\S+ verdict=ok`},
		{"id check session", "GET", "/verisoul/liveness/session?id=true",
			map[string]string{"x-api-key": verisoultest.DefaultAPIKey}, "",
			`vendor=verisoul method=GET operation=createIDCheckSession status=200 duration=\S+ verdict=ok`},
		{"wrong key", "GET", "/verisoul/liveness/session",
			map[string]string{"x-api-key": "wrong-key-9f2c"}, "",
			`vendor=verisoul method=GET operation=createFaceMatchSession status=401 duration=\S+ verdict=ok`},
		{"a request the vendor refuses", "POST", "/iproov/api/v2/claim/enrol/token", json,
			`{"api_key":"` + iproovtest.DefaultAPIKey + `","secret":"` + iproovtest.DefaultSecret + `","resource":7}`,
			`vendor=iproov method=POST operation=userEnrolServerToken status=400 duration=\S+ verdict=ok`},
		{"a control body that breaks its spec", "PUT", "/verisoul/_sandbox/faults", json, `{"rules":[]}`,
			`vendor=verisoul method=PUT operation=setFaults status=400 duration=\S+ verdict=violation`},
		{"the API key in the path", "POST", "/iproov/api/v2/" + iproovtest.DefaultAPIKey + "/access_token",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "grant_type=client_credentials",
			`vendor=iproov method=POST operation=\w+ status=\d+ duration=\S+ verdict=\w+`},
		{"verifik list projects", "GET", "/verifik/v2/projects",
			map[string]string{"Authorization": "Bearer " + verifiktest.DefaultClientToken}, "",
			`vendor=verifik method=GET operation=listProjects status=200 duration=\S+ verdict=ok`},
		{"a control call", "GET", "/verisoul/_sandbox/faults", json, "",
			`vendor=verisoul method=GET operation=getFaults status=200 duration=\S+ verdict=ok`},
		{"a hosted page", "GET", "/verisoul" + verisoultest.AppPath + "?session_id=s-1&redirect_url=https://example.com/back", nil, "",
			`vendor=verisoul method=GET operation=openCapturePage status=\d+ duration=\S+ verdict=\w+`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(callLines(logs.String()))
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := noRedirect.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()

			lines := callLines(logs.String())
			require.Len(t, lines, before+1, "one line per call:\n%s", logs.String())
			assert.Regexp(t, tc.wantLine, lines[before])
		})
	}
	all := logs.String()
	for _, secret := range []string{verisoultest.DefaultAPIKey, iproovtest.DefaultAPIKey, iproovtest.DefaultSecret,
		verifiktest.DefaultClientToken, "wrong-key-9f2c", "/liveness/", "access_token", "s-1", "example.com"} {
		assert.NotContains(t, all, secret)
	}
}

// callLines are the log's per-call lines.
func callLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if regexp.MustCompile(`\bmsg=call\b`).MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// TestServeQuietLogsNoCalls: without -v the emulated calls are not logged.
func TestServeQuietLogsNoCalls(t *testing.T) {
	logs := newSyncBuffer()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, _ := newSandboxMux(muxOptions{logger: logger})
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/verisoul/liveness/session", nil)
	req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Empty(t, callLines(logs.String()))
}

// TestServeRateLimitOff: Verisoul's documented 300 requests a minute per key hold by
// default; -rate-limit off lifts them for load tests.
func TestServeRateLimitOff(t *testing.T) {
	tests := []struct {
		name      string
		off       bool
		want429At int // 0: never within the calls made
	}{
		{"vendor limits by default", false, 301},
		{"off", true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newSandboxMux(muxOptions{logger: slog.New(slog.NewTextHandler(io.Discard, nil)), noRateLimits: tc.off})
			first429 := 0
			for i := 1; i <= 320 && first429 == 0; i++ {
				req := httptest.NewRequest("GET", "/verisoul/liveness/session", nil)
				req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code == http.StatusTooManyRequests {
					first429 = i
				} else {
					require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				}
			}
			assert.Equal(t, tc.want429At, first429)
		})
	}
}

// TestServeMaxSessions: -max-sessions bounds the Verisoul sessions a project holds; past
// it, with every one still usable, a new one is refused with 429 (a load test raises it).
func TestServeMaxSessions(t *testing.T) {
	tests := []struct {
		name      string
		max       int
		want429At int // 0: never within the calls made
	}{
		{"a low cap", 5, 6},
		{"raised past the calls made", 50, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newSandboxMux(muxOptions{logger: slog.New(slog.NewTextHandler(io.Discard, nil)), noRateLimits: true, maxSessions: tc.max})
			first429 := 0
			for i := 1; i <= 20 && first429 == 0; i++ {
				req := httptest.NewRequest("GET", "/verisoul/liveness/session", nil)
				req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code == http.StatusTooManyRequests {
					first429 = i
				} else {
					require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				}
			}
			assert.Equal(t, tc.want429At, first429)
		})
	}
}
