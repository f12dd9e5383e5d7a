package iproov

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/transport"
)

// ClaimType is the kind of claim a token is for, in iProov's spelling.
type ClaimType string

// Claim types.
const (
	Enrol  ClaimType = "enrol"
	Verify ClaimType = "verify"
)

// AssuranceType is the kind of face check: Genuine Presence Assurance (flash) or Liveness
// Assurance.
type AssuranceType string

// Assurance types. The zero value asks for iProov's default, GenuinePresence.
const (
	GenuinePresence AssuranceType = "genuine_presence"
	Liveness        AssuranceType = "liveness"
)

// ClaimWindow is how long a claim token may wait before it is claimed (by the client SDK,
// or by EnrolImage).
const ClaimWindow = 2 * time.Minute

// Claim is the state of one claim between backend steps: store it with the user record
// (JSON), hand Token to the client SDK, and pass the Claim back to the validate step.
// String, GoString and LogValue never show the token.
type Claim struct {
	Type          ClaimType     `json:"type"`
	Token         string        `json:"token"`
	UserID        string        `json:"user_id"`
	AssuranceType AssuranceType `json:"assurance_type"`
	RiskProfile   string        `json:"risk_profile,omitempty"`
	Resource      string        `json:"resource"`
	// Pod is iProov's backend pod of the claim, useful when reporting a problem.
	Pod      string    `json:"pod,omitempty"`
	IssuedAt time.Time `json:"issued_at"`
	// Fallback is iProov's user-facing fallback information, usually empty.
	Fallback []Fallback `json:"fallback,omitempty"`
	// Used is set once the backend spent the token (validate or EnrolImage sent): iProov
	// answers every later use with invalid_token, so the client refuses it first.
	Used bool `json:"used,omitempty"`
}

// Fallback is user-facing fallback information iProov attaches to a claim.
type Fallback struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// ClaimBy is when the token stops being claimable if nobody claimed it.
func (c Claim) ClaimBy() time.Time { return c.IssuedAt.Add(ClaimWindow) }

// String describes the claim without its token (a digest identifies it in logs).
func (c Claim) String() string {
	return fmt.Sprintf("iproov.Claim{type=%s user_id=%s assurance=%s token=%s issued=%s used=%t}",
		c.Type, c.UserID, c.AssuranceType, fingerprint(c.Token), c.IssuedAt.Format(time.RFC3339), c.Used)
}

// GoString is String, so %#v cannot print the token either.
func (c Claim) GoString() string { return c.String() }

// LogValue logs the claim without its token.
func (c Claim) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", string(c.Type)),
		slog.String("user_id", c.UserID),
		slog.String("assurance_type", string(c.AssuranceType)),
		slog.String("token", fingerprint(c.Token)),
		slog.Time("issued_at", c.IssuedAt),
		slog.Bool("used", c.Used),
	)
}

