// Package iproovtest emulates iProov's REST API v2 (the claim API) for tests and demos: the
// Service API (enrol and verify claim tokens, photo enrol, validation, invalidation), the
// OAuth access token, the Management API (users) and availability.
//
// The emulator implements the strict server interface generated from api/iproov/claim.yaml,
// so it cannot answer a shape the spec does not document, and every vendor route runs
// through contract.Middleware in enforce mode, whose own refusals (400, 404, 413, 500)
// answer in iProov's error envelope with statuses the spec documents. Every request body
// is bounded (MaxBodyBytes; a photo-enrol image by iProov's 2 MB). State
// lives in memory behind a mutex, bounded: claims and access tokens leave when iProov
// would end them and caps bound the rest (ClaimMemory, WithMaxClaims,
// WithMaxAccessTokens); time comes from an injectable sandbox.Clock.
//
// The control endpoints answer programs only: a cross-origin request, a Host name that
// is not loopback, the server's own address or one of WithAllowedHosts, and a body that
// is not JSON are refused (sandbox.GuardControl), so a web page cannot drive them.
//
// What happens in the end user's browser or app - launching the iProov SDK with a claim
// token and showing a face - is simulated with [Emulator.Capture] (or the control endpoint
// POST /_sandbox/iproov/claims/{token}/capture). Faces come from helper-made images
// (sandbox.FaceImage("alice")) or any image bytes. In a real browser, the emulator serves
// a stand-in of iProov's Web SDK at SDKScriptPath: the <iproov-me> element with iProov's
// attributes, slots and events, whose small UI plays the end user (pass as a face, fail
// with a feedback code, error, cancel); a page swaps the SDK's script URL for it and
// runs unchanged. SDKDemoPath is a page that runs a whole claim for a person.
//
// The controls are described in api/sandbox/iproov.yaml (served at ControlsSpecPath) and
// held to it: a body that breaks it is answered 400 with what the control expects.
// Inspect shows the emulator on the sandbox dashboard.
//
// Rules enforced, as iProov documents them: tokens are 64 hex characters, must be claimed
// within 2 minutes and are bound to a user, a claim type, an assurance type and a risk
// profile; validation is one-shot; wrong api_key/secret answers 401 invalid_key; an
// assurance type the service provider lacks answers 403; already_enrolled, no_user,
// inactive_user, invalid_validation, invalid_token, invalid_source, invalid_enrol_image;
// OAuth Basic credentials, scopes and the 1 hour / 50 uses life of access tokens; 429 with
// Retry-After past a configurable rate.
package iproovtest

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Sandbox defaults. Credentials have iProov's shapes (40 lowercase alphanumeric
// characters for the key and secret) so client-side checks see realistic values.
const (
	DefaultAPIKey        = "idvkitsandboxapikey000000000000000000000"
	DefaultSecret        = "idvkitsandboxsecret000000000000000000000"
	DefaultOAuthUsername = "idvkit-sandbox"
	DefaultOAuthPassword = "idvkit-sandbox-password"
)

// iProov's documented limits.
const (
	// ClaimWindow is how long a claim token may wait before it is claimed.
	ClaimWindow = 2 * time.Minute
	// AccessTokenLife and AccessTokenUses bound an OAuth access token, whichever ends first.
	AccessTokenLife = time.Hour
	AccessTokenUses = 50
	// MaxImageBytes caps a photo-enrol image.
	MaxImageBytes = 2 << 20
)

// BasePath is where the emulator serves the vendor routes, as iProov's hosts do.
const BasePath = "/api/v2"

// ControlPrefix is where the emulator serves its end-user and test controls.
const ControlPrefix = "/_sandbox/iproov/"

// Scopes of the Management API.
const (
	ScopeUserRead        = "user-read"
	ScopeUserWrite       = "user-write"
	ScopeUserWriteStatus = "user-write-status"
)

// NoFace is a face name whose images hold no usable face: photo enrol answers
// success=false for them, and a capture showing it fails liveness.
const NoFace = "no-face"

