package verifiktest_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// sendPhoneCode asks for a phone code for the registrant of token and returns the status.
func (h *harness) sendPhoneCode(project, token, phone string) int {
	h.t.Helper()
	res, err := h.api.CreatePhoneValidationWithResponse(ctx, smartenroll.PhoneValidationCreateRequest{
		Project: project, Phone: phone, CountryCode: "+57", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(token))
	require.NoError(h.t, err)
	if res.JSON429 != nil {
		assert.Contains(h.t, res.JSON429.Message, "Too Many Requests", "Verifik's 429 body")
	}
	return res.StatusCode()
}

func (h *harness) sendEmailCode(project, token, email string) int {
	h.t.Helper()
	res, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: project, Email: email, Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(token))
	require.NoError(h.t, err)
	return res.StatusCode()
}

// Codes expire on the clock and are then forgotten (after ExpiredCodeRetention, so a late
// confirmation still answers 412); while every code held is live, the next one is
// refused with 429 instead of growing the emulator.
func TestCodesAreForgottenAfterExpiry(t *testing.T) {
	const n = 5
	h := newHarness(t, verifiktest.WithMaxCodes(n))
	project, flow := h.setup("Codes", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, token := h.register(project, flow, "cora@example.com", "Cora Codes")

	for i := range n {
		require.Equal(t, http.StatusOK, h.sendPhoneCode(project, token, "30000000"+strconv.Itoa(i)))
	}
	assert.Equal(t, http.StatusTooManyRequests, h.sendPhoneCode(project, token, "3009999999"), "every code held is live")
	assert.Equal(t, n, h.emu.Stats().PhoneValidations, "nothing live was evicted")

	// Expired codes make room at once when the limit is reached...
	h.clock.Advance(verifiktest.DefaultOTPTTL)
	require.Equal(t, http.StatusOK, h.sendPhoneCode(project, token, "3009999999"))
	// ...and are all forgotten once the retention has passed.
	h.clock.Advance(verifiktest.DefaultOTPTTL + verifiktest.ExpiredCodeRetention)
	require.Equal(t, http.StatusOK, h.sendPhoneCode(project, token, "3008888888"))
	st := h.emu.Stats()
	assert.Equal(t, 1, st.PhoneValidations, "only the live code is held")
	assert.Equal(t, 1, st.Queued)
	assert.Equal(t, 1, st.Messages, "the outbox holds live codes only")
	assert.Len(t, h.emu.Outbox(), 1)
}

// The validated code a registration stands on outlives the expiry sweep: the journey
// still syncs its sign-up form hours later.
func TestValidatedCodeIsKept(t *testing.T) {
	h := newHarness(t, verifiktest.WithMaxCodes(2))
	project, flow := h.setup("Kept", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	id, _, token := h.register(project, flow, "kim@example.com", "Kim Kept")
	h.confirmEmail(project, token, "kim@example.com")

	// Another registrant's codes push the queue past its limit and the retention.
	_, _, other := h.register(project, flow, "otto@example.com", "Otto Other")
	for range 3 {
		h.clock.Advance(verifiktest.DefaultOTPTTL + verifiktest.ExpiredCodeRetention)
		require.Equal(t, http.StatusOK, h.sendEmailCode(project, other, "otto@example.com"))
	}
	st := h.emu.Stats()
	assert.Equal(t, 2, st.EmailValidations, "kim's validated code and otto's live one")
	assert.Equal(t, 1, st.Queued)

	res, err := h.api.SyncAppRegistrationWithResponse(ctx, id, smartenroll.SyncRequest{Step: smartenroll.StepSignUpForm, Status: smartenroll.AppRegistrationOngoing}, bearer(token))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
}

// Resending a live code adds a message, not a code: the outbox has its own limit.
func TestOutboxLimit(t *testing.T) {
	h := newHarness(t, verifiktest.WithMaxMessages(2))
	project, flow := h.setup("Outbox limit", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, token := h.register(project, flow, "olga@example.com", "Olga Outbox")
	require.Equal(t, http.StatusOK, h.sendEmailCode(project, token, "olga@example.com"))
	require.Equal(t, http.StatusOK, h.sendEmailCode(project, token, "olga@example.com"))
	assert.Equal(t, http.StatusTooManyRequests, h.sendEmailCode(project, token, "olga@example.com"))
	code, ok := h.emu.LastCode("olga@example.com")
	assert.True(t, ok && code != "", "the live messages are still readable")

	h.clock.Advance(verifiktest.DefaultOTPTTL)
	require.Equal(t, http.StatusOK, h.sendEmailCode(project, token, "olga@example.com"))
	assert.Equal(t, 1, h.emu.Stats().Messages)
}

// Records the integrator reads are never forgotten to make room: past its limit a
// project refuses new registrations, clearly, until some are deleted; the limits of
// projects and flows refuse the same way.
func TestRecordLimits(t *testing.T) {
	h := newHarness(t, verifiktest.WithMaxRegistrations(2), verifiktest.WithMaxProjects(2), verifiktest.WithMaxFlows(1))
	project, flow := h.setup("Records", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	first, _, _ := h.register(project, flow, "a@example.com", "A")
	h.register(project, flow, "b@example.com", "B")
	h.clock.Advance(verifiktest.TokenTTL) // abandoned registrations stay: they are records

	create := func(email string) *smartenroll.CreateAppRegistrationResult {
		res, err := h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: project, ProjectFlow: flow, Email: ptr(email)}, h.client())
		require.NoError(t, err)
		return res
	}
	res := create("c@example.com")
	require.Equal(t, http.StatusConflict, res.StatusCode())
	assert.Equal(t, smartenroll.ErrorCodePreconditionFailed, deref(res.JSON409.Code))
	assert.Contains(t, res.JSON409.Message, "at most 2 app registrations per project")
	assert.Equal(t, 2, h.emu.Stats().Registrations)

	assert.Equal(t, http.StatusConflict, create("a@example.com").StatusCode(), "registering again is refused, not a new record")
	assert.Equal(t, 2, h.emu.Stats().Registrations)
	del, err := h.api.DeleteAppRegistrationWithResponse(ctx, first, h.client())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, del.StatusCode())
	assert.Equal(t, http.StatusOK, create("c@example.com").StatusCode(), "a deletion makes room")

	s := flowSettings(smartenroll.StepSkip, smartenroll.StepSkip)
	f, err := h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: project, Type: smartenroll.FlowTypeOnboarding, OnboardingSettings: &s}, h.client())
	require.NoError(t, err)
	assert.Equal(t, http.StatusConflict, f.StatusCode(), "one flow per project")

	p, err := h.api.CreateProjectWithResponse(ctx, projectBody("Second"), h.client())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, p.StatusCode())
	p, err = h.api.CreateProjectWithResponse(ctx, projectBody("Third"), h.client())
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, p.StatusCode())
	assert.Contains(t, p.JSON409.Message, "at most 2 projects")
}

