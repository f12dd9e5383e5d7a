// Package idvtest runs package idv's adapters against idvkit's vendor emulators and
// plays the end user's part (the hosted page, the client SDK, the typed code, the
// captures), so a backend's capability code can be tested — and shown — offline with any
// vendor. It is for tests, examples and demos; production code never imports it.
package idvtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// Vendors are the vendors New knows, in the order documentation shows them.
var Vendors = []string{"verisoul", "iproov", "verifik"}

// RedirectURL is where the emulated hosted pages send the user back.
const RedirectURL = "https://yourapp.example/idv/back"

// Options tune New.
type Options struct {
	// OnProblem, when set, holds the traffic of both sides to the vendor's spec (the
	// client in enforce mode) and receives every problem found.
	OnProblem func(*contract.Error)
}

// Sandbox is one vendor's emulator behind httptest and the idv adapter of a client
// pointed at it.
type Sandbox struct {
	Vendor string
	// Adapter is an *idv.VerisoulAdapter, *idv.IProovAdapter or *idv.VerifikAdapter.
	Adapter any

	srv      *httptest.Server
	verisoul *verisoultest.Emulator
	iproov   *iproovtest.Emulator
	verifik  *verifiktest.Emulator
	browser  *http.Client
}

// New starts vendor's emulator and builds its adapter. Verifik's project flows are set
// up here (one project for Uniqueness and FaceEnrolment, one for DocumentVerification).
func New(ctx context.Context, vendor string, o Options) (*Sandbox, error) {
	s := &Sandbox{Vendor: vendor, browser: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	var (
		tops []transport.Option
		mode = contract.ModeOff
	)
	if o.OnProblem != nil {
		mode = contract.ModeEnforce
		tops = append(tops, transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: o.OnProblem}))
	}
	var err error
	switch vendor {
	case "verisoul":
		var eopts []verisoultest.Option
		if o.OnProblem != nil {
			eopts = append(eopts, verisoultest.WithOnProblem(o.OnProblem))
		}
		s.verisoul = verisoultest.New(eopts...)
		s.srv = httptest.NewServer(s.verisoul.Handler())
		var c *verisoul.Client
		c, err = verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithEnvironment(verisoul.Sandbox),
			verisoul.WithBaseURL(s.srv.URL), verisoul.WithAppURL(s.srv.URL+verisoultest.AppPath),
			verisoul.WithContract(mode), verisoul.WithTransport(tops...))
		if err == nil {
			s.Adapter, err = idv.Verisoul(c, idv.VerisoulOptions{})
		}
	case "iproov":
		var eopts []iproovtest.Option
		if o.OnProblem != nil {
			eopts = append(eopts, iproovtest.WithOnProblem(o.OnProblem))
		}
		s.iproov = iproovtest.New(eopts...)
		s.srv = httptest.NewServer(s.iproov.Handler())
		var c *iproov.Client
		c, err = iproov.New(s.iproov.APIKey(), s.iproov.Secret(), iproov.WithBaseURL(s.srv.URL),
			iproov.WithContract(mode), iproov.WithTransport(tops...))
		if err == nil {
			s.Adapter, err = idv.IProov(c, idv.IProovOptions{})
		}
	case "verifik":
		var eopts []verifiktest.Option
		if o.OnProblem != nil {
			eopts = append(eopts, verifiktest.WithOnProblem(o.OnProblem))
		}
		s.verifik = verifiktest.New(eopts...)
		s.srv = httptest.NewServer(s.verifik.Handler())
		var c *verifik.Client
		c, err = verifik.New(verifiktest.DefaultClientToken, verifik.WithBaseURL(s.srv.URL),
			verifik.WithContract(mode), verifik.WithTransport(tops...))
		if err == nil {
			s.Adapter, err = setupVerifik(ctx, c)
		}
	default:
		return nil, fmt.Errorf("idvtest: unknown vendor %q (known: %s)", vendor, strings.Join(Vendors, ", "))
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func setupVerifik(ctx context.Context, c *verifik.Client) (*idv.VerifikAdapter, error) {
	project := func(name string) verifik.ProjectConfig {
		return verifik.ProjectConfig{Name: name, AllowedCountries: []string{"Colombia"}, ContactEmail: "support@yourapp.example",
			PrivacyURL: "https://yourapp.example/privacy", TermsURL: "https://yourapp.example/terms"}
	}
	faces := verifik.BasicEnrollment(RedirectURL)
	faces.Liveness, faces.Document = verifik.Mandatory, verifik.Skip
	flow, err := c.Setup(ctx, project("idvtest faces"), faces)
	if err != nil {
		return nil, err
	}
	docs, err := c.Setup(ctx, project("idvtest documents"), verifik.FullVerification(RedirectURL))
	if err != nil {
		return nil, err
	}
	return idv.Verifik(c, idv.VerifikOptions{Flow: flow, DocumentFlow: docs})
}

// Close stops the emulator.
func (s *Sandbox) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Journey returns the sandbox vendor's journey for c (an *idv.UnsupportedError when the
// vendor lacks it).
func (s *Sandbox) Journey(c idv.Capability) (idv.Journey, error) { return idv.JourneyOf(s.Adapter, c) }

// Request is one request for every vendor: each uses what it needs (Verisoul the
// redirect, Verifik the email, iProov the user id).
func Request(userID string) idv.Request {
	return idv.Request{UserID: userID, RedirectURL: RedirectURL, Language: "en",
		Email: userID + "@example.com", FullName: "Sam Example"}
}

