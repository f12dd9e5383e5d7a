// Package verisoultest emulates Verisoul Face Match and ID Check offline, for tests and demos.
//
// The emulator implements the strict server interfaces generated from
// api/verisoul/facematch.yaml and api/verisoul/idcheck.yaml, so it can only answer with
// shapes those specs describe, and its vendor routes sit behind the contract middleware in
// enforce mode, so a drift between emulator and spec fails loudly.
//
// It keeps sessions and enrolled accounts in memory and enforces what Verisoul documents:
// the x-api-key (401 on a wrong key), 300 requests per minute per key (429), every 400
// error code in its situation, the 30-day enrol window, one account per session, repeat
// faces and documents across enrolled accounts (matches, repeat_face, repeat_id) and 1:1
// matching by face.
//
// The end user's part — the hosted capture page — is emulated by Go helpers
// (CompleteAs, CompleteWithDocument, Fail, Start), by control endpoints under
// /_sandbox/verisoul/ and by a real page at AppPath, which takes the query of
// app.{env}.verisoul.ai (session_id, redirect_url, lng), lets a person or a browser test
// complete the capture as a named face (for ID Check with a chosen document) or fail it
// with any documented error_message, and redirects back the way the real page does.
// api/sandbox/verisoul.yaml describes the control endpoints and the page; the emulator
// holds every call to it and serves it at SpecPath. Verisoul's own sandbox switch, the
// simulate query parameter, is honoured too (a value it does not document leaves the
// session to the hosted page). The legacy verify-uniqueness and verify-document, which
// Verisoul replaced by verify-face and verify-id, answer from the same sessions in their
// own shapes. Faces are identified with sandbox.FaceOf: an image made by
// sandbox.FaceImage("alice") is alice, wherever it appears.
//
// Safe to leave running: every body is bounded (MaxBodyBytes on the API, 413 in
// Verisoul's gateway shape), every refusal of the contract middleware is an answer the
// spec documents for the operation, the control endpoints refuse cross-site requests
// (sandbox.GuardControl; WithAllowedHosts), and sessions are forgotten past
// SessionRetention and capped per project (WithMaxSessions, WithMaxRedirectSessions).
//
//	emu := verisoul.New()
//	srv := httptest.NewServer(emu.Handler())
//	defer srv.Close()
//	// point the client at srv.URL with verisoul.DefaultAPIKey, then:
//	emu.CompleteAs(sessionID, "alice")
package verisoultest

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

const (
	// DefaultAPIKey is the x-api-key of the emulator's default project.
	DefaultAPIKey = "sandbox-verisoul-api-key"
	// DefaultProjectID is the id of the emulator's default project.
	DefaultProjectID = "00000000-0000-4000-8000-000000000001"
	// AppPath is where the emulator serves its stand-in for the hosted capture page
	// (https://app.{env}.verisoul.ai/ in real life).
	AppPath = "/_sandbox/verisoul/app"
	// ControlPrefix is the root of the emulator's control endpoints.
	ControlPrefix = "/_sandbox/verisoul/"

	// EnrollWindow is how long after its creation a session can be enrolled.
	EnrollWindow = 30 * 24 * time.Hour
	// DefaultRateLimit is Verisoul's documented limit: requests per minute per API key.
	DefaultRateLimit = 300
)

// Product is the Verisoul product a session belongs to.
type Product string

const (
	FaceMatch Product = "face_match"
	IDCheck   Product = "id_check"
)

// State is where a session is in the end user's capture.
type State string

const (
	// Created: the backend has the session id; the user has not opened the page.
	Created State = "created"
	// Started: the user opened the hosted page and has not finished.
	Started State = "started"
	// Completed: the capture finished; verify calls answer with results.
	Completed State = "completed"
	// Failed: the capture ended with an error_message; the user needs a new session.
	Failed State = "failed"
)

// Project is one Verisoul project: its id, API key and settings.
type Project struct {
	ID     string
	APIKey string
	// GroupsEnabled marks a project with Multi-Accounting Groups, which Verisoul bars from
	// Face Match and ID Check (400 groups_enabled).
	GroupsEnabled bool
}

// Option configures an Emulator.
type Option func(*Emulator)

// WithClock sets the clock that stamps sessions and drives the enrol window and the rate
// limit (default time.Now). Tests pass a *sandbox.FakeClock's Now to cross the 30 days
// in an instant. The clients take the same option, so one fake clock drives both; nil
// keeps the default.
func WithClock(now func() time.Time) Option {
	return func(e *Emulator) {
		if now != nil {
			e.clock = sandbox.ClockFunc(now)
		}
	}
}

