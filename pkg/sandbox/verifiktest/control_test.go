package verifiktest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func TestOutboxControlEndpoints(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Outbox", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, token := h.register(project, flow, "olive@example.com", "Olive Oyl")
	v, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: project, Email: "Olive@Example.com", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, v.StatusCode())
	assert.NotContains(t, string(v.Body), mustCode(t, h, "olive@example.com"), "the answer carries a hash, never the code")

	// Resending while active sends the same code (existing: true).
	again, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: project, Email: "olive@example.com", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(token))
	require.NoError(t, err)
	assert.True(t, *again.JSON200.Data.Existing)
	assert.Equal(t, v.JSON200.Data.ID, again.JSON200.Data.ID)

	code, err := verifiktest.FetchCode(ctx, h.srv.Client(), h.srv.URL, "olive@example.com")
	require.NoError(t, err)
	assert.Equal(t, mustCode(t, h, "olive@example.com"), code)

	status, body := get(t, h, verifiktest.ControlPrefix+"outbox?to=olive@example.com")
	assert.Equal(t, http.StatusOK, status)
	var out struct {
		Messages []verifiktest.Message `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &out))
	require.Len(t, out.Messages, 2)
	assert.Equal(t, "email", out.Messages[0].Channel)
	assert.Equal(t, out.Messages[0].Code, out.Messages[1].Code)

	_, err = verifiktest.FetchCode(ctx, nil, h.srv.URL, "nobody@example.com")
	assert.Error(t, err)
	status, _ = get(t, h, verifiktest.ControlPrefix+"nothing-here")
	assert.Equal(t, http.StatusNotFound, status)

	status, body = h.control(http.MethodPut, verifiktest.ControlPrefix+"credits", `{"credits":"many"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), `expected {\"credits\": n}`, "a body that does not parse says what is expected")
}

func mustCode(t *testing.T, h *harness, to string) string {
	t.Helper()
	code, ok := h.emu.LastCode(to)
	require.True(t, ok)
	require.Len(t, code, 6)
	return code
}

func get(t *testing.T, h *harness, path string) (int, []byte) {
	t.Helper()
	resp, err := h.srv.Client().Get(h.srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// A tampered token is refused, and a registrant token expires with the clock.
func TestTokens(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Tokens", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, token := h.register(project, flow, "tom@example.com", "Tom Sawyer")

	me := func(tok string) int {
		res, err := h.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{}, bearer(tok))
		require.NoError(t, err)
		return res.StatusCode()
	}
	assert.Equal(t, http.StatusOK, me(token))
	tampered := token[:len(token)-2] + "xx"
	assert.Equal(t, http.StatusUnauthorized, me(tampered))
	h.clock.Advance(verifiktest.TokenTTL)
	assert.Equal(t, http.StatusUnauthorized, me(token))
}

// TestCaptureHelpersAreImages: the capture helpers return verifik.Image, so they go into
// verifik.Selfie and verifik.Document as they are (issue #12), in the shapes Verifik
// takes: a data-URI JPEG for a selfie, bare base64 for a document.
func TestCaptureHelpersAreImages(t *testing.T) {
	tests := []struct {
		name       string
		img        verifik.Image
		wantPrefix string
		wantFace   string
	}{
		{"selfie", verifiktest.Selfie("alice"), "data:image/jpeg;base64,", "alice"},
		{"spoofed selfie", verifiktest.SpoofSelfie("alice", 0.3), "data:image/jpeg;base64,", "alice@0.30"},
		{"document", verifiktest.DocumentPhoto(alice()), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := strings.TrimPrefix(string(tc.img), tc.wantPrefix)
			if tc.wantPrefix != "" {
				require.NotEqual(t, string(tc.img), raw, "the data-URI prefix")
			} else {
				require.False(t, strings.HasPrefix(raw, "data:"), "a document is bare base64")
			}
			b, err := base64.StdEncoding.DecodeString(raw)
			require.NoError(t, err)
			if tc.wantFace != "" {
				assert.Equal(t, tc.wantFace, sandbox.FaceOf(b))
			} else {
				d, ok := sandbox.DocumentOf(b)
				require.True(t, ok)
				assert.Equal(t, alice(), d)
			}
		})
	}
	// Straight into the client's types, no conversion.
	_ = verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS}
	_ = verifik.Document{Front: verifiktest.DocumentPhoto(alice())}
}