// Act is what the end user does at each step.
type Act struct {
	// Face is the face shown (default "alice").
	Face string
	// Spoof is a presentation attack: the liveness check fails, every time.
	Spoof bool
	// Abandon: the user leaves (refuses the camera, never launches the SDK).
	Abandon bool
	// Document is the document shown: "valid" (default), "fake", "expired" or
	// "other_face" (someone else's photo on it).
	Document string
	// WrongCodeFirst types a wrong one-time code before the right one.
	WrongCodeFirst bool
	// RedirectEarly sends the browser back with success=true before the capture, as a
	// forged or premature redirect does; the user then captures when sent back.
	RedirectEarly bool
}

func (a Act) face() string {
	if a.Face == "" {
		return "alice"
	}
	return a.Face
}

// Play does the user's part of p and returns what the backend gets back.
func (s *Sandbox) Play(ctx context.Context, p *idv.Pending, a Act) (idv.UserResult, error) {
	switch p.Step {
	case idv.StepRedirect:
		return s.playHostedPage(ctx, p, a)
	case idv.StepClientSDK:
		switch {
		case a.Abandon:
		case a.Spoof:
			if err := s.iproov.FailLiveness(p.Token, a.face(), ""); err != nil {
				return idv.UserResult{}, err
			}
		default:
			if err := s.iproov.CaptureFace(p.Token, a.face()); err != nil {
				return idv.UserResult{}, err
			}
		}
		return idv.UserResult{Client: "idvtest"}, nil
	case idv.StepEnterCode:
		to := p.State.Verifik.Email
		if p.Channel == "phone" {
			to = p.State.Verifik.Phone
		}
		code, ok := s.verifik.LastCode(to)
		if !ok {
			return idv.UserResult{}, errors.New("idvtest: no code was sent")
		}
		if a.WrongCodeFirst && p.Reason == "" {
			code = wrongCode(code)
		}
		return idv.UserResult{Code: code}, nil
	case idv.StepCapture:
		res := idv.UserResult{Device: "android"}
		for _, kind := range p.Capture {
			switch kind {
			case idv.ImageSelfie:
				res.Selfie = sandbox.FaceJPEG(a.face())
				if a.Spoof {
					res.Selfie = sandbox.FaceJPEG(a.face() + "@0.30") // a liveness score of 0.30
				}
			case idv.ImageDocument:
				res.Document = sandbox.DocumentImage(document(a))
			}
		}
		return res, nil
	}
	return idv.UserResult{}, fmt.Errorf("idvtest: unknown step %q", p.Step)
}

func (s *Sandbox) playHostedPage(ctx context.Context, p *idv.Pending, a Act) (idv.UserResult, error) {
	if a.RedirectEarly && p.Reason == "" {
		back, _ := url.Parse(p.State.RedirectURL)
		q := back.Query()
		q.Set("session_id", p.State.Verisoul.ID)
		q.Set("success", "true")
		back.RawQuery = q.Encode()
		return idv.UserResult{Redirect: back}, nil
	}
	choice := url.Values{}
	switch {
	case a.Abandon:
		choice.Set("fail", verisoultest.FailCameraPermission)
	case a.Spoof:
		choice.Set("fail", verisoultest.FailLiveness)
	default:
		choice.Set("face", a.face())
		if p.State.Capability == idv.CapabilityDocumentVerification {
			doc := a.Document
			if doc == "" {
				doc = "valid"
			}
			choice.Set("document", doc)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"&"+choice.Encode(), nil)
	if err != nil {
		return idv.UserResult{}, err
	}
	resp, err := s.browser.Do(req)
	if err != nil {
		return idv.UserResult{}, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return idv.UserResult{}, fmt.Errorf("idvtest: hosted page answered %d", resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	return idv.UserResult{Redirect: back}, err
}

// document is a Colombian ID card showing the act's face, as Verifik's OCR reads it.
func document(a Act) sandbox.Document {
	d := sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: "Sam", LastName: "Example",
		DateOfBirth: "1990-04-01", Expiry: time.Now().AddDate(5, 0, 0).Format(time.DateOnly), Face: a.face()}
	switch a.Document {
	case "fake":
		d.Fake = true
	case "expired":
		d.Expiry = time.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	case "other_face":
		d.Face = a.face() + "-lookalike"
	}
	return d
}

func wrongCode(code string) string {
	if code == "111111" {
		return "222222"
	}
	return "111111"
}

// MaxSteps bounds Run: no journey asks the user more often than this.
const MaxSteps = 10

// Run drives a journey to its end as a backend would: Start, then for each pending step
// the user's part and Resume — storing the state as JSON and reading it back between
// steps, as a backend across requests does. It returns the final outcome and the
// reasons the user was asked again on the way (code_mismatch, liveness_failed, …).
func (s *Sandbox) Run(ctx context.Context, j idv.Journey, req idv.Request, a Act) (*idv.Outcome, []idv.Reason, error) {
	p, err := j.Start(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	var asked []idv.Reason
	for range MaxSteps {
		res, err := s.Play(ctx, p, a)
		if err != nil {
			return nil, asked, err
		}
		stored, err := json.Marshal(p.State)
		if err != nil {
			return nil, asked, err
		}
		var st idv.State
		if err := json.Unmarshal(stored, &st); err != nil {
			return nil, asked, err
		}
		out, err := j.Resume(ctx, st, res)
		if err != nil {
			return nil, asked, err
		}
		if out.Final() {
			return out, asked, nil
		}
		if out.Next.Reason != "" {
			asked = append(asked, out.Next.Reason)
		}
		p = out.Next
	}
	return nil, asked, fmt.Errorf("idvtest: %s %s still pending after %d steps", j.Vendor(), j.Capability(), MaxSteps)
}
