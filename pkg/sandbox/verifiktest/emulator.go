// Package verifiktest emulates Verifik Smart Enroll offline, for tests and demos.
//
// The emulator implements the strict server interface generated from
// api/verifik/smartenroll.yaml, so it can only answer with statuses and shapes the spec
// documents for each operation, and its vendor routes sit behind the contract middleware
// in enforce mode, so a drift between emulator and spec fails loudly.
//
// It keeps projects, flows and registrants in memory and enforces what Verifik documents:
//
//   - which token each operation takes: the client token for setup and reviews, the
//     app-registration token for a registrant's steps — and a registrant's token cannot
//     read or act on another registrant (401 without a valid token, 403 with the wrong one);
//   - email and phone OTPs with expiry (412) and mismatch (403), the project's
//     demoMode/demoOTP, and an outbox (Outbox, LastCode and GET /_sandbox/verifik/outbox)
//     standing in for the registrant's mailbox and phone;
//   - document OCR of helper-made documents (sandbox.DocumentImage: names, number, face;
//     forged or expired documents fail), one document per registrant unless force;
//   - selfie liveness against the flow's livenessMinScore (409 liveness_failed@score), a
//     duplicate search across the project's registrants (409 person_already_set unless
//     force), person creation, and the document-vs-selfie face compare score;
//   - sync rules: skipKYC only when no KYC step is mandatory, signUpForm requires the OTPs
//     the flow asks for, end COMPLETED requires every mandatory step, a skipped step is
//     not supported (500 step_not_supported);
//   - name validation and criminal check with deterministic outcomes: the issuer registry
//     holds the names printed on the helper document, and the criminal databases hold
//     the last names of the watchlist (WithWatchlist).
//
// It is safe to leave running (idvkit sandbox serve): every request body is bounded
// (413 before an oversize body is read; 16 MiB for documents, 8 MiB for selfies, 4 MiB
// otherwise), the middleware's own refusals answer in Verifik's error body with a status
// the operation documents (409 for a request that breaks the spec, 404 ResourceNotFound
// for an unknown route), the control endpoints answer only same-origin requests addressed
// to loopback, the server's own address or WithAllowedHosts, with JSON bodies, and what
// it holds is capped (DefaultMaxRegistrations and the other limits; expired codes are
// forgotten on the clock). Stats counts what it holds.
//
// Webhooks: the webhook resource (/v2/webhooks) is kept like the rest, and each step's
// event is POSTed to the URL of the active webhook its flow names, in order, on the
// emulator's clock, with retries (DefaultWebhookRetries), faults (SetWebhookFaults) and a
// log (Deliveries, GET /_sandbox/verifik/deliveries); only loopback and WithWebhookHosts
// are delivered to. Close stops delivery; tests call it when they end. See docs/WEBHOOKS.md.
//
// The end user's part is emulated with Go helpers: Selfie and SpoofSelfie make the
// capture a browser would send, DocumentPhoto the document upload, LastCode reads the OTP
// that was "sent". Faces are identified with sandbox.FaceOf: a selfie made for "alice"
// matches alice's document and alice's earlier enrolments, and nothing else.
//
//	emu := verifik.New()
//	srv := httptest.NewServer(emu.Handler())
//	defer srv.Close()
//	// point the client at srv.URL with verifik.DefaultClientToken
package verifiktest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

const (
	// DefaultClientToken is the client (account) token of the emulator's default account.
	DefaultClientToken = "sandbox-verifik-client-token"
	// ControlPrefix is the root of the emulator's control endpoints.
	ControlPrefix = "/_sandbox/verifik/"

	// DefaultOTPTTL is how long an email or phone code stays valid (Verifik: about 10 minutes).
	DefaultOTPTTL = 10 * time.Minute
	// TokenTTL is how long the tokens the emulator issues stay valid.
	TokenTTL = 30 * 24 * time.Hour

	// GenuineLiveness is the liveness score of a selfie of a present person (Selfie).
	GenuineLiveness = 0.93
	// SameFaceScore is the comparison score of two images of the same face.
	SameFaceScore = 0.96
)

