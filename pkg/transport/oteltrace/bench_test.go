package oteltrace_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/transport/oteltrace"
)

// BenchmarkRoundTrip measures what tracing adds to one call on loopback: "plain" is
// transport.NewHTTPTransport alone, "traced" the same under Transport with a recording
// SDK provider.
func BenchmarkRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"Active"}`))
	}))
	defer srv.Close()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	for _, bc := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"plain", transport.NewHTTPTransport()},
		{"traced", oteltrace.Transport(nil, oteltrace.WithTracerProvider(tp))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := transport.WithOperation(context.Background(), "userGet")
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v2/users/alice@example.com", nil)
				resp, err := bc.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				exp.Reset()
			}
		})
	}
}
