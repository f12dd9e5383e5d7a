package verifik

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

var (
	emailPattern       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	countryCodePattern = regexp.MustCompile(`^\+[0-9]{1,3}$`)
)

const countryCodeFormat = "Invalid countryCode format. CountryCode should be in the format + followed by 1 to 3 digits."

// ---- app registrations ----

func (s *server) CreateAppRegistration(ctx context.Context, req smartenroll.CreateAppRegistrationRequestObject) (smartenroll.CreateAppRegistrationResponseObject, error) {
	v, fail := s.e.createRegistration(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateAppRegistration200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateAppRegistration401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateAppRegistration403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateAppRegistration404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateAppRegistration409JSONResponse(fail.body), nil
	case http.StatusUnprocessableEntity:
		return smartenroll.CreateAppRegistration422JSONResponse(fail.body), nil
	}
	return nil, fail
}

// createRegistration follows the documented checks: the call works with a client token
// or none (Verifik's hosted sign-up sends none); a token that is sent must be valid.
// Registering again with the same email or phone in a flow returns the same registration
// with a new token and drops its earlier email and phone validations.
func (e *Emulator) createRegistration(ctx context.Context, body *smartenroll.AppRegistrationCreateRequest) (smartenroll.AppRegistrationCreated, *apiError) {
	c := e.callerOf(ctx)
	switch {
	case c.regID != "":
		// A registrant's token is the wrong kind of token to register someone.
		return smartenroll.AppRegistrationCreated{}, forbidden()
	case c.present && c.client == nil:
		return smartenroll.AppRegistrationCreated{}, unauthorized()
	}
	email := strings.ToLower(strings.TrimSpace(deref(body.Email)))
	phone := digitsOnly(deref(body.Phone))
	cc := strings.TrimSpace(deref(body.CountryCode))
	// The GitBook-era page documents missing parameters as 422, the MDX page as 409 with
	// a status field; the emulator answers each message with the status its page shows.
	if m := missingFields("project", body.Project, "projectFlow", body.ProjectFlow); m != "" {
		return smartenroll.AppRegistrationCreated{}, classic(http.StatusUnprocessableEntity, smartenroll.ErrorCodeMissingParameter, m)
	}
	if email == "" && phone == "" {
		f := classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "Needs an email or a phone at least")
		f.body.Status = ptr(http.StatusConflict)
		return smartenroll.AppRegistrationCreated{}, f
	}
	if phone != "" && cc == "" {
		return smartenroll.AppRegistrationCreated{}, classic(http.StatusUnprocessableEntity, smartenroll.ErrorCodeMissingParameter, "missing countryCode")
	}
	if phone != "" && !countryCodePattern.MatchString(cc) {
		return smartenroll.AppRegistrationCreated{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, countryCodeFormat)
	}
	if email != "" && !emailPattern.MatchString(email) {
		return smartenroll.AppRegistrationCreated{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "Invalid email format")
	}
	if _, domain, _ := strings.Cut(email, "@"); domain != "" && e.blockedDomains[domain] {
		return smartenroll.AppRegistrationCreated{}, classic(http.StatusConflict, smartenroll.ErrorCodePreconditionFailed, "email domain not allowed")
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.projects[body.Project]
	if !ok || (c.client != nil && p.client != c.client.id) {
		return smartenroll.AppRegistrationCreated{}, reason(http.StatusNotFound, smartenroll.ErrorCodeProjectNotFound)
	}
	f, ok := e.flows[body.ProjectFlow]
	if !ok || f.project != p.id || f.status != smartenroll.FlowActive {
		return smartenroll.AppRegistrationCreated{}, reason(http.StatusNotFound, smartenroll.ErrorCodeProjectFlowNotFound)
	}

	now := e.clock.Now()
	reg := e.findRegistration(f.id, email, phone, cc)
	if reg != nil {
		e.dropOTPs(reg)
	} else {
		reg = &registration{
			id: e.newID(), client: p.client, project: p.id, flow: f.id,
			status: smartenroll.AppRegistrationStarted, currentStep: "1",
			synced: map[smartenroll.SyncStep]bool{}, created: now,
		}
		info := &informationValidation{id: e.newID(), reg: reg.id, created: now, updated: now}
		reg.infoVal = info.id
		e.infoVals[info.id] = info
		e.regs[reg.id] = reg
	}
	set(&reg.fullName, body.FullName)
	set(&reg.firstName, body.FirstName)
	set(&reg.lastName, body.LastName)
	if email != "" {
		reg.email = email
	}
	if phone != "" {
		reg.phone, reg.countryCode = phone, cc
	}
	reg.language = "en"
	set(&reg.language, body.Language)
	reg.updated = now
	info := e.infoVals[reg.infoVal]
	info.full, info.first, info.last = reg.declaredName()
	info.updated = now

	token := e.issueToken(claims{Type: tokenAppRegistration, AppRegistrationID: reg.id, Client: reg.client, Project: reg.project})
	return smartenroll.AppRegistrationCreated{
		AppRegistration:       e.registrationView(reg, nil),
		InformationValidation: &smartenroll.InformationValidation{ID: info.id, FullName: nonEmpty(info.full), FirstName: nonEmpty(info.first), LastName: nonEmpty(info.last)},
		Token:                 token,
	}, nil
}

