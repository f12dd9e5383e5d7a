package verifiktest

// App registrations: create (the registrant's token), read (own or the account's), delete.

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

var (
	emailPattern       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	countryCodePattern = regexp.MustCompile(`^\+[0-9]{1,3}$`)
)

const countryCodeFormat = "Invalid countryCode format. CountryCode should be in the format + followed by 1 to 3 digits."

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
	case http.StatusPreconditionFailed:
		return smartenroll.CreateAppRegistration412JSONResponse(fail.body), nil
	case http.StatusUnprocessableEntity:
		return smartenroll.CreateAppRegistration422JSONResponse(fail.body), nil
	}
	return nil, fail
}

// createRegistration follows the documented checks: the call works with a client token
// or none (Verifik's hosted sign-up sends none); a token that is sent must be valid.
// Registering again with the same email or phone in a flow follows the emulator's
// Reregistration (by default 409 email_is_registered_already / phone_is_registered_already,
// as Verifik's newest pages document; ReregisterRestarts gives the tutorial's same
// registration with a new token, its earlier email and phone validations dropped).
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
		if fail := e.registeredAlready(reg, email); fail != nil {
			return smartenroll.AppRegistrationCreated{}, fail
		}
		e.dropOTPs(reg)
	} else {
		if p.regCount >= e.limits.registrations {
			return smartenroll.AppRegistrationCreated{}, classic(http.StatusConflict, smartenroll.ErrorCodePreconditionFailed,
				"the sandbox holds at most "+strconv.Itoa(e.limits.registrations)+" app registrations per project: delete some first")
		}
		p.regCount++
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
	e.setContact(reg, email, phone, cc)
	reg.language = "en"
	set(&reg.language, body.Language)
	reg.updated = now
	info := e.infoVals[reg.infoVal]
	info.full, info.first, info.last = reg.declaredName()
	info.updated = now

	token := e.issueToken(claims{Type: tokenAppRegistration, AppRegistrationID: reg.id, Client: reg.client, Project: reg.project})
	e.emit(reg.flow, "app_registration_created", e.registrationView(reg, nil), map[string]any{"projectFlow": f.view()})
	return smartenroll.AppRegistrationCreated{
		AppRegistration:       e.registrationView(reg, nil),
		InformationValidation: &smartenroll.InformationValidation{ID: info.id, FullName: nonEmpty(info.full), FirstName: nonEmpty(info.first), LastName: nonEmpty(info.last)},
		Token:                 token,
	}, nil
}

// dropOTPs forgets a registration's email and phone validations (a new registration
// call with the same contact restarts them).
func (e *Emulator) dropOTPs(reg *registration) {
	for _, c := range reg.codes {
		if v, ok := e.lookup(c); ok && *v.queued {
			e.goneCodes++
		}
		if c.phone {
			delete(e.phoneVals, c.id)
		} else {
			delete(e.emailVals, c.id)
		}
	}
	// Their entries in the expiry queue and the outbox go when the sweeps reach them, or
	// when the queue is compacted.
	reg.codes = nil
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
			_ = v.Project.FromNullableObjectId(p.id)
		}
		if p.collection != "" && r.person != "" {
			v.AssignedCollection = ptr(p.collection)
		}
	}
	v.ProjectFlow = &smartenroll.ProjectFlowRef{}
	if f := e.flows[r.flow]; f != nil && want(smartenroll.PopulateProjectFlow) {
		_ = v.ProjectFlow.FromProjectFlow(f.view())
	} else {
		_ = v.ProjectFlow.FromNullableObjectId(r.flow)
	}
	if x := e.infoVals[r.infoVal]; x != nil {
		v.InformationValidation = &smartenroll.InformationValidationRef{}
		if want(smartenroll.PopulateInformationValidation) {
			_ = v.InformationValidation.FromInformationValidation(x.view())
		} else {
			_ = v.InformationValidation.FromNullableObjectId(x.id)
		}
	}
	if x := e.emailVals[r.emailVal]; x != nil {
		v.EmailValidation = &smartenroll.EmailValidationRef{}
		if want(smartenroll.PopulateEmailValidation) {
			_ = v.EmailValidation.FromEmailValidation(x.view())
		} else {
			_ = v.EmailValidation.FromNullableObjectId(x.id)
		}
	}
	if x := e.phoneVals[r.phoneVal]; x != nil {
		v.PhoneValidation = &smartenroll.PhoneValidationRef{}
		if want(smartenroll.PopulatePhoneValidation) {
			_ = v.PhoneValidation.FromPhoneValidation(x.view())
		} else {
			_ = v.PhoneValidation.FromNullableObjectId(x.id)
		}
	}
	if x := e.docVals[r.docVal]; x != nil {
		v.DocumentValidation = &smartenroll.DocumentValidationRef{}
		if want(smartenroll.PopulateDocumentValidation) {
			_ = v.DocumentValidation.FromDocumentValidation(x.view())
		} else {
			_ = v.DocumentValidation.FromNullableObjectId(x.id)
		}
	}
	if x := e.bioVals[r.bioVal]; x != nil {
		v.BiometricValidation = &smartenroll.BiometricValidationRef{}
		if want(smartenroll.PopulateBiometricValidation) {
			_ = v.BiometricValidation.FromBiometricValidation(x.view())
		} else {
			_ = v.BiometricValidation.FromNullableObjectId(x.id)
		}
	}
	if x := e.comparisons[r.compare]; x != nil {
		v.CompareFaceVerification = &smartenroll.CompareFaceVerificationRef{}
		if want(smartenroll.PopulateCompareFaceVerification) {
			_ = v.CompareFaceVerification.FromCompareFaceVerification(x.view())
		} else {
			_ = v.CompareFaceVerification.FromNullableObjectId(x.id)
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
		_ = ref.FromNullableObjectId(id)
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
	e.removePerson(r.person)
	delete(e.regs, r.id)
	e.unindex(r)
	if p := e.projects[r.project]; p != nil {
		p.regCount--
	}
	return v, nil
}

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