// Option configures an Emulator.
type Option func(*config)

type config struct {
	clock       sandbox.Clock
	apiKey      string
	secret      string
	oauthUser   string
	oauthPass   string
	assurance   map[claim.AssuranceType]bool
	profiles    map[string]bool
	scopes      []string
	rateN       int
	ratePer     time.Duration
	frames      bool
	logger      *slog.Logger
	onProblem   func(*contract.Error)
	faultSeed   uint64
	unavailable bool
	others      []ServiceProvider
	maxClaims   int
	maxTokens   int
	allowHosts  []string
}

// WithClock sets the clock (default time.Now); tests pass a *sandbox.FakeClock's Now to
// cross the 2 minute claim window and the access token's hour. The clients take the same
// option, so one fake clock drives both; nil keeps the default.
func WithClock(now func() time.Time) Option {
	return func(cfg *config) {
		if now != nil {
			cfg.clock = sandbox.ClockFunc(now)
		}
	}
}

// WithCredentials sets the service provider's api_key and secret.
func WithCredentials(apiKey, secret string) Option {
	return func(cfg *config) { cfg.apiKey, cfg.secret = apiKey, secret }
}

// ServiceProvider is another iProov service provider (tenant) on the emulated platform,
// as iProov's multi-tenant regions host many: its own credentials, claims, users and
// access tokens, none of which the other service providers can see or use.
type ServiceProvider struct {
	APIKey, Secret               string
	OAuthUsername, OAuthPassword string
}

// WithServiceProvider adds a service provider next to the default one (whose
// credentials WithCredentials and WithOAuthCredentials set). User ids are per service
// provider: both may enrol "alice" without either learning of the other's. Settings
// (assurance types, risk profiles, scopes, rate limit) are the platform's, shared.
func WithServiceProvider(sp ServiceProvider) Option {
	return func(cfg *config) { cfg.others = append(cfg.others, sp) }
}

// WithOAuthCredentials sets the OAuth username and password accepted by
// POST /{api_key}/access_token.
func WithOAuthCredentials(username, password string) Option {
	return func(cfg *config) { cfg.oauthUser, cfg.oauthPass = username, password }
}

// WithAssuranceTypes sets the assurance types enabled for the service provider (default
// both). Asking for another, or omitting it when genuine_presence is not enabled, answers
// 403 invalid_assurance_type. It takes the client's iproov.AssuranceType, the type a
// caller already holds.
func WithAssuranceTypes(types ...iproov.AssuranceType) Option {
	return func(cfg *config) {
		cfg.assurance = map[claim.AssuranceType]bool{}
		for _, t := range types {
			cfg.assurance[claim.AssuranceType(t)] = true
		}
	}
}

// WithRiskProfiles enables risk profiles with these names. Once enabled a token request
// must name one of them; without this option any risk_profile answers 400
// invalid_risk_appetite.
func WithRiskProfiles(names ...string) Option {
	return func(cfg *config) {
		cfg.profiles = map[string]bool{}
		for _, n := range names {
			cfg.profiles[n] = true
		}
	}
}

// WithOAuthScopes sets the scopes the service provider's OAuth client has (default all
// three).
func WithOAuthScopes(scopes ...string) Option {
	return func(cfg *config) { cfg.scopes = append([]string(nil), scopes...) }
}

// WithRateLimit allows n token requests (enrol and verify together) per window; past it
// the token endpoints answer 429 too_many_requests with Retry-After. n = 0 (the default)
// means no limit.
func WithRateLimit(n int, per time.Duration) Option {
	return func(cfg *config) { cfg.rateN, cfg.ratePer = n, per }
}

// WithFrames turns on iProov's frame-return feature: validations carry frame_available
// and the captured image as frame.
func WithFrames() Option { return func(cfg *config) { cfg.frames = true } }

// WithLogger sets the logger of the contract middleware (default: discard).
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithOnProblem receives every contract problem the middleware finds in the emulator's
// traffic: tests assert it is never called.
func WithOnProblem(f func(*contract.Error)) Option { return func(cfg *config) { cfg.onProblem = f } }

