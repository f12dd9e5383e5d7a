package verifiktest

// A way into the hosted app for a person at `idvkit sandbox serve`: a start page that
// registers them in a demo flow and opens the app, and a landing page for its redirect.
// An integrator's own backend plays this part in a real test (see AppURL).

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

const (
	// AppStartPath is the start page of a demo journey: a person types an email and
	// picks a flow, and lands in the hosted app (AppPath) as a new registrant.
	AppStartPath = AppPath + "start"
	// appDonePath is where the demo flows redirect: it says how the journey ended.
	appDonePath = AppPath + "done"
)

// demoFlows are the flows a person can try, after the Smart Enroll tutorial's two.
var demoFlows = map[string]struct {
	project  string
	document smartenroll.StepRequirement
	liveness smartenroll.StepRequirement
}{
	"full":  {"idvkit sandbox: Full Verification", smartenroll.StepMandatory, smartenroll.StepMandatory},
	"basic": {"idvkit sandbox: Basic Enrollment", smartenroll.StepOptional, smartenroll.StepOptional},
}

// startRequest is the start page's body (DemoStart in api/sandbox/verifik.yaml).
type startRequest struct {
	Email    string `json:"email"`
	FullName string `json:"fullName"`
	Flow     string `json:"flow"`
}

// serveStart registers a person in a demo flow of the default account — its project and
// flow are made on first use and kept — and answers the path of their hosted app link.
func (e *Emulator) serveStart(w http.ResponseWriter, r *http.Request) {
	var req startRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxControlBody)).Decode(&req); err != nil {
		sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_body", "message": "expected " + expectsOf("startSignUp")})
		return
	}
	demo, ok := demoFlows[req.Flow]
	if !ok {
		sandbox.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_body", "message": "expected " + expectsOf("startSignUp")})
		return
	}
	ctx := context.WithValue(r.Context(), callerKey{}, "Bearer "+e.ClientToken())
	redirect := requestOrigin(r) + mountOf(r) + appDonePath
	projectID, flowID, fail := e.demoFlow(ctx, demo.project, demo.document, demo.liveness, redirect)
	if fail == nil {
		var created smartenroll.AppRegistrationCreated
		created, fail = e.createRegistration(ctx, &smartenroll.AppRegistrationCreateRequest{
			Project: projectID, ProjectFlow: flowID, Email: &req.Email, FullName: nonEmpty(strings.TrimSpace(req.FullName)),
		})
		token := created.Token
		if fail != nil && fail.status == http.StatusConflict && deref(fail.body.Code) == smartenroll.ErrorCodeEmailIsRegisteredAlready {
			// A person who starts again is resumed with a fresh link, as Verifik's "Resume
			// an Incomplete Enrollment" guide asks, instead of being refused.
			token, fail = e.resumeToken(ctx, flowID, req.Email)
		}
		if fail == nil {
			sandbox.WriteJSON(w, http.StatusOK, map[string]string{"path": AppPath + url.PathEscape(projectID) + "?token=" + url.QueryEscape(token)})
			return
		}
	}
	sandbox.WriteJSON(w, http.StatusConflict, map[string]string{"error": "refused", "message": "Verifik refused: " + fail.body.Message})
}

// demoFlow finds or makes the demo project and its active flow; the flow redirects to
// this server's landing page, as reached now.
func (e *Emulator) demoFlow(ctx context.Context, name string, document, liveness smartenroll.StepRequirement, redirect string) (projectID, flowID string, _ *apiError) {
	e.mu.Lock()
	if p := e.projectNamed(e.accounts[0].id, name, ""); p != nil {
		for _, f := range e.projectFlows(p.id) {
			if f.status == smartenroll.FlowActive {
				f.redirectURL = &redirect
				e.mu.Unlock()
				return p.id, f.id, nil
			}
		}
		e.mu.Unlock()
		return "", "", classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "the demo project "+name+" has no active flow")
	}
	e.mu.Unlock()
	p, fail := e.createProject(ctx, &smartenroll.ProjectCreateRequest{
		Name: name, AllowedCountries: []string{"Colombia", "United States"}, ContactEmail: "sandbox@idvkit.example",
		PrivacyUrl: "https://idvkit.example/privacy", TermsAndConditionsUrl: "https://idvkit.example/terms",
	})
	if fail != nil {
		return "", "", fail
	}
	f, fail := e.createFlow(ctx, &smartenroll.ProjectFlowCreateRequest{
		Project: p.ID, Type: smartenroll.FlowTypeOnboarding, Status: ptr(smartenroll.FlowActive), RedirectUrl: &redirect,
		OnboardingSettings: &smartenroll.OnboardingSettings{Steps: &smartenroll.OnboardingSteps{
			SignUpForm: ptr(smartenroll.StepMandatory), Document: &document, Liveness: &liveness,
		}},
	})
	if fail != nil {
		return "", "", fail
	}
	return p.ID, f.ID, nil
}

// requestOrigin is the scheme and host the request was addressed to.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// mountOf is the prefix a server strips before the emulator sees the request
// (http.StripPrefix: "/verifik" under idvkit sandbox serve), read from the request line.
func mountOf(r *http.Request) string {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || !strings.HasSuffix(u.Path, r.URL.Path) {
		return ""
	}
	return strings.TrimSuffix(u.Path, r.URL.Path)
}

// serveStartPage and serveDonePage answer the demo's two pages.
func (e *Emulator) serveStartPage(w http.ResponseWriter, r *http.Request) {
	e.servePageTemplate(w, r, http.StatusOK, appStartPage, nil)
}

func (e *Emulator) serveDonePage(w http.ResponseWriter, r *http.Request) {
	status := ""
	if c, ok := e.verifyToken(r.URL.Query().Get("token")); ok && c.Type == tokenOnboarding {
		status = c.Status
	}
	e.servePageTemplate(w, r, http.StatusOK, appDonePage, status)
}

// resumeToken mints a resend-link token for the flow's registration of email; a finished
// one is refused as resend-link refuses it.
func (e *Emulator) resumeToken(ctx context.Context, flowID, email string) (string, *apiError) {
	e.mu.Lock()
	reg := e.findRegistration(flowID, strings.ToLower(strings.TrimSpace(email)), "", "")
	e.mu.Unlock()
	if reg == nil {
		return "", reason(http.StatusNotFound, smartenroll.ErrorCodeAppRegistrationNotFoundOnSync)
	}
	link, fail := e.resendLink(ctx, reg.id, nil)
	return link.Token, fail
}
