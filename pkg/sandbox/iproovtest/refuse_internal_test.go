package iproovtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// TestRefusalsAreDocumented: every answer the contract middleware makes itself - 400
// for a request that breaks the spec, 413 for a body over the limit, 500 for an answer
// of the emulator's that breaks it - is, for every operation, an answer the spec
// documents for that operation, drift included; a route iProov does not have gets
// iProov's generic 404.
func TestRefusalsAreDocumented(t *testing.T) {
	e := New()
	spec := e.spec
	problem := &contract.Error{Spec: "iproov/claim", Problems: []contract.Problem{{Location: "body.user_id", Rule: "schema", Message: "value does not match the pattern"}}}
	for path, item := range spec.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, status := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusInternalServerError} {
				t.Run(op.OperationID+"/"+http.StatusText(status), func(t *testing.T) {
					p := strings.NewReplacer("{token}", "abc", "{api_key}", DefaultAPIKey, "{user_id}", "u1").Replace(path)
					req := httptest.NewRequest(method, BasePath+p, nil)
					rec := httptest.NewRecorder()
					e.refuse(rec, req, contract.Refusal{Status: status, Operation: op.OperationID, Err: problem})
					require.Equal(t, status, rec.Code)
					err := spec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes())
					assert.NoError(t, err, "%s", rec.Body.String())
				})
			}
		}
	}
	t.Run("no route", func(t *testing.T) {
		req := httptest.NewRequest("GET", BasePath+"/no/such/route", nil)
		rec := httptest.NewRecorder()
		e.refuse(rec, req, contract.Refusal{Status: http.StatusNotFound})
		require.Equal(t, http.StatusNotFound, rec.Code)
		var body any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.NoError(t, spec.Doc.Components.Schemas["ErrorResponse"].Value.VisitJSON(body))
	})
}

// TestRefusalSaysWhereNotWhat: a 400 names the place and the rule broken, never a value.
func TestRefusalSaysWhereNotWhat(t *testing.T) {
	got := describe(&contract.Error{Problems: []contract.Problem{
		{Location: "body.user_id", Rule: "schema", Message: "value does not match the pattern"},
		{Location: "body.resource", Rule: "schema", Message: "property is missing"},
	}})
	assert.Equal(t, "The request does not match the API: body.user_id: value does not match the pattern (and 1 more)", got)
}
