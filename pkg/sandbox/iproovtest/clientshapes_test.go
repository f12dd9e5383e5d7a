package iproovtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// The shapes iProov's own API clients send that its documents do not show (issue #10):
// the emulator answers them as iProov does, and every answer is held to the spec.

// postJSON sends body to path and returns the status and the decoded answer.
func (h *harness) postJSON(path string, body map[string]any) (int, map[string]any) {
	h.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(h.t, err)
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+iproovtest.BasePath+path, bytes.NewReader(raw))
	require.NoError(h.t, err)
	req.Header.Set("Content-Type", "application/json")
	rec := h.serve(req)
	var out map[string]any
	require.NoError(h.t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

func creds(m map[string]any) map[string]any {
	m["api_key"], m["secret"] = iproovtest.DefaultAPIKey, iproovtest.DefaultSecret
	return m
}

// TestValidateAcceptsEmptyClient: iProov's Retrofit client sends "client": "" on both
// validate calls; iProov's schema sets no minimum length.
func TestValidateAcceptsEmptyClient(t *testing.T) {
	for _, kind := range []string{"enrol", "verify"} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t)
			tok := h.enrolToken("u1")
			if kind == "verify" {
				h.enrol("u1", "alice")
				require.NoError(t, h.emu.CaptureFace(h.verifyToken("u1"), "alice"))
				tok = h.verifyToken("u1")
			}
			require.NoError(t, h.emu.CaptureFace(tok, "alice"))
			status, out := h.postJSON("/claim/"+kind+"/validate", creds(map[string]any{"user_id": "u1", "token": tok, "client": ""}))
			assert.Equal(t, http.StatusOK, status, out)
			assert.Equal(t, true, out["passed"])
		})
	}
}

// TestCamelCaseRiskProfileIsToleratedNotApplied: iProov's Android clients write the risk
// profile as "riskProfile". The server takes it as an unknown field: the token request
// succeeds, and the profile is not applied.
func TestCamelCaseRiskProfileIsToleratedNotApplied(t *testing.T) {
	tests := []struct {
		name     string
		opts     []iproovtest.Option
		body     map[string]any
		status   int
		code     string
		profiled bool
	}{
		{"empty, profiles off (Retrofit default)", nil, map[string]any{"riskProfile": ""}, 200, "", false},
		{"named, profiles off (Fuel)", nil, map[string]any{"riskProfile": "D_33_1A"}, 200, "", false},
		{"named, profiles on: not read, so missing", []iproovtest.Option{iproovtest.WithRiskProfiles("D_33_1A")}, map[string]any{"riskProfile": "D_33_1A"}, 400, "invalid_risk_appetite", false},
		{"beside risk_profile, profiles on", []iproovtest.Option{iproovtest.WithRiskProfiles("D_33_1A")}, map[string]any{"riskProfile": "", "risk_profile": "D_33_1A"}, 200, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts...)
			body := creds(tt.body)
			body["resource"], body["user_id"] = "onboarding", "u1"
			status, out := h.postJSON("/claim/enrol/token", body)
			require.Equal(t, tt.status, status, out)
			if tt.status != http.StatusOK {
				assert.Equal(t, tt.code, out["error"])
				return
			}
			_, hasProfile := out["risk_profile"]
			assert.Equal(t, tt.profiled, hasProfile, "risk_profile in the answer: %v", out)
		})
	}
}

// TestValidateDefaultRiskProfile: iProov's Retrofit client names the risk profile
// "default" on every validate after token requests that named none.
func TestValidateDefaultRiskProfile(t *testing.T) {
	tests := []struct {
		name    string
		opts    []iproovtest.Option
		token   map[string]any // extra token fields
		profile string
		status  int
		code    string
	}{
		{"default after no profile", nil, nil, "default", 200, ""},
		{"empty after no profile", nil, nil, "", 200, ""},
		{"another name after no profile", nil, nil, "D_33_1A", 400, "invalid_validation"},
		{"default after a named profile", []iproovtest.Option{iproovtest.WithRiskProfiles("D_33_1A")}, map[string]any{"risk_profile": "D_33_1A"}, "default", 400, "invalid_validation"},
		{"a profile named default is a profile", []iproovtest.Option{iproovtest.WithRiskProfiles("default")}, map[string]any{"risk_profile": "default"}, "default", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts...)
			body := creds(map[string]any{"resource": "onboarding", "user_id": "u1"})
			for k, v := range tt.token {
				body[k] = v
			}
			status, out := h.postJSON("/claim/enrol/token", body)
			require.Equal(t, http.StatusOK, status, out)
			tok, _ := out["token"].(string)
			require.NoError(t, h.emu.CaptureFace(tok, "alice"))
			status, out = h.postJSON("/claim/enrol/validate", creds(map[string]any{
				"user_id": "u1", "token": tok, "client": "", "risk_profile": tt.profile,
			}))
			require.Equal(t, tt.status, status, out)
			if tt.code != "" {
				assert.Equal(t, tt.code, out["error"])
			}
		})
	}
}

// TestPhotoEnrolAsClientsSendIt: the image labelled application/octet-stream (Spring, Go's
// CreateFormFile) and rotation 0 in each spelling the clients use.
func TestPhotoEnrolAsClientsSendIt(t *testing.T) {
	tests := []struct {
		name string
		form photoForm
	}{
		{"octet-stream JPEG", photoForm{image: sandbox.FaceJPEG("alice"), imageType: "application/octet-stream"}},
		{"octet-stream PNG", photoForm{image: sandbox.FaceImage("alice"), imageType: "application/octet-stream"}},
		{"rotation as iOS writes a native Int 0", photoForm{image: sandbox.FaceJPEG("alice"), imageType: "image/jpeg", rotation: "\x00\x00\x00\x00\x00\x00\x00\x00"}},
		{"rotation as Spring writes an Integer", photoForm{image: sandbox.FaceJPEG("alice"), imageType: "image/jpeg", rotationType: "application/json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.form.token, tt.form.source = h.enrolToken("u1"), "oid"
			body, ct := tt.form.build()
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+iproovtest.BasePath+"/claim/enrol/image", body)
			require.NoError(t, err)
			req.Header.Set("Content-Type", ct)
			rec := h.serve(req)
			data, _ := io.ReadAll(rec.Body)
			require.Equal(t, http.StatusOK, rec.Code, string(data))
			assert.Contains(t, string(data), `"success":true`)
		})
	}
}

// TestPhotoEnrolRotationOtherThanZero: every spelling of 0 is accepted, nothing else; the
// contract middleware refuses the rest in iProov's envelope.
func TestPhotoEnrolRotationOtherThanZero(t *testing.T) {
	for _, rot := range []string{"90", "1", "\x01\x00\x00\x00\x00\x00\x00\x00", "00"} {
		t.Run(strconv.Quote(rot), func(t *testing.T) {
			h := newHarness(t)
			body, ct := photoForm{token: h.enrolToken("u1"), source: "oid", image: sandbox.FaceJPEG("alice"), imageType: "image/jpeg", rotation: rot}.build()
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+iproovtest.BasePath+"/claim/enrol/image", body)
			require.NoError(t, err)
			req.Header.Set("Content-Type", ct)
			rec := h.serve(req)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), `"invalid_request"`)
			assert.Contains(t, rec.Body.String(), "rotation")
			h.dropProblems("oneOf") // the violation is the point
		})
	}
}
