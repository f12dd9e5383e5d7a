package iproov

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
)

// vendor names iProov in logs, errors and the transport's retry table.
const vendor = "iproov"

// Region is an iProov multi-tenant platform region. The service provider's credentials
// only work in the region it was created in (elsewhere: 401 invalid_key).
type Region string

// iProov's regions.
const (
	RegionEU      Region = "eu"
	RegionUS      Region = "us"
	RegionSG      Region = "sg"
	RegionAU      Region = "au"
	RegionJakarta Region = "jkt"
	RegionLatAm   Region = "latam"
)

func (r Region) valid() bool {
	switch r {
	case RegionEU, RegionUS, RegionSG, RegionAU, RegionJakarta, RegionLatAm:
		return true
	}
	return false
}

// BaseURL returns the REST base URL of the region, https://{region}.rp.secure.iproov.me/api/v2.
func (r Region) BaseURL() string { return "https://" + string(r) + ".rp.secure.iproov.me" + apiPath }

// apiPath is the path every REST call lives under.
const apiPath = "/api/v2"

// DefaultClientName is sent as `client` when the caller names none: iProov requires the
// field on validation and official clients send their platform's name.
const DefaultClientName = "idvkit-go"

// pathTemplates are the spec's paths, so transport logs never show an api_key, a claim
// token or a user id (TestPathTemplatesMatchSpec keeps them in step with the spec).
var pathTemplates = []string{
	"/claim/enrol/token", "/claim/enrol/image", "/claim/enrol/validate",
	"/claim/verify/token", "/claim/verify/validate", "/claim/{token}/invalidate",
	"/{api_key}/access_token", "/users/{user_id}", "/users/{user_id}/activate",
	"/users/{user_id}/suspend", "/availability",
}

// Option configures a Client.
type Option func(*options)

type options struct {
	region     Region
	baseURL    string
	oauthUser  string
	oauthPass  string
	scopes     []string
	transport  []transport.Option
	now        func() time.Time
	clientName string
	err        error
}

// WithRegion selects the regional platform (default RegionEU).
func WithRegion(r Region) Option {
	return func(o *options) {
		if !r.valid() {
			o.err = transport.Invalid(vendor, "", "region", "must be one of eu, us, sg, au, jkt, latam")
		}
		o.region = r
	}
}

// WithBaseURL sets the REST base URL instead of a region: a dedicated tenant, the legacy
// https://secure.iproov.me/api/v2, or a sandbox. /api/v2 is appended when missing, as
// iProov's own clients do.
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// WithOAuth sets the service provider's OAuth username and password (issued in iPortal,
// distinct from the api_key and secret). The Management API (users) needs them.
func WithOAuth(username, password string) Option {
	return func(o *options) { o.oauthUser, o.oauthPass = username, password }
}

// WithScopes restricts the scopes asked for with each access token (default: none named,
// which grants every scope the service provider has).
func WithScopes(scopes ...string) Option {
	return func(o *options) { o.scopes = append([]string(nil), scopes...) }
}

// WithTransport passes options to transport.New: an *http.Client, a logger, timeouts, a
// retry policy, a body cap, contract checking.
func WithTransport(opts ...transport.Option) Option {
	return func(o *options) { o.transport = append(o.transport, opts...) }
}

// WithContract holds every call against api/iproov/claim.yaml (see contract.Mode).
func WithContract(mode contract.Mode) Option {
	return func(o *options) {
		o.transport = append(o.transport, transport.WithContract(mode, contract.Default().Spec("iproov/claim")))
	}
}

// WithClock sets the clock the client judges claim windows and access token lives by
// (default time.Now); tests pass a fake clock's Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithClientName sets the `client` sent with token requests and, unless a call names the
// end user's device, with validations (default DefaultClientName).
func WithClientName(name string) Option { return func(o *options) { o.clientName = name } }

// Client calls iProov's REST API v2 for one service provider. It is safe for concurrent
// use. Build it once; it caches the Management API's access token.
type Client struct {
	apiKey, secret string
	oauthUser      string
	oauthPass      string
	scopes         []string
	clientName     string
	now            func() time.Time

	tc  *transport.Client
	api *claim.ClientWithResponses

	tokens tokenCache
	spent  spentTokens
}

// New returns a client for the service provider with apiKey and secret.
func New(apiKey, secret string, opts ...Option) (*Client, error) {
	o := options{region: RegionEU, now: time.Now, clientName: DefaultClientName}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	switch {
	case o.err != nil:
		return nil, o.err
	case strings.TrimSpace(apiKey) == "":
		return nil, transport.Invalid(vendor, "", "api_key", "is empty")
	case strings.TrimSpace(secret) == "":
		return nil, transport.Invalid(vendor, "", "secret", "is empty")
	case (o.oauthUser == "") != (o.oauthPass == ""):
		return nil, transport.Invalid(vendor, "", "oauth", "needs both the username and the password")
	}
	base := o.region.BaseURL()
	if o.baseURL != "" {
		base = o.baseURL
	}
	topts := append([]transport.Option{transport.WithPathTemplates(pathTemplates...)}, o.transport...)
	tc, err := transport.New(vendor, withAPIPath(base), topts...)
	if err != nil {
		return nil, err
	}
	api, err := claim.NewClientWithResponses(withAPIPath(tc.BaseURL()), claim.WithHTTPClient(tc))
	if err != nil {
		return nil, err
	}
	return &Client{
		apiKey: apiKey, secret: secret,
		oauthUser: o.oauthUser, oauthPass: o.oauthPass, scopes: o.scopes,
		clientName: o.clientName, now: o.now,
		tc: tc, api: api,
	}, nil
}

