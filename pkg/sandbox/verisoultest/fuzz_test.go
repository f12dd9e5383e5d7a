package verisoultest_test

import (
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
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// fuzzRoute is a request shape the fuzzer starts from: a spec operation, a control
// endpoint, or (empty path) a path made up by the fuzzer.
type fuzzRoute struct{ method, path string }

// fuzzRoutes lists every operation of both specs and every control endpoint.
var fuzzRoutes = func() []fuzzRoute {
	seen := map[fuzzRoute]bool{}
	var out []fuzzRoute
	for _, s := range []*contract.Spec{fmSpec, idcSpec} {
		for path, item := range s.Doc.Paths.Map() {
			for method := range item.Operations() {
				r := fuzzRoute{method, path}
				if !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return append(out,
		fuzzRoute{"GET", verisoultest.AppPath},
		fuzzRoute{"POST", verisoultest.ControlPrefix + "sessions/{id}/start"},
		fuzzRoute{"POST", verisoultest.ControlPrefix + "sessions/{id}/complete"},
		fuzzRoute{"POST", verisoultest.ControlPrefix + "sessions/{id}/fail"},
		fuzzRoute{"GET", verisoultest.ControlPrefix + "sessions/{id}"},
		fuzzRoute{"GET", verisoultest.ControlPrefix + "enrollments"},
		fuzzRoute{"GET", ""},
	)
}()

func fuzzRouteIndex(method, path string) uint8 {
	for i, r := range fuzzRoutes {
		if r.method == method && r.path == path {
			return uint8(i)
		}
	}
	return uint8(len(fuzzRoutes) - 1)
}

const (
	fuzzOtherProjectID = "7d2b5c1e-0000-4000-8000-0000000000bb"
	fuzzOtherKey       = "fuzz-other-tenant-key"
	// Credentials (flags bits 0-1).
	credNone, credValid, credWrong, credOtherTenant = 0, 1, 2, 3
	// flags bit 2: send the fuzzed method instead of the route's.
	flagMethod = 4
)

// FuzzHandler sends arbitrary requests — the spec's operations and the control
// endpoints with fuzzed method, path argument, query, content type and body, valid
// credentials in a quarter of the cases and another tenant's in another — to a fresh
// emulator holding a completed Face Match session and a new ID Check one ($ID and $NEW
// in the input stand for their ids). The
// emulator must not panic, must answer the vendor routes only as the specs document (a
// 500 contract_violation means it answered outside them), must not answer 5xx on a
// control endpoint, must not echo the API key, and must still run a normal journey
// afterwards.
func FuzzHandler(f *testing.F) {
	type seed struct {
		method, path, query, body string
	}
	seeds := []seed{
		{"GET", "/liveness/session", "", ""},
		{"GET", "/liveness/session", "id=true", ""},
		{"GET", "/liveness/session", "simulate=liveness_check_failed&referring_session_id=$ID", ""},
		{"GET", "/liveness/session", "id=true&simulate=success", ""},
		{"POST", "/liveness/verify-face", "", `{"session_id":"$ID"}`},
		{"POST", "/liveness/verify-id", "", `{"session_id":"$ID"}`},
		{"POST", "/liveness/verify-identity", "", `{"session_id":"$ID","account_id":"acct-1"}`},
		{"POST", "/liveness/enroll", "", `{"session_id":"$ID","account_id":"acct-1"}`},
		{"GET", "/public/liveness-redirect", "project_id=" + verisoultest.DefaultProjectID, ""},
		{"GET", "/public/liveness-redirect", "project_id=" + verisoultest.DefaultProjectID + "&id=true&referring_session_id=$ID", ""},
		{"GET", verisoultest.AppPath, "session_id=$ID&redirect_url=https://acme.example/back&face=alice", ""},
		{"GET", verisoultest.AppPath, "session_id=$ID&redirect_url=/relative&fail=liveness_check_failed", ""},
		{"POST", verisoultest.ControlPrefix + "sessions/{id}/start", "", ""},
		{"GET", verisoultest.AppPath, "session_id=$NEW&redirect_url=https://acme.example/back&face=alice&document=expired", ""},
		{"POST", "/liveness/verify-id", "", `{"session_id":"$NEW"}`},
		{"POST", verisoultest.ControlPrefix + "sessions/{id}/complete", "", `{"face":"bob","document":{"Kind":"passport","Country":"US"},"ip_address":"203.0.113.9"}`},
		{"POST", verisoultest.ControlPrefix + "sessions/{id}/fail", "", `{"error_message":"liveness_check_failed"}`},
		{"GET", verisoultest.ControlPrefix + "sessions/{id}", "", ""},
		{"GET", verisoultest.ControlPrefix + "enrollments", "", ""},
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "verisoul", "*.json"))
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
		creds := uint8(credValid)
		if i%4 == 3 {
			creds = uint8(i/4) % 4
		}
		f.Add(fuzzRouteIndex(s.method, s.path), creds, s.method, "", s.query, "application/json", []byte(s.body))
	}
	f.Add(fuzzRouteIndex("POST", "/liveness/verify-face"), uint8(credOtherTenant), "POST", "", "", "application/json", []byte(`{"session_id":"$ID"}`))
	f.Add(fuzzRouteIndex("POST", "/liveness/enroll"), uint8(credValid|flagMethod), "PUT", "", "", "text/plain", []byte(`session_id=$ID`))
	f.Add(fuzzRouteIndex("GET", ""), uint8(credValid), "GET", "/liveness/../_sandbox/verisoul/enrollments", "", "", []byte(nil))
	f.Add(fuzzRouteIndex("POST", verisoultest.ControlPrefix+"sessions/{id}/complete"), uint8(credNone), "POST", "$NEW", "", "application/json", []byte(`{"face_image":"!!","document_image":"AAAA"}`))
	f.Add(fuzzRouteIndex("POST", verisoultest.ControlPrefix+"sessions/{id}/complete"), uint8(credNone), "POST", "$NEW", "", "application/json", []byte(`{"face":"dave","document":{"Kind":"id_card","Country":"CO","Number":"123","Fake":true}}`))
	f.Add(fuzzRouteIndex("POST", verisoultest.ControlPrefix+"sessions/{id}/fail"), uint8(credNone), "POST", "$NEW", "", "application/json", []byte(`{"error_message":"failed_to_process_id_scan"}`))

	f.Fuzz(func(t *testing.T, route, flags uint8, method, pathArg, query, contentType string, body []byte) {
		emu := verisoultest.New(verisoultest.WithClock(sandbox.NewFakeClock(t0).Now), verisoultest.WithProject(verisoultest.Project{ID: fuzzOtherProjectID, APIKey: fuzzOtherKey}),
			verisoultest.WithAllowedHosts("sandbox.test"))
		h := emu.Handler()
		id := fuzzStartSession(t, h, "")
		if err := emu.CompleteAs(id, "alice"); err != nil {
			t.Fatal(err)
		}
		fresh := fuzzStartSession(t, h, "?id=true")
		expand := strings.NewReplacer("$ID", id, "$NEW", fresh).Replace

		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		m := r.method
		if flags&flagMethod != 0 {
			m = method
		}
		path := r.path
		if path == "" {
			path = pathArg
		} else {
			arg := pathArg
			if arg == "" {
				arg = id
			}
			path = strings.ReplaceAll(path, "{id}", url.PathEscape(expand(arg)))
		}
		target := expand(path)
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
		case credValid:
			req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
		case credWrong:
			req.Header.Set("x-api-key", "wrong-key")
		case credOtherTenant:
			req.Header.Set("x-api-key", fuzzOtherKey)
		}

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		vendorRoute := !strings.HasPrefix(req.URL.Path, "/_sandbox/")
		if rec.Code >= 500 && !vendorRoute {
			t.Fatalf("%s %s answered %d: %s", m, r.path, rec.Code, rec.Body.String())
		}
		if vendorRoute {
			requireDocumented(t, req, rec)
		}
		if strings.Contains(rec.Body.String(), verisoultest.DefaultAPIKey) || strings.Contains(rec.Header().Get("Location"), verisoultest.DefaultAPIKey) {
			t.Fatalf("%s %s echoed the API key", m, r.path)
		}

		// The emulator still serves a whole journey.
		next := fuzzStartSession(t, h, "")
		if err := emu.CompleteAs(next, "carol"); err != nil {
			t.Fatalf("complete after fuzz input: %v", err)
		}
		if code, out := fuzzCall(h, "POST", "/liveness/verify-face", `{"session_id":"`+next+`"}`); code != 200 {
			t.Fatalf("verify-face after fuzz input: %d %s", code, out)
		}
		if code, out := fuzzCall(h, "POST", "/liveness/enroll", `{"session_id":"`+next+`","account_id":"acct-after"}`); code != 200 {
			t.Fatalf("enroll after fuzz input: %d %s", code, out)
		}
	})
}

// requireDocumented fails unless a vendor route's answer is one a spec documents for
// the operation — the contract middleware's own refusals (400, 413) included — or, for a
// request no operation matches, the gateway's 404 {"message":"Not Found"}. A 500 fails
// even though the specs document 5XX: without injected faults only the middleware
// answers it, when the emulator answered outside its spec.
func requireDocumented(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	routed := false
	for _, s := range []*contract.Spec{fmSpec, idcSpec} {
		_, ok := s.FindOperation(req)
		routed = routed || ok
	}
	switch {
	case rec.Code == 500:
		t.Fatalf("%s %s: the emulator answered outside its spec: %s", req.Method, req.URL.Path, rec.Body.String())
	case rec.Code == http.StatusTemporaryRedirect && path.Clean(req.URL.Path) != req.URL.Path:
		return // net/http's mux sends unclean paths ("//", "..") to their clean form
	case !routed:
		if rec.Code != 404 || strings.TrimSpace(rec.Body.String()) != `{"message":"Not Found"}` {
			t.Fatalf("%s %s: no operation, answered %d %s; want the gateway's 404", req.Method, req.URL.Path, rec.Code, rec.Body.String())
		}
		return
	}
	var problems []error
	for _, s := range []*contract.Spec{fmSpec, idcSpec} {
		if _, ok := s.FindOperation(req); !ok {
			continue
		}
		err := s.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes())
		if err == nil {
			return
		}
		problems = append(problems, err)
	}
	t.Fatalf("%s %s: %d %s is not documented: %v", req.Method, req.URL.Path, rec.Code, rec.Body.String(), problems)
}

// fuzzCall sends one authenticated JSON request and returns the status and body.
func fuzzCall(h http.Handler, method, target, body string) (int, string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// fuzzStartSession creates a Face Match session over HTTP and returns its id.
func fuzzStartSession(t *testing.T, h http.Handler, query string) string {
	t.Helper()
	code, out := fuzzCall(h, "GET", "/liveness/session"+query, "")
	var s struct {
		SessionID string `json:"session_id"`
	}
	if code != 200 || json.Unmarshal([]byte(out), &s) != nil || s.SessionID == "" {
		t.Fatalf("new session: %d %s", code, out)
	}
	return s.SessionID
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
