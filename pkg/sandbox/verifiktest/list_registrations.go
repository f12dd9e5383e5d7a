package verifiktest

// Listing an account's registrants, with the documented filters.

import (
	"context"
	"net/http"
	"slices"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) ListAppRegistrations(ctx context.Context, req smartenroll.ListAppRegistrationsRequestObject) (smartenroll.ListAppRegistrationsResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail != nil {
		if fail.status == http.StatusForbidden {
			return smartenroll.ListAppRegistrations403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		}
		return smartenroll.ListAppRegistrations401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	}
	p := req.Params
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	var all []*registration
	for _, r := range s.e.regs {
		switch {
		case r.client != acct.id,
			p.WhereStatus != nil && string(r.status) != *p.WhereStatus,
			p.WhereProject != nil && r.project != *p.WhereProject,
			p.WhereProjectFlow != nil && r.flow != *p.WhereProjectFlow,
			p.InStatus != nil && len(*p.InStatus) > 0 && !slices.Contains(*p.InStatus, r.status):
			continue
		}
		all = append(all, r)
	}
	sortByCreated(all, func(r *registration) (string, int64) { return r.id, r.created.UnixNano() }, "")
	limit := 10 // the documented default
	if p.Limit != nil {
		limit = *p.Limit
	}
	items, pg := paginate(all, p.Page, &limit)
	out := smartenroll.AppRegistrationPage{Data: []smartenroll.AppRegistration{}, Total: &pg.total, Limit: &pg.limit, Page: &pg.page, Pages: &pg.pages}
	for _, r := range items {
		out.Data = append(out.Data, s.e.registrationView(r, deref(p.Populates)))
	}
	return smartenroll.ListAppRegistrations200JSONResponse(out), nil
}
