package soak

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

var (
	journeysFlag = flag.Int("soak.journeys", 1000, "complete journeys to run, spread over the three vendors")
	faultsFlag   = flag.Float64("soak.faults", 0.2, "fraction of vendor calls that get an injected fault")
	workersFlag  = flag.Int("soak.workers", 8, "journeys run at once")
	seedFlag     = flag.Uint64("soak.seed", 1, "seed of the emulators' fault injectors")
)

// What a journey's end tells the integrator to do: idv.NextStep's action, which the soak
// proves under faults. Every journey must end in one of these; classUntyped fails the test.
const (
	classCompleted = "completed"
	// The journey ran to its end and the answer was no (a policy refusal, a failed match).
	classDeclined = "declined"
	// idv.RetryLater: nothing happened at the vendor that needs checking.
	classRetryLater = "retryable-later"
	// idv.Reconcile (transport.ErrOutcomeUnknown): the vendor may have acted.
	classReconcile = "outcome-unknown-reconcile"
	// idv.Declined: the vendor refused this input or state for good.
	classRejected = "rejected-by-vendor"
	// idv.RepeatUserStep: the failed step used up what the user's step produced (an
	// iProov one-shot claim, a Verisoul session): a new token or session and capture.
	classStartOver = "repeat-user-step"
	// idv.FixRequest: refused by the client before any call.
	classRefused = "refused-before-sending"
	// idv.Escalate on a typed error: an answer that could not be decoded, bad credentials.
	classMalformed = "escalate"
	classUntyped   = "untyped-error"
)

// Reconciliation verdicts for outcome-unknown journeys, found through the vendor's own API
// once the faults are off.
const (
	reconciledDone    = "done"     // the vendor had acted: the result is recovered
	reconciledNotDone = "not done" // the vendor had not acted: safe to run the step again
	reconciledNoState = "no state" // the lost step records nothing the vendor shows (a verify)
)

// journey is one complete verification journey and how it ended.
type journey struct {
	n      int
	rig    rig
	kind   string
	err    error
	class  string
	step   string // operationId of the failing call, from the typed error
	panic  string
	reason string // why a journey was declined

	reconciled string // for classReconcile: reconciledDone, reconciledNotDone, reconciledNoState, or "" if it could not be
	why        string // why it could not be reconciled

	data any // the vendor's own journey state
}

// rig is one vendor under soak: its emulator behind a loopback server, and its real client.
type rig interface {
	name() string
	kinds() []string
	wire() *wire
	faults() *sandbox.Faults
	// run performs one journey; a returned error is the journey's end, j.reason is set
	// for declines.
	run(ctx context.Context, j *journey) error
	// reconcile asks the vendor, with the faults off, what became of each outcome-unknown
	// journey.
	reconcile(ctx context.Context, t *testing.T, js []*journey)
	// check compares the emulator's records with what the clients reported.
	check(ctx context.Context, t *testing.T, js []*journey) recordCheck
}

// recordCheck is what one vendor's records say after the soak.
type recordCheck struct {
	what        string // what is counted ("enrolments", "enrolled users", "registrations")
	recorded    int    // by the emulator
	reported    int    // completed as the clients reported them
	reconciled  int    // outcome-unknown, found done
	duplicated  []string
	lost        []string // recorded by the emulator, unknown to the client
	phantom     []string // reported by the client, absent from the emulator
	unsafeTwice []string // an unsafe request that reached the vendor twice
	note        string   // more about the records, for the report
}

// soakPolicy retries like DefaultRetryPolicy with the waits shrunk, so 1,000 journeys
// take seconds: vendors' Retry-After of up to 1s is honoured up to 20ms.
func soakPolicy() transport.RetryPolicy {
	return transport.RetryPolicy{
		MaxAttempts:   4,
		BaseDelay:     time.Millisecond,
		MaxDelay:      10 * time.Millisecond,
		MaxRetryAfter: 20 * time.Millisecond,
	}
}

