package verisoultest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

var ctlSpec = contract.Default().Spec(verisoultest.ControlsSpec)

// serve sends one request to h from loopback and checks the answer against the controls
// spec: every answer of the control endpoints and the page is one the spec documents.
func serve(t *testing.T, h http.Handler, method, target, contentType, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Host = "127.0.0.1:8080"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if _, ok := ctlSpec.FindOperation(req); ok {
		assert.NoError(t, ctlSpec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()), "%s %s: %d %s", method, target, rec.Code, rec.Body.String())
	}
	return rec
}

// TestCapturePage: the page is served with its hardening headers, escapes what it shows,
// marks the session started, and links to the control endpoints under the emulator's mount.
func TestCapturePage(t *testing.T) {
	for _, prefix := range []string{"", "/verisoul"} {
		t.Run("mount "+prefix, func(t *testing.T) {
			emu := verisoultest.New()
			mux := http.NewServeMux()
			mux.Handle(prefix+"/", http.StripPrefix(prefix, emu.Handler()))
			id := newSession(t, emu.Handler(), "")
			back := `https://acme.example/done?x="><script>alert(1)</script>`
			q := url.Values{"session_id": {id}, "redirect_url": {back}, "lng": {`en"><b>`}}
			rec := serve(t, mux, "GET", prefix+verisoultest.AppPath+"?"+q.Encode(), "", "")
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			page := rec.Body.String()
			h := rec.Header()
			assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
			assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
			csp := h.Get("Content-Security-Policy")
			assert.Contains(t, csp, "default-src 'self'")
			assert.Contains(t, csp, "frame-ancestors 'none'")
			assert.NotContains(t, csp, "unsafe-inline")
			nonce := strings.TrimPrefix(strings.Fields(strings.Split(csp, ";")[1])[1], "'nonce-")
			nonce = strings.TrimSuffix(nonce, "'")
			assert.Contains(t, page, `<script nonce="`+nonce+`">`, "the inline script carries the CSP nonce")
			assert.NotContains(t, page, "<script>alert", "the redirect URL is never echoed raw")
			assert.NotContains(t, page, "<b>")
			assert.Contains(t, page, `<html lang="en">`, "an invalid lng falls back to en")
			assert.Contains(t, page, `data-complete-url="`+prefix+verisoultest.ControlPrefix+"sessions/"+id+`/complete"`)
			assert.Contains(t, page, "Sandbox capture page")
			assert.NotContains(t, page, `name="document"`, "Face Match offers no document")
			info, _ := emu.Session(id)
			assert.Equal(t, verisoultest.Started, info.State)
		})
	}
}

// TestCapturePageBadInput: a redirect URL the browser cannot be sent back to is refused
// before anything changes; a preset or a failure outside the documented lists is
// refused saying what is expected.
func TestCapturePageBadInput(t *testing.T) {
	emu := verisoultest.New()
	h := emu.Handler()
	tests := []struct {
		name, query, code, message string
	}{
		{"relative redirect", "redirect_url=/done", "invalid_redirect_url", "absolute http or https"},
		{"javascript redirect", "redirect_url=" + url.QueryEscape("javascript:alert(1)"), "invalid_redirect_url", "absolute http or https"},
		{"unknown preset", "face=alice&document=forged", "invalid_request", "valid, fake, expired, minor, other_face, none"},
		{"unknown failure", "fail=tired", "invalid_request", "liveness_check_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := newSession(t, h, "?id=true")
			rec := serve(t, h, "GET", verisoultest.AppPath+"?session_id="+id+"&"+tt.query, "", "")
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			var out struct{ Error, Message string }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			assert.Equal(t, tt.code, out.Error)
			assert.Contains(t, out.Message, tt.message)
			info, _ := emu.Session(id)
			assert.Equal(t, verisoultest.Created, info.State, "nothing changed")
		})
	}
	t.Run("trailing slash is the same page", func(t *testing.T) {
		id := newSession(t, h, "")
		rec := serve(t, h, "GET", verisoultest.AppPath+"/?session_id="+id+"&face=alice&redirect_url=https://acme.example/done", "", "")
		require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
		assert.Contains(t, rec.Header().Get("Location"), "success=true")
	})
}

// TestDocumentPresetControl: the complete endpoint takes the page's document presets,
// and each gives verify-id the flag it stands for.
func TestDocumentPresetControl(t *testing.T) {
	e := newEnv(t)
	for preset, flag := range map[string]string{verisoultest.DocumentFake: "likely_fake_id", verisoultest.DocumentExpired: "id_expired", verisoultest.DocumentMinor: "id_age_below_16", verisoultest.DocumentOtherFace: "low_id_face_match_score"} {
		id := e.idCheckSession()
		rec := serve(t, e.emu.Handler(), "POST", verisoultest.ControlPrefix+"sessions/"+id+"/complete", "application/json", `{"face":"kim","document_preset":"`+preset+`"}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		res := e.verifyID(id)
		require.NotNil(t, res.JSON200, preset)
		var flags []string
		for _, f := range *res.JSON200.RiskFlags {
			flags = append(flags, string(f))
		}
		assert.Contains(t, flags, flag, preset)
	}
	id := e.idCheckSession()
	rec := serve(t, e.emu.Handler(), "POST", verisoultest.ControlPrefix+"sessions/"+id+"/complete", "application/json",
		`{"face":"kim","document_preset":"valid","document":{"kind":"passport"}}`)
	assert.Equal(t, http.StatusBadRequest, rec.Code, "one document, one way")
	assert.Contains(t, rec.Body.String(), "one way")
}

// newSession creates a session over HTTP (query "?id=true" for ID Check).
func newSession(t *testing.T, h http.Handler, query string) string {
	t.Helper()
	req := httptest.NewRequest("GET", "/liveness/session"+query, nil)
	req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var s struct {
		SessionID string `json:"session_id"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &s))
	return s.SessionID
}

