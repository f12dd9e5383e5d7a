package conform

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// Strategy is how the end user's steps (a capture, a code) are played.
type Strategy string

const (
	// Controls plays the person through an emulator's control endpoints: faces by name,
	// documents, the OTP outbox. Only emulators have them.
	Controls Strategy = "controls"
	// Conventions uses the vendor's own sandbox conventions where they exist (Verisoul's
	// simulate, Verifik's demoMode/demoOTP) and a real person where they do not (the
	// iProov SDK): on a live target conform prints the claim token and waits. Emulators
	// honour the same conventions, so both sides of a diff with a live target run the
	// same journey.
	Conventions Strategy = "conventions"
)

// Journey is one verification journey conform runs through the real clients: the
// demo's journeys, with the end user's steps played by a [Strategy].
type Journey struct {
	// ID names the journey in reports, cassettes and acknowledgements.
	ID     string
	Vendor string
	Name   string
	// ControlsOnly journeys need an emulator's controls (documents and selfies made by
	// name); they are skipped under Conventions.
	ControlsOnly bool
	run          func(ctx context.Context, j *journeyEnv) error
}

// Journeys lists the journeys in the order they run.
func Journeys() []Journey {
	return []Journey{
		{ID: "verisoul-uniqueness", Vendor: "verisoul", Name: "Face Match uniqueness (1:N) at sign-up", run: verisoulUniqueness},
		{ID: "verisoul-authentication", Vendor: "verisoul", Name: "Face Match authentication (1:1)", run: verisoulAuthentication},
		{ID: "verisoul-idcheck", Vendor: "verisoul", Name: "ID Check at sign-up", run: verisoulIDCheck},
		{ID: "iproov-capture-enrol", Vendor: "iproov", Name: "capture enrol, then verify", run: iproovCaptureEnrol},
		{ID: "iproov-management", Vendor: "iproov", Name: "already_enrolled, suspend and reactivate (Management API)", run: iproovManagement},
		{ID: "verifik-basic", Vendor: "verifik", Name: "Smart Enroll basic enrolment (optional KYC skipped)", run: verifikBasic},
		{ID: "verifik-full-kyc", Vendor: "verifik", Name: "Smart Enroll full KYC (document, selfie, faces)", ControlsOnly: true, run: verifikFullKYC},
	}
}

// ErrNeedsPerson stops a journey at a step only a person can do when none did it in time.
var ErrNeedsPerson = errors.New("conform: the step needs a person and none completed it in time")

// journeyEnv is what a journey runs with.
type journeyEnv struct {
	clients  *clients
	strategy Strategy
	creds    credentials
	tape     *tape
	// run makes user ids, emails and codes unique to this run, so a live account
	// does not carry state from last week's run.
	run     string
	demoOTP string
	person  *person
}

func (j *journeyEnv) step(format string, args ...any) { j.tape.setStep(fmt.Sprintf(format, args...)) }

// face names a face of this run: a long-lived target (a colleague's sandbox, a vendor)
// remembers last run's faces, and a face it knows changes its answers (linked accounts).
func (j *journeyEnv) face(name string) string { return "conform-face-" + name + "-" + j.run }

// person plays the end user's steps.
type person struct {
	hc      *http.Client
	prompt  io.Writer
	input   io.Reader
	timeout time.Duration

	once  sync.Once
	lines chan struct{} // one per line read from input
}

// newRunID is random, so repeated runs against a live account never collide.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newDemoOTP is the 6-digit code a demo-mode Verifik project answers with.
func newDemoOTP() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(900000))
	return fmt.Sprint(100000 + n.Int64())
}

// control posts a JSON body to an emulator's control endpoint.
func (p *person) control(ctx context.Context, u string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		return fmt.Errorf("conform: emulator control endpoint: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("conform: emulator control endpoint answered %d", resp.StatusCode)
	}
	return nil
}

// waitFor asks a person to do something and waits for Enter, up to the timeout. One
// goroutine reads the input for the whole run, so a wait that timed out leaves no
// reader behind to race the next one.
func (p *person) waitFor(ctx context.Context, what string) error {
	if p.timeout <= 0 || p.prompt == nil || p.input == nil {
		return ErrNeedsPerson
	}
	p.once.Do(func() {
		p.lines = make(chan struct{})
		go func() {
			sc := bufio.NewScanner(p.input)
			for sc.Scan() {
				p.lines <- struct{}{}
			}
			close(p.lines)
		}()
	})
	fmt.Fprintf(p.prompt, "conform: %s, then press Enter (waiting up to %v)\n", what, p.timeout)
	t := time.NewTimer(p.timeout)
	defer t.Stop()
	select {
	case _, ok := <-p.lines:
		if !ok {
			return ErrNeedsPerson // input ended: nobody is there
		}
		return nil
	case <-t.C:
		return ErrNeedsPerson
	case <-ctx.Done():
		return ctx.Err()
	}
}