// WithAPIKey replaces the default project's API key.
func WithAPIKey(key string) Option { return func(e *Emulator) { e.defaultProject.APIKey = key } }

// WithProject adds a project (another tenant, or one with groups enabled). Sessions and
// accounts of one project are invisible to the others' keys.
func WithProject(p Project) Option {
	return func(e *Emulator) { e.extraProjects = append(e.extraProjects, p) }
}

// WithGroupsEnabled turns Multi-Accounting Groups on for the default project, so every
// session request answers 400 groups_enabled.
func WithGroupsEnabled() Option { return func(e *Emulator) { e.defaultProject.GroupsEnabled = true } }

// WithRateLimit sets how many keyed requests one API key may make per window
// (default 300 per minute, as Verisoul documents). n <= 0 disables the limit.
func WithRateLimit(n int, per time.Duration) Option {
	return func(e *Emulator) { e.limit, e.window = n, per }
}

// WithAppURL sets the hosted-page URL put in the Location of the public redirect
// (for example "https://app.sandbox.verisoul.ai/"). By default it is the emulator's own
// AppPath on whatever host the request reached, so a browser or test can follow it.
func WithAppURL(u string) Option { return func(e *Emulator) { e.appURL = u } }

// WithLogger receives contract problems of the emulator's own answers and control errors.
func WithLogger(l *slog.Logger) Option { return func(e *Emulator) { e.log = l } }

// WithOnProblem receives every contract problem the middleware finds in the
// emulator's traffic, drift included (tests assert there are none).
func WithOnProblem(f func(*contract.Error)) Option {
	return func(e *Emulator) { e.onProblem = f }
}

// WithFaultSeed seeds the fault injector (see Faults) so injected faults repeat.
func WithFaultSeed(seed uint64) Option { return func(e *Emulator) { e.faultSeed = seed } }

// WithAllowedHosts names Host values, beyond loopback and the server's own address, that
// may reach the control endpoints (for example a docker service name). Every other Host
// is refused there, so a web page cannot drive the sandbox through DNS rebinding.
func WithAllowedHosts(hosts ...string) Option {
	return func(e *Emulator) { e.allowHosts = append(e.allowHosts, hosts...) }
}

// Emulator is an in-memory Verisoul. It is safe for concurrent use.
type Emulator struct {
	clock          sandbox.Clock
	defaultProject Project
	extraProjects  []Project
	limit          int
	window         time.Duration
	appURL         string
	log            *slog.Logger
	faultSeed      uint64
	onProblem      func(*contract.Error)
	allowHosts     []string

	maxSessions, maxRedirectSessions int

	fmSpec, idcSpec *contract.Spec
	ctlSpec         *contract.Spec // api/sandbox/verisoul.yaml: the control endpoints and the page
	faults          *sandbox.Faults
	calls           *sandbox.CallLog // recent calls, for the dashboard (Inspect)
	handler         http.Handler

	// mu guards the state below; verify calls (the 1:N reads) take it shared, so they
	// run in parallel and wait only for writes (sessions created, captured, enrolled).
	mu       sync.RWMutex
	projects map[string]*project // by project id
	byKey    map[string]*project
	sessions map[string]*session
	hits     map[string][]time.Time // rate-limit log per known API key, at most limit entries each
	evicted  int
}

type project struct {
	Project
	accounts map[string]*account
	gallery  gallery // the enrolled sessions indexed for links
	// keyed and redirects hold the unenrolled sessions created with the API key and by
	// the public redirect, each under its own cap.
	keyed, redirects *pool
}

// account is an enrolled account: every session tied to it.
type account struct {
	id       string
	sessions []*session
}

type session struct {
	id         string
	project    *project
	product    Product
	created    time.Time
	referring  string
	simulate   string
	state      State
	failure    string // hosted page error_message when Failed
	face       string
	document   *sandbox.Document
	ip         string
	noCompare  bool // verify-identity answers success=false
	accountID  string
	enrolledAt time.Time
	updated    time.Time // last change of state, for the dashboard

	// Where the session is filed while unenrolled (see pool); nil once enrolled.
	pool *pool
	list *list.List
	elem *list.Element
}

