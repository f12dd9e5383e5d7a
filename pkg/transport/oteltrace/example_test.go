package oteltrace_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport/oteltrace"
)

// Trace an iProov client's calls. The same option works for verisoul.WithTransport and
// verifik.WithTransport. In production, leave out WithTracerProvider to use the global
// provider your OpenTelemetry setup installs, and the emulator and base URL.
func ExampleWithTracing() {
	exporter := tracetest.NewInMemoryExporter() // yours: OTLP, stdout, …
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	user, pass := emu.OAuthCredentials()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret,
		iproov.WithBaseURL(srv.URL),
		iproov.WithOAuth(user, pass),
		iproov.WithTransport(oteltrace.WithTracing(oteltrace.WithTracerProvider(tp))),
	)
	if err != nil {
		log.Fatal(err)
	}
	// An OAuth token (the API key is in its path), then the user (its id is in the path).
	if _, err := client.GetUser(context.Background(), "alice@example.com"); iproov.CodeOf(err) != iproov.CodeInvalidUserID {
		log.Fatal(err)
	}

	for _, s := range exporter.GetSpans() {
		var status, url string
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "http.response.status_code":
				status = kv.Value.Emit()
			case "url.full":
				url = strings.TrimPrefix(kv.Value.Emit(), srv.URL)
			}
		}
		fmt.Println(s.Name, status, url)
	}
	// Output:
	// iproov/generateToken 200 /api/v2/{api_key}/access_token
	// iproov/userGet 400 /api/v2/users/{user_id}
}
