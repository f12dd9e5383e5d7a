// Package oteltrace traces idvkit's vendor calls with OpenTelemetry, through otelhttp,
// with nothing secret or personal in the spans.
//
// It is a package of its own so that a program that does not trace links no
// OpenTelemetry: pkg/verisoul, pkg/iproov, pkg/verifik and pkg/transport do not import
// it.
//
// One way works for all three vendor clients: their WithTransport option takes
// WithTracing.
//
//	vs, err := verisoul.New(key, verisoul.WithTransport(oteltrace.WithTracing()))
//	ip, err := iproov.New(key, secret, iproov.WithTransport(oteltrace.WithTracing()))
//	vk, err := verifik.New(token, verifik.WithTransport(oteltrace.WithTracing()))
//
// Every attempt the transport sends (a retry is a second span) becomes a client span:
//   - named "<vendor>/<operationId>" as in the specs and the retry table
//     ("iproov/generateToken"), or otelhttp's "HTTP GET" for a request that names none;
//   - url.full is scheme, host and the path template ("https://eu.rp.secure.iproov.me/api/v2/{api_key}/access_token"):
//     no path value (iProov's API key, claim tokens, user ids), no query (iProov's
//     api_key, Verisoul's referring_session_id, Verifik's filters), no userinfo;
//   - url.template, idvkit.vendor and idvkit.operation say which call it was;
//   - http.request.method, http.response.status_code, server.address, server.port,
//     network.protocol.*, error.type, and the span status as otelhttp sets it, except
//     that an error's description is the transport's own wording (transport.DescribeError),
//     never the error text, which may quote the URL.
//
// Every other attribute otelhttp or a later version of it adds is dropped (an allow-list,
// not a deny-list), and no header or body is ever recorded. Trace context is not sent to
// the vendors unless WithPropagators says so: the headers are undocumented in their APIs
// and baggage would carry whatever the application put in it to a third party.
package oteltrace

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/idvkit/idvkit/pkg/transport"
)

// Option configures Transport and WithTracing.
type Option func(*config)

type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagators    propagation.TextMapPropagator
}

// WithTracerProvider sets where spans go. nil or absent: otel.GetTracerProvider() when
// Transport is called; if no global provider is set yet, spans go to the one set later.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tracerProvider = tp }
}

// WithMeterProvider sets where otelhttp's client metrics (http.client.request.duration,
// with method, server and status only) go. nil or absent: the global provider.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = mp }
}

// WithPropagators sends trace context to the vendor with p (for example
// propagation.TraceContext{}). Absent: nothing is sent, whatever the global propagator.
// Do not include baggage unless you know everything it may hold can go to the vendor.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.propagators = p }
}

// WithTracing is the transport.Option that traces a vendor client's calls; give it to the
// client's WithTransport. It sets the transport's *http.Client to one on
// Transport(nil, opts...), so it replaces an earlier transport.WithHTTPClient (and a
// later one replaces it): to keep your own client, wrap its Transport with Transport
// instead.
func WithTracing(opts ...Option) transport.Option {
	return transport.WithHTTPClient(&http.Client{Transport: Transport(nil, opts...)})
}

// Transport returns base wrapped so that every request it carries is a span as described
// in the package documentation. nil base means transport.NewHTTPTransport() (the
// transport's default, with its ResponseHeaderTimeout of transport.DefaultTimeout; pass
// your own to change it).
func Transport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	cfg := config{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if base == nil {
		base = transport.NewHTTPTransport()
	}
	tp := cfg.tracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	prop := cfg.propagators
	if prop == nil {
		prop = propagation.NewCompositeTextMapPropagator()
	}
	otelOpts := []otelhttp.Option{
		otelhttp.WithTracerProvider(&tracerProvider{TracerProvider: tp}),
		otelhttp.WithPropagators(prop),
		otelhttp.WithSpanNameFormatter(spanName),
	}
	if cfg.meterProvider != nil {
		otelOpts = append(otelOpts, otelhttp.WithMeterProvider(cfg.meterProvider))
	}
	return &roundTripper{next: otelhttp.NewTransport(&failures{next: base}, otelOpts...)}
}

// call is what the span learns about a request before otelhttp sees it: the operation
// and the URL it may show. failure is set below otelhttp when the request fails, so the
// span's status says what failed in the transport's words.
type call struct {
	name      string // span name
	vendor    string
	operation string
	template  string // the operation's path template, or ""
	url       string // scheme://host/redacted-path
	failure   atomic.Pointer[string]
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// roundTripper puts the call's safe description in the request context for the span,
// then hands the request, unchanged, to otelhttp.
type roundTripper struct{ next http.RoundTripper }

func (t *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	c := describe(r)
	return t.next.RoundTrip(r.WithContext(context.WithValue(r.Context(), callKey{}, c)))
}

func describe(r *http.Request) *call {
	op := transport.Operation(r.Context())
	info, known := operations()[op]
	c := &call{name: "HTTP " + r.Method, operation: op}
	if op != "" {
		c.name = op
	}
	redact := allPaths()
	if known {
		c.vendor, c.template = info.vendor, info.template
		if c.vendor != "" {
			c.name = c.vendor + "/" + op
		}
		if info.paths != nil {
			redact = info.paths
		}
	}
	if r.URL != nil {
		// Built by hand: url.URL.String would escape the template's braces. Host has
		// no userinfo; query and fragment are left out.
		c.url = redact.Redact(r.URL.Path)
		if r.URL.Scheme != "" && r.URL.Host != "" {
			c.url = r.URL.Scheme + "://" + r.URL.Host + c.url
		}
	}
	return c
}

func spanName(_ string, r *http.Request) string {
	if c := callFrom(r.Context()); c != nil {
		return c.name
	}
	return "HTTP " + r.Method
}

// failures records, below otelhttp, a failed request in the transport's words.
type failures struct{ next http.RoundTripper }

func (t *failures) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	c := callFrom(r.Context())
	switch {
	case c == nil:
	case err != nil:
		c.fail(err)
	case resp != nil && resp.Body != nil:
		// A body cut short fails in otelhttp's Read, after this one's.
		if _, rw := resp.Body.(io.Writer); !rw {
			resp.Body = &failingBody{ReadCloser: resp.Body, call: c}
		}
	}
	return resp, err
}

func (c *call) fail(err error) {
	d := transport.DescribeError(err)
	c.failure.Store(&d)
}

type failingBody struct {
	io.ReadCloser
	call *call
}

func (b *failingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.call.fail(err)
	}
	return n, err
}
