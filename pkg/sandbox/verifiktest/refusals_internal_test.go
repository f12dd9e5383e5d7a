package verifiktest

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// unrefusable are the operations whose requests the spec cannot reject: no body, and
// parameters of any string. They document no 409, and the middleware never refuses them.
var unrefusable = map[string]bool{"getProject": true, "getProjectFlow": true, "deleteAppRegistration": true, "getWebhook": true, "deleteWebhook": true,
	"getProjectV3": true, "getIdentityImages": true, "deleteDocumentValidation": true}

// TestRefusalsAreDocumented holds every refusal the middleware can make, on every
// operation, against the spec: Verifik's body and a status the operation documents. The
// 500 (an answer of the emulator the spec does not document) cannot be provoked over
// HTTP, so the refusals are built here.
func TestRefusalsAreDocumented(t *testing.T) {
	spec := contract.Default().Spec("verifik/smartenroll")
	e := New()
	kinds := []struct {
		name     string
		ref      contract.Refusal
		want     int
		wantCode string
	}{
		{"request breaks the spec", contract.Refusal{Status: 400, Err: &contract.Error{Problems: []contract.Problem{{Location: "query.page", Rule: contract.RuleType}}}}, 409, "InvalidArgument"},
		{"required field missing", contract.Refusal{Status: 400, Err: &contract.Error{Problems: []contract.Problem{{Location: "body.project", Rule: contract.RuleRequired}}}}, 409, "MissingParameter"},
		{"credential missing too", contract.Refusal{Status: 400, Err: &contract.Error{Problems: []contract.Problem{{Location: "header.authorization", Rule: contract.RuleSecurity}, {Location: "body.os", Rule: contract.RuleEnum}}}}, 401, "Forbidden"},
		{"body too large", contract.Refusal{Status: 413, Err: &contract.Error{Problems: []contract.Problem{{Location: "body", Rule: contract.RuleBodyTooLarge, Message: "request body is larger than this operation's limit of 4194304 bytes"}}}}, 413, "PayloadTooLarge"},
		{"answer outside the spec", contract.Refusal{Status: 500, Err: &contract.Error{Problems: []contract.Problem{{Location: "status", Rule: contract.RuleUndocumentedStatus}}}}, 500, "Internal"},
	}
	for p, item := range spec.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, k := range kinds {
				if k.want == 409 && unrefusable[op.OperationID] {
					continue
				}
				if k.want == 401 && op.Security != nil && len(*op.Security) == 0 {
					continue // a public operation asks no credential to miss
				}
				t.Run(op.OperationID+"/"+k.name, func(t *testing.T) {
					req := httptest.NewRequest(method, strings.ReplaceAll(p, "{id}", "000000000000000000000000"), nil)
					ref := k.ref
					ref.Operation = op.OperationID
					rec := httptest.NewRecorder()
					e.refuse(rec, req, ref)
					assert.Equal(t, k.want, rec.Code)
					var body struct{ Code, Message string }
					require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
					assert.Equal(t, k.wantCode, body.Code)
					assert.NotEmpty(t, body.Message, "Verifik's error body requires a message")
					assert.NoError(t, spec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()))
				})
			}
		}
	}
}

// TestUnrefusableOperationsTakeNothingToCheck keeps the exemption above honest: the
// operations it names take no request body, and so nothing the middleware could refuse.
func TestUnrefusableOperationsTakeNothingToCheck(t *testing.T) {
	spec := contract.Default().Spec("verifik/smartenroll")
	for p, item := range spec.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !unrefusable[op.OperationID] {
				continue
			}
			assert.Nil(t, op.RequestBody, op.OperationID)
			req := httptest.NewRequest(method, strings.ReplaceAll(p, "{id}", "anything-at-all")+"?with[]=x&page=abc", nil)
			req.Header.Set("Authorization", "Bearer x")
			assert.NoError(t, spec.ValidateRequest(req), op.OperationID)
			_, documented := op.Responses.Map()["409"]
			assert.False(t, documented, op.OperationID)
		}
	}
}
