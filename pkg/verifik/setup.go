package verifik

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Requirement is how a flow treats a step: Mandatory, Optional or Skip (not offered).
type Requirement string

// Step requirements, as Verifik spells them.
const (
	Mandatory Requirement = "mandatory"
	Optional  Requirement = "optional"
	Skip      Requirement = "skip"
)

// PhoneGateway is how phone codes travel: SMS or WhatsApp (both billed by Verifik).
type PhoneGateway string

// Phone gateways, as Verifik spells them. FlowConfig and SendPhoneCode take SMS or
// WhatsApp; a flow configured elsewhere (Verifik's dashboard) may report the others.
const (
	SMS      PhoneGateway = "sms"
	WhatsApp PhoneGateway = "whatsapp"
	// SMSAndWhatsApp lets the registrant choose.
	SMSAndWhatsApp PhoneGateway = "both"
	// NoPhoneGateway sends no phone code.
	NoPhoneGateway PhoneGateway = "none"
)

// ProjectConfig describes a Smart Enroll project (Verifik's "Create a Project").
type ProjectConfig struct {
	// Name identifies the project; Setup reuses the client's project of this name.
	Name string
	// AllowedCountries are English country names ("Colombia", "United States").
	AllowedCountries []string
	ContactEmail     string
	PrivacyURL       string
	TermsURL         string
	// DemoMode makes every email and phone code DemoOTP (Verifik's test mode).
	DemoMode bool
	// DemoOTP is the demo code (6 digits); Verifik generates one when empty.
	DemoOTP string
}

// FlowConfig is the journey a project flow runs (Verifik's onboardingSettings).
type FlowConfig struct {
	// RedirectURL is where the registrant lands with ?type=onboarding&token=.
	RedirectURL string
	// EmailCode and PhoneCode are the codes the sign-up form requires.
	EmailCode    bool
	PhoneCode    bool
	PhoneGateway PhoneGateway // SMS (default) or WhatsApp
	// Document and Liveness are the KYC steps: Mandatory, Optional or Skip.
	Document Requirement
	Liveness Requirement
	// LivenessMinScore is the liveness a selfie must reach (0.5–1; Verifik's default 0.6).
	LivenessMinScore float64
	// CompareMinScore is the document-vs-selfie score a registrant must reach (0.5–1).
	CompareMinScore float64
	// SearchMinScore is where the duplicate search reports a match (0.3–1; default 0.9).
	SearchMinScore float64
	// MaxAttempts bounds document and selfie attempts (3–10; default 3).
	MaxAttempts int
	// VerifyNames and VerifyCriminalHistory enable the billed add-ons.
	VerifyNames           bool
	VerifyCriminalHistory bool
}

// BasicEnrollment is the tutorial's "Basic Enrollment (Optional KYC)": the sign-up form
// with an email code is mandatory, the document and the selfie optional.
func BasicEnrollment(redirectURL string) FlowConfig {
	return FlowConfig{RedirectURL: redirectURL, EmailCode: true, Document: Optional, Liveness: Optional}
}

// FullVerification is the tutorial's "Full Verification (Mandatory KYC)": the sign-up
// form, the document and the selfie are mandatory, and the faces must match.
func FullVerification(redirectURL string) FlowConfig {
	return FlowConfig{RedirectURL: redirectURL, EmailCode: true, Document: Mandatory, Liveness: Mandatory,
		LivenessMinScore: 0.65, CompareMinScore: 0.67}
}

// Flow is a project flow as the journey needs it: ids and the rules that gate the steps.
// It is small and JSON-serializable; store it or load it again with Client.Flow.
type Flow struct {
	ProjectID   string `json:"projectId"`
	FlowID      string `json:"flowId"`
	RedirectURL string `json:"redirectUrl,omitempty"`
	// Steps holds the flow's requirement per step (signUpForm, basicInformation,
	// document, liveness, form).
	Steps            map[string]Requirement `json:"steps"`
	EmailCode        bool                   `json:"emailCode"`
	PhoneCode        bool                   `json:"phoneCode"`
	PhoneGateway     PhoneGateway           `json:"phoneGateway,omitempty"`
	LivenessMinScore float64                `json:"livenessMinScore"`
	CompareMinScore  float64                `json:"compareMinScore"`
	DocumentAttempts int                    `json:"documentAttempts"`
	SelfieAttempts   int                    `json:"selfieAttempts"`
	VerifyNames      bool                   `json:"verifyNames"`
	VerifyCriminal   bool                   `json:"verifyCriminalHistory"`
	DemoMode         bool                   `json:"demoMode,omitempty"`
}

