package iproov_test

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
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
)

// fuzzAnswer is one vendor response, served without a network. Unless own is set,
// access token requests get a good token so the Management API call after it is
// reached.
type fuzzAnswer struct {
	status      int
	contentType string
	location    string
	body        []byte
	own         bool
}

func (a fuzzAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	status, ct, body := a.status, a.contentType, a.body
	if !a.own && strings.HasSuffix(r.URL.Path, "/access_token") {
		status, ct, body = 200, "application/json", []byte(`{"access_token":"fuzz-access-token","token_type":"bearer","expires_in":3600,"scope":"user-read user-write user-write-status"}`)
	}
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	if a.location != "" {
		h.Set("Location", a.location)
	}
	return &http.Response{
		Status: http.StatusText(status), StatusCode: status, Header: h, Request: r,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
	}, nil
}

const fuzzToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func fuzzClaim(kind iproov.ClaimType) *iproov.Claim {
	return &iproov.Claim{Type: kind, Token: fuzzToken, UserID: "user-0001", AssuranceType: iproov.GenuinePresence,
		Resource: "onboarding", IssuedAt: time.Now()}
}

var fuzzTokenRequest = iproov.TokenRequest{UserID: "user-0001", Resource: "onboarding"}

// fuzzSteps are every backend step of the client, each with a part of the path it calls.
var fuzzSteps = []struct {
	path string
	run  func(ctx context.Context, c *iproov.Client) (any, error)
}{
	{"/claim/enrol/token", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.EnrolToken(ctx, fuzzTokenRequest)
	}},
	{"/claim/verify/token", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.VerifyToken(ctx, fuzzTokenRequest)
	}},
	{"/claim/enrol/image", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.EnrolImage(ctx, fuzzClaim(iproov.Enrol), iproov.Photo{Image: sandbox.FaceImage("alice"), Source: iproov.SourceEID})
	}},
	{"/claim/enrol/validate", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.EnrolValidate(ctx, fuzzClaim(iproov.Enrol), iproov.ValidateOptions{})
	}},
	{"/claim/verify/validate", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.VerifyValidate(ctx, fuzzClaim(iproov.Verify), iproov.ValidateOptions{})
	}},
	{"/invalidate", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.Invalidate(ctx, fuzzClaim(iproov.Verify), "user cancelled")
	}},
	{"/availability", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.Available(ctx)
	}},
	{"/access_token", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.GetUser(ctx, "user-0001")
	}},
	{"/users/", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.GetUser(ctx, "user-0001")
	}},
	{"/users/", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.UpdateUser(ctx, "user-0001", iproov.UserUpdate{Name: "Display"})
	}},
	{"/users/", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.DeleteUser(ctx, "user-0001")
	}},
	{"/activate", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.ActivateUser(ctx, "user-0001", time.Time{})
	}},
	{"/suspend", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.SuspendUser(ctx, "user-0001", time.Time{})
	}},
	{"/claim/enrol/image", func(ctx context.Context, c *iproov.Client) (any, error) {
		return c.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: fuzzTokenRequest,
			Photo: iproov.Photo{Image: sandbox.FaceJPEG("alice"), Source: iproov.SourceOID}})
	}},
	{"/claim/enrol/token", func(ctx context.Context, c *iproov.Client) (any, error) {
		req := fuzzTokenRequest
		req.IfEnrolled.DeleteUser = true
		return c.EnrolToken(ctx, req)
	}},
	{"/claim/enrol/token", func(ctx context.Context, c *iproov.Client) (any, error) {
		req := fuzzTokenRequest
		req.IfEnrolled.NewUserID = func() (string, error) { return "user-0002", nil }
		return c.EnrolToken(ctx, req)
	}},
}

// FuzzResponses serves arbitrary answers (status, content type, Location, body) to
// every step of the real client, with and without the contract enforced. Seeds are the
// vendor's published responses under testdata/iproov. A step must not panic and must
// end in its result or in a typed error.
//
// step: low 6 bits pick the step; 0x40 also serves the answer to the access token
// request; 0x80 enforces the contract.
func FuzzResponses(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "iproov", "*.json"))
	if len(files) == 0 {
		f.Fatal("no fixtures under testdata/iproov")
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
				own := uint8(0)
				if s.path == "/access_token" {
					own = 0x40
				}
				f.Add(uint8(step)|own, fx.Status, fx.ContentType, "", []byte(fx.Body))
				f.Add(uint8(step)|own|0x80, fx.Status, fx.ContentType, "", []byte(fx.Body))
				added = true
			}
		}
		if !added {
			f.Add(uint8(i%len(fuzzSteps)), fx.Status, fx.ContentType, "", []byte(fx.Body))
		}
	}
	f.Add(uint8(0), 400, "application/json", "", []byte(`{"error":"already_enrolled","error_description":"User already enrolled"}`))
	f.Add(uint8(14), 400, "application/json", "", []byte(`{"error":"already_enrolled","error_description":"User already enrolled"}`))
	f.Add(uint8(8), 401, "application/json", "", []byte(`{"error":"invalid_oauth","error_description":"expired"}`))
	f.Add(uint8(4), 200, "application/json", "", []byte(`{"passed":true,"token":"x","type":"verify","frame":"!!notbase64"}`))
	f.Add(uint8(6), 503, "text/html", "", []byte("<html>down</html>"))
	f.Add(uint8(7|0x40), 200, "application/json", "", []byte(`{"access_token":"","expires_in":-1}`))
	// Regressions: token answers the later steps would refuse as the caller's fault.
	f.Add(uint8(13), 200, "application/json", "", []byte(`{"token":" "}`))
	f.Add(uint8(13), 200, "application/json", "", []byte(`{"token":"abc","user_id":"a b"}`))

	f.Fuzz(func(t *testing.T, step uint8, status int, contentType, location string, body []byte) {
		s := fuzzSteps[int(step&0x3f)%len(fuzzSteps)]
		mode := contract.ModeOff
		if step&0x80 != 0 {
			mode = contract.ModeEnforce
		}
		if status < 100 || status > 599 {
			status = 100 + int(uint(status)%500)
		}
		answer := fuzzAnswer{status: status, contentType: headerValue(contentType), location: headerValue(location), body: body, own: step&0x40 != 0}
		hc := &http.Client{
			Transport:     answer,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		c, err := iproov.New("fuzzapikey", "fuzzsecret",
			iproov.WithBaseURL("https://eu.rp.secure.iproov.me"),
			iproov.WithOAuth("fuzz-user", "fuzz-pass"),
			iproov.WithContract(mode),
			iproov.WithTransport(
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
		errors.Is(err, iproov.ErrPhotoNotEnrolled):
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

// requireResult fails unless a step without error returned a usable result.
func requireResult(t *testing.T, out any) {
	t.Helper()
	switch v := out.(type) {
	case *iproov.Claim:
		if v == nil || v.Token == "" || v.UserID == "" {
			t.Fatalf("claim without a token or user: %v", v)
		}
	case *iproov.PhotoEnrolment:
		if v == nil {
			t.Fatal("nil photo enrolment")
		}
	case *iproov.Result:
		if v == nil {
			t.Fatal("nil result")
		}
	case *iproov.Invalidation:
		if v == nil {
			t.Fatal("nil invalidation")
		}
	case *iproov.User:
		if v == nil {
			t.Fatal("nil user")
		}
	case bool:
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
