package oteltrace

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/idvkit/idvkit/pkg/transport"
)

// The span side: otelhttp is given a TracerProvider whose spans keep only attributes on
// an allow-list and replace the URL with the redacted one. Filtering at the span, rather
// than trusting otelhttp's current attribute set, keeps a future otelhttp (or an
// OTEL_SEMCONV_STABILITY_OPT_IN mode) that records more from the request from leaking it.

// Attribute keys the spans carry besides the allowed ones.
const (
	keyURLFull   = attribute.Key("url.full")
	keyURLPath   = attribute.Key("url.path")
	keyTemplate  = attribute.Key("url.template")
	keyVendor    = attribute.Key("idvkit.vendor")
	keyOperation = attribute.Key("idvkit.operation")
)

// allowed are otelhttp's client attributes that cannot hold a credential or personal
// data: they describe the method, the server and the outcome. url.full and url.path are
// replaced (see safeAttrs); anything else is dropped.
var allowed = map[attribute.Key]bool{
	"http.request.method":          true,
	"http.request.method_original": true,
	"http.response.status_code":    true,
	"http.request.resend_count":    true,
	"error.type":                   true,
	"server.address":               true,
	"server.port":                  true,
	"network.protocol.name":        true,
	"network.protocol.version":     true,
	"url.scheme":                   true,
	// Older semantic conventions, should otelhttp be asked for them.
	"http.method":      true,
	"http.status_code": true,
	"net.peer.name":    true,
	"net.peer.port":    true,
}

// safeAttrs keeps the allowed attributes and replaces the URL ones by the call's
// redacted URL.
func safeAttrs(c *call, attrs []attribute.KeyValue) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		switch {
		case allowed[a.Key]:
			out = append(out, a)
		case a.Key == keyURLFull || a.Key == "http.url":
			if c != nil && c.url != "" {
				out = append(out, attribute.String(string(a.Key), c.url))
			}
		}
	}
	return out
}

// callAttrs are the attributes a span starts with: which call it is.
func callAttrs(c *call) []attribute.KeyValue {
	if c == nil {
		return nil
	}
	var out []attribute.KeyValue
	if c.url != "" {
		out = append(out, keyURLFull.String(c.url))
	}
	if c.template != "" {
		out = append(out, keyTemplate.String(c.template))
	}
	if c.vendor != "" {
		out = append(out, keyVendor.String(c.vendor))
	}
	if c.operation != "" {
		out = append(out, keyOperation.String(c.operation))
	}
	return out
}

type tracerProvider struct{ trace.TracerProvider }

func (p *tracerProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return &tracer{Tracer: p.TracerProvider.Tracer(name, opts...), provider: p}
}

type tracer struct {
	trace.Tracer
	provider *tracerProvider
}

func (t *tracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	c := callFrom(ctx)
	cfg := trace.NewSpanStartConfig(opts...)
	start := []trace.SpanStartOption{
		trace.WithSpanKind(cfg.SpanKind()),
		trace.WithAttributes(append(callAttrs(c), safeAttrs(c, cfg.Attributes())...)...),
	}
	if ts := cfg.Timestamp(); !ts.IsZero() {
		start = append(start, trace.WithTimestamp(ts))
	}
	if cfg.NewRoot() {
		start = append(start, trace.WithNewRoot())
	}
	for _, l := range cfg.Links() {
		start = append(start, trace.WithLinks(trace.Link{SpanContext: l.SpanContext, Attributes: safeAttrs(c, l.Attributes)}))
	}
	ctx, s := t.Tracer.Start(ctx, name, start...)
	sp := &span{Span: s, call: c, provider: t.provider}
	// Whatever reads the span from the context (otelhttp's propagation, a nested
	// instrumentation) gets the filtered one.
	return trace.ContextWithSpan(ctx, sp), sp
}

// span filters what otelhttp records after the start.
type span struct {
	trace.Span
	call     *call
	provider *tracerProvider
}

func (s *span) SetAttributes(kv ...attribute.KeyValue) {
	s.Span.SetAttributes(safeAttrs(s.call, kv)...)
}

// SetStatus keeps the code; an error's description is otelhttp's err.Error(), which may
// quote the URL, so it becomes the transport's description of the failure, or nothing.
func (s *span) SetStatus(code codes.Code, _ string) {
	desc := ""
	if code == codes.Error && s.call != nil {
		if f := s.call.failure.Load(); f != nil {
			desc = *f
		}
	}
	s.Span.SetStatus(code, desc)
}

// RecordError records the error's type and the transport's description of it, never its
// text.
func (s *span) RecordError(err error, _ ...trace.EventOption) {
	if err == nil {
		return
	}
	s.Span.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.type", fmt.Sprintf("%T", err)),
		attribute.String("exception.message", describeFailure(s.call, err)),
	))
}

func (s *span) AddEvent(name string, opts ...trace.EventOption) {
	cfg := trace.NewEventConfig(opts...)
	eopts := []trace.EventOption{trace.WithAttributes(safeAttrs(s.call, cfg.Attributes())...)}
	if ts := cfg.Timestamp(); !ts.IsZero() {
		eopts = append(eopts, trace.WithTimestamp(ts))
	}
	s.Span.AddEvent(name, eopts...)
}

func (s *span) AddLink(l trace.Link) {
	s.Span.AddLink(trace.Link{SpanContext: l.SpanContext, Attributes: safeAttrs(s.call, l.Attributes)})
}

// SetName is ignored: the name is the operation, set at the start.
func (s *span) SetName(string) {}

// TracerProvider returns the filtering provider, so spans started from this one are
// filtered too.
func (s *span) TracerProvider() trace.TracerProvider { return s.provider }

func describeFailure(c *call, err error) string {
	if c != nil {
		if f := c.failure.Load(); f != nil {
			return *f
		}
	}
	return transport.DescribeError(err)
}
