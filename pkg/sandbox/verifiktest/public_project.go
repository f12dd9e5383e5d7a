package verifiktest

// The project as Verifik's hosted sign-up page reads it, with no token.

import (
	"context"
	"net/http"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) GetPublicProject(_ context.Context, req smartenroll.GetPublicProjectRequestObject) (smartenroll.GetPublicProjectResponseObject, error) {
	typ := smartenroll.FlowTypeOnboarding
	if req.Params.Type != nil {
		typ = *req.Params.Type
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	p, ok := s.e.projects[req.Params.Id]
	if !ok {
		return smartenroll.GetPublicProject404JSONResponse{ProjectNotFoundJSONResponse: smartenroll.ProjectNotFoundJSONResponse(reason(http.StatusNotFound, smartenroll.ErrorCodeProjectNotFound).body)}, nil
	}
	return smartenroll.GetPublicProject200JSONResponse{Data: s.e.publicView(p, typ)}, nil
}

// publicView is what a sign-up page needs of a project and its flows of one type: the
// id is public in the page's link, so nothing here is the account's to keep (no name,
// account, members, demo code, redirect URL or webhook). e.mu must be held.
func (e *Emulator) publicView(p *project, typ smartenroll.ProjectFlowType) smartenroll.Project {
	refs := []*smartenroll.ProjectFlowRef{}
	for _, f := range e.projectFlows(p.id) {
		if f.typ != typ {
			continue
		}
		var r smartenroll.ProjectFlowRef
		_ = r.FromProjectFlow(smartenroll.ProjectFlow{
			ID: f.id, Project: ptr(f.project), Type: ptr(f.typ), Status: ptr(f.status),
			AllowedCountries: f.countries, OnboardingSettings: ptr(f.settings),
		})
		refs = append(refs, &r)
	}
	return smartenroll.Project{
		ID:                    p.id,
		AllowedCountries:      ptr(append([]string(nil), p.countries...)),
		ContactEmail:          ptr(p.contactEmail),
		PrivacyUrl:            ptr(p.privacyURL),
		TermsAndConditionsUrl: ptr(p.termsURL),
		Branding:              p.branding,
		DefaultLanguage:       p.language,
		Status:                ptr(p.status),
		DemoMode:              ptr(p.demoMode),
		ProjectFlows:          flowList(refs),
	}
}
