package verifiktest_test

// What Verifik's own web SDK and newest docs send, held against the emulator (issue 10).

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// demoProject makes a demo-mode project whose code is demoOTP, with an email-code flow.
func (h *harness) demoProject(demoOTP string) (project, flow string) {
	h.t.Helper()
	p, err := h.api.CreateProjectWithResponse(ctx, smartenroll.ProjectCreateRequest{
		Name: "Demo " + demoOTP, AllowedCountries: []string{"Colombia"},
		ContactEmail: "support@acme.example", PrivacyUrl: "https://acme.example/privacy",
		TermsAndConditionsUrl: "https://acme.example/terms", DemoMode: ptr(true), DemoOTP: ptr(demoOTP),
	}, h.client())
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, p.StatusCode(), string(p.Body))
	settings := flowSettings(smartenroll.StepSkip, smartenroll.StepSkip)
	settings.SignUpForm = &smartenroll.SignUpFormSettings{Email: ptr(true), EmailGateway: ptr(smartenroll.EmailGatewayMailgun), PhoneGateway: ptr(smartenroll.PhoneGatewayNone)}
	f, err := h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{
		Project: p.JSON200.Data.ID, Type: smartenroll.FlowTypeOnboarding, Status: ptr(smartenroll.FlowActive),
		RedirectUrl: ptr("https://acme.example/welcome"), OnboardingSettings: &settings,
	}, h.client())
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, f.StatusCode(), string(f.Body))
	return p.JSON200.Data.ID, f.JSON200.Data.ID
}

// TestOTPStringOrNumber: the web SDK sends the code as a JSON string, the docs as a
// number; a code with a leading zero only survives as a string.
func TestOTPStringOrNumber(t *testing.T) {
	cases := []struct {
		name   string
		demo   string
		otp    smartenroll.OTPCode
		status int
	}{
		{"string, as the web SDK sends it", "123456", "123456", http.StatusOK},
		{"number, as the docs show it", "123456", 123456, http.StatusOK},
		{"leading zero as a string", "012345", "012345", http.StatusOK},
		{"leading zero lost in a number", "012345", 12345, http.StatusForbidden},
		{"all zeros as a string", "000000", "000000", http.StatusOK},
		{"all zeros as a number counts as missing", "000000", 0, http.StatusConflict},
		{"wrong string", "123456", "654321", http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			project, flow := h.demoProject(c.demo)
			_, _, token := h.register(project, flow, "otp@example.com", "Otto Pe")
			v, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
				Project: project, ProjectFlow: ptr(flow), Email: "otp@example.com", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
			}, bearer(token))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, v.StatusCode(), string(v.Body))
			res, err := h.api.ValidateEmailValidationWithResponse(ctx, v.JSON200.Data.ID,
				smartenroll.EmailValidationConfirmRequest{Email: "otp@example.com", Otp: c.otp}, bearer(token))
			require.NoError(t, err)
			assert.Equal(t, c.status, res.StatusCode(), string(res.Body))
		})
	}
}

// TestSyncEndWithCurrentStatus: the web SDK finishes with {step: end, status: <current
// status>} and the server decides the final status.
func TestSyncEndWithCurrentStatus(t *testing.T) {
	cases := []struct {
		name     string
		document smartenroll.StepRequirement
		sent     smartenroll.AppRegistrationStatus
		status   int
		final    smartenroll.AppRegistrationStatus
	}{
		{"current status ONGOING, nothing missing", smartenroll.StepSkip, smartenroll.AppRegistrationOngoing, http.StatusOK, smartenroll.AppRegistrationCompleted},
		{"current status STARTED, nothing missing", smartenroll.StepSkip, smartenroll.AppRegistrationStarted, http.StatusOK, smartenroll.AppRegistrationCompleted},
		{"a final status is kept", smartenroll.StepSkip, smartenroll.AppRegistrationNeedsManualVerification, http.StatusOK, smartenroll.AppRegistrationNeedsManualVerification},
		{"a mandatory document missing", smartenroll.StepMandatory, smartenroll.AppRegistrationOngoing, http.StatusConflict, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			project, flow := h.setup("Sync end", flowSettings(c.document, smartenroll.StepSkip), false)
			id, _, token := h.register(project, flow, "end@example.com", "Enid End")
			h.confirmEmail(project, token, "end@example.com")
			res, err := h.api.SyncAppRegistrationWithResponse(ctx, id, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: c.sent}, bearer(token))
			require.NoError(t, err)
			require.Equal(t, c.status, res.StatusCode(), string(res.Body))
			if c.status != http.StatusOK {
				return
			}
			assert.Equal(t, c.final, *res.JSON200.Data.Status)
			assert.NotEmpty(t, *res.JSON200.Data.Token)
		})
	}
}

