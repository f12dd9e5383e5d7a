package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

func init() {
	registerDemo(demoFlow{ID: "verisoul-uniqueness", Vendor: "verisoul", Name: "Face Match uniqueness (1:N) at sign-up", Run: demoVerisoulUniqueness})
	registerDemo(demoFlow{ID: "verisoul-authentication", Vendor: "verisoul", Name: "Face Match authentication (1:1)", Run: demoVerisoulAuthentication})
	registerDemo(demoFlow{ID: "verisoul-id-check", Vendor: "verisoul", Name: "ID Check at sign-up", Run: demoVerisoulIDCheck})
}

// verisoulDemo is the emulator behind httptest and a client held to the specs (enforce)
// on both sides; problems of either side are collected per step.
type verisoulDemo struct {
	emu    *verisoultest.Emulator
	srv    *httptest.Server
	client *verisoul.Client

	mu       sync.Mutex
	problems []error
}

func newVerisoulDemo() (*verisoulDemo, error) {
	d := &verisoulDemo{}
	collect := func(side string) func(*contract.Error) {
		return func(e *contract.Error) {
			d.mu.Lock()
			d.problems = append(d.problems, fmt.Errorf("%s: %w", side, e))
			d.mu.Unlock()
		}
	}
	d.emu = verisoultest.New(verisoultest.WithOnProblem(collect("emulator")))
	d.srv = httptest.NewServer(d.emu.Handler())
	var err error
	d.client, err = verisoul.New(verisoultest.DefaultAPIKey,
		verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(d.srv.URL),
		verisoul.WithAppURL(d.srv.URL+verisoultest.AppPath),
		verisoul.WithContract(contract.ModeEnforce),
		verisoul.WithTransport(transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: collect("client")})),
	)
	if err != nil {
		d.srv.Close()
		return nil, err
	}
	return d, nil
}

func (d *verisoulDemo) close() { d.srv.Close() }

// verdict returns (and clears) the contract problems seen since the last call.
func (d *verisoulDemo) verdict() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := errors.Join(d.problems...)
	d.problems = nil
	return err
}

// userCaptures plays the end user on the hosted page and returns where the browser lands.
func (d *verisoulDemo) userCaptures(page, choice string) (*url.URL, error) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(page + "&" + choice)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("hosted page answered %d", resp.StatusCode)
	}
	return url.Parse(resp.Header.Get("Location"))
}

const demoRedirect = "https://yourapp.example/verisoul/done"

// captureViaHostedPage: capture URL → the user → the redirect back, parsed.
func (d *verisoulDemo) captureViaHostedPage(p *demoPrinter, s verisoul.Session, who, choice string) error {
	page, err := d.client.CaptureURL(s, verisoul.CaptureOptions{RedirectURL: demoRedirect, Language: "en"})
	if err != nil {
		return err
	}
	p.Step("user opens the hosted page (app.sandbox.verisoul.ai stand-in, lng=en) and completes the capture as %s", who)
	back, err := d.userCaptures(page, choice)
	if err != nil {
		return err
	}
	o, err := verisoul.ParseRedirect(back)
	if err != nil {
		return err
	}
	p.Outcome("redirected back: success=%v%s", o.Success, map[bool]string{true: "", false: ", error_message=" + string(o.ErrorMessage)}[o.Success])
	if !o.Success {
		return fmt.Errorf("capture failed: %s", o.ErrorMessage)
	}
	return nil
}

func (d *verisoulDemo) startSession(ctx context.Context, p *demoPrinter, idCheck bool) (verisoul.Session, error) {
	var (
		s   verisoul.Session
		err error
	)
	if idCheck {
		p.Step("GET /liveness/session?id=true (createIDCheckSession)")
		s, err = d.client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
	} else {
		p.Step("GET /liveness/session (createFaceMatchSession)")
		s, err = d.client.StartSession(ctx, verisoul.SessionOptions{})
	}
	if err != nil {
		return s, err
	}
	p.Outcome("%s", s)
	p.Contract(d.verdict())
	return s, nil
}

func linkedIDs(v *verisoul.Verification) string {
	if len(v.LinkedAccounts) == 0 {
		return "none"
	}
	var ids []string
	for _, l := range v.LinkedAccounts {
		types := make([]string, len(l.MatchTypes))
		for i, t := range l.MatchTypes {
			types[i] = string(t)
		}
		ids = append(ids, l.AccountID+" by "+strings.Join(types, "+"))
	}
	return strings.Join(ids, ", ")
}

