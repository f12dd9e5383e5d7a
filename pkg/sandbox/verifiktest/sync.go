package verifiktest

// The sync call that moves a registrant through the flow and ends the journey.

import (
	"context"
	"net/http"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) SyncAppRegistration(ctx context.Context, req smartenroll.SyncAppRegistrationRequestObject) (smartenroll.SyncAppRegistrationResponseObject, error) {
	v, fail := s.e.sync(ctx, req.Id, req.Body)
	if fail == nil {
		return smartenroll.SyncAppRegistration200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.SyncAppRegistration401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.SyncAppRegistration403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.SyncAppRegistration404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.SyncAppRegistration409JSONResponse(fail.body), nil
	case http.StatusInternalServerError:
		return smartenroll.SyncAppRegistration500JSONResponse(fail.body), nil
	}
	return nil, fail
}

// allowedStatus is the documented step → status table.
func allowedStatus(step smartenroll.SyncStep, status smartenroll.AppRegistrationStatus) bool {
	switch step {
	case smartenroll.StepSkipKYC:
		return status == smartenroll.AppRegistrationCompletedWithoutKYC
	case smartenroll.StepEnd:
		return finalStatus(status)
	default:
		return status == smartenroll.AppRegistrationOngoing
	}
}

// finalStatus reports whether status is one an end sync may set.
func finalStatus(status smartenroll.AppRegistrationStatus) bool {
	return status == smartenroll.AppRegistrationCompleted || status == smartenroll.AppRegistrationFailed ||
		status == smartenroll.AppRegistrationNeedsManualVerification
}

func conflict(message string) *apiError {
	return classic(http.StatusConflict, smartenroll.ErrorCodeConflict, message)
}

func (e *Emulator) sync(ctx context.Context, id string, body *smartenroll.SyncRequest) (smartenroll.SyncOutcome, *apiError) {
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	notFound := reason(http.StatusNotFound, smartenroll.ErrorCodeAppRegistrationNotFoundOnSync)
	switch {
	case c.regID == "" && c.client != nil:
		return smartenroll.SyncOutcome{}, forbidden()
	case c.regID == "":
		return smartenroll.SyncOutcome{}, unauthorized()
	case id != c.regID:
		if _, exists := e.regs[id]; exists {
			return smartenroll.SyncOutcome{}, forbidden()
		}
		return smartenroll.SyncOutcome{}, notFound
	}
	reg, ok := e.regs[id]
	f := e.flows[reg.flowID()]
	if !ok || f == nil {
		return smartenroll.SyncOutcome{}, notFound
	}
	step, status := body.Step, body.Status
	if step == smartenroll.StepEnd && (status == smartenroll.AppRegistrationStarted || status == smartenroll.AppRegistrationOngoing) {
		// Verifik's web SDK ends with the registration's current (in-progress) status
		// and lets the server decide; the emulator decides COMPLETED, and the
		// mandatory-step check below refuses it when a step is missing.
		status = smartenroll.AppRegistrationCompleted
	}
	switch step {
	case smartenroll.StepSignUpForm, smartenroll.StepBasicInformation, smartenroll.StepDocument, smartenroll.StepLiveness, smartenroll.StepForm:
		if f.step(step) == smartenroll.StepSkip {
			return smartenroll.SyncOutcome{}, reason(http.StatusInternalServerError, smartenroll.ErrorCodeStepNotSupported)
		}
	case smartenroll.StepSkipKYC, smartenroll.StepInstructions, smartenroll.StepEnd:
	default:
		return smartenroll.SyncOutcome{}, reason(http.StatusInternalServerError, smartenroll.ErrorCodeStepNotSupported)
	}
	if !allowedStatus(step, status) {
		return smartenroll.SyncOutcome{}, conflict("status_not_allowed_for_step")
	}
	if reg.finished() {
		return smartenroll.SyncOutcome{}, conflict("appRegistration_already_finished")
	}
	if step != smartenroll.StepInstructions {
		if fail := e.signUpPassed(reg, f); fail != nil {
			return smartenroll.SyncOutcome{}, fail
		}
	}
	switch {
	case step == smartenroll.StepSkipKYC:
		for _, s := range []smartenroll.SyncStep{smartenroll.StepBasicInformation, smartenroll.StepDocument, smartenroll.StepForm, smartenroll.StepLiveness} {
			if f.step(s) == smartenroll.StepMandatory {
				return smartenroll.SyncOutcome{}, conflict("skipKYC_not_allowed")
			}
		}
	case step == smartenroll.StepEnd && status == smartenroll.AppRegistrationCompleted:
		for _, s := range []smartenroll.SyncStep{smartenroll.StepBasicInformation, smartenroll.StepDocument, smartenroll.StepLiveness, smartenroll.StepForm} {
			if f.step(s) == smartenroll.StepMandatory && !e.stepDone(reg, s) {
				return smartenroll.SyncOutcome{}, conflict(string(s) + "_validation_not_passed")
			}
		}
	}
	now := e.clock.Now()
	reg.status, reg.updated = status, now
	reg.synced[step] = true
	reg.currentStep = string(step)
	if step == smartenroll.StepEnd || step == smartenroll.StepSkipKYC {
		reg.completed = now
	}
	e.emitSync(reg, step)
	full, first, last := reg.declaredName()
	out := smartenroll.SyncOutcome{
		AppRegistrationId: ptr(reg.id), Step: ptr(step), Steps: f.settings.Steps, Status: ptr(status),
		FullName: nonEmpty(full), FirstName: nonEmpty(first), LastName: nonEmpty(last),
	}
	switch step {
	case smartenroll.StepEnd, smartenroll.StepSkipKYC, smartenroll.StepSignUpForm, smartenroll.StepDocument, smartenroll.StepLiveness:
		out.Token = ptr(e.issueToken(claims{Type: tokenOnboarding, AppRegistrationID: reg.id, Client: reg.client, Project: reg.project, Status: string(status)}))
	}
	return out, nil
}

// signUpPassed checks the sign-up form's requirements: the OTPs the flow asks for.
func (e *Emulator) signUpPassed(reg *registration, f *flow) *apiError {
	if f.step(smartenroll.StepSignUpForm) == smartenroll.StepSkip {
		return nil
	}
	fail := conflict("signUpForm_validation_not_passed")
	if f.wantsEmail() {
		if v := e.emailVals[reg.emailVal]; v == nil || v.status != smartenroll.OTPValidated {
			return fail
		}
	}
	if f.wantsPhone() {
		if v := e.phoneVals[reg.phoneVal]; v == nil || v.status != smartenroll.OTPValidated {
			return fail
		}
	}
	return nil
}

func (e *Emulator) stepDone(reg *registration, s smartenroll.SyncStep) bool {
	switch s {
	case smartenroll.StepDocument:
		d := e.docVals[reg.docVal]
		return d != nil && (d.status == smartenroll.DocumentValidated || d.status == smartenroll.DocumentActive)
	case smartenroll.StepLiveness:
		return reg.person != ""
	default:
		return reg.synced[s]
	}
}
