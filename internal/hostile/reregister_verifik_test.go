package hostile_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// TestVerifikReregistrationLeaksNothing: anyone may register into a flow (Verifik's
// hosted sign-up sends no token), so registering someone else's email or phone is how an
// attacker would try to take over that person's registration. With the emulator's
// default re-registration rule (409, as Verifik's resume guide documents) the answer is
// the error only: neither its body nor its headers carry the first registrant's token,
// registration id, information validation id or name, and the first registrant's token
// still works. Each refusal is in Verifik's error shape with the reason as its code.
func TestVerifikReregistrationLeaksNothing(t *testing.T) {
	emu := verifiktest.New()
	h := emu.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := verifik.New(emu.ClientToken(), verifik.WithBaseURL(srv.URL), verifik.WithTransport(noRetry))
	require.NoError(t, err)
	flow, err := c.Setup(ctx, verifik.ProjectConfig{Name: "Reregistration", AllowedCountries: []string{"Colombia"},
		ContactEmail: "support@tenant.example", PrivacyURL: "https://tenant.example/privacy", TermsURL: "https://tenant.example/terms"},
		verifik.FlowConfig{RedirectURL: "https://tenant.example/welcome", EmailCode: true, PhoneCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	require.NoError(t, err)
	victim, err := c.Register(ctx, flow, verifik.Registration{Email: "victim@example.com", Phone: "3005550199", CountryCode: "+57", FullName: "Victoria Firstcomer"})
	require.NoError(t, err)
	st := victim.State()
	secrets := map[string]string{
		"token": st.Token, "registration id": st.AppRegistrationID,
		"information validation id": st.InformationValidationID, "name": "Firstcomer",
	}

	register := func(body smartenroll.AppRegistrationCreateRequest) func() (*http.Request, error) {
		return func() (*http.Request, error) { return smartenroll.NewCreateAppRegistrationRequest(rawServer, body) }
	}
	base := smartenroll.AppRegistrationCreateRequest{Project: flow.ProjectID, ProjectFlow: flow.FlowID, FullName: ptrTo("Mallory Lastcomer")}
	with := func(email, phone string) smartenroll.AppRegistrationCreateRequest {
		b := base
		if email != "" {
			b.Email = ptrTo(email)
		}
		if phone != "" {
			b.Phone, b.CountryCode = ptrTo(phone), ptrTo("+57")
		}
		return b
	}
	cases := []struct {
		name     string
		send     func() (*http.Request, error)
		auth     []func(*http.Request)
		wantCode smartenroll.ErrorCode
	}{
		{"anonymous, the same email", register(with("victim@example.com", "")), nil, smartenroll.ErrorCodeEmailIsRegisteredAlready},
		{"anonymous, the same phone", register(with("", "3005550199")), nil, smartenroll.ErrorCodePhoneIsRegisteredAlready},
		{"anonymous, a new email with the same phone", register(with("mallory@example.com", "3005550199")), nil, smartenroll.ErrorCodePhoneIsRegisteredAlready},
		{"anonymous, the same email and phone", register(with("victim@example.com", "3005550199")), nil, smartenroll.ErrorCodeEmailIsRegisteredAlready},
		{"the account's client token, the same email", register(with("victim@example.com", "")), []func(*http.Request){bearerHeader(emu.ClientToken())}, smartenroll.ErrorCodeEmailIsRegisteredAlready},
		{"the account's client token, the same phone", register(with("", "3005550199")), []func(*http.Request){bearerHeader(emu.ClientToken())}, smartenroll.ErrorCodePhoneIsRegisteredAlready},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.send()
			require.NoError(t, err)
			for _, a := range tc.auth {
				a(r)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			body := rec.Body.String()
			assert.Equal(t, http.StatusConflict, rec.Code, body)
			assert.Contains(t, body, `"code":"`+string(tc.wantCode)+`"`, "Verifik's error shape with the reason as its code")
			var headers strings.Builder
			for k, vs := range rec.Header() {
				headers.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
			}
			for what, s := range secrets {
				assert.NotContains(t, body, s, "the body carries the first registrant's %s", what)
				assert.NotContains(t, headers.String(), s, "a header carries the first registrant's %s", what)
			}
		})
	}

	// The first registrant is untouched: their token still reads their registration, and
	// the emulator still holds one registration for the email.
	r, err := c.Resume(st)
	require.NoError(t, err)
	_, err = r.Refresh(ctx)
	require.NoError(t, err, "the first registrant's token still works")
	assert.Len(t, emu.Registrations(), 1, "no second registration was created")
}
