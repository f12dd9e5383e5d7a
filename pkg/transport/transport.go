// Package transport is the HTTP pipeline every idvkit vendor client shares.
//
// A *Client is the HttpRequestDoer handed to an oapi-codegen generated
// client. For every call it sets the User-Agent, bounds time (per attempt and
// overall), caps the response body, retries where the operation allows it,
// optionally holds traffic against the vendor's OpenAPI spec, and logs one
// line per attempt without headers, query values or bodies. Check turns a
// vendor error response into a typed *APIError.
//
// Safe by default, whatever options are given:
//   - Credentials stay at the base URL's origin. A request aimed elsewhere is
//     refused (*OriginError) and a redirect is not followed (*RedirectError,
//     naming the status and the target host) unless WithRedirects allows
//     same-origin ones, even with a caller's *http.Client that follows
//     everything. A 3xx the operation's spec documents is an answer.
//   - Every call has a deadline: DefaultTimeout per attempt and
//     DefaultTotalTimeout for all attempts and backoff, and the default
//     *http.Transport (NewHTTPTransport) a response header timeout. A
//     timeout is a *RequestError matching context.DeadlineExceeded.
//   - Response bodies are capped at DefaultMaxBodyBytes.
//
// Typical vendor flow step:
//
//	ctx = transport.WithOperation(ctx, "enroll") // the spec's operationId
//	res, err := gen.EnrollWithResponse(ctx, body)
//	if err != nil {
//		return tc.Wrap(ctx, "enroll", err)
//	}
//	if err := tc.Check(ctx, "enroll", res.HTTPResponse, res.Body); err != nil {
//		return err
//	}
package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Client sends a vendor's HTTP calls. It is safe for concurrent use.
type Client struct {
	vendor    string
	baseURL   string
	hc        *http.Client
	log       *slog.Logger
	userAgent string
	timeout   time.Duration
	total     time.Duration
	retry     RetryPolicy
	maxBody   int64
	paths     *pathTemplates
	findOp    func(*http.Request) string // operation id from the specs, when given
	origin    string                     // the base URL's scheme://host:port; see originOf
	// The origin's parts, lower-cased, the port explicit: what sameOrigin
	// compares a request's URL with, without building its origin string.
	originScheme, originHost, originPort string
	// ownClassify: the retry policy classifies with the package's table.
	ownClassify bool
	// userAgentValue is the User-Agent header's value, built once.
	userAgentValue []string
	redirects      RedirectPolicy
	// answers3xx lists per operationId the 3xx statuses its spec documents:
	// answers to hand back, not redirects to refuse.
	answers3xx map[string]map[int]bool
	// limiter, when set, gives each attempt its slot under limitKey
	// (QuotaKey of the vendor and credential); see WithRateLimiter.
	limiter  RateLimiter
	limitKey string
}