// New returns an emulator with one default project (DefaultProjectID, DefaultAPIKey).
func New(opts ...Option) *Emulator {
	e := &Emulator{
		clock:               sandbox.SystemClock(),
		defaultProject:      Project{ID: DefaultProjectID, APIKey: DefaultAPIKey},
		limit:               DefaultRateLimit,
		window:              time.Minute,
		log:                 slog.New(slog.DiscardHandler),
		faultSeed:           1,
		maxSessions:         DefaultMaxSessions,
		maxRedirectSessions: DefaultMaxRedirectSessions,
		projects:            map[string]*project{},
		byKey:               map[string]*project{},
		sessions:            map[string]*session{},
		hits:                map[string][]time.Time{},
	}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	for _, p := range append([]Project{e.defaultProject}, e.extraProjects...) {
		if _, err := uuid.Parse(p.ID); err != nil || len(p.ID) != 36 {
			panic("verisoul sandbox: project id must be a UUID")
		}
		pr := &project{Project: p, accounts: map[string]*account{}, gallery: newGallery(),
			keyed: newPool(e.maxSessions, false), redirects: newPool(e.maxRedirectSessions, true)}
		e.projects[strings.ToLower(p.ID)] = pr
		if p.APIKey != "" {
			e.byKey[p.APIKey] = pr
		}
	}
	kit := contract.Default()
	e.fmSpec, e.idcSpec = kit.Spec("verisoul/facematch"), kit.Spec("verisoul/idcheck")
	e.ctlSpec = kit.Spec(ControlsSpec)
	e.faults = sandbox.NewFaults(e.faultSeed, e.operationOf)
	e.faults.AllowHosts(e.allowHosts...)
	// Injected 5xx and 429 answers carry the gateway body Verisoul answers 429 with.
	e.faults.SetErrorBody(func(status int) any { return gatewayBody(status) })
	e.faults.SetDocumented(func(op string, status int) bool {
		return e.fmSpec.Documents(op, status) || e.idcSpec.Documents(op, status)
	})
	e.calls = sandbox.NewCallLog(0, e.clock, e.operationOf)
	e.handler = e.buildHandler()
	return e
}

// Handler serves the Verisoul API (both products, one host as in real life), the hosted
// page stand-in at AppPath, the control endpoints under ControlPrefix and the fault
// control endpoint at sandbox.ControlPath.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Faults is the emulator's fault injector: set rules to make calls fail, slow down or
// drift (see sandbox.FaultRule).
func (e *Emulator) Faults() *sandbox.Faults { return e.faults }

// APIKey is the default project's API key.
func (e *Emulator) APIKey() string { return e.defaultProject.APIKey }

// ProjectID is the default project's id (needed by the public redirect).
func (e *Emulator) ProjectID() string { return e.defaultProject.ID }

type ctxKey struct{}

// withRequest hands the HTTP request to the strict handlers, which need its API key and host.
func withRequest(f facematch.StrictHandlerFunc, _ string) facematch.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		return f(context.WithValue(ctx, ctxKey{}, r), w, r, req)
	}
}

func withRequestIDC(f idcheck.StrictHandlerFunc, _ string) idcheck.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		return f(context.WithValue(ctx, ctxKey{}, r), w, r, req)
	}
}

func requestOf(ctx context.Context) *http.Request {
	r, _ := ctx.Value(ctxKey{}).(*http.Request)
	return r
}

func (e *Emulator) buildHandler() http.Handler {
	api := &server{e: e}
	// A missing x-api-key reaches the handlers, which answer 401 as Verisoul's gateway does.
	// Every answer the middleware makes itself is in Verisoul's shape too (see refuse).
	mwOpts := contract.MiddlewareOptions{Mode: contract.ModeEnforce, Logger: e.log, OnProblem: e.onProblem,
		ServeMissingCredentials: true, MaxBodyBytes: MaxBodyBytes, Refuse: e.refuse}
	fm := contract.Middleware(mwOpts, e.fmSpec)(facematch.HandlerWithOptions(
		facematch.NewStrictHandler(api, []facematch.StrictMiddlewareFunc{withRequest}),
		facematch.StdHTTPServerOptions{BaseRouter: http.NewServeMux()}))
	idc := contract.Middleware(mwOpts, e.idcSpec)(idcheck.HandlerWithOptions(
		idcheck.NewStrictHandler(api, []idcheck.StrictMiddlewareFunc{withRequestIDC}),
		idcheck.StdHTTPServerOptions{BaseRouter: http.NewServeMux()}))
	vendor := e.faults.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isIDCheck(r) {
			idc.ServeHTTP(w, r)
			return
		}
		fm.ServeHTTP(w, r)
	}))
	// Everything under /_sandbox/ is described by api/sandbox/verisoul.yaml and held to it.
	// The guard comes first, so a cross-site or non-JSON request is refused (403, 415)
	// before its body is looked at; faults.Wrap serves the fault control endpoint.
	controls := e.controlsMiddleware()
	control := sandbox.GuardControl(controls(e.faults.Wrap(e.controlHandler())), e.allowHosts...)
	// A page a browser navigates to from the integrator's site: no Origin to check, and a
	// Host check would add nothing (any page can navigate the browser here under the real
	// name). Its own changes go through the guarded JSON endpoints.
	app := controls(e.appHandler())
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isApp(r.URL.Path):
			if r.URL.Path != AppPath { // AppPath+"/": the same page
				r2 := *r
				r2.URL = new(url.URL)
				*r2.URL = *r.URL
				r2.URL.Path = AppPath
				r = &r2
			}
			app.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, "/_sandbox/"):
			control.ServeHTTP(w, r)
		default:
			vendor.ServeHTTP(w, r)
		}
	})
	return e.namingOperation(e.calls.Wrap(root))
}

