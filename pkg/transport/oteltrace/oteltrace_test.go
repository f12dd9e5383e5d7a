package oteltrace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/transport/oteltrace"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// recorder collects finished spans in memory.
func recorder(t *testing.T) (*tracetest.InMemoryExporter, *sdktrace.TracerProvider) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return exp, tp
}

// spy sits below the tracing and notes every value a span must not show: credential
// headers, path segments, query values, and the strings of request and response bodies.
type spy struct {
	next http.RoundTripper

	mu      sync.Mutex
	secrets map[string]bool
	headers []http.Header
}

func newSpy() *spy { return &spy{next: transport.NewHTTPTransport(), secrets: map[string]bool{}} }

func (s *spy) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	for _, h := range []string{"Authorization", "X-Api-Key", "Cookie"} {
		for _, v := range r.Header.Values(h) {
			s.note(v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				s.note(tok)
			}
		}
	}
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if len(seg) > 24 { // ids and keys; short words are the API's own ("access_token")
			s.note(seg)
		}
	}
	for _, vs := range r.URL.Query() {
		for _, v := range vs {
			s.note(v)
		}
	}
	s.mu.Unlock()
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		s.noteBody(b)
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := s.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	s.noteBody(b)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// noteBody notes every JSON string of 8 characters or more (tokens, ids, emails, names),
// except URLs, which hold the server's address that server.address rightly shows.
func (s *spy) noteBody(b []byte) {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			if len(v) >= 8 && !strings.HasPrefix(v, "http") {
				s.mu.Lock()
				s.note(v)
				s.mu.Unlock()
			}
		}
	}
	walk(v)
}

func (s *spy) note(v string) {
	if len(v) >= 6 {
		s.secrets[v] = true
	}
}

func (s *spy) all(extra ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), extra...)
	for v := range s.secrets {
		out = append(out, v)
	}
	return out
}

// everything returns each string a span carries: its name, status description, and every
// attribute of the span, its events and its links, as "key=value".
func everything(s tracetest.SpanStub) []string {
	out := []string{"name=" + s.Name, "status=" + s.Status.Description}
	add := func(prefix string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, prefix+string(kv.Key)+"="+kv.Value.Emit())
		}
	}
	add("", s.Attributes)
	for _, e := range s.Events {
		out = append(out, "event="+e.Name)
		add("event.", e.Attributes)
	}
	for _, l := range s.Links {
		add("link.", l.Attributes)
	}
	add("resource.", s.Resource.Attributes())
	return out
}

// assertClean fails for every secret found anywhere in the spans.
func assertClean(t *testing.T, spans tracetest.SpanStubs, secrets []string) {
	t.Helper()
	require.NotEmpty(t, secrets)
	for _, s := range spans {
		for _, field := range everything(s) {
			for _, secret := range secrets {
				if secret != "" && strings.Contains(field, secret) {
					t.Errorf("span %s carries a secret or personal value in %q", s.Name, field)
				}
			}
		}
	}
}

func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

type want struct {
	name, status, url, template string
}

func summary(spans tracetest.SpanStubs) []want {
	out := make([]want, 0, len(spans))
	for _, s := range spans {
		out = append(out, want{name: s.Name, status: attr(s, "http.response.status_code"), url: attr(s, "url.full"), template: attr(s, "url.template")})
	}
	return out
}

func tracedClient(sp *spy, tp *sdktrace.TracerProvider) transport.Option {
	return transport.WithHTTPClient(&http.Client{Transport: oteltrace.Transport(sp, oteltrace.WithTracerProvider(tp))})
}

