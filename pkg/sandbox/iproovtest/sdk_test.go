package iproovtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// control sends one control request the way a program does (no Origin) and returns the
// status and the JSON body (nil when there is none).
func (h *harness) control(method, path, body string, hdr ...string) (int, map[string]any) {
	h.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://127.0.0.1"+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := h.serve(req)
	var out map[string]any
	if rec.Body.Len() > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		require.NoError(h.t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	}
	return rec.Code, out
}

func TestSDKFilesAreServedToAnyPage(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		path, contentType, contains string
		cors, csp                   bool
	}{
		{iproovtest.SDKScriptPath, "text/javascript", `customElements.define("iproov-me"`, true, false},
		{iproovtest.SDKBridgePath, "text/html", `<script src="bridge.js">`, false, true},
		{iproovtest.ControlPrefix + "sdk/bridge.js", "text/javascript", "iproov-bridge", false, false},
		{iproovtest.SDKDemoPath, "text/html", `<script src="iproov-me.js">`, false, true},
		{iproovtest.ControlPrefix + "sdk/demo.js", "text/javascript", "validate", false, false},
		{iproovtest.ControlPrefix + "sdk/sdk.css", "text/css", "font-family", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// As a browser loads them from the integrator's page: cross-site.
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+tt.path, nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "http://shop.example")
			rec := h.serve(req)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), tt.contentType), rec.Header().Get("Content-Type"))
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			assert.Contains(t, rec.Body.String(), tt.contains)
			assert.Equal(t, tt.cors, rec.Header().Get("Access-Control-Allow-Origin") == "*")
			if tt.csp {
				assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'self'")
				assert.NotContains(t, rec.Body.String(), "<script>", "inline scripts: none, all are files")
				assert.NotContains(t, rec.Body.String(), "http://", "no external assets")
				assert.NotContains(t, rec.Body.String(), "https://", "no external assets")
			}
		})
	}
}

func TestSDKScriptCarriesTheFeedbackTables(t *testing.T) {
	h := newHarness(t)
	rec := h.serve(httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+iproovtest.SDKScriptPath, nil))
	body := rec.Body.String()
	assert.NotContains(t, body, "IDVKIT_FEEDBACK", "the mark is replaced by the tables")
	for _, f := range append(append(iproovtest.GenuinePresenceFailures, iproovtest.SDKErrors...), iproovtest.Canceled, iproovtest.TransactionCanceled) {
		assert.Contains(t, body, `"code":"`+f.Code+`"`)
	}
}

func TestSDKFilesUnknownIsNotFound(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"sdk/nope.js", "sdk/iproov-me", "sdk/x/bridge.js"} {
		code, body := h.control(http.MethodGet, iproovtest.ControlPrefix+p, "")
		assert.Equal(t, http.StatusNotFound, code, p)
		assert.Equal(t, "unknown_control", body["error"], p)
	}
}