// withAPIPath appends /api/v2 to a base URL that lacks it.
func withAPIPath(u string) string {
	u = strings.TrimRight(u, "/")
	if strings.HasSuffix(u, apiPath) {
		return u
	}
	return u + apiPath
}

// String never shows the api_key, the secret, the OAuth password or the access token,
// nor a user:password in the base URL.
func (c *Client) String() string {
	return "iproov.Client{" + transport.RedactURL(c.BaseURL()) + ", api key, secret, oauth: [redacted]}"
}

// GoString keeps %#v from printing the credentials.
func (c *Client) GoString() string { return c.String() }

// LogValue keeps slog from printing the credentials.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", transport.RedactURL(c.BaseURL())), slog.String("credentials", "[redacted]"))
}

// BaseURL returns the REST base URL the client calls ("" for a Client not built with New).
func (c *Client) BaseURL() string {
	if c == nil || c.tc == nil {
		return ""
	}
	return withAPIPath(c.tc.BaseURL())
}

// ready fails a call on a Client not built with New (a zero value, or nil) with a
// *transport.ValidationError, where it would otherwise panic deep in the pipeline.
func (c *Client) ready(op string) error {
	if c == nil || c.tc == nil || c.api == nil {
		return transport.Invalid(vendor, op, "client", "is not configured: build it with New")
	}
	return nil
}

// check turns a generated call's response into nil or a typed error: vendor errors
// through tc.Check (a *transport.APIError carrying iProov's code), and a success without
// the documented JSON body, or without one of required (the spec's required fields; see
// missing), into a *transport.DecodeError.
func (c *Client) check(ctx context.Context, op string, resp *http.Response, body []byte, decoded bool, required ...string) error {
	if err := c.tc.Check(ctx, op, resp, body); err != nil {
		return err
	}
	if !decoded || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// The generated client decodes null into a zero value without complaint.
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: resp.StatusCode,
			Err: errors.New("success without the documented JSON body")}
	}
	return requireFields(op, resp.StatusCode, body, required...)
}

// The spec's required fields of each success answer.
var (
	claimFields      = []string{"token", "user_id?", "pod", "fallback", "fallback[].type", "fallback[].message"}
	validationFields = []string{"passed", "token", "type"}
	imageFields      = []string{"token", "user_id", "success"}
	invalidateFields = []string{"claim_aborted", "user_informed"}
	availableFields  = []string{"up"}
	tokenFields      = []string{"access_token", "token_type", "expires_in"}
	userFields       = []string{"user_id", "name", "status"}
)

// spentTokens remembers, for an hour, the claim tokens this client already spent
// (validated, or used for a photo), so that a second use fails before any network call
// even when the caller kept an old copy of the Claim. Tokens are kept as digests.
//
// Expiry is a FIFO queue in the order tokens were spent, so forgetting costs O(1)
// amortised per take at any number held (a map walk under the lock cost 1 ms per take at
// 32k). At most maxSpent are held: past that the oldest is forgotten early, and a second
// use of it goes to iProov, which refuses a spent token itself (invalid_token).
type spentTokens struct {
	mu    sync.Mutex
	seen  map[[32]byte]time.Time
	queue []spentEntry // in spending order; entries [head:] are live, or stale once given back
	head  int
}

type spentEntry struct {
	d  [32]byte
	at time.Time
}

const (
	spentMemory = time.Hour
	// maxSpent bounds the memory (under 150 bytes a token, 20 MB): 36 validations a second for
	// an hour before the oldest is forgotten early.
	maxSpent = 1 << 17
)

// take marks token spent; false if it already was.
func (s *spentTokens) take(token string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[[32]byte]time.Time{}
	}
	for s.head < len(s.queue) && now.Sub(s.queue[s.head].at) >= spentMemory {
		s.pop()
	}
	d := digest(token)
	if t, ok := s.seen[d]; ok && now.Sub(t) < spentMemory {
		return false
	}
	for len(s.queue)-s.head >= maxSpent {
		s.pop()
	}
	s.seen[d] = now
	s.queue = append(s.queue, spentEntry{d: d, at: now})
	return true
}

// pop forgets the oldest entry (unless the token was given back and spent again since)
// and compacts the queue once half of it is behind the head.
func (s *spentTokens) pop() {
	e := s.queue[s.head]
	if t, ok := s.seen[e.d]; ok && t.Equal(e.at) {
		delete(s.seen, e.d)
	}
	s.queue[s.head] = spentEntry{}
	s.head++
	if s.head >= 1024 && s.head*2 >= len(s.queue) {
		s.queue = append(s.queue[:0], s.queue[s.head:]...)
		s.head = 0
	}
}

// give back a token whose use never left the machine.
func (s *spentTokens) give(token string) {
	s.mu.Lock()
	delete(s.seen, digest(token))
	s.mu.Unlock()
}
