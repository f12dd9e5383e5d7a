package verifik_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// fuzzAnswer is one vendor response, served without a network.
type fuzzAnswer struct {
	status      int
	contentType string
	location    string
	body        []byte
}

func (a fuzzAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	h := http.Header{}
	if a.contentType != "" {
		h.Set("Content-Type", a.contentType)
	}
	if a.location != "" {
		h.Set("Location", a.location)
	}
	return &http.Response{
		Status: http.StatusText(a.status), StatusCode: a.status, Header: h, Request: r,
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)),
	}, nil
}

const (
	fuzzProjectID = "674de8df21c72be3cc42b8a1"
	fuzzFlowID    = "674de8df21c72be3cc42b8a2"
	fuzzRegID     = "674de8df21c72be3cc42b8a3"
)

// fuzzFlow offers every step and add-on, KYC optional, so each step's own checks pass.
var fuzzFlow = verifik.Flow{
	ProjectID: fuzzProjectID, FlowID: fuzzFlowID, RedirectURL: "https://acme.example/welcome",
	Steps: map[string]verifik.Requirement{
		verifik.StepSignUpForm: verifik.Mandatory, verifik.StepDocument: verifik.Optional, verifik.StepLiveness: verifik.Optional,
	},
	EmailCode: true, PhoneCode: true, PhoneGateway: verifik.SMS,
	LivenessMinScore: 0.6, CompareMinScore: 0.67, DocumentAttempts: 3, SelfieAttempts: 3,
	VerifyNames: true, VerifyCriminal: true,
}

// fuzzState is a journey far enough along that every registrant step may run.
func fuzzState() verifik.State {
	return verifik.State{
		AppRegistrationID: fuzzRegID, InformationValidationID: "674de8df21c72be3cc42b8a4", Token: "fuzz-app-token",
		Flow: fuzzFlow, Email: "bob@example.com", Phone: "3001234567", CountryCode: "+57",
		EmailValidationID: "674de8df21c72be3cc42b8a5", EmailExpiresAt: time.Now().Add(time.Hour), EmailVerified: true,
		PhoneValidationID: "674de8df21c72be3cc42b8a6", PhoneExpiresAt: time.Now().Add(time.Hour), PhoneVerified: true,
		DocumentValidationID: "674de8df21c72be3cc42b8a7", DocumentStatus: "VALIDATED", DocumentHasFace: true, DocumentAttempts: 1,
		PersonID: "674de8df21c72be3cc42b8a8", SelfieAttempts: 1, Status: verifik.Ongoing,
	}
}

