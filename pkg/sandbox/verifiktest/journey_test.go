package verifiktest_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// TestFullKYCJourney walks the tutorial's full verification through the raw API.
func TestFullKYCJourney(t *testing.T) {
	h := newHarness(t)
	settings := flowSettings(smartenroll.StepMandatory, smartenroll.StepMandatory)
	settings.Document = &smartenroll.DocumentSettings{VerifyNames: ptr(true), VerifyCriminalHistory: ptr(true)}
	projectID, flowID := h.setup("Acme", settings, false)
	regID, infoID, token := h.register(projectID, flowID, "alice@example.com", "Alice Liddell")

	// Finishing before the steps fails: the sign-up form needs the email code.
	early, err := h.api.SyncAppRegistrationWithResponse(ctx, regID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationCompleted}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, early.StatusCode())
	assert.Equal(t, "signUpForm_validation_not_passed", early.JSON409.Message)

	h.confirmEmail(projectID, token, "alice@example.com")

	// Mandatory document and liveness still missing.
	early, err = h.api.SyncAppRegistrationWithResponse(ctx, regID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationCompleted}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusConflict, early.StatusCode())
	assert.Equal(t, "document_validation_not_passed", early.JSON409.Message)

	doc, err := h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, doc.StatusCode(), string(doc.Body))
	dv := doc.JSON200.Data.DocumentValidation
	assert.Equal(t, smartenroll.DocumentValidated, *dv.Status)
	assert.Equal(t, "CC", *dv.DocumentType)
	assert.True(t, *dv.NamesMatch)

	names, err := h.api.CreateNameValidationWithResponse(ctx, dv.ID, nil, smartenroll.NameValidationRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, names.StatusCode(), string(names.Body))
	nv, err := names.JSON200.Data.AsDocumentValidation()
	require.NoError(t, err)
	assert.True(t, *nv.NamesMatch)
	assert.Equal(t, float64(100), *nv.FullNameMatchPercentage)

	bio, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("alice")), Os: smartenroll.OSIOS}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, bio.StatusCode(), string(bio.Body))
	require.NotNil(t, bio.JSON200.Data.Person)

	cmp, err := h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cmp.StatusCode(), string(cmp.Body))
	assert.InDelta(t, verifiktest.SameFaceScore, cmp.JSON200.Data.CompareFaceVerification.Result.Score, 0.001)

	crim, err := h.api.RequestCriminalCheckWithResponse(ctx, infoID, smartenroll.CriminalCheckRequest{}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, crim.StatusCode(), string(crim.Body))
	assert.Equal(t, smartenroll.InformationActive, *crim.JSON200.Data.Status)

	review, err := h.api.GetAppRegistrationWithResponse(ctx, regID, &smartenroll.GetAppRegistrationParams{
		Populates: &[]smartenroll.Populate{smartenroll.PopulateDocumentValidation, smartenroll.PopulateEmailValidation, smartenroll.PopulateBiometricValidation},
	}, h.client())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, review.StatusCode(), string(review.Body))
	ev, err := review.JSON200.Data.EmailValidation.AsEmailValidation()
	require.NoError(t, err)
	assert.Equal(t, smartenroll.OTPValidated, ev.Status)

	end, err := h.api.SyncAppRegistrationWithResponse(ctx, regID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationCompleted}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, end.StatusCode(), string(end.Body))
	assert.NotEmpty(t, *end.JSON200.Data.Token)
	assert.Equal(t, smartenroll.AppRegistrationCompleted, *end.JSON200.Data.Status)
}

// Every step/status pair of the sync call: the documented pairs move the registrant,
// the others are refused, and steps the flow skips are not supported. An end with an
// in-progress status is Verifik's web SDK leaving the final status to the server.
func TestSyncStepStatusPairs(t *testing.T) {
	h := newHarness(t)
	// basicInformation and form are skipped by this flow; document and liveness optional.
	projectID, flowID := h.setup("Pairs", flowSettings(smartenroll.StepOptional, smartenroll.StepOptional), false)
	steps := []smartenroll.SyncStep{smartenroll.StepSkipKYC, smartenroll.StepInstructions, smartenroll.StepSignUpForm,
		smartenroll.StepBasicInformation, smartenroll.StepDocument, smartenroll.StepLiveness, smartenroll.StepForm, smartenroll.StepEnd}
	statuses := []smartenroll.AppRegistrationStatus{smartenroll.AppRegistrationStarted, smartenroll.AppRegistrationOngoing,
		smartenroll.AppRegistrationCompleted, smartenroll.AppRegistrationCompletedWithoutKYC, smartenroll.AppRegistrationFailed,
		smartenroll.AppRegistrationNeedsManualVerification, smartenroll.AppRegistrationExpired}
	documented := map[smartenroll.SyncStep][]smartenroll.AppRegistrationStatus{
		smartenroll.StepSkipKYC: {smartenroll.AppRegistrationCompletedWithoutKYC},
		smartenroll.StepEnd: {smartenroll.AppRegistrationCompleted, smartenroll.AppRegistrationFailed, smartenroll.AppRegistrationNeedsManualVerification,
			smartenroll.AppRegistrationStarted, smartenroll.AppRegistrationOngoing},
	}
	decided := func(step smartenroll.SyncStep, sent smartenroll.AppRegistrationStatus) smartenroll.AppRegistrationStatus {
		if step == smartenroll.StepEnd && (sent == smartenroll.AppRegistrationStarted || sent == smartenroll.AppRegistrationOngoing) {
			return smartenroll.AppRegistrationCompleted
		}
		return sent
	}
	n := 0
	for _, step := range steps {
		for _, status := range statuses {
			allowed := documented[step]
			if allowed == nil {
				allowed = []smartenroll.AppRegistrationStatus{smartenroll.AppRegistrationOngoing}
			}
			want := http.StatusConflict
			if slices.Contains(allowed, status) {
				want = http.StatusOK
			}
			if step == smartenroll.StepBasicInformation || step == smartenroll.StepForm {
				want = http.StatusInternalServerError
			}
			n++
			email := fmt.Sprintf("pair%d@example.com", n)
			id, _, token := h.register(projectID, flowID, email, "Pat Pair")
			h.confirmEmail(projectID, token, email)
			res, err := h.api.SyncAppRegistrationWithResponse(ctx, id, smartenroll.SyncRequest{Step: step, Status: status}, bearer(token))
			require.NoError(t, err)
			require.Equal(t, want, res.StatusCode(), "%s → %s: %s", step, status, res.Body)
			if want == http.StatusOK {
				assert.Equal(t, decided(step, status), *res.JSON200.Data.Status)
				if step == smartenroll.StepEnd || step == smartenroll.StepSkipKYC {
					assert.NotEmpty(t, deref(res.JSON200.Data.Token), "end and skipKYC return the token")
				}
			}
		}
	}
}
