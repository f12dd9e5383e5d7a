package verifiktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// receiver is an integrator's webhook endpoint: verifik.Receiver in enforce mode, which
// records each event it hands on (applied) and every contract problem.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	applied  []verifik.Event
	problems []*contract.Error
	bodies   [][]byte
	failNext int // answer 500 to this many handled events first
}

func newReceiver(t *testing.T, opts verifik.ReceiverOptions) *receiver {
	rc := &receiver{}
	opts.Mode = contract.ModeEnforce
	opts.OnProblem = func(_ verifik.Event, p *contract.Error) {
		rc.mu.Lock()
		rc.problems = append(rc.problems, p)
		rc.mu.Unlock()
	}
	h := verifik.NewReceiver(func(_ context.Context, ev verifik.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.failNext > 0 {
			rc.failNext--
			return errors.New("receiver down")
		}
		rc.applied = append(rc.applied, ev)
		return nil
	}, opts)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, body)
		rc.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) types() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, ev := range rc.applied {
		out = append(out, ev.Meta().Type)
	}
	return out
}

// hooked is a full-KYC flow whose webhook points at rc.
func hooked(t *testing.T, h *harness, rc *receiver) (projectID, flowID string) {
	settings := flowSettings(smartenroll.StepMandatory, smartenroll.StepMandatory)
	settings.Document = &smartenroll.DocumentSettings{VerifyNames: ptr(true), VerifyCriminalHistory: ptr(true)}
	projectID, flowID = h.setup("Hooked", settings, false)
	res, err := h.api.CreateWebhookWithResponse(ctx, smartenroll.WebhookCreateRequest{
		Url: rc.srv.URL + "/hooks/verifik", Name: "journey", IsActive: true, Link: &[]string{flowID}}, h.client())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
	return projectID, flowID
}

// journey walks alice through the full flow: every step that fires an event.
func journey(t *testing.T, h *harness, projectID, flowID string) {
	regID, infoID, token := h.register(projectID, flowID, "alice@example.com", "Alice Liddell")
	h.confirmEmail(projectID, token, "alice@example.com")
	sync1, err := h.api.SyncAppRegistrationWithResponse(ctx, regID, smartenroll.SyncRequest{Step: smartenroll.StepSignUpForm, Status: smartenroll.AppRegistrationOngoing}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, sync1.StatusCode(), string(sync1.Body))
	doc, err := h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, doc.StatusCode(), string(doc.Body))
	names, err := h.api.CreateNameValidationWithResponse(ctx, doc.JSON200.Data.DocumentValidation.ID, nil, smartenroll.NameValidationRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, names.StatusCode(), string(names.Body))
	bio, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("alice")), Os: smartenroll.OSIOS}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, bio.StatusCode(), string(bio.Body))
	cmp, err := h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cmp.StatusCode(), string(cmp.Body))
	crim, err := h.api.RequestCriminalCheckWithResponse(ctx, infoID, smartenroll.CriminalCheckRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, crim.StatusCode(), string(crim.Body))
	end, err := h.api.SyncAppRegistrationWithResponse(ctx, regID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationCompleted}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, end.StatusCode(), string(end.Body))
}

// journeyEvents are the events of journey, in the vendor's order.
var journeyEvents = []string{
	"onboarding_app_registration_created",
	"onboarding_email_validation_created",
	"onboarding_email_validation_validated",
	"onboarding_app_registration_sync_sign_up_form",
	"onboarding_document_validation_created",
	"onboarding_information_validation_updated",
	"onboarding_document_validation_source_lookup",
	"onboarding_biometric_validation_validated",
	"onboarding_biometric_validation_created_person",
	"onboarding_face_verification_compare",
	"onboarding_information_validation_background_check",
	"onboarding_app_registration_completed",
}

func waitDeliveries(t *testing.T, h *harness) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, h.emu.WaitDeliveries(wctx))
}

// A receiver sees a whole journey's events once each, in order, and every payload holds
// to the spec with no drift and no OTP.
func TestWebhookJourneyInOrder(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, verifik.ReceiverOptions{})
	projectID, flowID := hooked(t, h, rc)
	journey(t, h, projectID, flowID)
	waitDeliveries(t, h)

	assert.Equal(t, journeyEvents, rc.types())
	rc.mu.Lock()
	defer rc.mu.Unlock()
	assert.Empty(t, rc.problems, "every delivered payload validates against the spec, without drift")
	for _, b := range rc.bodies {
		assert.NotContains(t, string(b), `"otp"`, "OTP values are stripped")
		assert.NotContains(t, string(b), `"gallery"`, "images stay out of events")
	}
	for _, d := range h.emu.Deliveries() {
		assert.Equal(t, verifiktest.DeliveryDelivered, d.Outcome, d.Type)
		assert.Len(t, d.Attempts, 1)
		assert.Equal(t, rc.srv.URL, d.Target, "the log shows the origin only")
	}
}

