package verifiktest

// The hosted Smart Enroll app: the page a registrant walks through in a browser.

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// AppPath is where the emulator serves its stand-in for the hosted Smart Enroll app
// (https://access.verifik.co/sign-up/{projectId}?token=… in real life).
const AppPath = ControlPrefix + "sign-up/"

// AppURL is the link to the emulator's hosted Smart Enroll app for one registrant, the
// stand-in for Verifik's https://access.verifik.co/sign-up/{projectId}?token=<token>:
// serverURL is where the emulator is served (an httptest server's URL, or
// http://127.0.0.1:8080/verifik under idvkit sandbox serve), token the app-registration
// token createAppRegistration returned. An integrator's backend builds the same link
// with Verifik's host in production and the emulator's in tests.
func AppURL(serverURL, projectID, token string) string {
	return strings.TrimSuffix(serverURL, "/") + AppPath + url.PathEscape(projectID) + "?token=" + url.QueryEscape(token)
}

func isApp(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, AppPath) }

// appHandler serves the hosted app: the page itself (GET AppPath+"{projectId}?token=")
// for any origin, since browsers reach it by navigation from the integrator's site, and
// the page's two JSON endpoints (the registrant's inbox and the stand-in camera) behind
// GuardControl and the controls spec, since only the page itself, same-origin, calls them.
// The page's other calls go to the Smart Enroll API (/v2/…) with the registrant's token,
// as Verifik's own app makes them.
func (e *Emulator) appHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AppPath+"{projectId}/inbox", e.serveInbox)
	mux.HandleFunc("POST "+AppPath+"{projectId}/capture", e.serveCapture)
	mux.HandleFunc("POST "+AppStartPath, e.serveStart)
	endpoints := sandbox.GuardControl(e.checkedControls(mux), e.allowHosts...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, AppPath)
		if rest != "" && !strings.Contains(rest, "/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			switch rest {
			case "start":
				e.serveStartPage(w, r)
			case "done":
				e.serveDonePage(w, r)
			default:
				e.servePage(w, r, rest)
			}
			return
		}
		endpoints.ServeHTTP(w, r)
	})
}

// appStep is one step of the flow as the page shows it.
type appStep struct {
	Name        string // Verifik's step name: signUpForm, basicInformation, …
	Title       string
	Requirement smartenroll.StepRequirement
}

func (s appStep) Mandatory() bool { return s.Requirement == smartenroll.StepMandatory }

// appView is what the page needs to know about one registrant's journey. It holds the
// registrant's own contact (prefilled in the sign-up form) and never the token, which
// the page reads from its own URL.
type appView struct {
	ProjectID      string
	FlowID         string
	RegistrationID string
	ProjectName    string
	Redirect       string // the flow's redirect URL, http(s) only; "" for none
	Status         string
	Finished       bool
	Steps          []appStep
	EmailCode      bool
	PhoneCode      bool
	PhoneGateway   string
	Email          string
	Phone          string
	CountryCode    string
	HasDocument    bool
	CanSkipKYC     bool // no KYC step is mandatory and at least one is offered
	Demo           bool
}

// stepTitles are the page's names for the flow's steps, in the order the app walks them.
var stepTitles = []struct {
	step  smartenroll.SyncStep
	title string
}{
	{smartenroll.StepSignUpForm, "Sign-up form"},
	{smartenroll.StepBasicInformation, "Basic information"},
	{smartenroll.StepDocument, "Identity document"},
	{smartenroll.StepLiveness, "Selfie"},
	{smartenroll.StepForm, "Form"},
}

// registrantOf finds the registrant a sign-up link or a page call is for: the token must
// be a live app-registration token of a registration of projectID whose flow still
// exists. It answers the status to refuse with otherwise (401 or 404). e.mu must be held.
func (e *Emulator) registrantOf(projectID, token string) (*registration, *flow, *project, int) {
	c, ok := e.verifyToken(token)
	if !ok || c.Type != tokenAppRegistration {
		return nil, nil, nil, http.StatusUnauthorized
	}
	reg := e.regs[c.AppRegistrationID]
	if reg == nil || reg.project != projectID {
		return nil, nil, nil, http.StatusNotFound
	}
	f, p := e.flows[reg.flow], e.projects[reg.project]
	if f == nil || p == nil {
		return nil, nil, nil, http.StatusNotFound
	}
	return reg, f, p, http.StatusOK
}

// view builds the page's view of a registrant. e.mu must be held.
func (e *Emulator) view(reg *registration, f *flow, p *project) appView {
	v := appView{
		ProjectID: p.id, FlowID: f.id, RegistrationID: reg.id, ProjectName: p.name,
		Status: string(reg.status), Finished: reg.finished(),
		EmailCode: f.wantsEmail(), PhoneCode: f.wantsPhone(),
		PhoneGateway: string(deref(f.settings.SignUpForm.PhoneGateway)),
		Email:        reg.email, Phone: reg.phone, CountryCode: reg.countryCode,
		HasDocument: reg.docVal != "", Demo: p.demoMode,
	}
	if u, err := url.Parse(deref(f.redirectURL)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		v.Redirect = u.String()
	}
	offered, mandatory := false, false
	for _, s := range stepTitles {
		req := f.step(s.step)
		if req == smartenroll.StepSkip {
			continue
		}
		if req != smartenroll.StepMandatory {
			req = smartenroll.StepOptional // an unknown value is offered, as optional
		}
		v.Steps = append(v.Steps, appStep{Name: string(s.step), Title: s.title, Requirement: req})
		if s.step != smartenroll.StepSignUpForm {
			offered = true
			mandatory = mandatory || req == smartenroll.StepMandatory
		}
	}
	v.CanSkipKYC = offered && !mandatory
	return v
}

// servePage answers the app's page for the registrant whose token is in the query.
func (e *Emulator) servePage(w http.ResponseWriter, r *http.Request, projectID string) {
	e.mu.Lock()
	reg, f, p, status := e.registrantOf(projectID, r.URL.Query().Get("token"))
	var v appView
	if status == http.StatusOK {
		v = e.view(reg, f, p)
	}
	e.mu.Unlock()
	if status != http.StatusOK {
		e.servePageTemplate(w, r, status, appErrorPage, appErrorView{Status: status, Unauthorized: status == http.StatusUnauthorized})
		return
	}
	e.servePageTemplate(w, r, status, appPage, v)
}

// pageData is what every page template gets: the response's CSP nonce and its view.
type pageData struct {
	Nonce string
	V     any
}

// servePageTemplate answers an HTML page of the app, hardened: self-contained (only its
// nonce'd inline style and script run), never framed, never cached, and no Referer
// leaves it (the app's URL holds the registrant's token, as Verifik's does).
func (e *Emulator) servePageTemplate(w http.ResponseWriter, r *http.Request, status int, tmpl *template.Template, v any) {
	nonce := sandbox.RandomHex(16)
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+
		"'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, pageData{Nonce: nonce, V: v}); err != nil {
		e.log.Error("verifik sandbox: sign-up page", "err", err)
		http.Error(w, "sandbox: the sign-up page failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// appErrorView is the page answered for a link that does not lead to a registrant.
type appErrorView struct {
	Status       int
	Unauthorized bool
}
