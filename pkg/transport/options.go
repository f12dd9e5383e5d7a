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

// DefaultTimeout bounds each attempt unless WithTimeout says otherwise. The
// slowest documented vendor calls (iProov's validate, Verifik's document OCR
// and biometric checks) answer in a few seconds; 30 s leaves room for a slow
// day without letting a silent server hold a flow step indefinitely.
const DefaultTimeout = 30 * time.Second

// DefaultTotalTimeout bounds a whole call, every attempt and backoff wait
// included, unless WithTotalTimeout says otherwise: about three slow
// attempts and their backoff, so retries cannot stretch a step without end.
const DefaultTotalTimeout = 2 * time.Minute

// DefaultTLSHandshakeTimeout and DefaultMaxIdleConnsPerHost configure the
// *http.Transport NewHTTPTransport returns.
const (
	DefaultTLSHandshakeTimeout = 10 * time.Second
	// One vendor host takes all of a backend's verification traffic;
	// net/http's default of 2 idle connections per host would redial under
	// any concurrency.
	DefaultMaxIdleConnsPerHost = 32
)

// NewHTTPTransport returns the *http.Transport used when the caller gives no
// *http.Client, or one without a Transport: a clone of
// http.DefaultTransport (proxy from the environment, dial and idle timeouts)
// with ResponseHeaderTimeout DefaultTimeout, TLSHandshakeTimeout
// DefaultTLSHandshakeTimeout and MaxIdleConnsPerHost
// DefaultMaxIdleConnsPerHost. Start from it to customise transport settings.
func NewHTTPTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = DefaultTimeout
	t.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	t.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	return t
}

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
	redirects    RedirectPolicy
	// limiter and limitCredential: see WithRateLimiter (ratelimit.go).
	limiter         RateLimiter
	limitCredential string
}

// WithBaseURL replaces the vendor's default base URL (a sandbox, a regional
// host, an httptest server). It must be an absolute http or https URL.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithHTTPClient sets the *http.Client whose Transport, Jar and Timeout carry
// the calls. nil keeps the default: a client on NewHTTPTransport(). The
// client is never modified: the transport sends with a copy whose
// CheckRedirect enforces the redirect policy (see WithRedirects) in place of
// the client's own, so no redirect takes the vendor's credentials to another
// origin. A client without a Transport gets NewHTTPTransport() rather than
// http.DefaultTransport, for its response header timeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithLogger sets the logger for the one line per attempt. nil (the
// default) discards logs.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option { return func(c *config) { c.userAgent = ua } }

// WithTimeout bounds each attempt, from sending the request to closing the
// response body (default DefaultTimeout; 0 keeps it). When the transport
// supplies the *http.Transport, its ResponseHeaderTimeout follows d. A
// timeout fails the attempt with a *RequestError that matches
// context.DeadlineExceeded.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithTotalTimeout bounds a whole call: every attempt and every backoff wait,
// up to closing the final response body (default DefaultTotalTimeout; 0
// keeps it). A ctx deadline that comes sooner still applies.
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
