package verifik

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
)

// vendor names Verifik in transport logs, errors and the retry table.
const vendor = "verifik"

// Environment is a Verifik API host. Verifik documents no separate sandbox host: test
// with a demo-mode project (ProjectConfig.DemoMode) or with idvkit's emulator.
type Environment string

const (
	// Production is https://api.verifik.co (the default).
	Production Environment = "https://api.verifik.co"
	// Staging is https://staging-api.verifik.co (named on one Verifik page only).
	Staging Environment = "https://staging-api.verifik.co"
	// Development is https://dev-api.verifik.co (named on one Verifik page only).
	Development Environment = "https://dev-api.verifik.co"
)

// Option configures a Client.
type Option func(*config)

type config struct {
	env       Environment
	baseURL   string
	now       func() time.Time
	mode      contract.Mode
	transport []transport.Option
}

// WithEnvironment selects the API host (default Production).
func WithEnvironment(e Environment) Option { return func(c *config) { c.env = e } }

// WithBaseURL sends calls to u instead of the environment's host (an emulator, a proxy).
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithClock replaces time.Now for the client-side OTP expiry check.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithContract holds every request and response against the Smart Enroll spec
// (contract.ModeReport logs problems, contract.ModeEnforce fails the call).
func WithContract(mode contract.Mode) Option { return func(c *config) { c.mode = mode } }

// WithTransport passes options to the HTTP pipeline (HTTP client, logger, timeouts,
// retry policy, body cap); see package transport.
func WithTransport(opts ...transport.Option) Option {
	return func(c *config) { c.transport = append(c.transport, opts...) }
}

// Client calls Verifik Smart Enroll with the account's client token: it sets up projects
// and flows (Setup), registers end users (Register) and reviews them. Each registrant's
// own steps run on the Registrant that Register returns. It is safe for concurrent use.
type Client struct {
	token string
	now   func() time.Time
	tc    *transport.Client
	api   *smartenroll.ClientWithResponses
}

// New returns a client holding clientToken, the account's JWT from Verifik's dashboard
// (keep it server-side; it reads every registrant of the account).
func New(clientToken string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(clientToken) == "" {
		return nil, transport.Invalid(vendor, "", "client token", "is empty")
	}
	cfg := config{env: Production, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	topts := append([]transport.Option{}, cfg.transport...)
	if cfg.baseURL != "" {
		topts = append(topts, transport.WithBaseURL(cfg.baseURL))
	}
	// The spec is given in every mode: it names operations and path templates in logs.
	topts = append(topts, transport.WithContract(cfg.mode, contract.Default().Spec("verifik/smartenroll")))
	tc, err := transport.New(vendor, string(cfg.env), topts...)
	if err != nil {
		return nil, err
	}
	api, err := smartenroll.NewClientWithResponses(tc.BaseURL(), smartenroll.WithHTTPClient(tc))
	if err != nil {
		return nil, err
	}
	return &Client{token: clientToken, now: cfg.now, tc: tc, api: api}, nil
}

// String never shows the client token, nor a user:password in the base URL.
func (c *Client) String() string {
	if c.ready("") != nil {
		return "verifik.Client{not configured}"
	}
	return "verifik.Client{" + transport.RedactURL(c.tc.BaseURL()) + ", token: " + redacted + "}"
}

// GoString never shows the client token.
func (c *Client) GoString() string { return c.String() }

// LogValue never shows the client token.
func (c *Client) LogValue() slog.Value {
	if c.ready("") != nil {
		return slog.StringValue("not configured")
	}
	return slog.GroupValue(slog.String("base_url", transport.RedactURL(c.tc.BaseURL())), slog.String("token", redacted))
}

const redacted = "[redacted]"

// bearer authenticates one call with a token.
func bearer(token string) smartenroll.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// finish turns a generated call's outcome into the package's errors: a transport failure
// is wrapped, a vendor error answer becomes a *transport.APIError (with this package's
// sentinel for the codes a step knows), and a 2xx without the documented body is a
// *transport.DecodeError.
func (c *Client) finish(ctx context.Context, op string, err error, res any, decoded bool) error {
	if err != nil {
		return c.tc.Wrap(ctx, op, err)
	}
	resp, body := parts(res)
	if err := c.tc.Check(ctx, op, resp, body); err != nil {
		return classify(err)
	}
	// The generated client decodes null into a zero value without complaint.
	if !decoded || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: resp.StatusCode, Err: errors.New("no JSON body where the spec documents one")}
	}
	return requireFields(op, resp.StatusCode, body, required[op]...)
}

// required lists, per operation, what the spec marks required in its success answer (the
// envelope's data and the record's _id, following required members only; see missing
// for the notation). The generated types read an absent _id as "" and an absent envelope
// as an empty record, which would pass as a result. compareAppRegistrationFaces also
// needs the score it exists to give.
var required = map[string][]string{
	"listProjects":                {"data", "data[]._id"},
	"createProject":               {"data._id"},
	"getProject":                  {"data._id"},
	"updateProject":               {"data._id"},
	"listProjectsV3":              {"data", "data[]._id"},
	"getDocumentValidation":       {"data._id"}, // the generated type reads an absent _id as ""
	"listDocumentValidations":     {"data", "data[]._id"},
	"getProjectV3":                {"data._id"},
	"updateProjectV3":             {"data._id"},
	"deleteProjectV3":             {"data._id"},
	"listProjectFlows":            {"data", "data[]._id"},
	"createProjectFlow":           {"data._id"},
	"getProjectFlow":              {"data._id"},
	"updateProjectFlow":           {"data._id"},
	"deleteProjectFlow":           {"data._id"},
	"createAppRegistration":       {"data.appRegistration._id", "data.token"},
	"getAppRegistration":          {"data._id"},
	"listAppRegistrations":        {"data", "data[]._id"},
	"resendAppRegistrationLink":   {"data.token", "data.link"},
	"updateAppRegistration":       {"data._id"},
	"deleteBiometricValidation":   {"data._id"},
	"deleteDocumentValidation":    {"success"},
	"getCurrentAppRegistration":   {"data._id"},
	"deleteAppRegistration":       {"data._id"},
	"syncAppRegistration":         {"data"},
	"createEmailValidation":       {"data._id", "data.status"},
	"validateEmailValidation":     {"data._id", "data.status"},
	"createPhoneValidation":       {"data._id", "data.status"},
	"validatePhoneValidation":     {"data._id", "data.status"},
	"createDocumentValidation":    {"data.documentValidation._id"},
	"createNameValidation":        {"data"}, // a union: see CheckNames
	"createBiometricValidation":   {"data._id"},
	"compareAppRegistrationFaces": {"data.compareFaceVerification._id", "data.compareFaceVerification.result.score"},
	"requestCriminalCheck":        {"data._id"},
	"createWebhook":               {"data._id"},
	"getWebhook":                  {"data._id"},
	"listWebhooks":                {"data", "data[]._id"},
	"updateWebhook":               {"data._id"},
	"deleteWebhook":               {"data._id"},
}

// parts reads the two fields every generated *<Operation>Result has.
func parts(res any) (*http.Response, []byte) {
	v := reflect.ValueOf(res)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, nil
	}
	v = v.Elem()
	hr, _ := v.FieldByName("HTTPResponse").Interface().(*http.Response)
	body, _ := v.FieldByName("Body").Interface().([]byte)
	return hr, body
}