// New returns the transport for one vendor. vendor names it in logs, errors
// and the retry table ("verisoul", "iproov", "verifik"); defaultBaseURL is the
// vendor's production URL, replaced by WithBaseURL.
func New(vendor, defaultBaseURL string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(vendor) == "" {
		return nil, errors.New("transport: empty vendor name")
	}
	cfg := config{baseURL: defaultBaseURL}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := checkBaseURL(cfg.baseURL); err != nil {
		return nil, err
	}
	switch {
	case cfg.timeout < 0:
		return nil, errors.New("transport: negative timeout")
	case cfg.totalTimeout < 0:
		return nil, errors.New("transport: negative total timeout")
	case cfg.maxBody < 0:
		return nil, errors.New("transport: negative max body bytes")
	}
	if cfg.redirects != RefuseRedirects && cfg.redirects != FollowSameOrigin {
		return nil, errors.New("transport: unknown redirect policy")
	}
	if err := cfg.retry.validate(); err != nil {
		return nil, errors.New("transport: " + err.Error())
	}
	if cfg.limiter != nil && strings.TrimSpace(cfg.limitCredential) == "" {
		return nil, errors.New("transport: a rate limiter needs the credential the vendor counts its quota by")
	}
	base, _ := url.Parse(cfg.baseURL) // checked above
	c := &Client{
		vendor:      vendor,
		baseURL:     cfg.baseURL,
		origin:      originOf(base),
		ownClassify: cfg.retry.Classify == nil,
		redirects:   cfg.redirects,
		log:         cfg.logger,
		userAgent:   cfg.userAgent,
		timeout:     cfg.timeout,
		total:       cfg.totalTimeout,
		retry:       cfg.retry.withDefaults(),
		maxBody:     cfg.maxBody,
		limiter:     cfg.limiter,
	}
	c.originScheme, c.originHost, c.originPort = originParts(base)
	if c.limiter != nil {
		c.limitKey = QuotaKey(vendor, cfg.limitCredential)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.total == 0 {
		c.total = DefaultTotalTimeout
	}
	// A copy, never the caller's client: its CheckRedirect is replaced so
	// that no redirect carries the vendor's credentials off the base URL's
	// origin, whatever policy the caller's client has.
	hc := &http.Client{}
	if cfg.httpClient != nil {
		*hc = *cfg.httpClient
	}
	if hc.Transport == nil {
		t := NewHTTPTransport()
		t.ResponseHeaderTimeout = c.timeout
		hc.Transport = t
	}
	hc.CheckRedirect = c.checkRedirect(hc.CheckRedirect)
	c.hc = hc
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	c.userAgentValue = []string{c.userAgent}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	if err := cfg.contract.apply(c); err != nil {
		return nil, err
	}
	c.paths = newPathTemplates(append(cfg.templates, cfg.contract.templates()...))
	c.answers3xx = documentedRedirects(cfg.contract.specs)
	return c, nil
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("transport: unparsable base URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("transport: base URL must be an absolute http or https URL")
	}
	return nil
}

// Vendor returns the vendor name given to New.
func (c *Client) Vendor() string { return c.vendor }

// BaseURL returns the URL the generated client should be built with.
func (c *Client) BaseURL() string { return c.baseURL }

type opKey struct{}

// call is what WithOperation puts in a context: the operation's name, and the
// status of a response whose body was read to its end, so that Wrap can tell
// a body that did not decode from a request that failed.
type call struct {
	op       string
	answered atomic.Int32
}

// WithOperation names the call made with ctx (the spec's operationId). The
// name appears in logs and errors and selects the retry classification.
func WithOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, &call{op: op})
}

// Operation returns the name set by WithOperation, or "".
func Operation(ctx context.Context) string {
	if c, ok := ctx.Value(opKey{}).(*call); ok {
		return c.op
	}
	return ""
}

// answered returns the status of the response to ctx's call that was read
// in full, or 0.
func answered(ctx context.Context) int {
	if c, ok := ctx.Value(opKey{}).(*call); ok {
		return int(c.answered.Load())
	}
	return 0
}

