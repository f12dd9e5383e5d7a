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
	iproovsbx "github.com/idvkit/idvkit/pkg/sandbox/iproov"
	verisoulsbx "github.com/idvkit/idvkit/pkg/sandbox/verisoul"
	"github.com/idvkit/idvkit/pkg/transport"
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
	emu     *verisoulsbx.Emulator
	count   *hostile.Counter
	srv     *httptest.Server
	clock   *sandbox.FakeClock
	client  *verisoul.Client
	logs    *hostile.Buffer // client transport log, Debug
	emuLogs *hostile.Buffer // emulator log, Debug
}

func newVerisoulWorld(t *testing.T, apiKey string, emuOpts ...verisoulsbx.Option) *verisoulWorld {
	t.Helper()
	var p problems
	p.check(t)
	w := &verisoulWorld{clock: sandbox.NewFakeClock(t0), logs: &hostile.Buffer{}, emuLogs: &hostile.Buffer{}}
	base := []verisoulsbx.Option{
		verisoulsbx.WithClock(w.clock),
		verisoulsbx.WithContractProblems(p.add),
		verisoulsbx.WithLogger(debugLogger(w.emuLogs)),
	}
	if apiKey != "" {
		base = append(base, verisoulsbx.WithAPIKey(apiKey))
	}
	w.emu = verisoulsbx.New(append(base, emuOpts...)...)
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
		verisoul.WithAppURL(w.srv.URL + verisoulsbx.AppPath),
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
	emu     *iproovsbx.Emulator
	count   *hostile.Counter
	srv     *httptest.Server
	clock   *sandbox.FakeClock
	client  *iproov.Client
	logs    *hostile.Buffer
	emuLogs *hostile.Buffer
}

func newIProovWorld(t *testing.T, emuOpts ...iproovsbx.Option) *iproovWorld {
	t.Helper()
	var p problems
	p.check(t)
	w := &iproovWorld{clock: sandbox.NewFakeClock(t0), logs: &hostile.Buffer{}, emuLogs: &hostile.Buffer{}}
	w.emu = iproovsbx.New(append([]iproovsbx.Option{
		iproovsbx.WithClock(w.clock),
		iproovsbx.WithOnProblem(p.add),
		iproovsbx.WithLogger(debugLogger(w.emuLogs)),
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
		iproov.WithNow(w.clock.Now),
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
