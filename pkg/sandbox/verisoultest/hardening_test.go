package verisoultest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// TestRedirectUnderAMount: mounted under a prefix with http.StripPrefix, as `idvkit
// sandbox serve` mounts it at /verisoul, the public redirect's Location keeps the prefix,
// and following it reaches the hosted page.
func TestRedirectUnderAMount(t *testing.T) {
	for _, prefix := range []string{"", "/verisoul", "/a/b"} {
		t.Run("mount "+prefix, func(t *testing.T) {
			emu := verisoultest.New()
			mux := http.NewServeMux()
			mux.Handle(prefix+"/", http.StripPrefix(prefix, emu.Handler()))
			srv := httptest.NewServer(mux)
			defer srv.Close()
			for _, query := range []string{"", "&id=true"} {
				noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := noFollow.Get(srv.URL + prefix + "/public/liveness-redirect?project_id=" + verisoultest.DefaultProjectID + query)
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, http.StatusFound, resp.StatusCode)
				loc := resp.Header.Get("Location")
				assert.True(t, strings.HasPrefix(loc, srv.URL+prefix+verisoultest.AppPath+"?session_id="), loc)

				page, err := http.Get(loc)
				require.NoError(t, err)
				body, _ := io.ReadAll(page.Body)
				page.Body.Close()
				assert.Equal(t, http.StatusOK, page.StatusCode, "%s", body)
				assert.Contains(t, string(body), "Sandbox capture page")
			}
		})
	}
}

// TestFaultRulesNameEnrollByProduct: POST /liveness/enroll is one path for both products;
// a fault rule keyed enrollIDCheck fires on ID Check enrolments only, one keyed
// enrollFaceMatch on Face Match ones only, and the body the injector peeks at still
// reaches the emulator.
func TestFaultRulesNameEnrollByProduct(t *testing.T) {
	for _, rule := range []string{"enrollIDCheck", "enrollFaceMatch"} {
		t.Run(rule, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, e.emu.Faults().Set(sandbox.FaultRule{Operation: rule, Kind: sandbox.FaultError, Status: 503, Rate: 1}))
			idc := e.idCheckSession()
			require.NoError(t, e.emu.CompleteWithDocument(idc, "ivan", e.emu.DocumentFor("ivan")))
			fm := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(fm, "fay"))

			resIDC, err := e.idc.EnrollIDCheckWithResponse(ctx, idcheck.EnrollRequest{SessionId: uuid.MustParse(idc), AccountId: "acct-ivan"})
			require.NoError(t, err)
			resFM := e.enroll(fm, "acct-fay")
			want := map[string][2]int{"enrollIDCheck": {503, 200}, "enrollFaceMatch": {200, 503}}[rule]
			assert.Equal(t, want[0], resIDC.StatusCode(), "ID Check enrol")
			assert.Equal(t, want[1], resFM.StatusCode(), "Face Match enrol")
			assert.Equal(t, 1, e.emu.Faults().Counts()["error"])
		})
	}
}

// TestControlGuard: the control endpoints refuse cross-site use (another Origin, a Host
// that is not loopback or allowed, a body that is not JSON) and say what a body that does
// not parse should be; WithAllowedHosts lets a named host through, to the fault control too.
func TestControlGuard(t *testing.T) {
	emu := verisoultest.New(verisoultest.WithAllowedHosts("verisoul-sandbox:8080"))
	h := emu.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, withKey(httptest.NewRequest("GET", "/liveness/session", nil)))
	require.Equal(t, http.StatusOK, rec.Code)
	var s facematch.SessionResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &s))
	id := s.SessionId.String()
	start := verisoultest.ControlPrefix + "sessions/" + id + "/start"
	fail := verisoultest.ControlPrefix + "sessions/" + id + "/fail"

	tests := []struct {
		name, method, target, host, origin, contentType, body string
		status                                                int
		message                                               string
	}{
		{"another origin", "POST", start, "127.0.0.1:8080", "https://evil.example", "", "", 403, "cross-origin"},
		{"a rebinding host", "POST", start, "evil.example:8080", "", "", "", 403, "loopback"},
		{"a rebinding host on the fault control", "PUT", sandbox.ControlPath, "evil.example", "", "application/json", `[]`, 403, "loopback"},
		{"a form body", "POST", fail, "localhost:8080", "", "text/plain", `{"error_message":"liveness_check_failed"}`, 415, "application/json"},
		{"a body that does not parse", "POST", fail, "localhost:8080", "", "application/json", `error_message=x`, 400, `expected a JSON object like {"error_message":"liveness_check_failed"}`},
		{"a same-origin page", "POST", start, "localhost:8080", "http://localhost:8080", "", "", 200, ""},
		{"an allowed host", "GET", verisoultest.ControlPrefix + "sessions/" + id, "verisoul-sandbox:8080", "", "", "", 200, ""},
		{"an allowed host on the fault control", "GET", sandbox.ControlPath, "verisoul-sandbox", "", "", "", 200, ""},
		{"the hosted page is navigated to from anywhere", "GET", verisoultest.AppPath + "?session_id=" + id, "evil.example", "", "", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			req.Host = tt.host
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tt.status, rec.Code, "%s", rec.Body.String())
			if tt.message != "" {
				var out struct{ Error, Message string }
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
				assert.Contains(t, out.Message, tt.message)
			}
		})
	}
	info, ok := emu.Session(id)
	require.True(t, ok)
	assert.Equal(t, verisoultest.Started, info.State, "no refused request changed the session")
}

func withKey(r *http.Request) *http.Request {
	r.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	return r
}
