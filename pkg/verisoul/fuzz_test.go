package verisoul_test

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
	"unicode"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
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

const fuzzSessionID = "3f2b1c4e-8a9d-4e6f-b1c2-0d3e4f5a6b7c"

// fuzzSteps are every backend step of the client, each with the path it calls.
var fuzzSteps = []struct {
	path string
	run  func(ctx context.Context, c *verisoul.Client) (any, error)
}{
	{"/liveness/session", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.StartSession(ctx, verisoul.SessionOptions{})
	}},
	{"/liveness/session", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.StartIDCheckSession(ctx, verisoul.SessionOptions{})
	}},
	{"/liveness/verify-face", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.VerifyFace(ctx, verisoul.Session{ID: fuzzSessionID, Product: verisoul.FaceMatch})
	}},
	{"/liveness/verify-id", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.VerifyID(ctx, verisoul.Session{ID: fuzzSessionID, Product: verisoul.IDCheck})
	}},
	{"/liveness/verify-identity", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.VerifyIdentity(ctx, verisoul.Session{ID: fuzzSessionID}, "acct-1")
	}},
	{"/liveness/enroll", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.Enroll(ctx, verisoul.Session{ID: fuzzSessionID, Product: verisoul.FaceMatch}, "acct-1")
	}},
	{"/liveness/enroll", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.Enroll(ctx, verisoul.Session{ID: fuzzSessionID, Product: verisoul.IDCheck}, "acct-1")
	}},
	{"/public/liveness-redirect", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: fuzzSessionID})
	}},
	{"/public/liveness-redirect", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: fuzzSessionID, IDCheck: true})
	}},
	{"/liveness/verify-face", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.CheckUniqueness(ctx, verisoul.Session{ID: fuzzSessionID}, "acct-1", nil)
	}},
	{"/liveness/verify-id", func(ctx context.Context, c *verisoul.Client) (any, error) {
		return c.CheckID(ctx, verisoul.Session{ID: fuzzSessionID, Product: verisoul.IDCheck}, "acct-1", nil)
	}},
}

// FuzzResponses serves arbitrary answers (status, content type, Location, body) to
// every step of the real client, with and without the contract enforced. Seeds are the
// vendor's published responses under testdata/verisoul. A step must not panic and must
// end in its result or in a typed error.
func FuzzResponses(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "verisoul", "*.json"))
	if len(files) == 0 {
		f.Fatal("no fixtures under testdata/verisoul")
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
			if s.path == fx.Path {
				f.Add(uint8(step), fx.Status, fx.ContentType, "", []byte(fx.Body))
				f.Add(uint8(step)|0x80, fx.Status, fx.ContentType, "", []byte(fx.Body))
				added = true
			}
		}
		if !added {
			f.Add(uint8(i%len(fuzzSteps)), fx.Status, fx.ContentType, "", []byte(fx.Body))
		}
	}
	f.Add(uint8(7), 302, "", "https://app.sandbox.verisoul.ai/?session_id="+fuzzSessionID, []byte(nil))
	f.Add(uint8(8|0x80), 302, "text/html", "/relative?session_id=x", []byte("<a>moved</a>"))
	f.Add(uint8(2), 502, "text/html", "", []byte("<html>Bad Gateway</html>"))
	f.Add(uint8(0), 200, "application/json; charset=utf-8", "", []byte(`{"request_id":"x","session_id":"not-a-uuid"}`))
	f.Add(uint8(3), 200, "application/json", "", []byte(`{"metadata":{"timestamp":"yesterday"}}`))
	// Regressions: vendor text that reached error strings raw.
	f.Add(uint8(4), 204, "application/\u202ejson", "", []byte(nil))
	f.Add(uint8(5|0x80), 400, "application/json", "", []byte(`{"request_id":"x","\u007f\u202e":1}`))

	f.Fuzz(func(t *testing.T, step uint8, status int, contentType, location string, body []byte) {
		s := fuzzSteps[int(step&0x7f)%len(fuzzSteps)]
		mode := contract.ModeOff
		if step&0x80 != 0 {
			mode = contract.ModeEnforce
		}
		if status < 100 || status > 599 {
			status = 100 + int(uint(status)%500)
		}
		hc := &http.Client{
			Transport:     fuzzAnswer{status: status, contentType: headerValue(contentType), location: headerValue(location), body: body},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		c, err := verisoul.New("fuzz-key",
			verisoul.WithEnvironment(verisoul.Sandbox),
			verisoul.WithContract(mode),
			verisoul.WithTransport(
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
			redirect := status >= 300 && status < 400 && headerValue(location) != ""
			requireTyped(t, err, redirect)
			return
		}
		requireResult(t, out)
	})
}

// requireTyped fails unless err is one of the typed errors a caller can act on. The
// fake network never fails, so a *transport.RequestError can only carry a contract
// violation or net/http's refusal of a redirect; anything else is a decoding path that
// lost its type.
func requireTyped(t *testing.T, err error, redirect bool) {
	t.Helper()
	var (
		apiErr  *transport.APIError
		decErr  *transport.DecodeError
		bigErr  *transport.BodyTooLargeError
		reqErr  *transport.RequestError
		contErr *contract.Error
		redErr  *transport.RedirectError
		valErr  *transport.ValidationError
	)
	switch {
	case errors.As(err, &valErr):
		t.Fatalf("valid input refused: %v", err)
	case errors.As(err, &apiErr), errors.As(err, &decErr), errors.As(err, &bigErr), errors.As(err, &redErr) && redirect,
		errors.Is(err, verisoul.ErrNotEnrolled):
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

// requireResult fails unless a step without error returned a usable result.
func requireResult(t *testing.T, out any) {
	t.Helper()
	switch v := out.(type) {
	case verisoul.Session:
		if len(v.ID) != 36 || v.Product == "" {
			t.Fatalf("session without a UUID or product: %+v", v)
		}
	case *verisoul.Verification:
		if v == nil {
			t.Fatal("nil verification")
		}
	case *verisoul.IdentityResult:
		if v == nil || (v.Outcome != verisoul.SamePerson && v.Outcome != verisoul.DifferentPerson && v.Outcome != verisoul.NotCompleted) {
			t.Fatalf("identity result without an outcome: %+v", v)
		}
	case *verisoul.Enrollment:
		if v == nil || v.SessionID != fuzzSessionID {
			t.Fatalf("enrolment without its session: %+v", v)
		}
	case verisoul.PublicLink:
		if v.Location == "" {
			t.Fatal("redirect without a Location")
		}
	case *verisoul.Outcome:
		if v == nil || v.Verification == nil {
			t.Fatalf("outcome without a verification: %+v", v)
		}
	default:
		t.Fatalf("unexpected result %T", out)
	}
}