// Wrong codes, an expired code, a failed liveness and a duplicate face: the failure events.
func TestWebhookFailureEvents(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, verifik.ReceiverOptions{})
	projectID, flowID := hooked(t, h, rc)
	_, _, token := h.register(projectID, flowID, "bob@example.com", "Bob Builder")
	v, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{Project: projectID, Email: "bob@example.com", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode}, bearer(token))
	require.NoError(t, err)
	_, err = h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{Project: projectID, Email: "bob@example.com", Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode}, bearer(token))
	require.NoError(t, err)
	wrong, err := h.api.ValidateEmailValidationWithResponse(ctx, v.JSON200.Data.ID, smartenroll.EmailValidationConfirmRequest{Email: "bob@example.com", Otp: 1}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, wrong.StatusCode())
	h.clock.Advance(verifiktest.DefaultOTPTTL + time.Second)
	late, err := h.api.ValidateEmailValidationWithResponse(ctx, v.JSON200.Data.ID, smartenroll.EmailValidationConfirmRequest{Email: "bob@example.com", Otp: 1}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, late.StatusCode())
	spoof, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.SpoofSelfie("bob", 0.2)), Os: smartenroll.OSIOS}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, spoof.StatusCode())
	waitDeliveries(t, h)

	assert.Equal(t, []string{
		"onboarding_app_registration_created",
		"onboarding_email_validation_created",
		"onboarding_email_validation_resend",
		"onboarding_email_validation_otp_incorect",
		"onboarding_email_validation_expired",
		"onboarding_biometric_validation_liveness_failed",
		"onboarding_biometrics_liveness_score_not_acceptable",
	}, rc.types())
	rc.mu.Lock()
	defer rc.mu.Unlock()
	assert.Empty(t, rc.problems)
}

// A receiver that fails twice gets the event on the third delivery, on the retry
// schedule of the emulator's clock, and applies it once.
func TestWebhookRetriedUntilAccepted(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, verifik.ReceiverOptions{})
	rc.failNext = 2
	projectID, flowID := hooked(t, h, rc)
	h.register(projectID, flowID, "carol@example.com", "Carol Danvers")
	waitDeliveries(t, h)
	assert.Empty(t, rc.types(), "first attempt failed")

	for i, delay := range verifiktest.DefaultWebhookRetries[:2] {
		h.clock.Advance(delay - time.Second)
		waitDeliveries(t, h)
		assert.Len(t, h.emu.Deliveries()[0].Attempts, i+1, "not before its time")
		h.clock.Advance(time.Second)
		waitDeliveries(t, h)
	}
	assert.Equal(t, []string{"onboarding_app_registration_created"}, rc.types())
	d := h.emu.Deliveries()
	require.Len(t, d, 1)
	assert.Equal(t, verifiktest.DeliveryDelivered, d[0].Outcome)
	require.Len(t, d[0].Attempts, 3)
	assert.Equal(t, []int{500, 500, 200}, []int{d[0].Attempts[0].Status, d[0].Attempts[1].Status, d[0].Attempts[2].Status})
	assert.Equal(t, start.Add(30*time.Second+2*time.Minute), d[0].Attempts[2].At)
}

// A receiver that never answers 2xx is given up after the whole schedule.
func TestWebhookGivenUp(t *testing.T) {
	h := newHarness(t, verifiktest.WithWebhookRetries(time.Second, time.Second))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer down.Close()
	projectID, flowID := h.setup("Down", flowSettings(smartenroll.StepOptional, smartenroll.StepOptional), false)
	_, err := h.api.CreateWebhookWithResponse(ctx, smartenroll.WebhookCreateRequest{Url: down.URL, Name: "down", IsActive: true, Link: &[]string{flowID}}, h.client())
	require.NoError(t, err)
	h.register(projectID, flowID, "dan@example.com", "Dan Brown")
	for range 3 {
		waitDeliveries(t, h)
		h.clock.Advance(time.Second)
	}
	waitDeliveries(t, h)
	d := h.emu.Deliveries()
	require.Len(t, d, 1)
	assert.Equal(t, verifiktest.DeliveryFailed, d[0].Outcome)
	assert.Len(t, d[0].Attempts, 3)
}

// Duplicated and reordered deliveries do not apply twice: the receiver's dedup drops the
// copies, and each event is applied once.
func TestWebhookDuplicatesAndReorderingApplyOnce(t *testing.T) {
	h := newHarness(t)
	h.emu.SetWebhookFaults(verifiktest.WebhookFaults{Duplicate: 1, Reorder: true, Delay: time.Minute})
	rc := newReceiver(t, verifik.ReceiverOptions{})
	projectID, flowID := hooked(t, h, rc)
	journey(t, h, projectID, flowID)
	waitDeliveries(t, h)
	assert.Empty(t, rc.types(), "held by the delay")
	h.clock.Advance(time.Minute)
	waitDeliveries(t, h)

	got := rc.types()
	assert.ElementsMatch(t, journeyEvents, got, "each event applied exactly once")
	assert.NotEqual(t, journeyEvents, got, "they arrived out of order")
	assert.Len(t, h.emu.Deliveries(), 2*len(journeyEvents), "every event was sent twice")
	rc.mu.Lock()
	assert.Len(t, rc.bodies, 2*len(journeyEvents))
	rc.mu.Unlock()
}