// WithFaultSeed seeds the fault injector (see Emulator.Faults) so runs repeat.
func WithFaultSeed(seed uint64) Option { return func(cfg *config) { cfg.faultSeed = seed } }

// WithAllowedHosts names extra Host names (a docker service name, say) from which the
// control endpoints may be used. Loopback and the server's own address always may; any
// other name is refused, so a web page cannot reach the controls through DNS rebinding
// (see sandbox.GuardControl).
func WithAllowedHosts(hosts ...string) Option {
	return func(cfg *config) { cfg.allowHosts = append(cfg.allowHosts, hosts...) }
}

// Emulator is an in-memory iProov service provider (more with WithServiceProvider). It is
// safe for concurrent use.
type Emulator struct {
	cfg      config
	spec     *contract.Spec
	controls *contract.Spec // api/sandbox/iproov.yaml, the controls' own spec
	faults   *sandbox.Faults
	calls    *sandbox.CallLog
	handler  http.Handler
	examples map[string]map[int]example // documented answers, for FailNext

	mu       sync.Mutex
	claims   map[string]*claimRec
	users    map[userKey]*userRec
	tokens   map[string]*accessRec
	cq       claimQueues // when each claim expires or is forgotten
	tq       tokenQueues // when each access token is forgotten
	gen      uint64      // last generation given to a claim's state
	window   rateWindow
	failNext map[string][]int // operationId → statuses to answer next, in order
	down     bool

	issuedClaims, issuedTokens int // since New or Reset, for Stats
}

type claimState int

const (
	claimIssued    claimState = iota // waiting for the SDK (or for enrol/image)
	claimStreaming                   // the SDK claimed it; the capture has not finished
	claimCaptured                    // the capture finished; waiting for validate
	claimSpent                       // validated, or used by enrol/image
	claimAborted                     // invalidated
)

// userKey names a user within its service provider (sp is the provider's api_key).
type userKey struct{ sp, id string }

type claimRec struct {
	sp          string // the service provider's api_key
	token       string
	kind        claim.ClaimType
	userID      string
	assurance   claim.AssuranceType
	riskProfile string
	issued      time.Time
	updated     time.Time // when the state last changed, for the dashboard
	state       claimState
	gen         uint64 // changes as the claim is claimed and ended; see claimQueues

	// What the end user showed.
	face      string
	image     []byte
	liveFail  string // liveness failure reason; "" passed
	abortText string
}

type userRec struct {
	sp        string
	id        string
	name      string
	status    claim.UserStatus
	face      string
	activated *time.Time
	suspended *time.Time
}

type accessRec struct {
	sp     string
	scopes map[string]bool
	issued time.Time
	uses   int
}

type rateWindow struct {
	start time.Time
	n     int
}

