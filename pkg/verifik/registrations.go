package verifik

// Listing the account's registrants, for a back office or a reconciliation job.

import (
	"context"
	"strconv"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// MaxRegistrationsPage is the largest page Verifik serves (limit at most 100).
const MaxRegistrationsPage = 100

// RegistrationFilter narrows Registrations; its zero value is the first page of every
// registrant of the account, 10 to a page.
type RegistrationFilter struct {
	// Page counts from 1 (0 means 1).
	Page int
	// Limit is the page size, 1 to MaxRegistrationsPage (0 means Verifik's default, 10).
	Limit int
	// Statuses keeps registrants in any of these statuses (Verifik's in_status[]).
	Statuses []Status
	// ProjectID and FlowID keep one project's or one flow's registrants.
	ProjectID, FlowID string
}

// RegistrationPage is one page of Registrations.
type RegistrationPage struct {
	Registrants []Review
	// Total is how many registrants match; Pages how many pages they fill.
	Total, Page, Pages int
}

// Registrations lists the account's registrants, each as a Review (statuses, scores and
// ids only). Verifik: GET /v2/app-registrations?page=&limit=&in_status[]=&where_project=
// &where_projectFlow=&populates[]=… (client token).
func (c *Client) Registrations(ctx context.Context, f RegistrationFilter) (RegistrationPage, error) {
	const op = "listAppRegistrations"
	if err := c.ready(op); err != nil {
		return RegistrationPage{}, err
	}
	params := smartenroll.ListAppRegistrationsParams{}
	switch {
	case f.Page < 0:
		return RegistrationPage{}, transport.Invalid(vendor, op, "page", "must be 1 or more")
	case f.Limit < 0 || f.Limit > MaxRegistrationsPage:
		return RegistrationPage{}, transport.Invalid(vendor, op, "limit", "must be 1 to "+strconv.Itoa(MaxRegistrationsPage))
	}
	if f.Page > 0 {
		params.Page = ptr(f.Page)
	}
	if f.Limit > 0 {
		params.Limit = ptr(f.Limit)
	}
	var statuses []smartenroll.AppRegistrationStatus
	for _, s := range f.Statuses {
		if !s.known() {
			return RegistrationPage{}, transport.Invalid(vendor, op, "status", "is not a Verifik app registration status")
		}
		statuses = append(statuses, smartenroll.AppRegistrationStatus(s))
	}
	if len(statuses) > 0 {
		params.InStatus = &statuses
	}
	if f.ProjectID != "" {
		if err := checkID(op, "project id", f.ProjectID); err != nil {
			return RegistrationPage{}, err
		}
		params.WhereProject = ptr(f.ProjectID)
	}
	if f.FlowID != "" {
		if err := checkID(op, "flow id", f.FlowID); err != nil {
			return RegistrationPage{}, err
		}
		params.WhereProjectFlow = ptr(f.FlowID)
	}
	params.Populates = ptr(append([]smartenroll.Populate(nil), reviewPopulates...))
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.ListAppRegistrationsWithResponse(ctx, &params, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return RegistrationPage{}, err
	}
	p := res.JSON200
	out := RegistrationPage{Total: deref(p.Total), Page: deref(p.Page), Pages: deref(p.Pages), Registrants: make([]Review, 0, len(p.Data))}
	for _, a := range p.Data {
		out.Registrants = append(out.Registrants, reviewOf(a))
	}
	return out, nil
}