// Limits on what the emulator holds, so that a long-running sandbox (idvkit sandbox
// serve) or a hostile client cannot grow it without end. Each has an option to change it.
const (
	// DefaultMaxProjects is how many projects one account may hold (WithMaxProjects); the
	// next createProject answers 409 PreconditionFailed.
	DefaultMaxProjects = 1000
	// DefaultMaxFlows is how many flows one project may hold (WithMaxFlows); the next
	// createProjectFlow answers 409 PreconditionFailed.
	DefaultMaxFlows = 100
	// DefaultMaxRegistrations is how many app registrations one project may hold
	// (WithMaxRegistrations). Registrations are records the integrator reads and lists, so
	// none is forgotten to make room: the next createAppRegistration answers 409
	// PreconditionFailed until some are deleted.
	DefaultMaxRegistrations = 10000
	// DefaultMaxCodes is how many email and phone validations may await their expiry at
	// once (WithMaxCodes). Past ExpiredCodeRetention after its expiry a validation is
	// forgotten, unless it is the validated one of its registration; when the limit is
	// reached the oldest expired or validated one goes first, and if every one is still
	// live the next code is refused with 429 until one expires.
	DefaultMaxCodes = 20000
	// DefaultMaxMessages is how many messages the outbox holds (WithMaxMessages). A message
	// leaves the outbox when its code expires; when the limit is reached the oldest whose
	// code expired or was used goes first, and if every one is still live the next code is
	// refused with 429 until one expires.
	DefaultMaxMessages = 20000
	// ExpiredCodeRetention is how long an expired, unconfirmed code is remembered, so
	// that confirming it answers 412 (expired) rather than 404 (unknown).
	ExpiredCodeRetention = time.Hour
)

// DefaultWatchlist holds the last names the emulated criminal databases know.
var DefaultWatchlist = []string{"Wanted"}

// Option configures an Emulator.
type Option func(*Emulator)

// WithClock sets the clock that stamps records and expires codes and tokens (default
// time.Now). Tests pass a *sandbox.FakeClock's Now to cross the OTP expiry in an instant;
// the clients take the same option, so one fake clock drives both. nil keeps the default.
func WithClock(now func() time.Time) Option {
	return func(e *Emulator) {
		if now != nil {
			e.clock = sandbox.ClockFunc(now)
		}
	}
}

// WithClientToken replaces the default account's client token.
func WithClientToken(token string) Option { return func(e *Emulator) { e.accounts[0].token = token } }

// WithAccount adds another client account with its own token; accounts do not see each
// other's projects, flows or registrants.
func WithAccount(token string) Option {
	return func(e *Emulator) { e.accounts = append(e.accounts, &account{token: token}) }
}

// WithOTPTTL sets how long email and phone codes stay valid (default DefaultOTPTTL).
func WithOTPTTL(d time.Duration) Option { return func(e *Emulator) { e.otpTTL = d } }

// WithBlockedEmailDomains makes createAppRegistration refuse these email domains with
// 409 PreconditionFailed "email domain not allowed", as a flow's security settings do.
func WithBlockedEmailDomains(domains ...string) Option {
	return func(e *Emulator) {
		for _, d := range domains {
			e.blockedDomains[strings.ToLower(d)] = true
		}
	}
}

// WithWatchlist replaces the last names the criminal databases report as found
// (default DefaultWatchlist).
func WithWatchlist(lastNames ...string) Option {
	return func(e *Emulator) { e.watchlist = append([]string(nil), lastNames...) }
}

// WithNameValidationCredits limits the name validations the account can pay for; the
// next one answers 402 INSUFFICIENT_CREDITS. By default they are free and unlimited.
func WithNameValidationCredits(n int) Option {
	return func(e *Emulator) { e.credits = &n }
}

// WithLogger receives contract problems of the emulator's own traffic and control errors.
func WithLogger(l *slog.Logger) Option { return func(e *Emulator) { e.log = l } }

// WithOnProblem receives every contract problem the middleware finds in the emulator's
// traffic, drift included (tests assert there are none); the name is the contract kit's
// (MiddlewareOptions.OnProblem), as in the other emulators.
func WithOnProblem(f func(*contract.Error)) Option {
	return func(e *Emulator) { e.onProblem = f }
}

// WithFaultSeed seeds the fault injector (see Faults) so injected faults repeat.
func WithFaultSeed(seed uint64) Option { return func(e *Emulator) { e.faultSeed = seed } }

// WithAllowedHosts adds Host names, beyond loopback and the server's own address, from
// which the control endpoints (ControlPrefix and sandbox.ControlPath) may be used, e.g. a
// docker service name. The vendor routes answer any host.
func WithAllowedHosts(hosts ...string) Option {
	return func(e *Emulator) { e.allowHosts = append(e.allowHosts, hosts...) }
}

// WithMaxProjects sets how many projects one account may hold (default
// DefaultMaxProjects; n ≤ 0 keeps it).
func WithMaxProjects(n int) Option { return func(e *Emulator) { positive(&e.limits.projects, n) } }

