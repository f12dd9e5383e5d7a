package hostile_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/hostile"
)

// The finder is what makes the secrets test able to fail: it must see a secret however
// it was written down.
func TestSecretsFind(t *testing.T) {
	var s hostile.Secrets
	s.Add("api key", "key-SECRET-123")
	img := []byte("\x89PNG\r\n\x1a\n pretend image bytes of zelda, long enough to encode")
	s.AddBytes("image", img)
	s.AddCode("otp", "482916")
	quoted, err := json.Marshal(map[string]string{"msg": `he said "key-SECRET-123"`})
	require.NoError(t, err)

	cases := []struct {
		name string
		text string
		want string // the secret found, "" for none
	}{
		{"plain", "calling with key-SECRET-123", "api key"},
		{"inside JSON", string(quoted), "api key"},
		{"base64 image", "frame=" + base64.StdEncoding.EncodeToString(img), "image"},
		{"truncated base64 image", "frame=" + base64.StdEncoding.EncodeToString(img)[:30] + "…", "image"},
		{"hex image", "frame=" + hex.EncodeToString(img), "image"},
		{"code as a JSON number", `{"otp":482916}`, "otp"},
		{"code in text", "wrong code 482916.", "otp"},
		{"code inside a longer number", "id 14829160", ""},
		{"code as a duration", `{"duration":482916,"status":200}`, ""},
		{"nothing", "verifik createAppRegistration: HTTP 409", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			found := s.Find(c.text)
			if c.want == "" {
				assert.Empty(t, found)
				return
			}
			require.NotEmpty(t, found)
			for _, f := range found {
				assert.True(t, strings.HasPrefix(f, c.want), "found %q", f)
			}
		})
	}
	assert.Panics(t, func() { s.Add("short", "abc") }, "short values would match by chance")
	assert.Panics(t, func() { s.AddCode("not digits", "12ab56") })
}

func TestCounterCountsVendorRequestsOnly(t *testing.T) {
	c := hostile.Count(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	var seen []string
	c.Watch(func(r *http.Request) { seen = append(seen, r.URL.Path) })
	for _, p := range []string{"/liveness/session", "/_sandbox/verisoul/enrollments", "/api/v2/claim/enrol/token"} {
		c.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	assert.Equal(t, int64(2), c.Calls())
	assert.Equal(t, []string{"/liveness/session", "/api/v2/claim/enrol/token"}, seen)
}
