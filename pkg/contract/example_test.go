package contract_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/idvkit/idvkit/pkg/contract"
)

// testSpec loads the package's test spec; vendor code uses contract.Default().Spec(name).
func testSpec() *contract.Spec {
	kit, _ := contract.Load(os.DirFS("testdata/specs")) // test/broken fails on purpose
	return kit.Spec("test/people")
}

// A vendor response checked in a test: an added property is drift, a wrong type is a
// violation, and every problem names its operation, location and rule.
func ExampleSpec_ValidateResponse() {
	spec := testSpec()
	req := httptest.NewRequest("GET", "/sessions/0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a", nil)
	h := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r-1"}}

	err := spec.ValidateResponse(req, 200, h, []byte(`{"id":"0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a","status":"done","risk":0.1}`))
	fmt.Println("drift only:", errors.Is(err, contract.ErrDrift))

	err = spec.ValidateResponse(req, 200, h, []byte(`{"id":"0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a","status":7}`))
	var e *contract.Error
	if errors.As(err, &e) {
		for _, p := range e.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// drift only: true
	// getSession: body.status: type: must be a string
}

// An emulator wrapped in the middleware: in enforce mode a request that breaks the spec
// is answered 400 before the handler runs; control routes are skipped.
func ExampleMiddleware() {
	spec := testSpec()
	emulator := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a","status":"pending"}`)
	})
	h := contract.Middleware(contract.MiddlewareOptions{
		Mode:   contract.ModeEnforce,
		Logger: slog.New(slog.DiscardHandler),
		Skip:   func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/_sandbox/") },
	}, spec)(emulator)

	for _, body := range []string{
		`{"account_id":"a","metadata":{"session_id":"0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a"}}`,
		`{"account_id":"a","metadata":{}}`,
	} {
		req := httptest.NewRequest("POST", "/sessions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-api-key", "sandbox-key")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 201 {"id":"0190a6c4-8c1f-7b3e-9d2a-3f4e5d6c7b8a","status":"pending"}
	// 400 {"error":"contract_violation","spec":"test/people","problems":[{"operation":"createSession","location":"body.metadata.session_id","rule":"required","message":"required property is missing"}]}
}

// A client in enforce mode: a request that breaks the spec is refused before it is sent.
func ExampleNewRoundTripper() {
	spec := testSpec()
	hits := 0
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer vendor.Close()

	client := &http.Client{Transport: contract.NewRoundTripper(nil, contract.ModeEnforce,
		contract.RoundTripperOptions{Logger: slog.New(slog.DiscardHandler)}, spec)}
	req, _ := http.NewRequest("POST", vendor.URL+"/v1/sessions", strings.NewReader(`{"account_id":42}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-api-key", "sandbox-key")
	_, err := client.Do(req)

	var e *contract.Error
	fmt.Println("refused:", errors.As(err, &e), "sent:", hits)
	for _, p := range e.Problems {
		fmt.Println(p.Location, p.Rule)
	}
	// Output:
	// refused: true sent: 0
	// body.account_id type
	// body.metadata required
}
