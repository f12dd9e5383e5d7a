package iproovtest_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// harness is an emulator behind httptest with the real generated client in front. Both
// sides check the traffic against the spec: the emulator's middleware and a client round
// tripper in enforce mode. Any contract problem fails the test at cleanup.
type harness struct {
	t     *testing.T
	emu   *iproovtest.Emulator
	srv   *httptest.Server
	api   *claim.ClientWithResponses
	clock *sandbox.FakeClock
	spec  *contract.Spec

	mu       sync.Mutex
	problems []*contract.Error
	seen     map[string]map[int]bool // operationId → statuses answered
}

func newHarness(t *testing.T, opts ...iproovtest.Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: sandbox.NewFakeClock(t0), spec: contract.Default().Spec("iproov/claim"), seen: map[string]map[int]bool{}}
	record := func(e *contract.Error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.problems = append(h.problems, e)
	}
	opts = append([]iproovtest.Option{iproovtest.WithClock(h.clock.Now), iproovtest.WithOnProblem(record), iproovtest.WithLogger(quiet)}, opts...)
	h.emu = iproovtest.New(opts...)
	h.srv = httptest.NewServer(h.emu.Handler())
	t.Cleanup(h.srv.Close)

	rt := contract.NewRoundTripper(h.srv.Client().Transport, contract.ModeEnforce, contract.RoundTripperOptions{OnProblem: record, Logger: quiet}, h.spec)
	hc := &http.Client{Transport: observe(rt, h)}
	api, err := claim.NewClientWithResponses(h.srv.URL+iproovtest.BasePath, claim.WithHTTPClient(hc))
	require.NoError(t, err)
	h.api = api
	t.Cleanup(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, p := range h.problems {
			t.Errorf("contract problem: %v", p)
		}
	})
	return h
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// observe records which documented answer each call got.
func observe(next http.RoundTripper, h *harness) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err == nil {
			if op, ok := h.spec.FindOperation(r); ok {
				h.mu.Lock()
				if h.seen[op] == nil {
					h.seen[op] = map[int]bool{}
				}
				h.seen[op][resp.StatusCode] = true
				h.mu.Unlock()
			}
		}
		return resp, err
	})
}

// serve sends req to the emulator's handler in process - for requests the generated
// client cannot make, such as bodies over the limit - and holds the answer against the
// spec as the client side does, recording which documented answer it was.
func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.emu.Handler().ServeHTTP(rec, req)
	if op, ok := h.spec.FindOperation(req); ok {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.seen[op] == nil {
			h.seen[op] = map[int]bool{}
		}
		h.seen[op][rec.Code] = true
		if err := h.spec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			var cerr *contract.Error
			if errors.As(err, &cerr) {
				h.problems = append(h.problems, cerr)
			} else {
				h.t.Errorf("validate response: %v", err)
			}
		}
	}
	return rec
}

// dropProblems forgets the problems whose every violation is rule: a test that sends
// such requests on purpose checks the answers itself.
func (h *harness) dropProblems(rule string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := h.problems[:0]
	for _, p := range h.problems {
		for _, v := range p.Problems {
			if v.Rule != rule {
				kept = append(kept, p)
				break
			}
		}
	}
	h.problems = kept
}

// opRequest builds a request of operation op with its path parameters filled in.
func opRequest(t testing.TB, spec *contract.Spec, op string) *http.Request {
	t.Helper()
	for path, item := range spec.Doc.Paths.Map() {
		for method, o := range item.Operations() {
			if o.OperationID != op {
				continue
			}
			path = strings.NewReplacer("{token}", "abc", "{api_key}", iproovtest.DefaultAPIKey, "{user_id}", "u1").Replace(path)
			return httptest.NewRequest(method, iproovtest.BasePath+path, nil)
		}
	}
	t.Fatalf("no operation %s", op)
	return nil
}

// zeros is an endless body.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

var ctx = context.Background()

// quiet keeps expected contract reports out of the test output; the harness fails on them.
var quiet = slog.New(slog.DiscardHandler)

func ptr[T any](v T) *T { return &v }

func (h *harness) tokenReq(userID string) claim.ServerClaimRequest {
	return claim.ServerClaimRequest{ApiKey: iproovtest.DefaultAPIKey, Secret: iproovtest.DefaultSecret, Resource: "onboarding", UserId: userID}
}

