package verifiktest

// Email and phone one-time codes: POST …/app-registration sends, PUT confirms.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) CreateEmailValidation(ctx context.Context, req smartenroll.CreateEmailValidationRequestObject) (smartenroll.CreateEmailValidationResponseObject, error) {
	v, fail := s.e.createEmailValidation(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateEmailValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateEmailValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateEmailValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateEmailValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateEmailValidation409JSONResponse(fail.body), nil
	case http.StatusTooManyRequests:
		return smartenroll.CreateEmailValidation429JSONResponse{TooManyRequestsJSONResponse: smartenroll.TooManyRequestsJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (e *Emulator) createEmailValidation(ctx context.Context, body *smartenroll.EmailValidationCreateRequest) (smartenroll.EmailValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.EmailValidation{}, fail
	}
	email := strings.ToLower(strings.ReplaceAll(body.Email, " ", ""))
	if m := missingFields("project", body.Project, "email", email); m != "" {
		return smartenroll.EmailValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, m)
	}
	if !emailPattern.MatchString(email) {
		return smartenroll.EmailValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "Invalid email format")
	}
	p, f, fail := e.registrantScope(reg, body.Project, body.ProjectFlow)
	if fail != nil {
		return smartenroll.EmailValidation{}, fail
	}
	now := e.clock.Now()
	active := e.emailVals[reg.emailVal]
	if active != nil && (active.email != email || active.status != smartenroll.OTPSent || !now.Before(active.expires)) {
		active = nil
	}
	if fail := e.roomToSend(active == nil); fail != nil {
		return smartenroll.EmailValidation{}, fail
	}
	if v := active; v != nil {
		// An active validation is sent again with the same code.
		e.send("email", email, v.code, v.id, v.expires)
		v.updated = e.clock.Now()
		e.emit(v.flow, "email_validation_resend", v.view(), nil)
		out := v.view()
		out.Existing, out.Sent = ptr(true), ptr(true)
		return out, nil
	}
	v := &emailValidation{
		id: e.newID(), reg: reg.id, client: reg.client, project: p.id, flow: f.id,
		email: email, code: e.codeFor(p), status: smartenroll.OTPSent,
		typ: body.Type, method: body.ValidationMethod, ip: body.IpAddress,
		expires: now.Add(e.otpTTL), created: now, updated: now,
	}
	if body.ExpiresAt != nil && body.ExpiresAt.After(now) {
		v.expires = *body.ExpiresAt
	}
	e.emailVals[v.id] = v
	old := codeRef{id: reg.emailVal}
	reg.emailVal = v.id
	reg.codes = append(reg.codes, codeRef{id: v.id})
	e.enqueue(codeRef{id: v.id})
	e.supersede(old)
	if reg.email == "" {
		e.setContact(reg, email, "", "")
	}
	reg.updated = now
	e.send("email", email, v.code, v.id, v.expires)
	e.emit(v.flow, "email_validation_created", v.view(), nil)
	out := v.view()
	out.Existing, out.Sent = ptr(false), ptr(true)
	first := reg.firstName
	if first == "" {
		_, first, _ = reg.declaredName()
	}
	out.EmailData = &smartenroll.EmailData{
		FirstName: nonEmpty(first), Title: ptr(p.name), ProjectName: ptr(p.name),
		ContactEmail: ptr(p.contactEmail),
	}
	return out, nil
}

// registrantScope checks the project (and flow) a registrant step names against the
// registrant's own.
func (e *Emulator) registrantScope(reg *registration, projectID string, flowID *string) (*project, *flow, *apiError) {
	p, ok := e.projects[projectID]
	if !ok || projectID != reg.project {
		return nil, nil, reason(http.StatusNotFound, smartenroll.ErrorCodeProjectNotFound)
	}
	f, ok := e.flows[reg.flow]
	if !ok || (flowID != nil && *flowID != reg.flow) {
		return nil, nil, reason(http.StatusNotFound, smartenroll.ErrorCodeProjectFlowNotFound)
	}
	return p, f, nil
}

// codeFor returns the code a project's registrant receives: the demo OTP in demo mode.
func (e *Emulator) codeFor(p *project) string {
	if p.demoMode && p.demoOTP != "" {
		return p.demoOTP
	}
	return e.newCode()
}

// newCode is a 6-digit code without a leading zero: Verifik takes codes as JSON numbers.
// newCode is six digits, leading zeros included, as Verifik's are; the client sends codes
// as strings (as Verifik's web SDK does), so "012345" stays 012345.
func (e *Emulator) newCode() string { return fmt.Sprintf("%06d", rand.IntN(1_000_000)) }