// The claim endpoints the bridge uses stay behind the guard: the integrator's page
// cannot call them itself.
func TestClaimControlsRefuseCrossSite(t *testing.T) {
	h := newHarness(t)
	token := h.enrolToken("alice")
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "claims/" + token},
		{http.MethodPost, "claims/" + token + "/start"},
		{http.MethodPost, "claims/" + token + "/validate"},
	} {
		code, body := h.control(c.method, iproovtest.ControlPrefix+c.path, "", "Origin", "http://shop.example", "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, http.StatusForbidden, code, c.path)
		assert.Equal(t, "forbidden", body["error"], c.path)
	}
	// Same-origin, as from the bridge frame: allowed.
	code, _ := h.control(http.MethodGet, iproovtest.ControlPrefix+"claims/"+token, "", "Origin", "http://127.0.0.1", "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusOK, code)
}

// A whole claim through the controls alone, as the demo page and a test in another
// language run it: issue, read, start, capture, read the SDK's result, validate.
func TestClaimJourneyThroughControls(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(h *harness)
		issue       string
		capture     string
		wantResult  map[string]any
		wantPassed  bool
		wantReason  string
		wantHasUser bool
	}{
		{
			name:       "enrol passes",
			issue:      `{"type":"enrol","user_id":"alice@example.com"}`,
			capture:    `{"face":"alice"}`,
			wantResult: map[string]any{"passed": true},
			wantPassed: true,
		},
		{
			name:       "enrol fails liveness with a feedback code",
			issue:      `{"type":"enrol","user_id":"alice@example.com","assurance_type":"liveness"}`,
			capture:    `{"face":"alice","liveness_failure":"Keep your eyes open"}`,
			wantResult: map[string]any{"passed": false, "feedback": "eyes_closed", "reason": "Keep your eyes open"},
			wantReason: "Keep your eyes open",
		},
		{
			name:       "verify with another face fails without saying why",
			setup:      func(h *harness) { h.enrol("alice@example.com", "alice") },
			issue:      `{"type":"verify","user_id":"alice@example.com"}`,
			capture:    `{"face":"mallory"}`,
			wantResult: map[string]any{"passed": false, "feedback": "unknown", "reason": "Try again"},
			wantReason: iproovtest.ReasonMismatch,
		},
		{
			name:       "verify passes",
			setup:      func(h *harness) { h.enrol("alice@example.com", "alice") },
			issue:      `{"type":"verify","user_id":"alice@example.com"}`,
			capture:    `{"face":"alice"}`,
			wantResult: map[string]any{"passed": true},
			wantPassed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			code, issued := h.control(http.MethodPost, iproovtest.ControlPrefix+"claims", tt.issue)
			require.Equal(t, http.StatusCreated, code, issued)
			token := issued["token"].(string)
			require.Len(t, token, 64)

			code, view := h.control(http.MethodGet, iproovtest.ControlPrefix+"claims/"+token, "")
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, "issued", view["state"])
			assert.NotContains(t, view, "user_id")

			code, _ = h.control(http.MethodPost, iproovtest.ControlPrefix+"claims/"+token+"/start", "")
			require.Equal(t, http.StatusNoContent, code)
			_, view = h.control(http.MethodGet, iproovtest.ControlPrefix+"claims/"+token, "")
			assert.Equal(t, "streaming", view["state"])

			code, _ = h.control(http.MethodPost, iproovtest.ControlPrefix+"claims/"+token+"/capture", tt.capture)
			require.Equal(t, http.StatusNoContent, code)
			_, view = h.control(http.MethodGet, iproovtest.ControlPrefix+"claims/"+token, "")
			assert.Equal(t, "captured", view["state"])
			assert.Equal(t, tt.wantResult, view["result"])

			code, val := h.control(http.MethodPost, iproovtest.ControlPrefix+"claims/"+token+"/validate", "")
			require.Equal(t, http.StatusOK, code, val)
			assert.Equal(t, tt.wantPassed, val["passed"])
			if tt.wantReason != "" {
				assert.Equal(t, tt.wantReason, val["reason"])
			}
			_, view = h.control(http.MethodGet, iproovtest.ControlPrefix+"claims/"+token, "")
			assert.Equal(t, "validated", view["state"])

			code, again := h.control(http.MethodPost, iproovtest.ControlPrefix+"claims/"+token+"/validate", "")
			assert.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, "invalid_token", again["error"], "validation is one-shot")
		})
	}
}

