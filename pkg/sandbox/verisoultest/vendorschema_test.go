package verisoultest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// TestVendorSchemaLooseness holds the specs to the vendor's own OpenAPI documents
// (api-evangelist/verisoul openapi/_original/verisoul-{facematch,idcheck}-openapi.json)
// where those are looser than idvkit once was: each exchange here is one the vendor's
// schema admits, and the contract kit must accept it with no problem at all (not even
// drift).
func TestVendorSchemaLooseness(t *testing.T) {
	const sid = "00022d22-0592-4c83-8f55-0ec8f277c668"
	cases := []struct {
		name         string
		spec         *contract.Spec
		method, path string
		reqBody      string
		status       int    // 0: request only
		respBody     string // JSON
	}{
		{name: "simulate is any string (Face Match)", spec: fmSpec, method: "GET", path: "/liveness/session?simulate=a_future_outcome"},
		{name: "simulate is any string (ID Check)", spec: idcSpec, method: "GET", path: "/liveness/session?id=true&simulate=SUCCESS"},
		{name: "enroll account_id has no length rule", spec: fmSpec, method: "POST", path: "/liveness/enroll",
			reqBody: `{"session_id":"` + sid + `","account_id":""}`},
		{name: "verify-identity account_id has no length rule", spec: fmSpec, method: "POST", path: "/liveness/verify-identity",
			reqBody: `{"session_id":"` + sid + `","account_id":""}`},
		{name: "risk flags are free strings (verify-face)", spec: fmSpec, method: "POST", path: "/liveness/verify-face",
			reqBody: `{"session_id":"` + sid + `"}`, status: 200,
			respBody: `{"decision":"Suspicious","risk_score":0.4,"risk_flags":["a_flag_from_next_year"],"matches":{"num_accounts_linked":0,"accounts_linked":[]}}`},
		{name: "risk flags are free strings (verify-id)", spec: idcSpec, method: "POST", path: "/liveness/verify-id",
			reqBody: `{"session_id":"` + sid + `"}`, status: 200,
			respBody: `{"decision":"Suspicious","risk_score":0.4,"risk_flags":["a_flag_from_next_year"]}`},
		{name: "face_age_estimate null (nullable enum lists null)", spec: idcSpec, method: "POST", path: "/liveness/verify-id",
			reqBody: `{"session_id":"` + sid + `"}`, status: 200,
			respBody: `{"decision":"Real","risk_score":0.1,"document_signals":{"face_age_estimate":null}}`},
		{name: "verify-face 400 without error", spec: fmSpec, method: "POST", path: "/liveness/verify-face",
			reqBody: `{"session_id":"` + sid + `"}`, status: 400, respBody: `{"success":false}`},
		{name: "session 400 without error", spec: idcSpec, method: "GET", path: "/liveness/session?id=true", status: 400, respBody: `{}`},
		{name: "redirect 400 without error", spec: fmSpec, method: "GET", path: "/public/liveness-redirect?project_id=" + sid, status: 400, respBody: `{}`},
		{name: "enroll 400 without error", spec: idcSpec, method: "POST", path: "/liveness/enroll",
			reqBody: `{"session_id":"` + sid + `","account_id":"a"}`, status: 400, respBody: `{"request_id":"` + sid + `"}`},
		{name: "verify-identity 400 without error", spec: fmSpec, method: "POST", path: "/liveness/verify-identity",
			reqBody: `{"session_id":"` + sid + `","account_id":"a"}`, status: 400, respBody: `{}`},
		{name: "legacy verify-document: 0-100 scores, booleans, non-UUID referring id", spec: idcSpec, method: "POST", path: "/liveness/verify-document",
			reqBody: `{"session_id":"` + sid + `"}`, status: 200,
			respBody: `{"metadata":{"referring_session_id":"example-referring-session-id"},"decision":"Fake","risk_score":100,` +
				`"document_signals":{"id_face_match_score":100,"face_age_estimate":"over30"},"device_network_signals":{"proxy":true},` +
				`"referring_session_signals":{"ip_mismatch":false},"document_data":{"template_info":{"document_country":"United States of America"}}}`},
		{name: "legacy verify-uniqueness: scores up to 100, non-UUID request id", spec: fmSpec, method: "POST", path: "/liveness/verify-uniqueness",
			reqBody: `{"session_id":"` + sid + `"}`, status: 200,
			respBody: `{"request_id":"r-1","success":true,"matches":[{"account_id":"a","score":100}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.reqBody))
			req.Header.Set("x-api-key", "k")
			if c.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			require.NoError(t, c.spec.ValidateRequest(req))
			if c.status == 0 {
				return
			}
			h := http.Header{"Content-Type": {"application/json"}}
			assert.NoError(t, c.spec.ValidateResponse(req, c.status, h, []byte(c.respBody)), "no problem, not even drift")
		})
	}
}

// TestNullableEnumsListNull: a nullable enum admits only its listed values (OpenAPI 3.0.3
// clarification, and how Spectral and Redocly read it), so each nullable enum of the
// Verisoul specs lists null; FaceAgeEstimate once did not, and its own legacy_nulls example
// broke it.
func TestNullableEnumsListNull(t *testing.T) {
	for _, spec := range []*contract.Spec{fmSpec, idcSpec} {
		for name, ref := range spec.Doc.Components.Schemas {
			s := ref.Value
			if !s.Nullable || len(s.Enum) == 0 {
				continue
			}
			assert.Contains(t, s.Enum, nil, "%s: %s is nullable with an enum lacking null", spec.Name, name)
		}
	}
	fa := idcSpec.Doc.Components.Schemas["FaceAgeEstimate"]
	require.NotNil(t, fa)
	assert.Contains(t, fa.Value.Enum, nil)
}
