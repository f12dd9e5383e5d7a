package transport

import (
	"log/slog"
	"net/http"
	"time"
)

// DefaultMaxBodyBytes caps response bodies unless WithMaxBodyBytes says
// otherwise. Vendor JSON answers are small; 4 MiB leaves room for the odd
// image echoed back.
const DefaultMaxBodyBytes int64 = 4 << 20

// DefaultUserAgent is sent unless WithUserAgent says otherwise.
const DefaultUserAgent = "idvkit-go"

// Option configures a Client; see New.
type Option func(*config)

type config struct {
	baseURL      string
	httpClient   *http.Client
	logger       *slog.Logger
	userAgent    string
	timeout      time.Duration // per attempt
	totalTimeout time.Duration // all attempts and backoff together
	retry        RetryPolicy
	maxBody      int64
	contract     contractConfig
	templates    []string
}

// WithBaseURL replaces the vendor's default base URL (a sandbox, a regional
// host, an httptest server). It must be an absolute http or https URL.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithHTTPClient sets the *http.Client whose Transport carries the calls.
// nil keeps the default: http.DefaultTransport, redirects returned to the
// caller instead of followed. A client given here keeps its own redirect
// policy; note net/http forwards custom headers such as x-api-key to the
// redirect target.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithLogger sets the logger for the one line per attempt. nil (the
// default) discards logs.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithTimeout bounds each attempt, from sending the request to closing the
// response body. 0 means no per-attempt bound.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithTotalTimeout bounds a whole call: every attempt and every backoff wait,
// up to closing the final response body. 0 means only ctx bounds it.
func WithTotalTimeout(d time.Duration) Option { return func(c *config) { c.totalTimeout = d } }

// WithRetryPolicy replaces DefaultRetryPolicy. Zero fields take the
// defaults; MaxAttempts 1 turns retries off.
func WithRetryPolicy(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithMaxBodyBytes caps how much of a response body is read; reading past it
// fails with *BodyTooLargeError. 0 keeps DefaultMaxBodyBytes.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithPathTemplates lists the vendor's path templates ("/claim/{token}/invalidate")
// so logs show the template instead of a path holding ids or tokens. Specs
// given to WithContract add theirs automatically.
func WithPathTemplates(templates ...string) Option {
	return func(c *config) { c.templates = append(c.templates, templates...) }
}