func printOutcome(p *demoPrinter, out *verisoul.Outcome, verifyOp string) {
	v := out.Verification
	p.Outcome("%s: decision %s, risk score %.2f, flags %v, linked accounts: %s", verifyOp, v.Decision, v.RiskScore, v.RiskFlags, linkedIDs(v))
	if d := v.Document; d != nil {
		age := "unknown"
		if d.Signals.Age != nil {
			age = fmt.Sprint(*d.Signals.Age)
		}
		p.Outcome("document: %s from %s, validity %s, holder age %s (name and number not shown)", d.Data.TemplateType, d.Data.CountryCode, d.Signals.Validity, age)
	}
	p.Outcome("policy: %s", out.Verdict)
	if out.Enrolled() {
		p.Outcome("POST /liveness/enroll: enrolled as %s", out.Enrollment.AccountID)
	} else {
		p.Outcome("not enrolled")
	}
}

func demoVerisoulUniqueness(ctx context.Context, p *demoPrinter) error {
	d, err := newVerisoulDemo()
	if err != nil {
		return err
	}
	defer d.close()
	for _, signup := range []struct{ account, face string }{{"user-1", "alice"}, {"user-2", "bob"}, {"user-3", "alice"}} {
		s, err := d.startSession(ctx, p, false)
		if err != nil {
			return err
		}
		if err := d.captureViaHostedPage(p, s, "face "+signup.face, "face="+signup.face); err != nil {
			return err
		}
		p.Step("POST /liveness/verify-face (verifyFace) → uniqueness policy → POST /liveness/enroll (enrollFaceMatch) for %s", signup.account)
		out, err := d.client.CheckUniqueness(ctx, s, signup.account, verisoul.UniquenessRules())
		if err != nil {
			return err
		}
		printOutcome(p, out, "verify-face")
		p.Contract(d.verdict())
	}
	if n := len(d.emu.Enrollments()); n != 2 {
		return fmt.Errorf("emulator recorded %d enrolments, want 2", n)
	}
	return nil
}

func demoVerisoulAuthentication(ctx context.Context, p *demoPrinter) error {
	d, err := newVerisoulDemo()
	if err != nil {
		return err
	}
	defer d.close()
	s, err := d.startSession(ctx, p, false)
	if err != nil {
		return err
	}
	if err := d.captureViaHostedPage(p, s, "face alice", "face=alice"); err != nil {
		return err
	}
	p.Step("POST /liveness/enroll (enrollFaceMatch) at sign-up for user-1")
	e, err := d.client.Enroll(ctx, s, "user-1")
	if err != nil {
		return err
	}
	p.Outcome("enrolled %s (request %s)", e.AccountID, e.RequestID)
	p.Contract(d.verdict())

	for _, later := range []struct{ who, choice, account string }{
		{"face alice", "face=alice", "user-1"},
		{"face mallory", "face=mallory", "user-1"},
		{"face alice", "face=alice", "user-404"},
	} {
		s, err := d.startSession(ctx, p, false)
		if err != nil {
			return err
		}
		if err := d.captureViaHostedPage(p, s, later.who, later.choice); err != nil {
			return err
		}
		p.Step("POST /liveness/verify-identity (verifyIdentityFaceMatch) against %s", later.account)
		res, err := d.client.VerifyIdentity(ctx, s, later.account)
		switch {
		case verisoul.CodeOf(err) == verisoul.CodeAccountNotFound:
			p.Outcome("400 account_not_found: %s was never enrolled", later.account)
		case err != nil:
			return err
		default:
			p.Outcome("success=%v match=%v → %s", res.Success, res.Match, res.Outcome)
		}
		p.Contract(d.verdict())
	}
	return nil
}

func demoVerisoulIDCheck(ctx context.Context, p *demoPrinter) error {
	d, err := newVerisoulDemo()
	if err != nil {
		return err
	}
	defer d.close()
	for _, signup := range []struct{ account, who, choice string }{
		{"user-1", "face carol with her valid driver licence", "face=carol&document=valid"},
		{"user-2", "face dave with a forged driver licence", "face=dave&document=fake"},
		{"user-3", "face erin with an expired driver licence", "face=erin&document=expired"},
	} {
		s, err := d.startSession(ctx, p, true)
		if err != nil {
			return err
		}
		if err := d.captureViaHostedPage(p, s, signup.who, signup.choice); err != nil {
			return err
		}
		p.Step("POST /liveness/verify-id (verifyID) → document policy → POST /liveness/enroll (enrollIDCheck) for %s", signup.account)
		out, err := d.client.CheckID(ctx, s, signup.account, verisoul.IDRules())
		if err != nil {
			return err
		}
		printOutcome(p, out, "verify-id")
		p.Contract(d.verdict())
	}
	return nil
}
