package verifik

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Status is where a registration is (Verifik's AppRegistration status).
type Status = smartenroll.AppRegistrationStatus

const (
	Started                 = smartenroll.AppRegistrationStarted
	Ongoing                 = smartenroll.AppRegistrationOngoing
	Completed               = smartenroll.AppRegistrationCompleted
	CompletedWithoutKYC     = smartenroll.AppRegistrationCompletedWithoutKYC
	Failed                  = smartenroll.AppRegistrationFailed
	NeedsManualVerification = smartenroll.AppRegistrationNeedsManualVerification
	Expired                 = smartenroll.AppRegistrationExpired
)

// OS is the registrant's device, which Verifik's liveness check needs.
type OS = smartenroll.DeviceOS

const (
	Desktop = smartenroll.OSDesktop
	IOS     = smartenroll.OSIOS
	Android = smartenroll.OSAndroid
)

// DocumentStatus is where a document validation is.
type DocumentStatus = smartenroll.DocumentValidationStatus

// finished says whether a registration has ended; unknown statuses are in progress.
func finished(s Status) bool {
	switch s {
	case Completed, CompletedWithoutKYC, Failed, Expired:
		return true
	}
	return false
}

// documentAccepted says whether a document passed; unknown statuses did not.
func documentAccepted(s DocumentStatus) bool {
	return s == smartenroll.DocumentValidated || s == smartenroll.DocumentActive
}

// ---- sign-up codes ----

// CodeSent is a code on its way to the registrant.
type CodeSent struct {
	ValidationID string
	ExpiresAt    time.Time
	// Resent is true when an active code was sent again rather than a new one.
	Resent bool
}

// SendEmailCode emails the registrant a 6-digit code (the flow's sign-up form must ask
// for one). Sending again while a code is active sends the same code.
// Verifik: POST /v2/email-validations/app-registration.
func (r *Registrant) SendEmailCode(ctx context.Context) (CodeSent, error) {
	const op = "createEmailValidation"
	st, err := r.begin(op)
	if err != nil {
		return CodeSent{}, err
	}
	if err := st.open(op); err != nil {
		return CodeSent{}, err
	}
	if !st.Flow.EmailCode {
		return CodeSent{}, rule(op, ErrStepNotOffered, "the flow's sign-up form asks for no email code")
	}
	if st.Email == "" {
		return CodeSent{}, rule(op, ErrNotReady, "registered without an email")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: st.Flow.ProjectID, ProjectFlow: ptr(st.Flow.FlowID), Email: st.Email,
		Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CodeSent{}, err
	}
	v := res.JSON200.Data
	sent := CodeSent{ValidationID: v.ID, ExpiresAt: deref(v.ExpiresAt), Resent: deref(v.Existing)}
	r.update(func(s *State) {
		if s.EmailValidationID != v.ID {
			s.EmailVerified = false
		}
		s.EmailValidationID, s.EmailExpiresAt = v.ID, sent.ExpiresAt
	})
	return sent, nil
}

// ConfirmEmailCode checks the code the registrant typed. A wrong code matches
// ErrCodeMismatch, an expired one ErrCodeExpired (send a new one).
// Verifik: PUT /v2/email-validations/{id}.
func (r *Registrant) ConfirmEmailCode(ctx context.Context, code string) error {
	const op = "validateEmailValidation"
	st, err := r.begin(op)
	if err != nil {
		return err
	}
	otp, err := parseCode(op, code)
	if err != nil {
		return err
	}
	if err := st.open(op); err != nil {
		return err
	}
	if st.EmailValidationID == "" {
		return rule(op, ErrNotReady, "send the email code first")
	}
	if !st.EmailExpiresAt.IsZero() && !r.c.now().Before(st.EmailExpiresAt) {
		return rule(op, ErrCodeExpired, "send a new email code")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.ValidateEmailValidationWithResponse(ctx, st.EmailValidationID,
		smartenroll.EmailValidationConfirmRequest{Email: st.Email, Otp: otp}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return err
	}
	verified := res.JSON200.Data.Status == smartenroll.OTPValidated
	r.update(func(s *State) { s.EmailVerified = verified })
	if !verified {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errors.New("the code was accepted but the validation is not validated")}
	}
	return nil
}

// SendPhoneCode texts the registrant a 6-digit code by SMS or WhatsApp (via; empty means
// the flow's gateway). Billed by Verifik.
// Verifik: POST /v2/phone-validations/app-registration.
func (r *Registrant) SendPhoneCode(ctx context.Context, via PhoneGateway) (CodeSent, error) {
	const op = "createPhoneValidation"
	st, err := r.begin(op)
	if err != nil {
		return CodeSent{}, err
	}
	if via != "" && via != SMS && via != WhatsApp {
		return CodeSent{}, transport.Invalid(vendor, op, "gateway", "must be sms or whatsapp")
	}
	if err := st.open(op); err != nil {
		return CodeSent{}, err
	}
	if !st.Flow.PhoneCode {
		return CodeSent{}, rule(op, ErrStepNotOffered, "the flow's sign-up form asks for no phone code")
	}
	if st.Phone == "" {
		return CodeSent{}, rule(op, ErrNotReady, "registered without a phone")
	}
	if via == "" {
		via = st.Flow.PhoneGateway
	}
	if via != WhatsApp {
		via = SMS
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreatePhoneValidationWithResponse(ctx, smartenroll.PhoneValidationCreateRequest{
		Project: st.Flow.ProjectID, ProjectFlow: ptr(st.Flow.FlowID), Phone: st.Phone, CountryCode: st.CountryCode,
		Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode, PhoneGateway: &via,
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CodeSent{}, err
	}
	v := res.JSON200.Data
	sent := CodeSent{ValidationID: v.ID, ExpiresAt: deref(v.ExpiresAt)}
	r.update(func(s *State) {
		s.PhoneValidationID, s.PhoneExpiresAt, s.PhoneVerified = v.ID, sent.ExpiresAt, false
	})
	return sent, nil
}

// ConfirmPhoneCode checks the code the registrant typed (see ConfirmEmailCode).
// Verifik: PUT /v2/phone-validations (the validation is found by phone, not by id).
func (r *Registrant) ConfirmPhoneCode(ctx context.Context, code string) error {
	const op = "validatePhoneValidation"
	st, err := r.begin(op)
	if err != nil {
		return err
	}
	otp, err := parseCode(op, code)
	if err != nil {
		return err
	}
	if err := st.open(op); err != nil {
		return err
	}
	if st.PhoneValidationID == "" {
		return rule(op, ErrNotReady, "send the phone code first")
	}
	if !st.PhoneExpiresAt.IsZero() && !r.c.now().Before(st.PhoneExpiresAt) {
		return rule(op, ErrCodeExpired, "send a new phone code")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.ValidatePhoneValidationWithResponse(ctx, smartenroll.PhoneValidationConfirmRequest{
		Phone: st.Phone, CountryCode: st.CountryCode, Otp: otp,
		Project: ptr(st.Flow.ProjectID), ProjectFlow: ptr(st.Flow.FlowID),
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return err
	}
	verified := res.JSON200.Data.Status == smartenroll.OTPValidated
	r.update(func(s *State) { s.PhoneVerified = verified })
	if !verified {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errors.New("the code was accepted but the validation is not validated")}
	}
	return nil
}

// ---- document ----

// Image is a base64-encoded image as Verifik takes it; a data-URI prefix
// ("data:image/jpeg;base64,") is allowed. ImageOf encodes raw bytes.
type Image string

// Document is the registrant's identity document: its front, its back, or both.
type Document struct {
	Front Image
	Back  Image
	// Force replaces a document already submitted (another attempt).
	Force bool
}

// DocumentResult is what Verifik's OCR made of a document. It holds no personal data.
type DocumentResult struct {
	ValidationID string
	Status       DocumentStatus
	// Accepted is true when the document passed (VALIDATED or ACTIVE).
	Accepted bool
	// Type and Category as Verifik names them ("CC", "Passport"; "ID").
	Type, Category string
	Country        string
	// NamesMatch compares the names read with the names the registrant gave.
	NamesMatch         bool
	FullNameMatchScore float64 // 0–100
}

// SubmitDocument sends the registrant's identity document for OCR. The flow must offer
// the document step; a second submission needs Force and counts as another attempt.
// Verifik: POST /v2/document-validations/app-registration.
func (r *Registrant) SubmitDocument(ctx context.Context, d Document) (DocumentResult, error) {
	const op = "createDocumentValidation"
	if d.Front == "" && d.Back == "" {
		return DocumentResult{}, transport.Invalid(vendor, op, "document", "needs a front or a back image")
	}
	var front, back *string
	for _, side := range []struct {
		img   Image
		field string
		dst   **string
	}{{d.Front, "front image", &front}, {d.Back, "back image", &back}} {
		if side.img == "" {
			continue
		}
		raw, _, err := checkImage(op, side.field, side.img)
		if err != nil {
			return DocumentResult{}, err
		}
		// Verifik's own SDK strips the data-URI prefix from document images.
		*side.dst = ptr(raw)
	}
	st, err := r.begin(op)
	if err != nil {
		return DocumentResult{}, err
	}
	if err := st.open(op); err != nil {
		return DocumentResult{}, err
	}
	if st.Flow.Requirement(StepDocument) == Skip {
		return DocumentResult{}, rule(op, ErrStepNotOffered, StepDocument)
	}
	if st.DocumentValidationID != "" && !d.Force {
		return DocumentResult{}, rule(op, ErrAlreadySubmitted, "resubmit with Force")
	}
	if st.Flow.DocumentAttempts > 0 && st.DocumentAttempts >= st.Flow.DocumentAttempts {
		return DocumentResult{}, rule(op, ErrAttemptsExhausted, "the flow allows "+strconv.Itoa(st.Flow.DocumentAttempts)+" document attempts")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{
		Image: front, BackImage: back, Force: ptr(d.Force),
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return DocumentResult{}, err
	}
	v := res.JSON200.Data.DocumentValidation
	out := DocumentResult{
		ValidationID: v.ID, Status: deref(v.Status), Accepted: documentAccepted(deref(v.Status)),
		Type: deref(v.DocumentType), Category: deref(v.DocumentCategory), Country: deref(v.Country),
		NamesMatch: deref(v.NamesMatch), FullNameMatchScore: deref(v.FullNameMatchPercentage),
	}
	r.update(func(s *State) {
		s.DocumentValidationID, s.DocumentStatus = v.ID, out.Status
		s.DocumentAttempts++
		s.FaceScore, s.NamesOK = nil, nil // a new document invalidates earlier comparisons
	})
	return out, nil
}

// ---- selfie ----

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
		Image: "data:" + mime + ";base64," + raw, Os: s.OS, Force: ptr(s.Force),
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

// ---- face compare ----

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

// ---- add-ons ----

// NameCheck compares the registrant's names with the document issuer's registry.
type NameCheck struct {
	// Supported is false for documents Verifik cannot check (Reason says why).
	Supported bool
	Reason    string
	Match     bool    // full name ≥ 90%
	FullName  float64 // 0–100
	FirstName float64
	LastName  float64
}

// CheckNames runs the name validation add-on (billed; Panama, Colombia and Chile
// documents). The flow must enable it (verifyNames) and the sign-up codes and the
// document must be done. Verifik: PUT /v2/document-validations/{id}/validate.
func (r *Registrant) CheckNames(ctx context.Context) (NameCheck, error) {
	const op = "createNameValidation"
	st, err := r.begin(op)
	if err != nil {
		return NameCheck{}, err
	}
	if err := st.open(op); err != nil {
		return NameCheck{}, err
	}
	if !st.Flow.VerifyNames {
		return NameCheck{}, rule(op, ErrFeatureOff, "verifyNames")
	}
	if missing := st.signUpMissing(); missing != "" {
		return NameCheck{}, rule(op, ErrStepsIncomplete, missing)
	}
	if st.DocumentValidationID == "" {
		return NameCheck{}, rule(op, ErrNotReady, "submit the document first")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreateNameValidationWithResponse(ctx, st.DocumentValidationID, nil, smartenroll.NameValidationRequest{}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return NameCheck{}, err
	}
	var out NameCheck
	if doc, err := res.JSON200.Data.AsDocumentValidation(); err == nil && doc.ID != "" {
		out = NameCheck{
			Supported: true, Match: deref(doc.NamesMatch),
			FullName: deref(doc.FullNameMatchPercentage), FirstName: deref(doc.FirstNameMatchPercentage),
			LastName: deref(doc.LastNameMatchPercentage),
		}
	} else if ns, err := res.JSON200.Data.AsNameValidationNotSupported(); err == nil {
		out = NameCheck{Supported: ns.IsSupported, Reason: deref(ns.InfoValidationSupportedReason)}
	} else {
		return NameCheck{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: err}
	}
	if out.Supported {
		r.update(func(s *State) { s.NamesOK = ptr(out.Match) })
	}
	return out, nil
}

// CriminalRecord is the outcome of the background check.
type CriminalRecord struct {
	// Clear is true when no database reported the person (status ACTIVE).
	Clear bool
	// Hits names the databases that reported the person (e.g. world_api_interpol).
	Hits   []string
	Status smartenroll.InformationValidationStatus
}

// CheckCriminalRecord runs the criminal background check add-on (billed) on the person
// read from the document. The flow must enable it (verifyCriminalHistory).
// Verifik: PUT /v2/information-validations/{id}/background-check.
func (r *Registrant) CheckCriminalRecord(ctx context.Context) (CriminalRecord, error) {
	const op = "requestCriminalCheck"
	st, err := r.begin(op)
	if err != nil {
		return CriminalRecord{}, err
	}
	if err := st.open(op); err != nil {
		return CriminalRecord{}, err
	}
	if !st.Flow.VerifyCriminal {
		return CriminalRecord{}, rule(op, ErrFeatureOff, "verifyCriminalHistory")
	}
	if st.InformationValidationID == "" || !documentAccepted(st.DocumentStatus) {
		return CriminalRecord{}, rule(op, ErrNotReady, "needs an accepted document")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.RequestCriminalCheckWithResponse(ctx, st.InformationValidationID, smartenroll.CriminalCheckRequest{}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CriminalRecord{}, err
	}
	info := res.JSON200.Data
	out := CriminalRecord{Status: deref(info.Status), Clear: deref(info.Status) == smartenroll.InformationActive}
	if info.CriminalData != nil {
		out.Hits = append(out.Hits, deref(info.CriminalData.FoundKeys)...)
	}
	if len(out.Hits) > 0 {
		out.Clear = false
	}
	r.update(func(s *State) { s.RecordOK = ptr(out.Clear) })
	return out, nil
}

// ---- sync ----

// Completion is a finished registration: the token the registrant is redirected with.
type Completion struct {
	Status Status
	// Token identifies the registrant to your application. A secret.
	Token string
	// RedirectURL is the flow's redirect URL with ?type=onboarding&token=, as Verifik's
	// hosted flow builds it; empty when the flow has none.
	RedirectURL string
}

// String never shows the token.
func (c Completion) String() string {
	return "verifik.Completion{status: " + string(c.Status) + ", token: " + redacted + "}"
}

// GoString never shows the token.
func (c Completion) GoString() string { return c.String() }

// LogValue never shows the token.
func (c Completion) LogValue() slog.Value {
	return slog.GroupValue(slog.String("status", string(c.Status)), slog.String("token", redacted))
}

// Finish ends the journey with the outcome your policy picked — Completed, Failed or
// NeedsManualVerification (State.Recommend is a default policy) — and returns the token
// to redirect the registrant with. Every outcome needs the sign-up codes; Completed also
// needs every step the flow makes mandatory. Verifik: PUT /v2/app-registrations/{id}/sync
// with step "end".
func (r *Registrant) Finish(ctx context.Context, outcome Status) (Completion, error) {
	const op = "syncAppRegistration"
	switch outcome {
	case Completed, Failed, NeedsManualVerification:
	default:
		return Completion{}, transport.Invalid(vendor, op, "outcome", "must be COMPLETED, FAILED or NEEDS_MANUAL_VERIFICATION")
	}
	st, err := r.begin(op)
	if err != nil {
		return Completion{}, err
	}
	if err := st.open(op); err != nil {
		return Completion{}, err
	}
	if missing := st.signUpMissing(); missing != "" {
		return Completion{}, rule(op, ErrStepsIncomplete, missing)
	}
	if outcome == Completed {
		if missing := st.mandatoryMissing(); len(missing) > 0 {
			return Completion{}, rule(op, ErrStepsIncomplete, strings.Join(missing, ", "))
		}
	}
	return r.sync(ctx, st, smartenroll.StepEnd, outcome)
}

// SkipKYC ends the journey after the sign-up form, without KYC, where the flow makes no
// KYC step mandatory. Verifik: PUT /v2/app-registrations/{id}/sync with step "skipKYC".
func (r *Registrant) SkipKYC(ctx context.Context) (Completion, error) {
	const op = "syncAppRegistration"
	st, err := r.begin(op)
	if err != nil {
		return Completion{}, err
	}
	if err := st.open(op); err != nil {
		return Completion{}, err
	}
	if mandatory := st.Flow.kycMandatory(); len(mandatory) > 0 {
		return Completion{}, rule(op, ErrSkipNotAllowed, "mandatory: "+strings.Join(mandatory, ", "))
	}
	if missing := st.signUpMissing(); missing != "" {
		return Completion{}, rule(op, ErrStepsIncomplete, missing)
	}
	return r.sync(ctx, st, smartenroll.StepSkipKYC, CompletedWithoutKYC)
}

// Advance reports an intermediate step of the journey (signUpForm, basicInformation,
// document, liveness, form or instructions) and moves the registration to ONGOING, as
// Verifik's hosted flow does between pages. Steps the flow skips are refused.
func (r *Registrant) Advance(ctx context.Context, step string) error {
	const op = "syncAppRegistration"
	switch step {
	case StepSignUpForm, StepBasicInformation, StepDocument, StepLiveness, StepForm:
	case "instructions":
	default:
		return transport.Invalid(vendor, op, "step", "is not a step of the journey")
	}
	st, err := r.begin(op)
	if err != nil {
		return err
	}
	if err := st.open(op); err != nil {
		return err
	}
	if step != "instructions" {
		if st.Flow.Requirement(step) == Skip {
			return rule(op, ErrStepNotOffered, step)
		}
		if missing := st.signUpMissing(); missing != "" {
			return rule(op, ErrStepsIncomplete, missing)
		}
	}
	_, err = r.sync(ctx, st, smartenroll.SyncStep(step), Ongoing)
	if err == nil {
		r.update(func(s *State) {
			if !slices.Contains(s.Advanced, step) {
				s.Advanced = append(s.Advanced, step)
			}
		})
	}
	return err
}

func (r *Registrant) sync(ctx context.Context, st State, step smartenroll.SyncStep, status Status) (Completion, error) {
	const op = "syncAppRegistration"
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.SyncAppRegistrationWithResponse(ctx, st.AppRegistrationID, smartenroll.SyncRequest{Step: step, Status: status}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Completion{}, err
	}
	data := res.JSON200.Data
	out := Completion{Status: deref(data.Status), Token: deref(data.Token)}
	if out.Status == "" {
		out.Status = status
	}
	if (step == smartenroll.StepEnd || step == smartenroll.StepSkipKYC) && out.Token == "" {
		return Completion{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("token")}
	}
	if out.Token != "" && st.Flow.RedirectURL != "" {
		out.RedirectURL = redirectWith(st.Flow.RedirectURL, out.Token)
	}
	r.update(func(s *State) { s.Status = out.Status })
	return out, nil
}

func redirectWith(base, token string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("type", "onboarding")
	q.Set("token", token)
	u.RawQuery = q.Encode()
	return u.String()
}

// ---- state rules ----

// open refuses steps on a finished registration.
func (s State) open(op string) error {
	if finished(s.Status) {
		return rule(op, ErrFinished, string(s.Status))
	}
	return nil
}

// signUpMissing names the sign-up codes still unconfirmed.
func (s State) signUpMissing() string {
	if s.Flow.Requirement(StepSignUpForm) == Skip {
		return ""
	}
	var out []string
	if s.Flow.EmailCode && !s.EmailVerified {
		out = append(out, "email code")
	}
	if s.Flow.PhoneCode && !s.PhoneVerified {
		out = append(out, "phone code")
	}
	if len(out) == 0 {
		return ""
	}
	return "signUpForm (" + strings.Join(out, ", ") + ")"
}

// mandatoryMissing lists the flow's mandatory steps that are not done.
func (s State) mandatoryMissing() []string {
	var out []string
	for _, step := range []string{StepBasicInformation, StepDocument, StepLiveness, StepForm} {
		if s.Flow.Requirement(step) != Mandatory {
			continue
		}
		done := false
		switch step {
		case StepDocument:
			done = documentAccepted(s.DocumentStatus)
		case StepLiveness:
			done = s.PersonID != ""
		default:
			done = slices.Contains(s.Advanced, step)
		}
		if !done {
			out = append(out, step)
		}
	}
	return out
}

// Recommend is a default policy for Finish: Failed on a rejected document or a criminal
// record, NeedsManualVerification when a mandatory step is missing, the faces score below
// the flow's threshold or the names do not match, Completed otherwise.
func (s State) Recommend() Status {
	switch {
	case s.RecordOK != nil && !*s.RecordOK:
		return Failed
	case s.DocumentValidationID != "" && s.DocumentStatus == smartenroll.DocumentFailed:
		return Failed
	case len(s.mandatoryMissing()) > 0,
		s.FaceScore != nil && *s.FaceScore < s.Flow.CompareMinScore,
		s.NamesOK != nil && !*s.NamesOK:
		return NeedsManualVerification
	}
	return Completed
}

// refID reads the id of an "id or populated object" reference.
func refID[T any, P interface {
	*T
	MarshalJSON() ([]byte, error)
}](ref P) string {
	if ref == nil {
		return ""
	}
	data, err := ref.MarshalJSON()
	if err != nil {
		return ""
	}
	var id string
	if json.Unmarshal(data, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"_id"`
	}
	if json.Unmarshal(data, &obj) == nil {
		return obj.ID
	}
	return ""
}
