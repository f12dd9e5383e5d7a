package verifik

// Project administration: list, read, update and delete the account's projects.
//
// These use Verifik's v3 projects API. The pages the v2 routes were documented on
// (list-all-projects, retrieve-a-project, update-a-project) now document /v3
// (github:Open-Verifik/verifik-documentation@e39777f docs/resources/projects/projects-list.mdx,
// projects-show.mdx; @e6a7247 projects-update.mdx), and deletion exists on v3 only
// (@4c7d37e projects-delete.mdx). Setup keeps the v2 routes the Smart Enroll tutorial
// uses; both versions hold the same project records.

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// ProjectStatus is where a project is: only an active project runs registrant steps.
type ProjectStatus string

const (
	ProjectDraft  ProjectStatus = "draft"
	ProjectActive ProjectStatus = "active"
	ProjectPaused ProjectStatus = "paused"
)

// Valid says whether s is a status Verifik documents; Verifik may answer others, which
// are not active.
func (s ProjectStatus) Valid() bool {
	return s == ProjectDraft || s == ProjectActive || s == ProjectPaused
}

// MaxProjectName is the longest project name Verifik's v3 API accepts.
const MaxProjectName = 60

// MaxProjectsPage is the largest page of projects Verifik serves.
const MaxProjectsPage = 100

