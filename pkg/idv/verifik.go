package idv

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// VerifikOptions configure the Verifik adapter. Smart Enroll journeys run in a project
// flow set up once (verifik.Client.Setup); each capability needs a flow that asks for
// its steps.
type VerifikOptions struct {
	// Flow runs Uniqueness and FaceEnrolment: its liveness step must not be skipped
	// (the selfie is where the duplicate search runs), e.g. verifik.BasicEnrollment with
	// Liveness Mandatory and Document Skip.
	Flow verifik.Flow
	// DocumentFlow runs DocumentVerification: document and liveness not skipped, e.g.
	// verifik.FullVerification. It lives in its own project: Setup keeps one active
	// flow per project.
	DocumentFlow verifik.Flow
	// Decide picks how a registration ends (nil: verifik.State.Recommend).
	Decide func(verifik.State) verifik.Status
	// Now stamps outcomes (nil: time.Now).
	Now func() time.Time
}

// VerifikAdapter offers Verifik Smart Enroll's capabilities: Uniqueness, FaceEnrolment
// and DocumentVerification. The user types the one-time codes Verifik sends
// (StepEnterCode) and your page takes the selfie and the document (StepCapture).
// Verifik has no 1:1 verification of an enrolled user, so there is no Authentication
// method.
type VerifikAdapter struct {
	c   *verifik.Client
	opt VerifikOptions
}