func TestVerisoulCallsAreSpansWithoutSecrets(t *testing.T) {
	exp, tp := recorder(t)
	sp := newSpy()
	emu := verisoultest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := verisoul.New(verisoultest.DefaultAPIKey,
		verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(srv.URL),
		verisoul.WithAppURL(srv.URL+verisoultest.AppPath),
		verisoul.WithContract(contract.ModeEnforce),
		verisoul.WithTransport(tracedClient(sp, tp)),
	)
	require.NoError(t, err)
	ctx := context.Background()

	const referring = "7d5c1f0e-3b1a-4c55-9a0e-2f4b6c8d9e01" // a query value: the user's device session
	s, err := client.StartSession(ctx, verisoul.SessionOptions{ReferringSessionID: referring, Simulate: verisoul.SimulateSuccess})
	require.NoError(t, err)
	const account = "alice.liddell@example.com"
	_, err = client.CheckUniqueness(ctx, s, account, verisoul.UniquenessRules())
	require.NoError(t, err)

	spans := exp.GetSpans()
	got := summary(spans)
	require.NotEmpty(t, got)
	assert.Equal(t, want{"verisoul/createFaceMatchSession", "200", srv.URL + "/liveness/session", "/liveness/session"}, got[0])
	assert.Equal(t, want{"verisoul/verifyFace", "200", srv.URL + "/liveness/verify-face", "/liveness/verify-face"}, got[1])
	for _, s := range spans {
		assert.Equal(t, "verisoul", attr(s, "idvkit.vendor"), s.Name)
	}
	assertClean(t, spans, sp.all(verisoultest.DefaultAPIKey, referring, account, s.ID))
}

func TestIProovCallsAreSpansWithoutSecrets(t *testing.T) {
	exp, tp := recorder(t)
	sp := newSpy()
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	user, pass := emu.OAuthCredentials()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret,
		iproov.WithBaseURL(srv.URL),
		iproov.WithOAuth(user, pass),
		iproov.WithContract(contract.ModeEnforce),
		iproov.WithTransport(tracedClient(sp, tp)),
	)
	require.NoError(t, err)
	ctx := context.Background()

	const userID = "alice.liddell@example.com" // iProov user ids are often emails
	enrol, err := client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding"})
	require.NoError(t, err)
	require.NoError(t, emu.CaptureFace(enrol.Token, "alice"))
	res, err := client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	require.NoError(t, err)
	require.True(t, res.Passed)
	_, err = client.GetUser(ctx, userID) // OAuth first: /{api_key}/access_token
	require.NoError(t, err)
	_, err = client.Available(ctx) // api_key in the query
	require.NoError(t, err)

	base := srv.URL + iproovtest.BasePath
	assert.Equal(t, []want{
		{"iproov/userEnrolServerToken", "200", base + "/claim/enrol/token", "/claim/enrol/token"},
		{"iproov/userEnrolValidate", "200", base + "/claim/enrol/validate", "/claim/enrol/validate"},
		{"iproov/generateToken", "200", base + "/{api_key}/access_token", "/{api_key}/access_token"},
		{"iproov/userGet", "200", base + "/users/{user_id}", "/users/{user_id}"},
		{"iproov/platformAvailable", "200", base + "/availability", "/availability"},
	}, summary(exp.GetSpans()))
	assertClean(t, exp.GetSpans(), sp.all(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, user, pass, userID, enrol.Token))
}

func TestVerifikCallsAreSpansWithoutSecrets(t *testing.T) {
	exp, tp := recorder(t)
	sp := newSpy()
	emu := verifiktest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := verifik.New(emu.ClientToken(),
		verifik.WithBaseURL(srv.URL),
		verifik.WithContract(contract.ModeEnforce),
		verifik.WithTransport(tracedClient(sp, tp)),
	)
	require.NoError(t, err)
	ctx := context.Background()

	flow, err := client.Setup(ctx, verifik.ProjectConfig{
		Name:             "Acme onboarding",
		AllowedCountries: []string{"Colombia"},
		ContactEmail:     "support@acme.example",
		PrivacyURL:       "https://acme.example/privacy",
		TermsURL:         "https://acme.example/terms",
	}, verifik.BasicEnrollment("https://acme.example/welcome"))
	require.NoError(t, err)
	const email, name = "bob.builder@example.com", "Bob Builder"
	r, err := client.Register(ctx, flow, verifik.Registration{Email: email, FullName: name})
	require.NoError(t, err)

	spans := exp.GetSpans()
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
		assert.Equal(t, "verifik", attr(s, "idvkit.vendor"), s.Name)
		assert.NotEmpty(t, attr(s, "http.response.status_code"), s.Name)
		assert.NotContains(t, attr(s, "url.full"), "?", s.Name)
	}
	assert.Contains(t, names, "verifik/createProject")
	assert.Contains(t, names, "verifik/createAppRegistration")
	st := r.State()
	assertClean(t, spans, sp.all(emu.ClientToken(), email, name, "support@acme.example", st.Token, st.AppRegistrationID, flow.FlowID, flow.ProjectID))
}

