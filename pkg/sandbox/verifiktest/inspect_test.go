package verifiktest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// TestInspect: the dashboard sees each registration with its status, its step and what
// each step reached, and the recent calls — and no token, code, contact or name but the
// face names typed into the sandbox.
func TestInspect(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme", flowSettings(smartenroll.StepMandatory, smartenroll.StepMandatory), false)
	id, _, token := h.register(project, flow, "ana@example.com", "Ana Lima")
	h.confirmEmail(project, token, "ana@example.com")
	code := mustCode(t, h, "ana@example.com")
	doc, err := h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, doc.StatusCode(), string(doc.Body))
	bio, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("alice")), Os: smartenroll.OSDesktop}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, bio.StatusCode(), string(bio.Body))
	cmp, err := h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cmp.StatusCode(), string(cmp.Body))
	sync, err := h.api.SyncAppRegistrationWithResponse(ctx, id, smartenroll.SyncRequest{Step: smartenroll.StepLiveness, Status: smartenroll.AppRegistrationOngoing}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, sync.StatusCode(), string(sync.Body))
	_, _, other := h.register(project, flow, "ben@example.com", "Ben Hur")
	h.clock.Advance(time.Second)
	h.register(project, flow, "cleo@example.com", "Cleo Patra")

	in := h.emu.Inspect()
	assert.Equal(t, "verifik", in.Vendor)
	require.Len(t, in.Items, 3)
	assert.Equal(t, "STARTED", in.Items[0].State, "the most recently updated first")
	var ana map[string]string
	for _, it := range in.Items {
		assert.Equal(t, "registration", it.Kind)
		if it.ID == id {
			assert.Equal(t, "ONGOING", it.State)
			ana = it.Detail
		}
	}
	require.NotNil(t, ana)
	assert.Equal(t, map[string]string{
		"project": project, "flow": flow, "step": "liveness",
		"flow_steps": "signUpForm mandatory, document mandatory, liveness mandatory",
		"email_code": "validated", "document": "VALIDATED", "document_face": "alice",
		"selfie_face": "alice", "liveness": "0.93", "person": ana["person"], "face_score": "0.96",
	}, ana)
	assert.NotEmpty(t, ana["person"])

	require.NotEmpty(t, in.Calls)
	assert.Equal(t, "createAppRegistration", in.Calls[0].Operation, "the most recent call first")
	assert.Equal(t, "ok", in.Calls[0].Verdict)

	js, err := json.Marshal(in)
	require.NoError(t, err)
	for _, secret := range []string{token, other, code, "ana@example.com", "Ana", "Lima", alice().Number, verifiktest.DefaultClientToken} {
		assert.NotContains(t, string(js), secret)
	}
}

// Inspect shows a bounded number of registrations, the most recently updated.
func TestInspectIsBounded(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	var last string
	for i := range verifiktest.MaxInspectedRegistrations + 5 {
		h.clock.Advance(time.Second)
		last, _, _ = h.register(project, flow, fmt.Sprintf("user%d@example.com", i), "")
	}
	in := h.emu.Inspect()
	assert.Len(t, in.Items, verifiktest.MaxInspectedRegistrations)
	assert.Equal(t, last, in.Items[0].ID)
}