// faultMix is the injected mix: every kind the injector has, rate in total. Half the
// 429s carry Retry-After as an HTTP-date where the vendor's spec allows it.
func faultMix(rate float64, httpDates bool) []sandbox.FaultRule {
	share := func(s float64) float64 { return rate * s }
	return []sandbox.FaultRule{
		{Kind: sandbox.FaultError, Status: 500, Rate: share(0.15)},
		{Kind: sandbox.FaultError, Status: 502, Rate: share(0.10)},
		{Kind: sandbox.FaultError, Status: 503, Rate: share(0.15)},
		{Kind: sandbox.FaultRateLimit, RetryAfter: 1, RetryAfterJitter: true, Rate: share(0.10)},
		{Kind: sandbox.FaultRateLimit, RetryAfter: 1, RetryAfterJitter: true, RetryAfterDate: httpDates, Rate: share(0.05)},
		{Kind: sandbox.FaultLatency, LatencyMS: 3, Rate: share(0.15)},
		{Kind: sandbox.FaultDrop, Rate: share(0.10)},
		{Kind: sandbox.FaultTruncate, Rate: share(0.10)},
		// Drift: an unknown top-level field everywhere, and unknown enum values where
		// the vendors document that they grow them.
		{Kind: sandbox.FaultDrift, Rate: share(0.10), Set: driftValues},
	}
}

// httpDateRetryAfter: the vendors whose specs allow a Retry-After HTTP-date. iProov's
// models the (inferred) header as integer seconds, so a date there is a contract problem.
var httpDateRetryAfter = map[string]bool{"verisoul": true, "verifik": true}

// driftValues are written at these paths of any JSON answer that has them (see
// sandbox.FaultDrift): values the specs do not list, in enums the specs say grow.
var driftValues = map[string]any{
	"risk_flags": []string{"sandbox_unlisted_flag"}, // Verisoul verify: unknown flags are ignored by the policies
}

// wire is the loopback plumbing shared by the rigs: the server, the client's HTTP
// transport, and the counters.
type wire struct {
	vendor string
	srv    *httptest.Server
	tr     *http.Transport
	opOf   func(*http.Request) string

	attempts atomic.Int64 // HTTP attempts the clients made (one log line each)
	retries  atomic.Int64 // attempts followed by a retry
	// The counters at the end of the load phase (reconciliation and checks call too).
	loadAttempts, loadRetries int64

	recording atomic.Bool // count unsafe arrivals (the load phase only)
	mu        sync.Mutex
	problems  map[string]int            // contract problems reported by the clients, by rule
	where     map[string]map[string]int // rule → "operation location" → count
	arrivals  map[string]int            // unsafe requests that reached the vendor, by content
	serverLog bytes.Buffer              // the loopback server's error log (panics land here)
}

// newWire serves h on a loopback server. specs name the operations of incoming requests.
func newWire(vendor string, h http.Handler, specs ...*contract.Spec) *wire {
	w := &wire{vendor: vendor, problems: map[string]int{}, where: map[string]map[string]int{}, arrivals: map[string]int{}}
	w.opOf = func(r *http.Request) string {
		for _, s := range specs {
			if op, ok := s.FindOperation(r); ok {
				return op
			}
		}
		return ""
	}
	w.srv = httptest.NewUnstartedServer(w.observe(h))
	w.srv.Config.ErrorLog = log.New(lockedWriter{w}, "", 0)
	w.srv.Start()
	w.tr = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return w
}

type lockedWriter struct{ w *wire }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	return l.w.serverLog.Write(p)
}

// observe counts, during the load phase, every unsafe request that reaches the vendor, by
// its full content: the same request arriving twice is a duplicate the transport sent.
func (w *wire) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if w.recording.Load() && !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			op := w.opOf(r)
			if transport.OperationSafety(w.vendor, op) == transport.Unsafe {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				h := sha256.New()
				fmt.Fprintf(h, "%s %s\n%s\n", r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"))
				h.Write(body)
				key := op + " " + hex.EncodeToString(h.Sum(nil)[:8])
				w.mu.Lock()
				w.arrivals[key]++
				w.mu.Unlock()
			}
		}
		next.ServeHTTP(rw, r)
	})
}

// unsafeTwice lists the unsafe requests that reached the vendor more than once.
func (w *wire) unsafeTwice() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for k, n := range w.arrivals {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	sort.Strings(out)
	return out
}

func (w *wire) unsafeArrivals() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.arrivals {
		n += c
	}
	return n
}

