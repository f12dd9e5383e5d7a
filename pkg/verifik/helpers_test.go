package verifik_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

var ctx = context.Background()

// env is a Verifik emulator behind httptest and a verifik.Client against it with the
// contract enforced on both sides. It counts the HTTP calls the client makes, so tests
// can prove a rule failed before any network call.
type env struct {
	t      *testing.T
	emu    *verifiktest.Emulator
	srv    *httptest.Server
	clock  *sandbox.FakeClock
	client *verifik.Client
	calls  atomic.Int64

	mu       sync.Mutex
	problems []*contract.Error
}

func newEnv(t *testing.T, opts ...verifiktest.Option) *env {
	t.Helper()
	e := &env{t: t, clock: sandbox.NewFakeClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))}
	record := func(p *contract.Error) {
		e.mu.Lock()
		e.problems = append(e.problems, p)
		e.mu.Unlock()
	}
	e.emu = verifiktest.New(append([]verifiktest.Option{
		verifiktest.WithClock(e.clock.Now), verifiktest.WithOnProblem(record),
	}, opts...)...)
	e.srv = httptest.NewServer(e.emu.Handler())
	t.Cleanup(e.srv.Close)
	e.client = e.newClient(e.emu.ClientToken(), record)
	t.Cleanup(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, p := range e.problems {
			t.Errorf("contract problem: %v", p)
		}
	})
	return e
}

func (e *env) newClient(token string, record func(*contract.Error)) *verifik.Client {
	e.t.Helper()
	hc := &http.Client{Transport: countingTransport{next: e.srv.Client().Transport, n: &e.calls}}
	c, err := verifik.New(token,
		verifik.WithBaseURL(e.srv.URL),
		verifik.WithClock(e.clock.Now),
		verifik.WithContract(contract.ModeEnforce),
		verifik.WithTransport(
			transport.WithHTTPClient(hc),
			transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: record}),
		))
	require.NoError(e.t, err)
	return c
}

type countingTransport struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

var project = verifik.ProjectConfig{
	Name: "Acme onboarding", AllowedCountries: []string{"Colombia", "United States"},
	ContactEmail: "support@acme.example", PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms",
}

func (e *env) setup(cfg verifik.FlowConfig) verifik.Flow {
	e.t.Helper()
	flow, err := e.client.Setup(ctx, project, cfg)
	require.NoError(e.t, err)
	return flow
}

func (e *env) register(flow verifik.Flow, email, fullName string) *verifik.Registrant {
	e.t.Helper()
	r, err := e.client.Register(ctx, flow, verifik.Registration{Email: email, FullName: fullName})
	require.NoError(e.t, err)
	return r
}

// confirmEmail is the registrant receiving the code and typing it.
func (e *env) confirmEmail(r *verifik.Registrant) {
	e.t.Helper()
	_, err := r.SendEmailCode(ctx)
	require.NoError(e.t, err)
	code, ok := e.emu.LastCode(r.State().Email)
	require.True(e.t, ok, "a code was sent")
	require.NoError(e.t, r.ConfirmEmailCode(ctx, code))
}

// noCallsDuring runs f and fails the test if it made an HTTP call.
func (e *env) noCallsDuring(f func()) {
	e.t.Helper()
	before := e.calls.Load()
	f()
	require.Equal(e.t, before, e.calls.Load(), "the step must fail before any network call")
}

func documentOf(first, last, face string) sandbox.Document {
	return sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: first, LastName: last,
		DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: face}
}

func photo(d sandbox.Document) verifik.Image { return verifiktest.DocumentPhoto(d) }

func bearerEditor(token string) smartenroll.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func fmtV(v any) string   { return fmt.Sprintf("%v", v) }
func fmtGoV(v any) string { return fmt.Sprintf("%#v", v) }

// logged is what a JSON slog handler writes for v.
func logged(v any) string {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
	return buf.String()
}