// WithMaxFlows sets how many flows one project may hold (default DefaultMaxFlows; n ≤ 0
// keeps it).
func WithMaxFlows(n int) Option { return func(e *Emulator) { positive(&e.limits.flows, n) } }

// WithMaxRegistrations sets how many app registrations one project may hold (default
// DefaultMaxRegistrations; n ≤ 0 keeps it).
func WithMaxRegistrations(n int) Option {
	return func(e *Emulator) { positive(&e.limits.registrations, n) }
}

// WithMaxCodes sets how many email and phone validations may await their expiry at once
// (default DefaultMaxCodes; n ≤ 0 keeps it).
func WithMaxCodes(n int) Option { return func(e *Emulator) { positive(&e.limits.codes, n) } }

// WithMaxMessages sets how many messages the outbox holds (default DefaultMaxMessages;
// n ≤ 0 keeps it).
func WithMaxMessages(n int) Option { return func(e *Emulator) { positive(&e.limits.messages, n) } }

func positive(dst *int, n int) {
	if n > 0 {
		*dst = n
	}
}

// Emulator is an in-memory Verifik Smart Enroll. It is safe for concurrent use.
type Emulator struct {
	clock          sandbox.Clock
	accounts       []*account
	otpTTL         time.Duration
	blockedDomains map[string]bool
	reregistration Reregistration
	watchlist      []string
	credits        *int
	log            *slog.Logger
	onProblem      func(*contract.Error)
	faultSeed      uint64
	secret         []byte
	allowHosts     []string
	limits         limits

	spec    *contract.Spec
	faults  *sandbox.Faults
	calls   *sandbox.CallLog // recent calls, for the dashboard (Inspect)
	handler http.Handler

	mu          sync.Mutex
	seq         uint64
	projects    map[string]*project
	flows       map[string]*flow
	regs        map[string]*registration
	emailVals   map[string]*emailValidation
	phoneVals   map[string]*phoneValidation
	docVals     map[string]*documentValidation
	bioVals     map[string]*biometricValidation
	infoVals    map[string]*informationValidation
	comparisons map[string]*comparison
	persons     map[string]*person
	byFace      map[faceKey]map[string]*person // persons by project and face (persons.go)
	contacts    map[string]*registration       // by emailKey and phoneKey: createAppRegistration's lookup
	codes       []codeRef                      // email and phone validations awaiting expiry, oldest first
	goneCodes   int                            // entries of codes whose validation was deleted
	outbox      []Message                      // oldest first
	webhooks    map[string]*webhook
	hooks       hooks // webhook deliveries (webhook_delivery.go)
}

// limits are the caps on what the emulator holds (see DefaultMaxProjects and the rest).
type limits struct {
	projects, flows, registrations, codes, messages, webhooks int
}

// New returns an emulator with one account whose client token is DefaultClientToken.
func New(opts ...Option) *Emulator {
	e := &Emulator{
		clock:          sandbox.SystemClock(),
		accounts:       []*account{{token: DefaultClientToken}},
		otpTTL:         DefaultOTPTTL,
		blockedDomains: map[string]bool{},
		watchlist:      DefaultWatchlist,
		log:            slog.New(slog.DiscardHandler),
		faultSeed:      1,
		projects:       map[string]*project{},
		flows:          map[string]*flow{},
		regs:           map[string]*registration{},
		emailVals:      map[string]*emailValidation{},
		phoneVals:      map[string]*phoneValidation{},
		docVals:        map[string]*documentValidation{},
		bioVals:        map[string]*biometricValidation{},
		infoVals:       map[string]*informationValidation{},
		comparisons:    map[string]*comparison{},
		persons:        map[string]*person{},
		byFace:         map[faceKey]map[string]*person{},
		contacts:       map[string]*registration{},
		webhooks:       map[string]*webhook{},
		hooks:          newHooks(),
		limits: limits{
			projects: DefaultMaxProjects, flows: DefaultMaxFlows, registrations: DefaultMaxRegistrations,
			codes: DefaultMaxCodes, messages: DefaultMaxMessages, webhooks: DefaultMaxWebhooks,
		},
	}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	e.secret = []byte(sandbox.RandomHex(32))
	for _, a := range e.accounts {
		if a.token == "" {
			panic("verifik sandbox: an account needs a client token")
		}
		a.id = e.newID()
	}
	e.spec = contract.Default().Spec("verifik/smartenroll")
	e.faults = sandbox.NewFaults(e.faultSeed, func(r *http.Request) string {
		op, _ := e.spec.FindOperation(r)
		return op
	})
	// Injected 429s and 5xx carry Verifik's error body, as the real gateway's would.
	e.faults.SetErrorBody(func(status int) any {
		return smartenroll.Error{Message: http.StatusText(status)}
	})
	e.faults.SetDocumented(e.spec.Documents)
	e.faults.AllowHosts(e.allowHosts...)
	e.calls = sandbox.NewCallLog(0, e.clock, func(r *http.Request) string {
		op, _ := e.spec.FindOperation(r)
		return op
	})
	e.handler = e.buildHandler()
	return e
}