// options are the transport options of the rig's client: loopback, the soak's retry
// policy, per-attempt and overall deadlines, and counters for attempts, retries and
// contract problems (report mode is set by the vendor's own option).
func (w *wire) options() []transport.Option {
	return []transport.Option{
		transport.WithHTTPClient(&http.Client{Transport: w.tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}),
		transport.WithRetryPolicy(soakPolicy()),
		transport.WithTimeout(5 * time.Second),
		transport.WithTotalTimeout(15 * time.Second),
		transport.WithLogger(slog.New(attemptCounter{w})),
		transport.WithContractOptions(contract.RoundTripperOptions{
			OnProblem: w.problem,
			Logger:    slog.New(slog.DiscardHandler),
		}),
	}
}

func (w *wire) problem(e *contract.Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range e.Problems {
		key := p.Rule
		if p.Drift {
			key = "drift: " + key
		}
		w.problems[key]++
		if w.where[key] == nil {
			w.where[key] = map[string]int{}
		}
		w.where[key][p.Operation+" "+p.Location]++
	}
}

func (w *wire) close() {
	w.srv.Close()
	w.tr.CloseIdleConnections()
}

// attemptCounter is a slog.Handler counting the transport's one line per attempt.
type attemptCounter struct{ w *wire }

func (a attemptCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (a attemptCounter) WithAttrs([]slog.Attr) slog.Handler           { return a }
func (a attemptCounter) WithGroup(string) slog.Handler                { return a }
func (a attemptCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "vendor call" {
		return nil
	}
	a.w.attempts.Add(1)
	r.Attrs(func(at slog.Attr) bool {
		if at.Key == "retry_in" {
			a.w.retries.Add(1)
		}
		return true
	})
	return nil
}

// errHarness marks a failure of the soak's own end-user simulation (the capture step done
// through the emulator's Go helpers): it fails the test rather than counting as an outcome.
var errHarness = errors.New("soak harness")

func harness(step string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %v", errHarness, step, err)
}

// stepOf is the operationId a typed transport error names.
func stepOf(err error) string {
	var (
		apiErr *transport.APIError
		reqErr *transport.RequestError
		decErr *transport.DecodeError
		valErr *transport.ValidationError
		bigErr *transport.BodyTooLargeError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Operation
	case errors.As(err, &reqErr):
		return reqErr.Operation
	case errors.As(err, &decErr):
		return decErr.Operation
	case errors.As(err, &valErr):
		return valErr.Operation
	case errors.As(err, &bigErr):
		return bigErr.Operation
	}
	return ""
}

// classify says what the integrator should do about a journey's end: idv.NextStep's
// answer, provided the error is one the clients document (a typed error or a vendor
// sentinel) — anything else is untyped and fails the soak.
func classify(_ rig, err error) (class, step string) {
	step = stepOf(err)
	switch {
	case err == nil:
		return classCompleted, ""
	case errors.Is(err, errHarness), !typed(err):
		return classUntyped, step
	}
	switch idv.NextStep(err).Action {
	case idv.Reconcile:
		return classReconcile, step
	case idv.RetryLater:
		return classRetryLater, step
	case idv.RepeatUserStep:
		return classStartOver, step
	case idv.Declined:
		return classRejected, step
	case idv.FixRequest:
		return classRefused, step
	case idv.Escalate:
		return classMalformed, step
	}
	return classUntyped, step
}

// typed reports whether err is one of the errors the clients document.
func typed(err error) bool {
	var (
		apiErr  *transport.APIError
		reqErr  *transport.RequestError
		decErr  *transport.DecodeError
		bigErr  *transport.BodyTooLargeError
		valErr  *transport.ValidationError
		ruleErr *verifik.RuleError
		cErr    *contract.Error
	)
	return errors.As(err, &apiErr) || errors.As(err, &reqErr) || errors.As(err, &decErr) ||
		errors.As(err, &bigErr) || errors.As(err, &valErr) || errors.As(err, &ruleErr) || errors.As(err, &cErr) ||
		errors.Is(err, verisoul.ErrNotEnrolled) || errors.Is(err, iproov.ErrPhotoNotEnrolled) ||
		errors.Is(err, verifik.ErrDuplicateFace) || errors.Is(err, verifik.ErrLivenessFailed)
}

// TestSoak runs -soak.journeys complete journeys (default 1,000) across the three vendors
// with -soak.faults of the calls faulted (default 20%).
func TestSoak(t *testing.T) {
	if *journeysFlag <= 0 || *workersFlag <= 0 || *faultsFlag < 0 || *faultsFlag > 1 {
		t.Fatalf("bad flags: -soak.journeys=%d -soak.workers=%d -soak.faults=%v", *journeysFlag, *workersFlag, *faultsFlag)
	}
	js := soak(t, *journeysFlag, *faultsFlag)
	done := map[string]int{}
	for _, j := range js {
		if j.class == classCompleted {
			done[j.rig.name()]++
		}
	}
	if *faultsFlag <= 0.5 { // past that, Verifik's eight unsafe calls in a row rarely all pass
		for _, v := range []string{"verisoul", "iproov", "verifik"} {
			assert.Positive(t, done[v], "%s: some journeys complete despite the faults", v)
		}
	}
}

// TestSoakWithoutFaults proves the journeys themselves: with no fault every one of them
// completes, and the records match the clients' exactly.
func TestSoakWithoutFaults(t *testing.T) {
	for _, j := range soak(t, 60, 0) {
		assert.Equal(t, classCompleted, j.class, "journey %d (%s %s): %v %s", j.n, j.rig.name(), j.kind, j.err, j.reason)
	}
}

// soak runs n journeys with rate of the vendor calls faulted, checks every invariant and
// returns the journeys.
func soak(t *testing.T, n int, rate float64) []*journey {
	goroutinesBefore := runtime.NumGoroutine()
	ctx := t.Context()

	rigs := []rig{newVerisoulRig(t, *seedFlag), newIProovRig(t, *seedFlag+1)}
	if r := newVerifikRig(t, *seedFlag+2); r != nil {
		rigs = append(rigs, r)
	}
	var js []*journey
	for i := 0; i < n; i++ {
		r := rigs[i%len(rigs)]
		kinds := r.kinds()
		js = append(js, &journey{n: i, rig: r, kind: kinds[(i/len(rigs))%len(kinds)]})
	}

	// Load phase: every journey with the faults on.
	for _, r := range rigs {
		require.NoError(t, r.faults().Set(faultMix(rate, httpDateRetryAfter[r.name()])...))
		r.wire().attempts.Store(0)
		r.wire().retries.Store(0)
		r.wire().recording.Store(true)
	}
	start := time.Now()
	jobs := make(chan *journey)
	var wg sync.WaitGroup
	for range *workersFlag {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				runJourney(ctx, j)
			}
		}()
	}
	for _, j := range js {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	loadTime := time.Since(start)
	injected := map[string]int{}
	for _, r := range rigs {
		r.wire().recording.Store(false)
		r.wire().loadAttempts, r.wire().loadRetries = r.wire().attempts.Load(), r.wire().retries.Load()
		for k, n := range r.faults().Counts() {
			injected[k] += n
		}
		r.faults().Clear()
	}

	// Every journey ended completed or with a typed error that says what to do.
	for _, j := range js {
		assert.Empty(t, j.panic, "journey %d (%s %s) panicked", j.n, j.rig.name(), j.kind)
		if j.class == classUntyped {
			t.Errorf("journey %d (%s %s) ended with an untyped error: %v", j.n, j.rig.name(), j.kind, j.err)
		}
	}

	// Reconciliation, then the records: nothing duplicated, nothing lost.
	checks := map[string]recordCheck{}
	for _, r := range rigs {
		var mine []*journey
		for _, j := range js {
			if j.rig == r {
				mine = append(mine, j)
			}
		}
		r.reconcile(ctx, t, mine)
		c := r.check(ctx, t, mine)
		c.unsafeTwice = r.wire().unsafeTwice()
		checks[r.name()] = c
		assert.Empty(t, c.duplicated, "%s: duplicated %s", r.name(), c.what)
		assert.Empty(t, c.lost, "%s: %s the emulator recorded that the client neither reported nor reconciled", r.name(), c.what)
		assert.Empty(t, c.phantom, "%s: %s the client reported that the emulator never recorded", r.name(), c.what)
		assert.Empty(t, c.unsafeTwice, "%s: unsafe requests that reached the vendor twice", r.name())
		assert.Equal(t, c.recorded, c.reported+c.reconciled, "%s: recorded %s = reported + reconciled", r.name(), c.what)
		r.wire().mu.Lock()
		assert.NotContains(t, r.wire().serverLog.String(), "panic", "%s: the server recovered a panic", r.name())
		// Under faults the clients see drift and the statuses the injector sends, and
		// nothing else the specs do not allow.
		for rule, n := range r.wire().problems {
			if !strings.HasPrefix(rule, "drift: ") && rule != "undocumented-status" {
				t.Errorf("%s: %d contract problems %q: %v", r.name(), n, rule, r.wire().where[rule])
			}
		}
		r.wire().mu.Unlock()
	}

	report(t, rigs, js, checks, injected, rate, loadTime)

	// Nothing left running once the servers and the clients' connections are closed.
	for _, r := range rigs {
		r.wire().close()
	}
	assertNoGoroutineLeak(t, goroutinesBefore)
	return js
}