func (e *Emulator) findRegistration(flowID, email, phone, cc string) *registration {
	for _, r := range e.regs {
		if r.flow != flowID {
			continue
		}
		if (email != "" && r.email == email) || (phone != "" && r.phone == phone && r.countryCode == cc) {
			return r
		}
	}
	return nil
}

// dropOTPs forgets a registration's email and phone validations (a new registration
// call with the same contact restarts them).
func (e *Emulator) dropOTPs(reg *registration) {
	for id, v := range e.emailVals {
		if v.reg == reg.id {
			delete(e.emailVals, id)
		}
	}
	for id, v := range e.phoneVals {
		if v.reg == reg.id {
			delete(e.phoneVals, id)
		}
	}
	reg.emailVal, reg.phoneVal = "", ""
}

// registrationView answers a registration, embedding the populated references.
func (e *Emulator) registrationView(r *registration, populate []smartenroll.Populate) smartenroll.AppRegistration {
	want := func(p smartenroll.Populate) bool { return slices.Contains(populate, p) }
	v := smartenroll.AppRegistration{
		ID:          r.id,
		Client:      ptr(r.client),
		Status:      ptr(r.status),
		Email:       nonEmpty(r.email),
		Phone:       nonEmpty(r.phone),
		CountryCode: nonEmpty(r.countryCode),
		FullName:    nonEmpty(r.fullName),
		FirstName:   nonEmpty(r.firstName),
		LastName:    nonEmpty(r.lastName),
		Language:    nonEmpty(r.language),
		CurrentStep: nonEmpty(r.currentStep),
		CreatedAt:   ptr(r.created),
		UpdatedAt:   ptr(r.updated),
	}
	if !r.completed.IsZero() {
		v.CompletedAt = ptr(r.completed)
	}
	if p := e.projects[r.project]; p != nil {
		v.Project = &smartenroll.ProjectRef{}
		if want(smartenroll.PopulateProject) {
			_ = v.Project.FromProject(p.view(nil))
		} else {
			_ = v.Project.FromObjectId(p.id)
		}
		if p.collection != "" && r.person != "" {
			v.AssignedCollection = ptr(p.collection)
		}
	}
	v.ProjectFlow = &smartenroll.ProjectFlowRef{}
	if f := e.flows[r.flow]; f != nil && want(smartenroll.PopulateProjectFlow) {
		_ = v.ProjectFlow.FromProjectFlow(f.view())
	} else {
		_ = v.ProjectFlow.FromObjectId(r.flow)
	}
	if x := e.infoVals[r.infoVal]; x != nil {
		v.InformationValidation = &smartenroll.InformationValidationRef{}
		if want(smartenroll.PopulateInformationValidation) {
			_ = v.InformationValidation.FromInformationValidation(x.view())
		} else {
			_ = v.InformationValidation.FromObjectId(x.id)
		}
	}
	if x := e.emailVals[r.emailVal]; x != nil {
		v.EmailValidation = &smartenroll.EmailValidationRef{}
		if want(smartenroll.PopulateEmailValidation) {
			_ = v.EmailValidation.FromEmailValidation(x.view())
		} else {
			_ = v.EmailValidation.FromObjectId(x.id)
		}
	}
	if x := e.phoneVals[r.phoneVal]; x != nil {
		v.PhoneValidation = &smartenroll.PhoneValidationRef{}
		if want(smartenroll.PopulatePhoneValidation) {
			_ = v.PhoneValidation.FromPhoneValidation(x.view())
		} else {
			_ = v.PhoneValidation.FromObjectId(x.id)
		}
	}
	if x := e.docVals[r.docVal]; x != nil {
		v.DocumentValidation = &smartenroll.DocumentValidationRef{}
		if want(smartenroll.PopulateDocumentValidation) {
			_ = v.DocumentValidation.FromDocumentValidation(x.view())
		} else {
			_ = v.DocumentValidation.FromObjectId(x.id)
		}
	}
	if x := e.bioVals[r.bioVal]; x != nil {
		v.BiometricValidation = &smartenroll.BiometricValidationRef{}
		if want(smartenroll.PopulateBiometricValidation) {
			_ = v.BiometricValidation.FromBiometricValidation(x.view())
		} else {
			_ = v.BiometricValidation.FromObjectId(x.id)
		}
	}
	if x := e.comparisons[r.compare]; x != nil {
		v.CompareFaceVerification = &smartenroll.CompareFaceVerificationRef{}
		if want(smartenroll.PopulateCompareFaceVerification) {
			_ = v.CompareFaceVerification.FromCompareFaceVerification(x.view())
		} else {
			_ = v.CompareFaceVerification.FromObjectId(x.id)
		}
	}
	v.Person = e.recordRef(r.person, want(smartenroll.PopulatePerson))
	v.Face = e.recordRef(r.face, want(smartenroll.PopulateFace))
	v.DocumentFace = e.recordRef(r.docFace, want(smartenroll.PopulateDocumentFace))
	return v
}