// TestReregistration: the three answers Verifik's pages give for an email or phone that
// is already registered; without an option, the newest pages' 409.
func TestReregistration(t *testing.T) {
	cases := []struct {
		name    string
		mode    verifiktest.Reregistration
		phone   bool
		status  int
		code    string
		message string
	}{
		{"default: the newest page's 409", -1, false, http.StatusConflict, "email_is_registered_already", "409:email_is_registered_already"},
		{"tutorial: the same registration", verifiktest.ReregisterRestarts, false, http.StatusOK, "", ""},
		{"newest page: 409 for an email", verifiktest.ReregisterConflict, false, http.StatusConflict, "email_is_registered_already", "409:email_is_registered_already"},
		{"newest page: 409 for a phone", verifiktest.ReregisterConflict, true, http.StatusConflict, "phone_is_registered_already", "409:phone_is_registered_already"},
		{"older revision: 412 Conflict", verifiktest.ReregisterPreconditionFailed, false, http.StatusPreconditionFailed, "Conflict", "email_is_registered_already"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []verifiktest.Option
			if c.mode >= 0 {
				opts = append(opts, verifiktest.WithReregistration(c.mode))
			}
			h := newHarness(t, opts...)
			project, flow := h.setup("Again", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
			body := smartenroll.AppRegistrationCreateRequest{Project: project, ProjectFlow: flow, Email: ptr("again@example.com")}
			if c.phone {
				body = smartenroll.AppRegistrationCreateRequest{Project: project, ProjectFlow: flow, Phone: ptr("3001234567"), CountryCode: ptr("+57")}
			}
			first, err := h.api.CreateAppRegistrationWithResponse(ctx, body, h.client())
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, first.StatusCode(), string(first.Body))
			again, err := h.api.CreateAppRegistrationWithResponse(ctx, body, h.client())
			require.NoError(t, err)
			require.Equal(t, c.status, again.StatusCode(), string(again.Body))
			if c.status == http.StatusOK {
				assert.Equal(t, first.JSON200.Data.AppRegistration.ID, again.JSON200.Data.AppRegistration.ID)
				return
			}
			var e smartenroll.Error
			require.NoError(t, json.Unmarshal(again.Body, &e))
			assert.Equal(t, c.code, string(*e.Code))
			assert.Equal(t, c.message, e.Message)
		})
	}
}

// TestCreateAppRegistrationAsTheSDK: the web SDK's body — the reverse-geocoded location or
// null, agreements and the flow's extra fields as top-level keys — passes both sides of
// the contract.
func TestCreateAppRegistrationAsTheSDK(t *testing.T) {
	located := &smartenroll.RegistrantLocation{
		Lat: ptr(float32(4.6482837)), Lng: ptr(float32(-74.0627)), Road: ptr("Carrera 11"), City: ptr("Bogotá"),
		ISOCountryCode: ptr("co"), CountryCode: ptr("+57"), DeviceIdentifier: ptr("3f9a1c7e5b"), UserAgent: ptr("Mozilla/5.0"),
		AdditionalProperties: map[string]interface{}{"house_number": "93-53"},
	}
	cases := []struct {
		name     string
		location *smartenroll.RegistrantLocation
		extra    map[string]interface{}
	}{
		{"located, with agreements", located, nil},
		{"no location yet", nil, nil},
		{"the flow's extra fields", nil, map[string]interface{}{"company": "company 42", "role": "developer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			project, flow := h.setup("SDK", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
			res, err := h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{
				Project: project, ProjectFlow: flow, Email: ptr("sdk@example.com"), Language: ptr("en"),
				Location: c.location, Agreements: ptr(true), AdditionalProperties: c.extra,
			}, noAuth())
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
		})
	}
}