// runJourney runs one journey and classifies its end; a panic is caught and recorded.
func runJourney(ctx context.Context, j *journey) {
	defer func() {
		if p := recover(); p != nil {
			j.panic = fmt.Sprintf("%v\n%s", p, debug.Stack())
			j.class = classUntyped
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	j.err = j.rig.run(ctx, j)
	j.class, j.step = classify(j.rig, j.err)
	if j.err == nil && j.reason != "" {
		j.class = classDeclined
	}
}

// assertNoGoroutineLeak waits for the goroutine count to settle back to where it was
// before the soak (connections and timers wind down asynchronously), then fails with the
// stacks if it does not.
func assertNoGoroutineLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var now int
	for {
		now = runtime.NumGoroutine()
		if now <= before || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if now > before {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutine leak: %d before the soak, %d after\n%s", before, now, buf)
		return
	}
	t.Logf("goroutines: %d before, %d after", before, now)
}

// report prints the figures docs/RELIABILITY.md quotes.
func report(t *testing.T, rigs []rig, js []*journey, checks map[string]recordCheck, injected map[string]int, rate float64, loadTime time.Duration) {
	t.Helper()
	race := ""
	if raceEnabled {
		race = ", -race"
	}
	t.Logf("soak: %d journeys, %d workers, %.0f%% faults, seed %d, %s/%s, GOMAXPROCS %d%s: load phase %s (%.0f journeys/s)",
		len(js), *workersFlag, rate*100, *seedFlag, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), race,
		loadTime.Round(time.Millisecond), float64(len(js))/loadTime.Seconds())
	classes := []string{classCompleted, classDeclined, classRetryLater, classReconcile, classStartOver, classRejected, classRefused, classMalformed, classUntyped}
	for _, r := range rigs {
		byKind := map[string]map[string]int{}
		total := map[string]int{}
		steps := map[string]int{}
		recon := map[string]int{}
		n := 0
		for _, j := range js {
			if j.rig != r {
				continue
			}
			n++
			if byKind[j.kind] == nil {
				byKind[j.kind] = map[string]int{}
			}
			byKind[j.kind][j.class]++
			total[j.class]++
			if j.class != classCompleted && j.class != classDeclined {
				steps[j.class+" at "+j.step]++
			}
			if j.class == classReconcile {
				v := j.reconciled
				if v == "" {
					v = "cannot: " + j.why
				}
				recon[v]++
			}
		}
		w := r.wire()
		t.Logf("%s: %d journeys: %s; %d HTTP attempts, %d retries, %d unsafe requests reached the vendor, none twice: %v",
			r.name(), n, counts(total, classes), w.loadAttempts, w.loadRetries, w.unsafeArrivals(), len(checks[r.name()].unsafeTwice) == 0)
		for _, k := range r.kinds() {
			t.Logf("  %-28s %s", k, counts(byKind[k], classes))
		}
		t.Logf("  failing steps: %s", counts(steps, nil))
		t.Logf("  outcome-unknown reconciled: %s", counts(recon, nil))
		c := checks[r.name()]
		t.Logf("  %s: recorded %d = reported %d + reconciled %d; duplicated %d, lost %d, phantom %d",
			c.what, c.recorded, c.reported, c.reconciled, len(c.duplicated), len(c.lost), len(c.phantom))
		if c.note != "" {
			t.Logf("  %s", c.note)
		}
		w.mu.Lock()
		t.Logf("  contract problems reported (report mode): %s", counts(w.problems, nil))
		for rule, at := range w.where {
			t.Logf("    %s: %s", rule, counts(at, nil))
		}
		w.mu.Unlock()
	}
	t.Logf("faults injected: %s", counts(injected, nil))
}

// counts prints m in the order given, then any other keys sorted; zero counts of ordered
// keys are left out.
func counts(m map[string]int, order []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range order {
		seen[k] = true
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
