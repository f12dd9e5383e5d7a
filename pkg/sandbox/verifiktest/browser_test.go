package verifiktest_test

import (
	"context"
	"flag"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/browsertest"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write a PNG of each page of the hosted Smart Enroll app to docs/img/verifik-<page>.png")

// integrator is an example integrator's sign-up: a tiny front page and a backend that
// registers the user with Verifik (here the emulator), sends the browser to the hosted
// Smart Enroll app, and reviews the registration when the app redirects back.
type integrator struct {
	t      *testing.T
	emu    *verifiktest.Emulator
	emuSrv *httptest.Server
	client *verifik.Client
	flow   verifik.Flow
	srv    *httptest.Server

	mu       sync.Mutex
	sessions map[string]*verifik.Registrant // by the sid cookie
	outcomes map[string]verifik.Review      // by email, once the app redirected back
}

var frontPage = template.Must(template.New("front").Parse(`<!doctype html><html lang="en"><title>Acme</title>
<h1>Join Acme</h1>
<form method="post" action="/signup">
<label>Email <input id="email" name="email" type="email"></label>
<label>Full name <input id="name" name="name"></label>
<button id="start">Verify my identity</button>
</form>`))

var donePage = template.Must(template.New("done").Parse(`<!doctype html><html lang="en"><title>Welcome</title>
<h1>Back at Acme</h1><p>Verifik says: <strong id="outcome">{{.}}</strong></p>`))

func newIntegrator(t *testing.T) *integrator {
	t.Helper()
	in := &integrator{t: t, sessions: map[string]*verifik.Registrant{}, outcomes: map[string]verifik.Review{}}
	var problems []*contract.Error
	var pmu sync.Mutex
	in.emu = verifiktest.New(verifiktest.WithOnProblem(func(e *contract.Error) {
		pmu.Lock()
		problems = append(problems, e)
		pmu.Unlock()
	}))
	in.emuSrv = httptest.NewServer(in.emu.Handler())
	t.Cleanup(in.emuSrv.Close)
	t.Cleanup(func() {
		pmu.Lock()
		defer pmu.Unlock()
		for _, p := range problems {
			t.Errorf("contract problem in the emulator's traffic: %v", p)
		}
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { _ = frontPage.Execute(w, nil) })
	mux.HandleFunc("POST /signup", in.signUp)
	mux.HandleFunc("GET /verifik/done", in.done)
	in.srv = httptest.NewServer(mux)
	t.Cleanup(in.srv.Close)

	c, err := verifik.New(verifiktest.DefaultClientToken, verifik.WithBaseURL(in.emuSrv.URL), verifik.WithContract(contract.ModeEnforce))
	require.NoError(t, err)
	in.client = c
	in.flow, err = c.Setup(context.Background(), verifik.ProjectConfig{
		Name: "Acme", AllowedCountries: []string{"Colombia"}, ContactEmail: "support@acme.example",
		PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms",
	}, verifik.FullVerification(in.srv.URL+"/verifik/done"))
	require.NoError(t, err)
	return in
}

// signUp registers the user and sends the browser to the hosted app.
func (in *integrator) signUp(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	reg, err := in.client.Register(r.Context(), in.flow, verifik.Registration{Email: r.PostForm.Get("email"), FullName: r.PostForm.Get("name")})
	if err != nil {
		http.Error(w, "registration failed", http.StatusBadGateway)
		return
	}
	sid := reg.State().AppRegistrationID // any session id would do
	in.mu.Lock()
	in.sessions[sid] = reg
	in.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, verifiktest.AppURL(in.emuSrv.URL, in.flow.ProjectID, reg.State().Token), http.StatusSeeOther)
}

// done is the flow's redirect URL: the backend reviews the registration with its client
// token (the final token only says the journey ended).
func (in *integrator) done(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("sid")
	if err != nil || r.URL.Query().Get("type") != "onboarding" || r.URL.Query().Get("token") == "" {
		http.Error(w, "not a Smart Enroll return", http.StatusBadRequest)
		return
	}
	in.mu.Lock()
	reg := in.sessions[c.Value]
	in.mu.Unlock()
	if reg == nil {
		http.Error(w, "unknown session", http.StatusBadRequest)
		return
	}
	rev, err := in.client.Review(r.Context(), reg.State().AppRegistrationID)
	if err != nil {
		http.Error(w, "review failed", http.StatusBadGateway)
		return
	}
	in.mu.Lock()
	in.outcomes[reg.State().Email] = rev
	in.mu.Unlock()
	_ = donePage.Execute(w, rev.Status)
}