// Verifik adapts a Verifik client. A nil client, no flow, or a flow that skips a step its
// capability needs is a *transport.ValidationError here rather than at the first user.
func Verifik(c *verifik.Client, o VerifikOptions) (*VerifikAdapter, error) {
	const op = "idv.Verifik"
	switch {
	case c == nil:
		return nil, transport.Invalid(verifikName, op, "client", "is nil")
	case o.Flow.FlowID == "" && o.DocumentFlow.FlowID == "":
		return nil, transport.Invalid(verifikName, op, "flow", "neither Flow nor DocumentFlow is set")
	case o.Flow.FlowID != "" && o.Flow.Requirement(verifik.StepLiveness) == verifik.Skip:
		return nil, transport.Invalid(verifikName, op, "flow", "skips the liveness step, which uniqueness and enrolment need")
	case o.DocumentFlow.FlowID != "" && (o.DocumentFlow.Requirement(verifik.StepDocument) == verifik.Skip ||
		o.DocumentFlow.Requirement(verifik.StepLiveness) == verifik.Skip):
		return nil, transport.Invalid(verifikName, op, "document_flow", "skips the document or the liveness step")
	}
	if o.Decide == nil {
		o.Decide = verifik.State.Recommend
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &VerifikAdapter{c: c, opt: o}, nil
}

// Vendor is "verifik".
func (a *VerifikAdapter) Vendor() string { return verifikName }

// Uniqueness: register → codes → selfie (liveness and the project's duplicate search)
// → end the registration as Decide says.
func (a *VerifikAdapter) Uniqueness() Journey {
	return &verifikJourney{a: a, cap: CapabilityUniqueness, flow: a.opt.Flow}
}

// FaceEnrolment: the same steps as Uniqueness — Verifik creates the person from the
// selfie only when no enrolled face matches.
func (a *VerifikAdapter) FaceEnrolment() Journey {
	return &verifikJourney{a: a, cap: CapabilityFaceEnrolment, flow: a.opt.Flow}
}

// DocumentVerification: register → codes → document (OCR) and selfie → face compare →
// end the registration as Decide says.
func (a *VerifikAdapter) DocumentVerification() Journey {
	return &verifikJourney{a: a, cap: CapabilityDocumentVerification, flow: a.opt.DocumentFlow}
}

type verifikJourney struct {
	a    *VerifikAdapter
	cap  Capability
	flow verifik.Flow
}

func (j *verifikJourney) Vendor() string         { return verifikName }
func (j *verifikJourney) Capability() Capability { return j.cap }

// Start registers the user. An email or phone the flow already holds is refused by
// Verifik (verifik.ErrAlreadyRegistered): NextStep says ResumeExisting with
// ReasonAlreadyRegistered, so the caller resumes the State it stored rather than failing
// the user.
func (j *verifikJourney) Start(ctx context.Context, req Request) (*Pending, error) {
	const op = "idv.Start"
	switch {
	case j.flow.FlowID == "":
		field := "flow"
		if j.cap == CapabilityDocumentVerification {
			field = "document_flow"
		}
		return nil, transport.Invalid(verifikName, op, field, "is not configured (VerifikOptions)")
	case req.UserID == "":
		return nil, transport.Invalid(verifikName, op, "user_id", "must not be empty")
	case req.Photo != nil:
		return nil, transport.Invalid(verifikName, op, "photo", "Verifik enrols from the user's selfie only")
	}
	r, err := j.a.c.Register(ctx, j.flow, verifik.Registration{Email: req.Email, Phone: req.Phone,
		CountryCode: req.CountryCode, FullName: req.FullName, Language: req.Language})
	if err != nil {
		return nil, err
	}
	st := State{Version: StateVersion, Vendor: verifikName, Capability: j.cap, UserID: req.UserID, StartedAt: j.a.opt.Now()}
	return j.next(ctx, st, r, "")
}

// next asks for the first step the registrant has not done: a code, then the captures.
func (j *verifikJourney) next(ctx context.Context, st State, r *verifik.Registrant, why Reason) (*Pending, error) {
	vs := r.State()
	switch {
	case vs.Flow.EmailCode && !vs.EmailVerified:
		// Sending again while a code is active sends the same code (Verifik's rule).
		sent, err := r.SendEmailCode(ctx)
		if err != nil {
			return nil, err
		}
		return j.pending(st, r, &Pending{Step: StepEnterCode, Channel: "email", Expires: sent.ExpiresAt, Reason: why}), nil
	case vs.Flow.PhoneCode && !vs.PhoneVerified:
		sent, err := r.SendPhoneCode(ctx, "")
		if err != nil {
			return nil, err
		}
		return j.pending(st, r, &Pending{Step: StepEnterCode, Channel: "phone", Expires: sent.ExpiresAt, Reason: why}), nil
	}
	var capture []string
	if j.cap == CapabilityDocumentVerification && !documentDone(vs) {
		capture = append(capture, ImageDocument)
	}
	if vs.PersonID == "" {
		capture = append(capture, ImageSelfie)
	}
	return j.pending(st, r, &Pending{Step: StepCapture, Capture: capture, Reason: why}), nil
}

func (j *verifikJourney) pending(st State, r *verifik.Registrant, p *Pending) *Pending {
	vs := r.State()
	st.Verifik = &vs
	p.State = st
	return p
}

// documentDone: a document was accepted (VALIDATED or ACTIVE, as the verifik package
// judges DocumentResult.Accepted).
func documentDone(vs verifik.State) bool {
	switch vs.DocumentStatus {
	case verifik.DocumentValidated, verifik.DocumentActive:
		return vs.DocumentValidationID != ""
	}
	return false
}

func (j *verifikJourney) Resume(ctx context.Context, st State, res UserResult) (*Outcome, error) {
	if err := st.check(verifikName, j.cap); err != nil {
		return nil, err
	}
	r, err := j.a.c.Resume(*st.Verifik)
	if err != nil {
		return nil, err
	}
	vs := r.State()
	switch {
	case vs.Flow.EmailCode && !vs.EmailVerified:
		return j.confirm(ctx, st, r, r.ConfirmEmailCode, res.Code)
	case vs.Flow.PhoneCode && !vs.PhoneVerified:
		return j.confirm(ctx, st, r, r.ConfirmPhoneCode, res.Code)
	}
	return j.capture(ctx, st, r, res)
}

// confirm checks a typed code: a wrong one is asked again, an expired one is sent anew.
func (j *verifikJourney) confirm(ctx context.Context, st State, r *verifik.Registrant, check func(context.Context, string) error, code string) (*Outcome, error) {
	err := check(ctx, code)
	var why Reason
	switch {
	case errors.Is(err, verifik.ErrCodeMismatch):
		// The code sent is still good: ask again without sending another.
		vs := r.State()
		p := &Pending{Step: StepEnterCode, Channel: "email", Expires: vs.EmailExpiresAt, Reason: ReasonCodeMismatch}
		if vs.EmailVerified || !vs.Flow.EmailCode {
			p.Channel, p.Expires = "phone", vs.PhoneExpiresAt
		}
		return j.outcome(st, r, StatusPending, j.pending(st, r, p)), nil
	case errors.Is(err, verifik.ErrCodeExpired):
		why = ReasonExpired
	case err != nil:
		return nil, err
	}
	p, err := j.next(ctx, st, r, why)
	if err != nil {
		return nil, err
	}
	return j.outcome(st, r, StatusPending, p), nil
}

func (j *verifikJourney) capture(ctx context.Context, st State, r *verifik.Registrant, res UserResult) (*Outcome, error) {
	const op = "idv.Resume"
	var (
		reasons []Reason
		codes   []string
	)
	if j.cap == CapabilityDocumentVerification && !documentDone(r.State()) {
		if len(res.Document) == 0 {
			return nil, transport.Invalid(verifikName, op, "document", "the document's front image is needed")
		}
		vs := r.State()
		doc, err := r.SubmitDocument(ctx, verifik.Document{Front: verifik.ImageOf(res.Document), Force: vs.DocumentValidationID != ""})
		if err != nil {
			return nil, err
		}
		if !doc.Accepted {
			// The policy sees the refused document in the state (Recommend fails it).
			return j.finish(ctx, st, r, []Reason{ReasonDocumentInvalid}, []string{"document:" + string(doc.Status)})
		}
	}
	if r.State().PersonID == "" {
		if len(res.Selfie) == 0 {
			return nil, transport.Invalid(verifikName, op, "selfie", "the selfie image is needed")
		}
		os, err := verifikOS(res.Device)
		if err != nil {
			return nil, err
		}
		_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifik.ImageOf(res.Selfie), OS: os})
		var apiErr *transport.APIError
		if errors.As(err, &apiErr) && apiErr.Code != "" {
			codes = append(codes, apiErr.Code)
		}
		switch {
		case errors.Is(err, verifik.ErrLivenessFailed):
			if vs := r.State(); vs.Flow.SelfieAttempts == 0 || vs.SelfieAttempts < vs.Flow.SelfieAttempts {
				p, err := j.next(ctx, st, r, ReasonLivenessFailed)
				if err != nil {
					return nil, err
				}
				return j.outcome(st, r, StatusPending, p), nil
			}
			reasons = append(reasons, ReasonLivenessFailed)
		case errors.Is(err, verifik.ErrDuplicateFace):
			reasons = append(reasons, ReasonDuplicateFace)
		case err != nil:
			return nil, err
		}
	}
	if j.cap == CapabilityDocumentVerification && len(reasons) == 0 && r.State().FaceScore == nil {
		if _, err := r.CompareFaces(ctx); err != nil {
			return nil, err
		}
	}
	return j.finish(ctx, st, r, reasons, codes)
}

