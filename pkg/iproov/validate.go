package iproov

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/transport"
)

// ValidateOptions tune a validation.
type ValidateOptions struct {
	// Client is the end user's device: a User-Agent or device fingerprint from the SDK's
	// side. Empty sends the client's name (WithClientName).
	Client string
	// IP is the end user's IPv4 address. Deprecated by iProov; still accepted.
	IP string
	// LeaveSuspended (enrol only) leaves a successfully enrolled user suspended instead of
	// activating it (iProov's activate=false); activate it later with ActivateUser.
	LeaveSuspended bool
}

// Result is the outcome of a claim. iProov answers passes and fails alike with HTTP 200.
// String and LogValue never show frames.
type Result struct {
	Passed bool
	// Reason is iProov's human-readable failure reason, when the feature is enabled.
	Reason        string
	Type          ClaimType
	AssuranceType AssuranceType
	RiskProfile   string
	// Signals are per-feature signals, when enabled; nil fields were not sent.
	Signals Signals
	// Frame is a PNG frame of the capture and FrameJPEG a JPEG one, when frame return is
	// enabled: biometric data, keep it out of logs.
	Frame, FrameJPEG []byte
	// FrameQuality grades the returned frame, when sent.
	FrameQuality *FrameQuality
}

// Signals are iProov's per-check signals.
type Signals struct {
	AntiSpoofing  *bool // the liveness / genuine presence check passed
	Matching      *bool // the face matched the enrolled one (verify only)
	MultipleFaces *bool // more than one face was seen
}

// FrameQuality grades a returned frame: "Good", "Acceptable", "Poor" or "not_available"
// (iProov's casing; unknown grades are kept as sent).
type FrameQuality struct {
	Blur, Pose, Lighting string
}

// String is "passed" or "failed: <reason>".
func (r Result) String() string {
	if r.Passed {
		return "passed"
	}
	if r.Reason == "" {
		return "failed"
	}
	return "failed: " + r.Reason
}

// LogValue logs the outcome without frames.
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("passed", r.Passed), slog.String("reason", r.Reason),
		slog.String("type", string(r.Type)), slog.Bool("frame", len(r.Frame) > 0))
}

// GoString is String, so %#v cannot dump frames either.
func (r Result) GoString() string { return fmt.Sprintf("iproov.Result{%s}", r.String()) }

func (o ValidateOptions) check(op string) error {
	if o.IP != "" {
		ip := net.ParseIP(o.IP)
		if ip == nil || ip.To4() == nil || strings.Contains(o.IP, ":") {
			return transport.Invalid(vendor, op, "ip", "must be an IPv4 address")
		}
	}
	return nil
}

// EnrolValidate asks for the outcome of a capture enrol once the client SDK finished
// (POST /claim/enrol/validate) and, when it passed, activates the user (or leaves it
// suspended, see ValidateOptions). Validation is one-shot: the claim is spent by this
// call and a second call fails before any network call.
//
// The call changes *enrol: Used becomes true as the token is sent, and stays true when the
// call fails after that (a vendor error, a lost answer), because iProov may have spent
// the token; it goes back to false only when the request provably never left. Store the
// claim again after the call, success or failure (see the example).
func (c *Client) EnrolValidate(ctx context.Context, enrol *Claim, opts ValidateOptions) (*Result, error) {
	const op = "userEnrolValidate"
	return c.validate(ctx, op, enrol, Enrol, opts)
}

// VerifyValidate asks for the outcome of a verification once the client SDK finished
// (POST /claim/verify/validate). Store the Result with the user record: iProov answers it
// once per token. The claim is spent by this call and a second call fails before any
// network call.
//
// The call changes *verify: Used becomes true as the token is sent, and stays true when the
// call fails after that (a vendor error, a lost answer), because iProov may have spent
// the token; it goes back to false only when the request provably never left. Store the
// claim again after the call, success or failure (see the example).
func (c *Client) VerifyValidate(ctx context.Context, verify *Claim, opts ValidateOptions) (*Result, error) {
	const op = "userVerifyValidate"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if opts.LeaveSuspended {
		return nil, transport.Invalid(vendor, op, "leave_suspended", "applies to enrolment only")
	}
	return c.validate(ctx, op, verify, Verify, opts)
}

