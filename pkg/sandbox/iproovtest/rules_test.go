package iproovtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/contract/contracttest"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// TestVendorFieldRules sends requests that break iProov's field rules - and therefore
// the spec - and expects iProov's own error codes, in documented shapes, rather than the
// contract middleware's contract_violation.
func TestVendorFieldRules(t *testing.T) {
	creds := `"api_key":"` + iproovtest.DefaultAPIKey + `","secret":"` + iproovtest.DefaultSecret + `"`
	jsonReq := func(method, path, body string) func(h *harness) *http.Request {
		return func(h *harness) *http.Request {
			r, _ := http.NewRequest(method, h.srv.URL+iproovtest.BasePath+path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		}
	}
	photo := func(p photoForm) func(h *harness) *http.Request {
		return func(h *harness) *http.Request {
			if p.token == "" {
				p.token = h.enrolToken("u1")
			}
			body, ct := p.build()
			r, _ := http.NewRequest(http.MethodPost, h.srv.URL+iproovtest.BasePath+"/claim/enrol/image", body)
			r.Header.Set("Content-Type", ct)
			return r
		}
	}
	tokenForm := func(body string, auth bool) func(h *harness) *http.Request {
		return func(h *harness) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, h.srv.URL+iproovtest.BasePath+"/"+iproovtest.DefaultAPIKey+"/access_token", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if auth {
				r.SetBasicAuth(iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword)
			}
			return r
		}
	}
	tests := []struct {
		name   string
		req    func(h *harness) *http.Request
		status int
		code   string
	}{
		{"token without api_key", jsonReq("POST", "/claim/enrol/token", `{"secret":"x","resource":"r","user_id":"u1"}`), 401, "invalid_key"},
		{"token without resource", jsonReq("POST", "/claim/enrol/token", `{`+creds+`,"user_id":"u1"}`), 400, "missing_data"},
		{"token with empty resource", jsonReq("POST", "/claim/verify/token", `{`+creds+`,"resource":"","user_id":"u1"}`), 400, "missing_data"},
		{"token with malformed user_id", jsonReq("POST", "/claim/enrol/token", `{`+creds+`,"resource":"r","user_id":"has space"}`), 400, "invalid_user_id"},
		{"token without user_id", jsonReq("POST", "/claim/verify/token", `{`+creds+`,"resource":"r"}`), 400, "invalid_user_id"},
		{"token with unknown assurance type", jsonReq("POST", "/claim/enrol/token", `{`+creds+`,"resource":"r","user_id":"u1","assurance_type":"selfie"}`), 403, "invalid_assurance_type"},
		{"token with malformed risk profile", jsonReq("POST", "/claim/enrol/token", `{`+creds+`,"resource":"r","user_id":"u1","risk_profile":"a b"}`), 400, "invalid_risk_appetite"},
		{"validate without client", jsonReq("POST", "/claim/verify/validate", `{`+creds+`,"user_id":"u1","token":"t"}`), 400, "missing_data"},
		{"validate with malformed ip", jsonReq("POST", "/claim/enrol/validate", `{`+creds+`,"user_id":"u1","token":"t","client":"c","ip":"::1"}`), 400, "invalid_request"},
		{"photo with unknown source", photo(photoForm{source: "passport", image: sandbox.FaceImage("alice")}), 400, "invalid_source"},
		{"photo without image", photo(photoForm{source: "eid", noImage: true}), 400, "invalid_enrol_image"},
		{"photo that is not an image", photo(photoForm{source: "eid", image: []byte("%PDF-1.7 not an image")}), 400, "invalid_enrol_image"},
		{"photo over 2 MB", photo(photoForm{source: "eid", image: append(sandbox.FaceImage("alice"), make([]byte, iproovtest.MaxImageBytes)...)}), 400, "invalid_enrol_image"},
		{"photo labelled as text", photo(photoForm{source: "eid", image: sandbox.FaceImage("alice"), imageType: "text/plain"}), 400, "invalid_enrol_image"},
		{"photo labelled octet-stream that is not an image", photo(photoForm{source: "eid", image: []byte("%PDF-1.7 not an image"), imageType: "application/octet-stream"}), 400, "invalid_enrol_image"},
		{"enrol validate without client", jsonReq("POST", "/claim/enrol/validate", `{`+creds+`,"user_id":"u1","token":"t"}`), 400, "missing_data"},
		{"invalidate without reason", jsonReq("POST", "/claim/abc/invalidate", `{}`), 400, "missing_data"},
		{"invalidate with a disallowed reason", jsonReq("POST", "/claim/abc/invalidate", `{"reason":"<script>"}`), 400, "invalid_reason"},
		{"access token without Basic credentials", tokenForm("grant_type=client_credentials", false), 400, "invalid_client"},
		{"access token without grant_type", tokenForm("scope=user-read", true), 400, "invalid_request"},
		{"access token with malformed grant_type", tokenForm("grant_type=client%20credentials", true), 400, "invalid_grant"},
		{"access token with another grant", tokenForm("grant_type=password", true), 400, "unsupported_grant_type"},
		{"access token with malformed scope", tokenForm("grant_type=client_credentials&scope=user%2Fread", true), 400, "invalid_scope"},
		{"access token with unknown scope", tokenForm("grant_type=client_credentials&scope=admin", true), 400, "invalid_scope"},
		{"users without bearer", jsonReq("GET", "/users/u1", ""), 401, "invalid_oauth"},
		{"availability without api_key", jsonReq("GET", "/availability", ""), 400, "missing_data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			req := tt.req(h)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			var e struct{ Error, ErrorDescription string }
			require.NoError(t, json.Unmarshal(body, &e))
			assert.Equal(t, tt.code, e.Error)
			contracttest.RequireNoDrift(t, h.spec, req, resp, body)
		})
	}
}

