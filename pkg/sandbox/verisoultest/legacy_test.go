package verisoultest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLegacyVerifyUniqueness: the deprecated 1:N check answers from the same state as
// verify-face, in its own shape, and refuses what verify-face refuses.
func TestLegacyVerifyUniqueness(t *testing.T) {
	cases := []struct {
		name    string
		session func(e *env) string
		matches []string // account ids, in order
		code    string
	}{
		{"a new face matches nobody", func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "alice"))
			return id
		}, []string{}, ""},
		{"a returning face matches its account", func(e *env) string {
			e.enrolled("bob", "acct-bob")
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "bob"))
			return id
		}, []string{"acct-bob"}, ""},
		{"another face does not match", func(e *env) string {
			e.enrolled("bob", "acct-bob")
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "carol"))
			return id
		}, []string{}, ""},
		{"not started", func(e *env) string { return e.faceMatchSession() }, nil, "session_not_started"},
		{"an ID Check session", func(e *env) string {
			id := e.idCheckSession()
			require.NoError(t, e.emu.CompleteWithDocument(id, "dan", e.emu.DocumentFor("dan")))
			return id
		}, nil, "session_not_valid_for_this_endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			res := e.verifyUniqueness(c.session(e))
			e.checkLast(fmSpec)
			if c.code != "" {
				require.NotNil(t, res.JSON400, "status %d: %s", res.StatusCode(), res.Body)
				assert.Equal(t, c.code, string(deref(res.JSON400.Error)))
				return
			}
			require.NotNil(t, res.JSON200, "status %d: %s", res.StatusCode(), res.Body)
			assert.True(t, res.JSON200.Success)
			assert.NotEmpty(t, res.JSON200.RequestId)
			got := []string{}
			for _, m := range res.JSON200.Matches {
				got = append(got, *m.AccountId)
				assert.InDelta(t, 100, *m.Score, 0, "the same face scores 100 on the legacy scale")
			}
			assert.Equal(t, c.matches, got)
		})
	}
}

// TestLegacyVerifyDocument: the deprecated verify-document restates verify-id on the
// legacy scale: scores 0-100, boolean signals.
func TestLegacyVerifyDocument(t *testing.T) {
	t.Run("a completed session", func(t *testing.T) {
		e := newEnv(t)
		e.enrolled("erin", "acct-erin") // a Face Match enrolment of the same face: repeat_face
		id := e.idCheckSession()
		require.NoError(t, e.emu.CompleteWithDocument(id, "erin", e.emu.DocumentFor("erin")))
		modern := e.verifyID(id)
		require.NotNil(t, modern.JSON200)
		res := e.verifyDocument(id)
		e.checkLast(idcSpec)
		require.NotNil(t, res.JSON200, "status %d: %s", res.StatusCode(), res.Body)
		v := res.JSON200
		assert.Equal(t, *modern.JSON200.Decision, *v.Decision)
		assert.InDelta(t, *modern.JSON200.RiskScore*100, *v.RiskScore, 0.001)
		assert.Greater(t, *v.RiskScore, float32(1), "the legacy scale goes to 100")
		assert.Equal(t, *modern.JSON200.RiskFlags, *v.RiskFlags)
		assert.InDelta(t, *modern.JSON200.DocumentSignals.IdFaceMatchScore*100, *v.DocumentSignals.IdFaceMatchScore, 0.001)
		require.NotNil(t, v.DeviceNetworkSignals.Proxy)
		assert.False(t, *v.DeviceNetworkSignals.Proxy)
		assert.False(t, *v.DeviceNetworkSignals.IpDocumentCountryMismatch)
		assert.Equal(t, id, v.Metadata.SessionId.String())
		assert.Equal(t, modern.JSON200.DocumentData, v.DocumentData)
	})
	for _, c := range []struct {
		name    string
		session func(e *env) string
		code    string
	}{
		{"not started", func(e *env) string { return e.idCheckSession() }, "session_not_started"},
		{"a Face Match session", func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "fay"))
			return id
		}, "session_not_valid_for_this_endpoint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			res := e.verifyDocument(c.session(e))
			e.checkLast(idcSpec)
			require.NotNil(t, res.JSON400, "status %d: %s", res.StatusCode(), res.Body)
			assert.Equal(t, c.code, string(deref(res.JSON400.Error)))
		})
	}
}