func (e *Emulator) recordRef(id string, populate bool) *smartenroll.RecordRef {
	if id == "" {
		return nil
	}
	ref := &smartenroll.RecordRef{}
	if populate {
		rec := smartenroll.Record{ID: id}
		if p := e.persons[id]; p != nil {
			rec.CreatedAt = ptr(p.created)
		}
		_ = ref.FromRecord(rec)
	} else {
		_ = ref.FromObjectId(id)
	}
	return ref
}

func (s *server) GetAppRegistration(ctx context.Context, req smartenroll.GetAppRegistrationRequestObject) (smartenroll.GetAppRegistrationResponseObject, error) {
	v, fail := s.e.readRegistration(ctx, req.Id, deref(req.Params.Populates))
	if fail == nil {
		return smartenroll.GetAppRegistration200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetAppRegistration401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetAppRegistration403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetAppRegistration404JSONResponse(fail.body), nil
	}
	return nil, fail
}

// readRegistration lets the client token read its account's registrants and an
// app-registration token read only its own.
func (e *Emulator) readRegistration(ctx context.Context, id string, populate []smartenroll.Populate) (smartenroll.AppRegistration, *apiError) {
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	notFound := classic(http.StatusNotFound, smartenroll.ErrorCodeNotFound, "AppRegistration_not_found")
	switch {
	case c.client != nil:
		r, ok := e.regs[id]
		if !ok || r.client != c.client.id {
			return smartenroll.AppRegistration{}, notFound
		}
		return e.registrationView(r, populate), nil
	case c.regID != "":
		if id != c.regID {
			if _, exists := e.regs[id]; exists {
				return smartenroll.AppRegistration{}, forbidden()
			}
		}
		r, ok := e.regs[id]
		if !ok {
			return smartenroll.AppRegistration{}, notFound
		}
		return e.registrationView(r, populate), nil
	}
	return smartenroll.AppRegistration{}, unauthorized()
}

