package verisoul

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/transport"
)

// EnrollWindow is how long after its creation Verisoul lets a session be enrolled.
const EnrollWindow = 30 * 24 * time.Hour

// ErrNotEnrolled is matched by every *NotEnrolledError.
var ErrNotEnrolled = errors.New("verisoul: enrolment not confirmed (success=false)")

// NotEnrolledError is Verisoul's 200 answer with success=false: the vendor refused to tie
// the session to the account. It matches ErrNotEnrolled through errors.Is.
type NotEnrolledError struct {
	Operation string // enrollFaceMatch or enrollIDCheck
	RequestID string
}

func (e *NotEnrolledError) Error() string {
	s := vendor + " " + e.Operation + ": enrolment not confirmed (success=false)"
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap exposes ErrNotEnrolled.
func (e *NotEnrolledError) Unwrap() error { return ErrNotEnrolled }

// Enrollment confirms a session tied to an account. String, GoString and LogValue show
// only the start of the session id, like Session's.
type Enrollment struct {
	RequestID string
	SessionID string
	AccountID string
}

// String shows the enrolment without the full session id.
func (e Enrollment) String() string {
	return fmt.Sprintf("verisoul.Enrollment{account: %s, session: %s, request id: %s}", e.AccountID, redactID(e.SessionID), e.RequestID)
}

// GoString keeps %#v from printing the full session id.
func (e Enrollment) GoString() string { return e.String() }

// LogValue keeps slog from printing the full session id.
func (e Enrollment) LogValue() slog.Value {
	return slog.GroupValue(slog.String("account_id", e.AccountID), slog.String("session_id", redactID(e.SessionID)),
		slog.String("request_id", e.RequestID))
}

// enrollFields are what the spec marks required in an enrol answer: a bool decodes absent
// as false, which would read as a refusal.
var enrollFields = []string{"request_id", "success"}

// Enroll ties a completed session's face (and, for ID Check, its document) to accountID
// (POST /liveness/enroll), so later sessions are matched against it (1:N) and
// VerifyIdentity can compare against it (1:1). A session can be tied to one account only,
// within 30 days of its creation: when the session's creation time is known an older
// session is refused here, before any call.
// https://docs.verisoul.ai/api-reference/face-match/enroll-account
func (c *Client) Enroll(ctx context.Context, s Session, accountID string) (*Enrollment, error) {
	op := "enrollFaceMatch"
	if s.Product == IDCheck {
		op = "enrollIDCheck"
	}
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkSession(op, s, ""); err != nil {
		return nil, err
	}
	if err := checkAccount(op, accountID); err != nil {
		return nil, err
	}
	if !s.CreatedAt.IsZero() {
		if age := c.now().Sub(s.CreatedAt); age > EnrollWindow {
			return nil, transport.Invalid(vendor, op, "session",
				fmt.Sprintf("was created %d days ago; Verisoul enrols sessions up to 30 days old (session_older_than_30_days)", int(age.Hours()/24)))
		}
	}
	ctx = transport.WithOperation(ctx, op)
	sid := uuid.MustParse(s.ID)
	var (
		success   bool
		requestID string
	)
	if s.Product == IDCheck {
		res, err := c.idc.EnrollIDCheckWithResponse(ctx, idcheck.EnrollRequest{SessionId: sid, AccountId: accountID}, c.auth)
		if res == nil {
			return nil, result(ctx, c.idcT, op, err, nil, nil, false)
		}
		if err := result(ctx, c.idcT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
			return nil, err
		}
		if err := requireFields(op, res.StatusCode(), res.Body, enrollFields...); err != nil {
			return nil, err
		}
		success, requestID = res.JSON200.Success, res.JSON200.RequestId.String()
	} else {
		res, err := c.fm.EnrollFaceMatchWithResponse(ctx, facematch.EnrollRequest{SessionId: sid, AccountId: accountID}, c.auth)
		if res == nil {
			return nil, result(ctx, c.fmT, op, err, nil, nil, false)
		}
		if err := result(ctx, c.fmT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
			return nil, err
		}
		if err := requireFields(op, res.StatusCode(), res.Body, enrollFields...); err != nil {
			return nil, err
		}
		success, requestID = res.JSON200.Success, res.JSON200.RequestId.String()
	}
	e := &Enrollment{RequestID: requestID, SessionID: s.ID, AccountID: accountID}
	if !success {
		return e, &NotEnrolledError{Operation: op, RequestID: requestID}
	}
	return e, nil
}
