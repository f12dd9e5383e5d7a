package verifiktest

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// server implements the generated strict server interface. Each method maps the
// emulator's outcome onto the responses the spec documents for that operation; an
// outcome the operation does not document is returned as an error (a 500 and a log
// line), never sent as if it were Verifik's.
type server struct{ e *Emulator }

var _ smartenroll.StrictServerInterface = (*server)(nil)

// knownCountries are the English names Verifik lists for allowedCountries.
var knownCountries = map[string]bool{}

func init() {
	for _, c := range []string{"All", "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile",
		"Colombia", "Costa Rica", "Ecuador", "El Salvador", "France", "Germany", "Guatemala", "Honduras", "Ireland",
		"Italy", "Mexico", "Netherlands", "Nicaragua", "Norway", "Panama", "Paraguay", "Peru", "Portugal",
		"Puerto Rico", "Russia", "Spain", "Sweden", "Switzerland", "Trinidad and Tobago", "United Kingdom",
		"United States", "United States of America", "Uruguay", "Venezuela", "Vietnam", "Yemen", "Uzbekistan"} {
		knownCountries[c] = true
	}
}

var otpPattern = regexp.MustCompile(`^[0-9]{6}$`)

// ---- projects ----

func (s *server) CreateProject(ctx context.Context, req smartenroll.CreateProjectRequestObject) (smartenroll.CreateProjectResponseObject, error) {
	v, fail := s.e.createProject(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateProject200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusBadRequest:
		return smartenroll.CreateProject400JSONResponse(fail.body), nil
	case http.StatusUnauthorized:
		return smartenroll.CreateProject401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateProject403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CreateProject409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) createProject(ctx context.Context, body *smartenroll.ProjectCreateRequest) (smartenroll.Project, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.Project{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if missing := missingFields(
		"name", body.Name, "contactEmail", body.ContactEmail,
		"privacyUrl", body.PrivacyUrl, "termsAndConditionsUrl", body.TermsAndConditionsUrl); missing != "" {
		return smartenroll.Project{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, missing)
	}
	for _, c := range body.AllowedCountries {
		if !knownCountries[c] && c != "All" { // "All": every country (v3)
			return smartenroll.Project{}, legacy(http.StatusBadRequest, "Invalid country", "INVALID_COUNTRY")
		}
	}
	if e.projectNamed(acct.id, body.Name, "") != nil {
		return smartenroll.Project{}, legacy(http.StatusConflict, "Project name already exists", "PROJECT_NAME_EXISTS")
	}
	if acct.projects >= e.limits.projects {
		return smartenroll.Project{}, classic(http.StatusConflict, smartenroll.ErrorCodePreconditionFailed,
			"the sandbox holds at most "+strconv.Itoa(e.limits.projects)+" projects per account")
	}
	acct.projects++
	now := e.clock.Now()
	p := &project{
		id: e.newID(), client: acct.id,
		name: body.Name, countries: body.AllowedCountries,
		contactEmail: body.ContactEmail, privacyURL: body.PrivacyUrl, termsURL: body.TermsAndConditionsUrl,
		dataProtection: body.DataProtection, branding: body.Branding, language: body.DefaultLanguage,
		// A v2 project is usable at once; v3's wizard creates drafts.
		status:   smartenroll.ProjectActive,
		demoMode: deref(body.DemoMode), demoOTP: deref(body.DemoOTP),
		created: now, updated: now,
	}
	if p.demoMode && p.demoOTP == "" {
		p.demoOTP = e.newCode()
	}
	e.projects[p.id] = p
	return p.view(nil), nil
}

// projectNamed finds a client's project by name, ignoring the project except.
func (e *Emulator) projectNamed(client, name, except string) *project {
	for _, p := range e.projects {
		if p.client == client && p.id != except && strings.EqualFold(p.name, name) {
			return p
		}
	}
	return nil
}

func (s *server) ListProjects(ctx context.Context, req smartenroll.ListProjectsRequestObject) (smartenroll.ListProjectsResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail != nil {
		if fail.status == http.StatusForbidden {
			return smartenroll.ListProjects403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		}
		return smartenroll.ListProjects401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	var all []*project
	for _, p := range s.e.projects {
		if p.client == acct.id && (req.Params.WhereStatus == nil || string(p.status) == *req.Params.WhereStatus) {
			all = append(all, p)
		}
	}
	sortByCreated(all, func(p *project) (string, int64) { return p.id, p.created.UnixNano() }, deref(req.Params.Sort))
	items, pg := paginate(all, req.Params.Page, req.Params.PerPage)
	out := smartenroll.ProjectPage{Data: []smartenroll.Project{}, Total: &pg.total, Limit: &pg.limit, Page: &pg.page, Pages: &pg.pages}
	for _, p := range items {
		out.Data = append(out.Data, p.view(nil))
	}
	return smartenroll.ListProjects200JSONResponse(out), nil
}

func (s *server) GetProject(ctx context.Context, req smartenroll.GetProjectRequestObject) (smartenroll.GetProjectResponseObject, error) {
	v, fail := s.e.getProject(ctx, req.Id, req.Params.With)
	if fail == nil {
		return smartenroll.GetProject200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetProject401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetProject403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetProject404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (e *Emulator) getProject(ctx context.Context, id string, with *[]string) (smartenroll.Project, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.Project{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, fail := e.clientProject(acct, id)
	if fail != nil {
		return smartenroll.Project{}, fail
	}
	embed := with != nil && slices.Contains(*with, "projectFlows")
	refs := []*smartenroll.ProjectFlowRef{}
	for _, f := range e.projectFlows(p.id) {
		var r smartenroll.ProjectFlowRef
		if embed {
			_ = r.FromProjectFlow(f.view())
		} else {
			_ = r.FromNullableObjectId(f.id)
		}
		refs = append(refs, &r)
	}
	return p.view(refs), nil
}

func (e *Emulator) clientProject(acct *account, id string) (*project, *apiError) {
	p, ok := e.projects[id]
	if !ok || p.client != acct.id {
		return nil, reason(http.StatusNotFound, smartenroll.ErrorCodeProjectNotFound)
	}
	return p, nil
}

func (e *Emulator) projectFlows(projectID string) []*flow {
	var out []*flow
	for _, f := range e.flows {
		if f.project == projectID {
			out = append(out, f)
		}
	}
	sortByCreated(out, func(f *flow) (string, int64) { return f.id, f.created.UnixNano() }, "")
	return out
}

func (s *server) UpdateProject(ctx context.Context, req smartenroll.UpdateProjectRequestObject) (smartenroll.UpdateProjectResponseObject, error) {
	v, fail := s.e.updateProject(ctx, req.Id, req.Body)
	if fail == nil {
		return smartenroll.UpdateProject200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.UpdateProject401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.UpdateProject403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.UpdateProject404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.UpdateProject409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) updateProject(ctx context.Context, id string, body *smartenroll.ProjectUpdateRequest) (smartenroll.Project, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.Project{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, fail := e.clientProject(acct, id)
	if fail != nil {
		return smartenroll.Project{}, fail
	}
	if body.Name != nil && e.projectNamed(acct.id, *body.Name, p.id) != nil {
		return smartenroll.Project{}, legacy(http.StatusConflict, "Project name already exists", "PROJECT_NAME_EXISTS")
	}
	set(&p.name, body.Name)
	set(&p.countries, body.AllowedCountries)
	set(&p.contactEmail, body.ContactEmail)
	set(&p.privacyURL, body.PrivacyUrl)
	set(&p.termsURL, body.TermsAndConditionsUrl)
	set(&p.status, body.Status)
	set(&p.demoMode, body.DemoMode)
	set(&p.demoOTP, body.DemoOTP)
	overlay(&p.dataProtection, body.DataProtection)
	overlay(&p.branding, body.Branding)
	overlay(&p.language, body.DefaultLanguage)
	if p.demoMode && p.demoOTP == "" {
		p.demoOTP = e.newCode()
	}
	p.updated = e.clock.Now()
	return p.view(nil), nil
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// ---- project flows ----

func (s *server) CreateProjectFlow(ctx context.Context, req smartenroll.CreateProjectFlowRequestObject) (smartenroll.CreateProjectFlowResponseObject, error) {
	v, fail := s.e.createFlow(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateProjectFlow200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusBadRequest:
		return smartenroll.CreateProjectFlow400JSONResponse(fail.body), nil
	case http.StatusUnauthorized:
		return smartenroll.CreateProjectFlow401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateProjectFlow403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateProjectFlow404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CreateProjectFlow409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) createFlow(ctx context.Context, body *smartenroll.ProjectFlowCreateRequest) (smartenroll.ProjectFlow, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.ProjectFlow{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, fail := e.clientProject(acct, body.Project)
	if fail != nil {
		return smartenroll.ProjectFlow{}, fail
	}
	// The emulator is Smart Enroll: SmartAccess and the older products are not emulated.
	if body.Type != smartenroll.FlowTypeOnboarding {
		return smartenroll.ProjectFlow{}, legacy(http.StatusConflict, "Invalid flow type", "INVALID_FLOW_TYPE")
	}
	if body.OnboardingSettings == nil {
		return smartenroll.ProjectFlow{}, legacy(http.StatusBadRequest, "onboardingSettings is required for onboarding flows", "MISSING_ONBOARDING_SETTINGS")
	}
	if p.flowCount >= e.limits.flows {
		return smartenroll.ProjectFlow{}, legacy(http.StatusConflict, "the sandbox holds at most "+strconv.Itoa(e.limits.flows)+" flows per project", "FLOW_LIMIT_REACHED")
	}
	p.flowCount++
	now := e.clock.Now()
	f := &flow{
		id: e.newID(), client: acct.id, project: p.id,
		typ:         body.Type,
		status:      deref(body.Status),
		redirectURL: body.RedirectUrl, webhookURL: body.WebhookUrl, identityURL: body.IdentityUrl,
		webhook: body.Webhook, systemForm: body.SystemForm, countries: body.AllowedCountries,
		settings: withDefaults(body.OnboardingSettings),
		security: e.security(body.Security),
		created:  now, updated: now,
	}
	if f.status == "" {
		f.status = smartenroll.FlowDraft
	}
	e.flows[f.id] = f
	e.assignCollection(p, f)
	return f.view(), nil
}

func (e *Emulator) security(in *smartenroll.FlowSecurity) smartenroll.FlowSecurity {
	s := smartenroll.FlowSecurity{}
	if in != nil {
		s = *in
	}
	s.ID = ptr(e.newID())
	setDefault(&s.Strategy, smartenroll.SecurityNone)
	setDefault(&s.Source, smartenroll.SecuritySourceNone)
	return s
}

// assignCollection gives a project its biometric collection once one of its flows runs
// liveness; until then selfies answer 409 collection_not_set.
func (e *Emulator) assignCollection(p *project, f *flow) {
	if p.collection == "" && f.step(smartenroll.StepLiveness) != smartenroll.StepSkip {
		p.collection = e.newID()
	}
}

func (s *server) ListProjectFlows(ctx context.Context, req smartenroll.ListProjectFlowsRequestObject) (smartenroll.ListProjectFlowsResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail != nil {
		if fail.status == http.StatusForbidden {
			return smartenroll.ListProjectFlows403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		}
		return smartenroll.ListProjectFlows401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	var all []*flow
	for _, f := range s.e.flows {
		if f.client != acct.id {
			continue
		}
		if req.Params.WhereProject != nil && f.project != *req.Params.WhereProject {
			continue
		}
		if req.Params.WhereStatus != nil && string(f.status) != *req.Params.WhereStatus {
			continue
		}
		all = append(all, f)
	}
	sortByCreated(all, func(f *flow) (string, int64) { return f.id, f.created.UnixNano() }, deref(req.Params.Sort))
	items, pg := paginate(all, req.Params.Page, req.Params.PerPage)
	out := smartenroll.ProjectFlowPage{Data: []smartenroll.ProjectFlow{}, Total: &pg.total, Limit: &pg.limit, Page: &pg.page, Pages: &pg.pages}
	for _, f := range items {
		out.Data = append(out.Data, f.view())
	}
	return smartenroll.ListProjectFlows200JSONResponse(out), nil
}

func (s *server) GetProjectFlow(ctx context.Context, req smartenroll.GetProjectFlowRequestObject) (smartenroll.GetProjectFlowResponseObject, error) {
	v, fail := s.e.flowOp(ctx, req.Id, func(*flow) *apiError { return nil })
	if fail == nil {
		return smartenroll.GetProjectFlow200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetProjectFlow401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetProjectFlow403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetProjectFlow404JSONResponse{ProjectFlowNotFoundJSONResponse: smartenroll.ProjectFlowNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) UpdateProjectFlow(ctx context.Context, req smartenroll.UpdateProjectFlowRequestObject) (smartenroll.UpdateProjectFlowResponseObject, error) {
	body := req.Body
	v, fail := s.e.flowOp(ctx, req.Id, func(f *flow) *apiError {
		set(&f.status, body.Status)
		overlay(&f.redirectURL, body.RedirectUrl)
		overlay(&f.webhookURL, body.WebhookUrl)
		overlay(&f.identityURL, body.IdentityUrl)
		overlay(&f.webhook, body.Webhook)
		overlay(&f.systemForm, body.SystemForm)
		overlay(&f.countries, body.AllowedCountries)
		if body.Security != nil {
			f.security = s.e.security(body.Security)
		}
		f.settings = mergeSettings(f.settings, body.OnboardingSettings)
		f.updated = s.e.clock.Now()
		s.e.assignCollection(s.e.projects[f.project], f)
		return nil
	})
	if fail == nil {
		return smartenroll.UpdateProjectFlow200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.UpdateProjectFlow401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.UpdateProjectFlow403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.UpdateProjectFlow404JSONResponse{ProjectFlowNotFoundJSONResponse: smartenroll.ProjectFlowNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) DeleteProjectFlow(ctx context.Context, req smartenroll.DeleteProjectFlowRequestObject) (smartenroll.DeleteProjectFlowResponseObject, error) {
	v, fail := s.e.flowOp(ctx, req.Id, func(f *flow) *apiError {
		if s.e.flowInUse(f.id) {
			return classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "Cannot delete project flow with active users")
		}
		delete(s.e.flows, f.id)
		if p := s.e.projects[f.project]; p != nil {
			p.flowCount--
		}
		return nil
	})
	if fail == nil {
		return smartenroll.DeleteProjectFlow200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusConflict:
		return smartenroll.DeleteProjectFlow409JSONResponse(fail.body), nil
	case http.StatusUnauthorized:
		return smartenroll.DeleteProjectFlow401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.DeleteProjectFlow403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.DeleteProjectFlow404JSONResponse{ProjectFlowNotFoundJSONResponse: smartenroll.ProjectFlowNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

// flowInUse reports whether a registrant is still going through the flow (started or
// ongoing): Verifik's delete page refuses to delete such a flow (409 Conflict "Cannot
// delete project flow with active users"). Called with e.mu held; a walk of the owner's
// registrations, bounded by WithMaxRegistrations.
func (e *Emulator) flowInUse(flowID string) bool {
	for _, r := range e.regs {
		if r.flow == flowID && (r.status == smartenroll.AppRegistrationStarted || r.status == smartenroll.AppRegistrationOngoing) {
			return true
		}
	}
	return false
}

// flowOp runs change on one of the caller's flows and answers the flow as it is after,
// or change's refusal.
func (e *Emulator) flowOp(ctx context.Context, id string, change func(*flow) *apiError) (smartenroll.ProjectFlow, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.ProjectFlow{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.flows[id]
	if !ok || f.client != acct.id {
		return smartenroll.ProjectFlow{}, reason(http.StatusNotFound, smartenroll.ErrorCodeProjectFlowNotFound)
	}
	if fail := change(f); fail != nil {
		return smartenroll.ProjectFlow{}, fail
	}
	return f.view(), nil
}

// ---- lists ----

type pageInfo struct{ total, limit, page, pages int }

func paginate[T any](all []T, page, perPage *int) ([]T, pageInfo) {
	pg := pageInfo{total: len(all), limit: 20, page: 1}
	if perPage != nil && *perPage > 0 {
		pg.limit = *perPage
	}
	if page != nil && *page > 0 {
		pg.page = *page
	}
	pg.pages = (pg.total + pg.limit - 1) / pg.limit
	lo := min((pg.page-1)*pg.limit, len(all))
	hi := min(lo+pg.limit, len(all))
	return all[lo:hi], pg
}

// sortByCreated orders records by creation (ties by id); sort "-createdAt" reverses.
func sortByCreated[T any](items []T, key func(T) (string, int64), sortParam string) {
	sort.Slice(items, func(i, j int) bool {
		ai, at := key(items[i])
		bi, bt := key(items[j])
		if at != bt {
			return at < bt
		}
		return ai < bi
	})
	if strings.HasPrefix(sortParam, "-") {
		slices.Reverse(items)
	}
}

// missingFields lists empty required fields the way restify does ("missing a\n. missing b").
// Pairs of name, value.
func missingFields(pairs ...string) string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			out = append(out, "missing "+pairs[i])
		}
	}
	return strings.Join(out, "\n. ")
}
