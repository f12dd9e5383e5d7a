package idv

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Status is where a journey stands.
type Status string

const (
	// StatusPassed: the vendor (and its policy) accepted the user.
	StatusPassed Status = "passed"
	// StatusFailed: refused; Reasons say why. The journey is over: a new attempt is a new
	// journey.
	StatusFailed Status = "failed"
	// StatusNeedsReview: the vendor's policy asks a person to decide.
	StatusNeedsReview Status = "needs_review"
	// StatusPending: the user has a step to do; Outcome.Next says which.
	StatusPending Status = "pending"
)

// Reason is why a journey failed, needs review or asks the user again, in words shared
// by every vendor. The vendor's own words and codes travel beside it in the Outcome.
type Reason string

const (
	// ReasonDuplicateFace: the face is already enrolled for another user (1:N).
	ReasonDuplicateFace Reason = "duplicate_face"
	// ReasonDuplicateDocument: the document is already enrolled for another user.
	ReasonDuplicateDocument Reason = "duplicate_document"
	// ReasonLivenessFailed: not a live person in front of the camera (spoof, mask,
	// replay), or the liveness check could not be passed.
	ReasonLivenessFailed Reason = "liveness_failed"
	// ReasonFaceMismatch: the face is not the enrolled one, or not the document's.
	ReasonFaceMismatch Reason = "face_mismatch"
	// ReasonDocumentInvalid: the document is forged, unreadable or refused.
	ReasonDocumentInvalid Reason = "document_invalid"
	// ReasonDocumentExpired: the document is past its expiry date.
	ReasonDocumentExpired Reason = "document_expired"
	// ReasonUnderage: the document's holder is too young for the policy.
	ReasonUnderage Reason = "underage"
	// ReasonNameMismatch: the names given do not match the document or its registry.
	ReasonNameMismatch Reason = "name_mismatch"
	// ReasonWatchlist: a background check found the person.
	ReasonWatchlist Reason = "watchlist"
	// ReasonHighRisk: the vendor judged the session risky (decision, risk score, device).
	ReasonHighRisk Reason = "high_risk"
	// ReasonNotEnrolled: there is no enrolled face to compare with.
	ReasonNotEnrolled Reason = "not_enrolled"
	// ReasonAlreadyEnrolled: the session or user is already enrolled.
	ReasonAlreadyEnrolled Reason = "already_enrolled"
	// ReasonAlreadyRegistered: the user already has a journey at the vendor (Verifik: the
	// email or phone is registered in the flow); go on from it rather than start again
	// (see ResumeExisting).
	ReasonAlreadyRegistered Reason = "already_registered"
	// ReasonExpired: the journey's window passed (session, token or code too old).
	ReasonExpired Reason = "expired"
	// ReasonUserAbandoned: the user did not finish their step (left, refused the camera,
	// never launched the capture).
	ReasonUserAbandoned Reason = "user_abandoned"
	// ReasonCaptureFailed: the capture ended without a usable result for technical reasons.
	ReasonCaptureFailed Reason = "capture_failed"
	// ReasonCodeMismatch: the user typed a wrong code (pending: they may type it again).
	ReasonCodeMismatch Reason = "code_mismatch"
	// ReasonNotFinished: the vendor has not seen the user finish yet, though the user may
	// still be on its page (pending: wait for them, or send them back to the same URL).
	ReasonNotFinished Reason = "not_finished"
	// ReasonRefused: the vendor or its policy refused for a reason none of the above
	// names; VendorReasons has its words.
	ReasonRefused Reason = "refused"
)