// TestCreateAppRegistrationNullLocation: the SDK sends location: null until the browser's
// geolocation resolves.
func TestCreateAppRegistrationNullLocation(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("SDK null", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	body := `{"project":"` + project + `","projectFlow":"` + flow + `","language":"en","location":null,"email":"null@example.com","agreements":true,"company":"company 42"}`
	rec := h.serve(rawRequest(t, http.MethodPost, "/v2/app-registrations", "", body))
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

// TestRestartLiveness: the web SDK's restartKYC() deletes the selfie's validation; a new
// selfie then needs no force, where before it was refused as person_already_set.
func TestRestartLiveness(t *testing.T) {
	h := newHarness(t)
	w := newWorld(h)
	again := func() int {
		res, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("alice")), Os: smartenroll.OSDesktop}, bearer(w.alice.token))
		require.NoError(t, err)
		return res.StatusCode()
	}
	require.Equal(t, http.StatusConflict, again(), "a second selfie without force is refused")
	del, err := h.api.DeleteBiometricValidationWithResponse(ctx, w.aliceBiometric(), bearer(w.alice.token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, del.StatusCode(), string(del.Body))
	reg, err := h.api.GetAppRegistrationWithResponse(ctx, w.alice.id, nil, h.client())
	require.NoError(t, err)
	assert.Nil(t, reg.JSON200.Data.BiometricValidation, "the registration no longer names it")
	assert.Equal(t, http.StatusOK, again(), "the liveness step is taken again")
}

// TestUpdateAppRegistration: what the web SDK's confirmation page updates.
func TestUpdateAppRegistration(t *testing.T) {
	cases := []struct {
		name   string
		body   func(w *world) smartenroll.AppRegistrationUpdateRequest
		status int
		check  func(t *testing.T, got smartenroll.AppRegistration)
	}{
		{"replace a mistyped phone", func(w *world) smartenroll.AppRegistrationUpdateRequest {
			return smartenroll.AppRegistrationUpdateRequest{ID: ptr(w.bob.id), CountryCode: ptr("+57"), Phone: ptr("300 765 4321"), ReplacePhone: ptr(true)}
		}, http.StatusOK, func(t *testing.T, got smartenroll.AppRegistration) {
			assert.Equal(t, "3007654321", *got.Phone)
			assert.Equal(t, "+57", *got.CountryCode)
		}},
		{"link the registrant's own email validation", func(w *world) smartenroll.AppRegistrationUpdateRequest {
			return smartenroll.AppRegistrationUpdateRequest{EmailValidation: ptr(w.emailValidation(w.bob))}
		}, http.StatusOK, func(t *testing.T, got smartenroll.AppRegistration) {
			assert.NotNil(t, got.EmailValidation)
		}},
		{"another registrant's validation", func(w *world) smartenroll.AppRegistrationUpdateRequest {
			return smartenroll.AppRegistrationUpdateRequest{EmailValidation: ptr(w.emailValidation(w.alice))}
		}, http.StatusConflict, nil},
		{"a phone without its country code", func(w *world) smartenroll.AppRegistrationUpdateRequest {
			return smartenroll.AppRegistrationUpdateRequest{Phone: ptr("3007654321")}
		}, http.StatusConflict, nil},
		{"a phone another registrant holds", func(w *world) smartenroll.AppRegistrationUpdateRequest {
			_, err := w.h.api.UpdateAppRegistrationWithResponse(ctx, w.alice.id, smartenroll.AppRegistrationUpdateRequest{CountryCode: ptr("+57"), Phone: ptr("3001112222")}, bearer(w.alice.token))
			require.NoError(w.h.t, err)
			return smartenroll.AppRegistrationUpdateRequest{CountryCode: ptr("+57"), Phone: ptr("3001112222")}
		}, http.StatusConflict, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			w := newWorld(h)
			res, err := h.api.UpdateAppRegistrationWithResponse(ctx, w.bob.id, c.body(w), bearer(w.bob.token))
			require.NoError(t, err)
			require.Equal(t, c.status, res.StatusCode(), string(res.Body))
			if c.check != nil {
				c.check(t, res.JSON200.Data)
			}
		})
	}
}
