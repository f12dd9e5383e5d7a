package verifiktest

// The two writes Verifik's web SDK makes that its docs do not show: updating the
// registration (link a validation, replace a mistyped phone) and deleting the selfie's
// validation to take the liveness step again.

import (
	"context"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) UpdateAppRegistration(ctx context.Context, req smartenroll.UpdateAppRegistrationRequestObject) (smartenroll.UpdateAppRegistrationResponseObject, error) {
	v, fail := s.e.updateRegistration(ctx, req.Id, req.Body)
	if fail == nil {
		return smartenroll.UpdateAppRegistration200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.UpdateAppRegistration401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.UpdateAppRegistration403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.UpdateAppRegistration404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.UpdateAppRegistration409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// updateRegistration applies what the SDK sends. Access is getAppRegistration's: the
// account's client token or the registrant's own token.
func (e *Emulator) updateRegistration(ctx context.Context, id string, body *smartenroll.AppRegistrationUpdateRequest) (smartenroll.AppRegistration, *apiError) {
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	notFound := classic(http.StatusNotFound, smartenroll.ErrorCodeNotFound, "AppRegistration_not_found")
	r, ok := e.regs[id]
	switch {
	case c.client != nil:
		if !ok || r.client != c.client.id {
			return smartenroll.AppRegistration{}, notFound
		}
	case c.regID != "":
		if id != c.regID && ok {
			return smartenroll.AppRegistration{}, forbidden()
		}
		if !ok {
			return smartenroll.AppRegistration{}, notFound
		}
	default:
		return smartenroll.AppRegistration{}, unauthorized()
	}
	// Check everything before changing anything.
	var email *emailValidation
	if want := deref(body.EmailValidation); want != "" {
		if email = e.emailVals[want]; email == nil || email.reg != r.id {
			return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodeEmailValidationNotFound)
		}
	}
	var phoneVal *phoneValidation
	if want := deref(body.PhoneValidation); want != "" {
		if phoneVal = e.phoneVals[want]; phoneVal == nil || phoneVal.reg != r.id {
			return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodePhoneValidationNotFound)
		}
	}
	phone, cc := digitsOnly(deref(body.Phone)), strings.TrimSpace(deref(body.CountryCode))
	if phone != "" {
		if cc == "" {
			return smartenroll.AppRegistration{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "missing countryCode")
		}
		if !countryCodePattern.MatchString(cc) {
			return smartenroll.AppRegistration{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, countryCodeFormat)
		}
		if other := e.contacts[phoneKey(r.flow, cc, phone)]; other != nil && other != r {
			return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodePhoneIsRegisteredAlready)
		}
	}

	if email != nil && r.emailVal != email.id {
		old := codeRef{id: r.emailVal}
		r.emailVal = email.id
		e.supersede(old)
	}
	if phoneVal != nil && r.phoneVal != phoneVal.id {
		old := codeRef{phone: true, id: r.phoneVal}
		r.phoneVal = phoneVal.id
		e.supersede(old)
	}
	if phone != "" && (phone != r.phone || cc != r.countryCode) {
		// A replaced phone's code no longer proves anything.
		if v := e.phoneVals[r.phoneVal]; v != nil && (v.phone != phone || v.countryCode != cc) {
			old := codeRef{phone: true, id: r.phoneVal}
			r.phoneVal = ""
			e.supersede(old)
		}
		e.setContact(r, "", phone, cc)
	}
	set(&r.fullName, body.FullName)
	set(&r.firstName, body.FirstName)
	set(&r.lastName, body.LastName)
	set(&r.language, body.Language)
	r.updated = e.clock.Now()
	return e.registrationView(r, nil), nil
}

func (s *server) DeleteBiometricValidation(ctx context.Context, req smartenroll.DeleteBiometricValidationRequestObject) (smartenroll.DeleteBiometricValidationResponseObject, error) {
	v, fail := s.e.deleteBiometric(ctx, req.Id)
	if fail == nil {
		return smartenroll.DeleteBiometricValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.DeleteBiometricValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.DeleteBiometricValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.DeleteBiometricValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.DeleteBiometricValidation409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// deleteBiometric restarts the liveness step: the registrant's selfie validation and the
// person it created go, so a new selfie needs no force.
func (e *Emulator) deleteBiometric(ctx context.Context, id string) (smartenroll.BiometricValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.BiometricValidation{}, fail
	}
	b := e.bioVals[id]
	if b == nil || b.reg != reg.id || reg.bioVal != id {
		return smartenroll.BiometricValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeBiometricValidationNotFound)
	}
	if !reg.inProgress() {
		return smartenroll.BiometricValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	v := b.view()
	delete(e.bioVals, id)
	e.removePerson(reg.person)
	delete(e.comparisons, reg.compare) // it compared the selfie that goes
	reg.bioVal, reg.person, reg.face, reg.compare = "", "", "", ""
	reg.updated = e.clock.Now()
	return v, nil
}