// Handler serves the Smart Enroll API, the control endpoints under ControlPrefix and the
// fault control endpoint at sandbox.ControlPath.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Faults is the emulator's fault injector: set rules to make calls fail, slow down or
// drift (see sandbox.FaultRule).
func (e *Emulator) Faults() *sandbox.Faults { return e.faults }

// ClientToken is the default account's client token.
func (e *Emulator) ClientToken() string { return e.accounts[0].token }

func (e *Emulator) buildHandler() http.Handler {
	api := smartenroll.HandlerWithOptions(
		smartenroll.NewStrictHandlerWithOptions(&server{e: e}, []smartenroll.StrictMiddlewareFunc{withCaller},
			smartenroll.StrictHTTPServerOptions{
				RequestErrorHandlerFunc:  e.requestError,
				ResponseErrorHandlerFunc: e.responseError,
			}),
		smartenroll.StdHTTPServerOptions{BaseRouter: http.NewServeMux(), ErrorHandlerFunc: e.requestError})
	control := sandbox.GuardControl(e.checkedControls(e.controlHandler()), e.allowHosts...)
	app := e.appHandler()
	routes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isApp(r) {
			// The hosted sign-up app is a page a browser navigates to from the
			// integrator's site: not a control endpoint, so not behind GuardControl.
			app.ServeHTTP(w, r)
			return
		}
		if isControl(r) {
			control.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	// Every route, control endpoints included, sits behind the middleware so that every
	// body is bounded (413 before an oversize body is read); the control endpoints are
	// not the vendor's, so only their bodies are checked.
	checked := contract.Middleware(contract.MiddlewareOptions{
		Mode:      contract.ModeEnforce,
		Logger:    e.log,
		OnProblem: e.onProblem,
		Skip:      isControl,
		// A missing bearer token reaches the handlers, which answer 401 as Verifik does.
		ServeMissingCredentials: true,
		Refuse:                  e.refuse,
	}, e.spec)(routes)
	return e.calls.Wrap(e.faults.Wrap(checked))
}

func isControl(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, ControlPrefix) || isSpecPath(r)
}

// requestError answers a request the generated router could not bind. The contract
// middleware rejects such requests first, so this is a last resort; it answers as the
// middleware's own refusal does (409 InvalidArgument).
func (e *Emulator) requestError(w http.ResponseWriter, _ *http.Request, err error) {
	e.log.Warn("verifik sandbox: request not bound", "err", err)
	sandbox.WriteJSON(w, http.StatusConflict, smartenroll.Error{Code: ptr(smartenroll.ErrorCodeInvalidArgument), Message: "request could not be read"})
}

// responseError answers a handler failure: a status the operation does not document
// reaches here as a programming error of the emulator, never as a vendor answer.
func (e *Emulator) responseError(w http.ResponseWriter, _ *http.Request, err error) {
	e.log.Error("verifik sandbox: handler failed", "err", err)
	sandbox.WriteJSON(w, http.StatusInternalServerError, smartenroll.Error{Code: ptr(smartenroll.ErrorCodeInternal), Message: "sandbox: " + err.Error()})
}

// ---- callers and tokens ----

type account struct {
	id       string
	token    string
	projects int // for the DefaultMaxProjects cap
}

// caller is who made a request, read from its Authorization header.
type caller struct {
	present bool     // an Authorization header was sent
	client  *account // a client token
	regID   string   // an app-registration token's registration
}

type callerKey struct{}

// withCaller resolves the bearer token before the operation runs; the operation decides
// whether that kind of token may call it.
func withCaller(f smartenroll.StrictHandlerFunc, _ string) smartenroll.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		ctx = context.WithValue(ctx, callerKey{}, r.Header.Get("Authorization"))
		return f(context.WithValue(ctx, publicURLKey{}, publicURL(r)), w, r, req)
	}
}

func (e *Emulator) callerOf(ctx context.Context) caller {
	h, _ := ctx.Value(callerKey{}).(string)
	if h == "" {
		return caller{}
	}
	c := caller{present: true}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return c
	}
	tok = strings.TrimSpace(tok)
	for _, a := range e.accounts {
		if hmac.Equal([]byte(a.token), []byte(tok)) {
			c.client = a
			return c
		}
	}
	if claims, ok := e.verifyToken(tok); ok && claims.Type == tokenAppRegistration {
		c.regID = claims.AppRegistrationID
	}
	return c
}