// New returns an emulator with the sandbox defaults, changed by opts.
func New(opts ...Option) *Emulator {
	cfg := config{
		clock:     sandbox.SystemClock(),
		apiKey:    DefaultAPIKey,
		secret:    DefaultSecret,
		oauthUser: DefaultOAuthUsername,
		oauthPass: DefaultOAuthPassword,
		assurance: map[claim.AssuranceType]bool{claim.GenuinePresence: true, claim.Liveness: true},
		scopes:    []string{ScopeUserRead, ScopeUserWrite, ScopeUserWriteStatus},
		faultSeed: 1,
		maxClaims: DefaultMaxClaims,
		maxTokens: DefaultMaxAccessTokens,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	e := &Emulator{
		cfg:      cfg,
		spec:     contract.Default().Spec("iproov/claim"),
		controls: contract.Default().Spec(ControlsSpec),
		claims:   map[string]*claimRec{},
		users:    map[userKey]*userRec{},
		tokens:   map[string]*accessRec{},
		failNext: map[string][]int{},
	}
	e.faults = sandbox.NewFaults(cfg.faultSeed, func(r *http.Request) string {
		op, _ := e.spec.FindOperation(r)
		return op
	})
	// Injected 5xx and 429 answers carry iProov's own error bodies, so clients decode
	// them as they would the real ones.
	e.faults.SetErrorBody(func(status int) any {
		if status == http.StatusTooManyRequests {
			return claim.RateLimitExceededResponse{Error: claim.RateLimitCodeTooManyRequests, ErrorDescription: "Too many requests"}
		}
		return claim.ServerErrorResponse{Error: claim.ServerErrorCodeServerError, ErrorDescription: "An unexpected error occurred"}
	})
	e.faults.SetDocumented(e.spec.Documents)
	e.calls = sandbox.NewCallLog(0, cfg.clock, e.operationOf)
	e.faults.AllowHosts(cfg.allowHosts...)
	e.examples = e.loadExamples()
	e.handler = e.buildHandler()
	return e
}

// Handler serves the vendor routes under /api/v2, the controls under /_sandbox/iproov/ and
// the shared fault controls at sandbox.ControlPath. A body over its operation's limit is
// refused with 413 before it is read, on every route.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Faults is the emulator's network fault injector (errors, 429, latency, drops,
// truncation, drift), shared with the other emulators' kit.
func (e *Emulator) Faults() *sandbox.Faults { return e.faults }

// APIKey and Secret return the service provider's credentials.
func (e *Emulator) APIKey() string { return e.cfg.apiKey }

// Secret returns the service provider's API secret.
func (e *Emulator) Secret() string { return e.cfg.secret }

// OAuthCredentials returns the OAuth username and password.
func (e *Emulator) OAuthCredentials() (username, password string) {
	return e.cfg.oauthUser, e.cfg.oauthPass
}

func (e *Emulator) buildHandler() http.Handler {
	strict := claim.NewStrictHandlerWithOptions(&server{e: e},
		[]claim.StrictMiddlewareFunc{withRequest},
		claim.StrictHTTPServerOptions{
			RequestErrorHandlerFunc:  e.requestError,
			ResponseErrorHandlerFunc: e.responseError,
		})
	vendor := claim.HandlerWithOptions(strict, claim.StdHTTPServerOptions{
		BaseURL:          BasePath,
		ErrorHandlerFunc: e.requestError,
	})
	checked := contract.Middleware(contract.MiddlewareOptions{
		Mode:         contract.ModeEnforce,
		Logger:       e.cfg.logger,
		OnProblem:    e.cfg.onProblem,
		MaxBodyBytes: MaxBodyBytes,
		Refuse:       e.refuse,
	}, e.spec)(e.injectFailures(vendor))
	// The rules layer and the control endpoints read bodies before the enforcing
	// middleware does: the same middleware, validating nothing, bounds them first with
	// the same limits, so there is one limit per operation and one 413.
	bounded := contract.Middleware(contract.MiddlewareOptions{
		Mode:         contract.ModeOff,
		MaxBodyBytes: MaxBodyBytes,
		Refuse:       e.refuse,
	}, e.spec)

	// The controls answer to their own spec, api/sandbox/iproov.yaml, in enforce mode:
	// a body that breaks it is answered 400 with what the control expects.
	controls := contract.Middleware(contract.MiddlewareOptions{
		Mode:         contract.ModeEnforce,
		Logger:       e.cfg.logger,
		OnProblem:    e.cfg.onProblem,
		MaxBodyBytes: MaxBodyBytes,
		Refuse:       e.refuseControl,
	}, e.controls)
	checkedControls := controls(e.controlHandler())
	guarded := sandbox.GuardControl(checkedControls, e.cfg.allowHosts...)
	// The SDK's files are loaded by the integrator's page, from its origin: they stay
	// outside the guard, and change nothing. The spec describes them, but the contract
	// kit validates JSON, YAML and form bodies, not scripts and HTML: they are bounded,
	// not checked.
	files := bounded(http.HandlerFunc(e.serveSDK))

	mux := http.NewServeMux()
	mux.Handle(ControlPrefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isSDKFile(r) {
			files.ServeHTTP(w, r)
			return
		}
		guarded.ServeHTTP(w, r)
	}))
	mux.Handle(ControlsSpecPath, checkedControls)
	mux.Handle("/", bounded(e.vendorRules(checked)))
	faulty := e.faults.Wrap(mux)
	// The fault control endpoint is served inside Wrap; the controls spec describes it
	// (api/sandbox/faults.yaml) and bounds its body, behind the same guard, so a
	// refused request is refused (403, 415) before its body is judged.
	faultControl := sandbox.GuardControl(controls(faulty), e.cfg.allowHosts...)
	return e.calls.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == sandbox.ControlPath {
			faultControl.ServeHTTP(w, r)
			return
		}
		faulty.ServeHTTP(w, r)
	}))
}