// Step names of a flow, as Verifik spells them.
const (
	StepSignUpForm       = "signUpForm"
	StepBasicInformation = "basicInformation"
	StepDocument         = "document"
	StepLiveness         = "liveness"
	StepForm             = "form"
)

// Requirement returns how the flow treats step; an unknown step or value is Optional,
// as the spec's policy for unknown values says.
func (f Flow) Requirement(step string) Requirement {
	r, ok := f.Steps[step]
	switch {
	case !ok:
		return Skip
	case r == Mandatory, r == Skip:
		return r
	}
	return Optional
}

// kycMandatory lists the KYC steps the flow makes mandatory (what forbids SkipKYC).
func (f Flow) kycMandatory() []string {
	var out []string
	for _, s := range []string{StepBasicInformation, StepDocument, StepForm, StepLiveness} {
		if f.Requirement(s) == Mandatory {
			out = append(out, s)
		}
	}
	return out
}

// Setup creates or reuses a project and an active Smart Enroll flow so that they match
// the configuration: the client's project of that name is reused (created if missing,
// its demo settings updated), and its first active onboarding flow is reused — updated
// when its settings differ — or created. Verifik: POST/GET/PUT /v2/projects,
// POST/GET/PUT /v2/project-flows.
func (c *Client) Setup(ctx context.Context, p ProjectConfig, f FlowConfig) (Flow, error) {
	if err := c.ready("createProject"); err != nil {
		return Flow{}, err
	}
	if err := validateSetup(p, f); err != nil {
		return Flow{}, err
	}
	project, err := c.ensureProject(ctx, p)
	if err != nil {
		return Flow{}, err
	}
	settings := f.settings()
	flows, err := c.listFlows(ctx, project.ID)
	if err != nil {
		return Flow{}, err
	}
	for _, existing := range flows {
		if deref(existing.Type) != smartenroll.FlowTypeOnboarding || deref(existing.Status) != smartenroll.FlowActive {
			continue
		}
		if deref(existing.RedirectUrl) == f.RedirectURL && sameSettings(existing.OnboardingSettings, settings) {
			return usableFlow("listProjectFlows", flowOf(project, existing))
		}
		updated, err := c.updateFlow(ctx, existing.ID, smartenroll.ProjectFlowUpdateRequest{
			RedirectUrl: nonEmpty(f.RedirectURL), OnboardingSettings: &settings,
		})
		if err != nil {
			return Flow{}, err
		}
		return usableFlow("updateProjectFlow", flowOf(project, updated))
	}
	created, err := c.createFlow(ctx, smartenroll.ProjectFlowCreateRequest{
		Project: project.ID, Type: smartenroll.FlowTypeOnboarding, Status: ptr(smartenroll.FlowActive),
		RedirectUrl: nonEmpty(f.RedirectURL), OnboardingSettings: &settings,
	})
	if err != nil {
		return Flow{}, err
	}
	return usableFlow("createProjectFlow", flowOf(project, created))
}

