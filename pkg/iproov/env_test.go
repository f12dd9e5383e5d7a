package iproov_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport"
)

var (
	ctx = context.Background()
	t0  = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
)

// env is the iProov emulator behind httptest and an iproov.Client against it, sharing one
// fake clock. The client checks its traffic against the spec in enforce mode, the
// emulator does too; any contract problem on either side fails the test.
type env struct {
	t      *testing.T
	emu    *iproovtest.Emulator
	srv    *httptest.Server
	clock  *sandbox.FakeClock
	client *iproov.Client
	calls  atomic.Int64 // vendor calls the server received

	mu       sync.Mutex
	problems []*contract.Error
	ops      []string // operations the server received, in order
}

func newEnv(t *testing.T, emuOpts []iproovtest.Option, clientOpts ...iproov.Option) *env {
	t.Helper()
	e := &env{t: t, clock: sandbox.NewFakeClock(t0)}
	record := func(p *contract.Error) {
		e.mu.Lock()
		e.problems = append(e.problems, p)
		e.mu.Unlock()
	}
	e.emu = iproovtest.New(append([]iproovtest.Option{iproovtest.WithClock(e.clock.Now), iproovtest.WithOnProblem(record)}, emuOpts...)...)
	spec := contract.Default().Spec("iproov/claim")
	h := e.emu.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			e.calls.Add(1)
			if op, ok := spec.FindOperation(r); ok {
				e.mu.Lock()
				e.ops = append(e.ops, op)
				e.mu.Unlock()
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	e.client = e.newClient(append([]iproov.Option{iproov.WithTransport(transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: record}))}, clientOpts...)...)
	t.Cleanup(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, p := range e.problems {
			t.Errorf("contract problem: %v", p)
		}
	})
	return e
}

// newClient builds a client against the emulator: sandbox credentials, the fake clock,
// contract enforcement and no retries (tests count calls).
func (e *env) newClient(opts ...iproov.Option) *iproov.Client {
	e.t.Helper()
	user, pass := e.emu.OAuthCredentials()
	base := []iproov.Option{
		iproov.WithBaseURL(e.srv.URL),
		iproov.WithOAuth(user, pass),
		iproov.WithClock(e.clock.Now),
		iproov.WithContract(contract.ModeEnforce),
		iproov.WithTransport(transport.WithHTTPClient(e.srv.Client()), transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})),
	}
	c, err := iproov.New(e.emu.APIKey(), e.emu.Secret(), append(base, opts...)...)
	require.NoError(e.t, err)
	return c
}

func (e *env) opsSeen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ops...)
}

// enrolled makes userID an active user showing face, by capture enrol.
func (e *env) enrolled(userID, face string) {
	e.t.Helper()
	cl, err := e.client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding"})
	require.NoError(e.t, err)
	require.NoError(e.t, e.emu.CaptureFace(cl.Token, face))
	res, err := e.client.EnrolValidate(ctx, cl, iproov.ValidateOptions{})
	require.NoError(e.t, err)
	require.True(e.t, res.Passed)
}