// verisoulSession starts a Face Match or ID Check session; under Conventions it asks
// Verisoul to settle it as a success (simulate), as its sandbox documents.
func (j *journeyEnv) verisoulSession(ctx context.Context, idCheck bool) (verisoul.Session, error) {
	var o verisoul.SessionOptions
	if j.strategy == Conventions {
		o.Simulate = verisoul.SimulateSuccess
	}
	if idCheck {
		j.step("start an ID Check session")
		return j.clients.verisoul.StartIDCheckSession(ctx, o)
	}
	j.step("start a Face Match session")
	return j.clients.verisoul.StartSession(ctx, o)
}

// verisoulCapture: the user completes the hosted page as face (with document, for ID
// Check), or nothing under Conventions: simulate already settled the session.
func (j *journeyEnv) verisoulCapture(ctx context.Context, s verisoul.Session, face string, doc *sandbox.Document) error {
	if j.strategy == Conventions {
		return nil
	}
	body := map[string]any{"face": face}
	if doc != nil {
		body["document"] = doc
	}
	return j.person.control(ctx, j.creds.verisoulCtl+verisoultest.ControlPrefix+"sessions/"+s.ID+"/complete", body)
}

// iproovCapture: the user completes the iProov SDK with the claim's token as face. On an
// emulator its control endpoint plays it; on a live platform a person does.
func (j *journeyEnv) iproovCapture(ctx context.Context, cl *iproov.Claim, face string) error {
	if j.creds.iproovCtl != "" {
		return j.person.control(ctx, j.creds.iproovCtl+iproovtest.ControlPrefix+"claims/"+cl.Token+"/capture", map[string]string{"face": face})
	}
	return j.person.waitFor(ctx, fmt.Sprintf("complete an iProov capture in the iProov SDK with claim token %s (region %s)", cl.Token, redactURL(j.creds.iproovURL)))
}

// verifikCode is the code the registrant receives: the demo project's code under
// Conventions, else the emulator's outbox.
func (j *journeyEnv) verifikCode(ctx context.Context, email string) (string, error) {
	if j.strategy == Conventions {
		return j.demoOTP, nil
	}
	return verifiktest.FetchCode(ctx, j.person.hc, j.creds.verifikCtl, email)
}

func (j *journeyEnv) verifikProject(name string) verifik.ProjectConfig {
	p := verifik.ProjectConfig{
		Name: name + " " + j.run, AllowedCountries: []string{"Colombia", "United States"},
		ContactEmail: "support@acme.example", PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms",
	}
	if j.strategy == Conventions {
		p.DemoMode, p.DemoOTP = true, j.demoOTP
	}
	return p
}

// expect turns an expected vendor refusal into nil and anything else into an error.
func expect(err error, ok bool, what string) error {
	switch {
	case err == nil:
		return fmt.Errorf("expected %s, got a success", what)
	case ok:
		return nil
	}
	return fmt.Errorf("expected %s: %w", what, err)
}

func verisoulUniqueness(ctx context.Context, j *journeyEnv) error {
	for i, face := range []string{j.face("alice"), j.face("bob"), j.face("alice")} {
		s, err := j.verisoulSession(ctx, false)
		if err != nil {
			return err
		}
		if err := j.verisoulCapture(ctx, s, face, nil); err != nil {
			return err
		}
		j.step("verify-face, policy, enroll sign-up %d", i+1)
		if _, err := j.clients.verisoul.CheckUniqueness(ctx, s, fmt.Sprintf("conform-%s-%d", j.run, i+1), verisoul.UniquenessRules()); err != nil {
			return err
		}
	}
	return nil
}