func (s *server) ValidateEmailValidation(ctx context.Context, req smartenroll.ValidateEmailValidationRequestObject) (smartenroll.ValidateEmailValidationResponseObject, error) {
	v, fail := s.e.validateEmail(ctx, req.Id, req.Body)
	if fail == nil {
		return smartenroll.ValidateEmailValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.ValidateEmailValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.ValidateEmailValidation403JSONResponse(fail.body), nil
	case http.StatusNotFound:
		return smartenroll.ValidateEmailValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.ValidateEmailValidation409JSONResponse(fail.body), nil
	case http.StatusPreconditionFailed:
		return smartenroll.ValidateEmailValidation412JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) validateEmail(ctx context.Context, id string, body *smartenroll.EmailValidationConfirmRequest) (smartenroll.EmailValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.EmailValidation{}, fail
	}
	email := strings.ToLower(strings.TrimSpace(body.Email))
	// Like the JavaScript backend, an empty email or a zero code counts as missing.
	otp := otpOf(body.Otp)
	if email == "" || otp == "" {
		return smartenroll.EmailValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "missing_email_and_otp")
	}
	v, ok := e.emailVals[id]
	if !ok || v.reg != reg.id || v.email != email {
		return smartenroll.EmailValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeEmailValidationNotFound)
	}
	if fail := e.checkCode(v.code, v.expires, v.status, otp, smartenroll.ErrorCodeEmailValidationHasExpired); fail != nil {
		v.updated = e.clock.Now()
		e.emit(v.flow, codeEvent("email_validation_", fail), v.view(), nil)
		return smartenroll.EmailValidation{}, fail
	}
	v.status, v.updated = smartenroll.OTPValidated, e.clock.Now()
	reg.updated = v.updated
	e.emit(v.flow, "email_validation_validated", v.view(), nil)
	return smartenroll.EmailValidation{
		ID: v.id, Status: v.status, Email: ptr(v.email), Type: ptr(v.typ),
		ShowFaceLivenessRecommendation: ptr(false),
	}, nil
}

// checkCode applies the OTP rules: an expired code is 412 even if right; a wrong code 403.
// A validated code may be confirmed again.
func (e *Emulator) checkCode(code string, expires time.Time, status smartenroll.OTPStatus, otp string, expiredCode smartenroll.ErrorCode) *apiError {
	if status != smartenroll.OTPValidated && !e.clock.Now().Before(expires) {
		return reason(http.StatusPreconditionFailed, expiredCode)
	}
	if otp != code {
		return reason(http.StatusForbidden, smartenroll.ErrorCodeOTPDoesNotMatch)
	}
	return nil
}

func (s *server) CreatePhoneValidation(ctx context.Context, req smartenroll.CreatePhoneValidationRequestObject) (smartenroll.CreatePhoneValidationResponseObject, error) {
	v, fail := s.e.createPhoneValidation(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreatePhoneValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreatePhoneValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreatePhoneValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreatePhoneValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreatePhoneValidation409JSONResponse(fail.body), nil
	case http.StatusTooManyRequests:
		return smartenroll.CreatePhoneValidation429JSONResponse{TooManyRequestsJSONResponse: smartenroll.TooManyRequestsJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (e *Emulator) createPhoneValidation(ctx context.Context, body *smartenroll.PhoneValidationCreateRequest) (smartenroll.PhoneValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.PhoneValidation{}, fail
	}
	phone := digitsOnly(body.Phone)
	if m := missingFields("project", body.Project, "phone", phone, "countryCode", body.CountryCode); m != "" {
		return smartenroll.PhoneValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, m)
	}
	if !countryCodePattern.MatchString(body.CountryCode) {
		return smartenroll.PhoneValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, countryCodeFormat)
	}
	p, f, fail := e.registrantScope(reg, body.Project, body.ProjectFlow)
	if fail != nil {
		return smartenroll.PhoneValidation{}, fail
	}
	gateway := deref(body.PhoneGateway)
	if gateway == "" {
		gateway = deref(f.settings.SignUpForm.PhoneGateway)
	}
	if gateway == "" || gateway == smartenroll.PhoneGatewayNone || gateway == smartenroll.PhoneGatewayBoth {
		gateway = smartenroll.PhoneGatewaySMS
	}
	if fail := e.roomToSend(true); fail != nil {
		return smartenroll.PhoneValidation{}, fail
	}
	now := e.clock.Now()
	v := &phoneValidation{
		id: e.newID(), reg: reg.id, client: reg.client, project: p.id, flow: f.id,
		phone: phone, countryCode: body.CountryCode, code: e.codeFor(p), gateway: gateway,
		status: smartenroll.OTPSent, typ: body.Type, language: deref(body.Language),
		expires: now.Add(e.otpTTL), created: now, updated: now,
	}
	if v.language == "" {
		v.language = reg.language
	}
	if body.ExpiresAt != nil && body.ExpiresAt.After(now) {
		v.expires = *body.ExpiresAt
	}
	e.phoneVals[v.id] = v
	old := codeRef{phone: true, id: reg.phoneVal}
	reg.phoneVal = v.id
	reg.codes = append(reg.codes, codeRef{phone: true, id: v.id})
	e.enqueue(codeRef{phone: true, id: v.id})
	e.supersede(old)
	if reg.phone == "" {
		e.setContact(reg, "", phone, body.CountryCode)
	}
	reg.updated = now
	e.send(string(gateway), body.CountryCode+phone, v.code, v.id, v.expires)
	e.emit(v.flow, "phone_validation_created", v.view(), nil)
	out := v.view()
	out.New = ptr(true)
	return out, nil
}

