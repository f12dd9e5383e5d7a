package verisoul

import (
	"context"
	"errors"
	"log/slog"

	"github.com/idvkit/idvkit/pkg/transport"
)

// Outcome is a sign-up check's result: the verification, the policy's verdict, and the
// enrolment made when the verdict accepted it.
type Outcome struct {
	Verification *Verification
	Verdict      Verdict
	// Enrollment is nil when the policy refused (nothing was enrolled).
	Enrollment *Enrollment
}

// Enrolled reports whether the account was enrolled.
func (o *Outcome) Enrolled() bool { return o != nil && o.Enrollment != nil }

// LogValue logs the verdict and the redacted verification and enrolment (slog would
// otherwise marshal the verification's personal data field by field).
func (o *Outcome) LogValue() slog.Value {
	if o == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.Any("verification", o.Verification), slog.String("verdict", o.Verdict.String())}
	if o.Enrollment != nil {
		attrs = append(attrs, slog.Any("enrollment", *o.Enrollment))
	}
	return slog.GroupValue(attrs...)
}

// CheckUniqueness runs the 1:N sign-up check on a completed Face Match session:
// VerifyFace, then policy decides (nil means UniquenessRules), then Enroll only when it
// accepts — enrolling is what lets later sign-ups be matched against this account.
func (c *Client) CheckUniqueness(ctx context.Context, s Session, accountID string, policy Policy) (*Outcome, error) {
	if policy == nil {
		policy = UniquenessRules()
	}
	return c.check(ctx, s, accountID, policy, FaceMatch)
}

// CheckID runs the ID Check sign-up on a completed ID Check session: VerifyID, then
// policy decides (nil means IDRules: document validity, face match score, age, expiry),
// then Enroll only when it accepts.
func (c *Client) CheckID(ctx context.Context, s Session, accountID string, policy Policy) (*Outcome, error) {
	if policy == nil {
		policy = IDRules()
	}
	return c.check(ctx, s, accountID, policy, IDCheck)
}

func (c *Client) check(ctx context.Context, s Session, accountID string, policy Policy, product Product) (*Outcome, error) {
	verifyOp, enrollOp := "verifyFace", "enrollFaceMatch"
	if product == IDCheck {
		verifyOp, enrollOp = "verifyID", "enrollIDCheck"
	}
	if err := c.ready(verifyOp); err != nil {
		return nil, err
	}
	// Check everything both calls need before the first one, so bad input costs nothing.
	if err := checkSession(verifyOp, s, product); err != nil {
		return nil, err
	}
	if err := checkAccount(enrollOp, accountID); err != nil {
		return nil, err
	}
	var (
		v   *Verification
		err error
	)
	if product == IDCheck {
		v, err = c.VerifyID(ctx, s)
	} else {
		v, err = c.VerifyFace(ctx, s)
	}
	if err != nil {
		return nil, err
	}
	out := &Outcome{Verification: v, Verdict: policy.Decide(v)}
	if !out.Verdict.Accept {
		return out, nil
	}
	if s.Product == "" {
		s.Product = product
	}
	e, err := c.Enroll(ctx, s, accountID)
	if err != nil {
		return out, err
	}
	out.Enrollment = e
	return out, nil
}

// ErrorCode is a Verisoul 400 error code, from *transport.APIError.Code.
type ErrorCode string

// Verisoul's documented 400 error codes.
const (
	CodeGroupsEnabled                  ErrorCode = "groups_enabled"
	CodeMissingProjectID               ErrorCode = "missing_project_id"
	CodeSessionNotFound                ErrorCode = "session_not_found"
	CodeSessionNotStarted              ErrorCode = "session_not_started"
	CodeSessionNotValidForThisEndpoint ErrorCode = "session_not_valid_for_this_endpoint"
	CodeSessionNotComplete             ErrorCode = "session_not_complete"
	CodeLivenessCheckFailed            ErrorCode = "liveness_check_failed"
	CodeIDScanNotComplete              ErrorCode = "id_scan_not_complete"
	CodeIDScanFailed                   ErrorCode = "id_scan_failed"
	CodeSessionAlreadyTied             ErrorCode = "session_already_tied_to_an_account"
	CodeSessionOlderThan30Days         ErrorCode = "session_older_than_30_days"
	CodeAccountNotFound                ErrorCode = "account_not_found"
)

// CodeOf returns the Verisoul error code of err ("" when err is not a Verisoul API error).
func CodeOf(err error) ErrorCode {
	var e *transport.APIError
	if errors.As(err, &e) && e.Vendor == vendor {
		return ErrorCode(e.Code)
	}
	return ""
}

// NeedsNewSession reports whether err means this session can never succeed and the user
// must capture again with a new one: the capture failed, or the session is unknown or too
// old to enrol. session_not_started and session_not_complete are not included: the user
// may still be on the hosted page.
func NeedsNewSession(err error) bool {
	switch CodeOf(err) {
	case CodeSessionNotFound, CodeLivenessCheckFailed, CodeIDScanFailed, CodeSessionOlderThan30Days:
		return true
	}
	return false
}