// Dropped deliveries are recorded, never sent.
func TestWebhookDropped(t *testing.T) {
	h := newHarness(t)
	h.emu.SetWebhookFaults(verifiktest.WebhookFaults{Drop: 1})
	rc := newReceiver(t, verifik.ReceiverOptions{})
	projectID, flowID := hooked(t, h, rc)
	h.register(projectID, flowID, "erin@example.com", "Erin Example")
	waitDeliveries(t, h)
	assert.Empty(t, rc.types())
	d := h.emu.Deliveries()
	require.Len(t, d, 1)
	assert.Equal(t, verifiktest.DeliveryDropped, d[0].Outcome)
}

// Events go only to the URL the flow's active webhook names, and only to loopback unless
// WithWebhookHosts allows more.
func TestWebhookTargets(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, verifik.ReceiverOptions{})
	projectID, flowID := h.setup("Targets", flowSettings(smartenroll.StepOptional, smartenroll.StepOptional), false)

	h.register(projectID, flowID, "f1@example.com", "No Hook") // no webhook: nothing
	hook, err := h.api.CreateWebhookWithResponse(ctx, smartenroll.WebhookCreateRequest{Url: "https://hooks.example.com/x", Name: "far", IsActive: true, Link: &[]string{flowID}}, h.client())
	require.NoError(t, err)
	h.register(projectID, flowID, "f2@example.com", "Far Away") // not loopback: refused
	_, err = h.api.UpdateWebhookWithResponse(ctx, hook.JSON200.Data.ID, smartenroll.WebhookUpdateRequest{Url: ptr(rc.srv.URL), IsActive: ptr(false)}, h.client())
	require.NoError(t, err)
	h.register(projectID, flowID, "f3@example.com", "Switched Off") // inactive: nothing
	_, err = h.api.UpdateWebhookWithResponse(ctx, hook.JSON200.Data.ID, smartenroll.WebhookUpdateRequest{IsActive: ptr(true)}, h.client())
	require.NoError(t, err)
	h.register(projectID, flowID, "f4@example.com", "Back On")
	waitDeliveries(t, h)

	d := h.emu.Deliveries()
	require.Len(t, d, 2)
	assert.Equal(t, verifiktest.DeliveryRefused, d[0].Outcome)
	assert.Equal(t, "https://hooks.example.com", d[0].Target)
	assert.Equal(t, verifiktest.DeliveryDelivered, d[1].Outcome)
	assert.Len(t, rc.types(), 1)
}

// The deliveries are listed at the guarded control endpoint.
func TestWebhookDeliveriesEndpoint(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, verifik.ReceiverOptions{})
	projectID, flowID := hooked(t, h, rc)
	h.register(projectID, flowID, "gil@example.com", "Gil Example")
	waitDeliveries(t, h)

	res, err := h.srv.Client().Get(h.srv.URL + verifiktest.ControlPrefix + "deliveries")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var body struct {
		Deliveries []verifiktest.Delivery `json:"deliveries"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	require.Len(t, body.Deliveries, 1)
	assert.Equal(t, "onboarding_app_registration_created", body.Deliveries[0].Type)
	assert.Equal(t, verifiktest.DeliveryDelivered, body.Deliveries[0].Outcome)

	cross, err := http.NewRequest(http.MethodGet, h.srv.URL+verifiktest.ControlPrefix+"deliveries", nil)
	require.NoError(t, err)
	cross.Header.Set("Origin", "https://evil.example")
	cres, err := h.srv.Client().Do(cross)
	require.NoError(t, err)
	cres.Body.Close()
	assert.Equal(t, http.StatusForbidden, cres.StatusCode, "guarded like every control endpoint")
}

// Close stops the delivery goroutine: none is left behind, and later events are dropped.
func TestWebhookCloseStopsDelivery(t *testing.T) {
	before := runtime.NumGoroutine()
	h := newHarness(t)
	rc := newReceiver(t, verifik.ReceiverOptions{})
	rc.failNext = 100
	projectID, flowID := hooked(t, h, rc)
	h.register(projectID, flowID, "hal@example.com", "Hal Example")
	waitDeliveries(t, h) // attempted, failed, a retry pending
	require.NoError(t, h.emu.Close())
	require.NoError(t, h.emu.Close(), "twice is fine")
	d := h.emu.Deliveries()
	require.Len(t, d, 1)
	assert.Equal(t, verifiktest.DeliveryDropped, d[0].Outcome)
	h.register(projectID, flowID, "ivy@example.com", "Ivy Example")
	assert.Equal(t, verifiktest.DeliveryDropped, h.emu.Deliveries()[1].Outcome)
	h.srv.Close()
	rc.srv.Close()
	h.srv.Client().CloseIdleConnections()
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+2 }, 5*time.Second, 10*time.Millisecond,
		"the delivery goroutine and its connections are gone")
}