// TestPhotoWithoutTokenIsMissingData pins the order of the photo-enrol checks: an empty
// token field is missing data, not a bad token.
func TestPhotoWithoutTokenIsMissingData(t *testing.T) {
	h := newHarness(t)
	body, ct := photoForm{token: "", image: sandbox.FaceImage("alice")}.build()
	resp, err := http.Post(h.srv.URL+iproovtest.BasePath+"/claim/enrol/image", ct, body)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, string(data), `"missing_data"`)
}

// TestRequestsOutsideTheRulesStillHitTheContract shows the rules layer is narrow: a
// request with a property iProov does not know is refused by the contract middleware -
// in iProov's own envelope, with a status the operation documents, saying where the
// request is wrong.
func TestRequestsOutsideTheRulesStillHitTheContract(t *testing.T) {
	h := newHarness(t)
	body := `{"api_key":"` + iproovtest.DefaultAPIKey + `","secret":"` + iproovtest.DefaultSecret + `","resource":"r","user_id":"u1","risk_appetite":"D_33_1A"}`
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+iproovtest.BasePath+"/claim/enrol/token", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var e struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	require.NoError(t, json.Unmarshal(data, &e))
	assert.Equal(t, "invalid_request", e.Error)
	assert.Contains(t, e.ErrorDescription, "risk_appetite")
	assert.NotContains(t, string(data), iproovtest.DefaultSecret)
	contracttest.RequireNoDrift(t, h.spec, req, resp, data)
	h.mu.Lock()
	h.problems = nil // the violation was the point
	h.mu.Unlock()
}

// TestUnknownRouteIsIProovsNotFound: a path or method iProov does not have gets
// iProov's generic 404 envelope, not the contract kit's.
func TestUnknownRouteIsIProovsNotFound(t *testing.T) {
	tests := []struct{ method, path string }{
		{"GET", iproovtest.BasePath + "/claim/nothing"},
		{"DELETE", iproovtest.BasePath + "/availability"},
		{"POST", "/somewhere/else"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			h := newHarness(t)
			req, err := http.NewRequest(tt.method, h.srv.URL+tt.path, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			require.Equal(t, http.StatusNotFound, resp.StatusCode, string(data))
			var body any
			require.NoError(t, json.Unmarshal(data, &body))
			assert.NoError(t, h.spec.Doc.Components.Schemas["ErrorResponse"].Value.VisitJSON(body), string(data))
			h.dropProblems(contract.RuleNoRoute)
		})
	}
}
