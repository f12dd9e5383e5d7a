package verisoul_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// world is a client wired to an emulator: contract enforced on both sides, a fake clock
// shared by both, every vendor call counted and every log line kept.
type world struct {
	client *verisoul.Client
	emu    *verisoultest.Emulator
	clock  *sandbox.FakeClock
	srv    *httptest.Server
	calls  atomic.Int64
	logs   *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newWorld(t *testing.T, emuOpts ...verisoultest.Option) *world {
	t.Helper()
	w := &world{clock: sandbox.NewFakeClock(t0), logs: &syncBuffer{}}
	var problems []*contract.Error
	var mu sync.Mutex
	w.emu = verisoultest.New(append([]verisoultest.Option{verisoultest.WithClock(w.clock.Now), verisoultest.WithOnProblem(func(e *contract.Error) {
		mu.Lock()
		problems = append(problems, e)
		mu.Unlock()
	})}, emuOpts...)...)
	h := w.emu.Handler()
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			w.calls.Add(1)
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.srv.Close)
	logger := slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	w.client, err = verisoul.New(verisoultest.DefaultAPIKey,
		verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(w.srv.URL),
		verisoul.WithAppURL(w.srv.URL+verisoultest.AppPath),
		verisoul.WithContract(contract.ModeEnforce),
		verisoul.WithClock(w.clock.Now),
		verisoul.WithTransport(transport.WithLogger(logger)),
	)
	require.NoError(t, err)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("contract problem on the emulator side: %v", p)
		}
	})
	return w
}

// capture plays the end user on the hosted page: follows CaptureURL with the sandbox's
// face (and document) choice and returns the redirect the browser lands on.
func (w *world) capture(t *testing.T, s verisoul.Session, query string) *http.Response {
	t.Helper()
	u, err := w.client.CaptureURL(s, verisoul.CaptureOptions{RedirectURL: "https://app.example.test/verisoul/done", Language: "en"})
	require.NoError(t, err)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(u + "&" + query)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	return resp
}

// signUp runs a whole uniqueness sign-up for face as account and returns the outcome.
func (w *world) signUp(t *testing.T, face, account string) *verisoul.Outcome {
	t.Helper()
	s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	require.NoError(t, w.emu.CompleteAs(s.ID, face))
	out, err := w.client.CheckUniqueness(ctx, s, account, nil)
	require.NoError(t, err)
	return out
}