var (
	fuzzSelfie   = verifik.ImageOf(sandbox.FaceJPEG("alice"))
	fuzzDocument = verifik.ImageOf(sandbox.DocumentImage(sandbox.Document{Kind: "CC", Country: "CO", Number: "1234567890",
		FirstName: "Alice", LastName: "Doe", DateOfBirth: "1990-01-02", Expiry: "2031-01-01", Face: "alice"}))
	fuzzProject = verifik.ProjectConfig{Name: "Acme onboarding", AllowedCountries: []string{"Colombia"},
		ContactEmail: "support@acme.example", PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms"}
)

// journey is a registrant step's result with the journey it moved.
type journey struct {
	r   *verifik.Registrant
	out any
}

// registrant runs a registrant step on a journey resumed from fuzzState.
func registrant(f func(ctx context.Context, r *verifik.Registrant) (any, error)) func(ctx context.Context, c *verifik.Client) (any, error) {
	return func(ctx context.Context, c *verifik.Client) (any, error) {
		r, err := c.Resume(fuzzState())
		if err != nil {
			return nil, err
		}
		out, err := f(ctx, r)
		return journey{r: r, out: out}, err
	}
}

// fuzzSteps are every backend step of the client, each with a part of the path it calls.
var fuzzSteps = []struct {
	path string
	run  func(ctx context.Context, c *verifik.Client) (any, error)
}{
	{"/v2/projects", func(ctx context.Context, c *verifik.Client) (any, error) {
		return c.Setup(ctx, fuzzProject, verifik.BasicEnrollment("https://acme.example/welcome"))
	}},
	{"/v2/project-flows", func(ctx context.Context, c *verifik.Client) (any, error) {
		return c.Flow(ctx, fuzzFlowID)
	}},
	{"/v2/app-registrations", func(ctx context.Context, c *verifik.Client) (any, error) {
		return c.Register(ctx, fuzzFlow, verifik.Registration{Email: "bob@example.com", Phone: "3001234567", CountryCode: "+57", FullName: "Bob Builder"})
	}},
	{"/v2/app-registrations/", func(ctx context.Context, c *verifik.Client) (any, error) {
		return c.Review(ctx, fuzzRegID)
	}},
	{"/v2/app-registrations/", func(ctx context.Context, c *verifik.Client) (any, error) {
		return true, c.DeleteRegistration(ctx, fuzzRegID)
	}},
	{"/v2/email-validations/app-registration", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.SendEmailCode(ctx)
	})},
	{"/v2/email-validations/", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return nil, r.ConfirmEmailCode(ctx, "123456")
	})},
	{"/v2/phone-validations/app-registration", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.SendPhoneCode(ctx, verifik.SMS)
	})},
	{"/v2/phone-validations", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return nil, r.ConfirmPhoneCode(ctx, "123456")
	})},
	{"/v2/document-validations/app-registration", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.SubmitDocument(ctx, verifik.Document{Front: fuzzDocument, Force: true})
	})},
	{"/v2/biometric-validations", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.SubmitSelfie(ctx, verifik.Selfie{Image: fuzzSelfie, OS: verifik.Desktop, Force: true})
	})},
	{"/v2/face-recognition/compare", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.CompareFaces(ctx)
	})},
	{"/validate", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.CheckNames(ctx)
	})},
	{"/background-check", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.CheckCriminalRecord(ctx)
	})},
	{"/sync", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.Finish(ctx, verifik.Completed)
	})},
	{"/sync", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.SkipKYC(ctx)
	})},
	{"/sync", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return nil, r.Advance(ctx, verifik.StepDocument)
	})},
	{"/v2/app-registrations/me", registrant(func(ctx context.Context, r *verifik.Registrant) (any, error) {
		return r.Refresh(ctx)
	})},
}

// FuzzResponses serves arbitrary answers (status, content type, Location, body) to
// every step of the real client, with and without the contract enforced. Seeds are the
// vendor's published responses under testdata/verifik. A step must not panic, must end
// in its result or in a typed error, and must leave a journey state that can be stored
// and resumed.
func FuzzResponses(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "verifik", "*.json"))
	if len(files) == 0 {
		f.Fatal("no fixtures under testdata/verifik")
	}
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var fx struct {
			Kind        string          `json:"kind"`
			Path        string          `json:"path"`
			Status      int             `json:"status"`
			ContentType string          `json:"content_type"`
			Body        json.RawMessage `json:"body"`
		}
		if json.Unmarshal(b, &fx) != nil || fx.Kind != "response" {
			continue
		}
		added := false
		for step, s := range fuzzSteps {
			if strings.Contains(fx.Path, s.path) {
				f.Add(uint8(step), fx.Status, fx.ContentType, "", []byte(fx.Body))
				f.Add(uint8(step)|0x80, fx.Status, fx.ContentType, "", []byte(fx.Body))
				added = true
			}
		}
		if !added {
			f.Add(uint8(i%len(fuzzSteps)), fx.Status, fx.ContentType, "", []byte(fx.Body))
		}
	}
	f.Add(uint8(10), 409, "application/json", "", []byte(`{"code":"ConflictError","message":"409:liveness_failed@0.45"}`))
	f.Add(uint8(2), 200, "application/json", "", []byte(`{"data":{"token":"t","appRegistration":{"_id":"../x"}}}`))
	f.Add(uint8(5), 502, "text/html", "", []byte("<html>Bad Gateway</html>"))
	// Regressions: pages that never end; ids a later step would refuse.
	f.Add(uint8(0), 200, "application/json", "", []byte(`{"data":[{"_id":"674de8df21c72be3cc42b8a9","name":"other"}],"pages":2000000000}`))
	f.Add(uint8(1), 200, "application/json", "", []byte(`{}`))
	f.Add(uint8(5), 200, "application/json", "", []byte(`{"data":{"_id":"../x","status":"SENT"}}`))
	f.Add(uint8(9), 200, "application/json", "", []byte(`{"data":{"_id":"a b","status":"VALIDATED"}}`))

	f.Fuzz(func(t *testing.T, step uint8, status int, contentType, location string, body []byte) {
		s := fuzzSteps[int(step&0x7f)%len(fuzzSteps)]
		mode := contract.ModeOff
		if step&0x80 != 0 {
			mode = contract.ModeEnforce
		}
		if status < 100 || status > 599 {
			status = 100 + int(uint(status)%500)
		}
		answer := fuzzAnswer{status: status, contentType: headerValue(contentType), location: headerValue(location), body: body}
		hc := &http.Client{
			Transport:     answer,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		c, err := verifik.New("fuzz-client-token",
			verifik.WithContract(mode),
			verifik.WithTransport(
				transport.WithHTTPClient(hc),
				transport.WithMaxBodyBytes(64<<10),
				transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1}),
			))
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.run(context.Background(), c)
		if err != nil {
			// net/http itself refuses a redirect whose Location does not parse.
			redirect := status >= 300 && status < 400 && answer.location != ""
			requireTyped(t, err, redirect)
			return
		}
		requireResult(t, c, out)
	})
}