// opKey carries a request's operation, named once before the call is served (the enrol
// body is peeked at then), to the fault injector and the call log.
type opKey struct{}

// namingOperation names the operation (see opKey) and bounds the body at its route's
// limit with the server's own ResponseWriter. The inner bounds (contract middleware,
// limitBody) see the CallLog's writer, through which http.MaxBytesReader cannot tell the
// server that the limit was hit; without that, a client still streaming a huge chunked
// body gets its connection reset instead of the 413. This bound trips first (it is never
// larger than an inner one), so the server closes the connection gracefully.
func (e *Emulator) namingOperation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := ""
		if !strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			op = e.operationOf(r)
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, bodyBound(r))
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), opKey{}, op)))
	})
}

// bodyBound is the body limit of r's route: the same as the contract middleware's and
// limitBody's for that route.
func bodyBound(r *http.Request) int64 {
	switch p := r.URL.Path; {
	case !strings.HasPrefix(p, "/_sandbox/"):
		return MaxBodyBytes
	case p == sandbox.ControlPath:
		return faultControlBodyBytes
	case strings.HasPrefix(p, ControlPrefix+"sessions/") && strings.HasSuffix(p, "/complete"):
		return controlImageBodyBytes
	}
	return controlBodyBytes
}

// isIDCheck routes a request to the ID Check spec: verify-id, the legacy verify-document,
// and the shared session and redirect paths when they carry the id flag. Enroll is the same call in both products
// and is served by the Face Match side.
func isIDCheck(r *http.Request) bool {
	switch r.URL.Path {
	case "/liveness/verify-id", "/liveness/verify-document":
		return true
	case "/liveness/session", "/public/liveness-redirect":
		return r.URL.Query().Has("id")
	}
	return false
}

// enrollPeekBytes bounds how much of an enrol body the fault injector reads to learn the
// session's product; an enrol body is a few dozen bytes.
const enrollPeekBytes = 4 << 10

// operationOf names a request's operation for the fault injector. POST /liveness/enroll
// is one server path for both products; it is named after the product of the session it
// enrols (enrollIDCheck for an ID Check session, enrollFaceMatch otherwise), so a rule
// keyed by either spec's name fires on that product's enrolments only.
func (e *Emulator) operationOf(r *http.Request) string {
	if op, ok := r.Context().Value(opKey{}).(string); ok {
		return op
	}
	spec := e.fmSpec
	if isIDCheck(r) {
		spec = e.idcSpec
	}
	op, _ := spec.FindOperation(r)
	if op == "enrollFaceMatch" && e.enrollsIDCheck(r) {
		return "enrollIDCheck"
	}
	return op
}

// enrollsIDCheck peeks at an enrol body (at most enrollPeekBytes, put back for the
// handler) and reports whether its session_id names an ID Check session.
func (e *Emulator) enrollsIDCheck(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength > enrollPeekBytes {
		return false
	}
	peek, err := io.ReadAll(io.LimitReader(r.Body, enrollPeekBytes+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), r.Body), r.Body}
	if err != nil || len(peek) > enrollPeekBytes {
		return false
	}
	var body struct {
		SessionID string `json:"session_id"`
	}
	if json.Unmarshal(peek, &body) != nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[strings.ToLower(body.SessionID)]
	return ok && s.product == IDCheck
}

// authorize resolves the request's API key to its project and applies the rate limit.
// It returns the status to answer (401 or 429) when the call may not proceed.
func (e *Emulator) authorize(ctx context.Context) (*project, int) {
	r := requestOf(ctx)
	if r == nil {
		return nil, http.StatusUnauthorized
	}
	key := r.Header.Get("x-api-key")
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.byKey[key]
	if !ok || key == "" {
		return nil, http.StatusUnauthorized
	}
	if e.limit > 0 {
		now := e.clock.Now()
		log := e.hits[key]
		cut := 0
		for cut < len(log) && !log[cut].After(now.Add(-e.window)) {
			cut++
		}
		log = log[cut:]
		if len(log) >= e.limit {
			e.hits[key] = log
			return nil, http.StatusTooManyRequests
		}
		e.hits[key] = append(log, now)
	}
	return p, 0
}
