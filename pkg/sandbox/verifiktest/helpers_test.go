package verifiktest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// harness is an emulator behind httptest and the generated client against it, with the
// contract checked on both sides: the emulator's middleware (server side) and an
// enforcing round tripper (client side). Any problem either side sees fails the test.
type harness struct {
	t     *testing.T
	emu   *verifiktest.Emulator
	srv   *httptest.Server
	api   *smartenroll.ClientWithResponses
	clock *sandbox.FakeClock
	spec  *contract.Spec

	mu       sync.Mutex
	problems []*contract.Error
	statuses map[string]map[int]bool // operation → statuses seen
}

var start = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, opts ...verifiktest.Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: sandbox.NewFakeClock(start), statuses: map[string]map[int]bool{}}
	h.spec = contract.Default().Spec("verifik/smartenroll")
	record := func(e *contract.Error) {
		h.mu.Lock()
		h.problems = append(h.problems, e)
		h.mu.Unlock()
	}
	all := append([]verifiktest.Option{verifiktest.WithClock(h.clock.Now), verifiktest.WithOnProblem(record)}, opts...)
	h.emu = verifiktest.New(all...)
	t.Cleanup(func() { _ = h.emu.Close() }) // webhook deliveries stop with the test
	h.srv = httptest.NewServer(h.emu.Handler())
	t.Cleanup(h.srv.Close)

	rt := contract.NewRoundTripper(h.srv.Client().Transport, contract.ModeEnforce, contract.RoundTripperOptions{OnProblem: record}, h.spec)
	hc := &http.Client{Transport: &statusRecorder{next: rt, h: h}}
	api, err := smartenroll.NewClientWithResponses(h.srv.URL, smartenroll.WithHTTPClient(hc))
	require.NoError(t, err)
	h.api = api
	t.Cleanup(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, p := range h.problems {
			t.Errorf("contract problem in the emulator's traffic: %v", p)
		}
	})
	return h
}

// statusRecorder notes which status each operation answered, for the coverage check.
type statusRecorder struct {
	next http.RoundTripper
	h    *harness
}

func (s *statusRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(r)
	if err == nil {
		if op, ok := s.h.spec.FindOperation(r); ok {
			s.h.mu.Lock()
			if s.h.statuses[op] == nil {
				s.h.statuses[op] = map[int]bool{}
			}
			s.h.statuses[op][resp.StatusCode] = true
			s.h.mu.Unlock()
		}
	}
	return resp, err
}

// serve sends req straight to the emulator's handler — no client-side check, so it may
// break the spec on purpose: the problems the middleware reports about it are expected
// and dropped — records its status as the client does, and holds the answer against the
// spec: a problem with the answer fails the test at cleanup.
func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	h.mu.Lock()
	before := len(h.problems)
	h.mu.Unlock()
	rec := httptest.NewRecorder()
	h.emu.Handler().ServeHTTP(rec, req)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.problems = h.problems[:before]
	if op, ok := h.spec.FindOperation(req); ok {
		if h.statuses[op] == nil {
			h.statuses[op] = map[int]bool{}
		}
		h.statuses[op][rec.Code] = true
	}
	if err := h.spec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		var ce *contract.Error
		if !errors.As(err, &ce) {
			ce = &contract.Error{Problems: []contract.Problem{{Location: "response", Rule: "invalid", Message: err.Error()}}}
		}
		h.problems = append(h.problems, ce)
	}
	return rec
}

// control calls a control endpoint as a test or a program does: JSON, no Origin.
func (h *harness) control(method, path, body string) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	require.NoError(h.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.srv.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(h.t, err)
	return resp.StatusCode, data
}

func bearer(token string) smartenroll.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func noAuth() smartenroll.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Del("Authorization")
		return nil
	}
}

func (h *harness) client() smartenroll.RequestEditorFn { return bearer(h.emu.ClientToken()) }

func ptr[T any](v T) *T { return &v }

var ctx = context.Background()

// flowSettings builds onboardingSettings the way the tutorial does, with overrides.
func flowSettings(document, liveness smartenroll.StepRequirement) smartenroll.OnboardingSettings {
	return smartenroll.OnboardingSettings{
		Steps: &smartenroll.OnboardingSteps{
			SignUpForm:       ptr(smartenroll.StepMandatory),
			BasicInformation: ptr(smartenroll.StepSkip),
			Document:         ptr(document),
			Liveness:         ptr(liveness),
			Form:             ptr(smartenroll.StepSkip),
		},
	}
}

// setup creates a project and an active flow and returns their ids.
func (h *harness) setup(name string, settings smartenroll.OnboardingSettings, demo bool) (projectID, flowID string) {
	h.t.Helper()
	p, err := h.api.CreateProjectWithResponse(ctx, smartenroll.ProjectCreateRequest{
		Name: name, AllowedCountries: []string{"Colombia", "United States"},
		ContactEmail: "support@acme.example", PrivacyUrl: "https://acme.example/privacy",
		TermsAndConditionsUrl: "https://acme.example/terms", DemoMode: ptr(demo),
	}, h.client())
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, p.StatusCode(), string(p.Body))
	f, err := h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{
		Project: p.JSON200.Data.ID, Type: smartenroll.FlowTypeOnboarding, Status: ptr(smartenroll.FlowActive),
		RedirectUrl: ptr("https://acme.example/welcome"), OnboardingSettings: &settings,
	}, h.client())
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, f.StatusCode(), string(f.Body))
	return p.JSON200.Data.ID, f.JSON200.Data.ID
}

// register creates an app registration and returns its id, information validation id
// and token.
func (h *harness) register(projectID, flowID, email, fullName string) (id, infoID, token string) {
	h.t.Helper()
	r, err := h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{
		Project: projectID, ProjectFlow: flowID, Email: ptr(email), FullName: ptr(fullName),
	}, h.client())
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, r.StatusCode(), string(r.Body))
	return r.JSON200.Data.AppRegistration.ID, r.JSON200.Data.InformationValidation.ID, r.JSON200.Data.Token
}

// confirmEmail sends and confirms the registrant's email code.
func (h *harness) confirmEmail(projectID, token, email string) {
	h.t.Helper()
	v, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: projectID, Email: email, Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(token))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, v.StatusCode(), string(v.Body))
	code, ok := h.emu.LastCode(email)
	require.True(h.t, ok)
	ok2, err := h.api.ValidateEmailValidationWithResponse(ctx, v.JSON200.Data.ID, smartenroll.EmailValidationConfirmRequest{Email: email, Otp: code}, bearer(token))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, ok2.StatusCode(), string(ok2.Body))
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		require.True(t, r >= '0' && r <= '9', "code is digits")
		n = n*10 + int(r-'0')
	}
	return n
}

func alice() sandbox.Document {
	return sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: "Alice", LastName: "Liddell",
		DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: "alice"}
}