func verisoulAuthentication(ctx context.Context, j *journeyEnv) error {
	account := "conform-" + j.run + "-auth"
	s, err := j.verisoulSession(ctx, false)
	if err != nil {
		return err
	}
	if err := j.verisoulCapture(ctx, s, j.face("alice"), nil); err != nil {
		return err
	}
	j.step("enroll at sign-up")
	if _, err := j.clients.verisoul.Enroll(ctx, s, account); err != nil {
		return err
	}
	for _, later := range []struct{ face, account string }{
		{j.face("alice"), account}, {j.face("alice"), account + "-never-enrolled"},
	} {
		s, err := j.verisoulSession(ctx, false)
		if err != nil {
			return err
		}
		if err := j.verisoulCapture(ctx, s, later.face, nil); err != nil {
			return err
		}
		j.step("verify-identity")
		_, err = j.clients.verisoul.VerifyIdentity(ctx, s, later.account)
		if later.account != account {
			err = expect(err, verisoul.CodeOf(err) == verisoul.CodeAccountNotFound, "account_not_found")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func verisoulIDCheck(ctx context.Context, j *journeyEnv) error {
	s, err := j.verisoulSession(ctx, true)
	if err != nil {
		return err
	}
	doc := sandbox.Document{Kind: "driver_license", Country: "US", Number: "D" + strings.ToUpper(j.run), FirstName: "Carol", LastName: "Conformance" + strings.ToUpper(j.run),
		DateOfBirth: "1990-04-01", Expiry: time.Now().AddDate(3, 0, 0).Format(time.DateOnly), Face: j.face("carol")}
	if err := j.verisoulCapture(ctx, s, doc.Face, &doc); err != nil {
		return err
	}
	j.step("verify-id, policy, enroll")
	_, err = j.clients.verisoul.CheckID(ctx, s, "conform-"+j.run+"-id", verisoul.IDRules())
	return err
}

func iproovCaptureEnrol(ctx context.Context, j *journeyEnv) error {
	c := j.clients.iproov
	user := "conform-" + j.run + "-enrol"
	j.step("enrol token")
	enrol, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding", AssuranceType: iproov.Liveness})
	if err != nil {
		return err
	}
	if err := j.iproovCapture(ctx, enrol, j.face("bob")); err != nil {
		return err
	}
	j.step("enrol validate")
	if _, err := c.EnrolValidate(ctx, enrol, iproov.ValidateOptions{}); err != nil {
		return err
	}
	j.step("verify token")
	verify, err := c.VerifyToken(ctx, iproov.TokenRequest{UserID: user, Resource: "login", AssuranceType: iproov.Liveness})
	if err != nil {
		return err
	}
	if err := j.iproovCapture(ctx, verify, j.face("bob")); err != nil {
		return err
	}
	j.step("verify validate")
	_, err = c.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
	return err
}

func iproovManagement(ctx context.Context, j *journeyEnv) error {
	if !j.creds.haveIProovMg {
		return errSkip("no iProov OAuth credentials (" + EnvIProovOAuthUser + ", " + EnvIProovOAuthPass + ")")
	}
	c := j.clients.iproov
	user := "conform-" + j.run + "-mgmt"
	j.step("enrol token")
	enrol, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding"})
	if err != nil {
		return err
	}
	if err := j.iproovCapture(ctx, enrol, j.face("carol")); err != nil {
		return err
	}
	j.step("enrol validate")
	if _, err := c.EnrolValidate(ctx, enrol, iproov.ValidateOptions{}); err != nil {
		return err
	}
	j.step("enrol token again, no recovery chosen")
	_, err = c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding"})
	if err := expect(err, iproov.CodeOf(err) == iproov.CodeAlreadyEnrolled, "already_enrolled"); err != nil {
		return err
	}
	j.step("suspend the user")
	if _, err := c.SuspendUser(ctx, user, time.Time{}); err != nil {
		return err
	}
	j.step("activate the user")
	if _, err := c.ActivateUser(ctx, user, time.Time{}); err != nil {
		return err
	}
	j.step("read the user")
	_, err = c.GetUser(ctx, user)
	return err
}

func (j *journeyEnv) verifikSignUp(ctx context.Context, flow verifik.Flow, who string) (*verifik.Registrant, error) {
	email := fmt.Sprintf("conform.%s.%s@example.com", who, j.run)
	j.step("register")
	r, err := j.clients.verifik.Register(ctx, flow, verifik.Registration{Email: email, FullName: "Conform Registrant " + who})
	if err != nil {
		return nil, err
	}
	j.step("send the email code")
	if _, err := r.SendEmailCode(ctx); err != nil {
		return nil, err
	}
	code, err := j.verifikCode(ctx, email)
	if err != nil {
		return nil, err
	}
	j.step("a wrong code")
	wrong := "111111"
	if code == wrong {
		wrong = "222222"
	}
	if err := expect(r.ConfirmEmailCode(ctx, wrong), true, "otp_does_not_match"); err != nil {
		return nil, err
	}
	j.step("the right code")
	return r, r.ConfirmEmailCode(ctx, code)
}

func verifikBasic(ctx context.Context, j *journeyEnv) error {
	j.step("setup")
	flow, err := j.clients.verifik.Setup(ctx, j.verifikProject("idvkit conform basic"), verifik.BasicEnrollment("https://acme.example/verifik/done"))
	if err != nil {
		return err
	}
	r, err := j.verifikSignUp(ctx, flow, "basic")
	if err != nil {
		return err
	}
	j.step("skip KYC")
	_, err = r.SkipKYC(ctx)
	return err
}

func verifikFullKYC(ctx context.Context, j *journeyEnv) error {
	j.step("setup")
	flow, err := j.clients.verifik.Setup(ctx, j.verifikProject("idvkit conform full"), verifik.FullVerification("https://acme.example/verifik/done"))
	if err != nil {
		return err
	}
	r, err := j.verifikSignUp(ctx, flow, "full")
	if err != nil {
		return err
	}
	doc := sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: "Conform", LastName: "Registrant full",
		DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: j.face("dana")}
	j.step("submit the document")
	if _, err := r.SubmitDocument(ctx, verifik.Document{Front: verifiktest.DocumentPhoto(doc)}); err != nil {
		return err
	}
	j.step("submit the selfie")
	if _, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie(doc.Face), OS: verifik.IOS}); err != nil {
		return err
	}
	j.step("compare faces")
	if _, err := r.CompareFaces(ctx); err != nil {
		return err
	}
	j.step("finish")
	_, err = r.Finish(ctx, r.State().Recommend())
	return err
}

// errSkip is a journey that cannot run on this target; it is reported, not failed.
type errSkip string

func (e errSkip) Error() string { return string(e) }