func (c *Client) validate(ctx context.Context, op string, cl *Claim, kind ClaimType, opts ValidateOptions) (*Result, error) {
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkClaim(op, cl, kind); err != nil {
		return nil, err
	}
	if err := checkUserID(op, "user_id", cl.UserID); err != nil {
		return nil, err
	}
	if err := checkRiskProfile(op, cl.RiskProfile); err != nil {
		return nil, err
	}
	if err := opts.check(op); err != nil {
		return nil, err
	}
	client := strings.TrimSpace(opts.Client)
	if client == "" {
		client = c.clientName
	}
	req := claim.ClaimValidateRequest{
		ApiKey: c.apiKey, Secret: c.secret, UserId: cl.UserID, Token: cl.Token, Client: client,
	}
	if cl.RiskProfile != "" {
		req.RiskProfile = &cl.RiskProfile
	}
	if opts.IP != "" {
		req.Ip = &opts.IP
	}
	if !c.spent.take(cl.Token, c.now()) {
		return nil, invalidState(op, ErrClaimUsed, "was already validated by this client; ask for a new token")
	}
	cl.Used = true
	ctx = transport.WithOperation(ctx, op)

	var rsp *http.Response
	var err error
	if kind == Enrol {
		body := claim.EnrolValidateRequest{
			ApiKey: req.ApiKey, Secret: req.Secret, UserId: req.UserId, Token: req.Token,
			Client: req.Client, RiskProfile: req.RiskProfile, Ip: req.Ip,
		}
		if opts.LeaveSuspended {
			activate := false
			body.Activate = &activate
		}
		rsp, err = c.api.UserEnrolValidate(ctx, body)
	} else {
		rsp, err = c.api.UserVerifyValidate(ctx, req)
	}
	fail := func(err error) (*Result, error) {
		err = c.tc.Wrap(ctx, op, err)
		c.unspend(cl, err)
		return nil, err
	}
	if err != nil {
		return fail(err)
	}
	out, callErr, err := c.readValidation(ctx, op, kind, rsp)
	if callErr != nil {
		return fail(callErr)
	}
	if err != nil {
		return nil, err
	}
	return resultOf(out), nil
}

// readValidation reads a validation answer through the generated parser; its required
// members are told from absent by check's presence scan, which allocates nothing.
// callErr is a failure to read or decode the answer (the caller wraps it, as it wraps a
// failed call); err is the answer's typed error (check's).
func (c *Client) readValidation(ctx context.Context, op string, kind ClaimType, rsp *http.Response) (out *claim.ClaimValidateResponse, callErr, err error) {
	var body []byte
	var v *claim.ClaimValidateResponse
	if kind == Enrol {
		res, err := claim.ParseUserEnrolValidateResult(rsp)
		if err != nil {
			return nil, err, nil
		}
		body, v = res.Body, res.JSON200
	} else {
		res, err := claim.ParseUserVerifyValidateResult(rsp)
		if err != nil {
			return nil, err, nil
		}
		body, v = res.Body, res.JSON200
	}
	if err := c.check(ctx, op, rsp, body, v != nil, validationFields...); err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: rsp.StatusCode, Err: errors.New("success without the documented JSON body")}
	}
	return v, nil, nil
}

func resultOf(v *claim.ClaimValidateResponse) *Result {
	r := &Result{Passed: v.Passed, Type: ClaimType(v.Type)}
	switch {
	case v.Reason != nil:
		r.Reason = *v.Reason
	case v.Result != nil && v.Result.Reason != nil:
		// Where iProov's Flutter client reads it.
		r.Reason = *v.Result.Reason
	}
	if v.AssuranceType != nil {
		r.AssuranceType = AssuranceType(*v.AssuranceType)
	}
	if v.RiskProfile != nil {
		r.RiskProfile = *v.RiskProfile
	}
	if s := v.Signals; s != nil {
		if s.AntiSpoofing != nil {
			r.Signals.AntiSpoofing = s.AntiSpoofing.Passed
		}
		if s.Matching != nil {
			r.Signals.Matching = s.Matching.Passed
		}
		r.Signals.MultipleFaces = s.MultipleFacesFound
		if r.Signals.MultipleFaces == nil && s.MultipleFaces != nil && s.MultipleFaces.SingleFace != nil && s.MultipleFaces.SingleFace.Found != nil {
			multiple := !*s.MultipleFaces.SingleFace.Found
			r.Signals.MultipleFaces = &multiple
		}
	}
	// A frame that does not decode is dropped rather than failing the call: the outcome
	// of a one-shot validation must not be lost over an optional extra.
	if v.Frame != nil {
		r.Frame = decodeFrame(*v.Frame)
	}
	if v.FrameJpeg != nil {
		r.FrameJPEG = decodeFrame(*v.FrameJpeg)
	}
	if q := v.ReturnFrameQuality; q != nil {
		r.FrameQuality = &FrameQuality{Blur: quality(q.Blur), Pose: quality(q.Pose), Lighting: quality(q.Lighting)}
	}
	return r
}

func decodeFrame(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

func quality(q *claim.FrameQuality) string {
	if q == nil {
		return string(claim.NotAvailable)
	}
	return string(*q)
}