// isSDKFile tells a GET of the Web SDK stand-in's files.
func isSDKFile(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(r.URL.Path, ControlPrefix+"sdk/")
}

// operationOf names a call for the call log: the operationId of the vendor spec or of
// the controls spec, "" for a route neither knows.
func (e *Emulator) operationOf(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		op, _ := e.controls.FindOperation(r)
		return op
	}
	op, _ := e.spec.FindOperation(r)
	return op
}

// Calls is the emulator's log of recent calls (the dashboard shows it through Inspect).
func (e *Emulator) Calls() *sandbox.CallLog { return e.calls }

type requestKey struct{}

// withRequest hands the raw request to the handlers: credentials of the Management API
// travel in headers the generated request objects do not carry.
func withRequest(f claim.StrictHandlerFunc, _ string) claim.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		return f(context.WithValue(ctx, requestKey{}, r), w, r, req)
	}
}

func requestOf(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return r
}

// requestError answers a request the generated code could not bind. The contract
// middleware rejects malformed requests first, so this is a last resort in iProov's shape.
func (e *Emulator) requestError(w http.ResponseWriter, r *http.Request, _ error) {
	sandbox.WriteJSON(w, http.StatusBadRequest, claim.ClientErrorResponse{
		Error: claim.ClientErrorCodeInvalidRequest, ErrorDescription: "The request could not be read",
	})
}

func (e *Emulator) responseError(w http.ResponseWriter, r *http.Request, _ error) {
	sandbox.WriteJSON(w, http.StatusInternalServerError, claim.ServerErrorResponse{
		Error: claim.ServerErrorCodeServerError, ErrorDescription: "An unexpected error occurred",
	})
}

// Reset forgets every claim, user and access token, zeroes the Stats counts and clears
// queued failures and faults.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.claims = map[string]*claimRec{}
	e.users = map[userKey]*userRec{}
	e.tokens = map[string]*accessRec{}
	e.cq, e.tq = claimQueues{}, tokenQueues{}
	e.issuedClaims, e.issuedTokens = 0, 0
	e.window = rateWindow{}
	e.failNext = map[string][]int{}
	e.down = false
	e.mu.Unlock()
	e.faults.Clear()
}

func (e *Emulator) now() time.Time { return e.cfg.clock.Now().UTC() }

// provider returns the service provider that apiKey names ("" when none does).
func (e *Emulator) provider(apiKey string) (ServiceProvider, bool) {
	for _, sp := range e.providers() {
		if apiKey != "" && sp.APIKey == apiKey {
			return sp, true
		}
	}
	return ServiceProvider{}, false
}

func (e *Emulator) providers() []ServiceProvider {
	return append([]ServiceProvider{{APIKey: e.cfg.apiKey, Secret: e.cfg.secret, OAuthUsername: e.cfg.oauthUser, OAuthPassword: e.cfg.oauthPass}}, e.cfg.others...)
}

// credentials returns the service provider (its api_key) the api_key and secret belong to.
func (e *Emulator) credentials(apiKey, secret string) (string, bool) {
	sp, ok := e.provider(apiKey)
	if !ok || sp.Secret != secret {
		return "", false
	}
	return sp.APIKey, true
}

func (e *Emulator) validCredentials(apiKey, secret string) bool {
	_, ok := e.credentials(apiKey, secret)
	return ok
}

func trimmed(s string) string { return strings.TrimSpace(s) }
