package verisoultest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// TestRefuseAnswersAreDocumented: whatever the middleware refuses (400, 413 and 500, the
// last only reachable when the emulator itself breaks its spec), refuse answers with a
// status and body the spec documents for the operation.
func TestRefuseAnswersAreDocumented(t *testing.T) {
	e := New()
	ops := []struct {
		spec           *contract.Spec
		method, target string
	}{
		{e.fmSpec, "GET", "/liveness/session"},
		{e.fmSpec, "GET", "/public/liveness-redirect?project_id=" + DefaultProjectID},
		{e.fmSpec, "POST", "/liveness/enroll"},
		{e.fmSpec, "POST", "/liveness/verify-face"},
		{e.fmSpec, "POST", "/liveness/verify-identity"},
		{e.idcSpec, "GET", "/liveness/session?id=true"},
		{e.idcSpec, "GET", "/public/liveness-redirect?id=true&project_id=" + DefaultProjectID},
		{e.idcSpec, "POST", "/liveness/enroll"},
		{e.idcSpec, "POST", "/liveness/verify-id"},
	}
	for _, o := range ops {
		for _, status := range []int{400, 413, 500} {
			req := httptest.NewRequest(o.method, o.target, nil)
			req.Header.Set("x-api-key", DefaultAPIKey)
			op, ok := o.spec.FindOperation(req)
			require.True(t, ok, o.target)
			t.Run(op+"/"+strconv.Itoa(status), func(t *testing.T) {
				rec := httptest.NewRecorder()
				e.refuse(rec, req, contract.Refusal{Status: status, Operation: op, Err: &contract.Error{}})
				assert.Equal(t, status, rec.Code)
				assert.NoError(t, o.spec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()), rec.Body.String())
			})
		}
	}
	t.Run("no route", func(t *testing.T) {
		rec := httptest.NewRecorder()
		e.refuse(rec, httptest.NewRequest("GET", "/nothing", nil), contract.Refusal{Status: http.StatusNotFound})
		assert.Equal(t, http.StatusNotFound, rec.Code)
		assert.JSONEq(t, `{"message":"Not Found"}`, rec.Body.String())
	})
}