func (in *integrator) outcome(email string) (verifik.Review, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	rev, ok := in.outcomes[email]
	return rev, ok
}

// review is what the backend would read now, for a journey that did not come back.
func (in *integrator) review(email string) verifik.Review {
	in.t.Helper()
	in.mu.Lock()
	var reg *verifik.Registrant
	for _, r := range in.sessions {
		if r.State().Email == email {
			reg = r
		}
	}
	in.mu.Unlock()
	require.NotNil(in.t, reg, "no registrant for %s", email)
	rev, err := in.client.Review(context.Background(), reg.State().AppRegistrationID)
	require.NoError(in.t, err)
	return rev
}

// page drives the browser through the pages.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.ctx, actions...))
}

func (p page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(p.t, err)
	return strings.TrimSpace(s)
}

// click clicks a button of the app and waits until the app has finished with it (the
// page marks itself busy while its calls are in flight).
func (p page) click(sel string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS(sel)))
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](`!document.getElementById("app").dataset.busy`, chromedp.WithPollingMutation()))
	require.NoError(p.t, err)
}

// errorShown is the refusal the app shows, "" when none.
func (p page) errorShown() string {
	p.t.Helper()
	hidden, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.getElementById("error").hidden`))
	require.NoError(p.t, err)
	if hidden {
		return ""
	}
	return p.text("#error-text")
}

func (p page) screenshot(name string) {
	p.t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	require.NoError(p.t, err)
	path := filepath.Join(repoRoot(p.t), "docs", "img", "verifik-"+name+".png")
	require.NoError(p.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(p.t, os.WriteFile(path, png, 0o644))
	p.t.Logf("wrote %s", path)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("go.mod not found above " + file)
		}
	}
}

// start opens the integrator's front page, signs up and lands in the hosted app.
func (p page) start(in *integrator, email, name string) {
	p.t.Helper()
	p.do(
		chromedp.Navigate(in.srv.URL+"/"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.Click(chromedp.CSS("#start")),
		chromedp.WaitVisible(chromedp.CSS("#step-signUpForm")),
	)
}

// confirmEmail sends the email code, reads it in the app's sandbox inbox and types
// code(it) in.
func (p page) confirmEmail(code func(sent string) string) {
	p.t.Helper()
	p.click("#email-send")
	require.Empty(p.t, p.errorShown())
	sent := p.text("#email-inbox")
	require.Regexp(p.t, `^[0-9]{6}$`, sent, "the app shows the code the sandbox sent")
	p.do(chromedp.SetValue(chromedp.CSS("#email-code"), code(sent)))
	p.click("#email-confirm")
}

func (p page) document(face, kind string) {
	p.t.Helper()
	p.do(chromedp.SetValue(chromedp.CSS("#document-face"), face), chromedp.SetValue(chromedp.CSS("#document-kind"), kind))
	p.click("#document-submit")
}

func (p page) selfie(face, kind string) {
	p.t.Helper()
	p.do(chromedp.SetValue(chromedp.CSS("#selfie-face"), face), chromedp.SetValue(chromedp.CSS("#selfie-kind"), kind))
	p.click("#selfie-submit")
}

// backAtIntegrator waits for the app's redirect to the flow's redirect URL and returns
// what the integrator's page says.
func (p page) backAtIntegrator() string {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.CSS("#outcome")))
	return p.text("#outcome")
}

func visible(t *testing.T, p page, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+"`"+sel+"`"+`); return !!e && !e.hidden && !e.closest("[hidden]"); })()`))
	require.NoError(t, err)
	return ok
}

// TestBrowserSmartEnrollJourneys runs the example integrator's sign-up end to end in
// headless Chromium: the browser posts the integrator's form, the backend registers the
// user and redirects to the emulator's hosted Smart Enroll app, the user walks its steps
// (the codes, the document, the selfie) and the app redirects back; the backend's
// review of the registration is the outcome asserted. The flow is Verifik's "Full
// Verification": email code, document and selfie mandatory.
func TestBrowserSmartEnrollJourneys(t *testing.T) {
	in := newIntegrator(t)
	ctx := browsertest.New(t, 60*time.Second)
	right := func(sent string) string { return sent }

	t.Run("passed", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		began := time.Now()
		p.start(in, "alice@example.com", "Alice Liddell")
		assert.Equal(t, "Sign up to Acme", p.text("h1"))
		p.confirmEmail(right)
		p.screenshot("signup")
		require.Empty(t, p.errorShown())
		assert.Equal(t, "Email verified", p.text("#email-status"))
		p.click("#step-signUpForm button.continue")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-document")))
		p.screenshot("document")
		p.document("alice", "valid")
		require.Empty(t, p.errorShown())
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-liveness")))
		p.screenshot("selfie")
		p.selfie("alice", "genuine")
		require.Empty(t, p.errorShown())
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-end")))
		p.do(chromedp.Click(chromedp.CSS("#finish")))

		assert.Equal(t, "COMPLETED", p.backAtIntegrator())
		rev, ok := in.outcome("alice@example.com")
		require.True(t, ok, "the app redirected to the flow's redirect URL")
		assert.Equal(t, verifik.Completed, rev.Status)
		assert.True(t, rev.EmailVerified)
		assert.Equal(t, "VALIDATED", string(rev.DocumentStatus))
		assert.NotEmpty(t, rev.PersonID, "the selfie enrolled a person")
		require.NotNil(t, rev.FaceScore)
		assert.GreaterOrEqual(t, *rev.FaceScore, 0.9, "document and selfie show the same face")
		t.Logf("journey took %v in the browser", time.Since(began))
	})

	t.Run("OTP mismatch", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.start(in, "carol@example.com", "Carol Danvers")
		p.confirmEmail(func(sent string) string {
			if sent == "123456" {
				return "654321"
			}
			return "123456"
		})
		assert.Contains(t, p.errorShown(), "otp_does_not_match", "the app shows Verifik's refusal")
		p.screenshot("otp-mismatch")
		rev := in.review("carol@example.com")
		assert.Equal(t, verifik.Started, rev.Status)
		assert.False(t, rev.EmailVerified, "a wrong code verifies nothing")

		// The sign-up form cannot be passed without the code.
		p.click("#step-signUpForm button.continue")
		assert.Contains(t, p.errorShown(), "signUpForm_validation_not_passed")
		assert.True(t, visible(t, p, "#step-signUpForm"), "the app stays on the sign-up form")

		// The right code is still accepted.
		p.do(chromedp.SetValue(chromedp.CSS("#email-code"), p.text("#email-inbox")))
		p.click("#email-confirm")
		assert.Empty(t, p.errorShown())
		assert.True(t, in.review("carol@example.com").EmailVerified)
	})

	t.Run("skipped step refused", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.start(in, "dave@example.com", "Dave Bowman")
		p.confirmEmail(right)
		p.click("#step-signUpForm button.continue")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-document")))
		assert.Equal(t, "Skip anyway (sandbox)", p.text("#step-document button.skip"), "a mandatory step offers only the sandbox's skip")
		p.click("#step-document button.skip")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-liveness")))
		p.selfie("dave", "genuine")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-end")))
		p.click("#finish")
		assert.Contains(t, p.errorShown(), "document_validation_not_passed", "Verifik refuses to complete without the mandatory document")
		p.screenshot("refused")
		assert.Equal(t, verifik.Ongoing, in.review("dave@example.com").Status)

		p.do(chromedp.Click(chromedp.CSS("#give-up")))
		assert.Equal(t, "FAILED", p.backAtIntegrator())
		rev, ok := in.outcome("dave@example.com")
		require.True(t, ok)
		assert.Equal(t, verifik.Failed, rev.Status)
		assert.Empty(t, rev.DocumentStatus, "no document was sent")
	})

	t.Run("duplicate face", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.start(in, "mallory@example.com", "Mallory Malice")
		p.confirmEmail(right)
		p.click("#step-signUpForm button.continue")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-document")))
		p.document("alice", "valid") // Alice's document and face, under another name
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-liveness")))
		p.selfie("alice", "genuine")
		assert.Contains(t, p.errorShown(), "person_already_set", "the duplicate search finds Alice, enrolled in the first journey")
		p.screenshot("duplicate-face")
		assert.True(t, visible(t, p, "#step-liveness"), "the app stays on the selfie")

		p.do(chromedp.Click(chromedp.CSS("#give-up")))
		assert.Equal(t, "FAILED", p.backAtIntegrator())
		rev, ok := in.outcome("mallory@example.com")
		require.True(t, ok)
		assert.Equal(t, verifik.Failed, rev.Status)
		assert.Empty(t, rev.PersonID, "no second person holds Alice's face")
	})

	t.Run("liveness failed, then passed", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.start(in, "erin@example.com", "Erin Hunt")
		p.confirmEmail(right)
		p.click("#step-signUpForm button.continue")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-document")))
		p.document("erin", "valid")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-liveness")))
		p.selfie("erin", "spoof")
		assert.Contains(t, p.errorShown(), "liveness_failed@0.30")
		p.selfie("erin", "genuine")
		assert.Empty(t, p.errorShown())
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-end")), chromedp.Click(chromedp.CSS("#finish")))
		assert.Equal(t, "COMPLETED", p.backAtIntegrator())
	})

	t.Run("forged document", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.start(in, "frank@example.com", "Frank Abagnale")
		p.confirmEmail(right)
		p.click("#step-signUpForm button.continue")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-document")))
		p.document("frank", "fake")
		assert.Equal(t, "FAILED", attr(t, p, "#document-result", "data-status"))
		assert.True(t, visible(t, p, "#step-document"), "a failed document is tried again, not passed")
		assert.Equal(t, "FAILED", string(in.review("frank@example.com").DocumentStatus))
		p.document("frank", "valid")
		p.do(chromedp.WaitVisible(chromedp.CSS("#step-liveness")))
		assert.Equal(t, "VALIDATED", string(in.review("frank@example.com").DocumentStatus))
	})

	// The dashboard's view of the journeys: each registration with its status and step,
	// no personal data.
	in2 := in.emu.Inspect()
	states := map[string]string{}
	for _, it := range in2.Items {
		states[it.ID] = it.State
	}
	assert.Len(t, in2.Items, 6)
	assert.Contains(t, states, in.review("alice@example.com").AppRegistrationID)
	assert.Equal(t, "COMPLETED", states[in.review("alice@example.com").AppRegistrationID])
	assert.Equal(t, "FAILED", states[in.review("mallory@example.com").AppRegistrationID])
}

func attr(t *testing.T, p page, sel, name string) string {
	t.Helper()
	res, err := chromedp.Run(p.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(t, err)
	return res.Value
}

// TestBrowserDemoJourney: a person at `idvkit sandbox serve` (the emulator mounted under
// /verifik) starts a journey from the start page, walks the Basic Enrollment flow —
// skipping its optional steps — and lands on the sandbox's landing page.
func TestBrowserDemoJourney(t *testing.T) {
	emu := verifiktest.New()
	mux := http.NewServeMux()
	mux.Handle("/verifik/", http.StripPrefix("/verifik", emu.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := browsertest.New(t, 30*time.Second)
	p := page{t: t, ctx: ctx}

	p.do(chromedp.Navigate(srv.URL + "/verifik" + verifiktest.AppStartPath))
	p.screenshot("start")
	p.do(
		chromedp.SetValue(chromedp.CSS("#email"), "zoe@example.com"),
		chromedp.SetValue(chromedp.CSS("#flow"), "basic"),
		chromedp.Click(chromedp.CSS("#start")),
		chromedp.WaitVisible(chromedp.CSS("#step-signUpForm")),
	)
	assert.Equal(t, "Sign up to idvkit sandbox: Basic Enrollment", p.text("h1"))
	p.confirmEmail(func(sent string) string { return sent })
	require.Empty(t, p.errorShown())
	p.click("#step-signUpForm button.continue")
	p.do(chromedp.WaitVisible(chromedp.CSS("#step-document")))
	assert.Equal(t, "Skip", p.text("#step-document button.skip"), "an optional step can be skipped")
	p.click("#step-document button.skip")
	p.do(chromedp.WaitVisible(chromedp.CSS("#step-liveness")))
	p.click("#step-liveness button.skip")
	p.do(chromedp.WaitVisible(chromedp.CSS("#step-end")))
	p.do(chromedp.Click(chromedp.CSS("#finish")), chromedp.WaitVisible(chromedp.CSS("#outcome")))
	assert.Equal(t, "COMPLETED", p.text("#outcome"))
	where, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(where, srv.URL+"/verifik"+verifiktest.AppPath+"done?"), where)
	p.screenshot("done")

	in := emu.Inspect()
	require.Len(t, in.Items, 1)
	assert.Equal(t, "COMPLETED", in.Items[0].State)
}
