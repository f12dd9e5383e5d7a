package verisoultest_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// TestInspect: the dashboard's view holds each session with its product, state, face,
// error and account, newest first, and the recent calls with their contract verdict
// (an ID Check enrolment named enrollIDCheck) — and nothing secret or personal beyond
// the face name.
func TestInspect(t *testing.T) {
	e := newEnv(t)
	alice := e.enrolled("alice", "acct-alice")
	failed := e.faceMatchSession()
	require.NoError(t, e.emu.Fail(failed, verisoultest.FailLiveness))
	idc := e.idCheckSession()
	require.NoError(t, e.emu.CompleteWithDocument(idc, "bob", e.emu.DocumentFor("bob")))
	require.NotNil(t, e.enroll(idc, "acct-bob").JSON200)
	e.clock.Advance(1)
	open := e.faceMatchSession()

	insp := e.emu.Inspect()
	assert.Equal(t, "verisoul", insp.Vendor)
	require.Len(t, insp.Items, 4)
	assert.Equal(t, open, insp.Items[0].ID, "most recently changed first")
	byID := map[string]map[string]string{}
	states := map[string]string{}
	for _, it := range insp.Items {
		assert.Equal(t, "session", it.Kind)
		byID[it.ID], states[it.ID] = it.Detail, it.State
	}
	tests := []struct {
		id, state string
		detail    map[string]string
	}{
		{alice, "completed", map[string]string{"product": "face_match", "face": "alice", "account_id": "acct-alice", "project_id": verisoultest.DefaultProjectID}},
		{failed, "failed", map[string]string{"product": "face_match", "error_message": verisoultest.FailLiveness, "project_id": verisoultest.DefaultProjectID}},
		{idc, "completed", map[string]string{"product": "id_check", "face": "bob", "account_id": "acct-bob", "has_document": "true", "project_id": verisoultest.DefaultProjectID}},
		{open, "created", map[string]string{"product": "face_match", "project_id": verisoultest.DefaultProjectID}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.state, states[tt.id])
		assert.Equal(t, tt.detail, byID[tt.id])
	}

	var ops []string
	for _, c := range insp.Calls {
		ops = append(ops, c.Operation)
		assert.Equal(t, "ok", c.Verdict)
	}
	assert.Contains(t, ops, "enrollIDCheck", "the enrolment of an ID Check session is named for its product")
	assert.Contains(t, ops, "enrollFaceMatch")
	assert.Equal(t, "createFaceMatchSession", insp.Calls[0].Operation, "most recent first")

	js, err := json.Marshal(insp)
	require.NoError(t, err)
	doc := e.emu.DocumentFor("bob")
	for _, secret := range []string{verisoultest.DefaultAPIKey, doc.Number, doc.DateOfBirth, "Sandbox"} {
		assert.NotContains(t, string(js), secret)
	}
}