// A failure's text may quote the URL and with it the key in the path: the span says what
// failed in the transport's words instead.
func TestFailureTextStaysOutOfSpans(t *testing.T) {
	const key = "a-very-secret-api-key-0123456789"
	leaky := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, fmt.Errorf("dial %s: connection refused", r.URL.String())
	})
	exp, tp := recorder(t)
	tc, err := transport.New("iproov", "https://eu.rp.secure.iproov.me/api/v2",
		transport.WithHTTPClient(&http.Client{Transport: oteltrace.Transport(leaky, oteltrace.WithTracerProvider(tp))}),
		transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := transport.WithOperation(context.Background(), "generateToken")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://eu.rp.secure.iproov.me/api/v2/"+key+"/access_token?api_key="+key, nil)
	require.NoError(t, err)
	_, err = tc.Do(req)
	require.Error(t, err)

	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, codes.Error, spans[0].Status.Code)
	assert.Equal(t, "request error", spans[0].Status.Description)
	assert.Equal(t, "https://eu.rp.secure.iproov.me/api/v2/{api_key}/access_token", attr(spans[0], "url.full"))
	assertClean(t, spans, []string{key})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Trace context and baggage stay home unless the caller opts in: baggage may hold
// anything the application put in it.
func TestPropagation(t *testing.T) {
	prev := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	defer otel.SetTextMapPropagator(prev)

	tests := []struct {
		name          string
		opts          []oteltrace.Option
		wantHeader    string
		wantNoHeaders []string
	}{
		{name: "default sends nothing", wantNoHeaders: []string{"Traceparent", "Baggage"}},
		{name: "opt in", opts: []oteltrace.Option{oteltrace.WithPropagators(propagation.TraceContext{})},
			wantHeader: "Traceparent", wantNoHeaders: []string{"Baggage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tp := recorder(t)
			var got http.Header
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			rt := oteltrace.Transport(nil, append(tt.opts, oteltrace.WithTracerProvider(tp))...)
			m, err := baggage.NewMember("email", "alice%40example.com")
			require.NoError(t, err)
			bag, err := baggage.New(m)
			require.NoError(t, err)
			ctx, parent := tp.Tracer("test").Start(baggage.ContextWithBaggage(context.Background(), bag), "parent")
			defer parent.End()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/availability", nil)
			require.NoError(t, err)
			resp, err := rt.RoundTrip(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			if tt.wantHeader != "" {
				assert.NotEmpty(t, got.Get(tt.wantHeader))
			}
			for _, h := range tt.wantNoHeaders {
				assert.Empty(t, got.Get(h), h)
			}
		})
	}
}

// A call through WithTracing without a provider goes to the global one.
func TestWithTracingUsesTheGlobalProvider(t *testing.T) {
	exp, tp := recorder(t)
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	defer otel.SetTracerProvider(prev)

	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret,
		iproov.WithBaseURL(srv.URL), iproov.WithTransport(oteltrace.WithTracing()))
	require.NoError(t, err)
	_, err = client.Available(context.Background())
	require.NoError(t, err)
	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, "iproov/platformAvailable", spans[0].Name)
}

// A response cut short is an error span in the transport's words, not the read error's.
func TestCutBodyIsAnErrorSpan(t *testing.T) {
	exp, tp := recorder(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"token":`))
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	rt := oteltrace.Transport(nil, oteltrace.WithTracerProvider(tp))
	ctx := transport.WithOperation(context.Background(), "userGet")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v2/users/alice@example.com", nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	require.Error(t, err)
	_ = resp.Body.Close()

	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	assert.Equal(t, codes.Error, spans[0].Status.Code)
	assert.Equal(t, "connection closed by vendor", spans[0].Status.Description)
	assert.Equal(t, srv.URL+"/api/v2/users/{user_id}", attr(spans[0], "url.full"))
}
