package verifik

import (
	"errors"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/pkg/transport"
)

// Verifik's answers a journey branches on. A *transport.APIError carrying one of these
// codes also matches the sentinel through errors.Is, and errors.As still finds the
// *transport.APIError (status, code, request id).
var (
	// ErrCodeMismatch: the registrant typed a wrong email or phone code (403 otp_does_not_match).
	ErrCodeMismatch = errors.New("verifik: code does not match")
	// ErrCodeExpired: the code expired; send a new one (412 *_has_expired).
	ErrCodeExpired = errors.New("verifik: code expired")
	// ErrLivenessFailed: the selfie did not reach the flow's liveness score (409
	// liveness_failed); *LivenessError carries the score. The registrant may retry.
	ErrLivenessFailed = errors.New("verifik: liveness failed")
	// ErrDuplicateFace: the duplicate search found the selfie's face already enrolled in
	// the project (409 person_already_set on a registrant without a person yet).
	ErrDuplicateFace = errors.New("verifik: face already enrolled")
	// ErrAlreadySubmitted: a document or selfie was already accepted; resubmit with Force.
	ErrAlreadySubmitted = errors.New("verifik: already submitted")
	// ErrRegistrationGone: the app registration no longer exists (404 appRegistration_not_found).
	ErrRegistrationGone = errors.New("verifik: app registration not found")
	// ErrProjectInactive: the project is paused or a draft (409 Project_not_active).
	ErrProjectInactive = errors.New("verifik: project not active")
	// ErrAlreadyRegistered: the email or phone already has a registration in the flow
	// (409 email_is_registered_already / phone_is_registered_already; an older revision
	// of the page: 412 Conflict). *AlreadyRegisteredError says which. Verifik's way on is
	// not a new registration: resume the stored one with Client.ResendLink.
	ErrAlreadyRegistered = errors.New("verifik: already registered")
)

// Rules of the flow, checked before any network call. Each also matches
// transport.ErrValidation.
var (
	// ErrStepNotOffered: the flow skips this step.
	ErrStepNotOffered = errors.New("verifik: step not offered by the flow")
	// ErrStepsIncomplete: a step the flow makes mandatory (or the sign-up codes) is not done.
	ErrStepsIncomplete = errors.New("verifik: required steps incomplete")
	// ErrSkipNotAllowed: SkipKYC on a flow with a mandatory KYC step.
	ErrSkipNotAllowed = errors.New("verifik: KYC cannot be skipped")
	// ErrAttemptsExhausted: the flow's maxAttempts for this step are used up.
	ErrAttemptsExhausted = errors.New("verifik: attempts exhausted")
	// ErrFinished: the registration already ended.
	ErrFinished = errors.New("verifik: registration finished")
	// ErrFeatureOff: the flow does not enable this add-on (name validation, criminal check).
	ErrFeatureOff = errors.New("verifik: feature not enabled by the flow")
	// ErrNotReady: an earlier step this one needs has not run (e.g. compare before the selfie).
	ErrNotReady = errors.New("verifik: earlier step missing")
)

// RuleError is a step the flow's rules refuse before any network call. It matches its
// Kind and transport.ErrValidation through errors.Is.
type RuleError struct {
	Operation string // the spec's operationId of the refused step
	Kind      error  // one of the Err* rule sentinels
	Detail    string // which step or setting, never personal data
}

func (e *RuleError) Error() string {
	s := vendor + " " + e.Operation + ": " + strings.TrimPrefix(e.Kind.Error(), "verifik: ")
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap exposes the rule and transport.ErrValidation.
func (e *RuleError) Unwrap() []error { return []error{e.Kind, transport.ErrValidation} }

func rule(op string, kind error, detail string) error {
	return &RuleError{Operation: op, Kind: kind, Detail: detail}
}

// LivenessError is a selfie that failed liveness: Score is the score Verifik reported
// (after "@" in its message), -1 when it reported none.
type LivenessError struct {
	Score float64
	Err   *transport.APIError
}

func (e *LivenessError) Error() string { return e.Err.Error() }

// Unwrap exposes ErrLivenessFailed and the *transport.APIError.
func (e *LivenessError) Unwrap() []error { return []error{ErrLivenessFailed, e.Err} }

// vendorError is a *transport.APIError a step recognised: it matches Kind too.
type vendorError struct {
	kind error
	err  *transport.APIError
}

func (e *vendorError) Error() string   { return e.err.Error() }
func (e *vendorError) Unwrap() []error { return []error{e.kind, e.err} }

// classify attaches this package's sentinel to the Verifik codes journeys branch on.
func classify(err error) error {
	var api *transport.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch api.Code {
	case "otp_does_not_match":
		return &vendorError{ErrCodeMismatch, api}
	case "emailValidation_has_expired", "phoneValidation_has_expired":
		return &vendorError{ErrCodeExpired, api}
	case "liveness_failed":
		return &LivenessError{Score: scoreOf(api.Message), Err: api}
	case "already_exists":
		return &vendorError{ErrAlreadySubmitted, api}
	case "appRegistration_not_found", "AppRegistration_not_found":
		return &vendorError{ErrRegistrationGone, api}
	case "Project_not_active":
		return &vendorError{ErrProjectInactive, api}
	case "Feature_not_available":
		return &vendorError{ErrFeatureOff, api}
	}
	return err
}

// scoreOf reads the score Verifik appends to liveness failures: "409:liveness_failed@0.45".
func scoreOf(message string) float64 {
	_, after, ok := strings.Cut(message, "@")
	if !ok {
		return -1
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(after), 64)
	if err != nil {
		return -1
	}
	return f
}
