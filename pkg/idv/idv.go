// Package idv is what idvkit's three vendor clients have in common: the answer to the
// question an integrator asks of every failed verification step — what now?
//
// Each vendor package returns typed errors (client-side *transport.ValidationError, vendor
// *transport.APIError, transport failures, the vendor's own sentinels). NextStep reads any
// of them and says, in vendor-neutral terms, what the integrator's backend should do next:
// fix its request, retry later, reconcile an outcome it never saw, ask the end user to
// repeat their step, accept the vendor's refusal, or escalate to a human.
//
// Above the vendor packages the package offers capabilities — Uniqueness (1:N),
// Authentication (1:1), FaceEnrolment, DocumentVerification — implemented by one adapter
// per vendor (Verisoul, IProov, Verifik) with exactly the capabilities the vendor has. A
// Journey starts with what the user must do next (Pending), resumes after the user's
// step, and ends with an Outcome in shared words (passed, failed, needs review; reasons
// such as duplicate_face or liveness_failed) beside the vendor's own. Its State is one
// versioned JSON value embedding the vendor package's own state. The vendor packages stay
// the full-fidelity way in; use them for anything a capability does not cover.
package idv

import (
	"context"
	"errors"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// Action is what to do after a verification step.
type Action string

const (
	// Proceed: the step succeeded (err was nil).
	Proceed Action = "proceed"
	// FixRequest: the request was refused before any network call (bad input, a step
	// out of order, a rule of the vendor's flow). Sending it again unchanged fails again.
	FixRequest Action = "fix-request"
	// RetryLater: a transient failure (rate limit, vendor outage, network) that left no
	// trace at the vendor; the same step may be sent again after Decision.RetryAfter.
	RetryLater Action = "retry-later"
	// Reconcile: the vendor may have acted but the answer was lost. Ask the vendor what
	// happened (see docs/RELIABILITY.md for each vendor's way) before sending it again.
	Reconcile Action = "reconcile"
	// RepeatUserStep: the end user must do their part (again) — a new capture session,
	// a new iProov token and capture, a new selfie, a new or retyped one-time code. For
	// Verisoul's session_not_started and session_not_complete the session is still good:
	// the user may still be on the hosted page (or the redirect was forged), so wait for
	// the redirect or send them to the same capture URL; NeedsNewSession tells the cases
	// apart.
	RepeatUserStep Action = "repeat-user-step"
	// ResumeExisting: the user already has a journey at the vendor, so the vendor refused
	// to start another (Verifik: the email or phone is already registered in the flow,
	// verifik.ErrAlreadyRegistered). Not a verdict on the user: go on from the journey you
	// stored — if it is unfinished, Journey.Resume with the State its Start returned (or,
	// holding only the vendor's id, the vendor package's way back in: Verifik's
	// Client.ResendLink with the stored registration id); if it ended, its Outcome
	// stands. Decision.Reason is ReasonAlreadyRegistered.
	ResumeExisting Action = "resume-existing"
	// Declined: the vendor answered and refused (a duplicate face, a photo it cannot
	// enrol, an unknown account, any other 4xx). Its code says why; do not retry as is.
	Declined Action = "declined"
	// Cancelled: the caller cancelled the context. Nothing to retry and, since the call
	// was safe or never sent, nothing to reconcile (a cancelled unsafe call that may have
	// reached the vendor is Reconcile instead).
	Cancelled Action = "cancelled"
	// Escalate: nothing the journey can do fixes it — wrong credentials, a malformed or
	// contract-breaking vendor answer, an unrecognised error. Look at the logs.
	Escalate Action = "escalate"
)

// Decision is NextStep's answer.
type Decision struct {
	Action Action
	// RetryAfter is the vendor's Retry-After for RetryLater, 0 when it gave none.
	RetryAfter time.Duration
	// Vendor, Operation and Code identify the failed call when the error names them
	// (Code is the vendor's error code, e.g. "session_not_found"). Never personal data.
	Vendor, Operation, Code string
	// Reason is the shared word for why, when the error has one that an Outcome would
	// also use (ReasonAlreadyRegistered with ResumeExisting); "" otherwise.
	Reason Reason
}

// iproovSpent are the iProov calls after which the claim token is spent whatever the
// answer: iProov answers a token once, so the way on is a new token and a new capture.
var iproovSpent = map[string]bool{"userEnrolImage": true, "userEnrolValidate": true, "userVerifyValidate": true}

// NextStep says what to do after a step of any of idvkit's vendor clients returned err.
func NextStep(err error) Decision {
	if err == nil {
		return Decision{Action: Proceed}
	}
	d := describe(err)
	switch {
	case errors.Is(err, transport.ErrOutcomeUnknown):
		// First: whatever else the error says, the vendor may have acted.
		d.Action = Reconcile
	case errors.Is(err, context.Canceled):
		// After Reconcile: a cancellation that struck after an unsafe call was sent is
		// outcome-unknown. Otherwise the caller gave up; retrying is the caller's choice.
		d.Action = Cancelled
	case errors.Is(err, transport.ErrRedirect), errors.Is(err, transport.ErrForeignOrigin):
		// Before RepeatUserStep: a redirect answered or a foreign origin is the
		// configuration's fault (base URL, a proxy); a new capture would meet it again.
		d.Action = Escalate
	case alreadyStarted(err, d):
		// Before Declined: the vendor's 409 means the user is already on their way.
		d.Action, d.Reason = ResumeExisting, ReasonAlreadyRegistered
	case userMustRepeat(err, d):
		// Before FixRequest: an expired code or a spent claim caught client-side is
		// mended by the end user's step, not by changing the request.
		d.Action = RepeatUserStep
	case errors.Is(err, transport.ErrValidation):
		d.Action = FixRequest
	case vendorDeclined(err):
		d.Action = Declined
	case errors.Is(err, transport.ErrUnauthorized), errors.Is(err, transport.ErrForbidden):
		d.Action = Escalate // credentials, region or scopes: configuration, not the journey
	default:
		d.Action = generic(err, &d)
	}
	return d
}

// userMustRepeat: the vendor's rules say the end user's step must happen again.
func userMustRepeat(err error, d Decision) bool {
	switch {
	case verisoul.NeedsNewSession(err):
		return true
	case verisoul.CodeOf(err) == verisoul.CodeSessionNotStarted, verisoul.CodeOf(err) == verisoul.CodeSessionNotComplete:
		// Verisoul: the user may still be on the hosted page; the same session stays good.
		return true
	case errors.Is(err, iproov.ErrClaimUsed), errors.Is(err, iproov.ErrClaimExpired),
		iproov.CodeOf(err) == iproov.CodeInvalidToken:
		return true
	case d.Vendor == "iproov" && iproovSpent[d.Operation] && !errors.Is(err, transport.ErrValidation):
		// Sent, so spent; a call refused before sending spent nothing.
		return true
	case errors.Is(err, verifik.ErrLivenessFailed), errors.Is(err, verifik.ErrCodeExpired),
		errors.Is(err, verifik.ErrCodeMismatch):
		return true
	}
	return false
}

// alreadyStarted: starting the journey was refused because the user already has one.
// Verifik answers the same ErrAlreadyRegistered when ChangePhone names a phone that
// another registrant holds: that one is not this user's journey, so it stays Declined.
func alreadyStarted(err error, d Decision) bool {
	return errors.Is(err, verifik.ErrAlreadyRegistered) && d.Operation == "createAppRegistration"
}

// vendorDeclined: the vendor's verdict on this person, not a failure of the call.
func vendorDeclined(err error) bool {
	return errors.Is(err, verisoul.ErrNotEnrolled) ||
		errors.Is(err, iproov.ErrPhotoNotEnrolled) ||
		errors.Is(err, verifik.ErrDuplicateFace)
}

func generic(err error, d *Decision) Action {
	var (
		apiErr *transport.APIError
		reqErr *transport.RequestError
		cErr   *contract.Error
	)
	switch {
	case errors.As(err, &apiErr):
		if apiErr.Retryable {
			d.RetryAfter = apiErr.RetryAfter
			return RetryLater
		}
		if apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 {
			return Declined
		}
		return Escalate
	case errors.Is(err, transport.ErrDecode), errors.Is(err, transport.ErrBodyTooLarge), errors.As(err, &cErr):
		return Escalate
	case errors.As(err, &reqErr):
		// Not outcome-unknown (checked first): nothing reached the vendor, or the step
		// is safe to send again.
		return RetryLater
	case errors.Is(err, context.DeadlineExceeded):
		return RetryLater
	}
	return Escalate
}

// describe fills in which call failed, from whichever typed error carries it.
func describe(err error) Decision {
	var (
		apiErr *transport.APIError
		reqErr *transport.RequestError
		decErr *transport.DecodeError
		valErr *transport.ValidationError
		bigErr *transport.BodyTooLargeError
		ruleEr *verifik.RuleError
		redErr *transport.RedirectError
		orgErr *transport.OriginError
	)
	switch {
	case errors.As(err, &apiErr):
		return Decision{Vendor: apiErr.Vendor, Operation: apiErr.Operation, Code: apiErr.Code}
	case errors.As(err, &reqErr):
		return Decision{Vendor: reqErr.Vendor, Operation: reqErr.Operation}
	case errors.As(err, &decErr):
		return Decision{Vendor: decErr.Vendor, Operation: decErr.Operation}
	case errors.As(err, &valErr):
		return Decision{Vendor: valErr.Vendor, Operation: valErr.Operation}
	case errors.As(err, &bigErr):
		return Decision{Vendor: bigErr.Vendor, Operation: bigErr.Operation}
	case errors.As(err, &ruleEr):
		return Decision{Vendor: "verifik", Operation: ruleEr.Operation}
	case errors.As(err, &redErr):
		return Decision{Vendor: redErr.Vendor, Operation: redErr.Operation}
	case errors.As(err, &orgErr):
		return Decision{Vendor: orgErr.Vendor, Operation: orgErr.Operation}
	}
	return Decision{}
}