// Project is a Verifik project as the admin calls answer it: settings and flow ids, no
// demo code.
type Project struct {
	ID               string
	Name             string
	Status           ProjectStatus
	AllowedCountries []string
	ContactEmail     string
	PrivacyURL       string
	TermsURL         string
	DemoMode         bool
	// FlowIDs are the project's flows (v3 answers embed them; only their ids are kept).
	FlowIDs   []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProjectFilter narrows Projects; its zero value is the first page of every project of
// the account, 10 to a page.
type ProjectFilter struct {
	// Page counts from 1 (0 means 1).
	Page int
	// Limit is the page size, 1 to MaxProjectsPage (0 means Verifik's default, 10).
	Limit int
	// NameContains keeps projects whose name contains it, ignoring case (like_name).
	NameContains string
	// Statuses keeps projects in any of these statuses (in_status[]).
	Statuses []ProjectStatus
}

// ProjectPage is one page of Projects.
type ProjectPage struct {
	Projects []Project
	// Total is how many projects match; Pages how many pages they fill.
	Total, Page, Pages int
}

// ProjectUpdate is a partial update: only the fields set change.
type ProjectUpdate struct {
	// Name renames the project (at most MaxProjectName characters; unique per account).
	Name string
	// AllowedCountries, when not nil, replaces the list (English country names).
	AllowedCountries []string
	ContactEmail     string
	PrivacyURL       string
	TermsURL         string
	// Status pauses or activates the project.
	Status ProjectStatus
	// DemoMode, when not nil, turns Verifik's test mode on or off.
	DemoMode *bool
	// DemoOTP sets the demo code (6 digits).
	DemoOTP string
}

// Projects lists the account's projects.
// Verifik: GET /v3/projects?page=&limit=&like_name=&in_status[]= (client token).
func (c *Client) Projects(ctx context.Context, f ProjectFilter) (ProjectPage, error) {
	const op = "listProjectsV3"
	if err := c.ready(op); err != nil {
		return ProjectPage{}, err
	}
	params := smartenroll.ListProjectsV3Params{}
	switch {
	case f.Page < 0:
		return ProjectPage{}, transport.Invalid(vendor, op, "page", "must be 1 or more")
	case f.Limit < 0 || f.Limit > MaxProjectsPage:
		return ProjectPage{}, transport.Invalid(vendor, op, "limit", "must be 1 to "+strconv.Itoa(MaxProjectsPage))
	}
	if f.Page > 0 {
		params.Page = ptr(f.Page)
	}
	if f.Limit > 0 {
		params.Limit = ptr(f.Limit)
	}
	if f.NameContains != "" {
		if err := checkProjectName(op, "name filter", f.NameContains); err != nil {
			return ProjectPage{}, err
		}
		params.LikeName = ptr(f.NameContains)
	}
	if len(f.Statuses) > 0 {
		in := make([]smartenroll.ProjectStatus, 0, len(f.Statuses))
		for _, s := range f.Statuses {
			if !s.Valid() {
				return ProjectPage{}, transport.Invalid(vendor, op, "status", "must be draft, active or paused")
			}
			in = append(in, smartenroll.ProjectStatus(s))
		}
		params.InStatus = &in
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.ListProjectsV3WithResponse(ctx, &params, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return ProjectPage{}, err
	}
	p := res.JSON200
	out := ProjectPage{Total: deref(p.Total), Page: deref(p.Page), Pages: deref(p.Pages), Projects: make([]Project, 0, len(p.Data))}
	for _, x := range p.Data {
		out.Projects = append(out.Projects, projectOf(x))
	}
	return out, nil
}

// Project reads one of the account's projects.
// Verifik: GET /v3/projects/{id} (client token).
func (c *Client) Project(ctx context.Context, id string) (Project, error) {
	const op = "getProjectV3"
	if err := c.ready(op); err != nil {
		return Project{}, err
	}
	if err := checkID(op, "project id", id); err != nil {
		return Project{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.GetProjectV3WithResponse(ctx, id, bearer(c.token))
	return c.projectAnswer(ctx, op, err, res, func() *smartenroll.ProjectEnvelope { return res.JSON200 })
}

// UpdateProject changes the fields u sets and returns the project as it now is. Pausing
// (Status ProjectPaused) stops new registrant steps; activating resumes them.
// Verifik: PUT /v3/projects/{id} (client token).
func (c *Client) UpdateProject(ctx context.Context, id string, u ProjectUpdate) (Project, error) {
	const op = "updateProjectV3"
	if err := c.ready(op); err != nil {
		return Project{}, err
	}
	if err := checkID(op, "project id", id); err != nil {
		return Project{}, err
	}
	body, err := u.request(op)
	if err != nil {
		return Project{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.UpdateProjectV3WithResponse(ctx, id, body, bearer(c.token))
	return c.projectAnswer(ctx, op, err, res, func() *smartenroll.ProjectEnvelope { return res.JSON200 })
}

// DeleteProject removes a project and its flows for good; its registrants can no longer
// go on. Only a draft or paused project can be deleted: pause it first with
// UpdateProject(ctx, id, ProjectUpdate{Status: ProjectPaused}), which also stops new
// registrants while you export what you keep. An active project is refused with a
// *transport.APIError, HTTP 409, CodeOf "Conflict" ("Cannot delete project with active
// flows"); it is not deleted.
// Verifik: DELETE /v3/projects/{id} (client token); the rule and the 409:
// github:Open-Verifik/verifik-documentation@4c7d37e docs/resources/projects/projects-delete.mdx.
func (c *Client) DeleteProject(ctx context.Context, id string) error {
	const op = "deleteProjectV3"
	if err := c.ready(op); err != nil {
		return err
	}
	if err := checkID(op, "project id", id); err != nil {
		return err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.DeleteProjectV3WithResponse(ctx, id, bearer(c.token))
	return c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil)
}

// projectAnswer turns a single-project answer into a Project. envelope is read only
// after the call succeeded (res is then not nil).
func (c *Client) projectAnswer(ctx context.Context, op string, err error, res interface{ StatusCode() int }, envelope func() *smartenroll.ProjectEnvelope) (Project, error) {
	var env *smartenroll.ProjectEnvelope
	if err == nil && res != nil {
		env = envelope()
	}
	if err := c.finish(ctx, op, err, res, env != nil); err != nil {
		return Project{}, err
	}
	return projectOf(env.Data), nil
}

func (u ProjectUpdate) request(op string) (smartenroll.ProjectUpdateRequest, error) {
	var body smartenroll.ProjectUpdateRequest
	set := false
	if u.Name != "" {
		if err := checkProjectName(op, "name", u.Name); err != nil {
			return body, err
		}
		body.Name, set = ptr(strings.TrimSpace(u.Name)), true
	}
	if u.AllowedCountries != nil {
		if len(u.AllowedCountries) == 0 {
			return body, transport.Invalid(vendor, op, "allowed countries", "must name at least one country")
		}
		for _, country := range u.AllowedCountries {
			if strings.TrimSpace(country) == "" {
				return body, transport.Invalid(vendor, op, "allowed countries", "has an empty country")
			}
		}
		body.AllowedCountries, set = ptr(append([]string(nil), u.AllowedCountries...)), true
	}
	if u.ContactEmail != "" {
		if err := checkEmail(op, "contact email", u.ContactEmail); err != nil {
			return body, err
		}
		body.ContactEmail, set = ptr(u.ContactEmail), true
	}
	for _, x := range []struct {
		field, value string
		dst          **string
	}{{"privacy URL", u.PrivacyURL, &body.PrivacyUrl}, {"terms URL", u.TermsURL, &body.TermsAndConditionsUrl}} {
		if x.value == "" {
			continue
		}
		if err := checkURL(op, x.field, x.value); err != nil {
			return body, err
		}
		*x.dst, set = ptr(x.value), true
	}
	if u.Status != "" {
		if !u.Status.Valid() {
			return body, transport.Invalid(vendor, op, "status", "must be draft, active or paused")
		}
		body.Status, set = ptr(smartenroll.ProjectStatus(u.Status)), true
	}
	if u.DemoMode != nil {
		body.DemoMode, set = ptr(*u.DemoMode), true
	}
	if u.DemoOTP != "" {
		if !isCode(u.DemoOTP) {
			return body, transport.Invalid(vendor, op, "demo code", "must be 6 digits")
		}
		body.DemoOTP, set = ptr(u.DemoOTP), true
	}
	if !set {
		return body, transport.Invalid(vendor, op, "update", "sets no field")
	}
	return body, nil
}

// checkProjectName refuses what Verifik's v3 API would: a blank name, one longer than
// MaxProjectName, or one with control characters (they would reach hosted pages).
func checkProjectName(op, field, name string) error {
	switch n := strings.TrimSpace(name); {
	case n == "":
		return transport.Invalid(vendor, op, field, "is blank")
	case len([]rune(n)) > MaxProjectName:
		return transport.Invalid(vendor, op, field, "is longer than "+strconv.Itoa(MaxProjectName)+" characters")
	case strings.IndexFunc(n, unicode.IsControl) >= 0:
		return transport.Invalid(vendor, op, field, "has control characters")
	}
	return nil
}

func projectOf(p smartenroll.Project) Project {
	out := Project{
		ID: p.ID, Name: deref(p.Name), Status: ProjectStatus(deref(p.Status)),
		AllowedCountries: deref(p.AllowedCountries),
		ContactEmail:     deref(p.ContactEmail), PrivacyURL: deref(p.PrivacyUrl), TermsURL: deref(p.TermsAndConditionsUrl),
		DemoMode:  deref(p.DemoMode),
		CreatedAt: deref(p.CreatedAt), UpdatedAt: deref(p.UpdatedAt),
	}
	if p.ProjectFlows == nil {
		return out
	}
	// An array of ids or flows, or (the v3 create answer) one id.
	if refs, err := p.ProjectFlows.AsProjectFlowRefs(); err == nil {
		for _, r := range refs {
			if id := refID(&r); id != "" {
				out.FlowIDs = append(out.FlowIDs, id)
			}
		}
	} else if id, err := p.ProjectFlows.AsObjectId(); err == nil && id != "" {
		out.FlowIDs = []string{id}
	}
	return out
}
