package idv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/transport"
)

// IProovOptions tune the iProov adapter.
type IProovOptions struct {
	// Resource names what the user is accessing, as iProov's token requests need
	// (empty: the capability's name, e.g. "authentication").
	Resource string
	// AssuranceType is GenuinePresence (iProov's default when empty) or Liveness.
	AssuranceType iproov.AssuranceType
	// RiskProfile names one of the service provider's risk profiles; optional.
	RiskProfile string
	// IfEnrolled is what a FaceEnrolment of an enrolled user does; the zero value lets
	// iProov's already_enrolled error through (nothing is deleted unless asked).
	IfEnrolled iproov.IfEnrolled
	// Now stamps outcomes (nil: time.Now).
	Now func() time.Time
}

// IProovAdapter offers iProov's capabilities: Authentication and FaceEnrolment (live
// capture, or a trusted photo then a capture that must match it). Every journey hands
// a token to iProov's client SDK (StepClientSDK). iProov has no 1:N search and reads no
// documents, so there is no Uniqueness or DocumentVerification method.
type IProovAdapter struct {
	c   *iproov.Client
	opt IProovOptions
}

// IProov adapts an iProov client. A nil client is a *transport.ValidationError.
func IProov(c *iproov.Client, o IProovOptions) (*IProovAdapter, error) {
	if c == nil {
		return nil, transport.Invalid(iproovName, "idv.IProov", "client", "is nil")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &IProovAdapter{c: c, opt: o}, nil
}

// Vendor is "iproov".
func (a *IProovAdapter) Vendor() string { return iproovName }

// Authentication: verify token for Request.UserID → the SDK → verify/validate.
func (a *IProovAdapter) Authentication() Journey {
	return &iproovJourney{a: a, cap: CapabilityAuthentication}
}

// FaceEnrolment: enrol token → the SDK → enrol/validate (the user is activated). With
// Request.Photo it is iProov's photo enrol instead: enrol token → enrol image → verify
// token → the SDK → verify/validate, which passes when the live face matches the photo.
func (a *IProovAdapter) FaceEnrolment() Journey {
	return &iproovJourney{a: a, cap: CapabilityFaceEnrolment}
}

type iproovJourney struct {
	a   *IProovAdapter
	cap Capability
}

func (j *iproovJourney) Vendor() string         { return iproovName }
func (j *iproovJourney) Capability() Capability { return j.cap }

func (j *iproovJourney) Start(ctx context.Context, req Request) (*Pending, error) {
	resource := j.a.opt.Resource
	if resource == "" {
		resource = string(j.cap)
	}
	tr := iproov.TokenRequest{UserID: req.UserID, Resource: resource, AssuranceType: j.a.opt.AssuranceType, RiskProfile: j.a.opt.RiskProfile}
	var (
		cl  *iproov.Claim
		err error
	)
	switch {
	case j.cap == CapabilityAuthentication && req.Photo != nil:
		return nil, transport.Invalid(iproovName, "idv.Start", "photo", "authentication compares a live capture with the enrolled face; enrol the photo with FaceEnrolment")
	case j.cap == CapabilityAuthentication:
		cl, err = j.a.c.VerifyToken(ctx, tr)
	case req.Photo != nil:
		tr.IfEnrolled = j.a.opt.IfEnrolled
		cl, err = j.a.c.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: tr,
			Photo: iproov.Photo{Image: req.Photo.Image, Source: iproov.Source(req.Photo.Source)}})
	default:
		tr.IfEnrolled = j.a.opt.IfEnrolled
		cl, err = j.a.c.EnrolToken(ctx, tr)
	}
	if err != nil {
		return nil, err
	}
	st := State{Version: StateVersion, Vendor: iproovName, Capability: j.cap, UserID: cl.UserID, StartedAt: j.a.opt.Now(), IProov: cl}
	if !cl.IssuedAt.IsZero() {
		st.StartedAt = cl.IssuedAt
	}
	return &Pending{Step: StepClientSDK, Token: cl.Token, Expires: cl.ClaimBy(), State: st}, nil
}

func (j *iproovJourney) Resume(ctx context.Context, st State, res UserResult) (*Outcome, error) {
	if err := st.check(iproovName, j.cap); err != nil {
		return nil, err
	}
	cl := *st.IProov
	out := &Outcome{Vendor: iproovName, Capability: j.cap, StartedAt: st.StartedAt,
		Refs: References{UserID: st.UserID, Claim: claimDigest(cl.Token), Pod: cl.Pod}}
	opts := iproov.ValidateOptions{Client: res.Client}
	var (
		r   *iproov.Result
		err error
	)
	// A photo enrolment ends with a verify claim: the live face must match the photo.
	if cl.Type == iproov.Enrol {
		r, err = j.a.c.EnrolValidate(ctx, &cl, opts)
	} else {
		r, err = j.a.c.VerifyValidate(ctx, &cl, opts)
	}
	out.DecidedAt = j.a.opt.Now()
	if err != nil {
		if iproov.CodeOf(err) == iproov.CodeInvalidToken && !errors.Is(err, transport.ErrValidation) {
			// iProov answers a token nobody claimed in time, or whose capture never
			// finished, with invalid_token: the user did not do their step.
			out.Status, out.Reasons, out.Codes = StatusFailed, []Reason{ReasonUserAbandoned}, []string{string(iproov.CodeInvalidToken)}
			return out, nil
		}
		return nil, err
	}
	if r.Passed {
		out.Status = StatusPassed
		return out, nil
	}
	out.Status = StatusFailed
	if r.Reason != "" {
		out.VendorReasons = []string{r.Reason}
	}
	if s := r.Signals.AntiSpoofing; s != nil && !*s {
		out.Reasons = append(out.Reasons, ReasonLivenessFailed)
		out.Codes = append(out.Codes, "anti_spoofing:failed")
	}
	if s := r.Signals.Matching; s != nil && !*s {
		out.Reasons = append(out.Reasons, ReasonFaceMismatch)
		out.Codes = append(out.Codes, "matching:failed")
	}
	if len(out.Reasons) == 0 {
		out.Reasons = []Reason{ReasonRefused}
	}
	return out, nil
}

// claimDigest names a claim by its token's digest, as the iproov package prints it.
func claimDigest(token string) string {
	if token == "" {
		return ""
	}
	d := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(d[:4])
}
