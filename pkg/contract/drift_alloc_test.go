package contract

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDriftWalkAllocatesOnlyToReport: walking Verisoul's 3 KB verify-id answer for
// unknown properties allocates a constant few (the path stack), not per node: it cost
// 290 allocations a response when each node expanded its schemas and built its location.
// The same walk still finds drift, on the first call and on the cached ones after it.
func TestDriftWalkAllocatesOnlyToReport(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/verisoul/idc-verify-id-response-200.json")
	require.NoError(t, err)
	var fx struct{ Body json.RawMessage }
	require.NoError(t, json.Unmarshal(raw, &fx))
	spec := Default().Spec("verisoul/idcheck")
	var op *route
	for _, rt := range spec.routes {
		if rt.opID == "verifyID" {
			op = rt
		}
	}
	require.NotNil(t, op)
	schema := op.kin.Operation.Responses.Status(200).Value.Content.Get("application/json").Schema

	var v any
	require.NoError(t, json.Unmarshal(fx.Body, &v))
	var found []string
	report := func(loc, name string) { found = append(found, loc+"."+name) }
	allocs := testing.AllocsPerRun(20, func() { unknownProperties(spec, v, schema, "body", report) })
	assert.Empty(t, found, "the vendor's example has no drift")
	assert.LessOrEqual(t, allocs, 10.0, "a constant few (more under -race), not per node")

	m := v.(map[string]any)
	m["session_data"].(map[string]any)["device"].(map[string]any)["npu"] = "x"
	m["matches"].(map[string]any)["accounts_linked"].([]any)[0].(map[string]any)["score"] = 1
	for range 2 {
		found = nil
		unknownProperties(spec, v, schema, "body", report)
		assert.ElementsMatch(t, []string{"body.session_data.device.npu", "body.matches.accounts_linked.0.score"}, found)
	}
}