func (s *server) GetCurrentAppRegistration(ctx context.Context, req smartenroll.GetCurrentAppRegistrationRequestObject) (smartenroll.GetCurrentAppRegistrationResponseObject, error) {
	var populate []smartenroll.Populate
	if req.Body != nil {
		populate = deref(req.Body.Populates)
	}
	s.e.mu.Lock()
	reg, fail := s.e.needRegistrant(s.e.callerOf(ctx))
	var v smartenroll.AppRegistration
	if fail == nil {
		v = s.e.registrationView(reg, populate)
	}
	s.e.mu.Unlock()
	if fail == nil {
		return smartenroll.GetCurrentAppRegistration200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetCurrentAppRegistration401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetCurrentAppRegistration403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetCurrentAppRegistration404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) DeleteAppRegistration(ctx context.Context, req smartenroll.DeleteAppRegistrationRequestObject) (smartenroll.DeleteAppRegistrationResponseObject, error) {
	v, fail := s.e.deleteRegistration(ctx, req.Id)
	if fail == nil {
		return smartenroll.DeleteAppRegistration200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.DeleteAppRegistration401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.DeleteAppRegistration403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.DeleteAppRegistration404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (e *Emulator) deleteRegistration(ctx context.Context, id string) (smartenroll.AppRegistration, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.AppRegistration{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.regs[id]
	if !ok || r.client != acct.id {
		return smartenroll.AppRegistration{}, reason(http.StatusNotFound, smartenroll.ErrorCodeAppRegistrationNotFound)
	}
	v := e.registrationView(r, nil)
	e.dropOTPs(r)
	delete(e.docVals, r.docVal)
	delete(e.bioVals, r.bioVal)
	delete(e.infoVals, r.infoVal)
	delete(e.comparisons, r.compare)
	delete(e.persons, r.person)
	delete(e.regs, r.id)
	return v, nil
}

// ---- OTPs ----

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
	if v := e.emailVals[reg.emailVal]; v != nil && v.email == email && v.status == smartenroll.OTPSent && now.Before(v.expires) {
		// An active validation is sent again with the same code.
		e.send("email", email, v.code, v.id)
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
	reg.emailVal = v.id
	if reg.email == "" {
		reg.email = email
	}
	reg.updated = now
	e.send("email", email, v.code, v.id)
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
func (e *Emulator) newCode() string { return strconv.Itoa(100000 + rand.IntN(900000)) }

func (e *Emulator) send(channel, to, code, validationID string) {
	e.outbox = append(e.outbox, Message{Channel: channel, To: to, Code: code, ValidationID: validationID, SentAt: e.clock.Now()})
}

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
	if email == "" || body.Otp == 0 {
		return smartenroll.EmailValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "missing_email_and_otp")
	}
	v, ok := e.emailVals[id]
	if !ok || v.reg != reg.id || v.email != email {
		return smartenroll.EmailValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeEmailValidationNotFound)
	}
	if fail := e.checkCode(v.code, v.expires, v.status, body.Otp, smartenroll.ErrorCodeEmailValidationHasExpired); fail != nil {
		return smartenroll.EmailValidation{}, fail
	}
	v.status, v.updated = smartenroll.OTPValidated, e.clock.Now()
	reg.updated = v.updated
	return smartenroll.EmailValidation{
		ID: v.id, Status: v.status, Email: ptr(v.email), Type: ptr(v.typ),
		ShowFaceLivenessRecommendation: ptr(false),
	}, nil
}

// checkCode applies the OTP rules: an expired code is 412 even if right; a wrong code 403.
// A validated code may be confirmed again.
func (e *Emulator) checkCode(code string, expires time.Time, status smartenroll.OTPStatus, otp int, expiredCode smartenroll.ErrorCode) *apiError {
	if status != smartenroll.OTPValidated && !e.clock.Now().Before(expires) {
		return reason(http.StatusPreconditionFailed, expiredCode)
	}
	if strconv.Itoa(otp) != code {
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
	reg.phoneVal = v.id
	if reg.phone == "" {
		reg.phone, reg.countryCode = phone, body.CountryCode
	}
	reg.updated = now
	e.send(string(gateway), body.CountryCode+phone, v.code, v.id)
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
	otp := ""
	if body.Otp != 0 {
		otp = strconv.Itoa(body.Otp)
	}
	if m := missingFields("phone", phone, "countryCode", body.CountryCode, "otp", otp); m != "" {
		return smartenroll.PhoneValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, m)
	}
	if !countryCodePattern.MatchString(body.CountryCode) {
		return smartenroll.PhoneValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, countryCodeFormat)
	}
	// No id in the path: the latest validation of this registrant for this phone.
	var v *phoneValidation
	for _, x := range e.phoneVals {
		if x.reg == reg.id && x.phone == phone && x.countryCode == body.CountryCode && (v == nil || x.created.After(v.created) || (x.created.Equal(v.created) && x.id > v.id)) {
			v = x
		}
	}
	if v == nil {
		return smartenroll.PhoneValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodePhoneValidationNotFound)
	}
	if fail := e.checkCode(v.code, v.expires, v.status, body.Otp, smartenroll.ErrorCodePhoneValidationHasExpired); fail != nil {
		return smartenroll.PhoneValidation{}, fail
	}
	v.status, v.updated = smartenroll.OTPValidated, e.clock.Now()
	reg.phoneVal = v.id
	reg.updated = v.updated
	return smartenroll.PhoneValidation{
		ID: v.id, Status: v.status, CountryCode: ptr(v.countryCode), Phone: ptr(v.phone),
		Type: ptr(v.typ), ShowFaceLivenessRecommendation: ptr(false),
	}, nil
}

