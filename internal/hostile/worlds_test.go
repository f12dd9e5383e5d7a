package hostile_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/hostile"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// noRetry keeps request counts exact: one call, one request.
var noRetry = transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})

// problems collects contract problems from both sides; any fails the test at cleanup.
type problems struct {
	mu   sync.Mutex
	list []*contract.Error
}

func (p *problems) add(e *contract.Error) {
	p.mu.Lock()
	p.list = append(p.list, e)
	p.mu.Unlock()
}

func (p *problems) check(t *testing.T) {
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range p.list {
			t.Errorf("contract problem: %v", e)
		}
	})
}

// verisoulWorld is the Verisoul emulator behind a request counter and an httptest
// server, a client against it, and their logs, on one fake clock.
type verisoulWorld struct {
	emu     *verisoultest.Emulator
	count   *hostile.Counter
	srv     *httptest.Server
	clock   *sandbox.FakeClock
	client  *verisoul.Client
	logs    *hostile.Buffer // client transport log, Debug
	emuLogs *hostile.Buffer // emulator log, Debug
}

func newVerisoulWorld(t *testing.T, apiKey string, emuOpts ...verisoultest.Option) *verisoulWorld {
	t.Helper()
	var p problems
	p.check(t)
	w := &verisoulWorld{clock: sandbox.NewFakeClock(t0), logs: &hostile.Buffer{}, emuLogs: &hostile.Buffer{}}
	base := []verisoultest.Option{
		verisoultest.WithClock(w.clock.Now),
		verisoultest.WithOnProblem(p.add),
		verisoultest.WithLogger(debugLogger(w.emuLogs)),
	}
	if apiKey != "" {
		base = append(base, verisoultest.WithAPIKey(apiKey))
	}
	w.emu = verisoultest.New(append(base, emuOpts...)...)
	w.count = hostile.Count(w.emu.Handler())
	w.srv = httptest.NewServer(w.count)
	t.Cleanup(w.srv.Close)
	w.client = w.newClient(t, w.emu.APIKey())
	return w
}