func TestIssueClaimCarriesIProovsRefusals(t *testing.T) {
	tests := []struct {
		name, body, code string
	}{
		{"verify of nobody", `{"type":"verify","user_id":"nobody"}`, "no_user"},
		{"bad user id", `{"type":"enrol","user_id":"a b"}`, "invalid_user_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			code, body := h.control(http.MethodPost, iproovtest.ControlPrefix+"claims", tt.body)
			assert.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, tt.code, body["error"])
		})
	}
	h := newHarness(t)
	h.enrol("alice", "alice")
	code, body := h.control(http.MethodPost, iproovtest.ControlPrefix+"claims", `{"type":"enrol","user_id":"alice"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "already_enrolled", body["error"])
}

// A body that breaks the controls spec is answered 400 with what the control expects,
// in the controls' shape, before the handler runs.
func TestControlBodiesAreHeldToTheControlsSpec(t *testing.T) {
	tests := []struct {
		name, path, body, expect string
		method                   string
	}{
		{"issue: unknown field", "claims", `{"type":"enrol","user_id":"a","api_key":"x"}`, `"type":"enrol"|"verify"`, ""},
		{"issue: bad type", "claims", `{"type":"login","user_id":"a"}`, `"type":"enrol"|"verify"`, ""},
		{"issue: not JSON", "claims", `type=enrol`, `"type":"enrol"|"verify"`, ""},
		{"capture: face not a string", "claims/" + strings.Repeat("a", 64) + "/capture", `{"face":7}`, `{"face":"alice"}`, ""},
		{"fail-next: no status", "fail-next", `{"operation":"userVerifyValidate"}`, `"status":<documented status>`, ""},
		{"availability: wrong field", "availability", `{"down":true}`, `{"up":true}`, http.MethodPut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			code, body := h.control(method, iproovtest.ControlPrefix+tt.path, tt.body)
			h.dropRequestProblems()
			assert.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, "invalid_body", body["error"])
			assert.Contains(t, body["message"], tt.expect)
		})
	}
}

// dropRequestProblems forgets the problems of requests a test broke on purpose; an
// undocumented answer would still fail it.
func (h *harness) dropRequestProblems() {
	onPurpose := map[string]bool{contract.RuleAdditionalProperties: true, contract.RuleEnum: true, contract.RuleRequired: true,
		contract.RuleType: true, contract.RuleDecode: true, contract.RuleContentType: true, contract.RuleNoRoute: true}
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := h.problems[:0]
	for _, p := range h.problems {
		for _, v := range p.Problems {
			if !onPurpose[v.Rule] {
				kept = append(kept, p)
				break
			}
		}
	}
	h.problems = kept
}

func TestUnknownControlNamesTheSpec(t *testing.T) {
	h := newHarness(t)
	code, body := h.control(http.MethodPost, iproovtest.ControlPrefix+"nope", "")
	h.dropRequestProblems()
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "unknown_control", body["error"])
	assert.Contains(t, body["message"], iproovtest.ControlsSpecPath)
}

// The served document is whole: no $ref leaves it, it loads and validates alone, and it
// describes every control route the emulator serves.
func TestControlsSpecIsServedSelfContained(t *testing.T) {
	h := newHarness(t)
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1"+iproovtest.ControlsSpecPath, nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := h.serve(req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/yaml", rec.Header().Get("Content-Type"))
	assert.NotContains(t, rec.Body.String(), ".yaml#", "external refs are inlined")

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	assert.Equal(t, "idvkit sandbox controls: iProov", doc.Info.Title)
	for _, p := range []string{"/_sandbox/faults", "/_sandbox/iproov/claims/{token}/capture", "/_sandbox/iproov/sdk/iproov-me.js"} {
		assert.NotNil(t, doc.Paths.Find(p), p)
	}
}

func TestControlsSpecLoadsInTheKit(t *testing.T) {
	s, err := contract.Default().Lookup(iproovtest.ControlsSpec)
	require.NoError(t, err)
	for _, c := range []struct{ method, path, op string }{
		{http.MethodPost, iproovtest.ControlPrefix + "claims", "issueClaim"},
		{http.MethodGet, iproovtest.ControlPrefix + "claims/" + strings.Repeat("a", 64), "getClaim"},
		{http.MethodGet, iproovtest.SDKScriptPath, "getSDKScript"},
		{http.MethodPut, "/_sandbox/faults", "setFaults"},
	} {
		op, ok := s.FindOperation(httptest.NewRequest(c.method, c.path, nil))
		assert.True(t, ok, c.path)
		assert.Equal(t, c.op, op, c.path)
	}
}

// Inspect shows claims and users by fingerprint — never a token or a user id — with
// their state and the face shown, and the calls by operation.
func TestInspect(t *testing.T) {
	h := newHarness(t)
	h.enrol("alice@example.com", "alice")
	code, issued := h.control(http.MethodPost, iproovtest.ControlPrefix+"claims", `{"type":"verify","user_id":"alice@example.com"}`)
	require.Equal(t, http.StatusCreated, code)
	token := issued["token"].(string)
	require.NoError(t, h.emu.FailLiveness(token, "alice", "Keep your eyes open"))

	in := h.emu.Inspect()
	assert.Equal(t, "iproov", in.Vendor)
	js, err := json.Marshal(in)
	require.NoError(t, err)
	assert.NotContains(t, string(js), token)
	assert.NotContains(t, string(js), "alice@example.com")
	assert.NotContains(t, string(js), iproovtest.DefaultSecret)

	byKind := map[string][]map[string]string{}
	states := map[string]string{}
	for _, it := range in.Items {
		assert.True(t, strings.HasPrefix(it.ID, "sha256:"), it.ID)
		byKind[it.Kind] = append(byKind[it.Kind], it.Detail)
		states[it.Kind+"/"+it.Detail["result"]] = it.State
	}
	require.Len(t, byKind["user"], 1)
	assert.Equal(t, "alice", byKind["user"][0]["face"])
	require.Len(t, byKind["claim"], 2) // the enrolment's and the verify's
	assert.Equal(t, "captured", states["claim/failed"])
	assert.Equal(t, "validated", states["claim/passed"])

	ops := map[string]bool{}
	for _, c := range in.Calls {
		ops[c.Operation] = true
		assert.Equal(t, "ok", c.Verdict, c.Operation)
	}
	assert.True(t, ops["issueClaim"], "control calls are named by the controls spec")
	assert.True(t, ops["userEnrolServerToken"], "vendor calls by the vendor spec")
	assert.Equal(t, "issueClaim", in.Calls[0].Operation, "most recent first")
}
