package verisoul

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
)

// vendor names Verisoul in transport logs, errors and the retry table.
const vendor = "verisoul"

// Environment is a Verisoul environment. API keys belong to one environment.
type Environment string

const (
	// Production is https://api.prod.verisoul.ai (the default).
	Production Environment = "prod"
	// Sandbox is https://api.sandbox.verisoul.ai, where the simulate parameter works.
	Sandbox Environment = "sandbox"
)

// APIURL is the environment's API base URL.
func (e Environment) APIURL() string { return "https://api." + string(e) + ".verisoul.ai" }

// AppURL is the environment's hosted capture page.
func (e Environment) AppURL() string { return "https://app." + string(e) + ".verisoul.ai/" }

// Option configures a Client.
type Option func(*config)

type config struct {
	env       Environment
	baseURL   string
	appURL    string
	now       func() time.Time
	mode      contract.Mode
	transport []transport.Option
}

// WithEnvironment selects Production (default) or Sandbox: API and hosted-page URLs.
func WithEnvironment(e Environment) Option { return func(c *config) { c.env = e } }

// WithBaseURL sends API calls to u instead of the environment's API URL (an emulator, a
// proxy). The hosted-page URL stays the environment's unless WithAppURL says otherwise.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithAppURL sets the hosted capture page CaptureURL points users to (for the emulator:
// its URL plus the sandbox package's AppPath).
func WithAppURL(u string) Option { return func(c *config) { c.appURL = u } }

// WithClock replaces time.Now for the client-side 30-day enrol window check.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithContract holds every request and response against Verisoul's specs
// (contract.ModeReport logs problems, contract.ModeEnforce fails the call).
func WithContract(mode contract.Mode) Option { return func(c *config) { c.mode = mode } }

// WithTransport passes options to the HTTP pipeline (HTTP client, logger, timeouts,
// retry policy, body cap); see package transport.
func WithTransport(opts ...transport.Option) Option {
	return func(c *config) { c.transport = append(c.transport, opts...) }
}

// Client calls Verisoul Face Match and ID Check. It is safe for concurrent use.
//
// Each product has its own spec, so each has its own generated client and pipeline:
// a call is logged, retried and contract-checked as the operation of its product.
type Client struct {
	apiKey string
	env    Environment
	appURL string
	now    func() time.Time

	fmT, idcT *transport.Client
	fm        *facematch.ClientWithResponses
	idc       *idcheck.ClientWithResponses
}

// New returns a client authenticating with apiKey (the x-api-key of one project and
// environment; keep it server-side).
func New(apiKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(apiKey) == "" {
		return nil, transport.Invalid(vendor, "", "api key", "is empty")
	}
	cfg := config{env: Production, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	switch cfg.env {
	case Production, Sandbox:
	default:
		return nil, transport.Invalid(vendor, "", "environment", "must be prod or sandbox")
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.appURL == "" {
		cfg.appURL = cfg.env.AppURL()
	}
	if err := checkHTTPURL(cfg.appURL); err != nil {
		return nil, transport.Invalid(vendor, "", "app url", err.Error())
	}
	c := &Client{apiKey: apiKey, env: cfg.env, appURL: cfg.appURL, now: cfg.now}
	kit := contract.Default()
	var err error
	if c.fmT, c.fm, err = newFaceMatch(cfg, kit.Spec("verisoul/facematch")); err != nil {
		return nil, err
	}
	if c.idcT, c.idc, err = newIDCheck(cfg, kit.Spec("verisoul/idcheck")); err != nil {
		return nil, err
	}
	return c, nil
}

func pipeline(cfg config, spec *contract.Spec) (*transport.Client, error) {
	opts := append([]transport.Option{}, cfg.transport...)
	if cfg.baseURL != "" {
		opts = append(opts, transport.WithBaseURL(cfg.baseURL))
	}
	// The spec is given in every mode: it names operations and path templates in logs.
	opts = append(opts, transport.WithContract(cfg.mode, spec))
	return transport.New(vendor, cfg.env.APIURL(), opts...)
}

func newFaceMatch(cfg config, spec *contract.Spec) (*transport.Client, *facematch.ClientWithResponses, error) {
	tc, err := pipeline(cfg, spec)
	if err != nil {
		return nil, nil, err
	}
	gc, err := facematch.NewClientWithResponses(tc.BaseURL(), facematch.WithHTTPClient(tc))
	return tc, gc, err
}

func newIDCheck(cfg config, spec *contract.Spec) (*transport.Client, *idcheck.ClientWithResponses, error) {
	tc, err := pipeline(cfg, spec)
	if err != nil {
		return nil, nil, err
	}
	gc, err := idcheck.NewClientWithResponses(tc.BaseURL(), idcheck.WithHTTPClient(tc))
	return tc, gc, err
}

// Environment is the environment the client was built for ("" for a Client not built
// with New).
func (c *Client) Environment() Environment {
	if c == nil {
		return ""
	}
	return c.env
}

// ready fails a call on a Client not built with New (a zero value, or nil) with a
// *transport.ValidationError, where it would otherwise panic deep in the pipeline.
func (c *Client) ready(op string) error {
	if c == nil || c.fm == nil || c.idc == nil {
		return transport.Invalid(vendor, op, "client", notConfigured)
	}
	return nil
}

// notConfigured is the Reason of the error every method returns on a Client that New
// did not build.
const notConfigured = "is not configured: build it with New"

// auth adds the x-api-key; keyed calls pass it as a request editor, the public redirect
// does not, so the key never goes where the vendor does not ask for it.
func (c *Client) auth(_ context.Context, r *http.Request) error {
	r.Header.Set("x-api-key", c.apiKey)
	return nil
}

// String never shows the API key.
func (c *Client) String() string {
	if c == nil {
		return "verisoul.Client(nil)"
	}
	return "verisoul.Client{env: " + string(c.env) + ", api key: [redacted]}"
}

// GoString never shows the API key.
func (c *Client) GoString() string { return c.String() }

// result runs the shared end of every call: transport errors become typed errors, error
// statuses become *transport.APIError, and a success the generated client could not
// type (ok false) becomes *transport.DecodeError.
func result(ctx context.Context, tc *transport.Client, op string, callErr error, resp *http.Response, body []byte, ok bool) error {
	if callErr != nil {
		return tc.Wrap(ctx, op, callErr)
	}
	if err := tc.Check(ctx, op, resp, body); err != nil {
		return err
	}
	if !ok {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: resp.StatusCode,
			// Quoted: the header is the vendor's text and must not disguise the error string.
			Err: errors.New("undocumented status or content type " + strconv.QuoteToASCII(resp.Header.Get("Content-Type")))}
	}
	if resp.StatusCode < 300 && bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// The generated client decodes null into a zero value without complaint.
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: resp.StatusCode, Err: errors.New("null where an object is documented")}
	}
	return nil
}