func digest(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// fingerprint names a token in logs by a short digest of it.
func fingerprint(token string) string {
	if token == "" {
		return "none"
	}
	d := digest(token)
	return "sha256:" + hex.EncodeToString(d[:4])
}

// TokenRequest asks for a claim token.
type TokenRequest struct {
	// UserID is the integrator's id for the user: unique, stored, not personal data;
	// letters, digits and ' + _ @ . - up to 256 characters.
	UserID string
	// Resource says what is being accessed (a URL, a use case, a client id).
	Resource string
	// AssuranceType: "" asks for iProov's default, GenuinePresence.
	AssuranceType AssuranceType
	// RiskProfile names a risk profile iProov configured for the service provider.
	RiskProfile string
	// IfEnrolled says what EnrolToken does when the user is already enrolled; the zero
	// value returns the already_enrolled error.
	IfEnrolled IfEnrolled
}

// IfEnrolled is the explicit recovery from iProov's already_enrolled, as iProov describes
// it: delete the enrolled user, or enrol under a new user id. Never done unless asked.
type IfEnrolled struct {
	// DeleteUser deletes the enrolled user through the Management API (needs WithOAuth)
	// and asks once more. iProov can no longer investigate fraud on a deleted user.
	DeleteUser bool
	// NewUserID returns a fresh user id to ask once more with; the Claim carries it.
	NewUserID func() (string, error)
}

var (
	userIDPattern = regexp.MustCompile(`^[a-zA-Z0-9'+_@.-]{1,256}$`)
	riskPattern   = regexp.MustCompile(`^[a-zA-Z0-9_-]{0,100}$`)
	reasonPattern = regexp.MustCompile(`^[a-zA-Z0-9_.:=()’'"/\s]{1,800}$`)
	// tokenPattern is looser than iProov's 64 hex characters, but keeps a stored claim
	// that came back changed from putting a path (".." in /claim/{token}/invalidate) or
	// whitespace into a request.
	tokenPattern = regexp.MustCompile(`^[a-zA-Z0-9]{1,256}$`)
)

func checkUserID(op, field, id string) error {
	if id == "" {
		return transport.Invalid(vendor, op, field, "is empty")
	}
	if !userIDPattern.MatchString(id) {
		return transport.Invalid(vendor, op, field, "must be 1 to 256 letters, digits or ' + _ @ . -")
	}
	return nil
}

func checkRiskProfile(op, p string) error {
	if !riskPattern.MatchString(p) {
		return transport.Invalid(vendor, op, "risk_profile", "must be up to 100 letters, digits, _ or -")
	}
	return nil
}

func (r TokenRequest) check(op string) error {
	if err := checkUserID(op, "user_id", r.UserID); err != nil {
		return err
	}
	if strings.TrimSpace(r.Resource) == "" {
		return transport.Invalid(vendor, op, "resource", "is empty")
	}
	switch r.AssuranceType {
	case "", GenuinePresence, Liveness:
	default:
		return transport.Invalid(vendor, op, "assurance_type", "must be genuine_presence or liveness")
	}
	if r.IfEnrolled.DeleteUser && r.IfEnrolled.NewUserID != nil {
		return transport.Invalid(vendor, op, "if_enrolled", "choose DeleteUser or NewUserID, not both")
	}
	return checkRiskProfile(op, r.RiskProfile)
}

// EnrolToken asks for an enrol claim token (POST /claim/enrol/token): the first step of a
// capture enrol (hand the token to the client SDK, then EnrolValidate) and of a photo
// enrol (then EnrolImage). The token must be claimed within ClaimWindow.
//
// A user_id iProov already enrolled answers already_enrolled (see Code); req.IfEnrolled
// opts into deleting that user or switching to a new user id.
func (c *Client) EnrolToken(ctx context.Context, req TokenRequest) (*Claim, error) {
	const op = "userEnrolServerToken"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := req.check(op); err != nil {
		return nil, err
	}
	if req.IfEnrolled.DeleteUser && c.oauthUser == "" {
		return nil, transport.Invalid(vendor, op, "if_enrolled", "DeleteUser needs WithOAuth")
	}
	cl, err := c.token(ctx, op, Enrol, req)
	if CodeOf(err) != CodeAlreadyEnrolled {
		return cl, err
	}
	switch {
	case req.IfEnrolled.DeleteUser:
		if _, derr := c.DeleteUser(ctx, req.UserID); derr != nil {
			return nil, fmt.Errorf("%w (deleting the enrolled user failed: %w)", err, derr)
		}
	case req.IfEnrolled.NewUserID != nil:
		id, gerr := req.IfEnrolled.NewUserID()
		if gerr != nil {
			return nil, fmt.Errorf("%w (no new user id: %w)", err, gerr)
		}
		if verr := checkUserID(op, "user_id", id); verr != nil {
			return nil, verr
		}
		req.UserID = id
	default:
		return nil, err
	}
	return c.token(ctx, op, Enrol, req)
}

// VerifyToken asks for a verify claim token for an enrolled, active user (POST
// /claim/verify/token): hand the token to the client SDK, then call VerifyValidate. A user
// never enrolled answers no_user; a suspended one inactive_user.
func (c *Client) VerifyToken(ctx context.Context, req TokenRequest) (*Claim, error) {
	const op = "userVerifyServerToken"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := req.check(op); err != nil {
		return nil, err
	}
	return c.token(ctx, op, Verify, req)
}

func (c *Client) token(ctx context.Context, op string, kind ClaimType, req TokenRequest) (*Claim, error) {
	ctx = transport.WithOperation(ctx, op)
	body := claim.ServerClaimRequest{
		ApiKey: c.apiKey, Secret: c.secret, Resource: req.Resource, UserId: req.UserID, Client: &c.clientName,
	}
	if req.AssuranceType != "" {
		at := claim.AssuranceType(req.AssuranceType)
		body.AssuranceType = &at
	}
	if req.RiskProfile != "" {
		body.RiskProfile = &req.RiskProfile
	}
	issued := c.now()
	var out *claim.ClaimResponse
	if kind == Enrol {
		res, err := c.api.UserEnrolServerTokenWithResponse(ctx, body)
		if err != nil {
			return nil, c.tc.Wrap(ctx, op, err)
		}
		if err := c.check(ctx, op, res.HTTPResponse, res.Body, usableClaim(res.JSON200), claimFields...); err != nil {
			return nil, err
		}
		out = res.JSON200
	} else {
		res, err := c.api.UserVerifyServerTokenWithResponse(ctx, body)
		if err != nil {
			return nil, c.tc.Wrap(ctx, op, err)
		}
		if err := c.check(ctx, op, res.HTTPResponse, res.Body, usableClaim(res.JSON200), claimFields...); err != nil {
			return nil, err
		}
		out = res.JSON200
	}
	assurance := req.AssuranceType
	if assurance == "" {
		assurance = GenuinePresence
	}
	cl := &Claim{
		Type: kind, Token: out.Token, UserID: req.UserID, AssuranceType: assurance,
		RiskProfile: req.RiskProfile, Resource: req.Resource, Pod: out.Pod, IssuedAt: issued,
	}
	if out.UserId != nil && *out.UserId != "" {
		cl.UserID = *out.UserId
	}
	for _, f := range out.Fallback {
		cl.Fallback = append(cl.Fallback, Fallback{Type: f.Type, Message: f.Message})
	}
	return cl, nil
}

// usableClaim reports whether a token answer can be used by the later steps: a token
// and, when iProov names one, a user id that the client's own checks accept. Anything
// else would only fail later, as if the caller were at fault.
func usableClaim(out *claim.ClaimResponse) bool {
	return out != nil && tokenPattern.MatchString(out.Token) &&
		(out.UserId == nil || *out.UserId == "" || userIDPattern.MatchString(*out.UserId))
}

// Invalidation is what POST /claim/{token}/invalidate did.
type Invalidation struct {
	// ClaimAborted is false when the claim had already finished.
	ClaimAborted bool
	// UserInformed is true when the user was in the capture and saw the reason.
	UserInformed bool
}

// Invalidate aborts a claim that has not been validated (POST /claim/{token}/invalidate);
// reason is shown to the user if the capture is in progress.
//
// The call changes *cl: an aborted claim is marked Used. Store the claim again after the
// call, as the example of EnrolValidate shows.
func (c *Client) Invalidate(ctx context.Context, cl *Claim, reason string) (*Invalidation, error) {
	const op = "invalidateToken"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkClaim(op, cl, ""); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, transport.Invalid(vendor, op, "reason", "is empty")
	}
	if !reasonPattern.MatchString(reason) {
		return nil, transport.Invalid(vendor, op, "reason", "may hold letters, digits, spaces and _ . : = ( ) ' \" / only, up to 800")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.InvalidateTokenWithResponse(ctx, cl.Token, claim.InvalidateClaimRequest{Reason: reason})
	if err != nil {
		return nil, c.tc.Wrap(ctx, op, err)
	}
	if err := c.check(ctx, op, res.HTTPResponse, res.Body, res.JSON200 != nil, invalidateFields...); err != nil {
		return nil, err
	}
	out := res.JSON200
	if out.ClaimAborted {
		cl.Used = true
	}
	return &Invalidation{ClaimAborted: out.ClaimAborted, UserInformed: out.UserInformed}, nil
}

// Available tells whether iProov's platform is up for the service provider (GET
// /availability).
func (c *Client) Available(ctx context.Context) (bool, error) {
	const op = "platformAvailable"
	if err := c.ready(op); err != nil {
		return false, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.PlatformAvailableWithResponse(ctx, &claim.PlatformAvailableParams{ApiKey: c.apiKey})
	if err != nil {
		return false, c.tc.Wrap(ctx, op, err)
	}
	if err := c.check(ctx, op, res.HTTPResponse, res.Body, res.JSON200 != nil, availableFields...); err != nil {
		return false, err
	}
	return res.JSON200.Up, nil
}

// Errors of a claim in the wrong state, matched with errors.Is. They are also
// *transport.ValidationError: found before any network call.
var (
	ErrClaimUsed    = errors.New("iproov: claim token already used")
	ErrClaimExpired = errors.New("iproov: claim token expired before it was claimed")
	ErrWrongClaim   = errors.New("iproov: claim of the other type")
)

type stateError struct {
	sentinel error
	v        *transport.ValidationError
}

func (e *stateError) Error() string   { return e.v.Error() }
func (e *stateError) Unwrap() []error { return []error{e.sentinel, e.v} }

func invalidState(op string, sentinel error, reason string) error {
	return &stateError{sentinel: sentinel, v: &transport.ValidationError{Vendor: vendor, Operation: op, Field: "claim", Reason: reason}}
}

// checkClaim refuses a missing claim, a claim of another type than want ("" = any) and a
// spent claim.
func checkClaim(op string, cl *Claim, want ClaimType) error {
	switch {
	case cl == nil:
		return transport.Invalid(vendor, op, "claim", "is nil")
	case cl.Token == "":
		return transport.Invalid(vendor, op, "claim", "has no token")
	case !tokenPattern.MatchString(cl.Token):
		return transport.Invalid(vendor, op, "claim", "has a malformed token (iProov tokens are letters and digits)")
	case want != "" && cl.Type != want:
		return invalidState(op, ErrWrongClaim, "is a "+string(cl.Type)+" claim; this step needs a "+string(want)+" claim")
	case cl.Used:
		return invalidState(op, ErrClaimUsed, "was already used; ask for a new token")
	}
	return nil
}
