package verifiktest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// fuzzRoute is a request shape the fuzzer starts from: a spec operation, a control
// endpoint, or (empty path) a path made up by the fuzzer.
type fuzzRoute struct{ method, path string }

var fuzzSpec = contract.Default().Spec("verifik/smartenroll")

// fuzzRoutes lists every operation of the spec and every control endpoint.
var fuzzRoutes = func() []fuzzRoute {
	var out []fuzzRoute
	for p, item := range fuzzSpec.Doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, fuzzRoute{method, p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return append(out,
		fuzzRoute{"GET", verifiktest.ControlPrefix + "outbox"},
		fuzzRoute{"GET", verifiktest.ControlPrefix + "outbox/last"},
		fuzzRoute{"PUT", verifiktest.ControlPrefix + "credits"},
		fuzzRoute{"GET", ""},
	)
}()

func fuzzRouteIndex(method, p string) uint8 {
	for i, r := range fuzzRoutes {
		if r.method == method && r.path == p {
			return uint8(i)
		}
	}
	return uint8(len(fuzzRoutes) - 1)
}

// Credentials (flags bits 0-1): which bearer token goes with the request. Each
// operation takes either the client token or a registrant's token, so about half the
// inputs carry the right one.
const (
	credNone, credClient, credRegistrant, credOtherRegistrant = 0, 1, 2, 3
	// flags bit 2: send the fuzzed method instead of the route's.
	flagMethod = 4
)

// handlerTransport serves requests with a handler, without a network.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// fuzzWorld is a fresh emulator with a journey half done, to aim at.
type fuzzWorld struct {
	emu    *verifiktest.Emulator
	h      http.Handler
	client *verifik.Client
	alice  verifik.State // email confirmed, document accepted, no selfie yet
	other  verifik.State // just registered
}

func newFuzzWorld(t *testing.T) *fuzzWorld {
	t.Helper()
	clock := sandbox.NewFakeClock(start)
	w := &fuzzWorld{emu: verifiktest.New(verifiktest.WithClock(clock.Now))}
	w.h = w.emu.Handler()
	var err error
	w.client, err = verifik.New(verifiktest.DefaultClientToken, verifik.WithBaseURL("http://sandbox.test"), verifik.WithClock(clock.Now),
		verifik.WithTransport(transport.WithHTTPClient(&http.Client{Transport: handlerTransport{w.h}}),
			transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})))
	if err != nil {
		t.Fatal(err)
	}
	cfg := verifik.FullVerification("https://acme.example/welcome")
	cfg.VerifyNames, cfg.VerifyCriminalHistory = true, true
	flow, err := w.client.Setup(context.Background(), fuzzProject("Fuzz"), cfg)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	r := w.registered(t, flow, "alice@example.com")
	if _, err := r.SubmitDocument(context.Background(), verifik.Document{Front: verifiktest.DocumentPhoto(alice())}); err != nil {
		t.Fatalf("document: %v", err)
	}
	w.alice = r.State()
	other, err := w.client.Register(context.Background(), flow, verifik.Registration{Email: "mallory@example.com", FullName: "Mallory"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	w.other = other.State()
	return w
}

func fuzzProject(name string) verifik.ProjectConfig {
	return verifik.ProjectConfig{Name: name, AllowedCountries: []string{"Colombia"}, ContactEmail: "support@acme.example",
		PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms"}
}

// registered registers email in flow and confirms its email code.
func (w *fuzzWorld) registered(t *testing.T, flow verifik.Flow, email string) *verifik.Registrant {
	t.Helper()
	ctx := context.Background()
	r, err := w.client.Register(ctx, flow, verifik.Registration{Email: email, FullName: "Alice Liddell"})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	if _, err := r.SendEmailCode(ctx); err != nil {
		t.Fatalf("email code: %v", err)
	}
	code, ok := w.emu.LastCode(email)
	if !ok {
		t.Fatalf("no code sent to %s", email)
	}
	if err := r.ConfirmEmailCode(ctx, code); err != nil {
		t.Fatalf("confirm email: %v", err)
	}
	return r
}

// FuzzHandler sends arbitrary requests — the spec's operations and the control
// endpoints with fuzzed method, path argument, query, content type and body, with no
// token, the client token, a registrant's or another registrant's — to a fresh emulator
// holding a flow and a registrant half way through. $PROJECT, $FLOW, $REG, $EMAILVAL,
// $DOCVAL, $INFOVAL, $OTHERREG and $EMAIL in the input stand for its ids. The emulator
// must not panic, must answer the vendor routes only as the spec documents (a 500
// contract_violation means it answered outside it), must not answer 5xx on a control
// endpoint, must not echo the client token, and must still run a whole journey
// afterwards.
func FuzzHandler(f *testing.F) {
	type seed struct {
		method, path, query, body string
	}
	seeds := []seed{
		{"GET", "/v2/projects", "page=1&perPage=50", ""},
		{"POST", "/v2/projects", "", `{"name":"Other","allowedCountries":["Colombia"],"contactEmail":"a@acme.example","privacyUrl":"https://acme.example/p","termsAndConditionsUrl":"https://acme.example/t","demoMode":true,"demoOTP":"123456"}`},
		{"GET", "/v2/projects/{id}", "", ""},
		{"PUT", "/v2/projects/{id}", "", `{"status":"paused"}`},
		{"GET", "/v2/project-flows", "where_project=$PROJECT", ""},
		{"GET", "/v2/project-flows", "page=abc", ""},
		{"GET", "/v2/project-flows/{id}", "", ""},
		{"PUT", "/v2/project-flows/{id}", "", `{"onboardingSettings":{"steps":{"document":"skip"}}}`},
		{"POST", "/v2/app-registrations", "", `{"project":"$PROJECT","projectFlow":"$FLOW","email":"new@example.com","fullName":"New Person"}`},
		{"GET", "/v2/app-registrations/{id}", "populates[]=documentValidation&populates[]=emailValidation", ""},
		{"DELETE", "/v2/app-registrations/{id}", "", ""},
		{"POST", "/v2/app-registrations/me", "", `{}`},
		{"PUT", "/v2/app-registrations/{id}/sync", "", `{"step":"end","status":"COMPLETED"}`},
		{"PUT", "/v2/app-registrations/{id}/sync", "", `{"step":"skipKYC","status":"COMPLETED_WITHOUT_KYC"}`},
		{"POST", "/v2/email-validations/app-registration", "", `{"project":"$PROJECT","projectFlow":"$FLOW","email":"$EMAIL","type":"onboarding","validationMethod":"verificationCode"}`},
		{"PUT", "/v2/email-validations/{id}", "", `{"email":"$EMAIL","otp":123456}`},
		{"POST", "/v2/phone-validations/app-registration", "", `{"project":"$PROJECT","projectFlow":"$FLOW","phone":"3001234567","countryCode":"+57","type":"onboarding","validationMethod":"verificationCode","phoneGateway":"sms"}`},
		{"PUT", "/v2/phone-validations", "", `{"phone":"3001234567","countryCode":"+57","otp":123456}`},
		{"POST", "/v2/document-validations/app-registration", "", `{"image":"` + string(verifiktest.DocumentPhoto(alice())) + `","force":true}`},
		{"PUT", "/v2/document-validations/{id}/validate", "", `{}`},
		{"POST", "/v2/biometric-validations/app-registration", "", `{"image":"` + string(verifiktest.Selfie("alice")) + `","os":"IOS"}`},
		{"POST", "/v2/biometric-validations/app-registration", "", `{"image":"` + string(verifiktest.SpoofSelfie("alice", 0.3)) + `","os":"DESKTOP","force":true}`},
		{"POST", "/v2/face-recognition/compare/app-registration", "", `{}`},
		{"PUT", "/v2/information-validations/{id}/background-check", "", `{}`},
		{"GET", verifiktest.ControlPrefix + "outbox", "to=$EMAIL", ""},
		{"GET", verifiktest.ControlPrefix + "outbox/last", "to=$EMAIL", ""},
		{"PUT", verifiktest.ControlPrefix + "credits", "", `{"credits":0}`},
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "verifik", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var fx struct {
			Kind   string          `json:"kind"`
			Method string          `json:"method"`
			Path   string          `json:"path"`
			Body   json.RawMessage `json:"body"`
		}
		if json.Unmarshal(b, &fx) == nil && fx.Kind == "request" {
			seeds = append(seeds, seed{fx.Method, fx.Path, "", string(fx.Body)})
		}
	}
	for i, s := range seeds {
		route, pathArg, method := fuzzRouteIndex(s.method, s.path), "", uint8(0)
		if int(route) == len(fuzzRoutes)-1 {
			pathArg, method = s.path, flagMethod // a fixture's concrete path and method
		}
		flags := uint8(credClient)
		if strings.Contains(s.path, "app-registration") && !strings.HasPrefix(s.path, "/v2/app-registrations") ||
			strings.HasPrefix(s.path, "/v2/phone-validations") || strings.HasPrefix(s.path, "/v2/email-validations/") ||
			strings.Contains(s.path, "validate") || strings.Contains(s.path, "background-check") ||
			strings.HasSuffix(s.path, "/sync") || strings.HasSuffix(s.path, "/me") {
			flags = credRegistrant
		}
		f.Add(route, flags|method, s.method, pathArg, s.query, "application/json", []byte(s.body))
		if i%3 == 0 {
			f.Add(route, uint8(i/3)%4|method, s.method, pathArg, s.query, "application/json", []byte(s.body))
		}
	}
	f.Add(fuzzRouteIndex("GET", "/v2/app-registrations/{id}"), uint8(credOtherRegistrant), "GET", "", "", "", []byte(nil))
	f.Add(fuzzRouteIndex("PUT", "/v2/app-registrations/{id}/sync"), uint8(credOtherRegistrant), "PUT", "$REG", "", "application/json", []byte(`{"step":"end","status":"FAILED"}`))
	f.Add(fuzzRouteIndex("PUT", "/v2/app-registrations/{id}/sync"), uint8(credRegistrant), "PUT", "$OTHERREG", "", "application/json", []byte(`{"step":"document","status":"ONGOING"}`))
	f.Add(fuzzRouteIndex("POST", "/v2/biometric-validations/app-registration"), uint8(credRegistrant|flagMethod), "PATCH", "", "", "text/plain", []byte(`image=x`))
	f.Add(uint8(len(fuzzRoutes)-1), uint8(credClient|flagMethod), "POST", "/v2/nowhere", "", "application/json", []byte(`{}`))
	f.Add(fuzzRouteIndex("POST", "/v2/app-registrations"), uint8(credNone), "POST", "", "", "application/json", []byte(`{"email":"x@example.com"}`))

	f.Fuzz(func(t *testing.T, route, flags uint8, method, pathArg, query, contentType string, body []byte) {
		w := newFuzzWorld(t)
		expand := strings.NewReplacer(
			"$PROJECT", w.alice.Flow.ProjectID, "$FLOW", w.alice.Flow.FlowID, "$REG", w.alice.AppRegistrationID,
			"$EMAILVAL", w.alice.EmailValidationID, "$DOCVAL", w.alice.DocumentValidationID,
			"$INFOVAL", w.alice.InformationValidationID, "$OTHERREG", w.other.AppRegistrationID, "$EMAIL", w.alice.Email,
		).Replace

		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		m := r.method
		if flags&flagMethod != 0 {
			m = method
		}
		p := r.path
		if p == "" {
			p = pathArg
		} else if strings.Contains(p, "{id}") {
			arg := pathArg
			if arg == "" {
				arg = fuzzDefaultID(p)
			}
			p = strings.ReplaceAll(p, "{id}", url.PathEscape(expand(arg)))
		}
		target := expand(p)
		if query != "" {
			target += "?" + expand(query)
		}
		req, err := http.NewRequest(m, "http://sandbox.test"+target, strings.NewReader(expand(string(body))))
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") || req.URL.Host != "sandbox.test" {
			return // no HTTP server would hand this request to a handler
		}
		if req.URL.Path == sandbox.ControlPath {
			return // the fault injector misbehaves on purpose (drops, delays)
		}
		if ct := fuzzHeaderValue(contentType); ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		switch flags & 3 {
		case credClient:
			req.Header.Set("Authorization", "Bearer "+verifiktest.DefaultClientToken)
		case credRegistrant:
			req.Header.Set("Authorization", "Bearer "+w.alice.Token)
		case credOtherRegistrant:
			req.Header.Set("Authorization", "Bearer "+w.other.Token)
		}

		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		vendorRoute := !strings.HasPrefix(req.URL.Path, "/_sandbox/")
		if rec.Code >= 500 && !vendorRoute {
			t.Fatalf("%s %s answered %d: %s", m, r.path, rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), verifiktest.DefaultClientToken) {
			t.Fatalf("%s %s echoed the client token", m, r.path)
		}
		if vendorRoute {
			requireDocumented(t, req, rec)
		}

		// A whole journey still runs, in a project of its own (the input may have paused
		// or reconfigured the first one).
		ctx := context.Background()
		flow, err := w.client.Setup(ctx, fuzzProject("After"), verifik.BasicEnrollment("https://acme.example/welcome"))
		if err != nil {
			t.Fatalf("setup after fuzz input: %v", err)
		}
		after := w.registered(t, flow, "after@example.com")
		if _, err := after.SkipKYC(ctx); err != nil {
			t.Fatalf("skip KYC after fuzz input: %v", err)
		}
	})
}

// fuzzDefaultID is the id placeholder a path's {id} takes when the input names none.
func fuzzDefaultID(p string) string {
	switch {
	case strings.HasPrefix(p, "/v2/projects/"):
		return "$PROJECT"
	case strings.HasPrefix(p, "/v2/project-flows/"):
		return "$FLOW"
	case strings.HasPrefix(p, "/v2/email-validations/"):
		return "$EMAILVAL"
	case strings.HasPrefix(p, "/v2/document-validations/"):
		return "$DOCVAL"
	case strings.HasPrefix(p, "/v2/information-validations/"):
		return "$INFOVAL"
	}
	return "$REG"
}

// requireDocumented fails unless a vendor route's answer is one the spec documents for
// the operation — the contract middleware's own refusals (409 for a request that breaks
// the spec, 413) included — or, for a route the spec does not have, Verifik's 404 body.
// A 500 Internal is the middleware replacing an answer of the emulator the spec does not
// document (the fuzz world injects no faults): a bug, even though 5XX is documented.
func requireDocumented(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	var body struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	switch {
	case rec.Code == 500 && body.Code == "Internal":
		t.Fatalf("%s %s: the emulator answered outside its spec: %s", req.Method, req.URL.Path, rec.Body.String())
	case rec.Code == http.StatusTemporaryRedirect && path.Clean(req.URL.Path) != req.URL.Path:
		return // net/http's mux sends unclean paths ("//", "..") to their clean form
	}
	if _, ok := fuzzSpec.FindOperation(req); !ok {
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s %s: %d for a route the spec does not have: %s", req.Method, req.URL.Path, rec.Code, rec.Body.String())
		}
		requireErrorBody(t, req, rec)
		return
	}
	if err := fuzzSpec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Fatalf("%s %s: %d %s is not documented: %v", req.Method, req.URL.Path, rec.Code, rec.Body.String(), err)
	}
}

// requireErrorBody fails unless the answer is a JSON body of the spec's Error schema.
func requireErrorBody(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s: %d is not JSON: %s", req.Method, req.URL.Path, rec.Code, rec.Body.String())
	}
	if err := fuzzSpec.Doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
		t.Fatalf("%s %s: %d %s is not Verifik's error body: %v", req.Method, req.URL.Path, rec.Code, rec.Body.String(), err)
	}
}

// fuzzHeaderValue drops the bytes net/http refuses in a header value (controls but
// tab) and trims the blanks it trims.
func fuzzHeaderValue(s string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s), " \t")
}
