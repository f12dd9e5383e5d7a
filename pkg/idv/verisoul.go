package idv

import (
	"context"
	"errors"
	"time"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// VerisoulOptions tune the Verisoul adapter. The zero value uses the vendor package's
// default policies.
type VerisoulOptions struct {
	// UniquenessPolicy decides a Face Match sign-up (nil: verisoul.UniquenessRules).
	UniquenessPolicy verisoul.Policy
	// IDPolicy decides an ID Check (nil: verisoul.IDRules).
	IDPolicy verisoul.Policy
	// Now stamps outcomes (nil: time.Now).
	Now func() time.Time
}

// VerisoulAdapter offers Verisoul's capabilities: Uniqueness, Authentication,
// FaceEnrolment and DocumentVerification. Every journey sends the user to Verisoul's
// hosted page (StepRedirect) and resumes with the redirect back.
type VerisoulAdapter struct {
	c   *verisoul.Client
	opt VerisoulOptions
}

// Verisoul adapts a Verisoul client. A nil client is a *transport.ValidationError.
func Verisoul(c *verisoul.Client, o VerisoulOptions) (*VerisoulAdapter, error) {
	if c == nil {
		return nil, transport.Invalid(verisoulName, "idv.Verisoul", "client", "is nil")
	}
	if o.UniquenessPolicy == nil {
		o.UniquenessPolicy = verisoul.UniquenessRules()
	}
	if o.IDPolicy == nil {
		o.IDPolicy = verisoul.IDRules()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &VerisoulAdapter{c: c, opt: o}, nil
}

// Vendor is "verisoul".
func (a *VerisoulAdapter) Vendor() string { return verisoulName }

// Uniqueness: Face Match session → hosted page → verify-face → the policy → enrol
// (the face then counts for later sign-ups).
func (a *VerisoulAdapter) Uniqueness() Journey {
	return &verisoulJourney{a: a, cap: CapabilityUniqueness}
}

// Authentication: Face Match session → hosted page → verify-identity against the
// account enrolled as Request.UserID.
func (a *VerisoulAdapter) Authentication() Journey {
	return &verisoulJourney{a: a, cap: CapabilityAuthentication}
}

// FaceEnrolment: Face Match session → hosted page → enrol as Request.UserID, with no
// uniqueness policy (use Uniqueness for that).
func (a *VerisoulAdapter) FaceEnrolment() Journey {
	return &verisoulJourney{a: a, cap: CapabilityFaceEnrolment}
}

// DocumentVerification: ID Check session → hosted page (selfie and document) →
// verify-id → the ID policy → enrol.
func (a *VerisoulAdapter) DocumentVerification() Journey {
	return &verisoulJourney{a: a, cap: CapabilityDocumentVerification}
}

type verisoulJourney struct {
	a   *VerisoulAdapter
	cap Capability
}

func (j *verisoulJourney) Vendor() string         { return verisoulName }
func (j *verisoulJourney) Capability() Capability { return j.cap }

func (j *verisoulJourney) Start(ctx context.Context, req Request) (*Pending, error) {
	const op = "idv.Start"
	switch {
	case req.UserID == "":
		return nil, transport.Invalid(verisoulName, op, "user_id", "must not be empty")
	case req.RedirectURL == "":
		return nil, transport.Invalid(verisoulName, op, "redirect_url", "is needed: Verisoul's hosted page sends the user back there")
	case req.Photo != nil:
		return nil, transport.Invalid(verisoulName, op, "photo", "Verisoul enrols from its own live capture only")
	}
	st := State{Version: StateVersion, Vendor: verisoulName, Capability: j.cap, UserID: req.UserID,
		RedirectURL: req.RedirectURL, Language: req.Language}
	// The page URL is checked before the session is created, so a bad redirect costs no session.
	if _, err := j.a.c.CaptureURL(verisoul.Session{ID: "00000000-0000-4000-8000-000000000000"}, j.captureOptions(st)); err != nil {
		return nil, err
	}
	var (
		s   verisoul.Session
		err error
	)
	if j.cap == CapabilityDocumentVerification {
		s, err = j.a.c.StartIDCheckSession(ctx, verisoul.SessionOptions{})
	} else {
		s, err = j.a.c.StartSession(ctx, verisoul.SessionOptions{})
	}
	if err != nil {
		return nil, err
	}
	st.StartedAt = j.a.opt.Now()
	if !s.CreatedAt.IsZero() {
		st.StartedAt = s.CreatedAt
	}
	st.Verisoul = &s
	return j.pending(st, "")
}

func (j *verisoulJourney) captureOptions(st State) verisoul.CaptureOptions {
	return verisoul.CaptureOptions{RedirectURL: st.RedirectURL, Language: st.Language}
}

func (j *verisoulJourney) pending(st State, why Reason) (*Pending, error) {
	page, err := j.a.c.CaptureURL(*st.Verisoul, j.captureOptions(st))
	if err != nil {
		return nil, err
	}
	return &Pending{Step: StepRedirect, URL: page, Reason: why, State: st}, nil
}

func (j *verisoulJourney) Resume(ctx context.Context, st State, res UserResult) (*Outcome, error) {
	if err := st.check(verisoulName, j.cap); err != nil {
		return nil, err
	}
	s := *st.Verisoul
	back, err := verisoul.ParseRedirect(res.Redirect)
	if err != nil {
		return nil, err
	}
	if back.SessionID != "" && back.SessionID != s.ID {
		return nil, transport.Invalid(verisoulName, "idv.Resume", "redirect.session_id", "is not this journey's session")
	}
	out := j.outcome(st)
	if !back.Success {
		// A failed capture needs a new session, so the journey ends here. No call: the
		// redirect only hurts its sender if forged.
		out.Status = StatusFailed
		out.Reasons = []Reason{captureReason(back.ErrorMessage)}
		out.Codes = []string{string(back.ErrorMessage)}
		return out, nil
	}
	switch j.cap {
	case CapabilityUniqueness, CapabilityDocumentVerification:
		var vo *verisoul.Outcome
		if j.cap == CapabilityUniqueness {
			vo, err = j.a.c.CheckUniqueness(ctx, s, st.UserID, j.a.opt.UniquenessPolicy)
		} else {
			vo, err = j.a.c.CheckID(ctx, s, st.UserID, j.a.opt.IDPolicy)
		}
		if err != nil {
			return j.fromError(st, out, err)
		}
		return j.fromCheck(out, vo), nil
	case CapabilityAuthentication:
		r, err := j.a.c.VerifyIdentity(ctx, s, st.UserID)
		if err != nil {
			return j.fromError(st, out, err)
		}
		out.Refs.RequestIDs = append(out.Refs.RequestIDs, r.RequestID)
		out.Codes = []string{string(r.Outcome)}
		switch r.Outcome {
		case verisoul.SamePerson:
			out.Status = StatusPassed
		case verisoul.DifferentPerson:
			out.Status, out.Reasons = StatusFailed, []Reason{ReasonFaceMismatch}
		default:
			// Verisoul: the verification did not complete; not evidence of another person.
			out.Status, out.Reasons = StatusFailed, []Reason{ReasonCaptureFailed}
		}
		return out, nil
	default: // CapabilityFaceEnrolment
		e, err := j.a.c.Enroll(ctx, s, st.UserID)
		if err != nil {
			return j.fromError(st, out, err)
		}
		out.Status = StatusPassed
		out.Refs.AccountID = e.AccountID
		out.Refs.RequestIDs = append(out.Refs.RequestIDs, e.RequestID)
		return out, nil
	}
}

func (j *verisoulJourney) outcome(st State) *Outcome {
	return &Outcome{Vendor: verisoulName, Capability: j.cap, StartedAt: st.StartedAt, DecidedAt: j.a.opt.Now(),
		Refs: References{UserID: st.UserID, SessionID: st.Verisoul.ID}}
}

// fromError turns Verisoul's verdicts on the session into outcomes and passes every
// other error through unchanged.
func (j *verisoulJourney) fromError(st State, out *Outcome, err error) (*Outcome, error) {
	code := verisoul.CodeOf(err)
	var reason Reason
	switch {
	case code == verisoul.CodeSessionNotStarted, code == verisoul.CodeSessionNotComplete:
		// The user may still be on the hosted page (or the redirect was forged): the same
		// session is still good, so the user is sent back to it.
		p, perr := j.pending(st, ReasonNotFinished)
		if perr != nil {
			return nil, perr
		}
		out.Status, out.Next, out.Codes = StatusPending, p, []string{string(code)}
		return out, nil
	case code == verisoul.CodeLivenessCheckFailed:
		reason = ReasonLivenessFailed
	case code == verisoul.CodeIDScanFailed:
		reason = ReasonDocumentInvalid
	case code == verisoul.CodeIDScanNotComplete:
		reason = ReasonCaptureFailed
	case code == verisoul.CodeSessionNotFound, code == verisoul.CodeSessionOlderThan30Days:
		reason = ReasonExpired
	case code == verisoul.CodeSessionAlreadyTied:
		reason = ReasonAlreadyEnrolled
	case code == verisoul.CodeAccountNotFound:
		reason = ReasonNotEnrolled
	case errors.Is(err, verisoul.ErrNotEnrolled):
		reason = ReasonRefused
	default:
		return nil, err
	}
	out.Status, out.Reasons = StatusFailed, []Reason{reason}
	if code != "" {
		out.Codes = []string{string(code)}
	}
	var apiErr *transport.APIError
	if errors.As(err, &apiErr) && apiErr.RequestID != "" {
		out.Refs.RequestIDs = append(out.Refs.RequestIDs, apiErr.RequestID)
	}
	return out, nil
}

// fromCheck reads a sign-up check: the policy's verdict decides the status; the
// verification's signals name the shared reasons.
func (j *verisoulJourney) fromCheck(out *Outcome, vo *verisoul.Outcome) *Outcome {
	v := vo.Verification
	if v != nil {
		out.Refs.RequestIDs = append(out.Refs.RequestIDs, v.Metadata.RequestID)
		out.Codes = append(out.Codes, "decision:"+string(v.Decision))
		for _, f := range v.RiskFlags {
			out.Codes = append(out.Codes, "flag:"+string(f))
		}
	}
	if vo.Enrollment != nil {
		out.Refs.AccountID = vo.Enrollment.AccountID
		out.Refs.RequestIDs = append(out.Refs.RequestIDs, vo.Enrollment.RequestID)
	}
	if vo.Verdict.Accept {
		out.Status = StatusPassed
		return out
	}
	out.VendorReasons = vo.Verdict.Reasons
	policy := j.a.opt.UniquenessPolicy
	if j.cap == CapabilityDocumentVerification {
		policy = j.a.opt.IDPolicy
	}
	out.Reasons = verisoulReasons(v, policy)
	out.Status = StatusFailed
	if len(out.Reasons) == 0 {
		out.Reasons = []Reason{ReasonRefused}
	}
	if len(out.Reasons) == 1 && out.Reasons[0] == ReasonHighRisk && v != nil && v.Decision == verisoul.Suspicious {
		// Suspicious, and nothing else wrong: Verisoul's own word for a case to look at.
		out.Status = StatusNeedsReview
	}
	return out
}

// verisoulReasons names what is wrong with a verification in the shared words. Score
// thresholds are the policy's when it is a verisoul.Rules, else IDRules'.
func verisoulReasons(v *verisoul.Verification, policy verisoul.Policy) []Reason {
	if v == nil {
		return nil
	}
	minScore, minAge := verisoul.IDRules().MinIDFaceMatchScore, verisoul.IDRules().MinAge
	if r, ok := policy.(verisoul.Rules); ok {
		minScore, minAge = r.MinIDFaceMatchScore, r.MinAge
	}
	var rs []Reason
	for _, l := range v.LinkedAccounts {
		if l.Has(verisoul.MatchFace) {
			rs = addReason(rs, ReasonDuplicateFace)
		}
		if l.Has(verisoul.MatchDocumentNumber) {
			rs = addReason(rs, ReasonDuplicateDocument)
		}
	}
	for _, f := range v.RiskFlags {
		switch f {
		case verisoul.FlagRepeatFace, verisoul.FlagKnownFraudFace:
			rs = addReason(rs, ReasonDuplicateFace)
		case verisoul.FlagRepeatID, verisoul.FlagKnownFraudID:
			rs = addReason(rs, ReasonDuplicateDocument)
		case verisoul.FlagLikelyFakeID, verisoul.FlagCannotConfirmIDAuthentic:
			rs = addReason(rs, ReasonDocumentInvalid)
		case verisoul.FlagIDExpired:
			rs = addReason(rs, ReasonDocumentExpired)
		case verisoul.FlagIDAgeBelow16:
			rs = addReason(rs, ReasonUnderage)
		case verisoul.FlagLowIDFaceMatchScore:
			rs = addReason(rs, ReasonFaceMismatch)
		}
	}
	if d := v.Document; d != nil {
		if d.Signals.Validity != "" && !d.Signals.LikelyAuthentic() {
			rs = addReason(rs, ReasonDocumentInvalid)
		}
		if d.Data.Expired() {
			rs = addReason(rs, ReasonDocumentExpired)
		}
		if s := d.Signals.FaceMatchScore; s != nil && *s < minScore {
			rs = addReason(rs, ReasonFaceMismatch)
		}
		if a := d.Signals.Age; a != nil && *a < minAge {
			rs = addReason(rs, ReasonUnderage)
		}
	}
	if len(rs) == 0 && v.Decision != verisoul.Real {
		// Verisoul's decision sums every signal; named alone only when nothing above
		// explains it (its risk flags are in Codes).
		rs = addReason(rs, ReasonHighRisk)
	}
	return rs
}

// captureReason reads the hosted page's error_message.
func captureReason(e verisoul.CaptureError) Reason {
	switch e {
	case verisoul.CaptureLivenessFailed:
		return ReasonLivenessFailed
	case verisoul.CaptureCameraPermission:
		return ReasonUserAbandoned
	case verisoul.CaptureInvalidSessionID:
		return ReasonExpired
	}
	return ReasonCaptureFailed
}