// requireTyped fails unless err is one of the typed errors a caller can act on. The
// fake network never fails, so a *transport.RequestError can only carry a contract
// violation or net/http's refusal of a redirect; a client-side refusal means a vendor
// answer was blamed on the caller.
func requireTyped(t *testing.T, err error, redirect bool) {
	t.Helper()
	var (
		apiErr  *transport.APIError
		decErr  *transport.DecodeError
		bigErr  *transport.BodyTooLargeError
		reqErr  *transport.RequestError
		contErr *contract.Error
		redErr  *transport.RedirectError
	)
	switch {
	case errors.Is(err, transport.ErrValidation):
		t.Fatalf("valid input refused: %v", err)
	case errors.As(err, &apiErr), errors.As(err, &decErr), errors.As(err, &bigErr), errors.As(err, &redErr) && redirect:
	case errors.As(err, &reqErr):
		if !errors.As(err, &contErr) && !redirect {
			t.Fatalf("request error without a network failure or contract violation: %v", err)
		}
	default:
		t.Fatalf("untyped error %T: %v", err, err)
	}
	// Vendor text in error strings must not hide or disguise what follows (log lines,
	// terminals): no control characters but tab, no bidi overrides.
	if strings.ContainsFunc(err.Error(), func(r rune) bool { return (unicode.IsControl(r) && r != '\t') || unicode.Is(unicode.Cf, r) }) {
		t.Fatalf("error text holds control or format characters: %q", err.Error())
	}
}

// requireResult fails unless a step without error returned a usable result; a journey
// must survive being stored and resumed whatever the vendor answered.
func requireResult(t *testing.T, c *verifik.Client, out any) {
	t.Helper()
	if j, ok := out.(journey); ok {
		requireResult(t, c, j.r)
		if j.out != nil {
			requireResult(t, c, j.out)
		}
		return
	}
	switch v := out.(type) {
	case *verifik.Registrant:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("state does not marshal: %v", err)
		}
		var back verifik.State
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("state does not unmarshal: %v", err)
		}
		if _, err := c.Resume(back); err != nil {
			t.Fatalf("the journey cannot be resumed after the vendor's answer: %v", err)
		}
	case verifik.Flow:
		if v.ProjectID == "" || v.FlowID == "" {
			t.Fatalf("flow without ids: %+v", v)
		}
	case verifik.Review, verifik.CodeSent, verifik.DocumentResult, verifik.SelfieResult,
		verifik.FaceComparison, verifik.NameCheck, verifik.CriminalRecord, verifik.Completion, bool:
	default:
		t.Fatalf("unexpected result %T", out)
	}
}

// headerValue drops the bytes net/http refuses in a response header value (controls
// but tab) and trims the blanks it trims, so the fake network answers only what a real
// one could deliver.
func headerValue(s string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s), " \t")
}