func (s *server) ValidatePhoneValidation(ctx context.Context, req smartenroll.ValidatePhoneValidationRequestObject) (smartenroll.ValidatePhoneValidationResponseObject, error) {
	v, fail := s.e.validatePhone(ctx, req.Body)
	if fail == nil {
		return smartenroll.ValidatePhoneValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.ValidatePhoneValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.ValidatePhoneValidation403JSONResponse(fail.body), nil
	case http.StatusNotFound:
		return smartenroll.ValidatePhoneValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.ValidatePhoneValidation409JSONResponse(fail.body), nil
	case http.StatusPreconditionFailed:
		return smartenroll.ValidatePhoneValidation412JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) validatePhone(ctx context.Context, body *smartenroll.PhoneValidationConfirmRequest) (smartenroll.PhoneValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.PhoneValidation{}, fail
	}
	phone := digitsOnly(body.Phone)
	otp := otpOf(body.Otp)
	if m := missingFields("phone", phone, "countryCode", body.CountryCode, "otp", otp); m != "" {
		return smartenroll.PhoneValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, m)
	}
	if !countryCodePattern.MatchString(body.CountryCode) {
		return smartenroll.PhoneValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, countryCodeFormat)
	}
	// No id in the path: the latest validation of this registrant for this phone.
	var v *phoneValidation
	for _, c := range reg.codes {
		x := e.phoneVals[c.id]
		if c.phone && x != nil && x.phone == phone && x.countryCode == body.CountryCode && (v == nil || x.created.After(v.created) || (x.created.Equal(v.created) && x.id > v.id)) {
			v = x
		}
	}
	if v == nil {
		return smartenroll.PhoneValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodePhoneValidationNotFound)
	}
	if fail := e.checkCode(v.code, v.expires, v.status, otp, smartenroll.ErrorCodePhoneValidationHasExpired); fail != nil {
		v.updated = e.clock.Now()
		e.emit(v.flow, codeEvent("phone_validation_", fail), v.view(), nil)
		return smartenroll.PhoneValidation{}, fail
	}
	v.status, v.updated = smartenroll.OTPValidated, e.clock.Now()
	e.emit(v.flow, "phone_validation_validated", v.view(), nil)
	if reg.phoneVal != v.id {
		old := codeRef{phone: true, id: reg.phoneVal}
		reg.phoneVal = v.id
		e.supersede(old)
	}
	reg.updated = v.updated
	return smartenroll.PhoneValidation{
		ID: v.id, Status: v.status, CountryCode: ptr(v.countryCode), Phone: ptr(v.phone),
		Type: ptr(v.typ), ShowFaceLivenessRecommendation: ptr(false),
	}, nil
}

// otpOf reads a code as Verifik's backend does: the web SDK sends a JSON string, the docs a
// JSON number (which has lost any leading zero, so 12345 never matches "012345"). Zero and
// the empty string count as missing; so does any other JSON type.
func otpOf(v smartenroll.OTPCode) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		if v > 0 && v <= 999999 && v == math.Trunc(v) {
			return strconv.Itoa(int(v))
		}
	}
	return ""
}
