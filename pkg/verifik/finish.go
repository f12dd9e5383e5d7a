package verifik

// Ending the journey (and reporting intermediate steps): the sync call.

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Completion is a finished registration: the token the registrant is redirected with.
type Completion struct {
	Status Status
	// Token identifies the registrant to your application. A secret.
	Token string
	// RedirectURL is the flow's redirect URL with ?type=onboarding&token=, as Verifik's
	// hosted flow builds it; empty when the flow has none.
	RedirectURL string
}

// String never shows the token.
func (c Completion) String() string {
	return "verifik.Completion{status: " + string(c.Status) + ", token: " + redacted + "}"
}

// GoString never shows the token.
func (c Completion) GoString() string { return c.String() }

// LogValue never shows the token.
func (c Completion) LogValue() slog.Value {
	return slog.GroupValue(slog.String("status", string(c.Status)), slog.String("token", redacted))
}

// Finish ends the journey with the outcome your policy picked — Completed, Failed or
// NeedsManualVerification (State.Recommend is a default policy) — and returns the token
// to redirect the registrant with. Every outcome needs the sign-up codes; Completed also
// needs every step the flow makes mandatory. Verifik: PUT /v2/app-registrations/{id}/sync
// with step "end".
func (r *Registrant) Finish(ctx context.Context, outcome Status) (Completion, error) {
	const op = "syncAppRegistration"
	switch outcome {
	case Completed, Failed, NeedsManualVerification:
	default:
		return Completion{}, transport.Invalid(vendor, op, "outcome", "must be COMPLETED, FAILED or NEEDS_MANUAL_VERIFICATION")
	}
	st, err := r.begin(op)
	if err != nil {
		return Completion{}, err
	}
	if err := st.open(op); err != nil {
		return Completion{}, err
	}
	if missing := st.signUpMissing(); missing != "" {
		return Completion{}, rule(op, ErrStepsIncomplete, missing)
	}
	if outcome == Completed {
		if missing := st.mandatoryMissing(); len(missing) > 0 {
			return Completion{}, rule(op, ErrStepsIncomplete, strings.Join(missing, ", "))
		}
	}
	return r.sync(ctx, st, smartenroll.StepEnd, outcome)
}

// SkipKYC ends the journey after the sign-up form, without KYC, where the flow makes no
// KYC step mandatory. Verifik: PUT /v2/app-registrations/{id}/sync with step "skipKYC".
func (r *Registrant) SkipKYC(ctx context.Context) (Completion, error) {
	const op = "syncAppRegistration"
	st, err := r.begin(op)
	if err != nil {
		return Completion{}, err
	}
	if err := st.open(op); err != nil {
		return Completion{}, err
	}
	if mandatory := st.Flow.kycMandatory(); len(mandatory) > 0 {
		return Completion{}, rule(op, ErrSkipNotAllowed, "mandatory: "+strings.Join(mandatory, ", "))
	}
	if missing := st.signUpMissing(); missing != "" {
		return Completion{}, rule(op, ErrStepsIncomplete, missing)
	}
	return r.sync(ctx, st, smartenroll.StepSkipKYC, CompletedWithoutKYC)
}

// Advance reports an intermediate step of the journey (signUpForm, basicInformation,
// document, liveness, form or instructions) and moves the registration to ONGOING, as
// Verifik's hosted flow does between pages. Steps the flow skips are refused.
func (r *Registrant) Advance(ctx context.Context, step string) error {
	const op = "syncAppRegistration"
	switch step {
	case StepSignUpForm, StepBasicInformation, StepDocument, StepLiveness, StepForm:
	case "instructions":
	default:
		return transport.Invalid(vendor, op, "step", "is not a step of the journey")
	}
	st, err := r.begin(op)
	if err != nil {
		return err
	}
	if err := st.open(op); err != nil {
		return err
	}
	if step != "instructions" {
		if st.Flow.Requirement(step) == Skip {
			return rule(op, ErrStepNotOffered, step)
		}
		if missing := st.signUpMissing(); missing != "" {
			return rule(op, ErrStepsIncomplete, missing)
		}
	}
	_, err = r.sync(ctx, st, smartenroll.SyncStep(step), Ongoing)
	if err == nil {
		r.update(func(s *State) {
			if !slices.Contains(s.Advanced, step) {
				s.Advanced = append(s.Advanced, step)
			}
		})
	}
	return err
}

func (r *Registrant) sync(ctx context.Context, st State, step smartenroll.SyncStep, status Status) (Completion, error) {
	const op = "syncAppRegistration"
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.SyncAppRegistrationWithResponse(ctx, st.AppRegistrationID, smartenroll.SyncRequest{Step: step, Status: smartenroll.AppRegistrationStatus(status)}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Completion{}, err
	}
	data := res.JSON200.Data
	out := Completion{Status: statusOf(data.Status), Token: deref(data.Token)}
	if out.Status == "" {
		out.Status = status
	}
	if (step == smartenroll.StepEnd || step == smartenroll.StepSkipKYC) && out.Token == "" {
		return Completion{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("token")}
	}
	if out.Token != "" && st.Flow.RedirectURL != "" {
		out.RedirectURL = redirectWith(st.Flow.RedirectURL, out.Token)
	}
	r.update(func(s *State) { s.Status = out.Status })
	return out, nil
}

func redirectWith(base, token string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("type", "onboarding")
	q.Set("token", token)
	u.RawQuery = q.Encode()
	return u.String()
}
