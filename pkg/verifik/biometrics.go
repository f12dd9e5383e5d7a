package verifik

// The selfie (liveness and duplicate search) and the document-vs-selfie comparison.

import (
	"context"
	"errors"
	"strconv"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Selfie is the registrant's capture for the liveness check.
type Selfie struct {
	Image Image
	OS    OS
	// Force creates the person even if one is set or the face is already enrolled.
	Force bool
}

// SelfieResult is an accepted selfie: liveness passed, no duplicate, person created.
type SelfieResult struct {
	PersonID              string
	BiometricValidationID string
}

// SubmitSelfie runs the liveness check and the duplicate search on the registrant's
// selfie. A failed liveness matches ErrLivenessFailed (*LivenessError has the score; the
// registrant may try again within the flow's attempts); a face already enrolled by
// another registrant of the project matches ErrDuplicateFace.
// Verifik: POST /v2/biometric-validations/app-registration.
func (r *Registrant) SubmitSelfie(ctx context.Context, s Selfie) (SelfieResult, error) {
	const op = "createBiometricValidation"
	switch s.OS {
	case Desktop, IOS, Android:
	default:
		return SelfieResult{}, transport.Invalid(vendor, op, "os", "must be DESKTOP, IOS or ANDROID")
	}
	raw, mime, err := checkImage(op, "selfie", s.Image)
	if err != nil {
		return SelfieResult{}, err
	}
	st, err := r.begin(op)
	if err != nil {
		return SelfieResult{}, err
	}
	if err := st.open(op); err != nil {
		return SelfieResult{}, err
	}
	if st.Flow.Requirement(StepLiveness) == Skip {
		return SelfieResult{}, rule(op, ErrStepNotOffered, StepLiveness)
	}
	if st.PersonID != "" && !s.Force {
		return SelfieResult{}, rule(op, ErrAlreadySubmitted, "resubmit with Force")
	}
	if st.Flow.SelfieAttempts > 0 && st.SelfieAttempts >= st.Flow.SelfieAttempts {
		return SelfieResult{}, rule(op, ErrAttemptsExhausted, "the flow allows "+strconv.Itoa(st.Flow.SelfieAttempts)+" selfie attempts")
	}
	ctx = transport.WithOperation(ctx, op)
	// Verifik's docs ask for a data URI.
	res, err := r.c.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{
		Image: "data:" + mime + ";base64," + raw, Os: smartenroll.DeviceOS(s.OS), Force: ptr(s.Force),
	}, bearer(st.Token))
	r.update(func(s *State) { s.SelfieAttempts++ })
	err = r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil)
	var api *transport.APIError
	if errors.As(err, &api) && api.Code == "person_already_set" {
		if st.PersonID == "" {
			return SelfieResult{}, &vendorError{ErrDuplicateFace, api}
		}
		return SelfieResult{}, &vendorError{ErrAlreadySubmitted, api}
	}
	if err != nil {
		return SelfieResult{}, err
	}
	data := res.JSON200.Data
	out := SelfieResult{PersonID: refID(data.Person), BiometricValidationID: refID(data.BiometricValidation)}
	if out.PersonID == "" {
		return SelfieResult{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("person")}
	}
	r.update(func(s *State) { s.PersonID, s.FaceScore = out.PersonID, nil })
	return out, nil
}

// FaceComparison is the document face against the selfie, judged by the flow.
type FaceComparison struct {
	Score     float64 // 0–1
	Threshold float64 // the flow's compareMinScore
	Match     bool
}

// CompareFaces compares the document's face with the selfie; the flow's compareMinScore
// decides the match. It needs an accepted document and an accepted selfie.
// Verifik: POST /v2/face-recognition/compare/app-registration.
func (r *Registrant) CompareFaces(ctx context.Context) (FaceComparison, error) {
	const op = "compareAppRegistrationFaces"
	st, err := r.begin(op)
	if err != nil {
		return FaceComparison{}, err
	}
	if err := st.open(op); err != nil && st.Status != NeedsManualVerification {
		return FaceComparison{}, err
	}
	if st.Flow.Requirement(StepDocument) == Skip || st.Flow.Requirement(StepLiveness) == Skip {
		return FaceComparison{}, rule(op, ErrStepNotOffered, "the flow needs both the document and the liveness steps")
	}
	if !documentAccepted(st.DocumentStatus) || st.PersonID == "" {
		return FaceComparison{}, rule(op, ErrNotReady, "needs an accepted document and selfie")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil && res.JSON200.Data.CompareFaceVerification.Result != nil); err != nil {
		return FaceComparison{}, err
	}
	score := res.JSON200.Data.CompareFaceVerification.Result.Score
	out := FaceComparison{Score: score, Threshold: st.Flow.CompareMinScore, Match: score >= st.Flow.CompareMinScore}
	r.update(func(s *State) { s.FaceScore = &score })
	return out, nil
}