// ---- documents ----

func (s *server) CreateDocumentValidation(ctx context.Context, req smartenroll.CreateDocumentValidationRequestObject) (smartenroll.CreateDocumentValidationResponseObject, error) {
	v, fail := s.e.createDocument(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateDocumentValidation200JSONResponse{Data: smartenroll.DocumentValidationCreated{DocumentValidation: v}}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateDocumentValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateDocumentValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateDocumentValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateDocumentValidation409JSONResponse(fail.body), nil
	case http.StatusUnprocessableEntity:
		return smartenroll.CreateDocumentValidation422JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) createDocument(ctx context.Context, body *smartenroll.DocumentValidationCreateRequest) (smartenroll.DocumentValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.DocumentValidation{}, fail
	}
	f := e.flows[reg.flow]
	if f == nil || f.step(smartenroll.StepDocument) == smartenroll.StepSkip {
		return smartenroll.DocumentValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeDocumentSettingsNotSet)
	}
	front, back := deref(body.Image), deref(body.BackImage)
	if front == "" && back == "" {
		return smartenroll.DocumentValidation{}, classic(http.StatusUnprocessableEntity, smartenroll.ErrorCodeMissingParameter, "Either image or backImage must be provided")
	}
	if reg.docVal != "" && !deref(body.Force) {
		return smartenroll.DocumentValidation{}, reason(http.StatusConflict, smartenroll.ErrorCodeAlreadyExists)
	}
	if !reg.inProgress() {
		return smartenroll.DocumentValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	img, err := decodeImage(front)
	if front == "" {
		img, err = decodeImage(back)
	}
	if err != nil {
		return smartenroll.DocumentValidation{}, classic(http.StatusUnprocessableEntity, smartenroll.ErrorCodeMissingParameter, "image must be a base64 encoded image")
	}
	now := e.clock.Now()
	d := &documentValidation{
		id: e.newID(), reg: reg.id, client: reg.client, project: reg.project, flow: reg.flow,
		inputMethod: deref(body.InputMethod), image: img, created: now, updated: now,
	}
	if d.inputMethod == "" {
		d.inputMethod = "FILE_UPLOAD"
	}
	d.doc, d.readable = sandbox.DocumentOf(img)
	d.docType, d.category = "ID", "ID"
	d.status = smartenroll.DocumentFailed
	if d.readable {
		d.docType, d.category, _ = documentKind(d.doc)
		d.expired = expiredOn(d.doc.Expiry, now)
		if !d.doc.Fake && !d.expired {
			d.status = smartenroll.DocumentValidated
		}
		full, first, last := reg.declaredName()
		d.declared = compareNames(full, first, last, d.fullName(), d.doc.FirstName, d.doc.LastName)
	}
	if old := e.docVals[reg.docVal]; old != nil {
		delete(e.docVals, old.id)
	}
	e.docVals[d.id] = d
	reg.docVal = d.id
	reg.docFace = ""
	if d.readable && d.doc.Face != "" {
		reg.docFace = e.newID()
	}
	// The information validation learns the identity read from the document.
	if info := e.infoVals[reg.infoVal]; info != nil && d.readable {
		info.first, info.last, info.full = d.doc.FirstName, d.doc.LastName, d.fullName()
		info.docType, info.docNumber = d.docType, d.doc.Number
		info.checkedWithDocument = true
		info.updated = now
	}
	reg.updated = now
	return d.view(), nil
}

func expiredOn(expiry string, now time.Time) bool {
	t, err := time.Parse("2006-01-02", expiry)
	return err == nil && !now.Before(t.AddDate(0, 0, 1))
}

// decodeImage accepts base64 with or without a data-URI prefix, as Verifik does.
func decodeImage(s string) ([]byte, error) {
	if i := strings.Index(s, ";base64,"); strings.HasPrefix(s, "data:") && i > 0 {
		s = s[i+len(";base64,"):]
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("empty image")
	}
	return b, err
}