// Do sends req, retrying as the retry policy and the operation's Safety
// allow. It satisfies every generated HttpRequestDoer. The returned body is
// capped (reads past the cap fail with *BodyTooLargeError) and must be
// closed. Transport failures come back as *RequestError (outcome unknown
// when an Unsafe request was written before the failure, see
// ErrOutcomeUnknown); a final non-2xx response comes back as a response for
// Check to judge.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	cl, _ := parent.Value(opKey{}).(*call)
	var op string
	if cl != nil {
		op = cl.op
		cl.answered.Store(0)
	}
	if op == "" && c.findOp != nil {
		op = c.findOp(req)
	}
	if !c.sameOrigin(req.URL) {
		// Whatever built the URL, the credentials it carries stay home.
		return nil, &OriginError{Vendor: c.vendor, Operation: op, Host: sanitize(req.URL.Host, 100)}
	}
	safety := Unsafe
	if op != "" {
		safety = c.classify(op)
	}
	// The call's deadline is a time, not a context: each attempt gets one
	// context whose deadline is the sooner of its own and the call's. A
	// context for the call itself is made only when something waits outside
	// an attempt (a rate limiter, a backoff).
	x := &exchange{parent: parent, op: op}
	if c.total > 0 {
		x.deadline = time.Now().Add(c.total)
	}
	// A body without GetBody cannot be sent twice.
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil

	var r *http.Request
	for attempt := 1; ; attempt++ {
		// The slot is waited for within the call's deadline, not the
		// attempt's: the attempt's clock starts when it is sent.
		if c.limiter != nil {
			if err := c.waitForSlot(x.callContext(), op); err != nil {
				x.cancel()
				return nil, &RequestError{Vendor: c.vendor, Operation: op, Attempts: attempt - 1, Err: err}
			}
		}
		actx := c.attemptContext(x)
		// Whether any of the request went out: until it did, the vendor
		// cannot have acted, whatever the failure. The first attempt's flag
		// lives in the exchange; a retry gets its own, so a late hook of an
		// abandoned attempt cannot set it.
		// Only an Unsafe operation's failure asks (see requestError).
		wrote := &x.wrote
		switch {
		case safety != Unsafe:
		case attempt == 1:
			x.trace.WroteHeaders = x.wroteHeaders
			actx = httptrace.WithClientTrace(actx, &x.trace)
		default:
			wrote = new(atomic.Bool)
			actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})
		}
		if c.redirects == FollowSameOrigin {
			// Only a followed redirect asks whether the operation documents it.
			actx = context.WithValue(actx, redirectOpKey{}, op)
		}
		if attempt == 1 {
			// A shallow copy with its own header map: the caller's request and
			// headers stay untouched.
			r = req.WithContext(actx)
			r.Header = c.withUserAgent(req.Header)
		} else {
			r = r.WithContext(actx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					x.cancel()
					return nil, &RequestError{Vendor: c.vendor, Operation: op, Attempts: attempt - 1, Err: err}
				}
				r.Body = body
			}
		}

		start := time.Now()
		resp, err := c.hc.Do(r)
		elapsed := time.Since(start)

		retry := attempt < c.retry.MaxAttempts && replayable && x.alive() && shouldRetry(safety, resp, err)
		var wait time.Duration
		if retry {
			now := time.Now()
			wait = c.retry.delay(attempt+1, resp, now)
			// Waiting past the deadline would only trade the real cause
			// for a timeout.
			if dl, ok := x.callDeadline(); ok && now.Add(wait).After(dl) {
				retry = false
			}
		}
		c.logAttempt(parent, op, r, attempt, resp, err, elapsed, retry, wait)

		if !retry {
			if err != nil {
				x.cancel()
				return nil, c.requestError(op, attempt, c.paths.logPath(req.URL.Path), err, safety == Unsafe && wrote.Load())
			}
			// A 3xx without a Location leads nowhere: the vendor package
			// judges it as any undocumented status.
			if isRedirect(resp.StatusCode) && resp.Header.Get("Location") != "" && !c.documents(op, resp.StatusCode) {
				rerr := c.redirectError(op, attempt, r, resp)
				drain(resp.Body)
				x.cancel()
				return nil, rerr
			}
			x.body = responseBody{
				rc: resp.Body, limit: c.maxBody, attempts: attempt,
				vendor: c.vendor, op: op,
				// A cut body hides the result of a success; a refusal (4xx,
				// 503, 429) is known from the status alone.
				cutIsUnknown: safety == Unsafe && (resp.StatusCode < 400 || ambiguousStatus(resp.StatusCode)),
				done:         x,
				call:         cl,
				status:       resp.StatusCode,
			}
			resp.Body = &x.body
			return resp, nil
		}

		var last string
		if resp != nil {
			last = "HTTP " + strconv.Itoa(resp.StatusCode)
			drain(resp.Body)
		} else {
			last = describeErr(err)
		}
		x.cancelAttempt()
		if err := c.retry.Sleep(x.callContext(), wait); err != nil {
			x.cancel()
			return nil, &RequestError{Vendor: c.vendor, Operation: op, Attempts: attempt,
				Err: &interruptedError{cause: err, last: last}}
		}
	}
}

// exchange is one call's state, allocated once: its deadline and contexts,
// the first attempt's write hook, and the capped body handed back, which
// ends the contexts when it is read to its end or closed (they must outlive
// Do: the generated client reads the body after it).
type exchange struct {
	parent   context.Context
	op       string
	deadline time.Time // the call's own (WithTotalTimeout); zero: none

	attemptCancel context.CancelFunc
	callCtx       context.Context // made on demand; see callContext
	callCancel    context.CancelFunc

	wrote atomic.Bool
	trace httptrace.ClientTrace
	body  responseBody
}

func (x *exchange) wroteHeaders() { x.wrote.Store(true) }

// callContext is the parent bounded by the call's deadline, for waits
// between attempts.
func (x *exchange) callContext() context.Context {
	if x.callCtx == nil {
		if x.deadline.IsZero() {
			x.callCtx = x.parent
		} else {
			x.callCtx, x.callCancel = context.WithDeadline(x.parent, x.deadline)
		}
	}
	return x.callCtx
}

// callDeadline is the sooner of the caller's deadline and the call's.
func (x *exchange) callDeadline() (time.Time, bool) {
	dl, ok := x.parent.Deadline()
	if !x.deadline.IsZero() && (!ok || x.deadline.Before(dl)) {
		return x.deadline, true
	}
	return dl, ok
}

// alive reports whether the call may go on: neither the caller's context
// nor the call's deadline has ended it.
func (x *exchange) alive() bool {
	return x.parent.Err() == nil && (x.deadline.IsZero() || time.Now().Before(x.deadline))
}