const (
	tokenAppRegistration = "app_registration"
	tokenOnboarding      = "onboarding"
)

// claims are what the emulator's JWTs carry; like Verifik's, the app-registration token
// names its registration.
type claims struct {
	Type              string `json:"type"`
	AppRegistrationID string `json:"appRegistrationId"`
	Client            string `json:"client"`
	Project           string `json:"project"`
	Status            string `json:"status,omitempty"`
	IssuedAt          int64  `json:"iat"`
	Expires           int64  `json:"exp"`
	Nonce             string `json:"jti"`
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func (e *Emulator) issueToken(c claims) string { return e.issueTokenFor(c, TokenTTL) }

// issueTokenFor issues a token valid for ttl (resend-link's is shorter).
func (e *Emulator) issueTokenFor(c claims, ttl time.Duration) string {
	now := e.clock.Now()
	c.IssuedAt, c.Expires, c.Nonce = now.Unix(), now.Add(ttl).Unix(), sandbox.RandomHex(8)
	payload, _ := json.Marshal(c)
	head := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return head + "." + base64.RawURLEncoding.EncodeToString(e.sign(head))
}

func (e *Emulator) sign(s string) []byte {
	m := hmac.New(sha256.New, e.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func (e *Emulator) verifyToken(tok string) (claims, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return claims{}, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, e.sign(parts[0]+"."+parts[1])) {
		return claims{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, false
	}
	var c claims
	if json.Unmarshal(payload, &c) != nil || e.clock.Now().Unix() >= c.Expires {
		return claims{}, false
	}
	return c, true
}

// ---- errors ----

// apiError is a documented Verifik error: its status and body.
type apiError struct {
	status int
	body   smartenroll.Error
}

func (a *apiError) Error() string {
	return "verifik sandbox: undocumented answer " + http.StatusText(a.status) + ": " + a.body.Message
}

// classic is a restify-style error: a class name and free text.
func classic(status int, code smartenroll.ErrorCode, message string) *apiError {
	return &apiError{status: status, body: smartenroll.Error{Code: &code, Message: message}}
}

// reason is a snake-case Verifik error: the message repeats the code after the status.
func reason(status int, code smartenroll.ErrorCode, detail ...string) *apiError {
	msg := strconv.Itoa(status) + ":" + string(code)
	if len(detail) > 0 {
		msg += "@" + detail[0]
	}
	return &apiError{status: status, body: smartenroll.Error{Code: &code, Message: msg}}
}

// legacy is the {error, message} body of the older page generation.
func legacy(status int, text, message string) *apiError {
	return &apiError{status: status, body: smartenroll.Error{Error: &text, Message: message}}
}

func unauthorized() *apiError {
	return classic(http.StatusUnauthorized, smartenroll.ErrorCodeForbidden, "Access forbidden")
}

func forbidden() *apiError {
	return classic(http.StatusForbidden, smartenroll.ErrorCodeForbidden, "Access forbidden")
}

// needClient admits the client token only.
func needClient(c caller) (*account, *apiError) {
	switch {
	case c.client != nil:
		return c.client, nil
	case c.regID != "":
		return nil, forbidden()
	default:
		return nil, unauthorized()
	}
}

// needRegistrant admits an app-registration token whose registration still exists.
// e.mu must be held.
func (e *Emulator) needRegistrant(c caller) (*registration, *apiError) {
	switch {
	case c.regID != "":
		reg, ok := e.regs[c.regID]
		if _, flowExists := e.flows[reg.flowID()]; !ok || !flowExists {
			// Deleted, or its flow was: the journey is gone.
			return nil, reason(http.StatusNotFound, smartenroll.ErrorCodeAppRegistrationNotFound)
		}
		return reg, nil
	case c.client != nil:
		return nil, forbidden()
	default:
		return nil, unauthorized()
	}
}

// ---- ids ----

// newID returns a MongoDB-style ObjectId: a 4-byte timestamp, then 8 bytes that are
// unique within the emulator and random across emulators.
func (e *Emulator) newID() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(e.clock.Now().Unix()))
	e.seq++
	rnd, _ := hex.DecodeString(sandbox.RandomHex(4))
	copy(b[4:8], rnd)
	binary.BigEndian.PutUint32(b[8:], uint32(e.seq))
	return hex.EncodeToString(b[:])
}

func ptr[T any](v T) *T { return &v }
