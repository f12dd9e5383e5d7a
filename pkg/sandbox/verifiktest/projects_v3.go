package verifiktest

// The v3 projects API beside v2: the same records, v3's flat flow shape, and v3's own
// list parameters.

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) CreateProjectV3(ctx context.Context, req smartenroll.CreateProjectV3RequestObject) (smartenroll.CreateProjectV3ResponseObject, error) {
	v, fail := s.e.createProjectV3(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateProjectV3201JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusBadRequest:
		return smartenroll.CreateProjectV3400JSONResponse(fail.body), nil
	case http.StatusUnauthorized:
		return smartenroll.CreateProjectV3401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateProjectV3403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CreateProjectV3409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// createProjectV3 creates the project as v2 does and, when the body carries one, its
// flow from the flat v3 shape; the answer names the new flow's id as a string, as the
// v3 page shows.
func (e *Emulator) createProjectV3(ctx context.Context, body *smartenroll.ProjectV3CreateRequest) (smartenroll.Project, *apiError) {
	if body.ProjectFlow != nil && body.ProjectFlow.Type != smartenroll.FlowTypeOnboarding {
		// The emulator is Smart Enroll only (as createProjectFlow).
		return smartenroll.Project{}, legacy(http.StatusConflict, "Invalid flow type", "INVALID_FLOW_TYPE")
	}
	p, fail := e.createProject(ctx, &smartenroll.ProjectCreateRequest{
		Name: body.Name, AllowedCountries: body.AllowedCountries, ContactEmail: body.ContactEmail,
		PrivacyUrl: body.PrivacyUrl, TermsAndConditionsUrl: body.TermsAndConditionsUrl,
		DataProtection: &body.DataProtection, Branding: body.Branding, DefaultLanguage: body.DefaultLanguage,
		DemoMode: body.DemoMode, DemoOTP: body.DemoOTP,
	})
	if fail != nil || body.ProjectFlow == nil {
		return p, fail
	}
	flat := body.ProjectFlow
	settings := smartenroll.OnboardingSettings{Steps: flat.Steps, SignUpForm: signUpFormOf(flat.SignUpForm)}
	f, fail := e.createFlow(ctx, &smartenroll.ProjectFlowCreateRequest{
		Project: p.ID, Type: flat.Type, Status: ptr(smartenroll.FlowActive),
		RedirectUrl: stringIn(flat.Integrations, "redirectUrl"), OnboardingSettings: &settings,
	})
	if fail != nil {
		return smartenroll.Project{}, fail
	}
	p.ProjectFlows = &smartenroll.ProjectFlowList{}
	_ = p.ProjectFlows.FromObjectId(f.ID)
	return p, nil
}

// signUpFormOf reads a v3 signUpForm section into the v2 settings the emulator keeps
// (the keys both versions share; the rest of the section is not emulated).
func signUpFormOf(sec *smartenroll.FlowV3Section) *smartenroll.SignUpFormSettings {
	if sec == nil {
		return nil
	}
	raw, err := json.Marshal(*sec)
	if err != nil {
		return nil
	}
	var out smartenroll.SignUpFormSettings
	if json.Unmarshal(raw, &out) != nil {
		return nil
	}
	return &out
}

func stringIn(sec *smartenroll.FlowV3Section, key string) *string {
	if sec == nil {
		return nil
	}
	if v, ok := (*sec)[key].(string); ok && v != "" {
		return &v
	}
	return nil
}

func (s *server) ListProjectsV3(ctx context.Context, req smartenroll.ListProjectsV3RequestObject) (smartenroll.ListProjectsV3ResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail != nil {
		if fail.status == http.StatusForbidden {
			return smartenroll.ListProjectsV3403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		}
		return smartenroll.ListProjectsV3401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	}
	q := req.Params
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	var all []*project
	for _, p := range s.e.projects {
		switch {
		case p.client != acct.id,
			q.WhereStatus != nil && string(p.status) != *q.WhereStatus,
			q.LikeName != nil && !strings.Contains(strings.ToLower(p.name), strings.ToLower(*q.LikeName)),
			// The emulator's projects have no target (v2 creates none): a target filter
			// matches none of them.
			q.WhereTarget != nil && *q.WhereTarget != "",
			q.InStatus != nil && len(*q.InStatus) > 0 && !slices.Contains(*q.InStatus, p.status):
			continue
		}
		all = append(all, p)
	}
	sortByCreated(all, func(p *project) (string, int64) { return p.id, p.created.UnixNano() }, "")
	limit := 10
	if q.Limit != nil {
		limit = *q.Limit
	}
	items, pg := paginate(all, q.Page, &limit)
	out := smartenroll.ProjectPage{Data: []smartenroll.Project{}, Total: &pg.total, Limit: &pg.limit, Page: &pg.page, Pages: &pg.pages}
	for _, p := range items {
		out.Data = append(out.Data, s.e.projectV3View(p))
	}
	return smartenroll.ListProjectsV3200JSONResponse(out), nil
}

// projectV3View is a project with its flows embedded, as every v3 answer shows them.
// e.mu must be held.
func (e *Emulator) projectV3View(p *project) smartenroll.Project {
	refs := []*smartenroll.ProjectFlowRef{}
	for _, f := range e.projectFlows(p.id) {
		v := f.view()
		v.Steps = f.settings.Steps // the flat v3 key beside v2's onboardingSettings
		var r smartenroll.ProjectFlowRef
		_ = r.FromProjectFlow(v)
		refs = append(refs, &r)
	}
	return p.view(refs)
}

func (s *server) GetProjectV3(ctx context.Context, req smartenroll.GetProjectV3RequestObject) (smartenroll.GetProjectV3ResponseObject, error) {
	v, fail := s.e.projectV3(ctx, req.Id)
	if fail == nil {
		return smartenroll.GetProjectV3200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetProjectV3401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetProjectV3403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetProjectV3404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) UpdateProjectV3(ctx context.Context, req smartenroll.UpdateProjectV3RequestObject) (smartenroll.UpdateProjectV3ResponseObject, error) {
	_, fail := s.e.updateProject(ctx, req.Id, req.Body)
	var v smartenroll.Project
	if fail == nil {
		v, fail = s.e.projectV3(ctx, req.Id)
	}
	if fail == nil {
		return smartenroll.UpdateProjectV3200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.UpdateProjectV3401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.UpdateProjectV3403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.UpdateProjectV3404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.UpdateProjectV3409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (s *server) DeleteProjectV3(ctx context.Context, req smartenroll.DeleteProjectV3RequestObject) (smartenroll.DeleteProjectV3ResponseObject, error) {
	v, fail := s.e.deleteProjectV3(ctx, req.Id)
	if fail == nil {
		return smartenroll.DeleteProjectV3200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.DeleteProjectV3401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.DeleteProjectV3403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.DeleteProjectV3404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.DeleteProjectV3409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// deleteProjectV3 removes a draft or paused project and its flows. Verifik's page allows
// only those ("Active projects must be paused first") and refuses an active one with 409
// Conflict "Cannot delete project with active flows"
// (github:Open-Verifik/verifik-documentation@4c7d37e docs/resources/projects/projects-delete.mdx).
// The answer is the page's: id, name and status deleted.
func (e *Emulator) deleteProjectV3(ctx context.Context, id string) (smartenroll.DeletedProject, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.DeletedProject{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p, fail := e.clientProject(acct, id)
	if fail != nil {
		return smartenroll.DeletedProject{}, fail
	}
	if p.status == smartenroll.ProjectActive {
		return smartenroll.DeletedProject{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "Cannot delete project with active flows")
	}
	for _, f := range e.projectFlows(p.id) {
		delete(e.flows, f.id)
	}
	delete(e.projects, p.id)
	acct.projects--
	return smartenroll.DeletedProject{ID: p.id, Name: &p.name, Status: ptr(smartenroll.ProjectDeleted)}, nil
}

// projectV3 answers one of the caller's projects in the v3 view.
func (e *Emulator) projectV3(ctx context.Context, id string) (smartenroll.Project, *apiError) {
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
	return e.projectV3View(p), nil
}
