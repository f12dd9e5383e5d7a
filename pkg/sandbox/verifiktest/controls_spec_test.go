package verifiktest

import (
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
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// controls is the control handler as the emulator wires it: the guard, then the controls
// spec, then the endpoints.
func controls(t *testing.T, e *Emulator) http.Handler {
	t.Helper()
	return sandbox.GuardControl(e.checkedControls(e.controlHandler()))
}

func call(t *testing.T, h http.Handler, method, path, body string) (*httptest.ResponseRecorder, map[string]string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://127.0.0.1"+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]string
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
	}
	return rec, out
}

// TestControlsSpecDescribesEveryControl: every route the control and app handlers serve
// is an operation of api/sandbox/verifik.yaml, and the answers they give are the ones it
// documents (the enforcing middleware would answer 500 otherwise).
func TestControlsSpecDescribesEveryControl(t *testing.T) {
	spec := contract.Default().Spec(controlsSpecName)
	for _, tc := range []struct{ method, path, op string }{
		{"GET", specPath, "getControlsSpec"},
		{"GET", sandbox.ControlPath, "getFaults"},
		{"PUT", sandbox.ControlPath, "setFaults"},
		{"POST", sandbox.ControlPath, "postFaults"},
		{"DELETE", sandbox.ControlPath, "clearFaults"},
		{"GET", ControlPrefix + "outbox", "listOutbox"},
		{"GET", ControlPrefix + "outbox/last", "getLastCode"},
		{"GET", ControlPrefix + "deliveries", "listDeliveries"},
		{"PUT", ControlPrefix + "credits", "setCredits"},
		{"GET", AppPath + "65f1c0ffee0123456789abcd", "openSignUpApp"},
		{"GET", AppStartPath, "openSignUpStart"},
		{"POST", AppStartPath, "startSignUp"},
		{"GET", appDonePath, "openSignUpDone"},
		{"GET", AppPath + "65f1c0ffee0123456789abcd/inbox", "getSignUpInbox"},
		{"POST", AppPath + "65f1c0ffee0123456789abcd/capture", "captureSignUpImage"},
	} {
		op, ok := spec.FindOperation(httptest.NewRequest(tc.method, tc.path, nil))
		assert.True(t, ok, "%s %s is not in the controls spec", tc.method, tc.path)
		assert.Equal(t, tc.op, op, "%s %s", tc.method, tc.path)
	}
}

// TestControlsSpecEnforced: each control call is held to the spec, and a body that does
// not parse is answered with what the endpoint expects.
func TestControlsSpecEnforced(t *testing.T) {
	var problems []*contract.Error
	e := New(WithOnProblem(func(err *contract.Error) { problems = append(problems, err) }))
	h := controls(t, e)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, message            string
	}{
		{"credits set", "PUT", ControlPrefix + "credits", `{"credits":2}`, http.StatusNoContent, "", ""},
		{"credits unlimited", "PUT", ControlPrefix + "credits", `{"credits":null}`, http.StatusNoContent, "", ""},
		{"credits as a word", "PUT", ControlPrefix + "credits", `{"credits":"many"}`, http.StatusBadRequest, "invalid_body", `expected {"credits": n} with n a whole number or null`},
		{"credits negative", "PUT", ControlPrefix + "credits", `{"credits":-1}`, http.StatusBadRequest, "invalid_body", `expected {"credits": n}`},
		{"credits not JSON", "PUT", ControlPrefix + "credits", `credits=1`, http.StatusBadRequest, "invalid_body", `expected {"credits": n}`},
		{"credits without body", "PUT", ControlPrefix + "credits", ``, http.StatusBadRequest, "invalid_body", `expected {"credits": n}`},
		{"credits with another field", "PUT", ControlPrefix + "credits", `{"credits":1,"extra":true}`, http.StatusBadRequest, "invalid_body", `expected {"credits": n}`},
		{"last code without recipient", "GET", ControlPrefix + "outbox/last", ``, http.StatusBadRequest, "invalid_request", "query.to"},
		{"last code of nobody", "GET", ControlPrefix + "outbox/last?to=a@b.example", ``, http.StatusNotFound, "no_message", ""},
		{"outbox", "GET", ControlPrefix + "outbox", ``, http.StatusOK, "", ""},
		{"unknown control", "GET", ControlPrefix + "nothing-here", ``, http.StatusNotFound, "no_control_endpoint", specPath},
		{"wrong method", "DELETE", ControlPrefix + "credits", ``, http.StatusNotFound, "no_control_endpoint", specPath},
		{"credits too large", "PUT", ControlPrefix + "credits", `{"credits":` + strings.Repeat(" ", 2<<10) + `1}`, http.StatusRequestEntityTooLarge, "body_too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, out := call(t, h, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.code != "" {
				assert.Equal(t, tc.code, out["error"], rec.Body.String())
				assert.Contains(t, out["message"], tc.message)
			}
		})
	}
	assert.Empty(t, problems, "a caller's bad request is not a contract problem of the emulator")
}

// An answer outside the controls spec is the emulator's bug: 500 and a contract problem.
func TestControlsSpecHoldsTheAnswers(t *testing.T) {
	var problems []*contract.Error
	e := New(WithOnProblem(func(err *contract.Error) { problems = append(problems, err) }))
	h := sandbox.GuardControl(e.checkedControls(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sandbox.WriteJSON(w, http.StatusOK, map[string]any{"messages": "not a list"})
	})))
	rec, out := call(t, h, "GET", ControlPrefix+"outbox", "")
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "internal_error", out["error"])
	assert.Len(t, problems, 1)
}

// TestControlsSpecServed: GET /_sandbox/openapi.yaml answers the controls spec with the
// shared fragment inlined, a document any OpenAPI tool loads on its own.
func TestControlsSpecServed(t *testing.T) {
	rec, _ := call(t, controls(t, New()), "GET", specPath, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/yaml", rec.Header().Get("Content-Type"))
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	assert.NotContains(t, string(body), "faults.yaml", "no reference to another file")
	doc, err := openapi3.NewLoader().LoadFromData(body)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))
	assert.Equal(t, "idvkit sandbox controls: Verifik", doc.Info.Title)
	for _, p := range []string{sandbox.ControlPath, ControlPrefix + "credits", AppPath + "{projectId}", AppPath + "{projectId}/capture"} {
		assert.NotNil(t, doc.Paths.Find(p), "%s is described", p)
	}
	assert.NotNil(t, doc.Paths.Find(sandbox.ControlPath).Put, "the fault control endpoint comes from the fragment")
}