func (s *server) CreateNameValidation(ctx context.Context, req smartenroll.CreateNameValidationRequestObject) (smartenroll.CreateNameValidationResponseObject, error) {
	force := deref(req.Params.Force) || (req.Body != nil && deref(req.Body.Force))
	v, fail := s.e.validateNames(ctx, req.Id, force)
	if fail == nil {
		return smartenroll.CreateNameValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusBadRequest:
		return smartenroll.CreateNameValidation400JSONResponse(fail.body), nil
	case http.StatusUnauthorized:
		return smartenroll.CreateNameValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusPaymentRequired:
		return smartenroll.CreateNameValidation402JSONResponse(fail.body), nil
	case http.StatusForbidden:
		return smartenroll.CreateNameValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateNameValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateNameValidation409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// validateNames compares the registrant's declared names with the issuer registry, which
// in the emulator holds the names printed on the helper document (so another person's
// document, or a forged one, does not match).
func (e *Emulator) validateNames(ctx context.Context, id string, force bool) (smartenroll.NameValidationOutcome, *apiError) {
	var out smartenroll.NameValidationOutcome
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	d, reg, fail := e.ownedDocument(c, id)
	if fail != nil {
		return out, fail
	}
	f := e.flows[reg.flow]
	if f == nil || !f.verifyNames() {
		return out, reason(http.StatusConflict, smartenroll.ErrorCodeFeatureNotAvailable)
	}
	if !d.readable {
		return out, reason(http.StatusBadRequest, smartenroll.ErrorCodeMissingOCRExtractionData)
	}
	if _, _, registry := documentKind(d.doc); !registry {
		_ = out.FromNameValidationNotSupported(smartenroll.NameValidationNotSupported{
			IsSupported: false,
			NotSupportedData: &smartenroll.NotSupportedData{
				DocumentType: ptr(d.docType), Validated: ptr(false), InfoValidationSupported: ptr(false),
				InfoValidationSupportedReason: ptr("document_not_supported"),
			},
			InfoValidationSupportedReason: ptr("document_not_supported"),
		})
		return out, nil
	}
	if d.registry == nil || force {
		if e.credits != nil {
			if *e.credits <= 0 {
				return out, legacy(http.StatusPaymentRequired, "Insufficient credits", "INSUFFICIENT_CREDITS")
			}
			*e.credits--
		}
		official := d.doc
		if official.Fake {
			// The registry knows the document number under someone else's name.
			official.FirstName, official.LastName = "Registry", "Holder"
		}
		full, first, last := reg.declaredName()
		if full == "" {
			full, first, last = d.fullName(), d.doc.FirstName, d.doc.LastName
		}
		scores := compareNames(full, first, last, strings.TrimSpace(official.FirstName+" "+official.LastName), official.FirstName, official.LastName)
		d.registry = &scores
		d.updated = e.clock.Now()
		if scores.match() && !d.doc.Fake && !d.expired {
			d.status = smartenroll.DocumentActive
		}
	}
	_ = out.FromDocumentValidation(d.view())
	return out, nil
}

// ownedDocument finds a document validation the caller may use: the registrant's own, or
// any of the client's.
func (e *Emulator) ownedDocument(c caller, id string) (*documentValidation, *registration, *apiError) {
	var reg *registration
	switch {
	case c.regID != "":
		var fail *apiError
		if reg, fail = e.needRegistrant(c); fail != nil {
			return nil, nil, fail
		}
	case c.client == nil:
		return nil, nil, unauthorized()
	}
	d, ok := e.docVals[id]
	if !ok || (c.client != nil && d.client != c.client.id) {
		return nil, nil, reason(http.StatusNotFound, smartenroll.ErrorCodeDocumentValidationNotFound)
	}
	if reg != nil && d.reg != reg.id {
		return nil, nil, forbidden() // another registrant's document
	}
	return d, e.regs[d.reg], nil
}

// ---- biometrics ----

func (s *server) CreateBiometricValidation(ctx context.Context, req smartenroll.CreateBiometricValidationRequestObject) (smartenroll.CreateBiometricValidationResponseObject, error) {
	v, fail := s.e.createBiometric(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateBiometricValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateBiometricValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateBiometricValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateBiometricValidation404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CreateBiometricValidation409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// createBiometric runs liveness, then the 1:N search of the project's persons, then
// creates the person. A face already enrolled by another registrant of the project
// answers person_already_set unless force.
func (e *Emulator) createBiometric(ctx context.Context, body *smartenroll.BiometricValidationCreateRequest) (smartenroll.AppRegistration, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.AppRegistration{}, fail
	}
	p, f := e.projects[reg.project], e.flows[reg.flow]
	if p == nil || f == nil || p.collection == "" {
		return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodeCollectionNotSet)
	}
	force := deref(body.Force)
	if reg.person != "" && !force {
		return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodePersonAlreadySet)
	}
	if !reg.inProgress() {
		return smartenroll.AppRegistration{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	img, err := decodeImage(body.Image)
	if err != nil {
		return smartenroll.AppRegistration{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "image must be a base64 encoded image")
	}
	face, liveness := selfieFace(sandbox.FaceOf(img))
	now := e.clock.Now()
	b := &biometricValidation{id: e.newID(), reg: reg.id, face: face, liveness: liveness, created: now}
	if liveness < f.livenessMin() {
		e.bioVals[b.id] = b // a failed attempt is recorded but not linked
		return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodeLivenessFailed, strconv.FormatFloat(liveness, 'f', 2, 64))
	}
	if !force {
		for _, other := range e.persons {
			if other.project == reg.project && other.reg != reg.id && faceScore(other.face, face) >= f.searchMin() {
				return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodePersonAlreadySet)
			}
		}
	}
	b.passed = true
	e.bioVals[b.id] = b
	if old := e.persons[reg.person]; old != nil {
		delete(e.persons, old.id)
	}
	pr := &person{id: e.newID(), project: reg.project, reg: reg.id, face: face, created: now}
	e.persons[pr.id] = pr
	reg.bioVal, reg.person, reg.face = b.id, pr.id, e.newID()
	reg.updated = now
	return e.registrationView(reg, nil), nil
}

func (s *server) CompareAppRegistrationFaces(ctx context.Context, _ smartenroll.CompareAppRegistrationFacesRequestObject) (smartenroll.CompareAppRegistrationFacesResponseObject, error) {
	v, fail := s.e.compareFaces(ctx)
	if fail == nil {
		return smartenroll.CompareAppRegistrationFaces200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CompareAppRegistrationFaces401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CompareAppRegistrationFaces403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CompareAppRegistrationFaces404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CompareAppRegistrationFaces409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) compareFaces(ctx context.Context) (smartenroll.FaceComparison, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.FaceComparison{}, fail
	}
	if p := e.projects[reg.project]; p == nil || p.status != smartenroll.ProjectActive {
		return smartenroll.FaceComparison{}, reason(http.StatusConflict, smartenroll.ErrorCodeProjectNotActive)
	}
	if !reg.inProgress() && reg.status != smartenroll.AppRegistrationNeedsManualVerification {
		return smartenroll.FaceComparison{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	d := e.docVals[reg.docVal]
	if d == nil || !d.readable || d.doc.Face == "" {
		return smartenroll.FaceComparison{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:documentValidation_not_set")
	}
	b := e.bioVals[reg.bioVal]
	if b == nil || reg.person == "" {
		return smartenroll.FaceComparison{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:biometricValidation_not_set")
	}
	f := e.flows[reg.flow]
	now := e.clock.Now()
	cmp := &comparison{
		id: e.newID(), reg: reg.id, client: reg.client,
		score: faceScore(d.doc.Face, b.face), mode: deref(f.settings.Liveness.SearchMode),
		gallery: base64.StdEncoding.EncodeToString(sandbox.FaceImage(d.doc.Face)),
		probe:   base64.StdEncoding.EncodeToString(sandbox.FaceImage(b.face)),
		created: now,
	}
	e.comparisons[cmp.id] = cmp
	delete(e.comparisons, reg.compare)
	reg.compare = cmp.id
	reg.updated = now
	return smartenroll.FaceComparison{AppRegistration: ptr(reg.id), CompareFaceVerification: cmp.view()}, nil
}

// ---- criminal check ----

func (s *server) RequestCriminalCheck(ctx context.Context, req smartenroll.RequestCriminalCheckRequestObject) (smartenroll.RequestCriminalCheckResponseObject, error) {
	force := req.Body != nil && deref(req.Body.Force)
	v, fail := s.e.criminalCheck(ctx, req.Id, force)
	if fail == nil {
		return smartenroll.RequestCriminalCheck200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.RequestCriminalCheck401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.RequestCriminalCheck403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.RequestCriminalCheck404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.RequestCriminalCheck409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// criminalCheck searches the flow's databases for the person read from the document.
// The emulated databases know the last names of the watchlist.
func (e *Emulator) criminalCheck(ctx context.Context, id string, force bool) (smartenroll.InformationValidation, *apiError) {
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	var reg *registration
	switch {
	case c.regID != "":
		var fail *apiError
		if reg, fail = e.needRegistrant(c); fail != nil {
			return smartenroll.InformationValidation{}, fail
		}
	case c.client == nil:
		return smartenroll.InformationValidation{}, unauthorized()
	}
	info, ok := e.infoVals[id]
	var owner *registration
	if ok {
		owner = e.regs[info.reg]
		ok = owner != nil && (c.client == nil || owner.client == c.client.id)
	}
	if !ok {
		return smartenroll.InformationValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeInformationValidationNotFound)
	}
	if reg != nil && owner.id != reg.id {
		return smartenroll.InformationValidation{}, forbidden() // another registrant's check
	}
	reg = owner
	f := e.flows[reg.flow]
	if f == nil || !f.verifyCriminal() {
		return smartenroll.InformationValidation{}, reason(http.StatusConflict, smartenroll.ErrorCodeFeatureNotAvailable)
	}
	if d := e.docVals[reg.docVal]; d == nil || !d.readable || !info.checkedWithDocument {
		return smartenroll.InformationValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:documentValidation_not_set")
	}
	if info.criminal != nil && !force {
		return info.view(), nil
	}
	now := e.clock.Now()
	hit := false
	for _, name := range e.watchlist {
		if strings.EqualFold(strings.TrimSpace(name), strings.TrimSpace(info.last)) {
			hit = true
		}
	}
	info.criminal = criminalData(deref(f.settings.Document.CriminalEndpoints), hit, now)
	status := smartenroll.InformationActive
	if hit {
		status = smartenroll.InformationFailed
	}
	info.status, info.updated = &status, now
	return info.view(), nil
}

func criminalData(endpoints []string, hit bool, now time.Time) *smartenroll.CriminalData {
	st := smartenroll.DatabaseClear
	if hit {
		st = smartenroll.DatabaseFound
	}
	cd := &smartenroll.CriminalData{RequestedAt: ptr(now), FoundKeys: &[]string{}}
	found := func(key string) {
		if hit {
			*cd.FoundKeys = append(*cd.FoundKeys, key)
		}
	}
	for _, ep := range endpoints {
		switch ep {
		case "world_api_interpol":
			cards := 0
			if hit {
				cards = 1
			}
			cd.WorldApiInterpol = &smartenroll.InterpolResult{TotalCards: ptr(cards), Status: ptr(st)}
		case "world_api_fbi":
			cd.WorldApiFbi = &smartenroll.FBIResult{FoundInFBI: ptr(hit), Status: ptr(st)}
		case "world_api_europol":
			cd.WorldApiEuropol = &smartenroll.EuropolResult{FoundInEuropol: ptr(hit), Status: ptr(st)}
		case "world_api_onu":
			cd.WorldApiOnu = &smartenroll.UNResult{FoundInONU: ptr(hit), Status: ptr(st)}
		case "world_api_ofac":
			cd.WorldApiOfac = &smartenroll.OFACResult{FoundInOFAC: ptr(hit), Status: ptr(st)}
		case "world_api_dea":
			cd.WorldApiDea = &smartenroll.DEAResult{FoundInDEA: ptr(hit), Status: ptr(st)}
		default:
			continue // local databases are not emulated
		}
		found(ep)
	}
	return cd
}

// ---- sync ----

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
		return status == smartenroll.AppRegistrationCompleted || status == smartenroll.AppRegistrationFailed ||
			status == smartenroll.AppRegistrationNeedsManualVerification
	default:
		return status == smartenroll.AppRegistrationOngoing
	}
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
	if !ok {
		return smartenroll.SyncOutcome{}, notFound
	}
	f := e.flows[reg.flow]
	step, status := body.Step, body.Status
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

// ---- helpers ----

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