// Failed selfies are not kept (nothing links them), and a forced selfie replaces the
// earlier one: retrying liveness does not grow the emulator.
func TestSelfieRetriesDoNotGrow(t *testing.T) {
	h := newHarness(t)
	w := newWorld(h)
	before := h.emu.Stats()
	for range 5 {
		res, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.SpoofSelfie("bob", 0.2)), Os: smartenroll.OSAndroid}, bearer(w.bob.token))
		require.NoError(t, err)
		require.Equal(t, http.StatusConflict, res.StatusCode())
		res, err = h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("alice")), Os: smartenroll.OSAndroid, Force: ptr(true)}, bearer(w.alice.token))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
	}
	after := h.emu.Stats()
	assert.Equal(t, before.Biometrics, after.Biometrics)
	assert.Equal(t, before.Persons, after.Persons)
}

// Registering again (the tutorial's re-registration) drops the registrant's codes; their
// places in the expiry queue are reclaimed even while an older live code heads it.
func TestDroppedCodesFreeTheirPlace(t *testing.T) {
	h := newHarness(t, verifiktest.WithMaxCodes(2), verifiktest.WithReregistration(verifiktest.ReregisterRestarts))
	project, flow := h.setup("Dropped", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, first := h.register(project, flow, "first@example.com", "First")
	require.Equal(t, http.StatusOK, h.sendEmailCode(project, first, "first@example.com"))
	for range 5 {
		_, _, token := h.register(project, flow, "again@example.com", "Again") // drops the earlier code
		require.Equal(t, http.StatusOK, h.sendEmailCode(project, token, "again@example.com"))
	}
	st := h.emu.Stats()
	assert.Equal(t, 2, st.EmailValidations)
	assert.LessOrEqual(t, st.Queued, 4)
}