// newClient is a sandbox client with key, logging at Debug into w.logs.
func (w *verisoulWorld) newClient(t *testing.T, key string, opts ...verisoul.Option) *verisoul.Client {
	t.Helper()
	c, err := verisoul.New(key, append([]verisoul.Option{
		verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(w.srv.URL),
		verisoul.WithAppURL(w.srv.URL + verisoultest.AppPath),
		verisoul.WithContract(contract.ModeEnforce),
		verisoul.WithClock(w.clock.Now),
		verisoul.WithTransport(transport.WithLogger(debugLogger(w.logs)), noRetry),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// iproovWorld is the iProov emulator behind a request counter and an httptest server, a
// client against it, and their logs, on one fake clock.
type iproovWorld struct {
	emu     *iproovtest.Emulator
	count   *hostile.Counter
	srv     *httptest.Server
	clock   *sandbox.FakeClock
	client  *iproov.Client
	logs    *hostile.Buffer
	emuLogs *hostile.Buffer
}

func newIProovWorld(t *testing.T, emuOpts ...iproovtest.Option) *iproovWorld {
	t.Helper()
	var p problems
	p.check(t)
	w := &iproovWorld{clock: sandbox.NewFakeClock(t0), logs: &hostile.Buffer{}, emuLogs: &hostile.Buffer{}}
	w.emu = iproovtest.New(append([]iproovtest.Option{
		iproovtest.WithClock(w.clock.Now),
		iproovtest.WithOnProblem(p.add),
		iproovtest.WithLogger(debugLogger(w.emuLogs)),
	}, emuOpts...)...)
	w.count = hostile.Count(w.emu.Handler())
	w.srv = httptest.NewServer(w.count)
	t.Cleanup(w.srv.Close)
	user, pass := w.emu.OAuthCredentials()
	w.client = w.newClient(t, w.emu.APIKey(), w.emu.Secret(), iproov.WithOAuth(user, pass))
	return w
}

// newClient is a client with these credentials, logging at Debug into w.logs.
func (w *iproovWorld) newClient(t *testing.T, key, secret string, opts ...iproov.Option) *iproov.Client {
	t.Helper()
	c, err := iproov.New(key, secret, append([]iproov.Option{
		iproov.WithBaseURL(w.srv.URL),
		iproov.WithClock(w.clock.Now),
		iproov.WithContract(contract.ModeEnforce),
		iproov.WithTransport(transport.WithLogger(debugLogger(w.logs)), noRetry),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// enrolled makes userID an active user showing face, by capture enrol.
func (w *iproovWorld) enrolled(t *testing.T, userID, face string) {
	t.Helper()
	cl, err := w.client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding"})
	require.NoError(t, err)
	require.NoError(t, w.emu.CaptureFace(cl.Token, face))
	res, err := w.client.EnrolValidate(ctx, cl, iproov.ValidateOptions{})
	require.NoError(t, err)
	require.True(t, res.Passed)
}

func debugLogger(b *hostile.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// verifikWorld is the Verifik emulator behind a request counter and an httptest server,
// a client against it, and their logs, on one fake clock.
type verifikWorld struct {
	emu     *verifiktest.Emulator
	count   *hostile.Counter
	srv     *httptest.Server
	clock   *sandbox.FakeClock
	client  *verifik.Client
	logs    *hostile.Buffer
	emuLogs *hostile.Buffer
}

func newVerifikWorld(t *testing.T, emuOpts ...verifiktest.Option) *verifikWorld {
	t.Helper()
	var p problems
	p.check(t)
	w := &verifikWorld{clock: sandbox.NewFakeClock(t0), logs: &hostile.Buffer{}, emuLogs: &hostile.Buffer{}}
	w.emu = verifiktest.New(append([]verifiktest.Option{
		verifiktest.WithClock(w.clock.Now),
		verifiktest.WithOnProblem(p.add),
		verifiktest.WithLogger(debugLogger(w.emuLogs)),
	}, emuOpts...)...)
	w.count = hostile.Count(w.emu.Handler())
	w.srv = httptest.NewServer(w.count)
	t.Cleanup(w.srv.Close)
	w.client = w.newClient(t, w.emu.ClientToken())
	return w
}

// newClient is a client with token, logging at Debug into w.logs.
func (w *verifikWorld) newClient(t *testing.T, token string) *verifik.Client {
	t.Helper()
	c, err := verifik.New(token,
		verifik.WithBaseURL(w.srv.URL),
		verifik.WithClock(w.clock.Now),
		verifik.WithContract(contract.ModeEnforce),
		verifik.WithTransport(transport.WithLogger(debugLogger(w.logs)), noRetry))
	require.NoError(t, err)
	return c
}

// project is a valid project; each flow configuration gets its own project (Setup
// reuses a project by name and would otherwise update one flow back and forth).
func project(name string) verifik.ProjectConfig {
	return verifik.ProjectConfig{
		Name: name, AllowedCountries: []string{"Colombia"}, ContactEmail: "support@acme.example",
		PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms",
	}
}

// setup creates (or reuses) the flow cfg in the project called name.
func (w *verifikWorld) setup(t *testing.T, name string, cfg verifik.FlowConfig) verifik.Flow {
	t.Helper()
	flow, err := w.client.Setup(ctx, project(name), cfg)
	require.NoError(t, err)
	return flow
}

// register starts a registrant of flow with email.
func (w *verifikWorld) register(t *testing.T, flow verifik.Flow, email string) *verifik.Registrant {
	t.Helper()
	r, err := w.client.Register(ctx, flow, verifik.Registration{Email: email, FullName: "Hostile Tester"})
	require.NoError(t, err)
	return r
}

// confirmEmail is the registrant reading the code from the mailbox and typing it.
func (w *verifikWorld) confirmEmail(t *testing.T, r *verifik.Registrant) {
	t.Helper()
	_, err := r.SendEmailCode(ctx)
	require.NoError(t, err)
	code, ok := w.emu.LastCode(r.State().Email)
	require.True(t, ok)
	require.NoError(t, r.ConfirmEmailCode(ctx, code))
}