func (h *harness) enrolToken(userID string) string {
	h.t.Helper()
	res, err := h.api.UserEnrolServerTokenWithResponse(ctx, h.tokenReq(userID))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, res.StatusCode(), string(res.Body))
	return res.JSON200.Token
}

func (h *harness) verifyToken(userID string) string {
	h.t.Helper()
	res, err := h.api.UserVerifyServerTokenWithResponse(ctx, h.tokenReq(userID))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, res.StatusCode(), string(res.Body))
	return res.JSON200.Token
}

func validateReq(userID, token string) claim.ClaimValidateRequest {
	return claim.ClaimValidateRequest{ApiKey: iproovtest.DefaultAPIKey, Secret: iproovtest.DefaultSecret, UserId: userID, Token: token, Client: "idvkit-test"}
}

func enrolValidateReq(userID, token string) claim.EnrolValidateRequest {
	return claim.EnrolValidateRequest{ApiKey: iproovtest.DefaultAPIKey, Secret: iproovtest.DefaultSecret, UserId: userID, Token: token, Client: "idvkit-test"}
}

// enrol makes userID an active user whose face is face, by capture enrol.
func (h *harness) enrol(userID, face string) {
	h.t.Helper()
	tok := h.enrolToken(userID)
	require.NoError(h.t, h.emu.CaptureFace(tok, face))
	res, err := h.api.UserEnrolValidateWithResponse(ctx, enrolValidateReq(userID, tok))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, res.StatusCode(), string(res.Body))
	require.True(h.t, res.JSON200.Passed)
}

// accessToken gets an OAuth access token with scopes (none: every scope).
func (h *harness) accessToken(scopes ...string) string {
	h.t.Helper()
	body, ct := form(scopes...)
	res, err := h.api.GenerateTokenWithBodyWithResponse(ctx, iproovtest.DefaultAPIKey, ct, body, basicAuth(iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, res.StatusCode(), string(res.Body))
	return res.JSON200.AccessToken
}

func form(scopes ...string) (*bytes.Reader, string) {
	v := "grant_type=client_credentials"
	for _, s := range scopes {
		v += "&scope=" + s
	}
	return bytes.NewReader([]byte(v)), "application/x-www-form-urlencoded"
}

func basicAuth(user, pass string) claim.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.SetBasicAuth(user, pass)
		return nil
	}
}

func bearer(token string) claim.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// photoForm builds the multipart body of POST /claim/enrol/image.
type photoForm struct {
	apiKey, secret, token, source string
	image                         []byte
	imageType                     string
	noImage                       bool
	// rotation is the rotation part's bytes ("0" when empty), rotationType its Content-Type.
	rotation, rotationType string
}

func (p photoForm) build() (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if p.apiKey == "" {
		p.apiKey = iproovtest.DefaultAPIKey
	}
	if p.secret == "" {
		p.secret = iproovtest.DefaultSecret
	}
	_ = mw.WriteField("api_key", p.apiKey)
	_ = mw.WriteField("secret", p.secret)
	if p.rotation == "" {
		p.rotation = "0"
	}
	rh := textproto.MIMEHeader{}
	rh.Set("Content-Disposition", `form-data; name="rotation"`)
	if p.rotationType != "" {
		rh.Set("Content-Type", p.rotationType)
	}
	rw, _ := mw.CreatePart(rh)
	_, _ = rw.Write([]byte(p.rotation))
	_ = mw.WriteField("token", p.token)
	if p.source != "" {
		_ = mw.WriteField("source", p.source)
	}
	if !p.noImage {
		ct := p.imageType
		if ct == "" {
			ct = "image/png"
		}
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", `form-data; name="image"; filename="image.png"`)
		hdr.Set("Content-Type", ct)
		w, _ := mw.CreatePart(hdr)
		_, _ = w.Write(p.image)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

func (h *harness) enrolImage(p photoForm) *claim.UserEnrolImageResult {
	h.t.Helper()
	body, ct := p.build()
	res, err := h.api.UserEnrolImageWithBodyWithResponse(ctx, ct, body)
	require.NoError(h.t, err)
	return res
}