// References are the vendor's ids of a journey, for audit and for asking the vendor
// later. They are identifiers, not secrets, except SessionID (see below).
type References struct {
	// UserID is the Request's.
	UserID string `json:"user_id,omitempty"`
	// SessionID is Verisoul's session. Short-lived bearer for its hosted page until the
	// capture ends: String and LogValue show its start only.
	SessionID string `json:"session_id,omitempty"`
	// AccountID is the Verisoul account the face was enrolled as, or compared with.
	AccountID string `json:"account_id,omitempty"`
	// Claim identifies iProov's claim by a digest of its token (the token is a secret).
	Claim string `json:"claim,omitempty"`
	// Pod is iProov's backend pod of the claim, useful when reporting a problem.
	Pod string `json:"pod,omitempty"`
	// RegistrationID and PersonID are Verifik's app registration and person.
	RegistrationID string `json:"registration_id,omitempty"`
	PersonID       string `json:"person_id,omitempty"`
	// RequestIDs are the vendor's request ids of the calls that decided, oldest first.
	RequestIDs []string `json:"request_ids,omitempty"`
}

// String shows the references with the session id shortened.
func (r References) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	add("user", r.UserID)
	add("session", shortID(r.SessionID))
	add("account", r.AccountID)
	add("claim", r.Claim)
	add("pod", r.Pod)
	add("registration", r.RegistrationID)
	add("person", r.PersonID)
	if len(r.RequestIDs) > 0 {
		add("requests", strings.Join(r.RequestIDs, ","))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// GoString is String: %#v must not print the full session id either.
func (r References) GoString() string { return r.String() }

// LogValue logs the references with the session id shortened.
func (r References) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Outcome is what a Resume ended with, in one shape for every vendor.
type Outcome struct {
	Status     Status
	Vendor     string
	Capability Capability
	// Reasons say why, in the shared vocabulary; empty when passed.
	Reasons []Reason
	// VendorReasons are the vendor's or its policy's own words (a policy's verdict,
	// iProov's reason text); never personal data.
	VendorReasons []string
	// Codes are the vendor's raw values that decided: error codes, the hosted page's
	// error_message, decisions, risk flags, statuses.
	Codes []string
	Refs  References
	// StartedAt is when the journey started; DecidedAt when this outcome was reached.
	StartedAt, DecidedAt time.Time
	// Next is the user's next step when Status is StatusPending, with the state to store.
	Next *Pending
}

// Final reports whether the journey is over.
func (o *Outcome) Final() bool { return o != nil && o.Status != StatusPending }

// Has reports whether r is one of the outcome's reasons.
func (o *Outcome) Has(r Reason) bool {
	if o == nil {
		return false
	}
	for _, x := range o.Reasons {
		if x == r {
			return true
		}
	}
	return false
}

// String summarises the outcome without secrets or personal data.
func (o *Outcome) String() string {
	if o == nil {
		return "<nil>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", o.Vendor, o.Capability, o.Status)
	if len(o.Reasons) > 0 {
		fmt.Fprintf(&b, " %v", o.Reasons)
	}
	if len(o.Codes) > 0 {
		fmt.Fprintf(&b, " codes=%v", o.Codes)
	}
	if o.Next != nil {
		fmt.Fprintf(&b, " next=%s", o.Next.Step)
		if o.Next.Reason != "" {
			fmt.Fprintf(&b, "(%s)", o.Next.Reason)
		}
	}
	fmt.Fprintf(&b, " refs=%s", o.Refs)
	return b.String()
}

// GoString is String.
func (o *Outcome) GoString() string { return o.String() }

// LogValue logs the outcome without secrets or personal data.
func (o *Outcome) LogValue() slog.Value {
	if o == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{
		slog.String("vendor", o.Vendor),
		slog.String("capability", string(o.Capability)),
		slog.String("status", string(o.Status)),
		slog.Any("reasons", o.Reasons),
		slog.Any("vendor_reasons", o.VendorReasons),
		slog.Any("codes", o.Codes),
		slog.Any("refs", o.Refs),
	}
	if o.Next != nil {
		attrs = append(attrs, slog.Any("next", *o.Next))
	}
	return slog.GroupValue(attrs...)
}

// shortID keeps the first eight characters of a bearer-like id, as the vendor packages
// print them.
func shortID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:8] + "…"
}

// addReason appends r once.
func addReason(rs []Reason, r Reason) []Reason {
	for _, x := range rs {
		if x == r {
			return rs
		}
	}
	return append(rs, r)
}