// finish ends the registration as the policy decides and reads the outcome from it.
func (j *verifikJourney) finish(ctx context.Context, st State, r *verifik.Registrant, reasons []Reason, codes []string) (*Outcome, error) {
	done, err := r.Finish(ctx, j.a.opt.Decide(r.State()))
	if err != nil {
		return nil, err
	}
	vs := r.State()
	var status Status
	switch done.Status {
	case verifik.Completed, verifik.CompletedWithoutKYC:
		status = StatusPassed
	case verifik.NeedsManualVerification:
		status = StatusNeedsReview
	case verifik.Expired:
		status, reasons = StatusFailed, addReason(reasons, ReasonExpired)
	default:
		status = StatusFailed
	}
	out := j.outcome(st, r, status, nil)
	out.Codes = append(codes, "status:"+string(done.Status))
	if status == StatusPassed {
		return out, nil
	}
	if vs.DocumentValidationID != "" && !documentDone(vs) {
		reasons = addReason(reasons, ReasonDocumentInvalid)
	}
	if vs.FaceScore != nil && *vs.FaceScore < vs.Flow.CompareMinScore {
		reasons = addReason(reasons, ReasonFaceMismatch)
	}
	if vs.NamesOK != nil && !*vs.NamesOK {
		reasons = addReason(reasons, ReasonNameMismatch)
	}
	if vs.RecordOK != nil && !*vs.RecordOK {
		reasons = addReason(reasons, ReasonWatchlist)
	}
	if len(reasons) == 0 {
		reasons = []Reason{ReasonRefused}
	}
	out.Reasons = reasons
	return out, nil
}

func (j *verifikJourney) outcome(st State, r *verifik.Registrant, status Status, next *Pending) *Outcome {
	vs := r.State()
	return &Outcome{Status: status, Vendor: verifikName, Capability: j.cap, StartedAt: st.StartedAt, DecidedAt: j.a.opt.Now(),
		Refs: References{UserID: st.UserID, RegistrationID: vs.AppRegistrationID, PersonID: vs.PersonID}, Next: next}
}

func verifikOS(device string) (verifik.OS, error) {
	switch strings.ToLower(device) {
	case "ios":
		return verifik.IOS, nil
	case "android":
		return verifik.Android, nil
	case "desktop":
		return verifik.Desktop, nil
	}
	return "", transport.Invalid(verifikName, "idv.Resume", "device", "must be ios, android or desktop (Verifik's liveness check needs it)")
}
