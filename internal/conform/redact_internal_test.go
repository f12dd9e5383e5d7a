package conform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSensitiveKey(t *testing.T) {
	for key, want := range map[string]bool{
		"x-api-key": true, "Authorization": true, "session_id": true, "token": true, "otp": true, "demoOTP": true,
		"firstName": true, "full_name": true, "date_of_birth": true, "documentNumber": true, "address": true,
		"email": true, "phone": true, "ip": true, "ip_address": true, "selfie": true, "image": true, "photo_urls": true,
		"decision": false, "status": false, "code": false, "error": false, "risk_score": false, "description": false,
		"recipient": false, "token_type": false, "template_type": false, "match_types": false,
	} {
		require.Equal(t, want, sensitiveKey(key), key)
	}
}

// TestRedactJSON keeps types (a number stays a number) and learns what it redacts, so a
// value seen at a sensitive key is scrubbed where it reappears, and a numeric code only as
// a whole number.
func TestRedactJSON(t *testing.T) {
	r := newRedactor("key-SECRET-123456")
	locs := map[string]bool{}
	var v any
	require.NoError(t, json.Unmarshal([]byte(`{"otp": 482916, "data": {"email": "zelda@example.com", "status": "sent",
		"items": [{"token": "tok-abcdef-1"}]}, "note": "key-SECRET-123456 was used"}`), &v))
	out, err := json.Marshal(r.jsonValue(v, "body", false, locs))
	require.NoError(t, err)
	require.JSONEq(t, `{"otp": 0, "data": {"email": "REDACTED", "status": "sent", "items": [{"token": "REDACTED"}]},
		"note": "REDACTED was used"}`, string(out))
	require.Equal(t, map[string]bool{"body.otp": true, "body.data.email": true, "body.data.items[].token": true, "body.note": true}, locs)

	got, changed := r.scrub("/claim/tok-abcdef-1/invalidate?to=zelda%40example.com")
	require.True(t, changed)
	require.Equal(t, "/claim/REDACTED/invalidate?to=REDACTED", got)

	r.learn("482916")
	got, _ = r.scrub("code 482916 at 2026-01-01T10:48:29.1648291600Z")
	require.Equal(t, "code REDACTED at 2026-01-01T10:48:29.1648291600Z", got)
	r.learn("liveness_check_failed") // an enum value is no secret
	got, _ = r.scrub("liveness_check_failed")
	require.Equal(t, "liveness_check_failed", got)
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"drift target a op body.x", "drift target a op body.x", true},
		{"* * * * body.items[]", "field diff j op body.items[]", true},
		{"drift * verisoul-*", "drift target verisoul-uniqueness verifyFace body.x", true},
		{"drift * iproov-*", "drift target verisoul-uniqueness verifyFace body.x", false},
		{"drift * verisoul-* *", "drift target verisoul-uniqueness verifyFace body.x", true},
		{"a*a", "a", false},
	} {
		require.Equal(t, tc.want, glob(tc.pattern, tc.s), "%s ~ %s", tc.pattern, tc.s)
	}
}

// TestGitHubEscaping: a finding's text can neither end the workflow command early nor
// start another.
func TestGitHubEscaping(t *testing.T) {
	require.Equal(t, "a%0A::error::b %25", escapeData("a\n::error::b %"))
	require.Equal(t, "t%3A x%2C y", escapeProperty("t: x, y"))
}