// TestControlsSpecEnforced: every control endpoint is held to api/sandbox/verisoul.yaml;
// each answer below, refusals of the guard included, is one the spec documents
// (serve checks it), and a body that does not fit says what was expected.
func TestControlsSpecEnforced(t *testing.T) {
	emu := verisoultest.New()
	h := emu.Handler()
	id := newSession(t, h, "")
	sess := verisoultest.ControlPrefix + "sessions/" + id
	huge := `{"face":"` + strings.Repeat("a", 70<<10) + `"}`
	tests := []struct {
		name, method, target, contentType, body string
		status                                  int
		code, message                           string
	}{
		{"unknown field", "POST", sess + "/complete", "application/json", `{"face":"x","surprise":1}`, 400, "invalid_body", `expected a JSON object like {"face":"alice"}`},
		{"not JSON", "POST", sess + "/fail", "application/json", `error_message=x`, 400, "invalid_body", `{"error_message":"liveness_check_failed"}`},
		{"undocumented failure", "POST", sess + "/fail", "application/json", `{"error_message":"tired"}`, 400, "invalid_body", "error_message"},
		{"unknown preset", "POST", sess + "/complete", "application/json", `{"face":"x","document_preset":"forged"}`, 400, "invalid_body", "document_preset"},
		{"no body", "POST", sess + "/complete", "", "", 400, "invalid_body", `{"face":"alice"}`},
		{"form body", "POST", sess + "/fail", "text/plain", `{"error_message":"liveness_check_failed"}`, 415, "unsupported_media_type", "application/json"},
		{"too large", "POST", sess + "/fail", "application/json", huge, 413, "body_too_large", "limit"},
		{"unknown route", "GET", verisoultest.ControlPrefix + "nothing", "", "", 404, "not_found", verisoultest.SpecPath},
		{"unknown session", "GET", verisoultest.ControlPrefix + "sessions/nope", "", "", 404, "session_not_found", "no session"},
		{"fault rules", "PUT", sandbox.ControlPath, "application/json", `[{"kind":"latency","rate":0,"latency_ms":1}]`, 204, "", ""},
		{"bad fault rules", "PUT", sandbox.ControlPath, "application/json", `[{"kind":"gremlins","rate":1}]`, 400, "invalid_body", "kind"},
		{"start", "POST", sess + "/start", "", "", 200, "", ""},
		{"complete", "POST", sess + "/complete", "application/json", `{"face":"alice"}`, 200, "", ""},
		{"finished", "POST", sess + "/fail", "application/json", `{"error_message":"liveness_check_failed"}`, 409, "session_finished", "new session"},
		{"session", "GET", sess, "", "", 200, "", ""},
		{"enrollments", "GET", verisoultest.ControlPrefix + "enrollments", "", "", 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, h, tt.method, tt.target, tt.contentType, tt.body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.code != "" {
				var out struct{ Error, Message string }
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
				assert.Equal(t, tt.code, out.Error)
				assert.Contains(t, out.Message, tt.message)
			}
		})
	}
	rec := serve(t, h, "POST", sess+"/start", "", "", "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, rec.Code, "the guard's 403 is documented too")
}

// TestControlsSpecServed: the emulator serves its controls spec at SpecPath, standing
// alone (the shared fragment inlined) so a generator can use its URL, with every path of
// api/sandbox/verisoul.yaml.
func TestControlsSpecServed(t *testing.T) {
	for _, prefix := range []string{"", "/verisoul"} {
		mux := http.NewServeMux()
		mux.Handle(prefix+"/", http.StripPrefix(prefix, verisoultest.New().Handler()))
		rec := serve(t, mux, "GET", prefix+verisoultest.SpecPath, "", "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "application/yaml", rec.Header().Get("Content-Type"))
		assert.NotContains(t, rec.Body.String(), "faults.yaml", "no external $ref left")

		loader := openapi3.NewLoader() // external refs not allowed
		doc, err := loader.LoadFromData(rec.Body.Bytes())
		require.NoError(t, err)
		require.NoError(t, doc.Validate(loader.Context, openapi3.EnableExamplesValidation()))
		assert.Equal(t, "idvkit sandbox controls: Verisoul", doc.Info.Title)
		for p := range ctlSpec.Doc.Paths.Map() {
			assert.NotNil(t, doc.Paths.Value(p), p)
		}
		assert.NotNil(t, doc.Paths.Value(sandbox.ControlPath).Put, "the fault control is described")
	}
	rec := serve(t, verisoultest.New().Handler(), "GET", verisoultest.SpecPath, "", "", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, rec.Code, "behind the guard like every control endpoint")
}