// Flow loads a project flow and its project, e.g. to resume journeys after a restart.
// Verifik: GET /v2/project-flows/{id}, GET /v2/projects/{id}.
func (c *Client) Flow(ctx context.Context, flowID string) (Flow, error) {
	const op = "getProjectFlow"
	if err := c.ready(op); err != nil {
		return Flow{}, err
	}
	if err := checkID(op, "flow id", flowID); err != nil {
		return Flow{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.GetProjectFlowWithResponse(ctx, flowID, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Flow{}, err
	}
	flow := res.JSON200.Data
	if !idPattern.MatchString(deref(flow.Project)) {
		return Flow{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("usable project id")}
	}
	project, err := c.project(ctx, deref(flow.Project))
	if err != nil {
		return Flow{}, err
	}
	return usableFlow(op, flowOf(project, flow))
}

// usableFlow refuses a flow whose ids came back empty or malformed: Register would
// refuse them later, as if the caller were at fault.
func usableFlow(op string, f Flow) (Flow, error) {
	if !idPattern.MatchString(f.ProjectID) || !idPattern.MatchString(f.FlowID) {
		return Flow{}, &transport.DecodeError{Vendor: vendor, Operation: op, Err: errMissing("usable project and flow ids")}
	}
	return f, nil
}

// maxPages bounds paging: a vendor whose page count never ends must not keep the
// client calling for ever.
const maxPages = 100

func tooManyPages(op string, status int) error {
	return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: status, Err: errors.New("more than 100 pages")}
}

func (f FlowConfig) settings() smartenroll.OnboardingSettings {
	emailGateway, phoneGateway := smartenroll.EmailGatewayNone, smartenroll.PhoneGatewayNone
	if f.EmailCode {
		emailGateway = smartenroll.EmailGatewayMailgun
	}
	if f.PhoneCode {
		phoneGateway = smartenroll.PhoneGateway(f.PhoneGateway)
		if phoneGateway == "" {
			phoneGateway = smartenroll.PhoneGatewaySMS
		}
	}
	orSkip := func(r Requirement) *smartenroll.StepRequirement {
		if r == "" {
			r = Skip
		}
		return ptr(smartenroll.StepRequirement(r))
	}
	s := smartenroll.OnboardingSettings{
		Steps: &smartenroll.OnboardingSteps{
			SignUpForm:       ptr(smartenroll.StepMandatory),
			BasicInformation: ptr(smartenroll.StepSkip),
			Document:         orSkip(f.Document),
			Liveness:         orSkip(f.Liveness),
			Form:             ptr(smartenroll.StepSkip),
		},
		SignUpForm: &smartenroll.SignUpFormSettings{
			FullName: ptr(true), Email: ptr(f.EmailCode), EmailGateway: &emailGateway,
			Phone: ptr(f.PhoneCode), PhoneGateway: &phoneGateway,
		},
		Document: &smartenroll.DocumentSettings{
			VerifyNames: ptr(f.VerifyNames), VerifyCriminalHistory: ptr(f.VerifyCriminalHistory),
			UseGovernmentID: ptr(true), UsePassport: ptr(true), UseLicense: ptr(true),
		},
		Liveness: &smartenroll.LivenessSettings{},
	}
	if f.CompareMinScore != 0 {
		s.Document.CompareMinScore = ptr(f.CompareMinScore)
	}
	if f.MaxAttempts != 0 {
		s.Document.MaxAttempts = ptr(f.MaxAttempts)
		s.Liveness.MaxAttempts = ptr(f.MaxAttempts)
	}
	if f.LivenessMinScore != 0 {
		s.Liveness.LivenessMinScore = ptr(f.LivenessMinScore)
	}
	if f.SearchMinScore != 0 {
		s.Liveness.SearchMinScore = ptr(f.SearchMinScore)
	}
	return s
}

// sameSettings says whether a flow already has every setting the configuration sets
// (the server may add defaults of its own).
func sameSettings(have *smartenroll.OnboardingSettings, want smartenroll.OnboardingSettings) bool {
	if have == nil {
		return false
	}
	return covers(reflect.ValueOf(*have), reflect.ValueOf(want))
}

// covers reports whether every non-nil field of want equals have's.
func covers(have, want reflect.Value) bool {
	switch want.Kind() {
	case reflect.Pointer:
		if want.IsNil() {
			return true
		}
		if have.IsNil() {
			return false
		}
		return covers(have.Elem(), want.Elem())
	case reflect.Struct:
		for i := range want.NumField() {
			if !covers(have.Field(i), want.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(have.Interface(), want.Interface())
}

func flowOf(p smartenroll.Project, f smartenroll.ProjectFlow) Flow {
	out := Flow{
		ProjectID: p.ID, FlowID: f.ID, RedirectURL: deref(f.RedirectUrl),
		Steps:            map[string]Requirement{},
		LivenessMinScore: 0.6, CompareMinScore: 0.67, DocumentAttempts: 3, SelfieAttempts: 3,
		DemoMode: deref(p.DemoMode),
	}
	s := f.OnboardingSettings
	if s == nil {
		return out
	}
	if st := s.Steps; st != nil {
		for name, r := range map[string]*smartenroll.StepRequirement{
			StepSignUpForm: st.SignUpForm, StepBasicInformation: st.BasicInformation,
			StepDocument: st.Document, StepLiveness: st.Liveness, StepForm: st.Form,
		} {
			if r != nil {
				out.Steps[name] = Requirement(*r)
			}
		}
	}
	if su := s.SignUpForm; su != nil {
		out.EmailCode = deref(su.Email) && deref(su.EmailGateway) != smartenroll.EmailGatewayNone
		out.PhoneCode = deref(su.Phone) && deref(su.PhoneGateway) != smartenroll.PhoneGatewayNone
		out.PhoneGateway = PhoneGateway(deref(su.PhoneGateway))
	}
	if d := s.Document; d != nil {
		setIf(&out.CompareMinScore, d.CompareMinScore)
		setIf(&out.DocumentAttempts, d.MaxAttempts)
		out.VerifyNames = deref(d.VerifyNames)
		out.VerifyCriminal = deref(d.VerifyCriminalHistory)
	}
	if l := s.Liveness; l != nil {
		setIf(&out.LivenessMinScore, l.LivenessMinScore)
		setIf(&out.SelfieAttempts, l.MaxAttempts)
	}
	return out
}

func (c *Client) ensureProject(ctx context.Context, p ProjectConfig) (smartenroll.Project, error) {
	existing, err := c.findProject(ctx, p.Name)
	if err != nil {
		return smartenroll.Project{}, err
	}
	if existing == nil {
		const op = "createProject"
		ctx := transport.WithOperation(ctx, op)
		res, err := c.api.CreateProjectWithResponse(ctx, smartenroll.ProjectCreateRequest{
			Name: p.Name, AllowedCountries: p.AllowedCountries, ContactEmail: p.ContactEmail,
			PrivacyUrl: p.PrivacyURL, TermsAndConditionsUrl: p.TermsURL,
			DemoMode: ptr(p.DemoMode), DemoOTP: nonEmpty(p.DemoOTP),
		}, bearer(c.token))
		if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
			return smartenroll.Project{}, err
		}
		return res.JSON200.Data, nil
	}
	if deref(existing.DemoMode) == p.DemoMode && (p.DemoOTP == "" || deref(existing.DemoOTP) == p.DemoOTP) &&
		deref(existing.Status) == smartenroll.ProjectActive {
		return *existing, nil
	}
	const op = "updateProject"
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.UpdateProjectWithResponse(ctx, existing.ID, smartenroll.ProjectUpdateRequest{
		DemoMode: ptr(p.DemoMode), DemoOTP: nonEmpty(p.DemoOTP), Status: ptr(smartenroll.ProjectActive),
	}, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return smartenroll.Project{}, err
	}
	return res.JSON200.Data, nil
}

// findProject pages through the client's projects for one named name.
func (c *Client) findProject(ctx context.Context, name string) (*smartenroll.Project, error) {
	const op = "listProjects"
	ctx = transport.WithOperation(ctx, op)
	for page := 1; ; page++ {
		res, err := c.api.ListProjectsWithResponse(ctx, &smartenroll.ListProjectsParams{Page: ptr(page), PerPage: ptr(50)}, bearer(c.token))
		if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
			return nil, err
		}
		for _, p := range res.JSON200.Data {
			if strings.EqualFold(deref(p.Name), name) {
				return &p, nil
			}
		}
		if len(res.JSON200.Data) == 0 || page >= deref(res.JSON200.Pages) {
			return nil, nil
		}
		if page >= maxPages {
			return nil, tooManyPages(op, res.StatusCode())
		}
	}
}

func (c *Client) project(ctx context.Context, id string) (smartenroll.Project, error) {
	const op = "getProject"
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.GetProjectWithResponse(ctx, id, nil, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return smartenroll.Project{}, err
	}
	return res.JSON200.Data, nil
}

func (c *Client) listFlows(ctx context.Context, projectID string) ([]smartenroll.ProjectFlow, error) {
	const op = "listProjectFlows"
	ctx = transport.WithOperation(ctx, op)
	var out []smartenroll.ProjectFlow
	for page := 1; ; page++ {
		res, err := c.api.ListProjectFlowsWithResponse(ctx, &smartenroll.ListProjectFlowsParams{
			WhereProject: ptr(projectID), Page: ptr(page), PerPage: ptr(50), Sort: ptr("createdAt"),
		}, bearer(c.token))
		if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
			return nil, err
		}
		out = append(out, res.JSON200.Data...)
		if len(res.JSON200.Data) == 0 || page >= deref(res.JSON200.Pages) {
			return out, nil
		}
		if page >= maxPages {
			return nil, tooManyPages(op, res.StatusCode())
		}
	}
}

func (c *Client) createFlow(ctx context.Context, body smartenroll.ProjectFlowCreateRequest) (smartenroll.ProjectFlow, error) {
	const op = "createProjectFlow"
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.CreateProjectFlowWithResponse(ctx, body, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return smartenroll.ProjectFlow{}, err
	}
	return res.JSON200.Data, nil
}

func (c *Client) updateFlow(ctx context.Context, id string, body smartenroll.ProjectFlowUpdateRequest) (smartenroll.ProjectFlow, error) {
	const op = "updateProjectFlow"
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.UpdateProjectFlowWithResponse(ctx, id, body, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return smartenroll.ProjectFlow{}, err
	}
	return res.JSON200.Data, nil
}

func validateSetup(p ProjectConfig, f FlowConfig) error {
	const op = "createProject"
	switch {
	case strings.TrimSpace(p.Name) == "":
		return transport.Invalid(vendor, op, "name", "is empty")
	case len(p.AllowedCountries) == 0:
		return transport.Invalid(vendor, op, "allowed countries", "lists no country")
	}
	if err := checkEmail(op, "contact email", p.ContactEmail); err != nil {
		return err
	}
	if err := checkURL(op, "privacy url", p.PrivacyURL); err != nil {
		return err
	}
	if err := checkURL(op, "terms url", p.TermsURL); err != nil {
		return err
	}
	if p.DemoOTP != "" && !isCode(p.DemoOTP) {
		return transport.Invalid(vendor, op, "demo otp", "must be 6 digits")
	}
	const fop = "createProjectFlow"
	if f.RedirectURL != "" {
		if err := checkURL(fop, "redirect url", f.RedirectURL); err != nil {
			return err
		}
	}
	for _, step := range []struct {
		field string
		r     Requirement
	}{{"document", f.Document}, {"liveness", f.Liveness}} {
		if step.r != "" && step.r != Mandatory && step.r != Optional && step.r != Skip {
			return transport.Invalid(vendor, fop, step.field, "must be mandatory, optional or skip")
		}
	}
	if f.PhoneCode && f.PhoneGateway != "" && f.PhoneGateway != SMS && f.PhoneGateway != WhatsApp {
		return transport.Invalid(vendor, fop, "phone gateway", "must be sms or whatsapp")
	}
	for _, score := range []struct {
		field        string
		v, low, high float64
	}{
		{"liveness min score", f.LivenessMinScore, 0.5, 1},
		{"compare min score", f.CompareMinScore, 0.5, 1},
		{"search min score", f.SearchMinScore, 0.3, 1},
	} {
		if score.v != 0 && (score.v < score.low || score.v > score.high) {
			return transport.Invalid(vendor, fop, score.field, "is outside Verifik's range")
		}
	}
	if f.MaxAttempts != 0 && (f.MaxAttempts < 3 || f.MaxAttempts > 10) {
		return transport.Invalid(vendor, fop, "max attempts", "must be 3 to 10")
	}
	return nil
}

func checkURL(op, field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return transport.Invalid(vendor, op, field, "must be an absolute http(s) URL")
	}
	return nil
}