func (x *exchange) cancelAttempt() {
	if x.attemptCancel != nil {
		x.attemptCancel()
	}
}

// cancel ends every context of the call.
func (x *exchange) cancel() {
	x.cancelAttempt()
	if x.callCancel != nil {
		x.callCancel()
	}
}

// attemptContext bounds one attempt by its own timeout and the call's
// deadline, whichever comes first, with a single context.
func (c *Client) attemptContext(x *exchange) context.Context {
	dl := x.deadline
	if c.timeout > 0 {
		if a := time.Now().Add(c.timeout); dl.IsZero() || a.Before(dl) {
			dl = a
		}
	}
	if dl.IsZero() {
		x.attemptCancel = nil
		return x.parent
	}
	ctx, cancel := context.WithDeadline(x.parent, dl)
	x.attemptCancel = cancel
	return ctx
}

// withUserAgent returns a copy of h with the transport's User-Agent: the
// caller's map is never written, by Do or by a RoundTripper beneath it. The
// values are shared, as Request.WithContext shares them.
func (c *Client) withUserAgent(h http.Header) http.Header {
	out := make(http.Header, len(h)+1)
	for k, v := range h {
		out[k] = v
	}
	// One slice for every request: a RoundTripper may not write a request,
	// and capacity 1 makes an append copy it.
	out["User-Agent"] = c.userAgentValue[:1:1]
	return out
}

// classify is the operation's Safety. The package's own table is looked up
// without building the "<vendor>/<op>" key on the heap.
func (c *Client) classify(op string) Safety {
	if !c.ownClassify {
		return c.retry.Classify(c.vendor + "/" + op)
	}
	var buf [128]byte
	key := append(append(append(buf[:0], c.vendor...), '/'), op...)
	return operationSafety[string(key)]
}

// interruptedError is a context end during a backoff wait; it keeps the
// failure that caused the wait.
type interruptedError struct {
	cause error
	last  string
}

func (e *interruptedError) Error() string {
	return e.cause.Error() + " while waiting to retry (last failure: " + e.last + ")"
}
func (e *interruptedError) Unwrap() error { return e.cause }

// requestError wraps a transport failure. *url.Error prints the full URL,
// query included, so it is rebuilt around the logged path.
func (c *Client) requestError(op string, attempts int, path string, err error, outcomeUnknown bool) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: path, Err: ue.Err}
	}
	return &RequestError{Vendor: c.vendor, Operation: op, Attempts: attempts, Err: err, OutcomeUnknown: outcomeUnknown}
}

// drain reads a little of a discarded body so the connection can be reused.
func drain(rc io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, rc, 4<<10)
	_ = rc.Close()
}

// responseBody caps what is read and ends the call's contexts on close or
// EOF (they must outlive Do: the generated client reads the body after it).
// A read that fails (a body cut short, a timeout) comes back as a
// *RequestError and a body over the cap as a *BodyTooLargeError, both outcome
// unknown for an Unsafe operation that succeeded (or
// answered an ambiguous 5xx): the vendor acted, but what it answered is lost.
type responseBody struct {
	rc       io.ReadCloser
	n, limit int64
	attempts int
	vendor   string
	op       string
	done     *exchange // its cancel ends the call's contexts
	// cutIsUnknown marks a failed read as outcome unknown.
	cutIsUnknown bool
	// call, when set, learns status once the body was read to its end.
	call   *call
	status int
}

func (b *responseBody) Read(p []byte) (int, error) {
	if b.n > b.limit {
		return 0, b.tooLarge()
	}
	// Ask for one byte past the limit to tell "exactly at" from "over".
	if rest := b.limit - b.n + 1; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		n -= int(b.n - b.limit)
		return n, b.tooLarge()
	}
	switch {
	case err == io.EOF:
		if b.call != nil {
			b.call.answered.Store(int32(b.status))
		}
		b.done.cancel()
	case err != nil:
		var typed *RequestError
		if !errors.As(err, &typed) {
			err = &RequestError{Vendor: b.vendor, Operation: b.op, Attempts: b.attempts, Err: err, OutcomeUnknown: b.cutIsUnknown}
		}
	}
	return n, err
}

func (b *responseBody) tooLarge() error {
	return &BodyTooLargeError{Vendor: b.vendor, Operation: b.op, Limit: b.limit, Attempts: b.attempts, OutcomeUnknown: b.cutIsUnknown}
}

func (b *responseBody) Close() error {
	err := b.rc.Close()
	b.done.cancel()
	return err
}
