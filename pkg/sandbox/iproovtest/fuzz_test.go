package iproovtest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// fuzzRoute is a request shape the fuzzer starts from: a spec operation, a control
// endpoint, or (empty path) a path made up by the fuzzer.
type fuzzRoute struct{ method, path string }

var fuzzSpec = contract.Default().Spec("iproov/claim")

// fuzzRoutes lists every operation of the spec (under the emulator's base path) and
// every control endpoint.
var fuzzRoutes = func() []fuzzRoute {
	var out []fuzzRoute
	for path, item := range fuzzSpec.Doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, fuzzRoute{method, iproovtest.BasePath + path})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return append(out,
		fuzzRoute{"POST", iproovtest.ControlPrefix + "claims/{token}/start"},
		fuzzRoute{"POST", iproovtest.ControlPrefix + "claims/{token}/capture"},
		fuzzRoute{"POST", iproovtest.ControlPrefix + "fail-next"},
		fuzzRoute{"PUT", iproovtest.ControlPrefix + "availability"},
		fuzzRoute{"POST", iproovtest.ControlPrefix + "reset"},
		fuzzRoute{"GET", iproovtest.ControlPrefix + "stats"},
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

// Credentials (flags bits 0-1) fill $KEY, $SECRET and the Authorization header: none,
// the service provider's, another service provider's (valid, but not the owner of the
// users and tokens aimed at), or the right key with a wrong secret.
const (
	credNone, credValid, credOtherTenant, credWrongSecret = 0, 1, 2, 3
	// flags bit 2: send the fuzzed method instead of the route's.
	flagMethod = 4
)

// fuzzWorld is a fresh emulator with a little state to aim at.
type fuzzWorld struct {
	emu     *iproovtest.Emulator
	h       http.Handler
	bearer  string // a Management API access token
	other   string // the other service provider's access token
	pending string // an enrol token nobody captured ($TOKEN)
	ready   string // a verify token of $USER, captured, not validated ($VTOKEN)
}

const fuzzUser = "fuzz-user-1"

// fuzzOther is a second service provider on the same platform.
var fuzzOther = iproovtest.ServiceProvider{
	APIKey: "fuzzothertenantapikey000000000000000000", Secret: "fuzzothertenantsecret0000000000000000000",
	OAuthUsername: "fuzz-other", OAuthPassword: "fuzz-other-password",
}

func newFuzzWorld(t *testing.T) *fuzzWorld {
	t.Helper()
	w := &fuzzWorld{emu: iproovtest.New(iproovtest.WithClock(sandbox.NewFakeClock(t0).Now), iproovtest.WithServiceProvider(fuzzOther))}
	w.h = w.emu.Handler()
	w.bearer = w.accessToken(t, iproovtest.DefaultAPIKey, iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword)
	w.other = w.accessToken(t, fuzzOther.APIKey, fuzzOther.OAuthUsername, fuzzOther.OAuthPassword)
	w.enrol(t, fuzzUser, "alice")
	w.pending = w.token(t, "enrol", "fuzz-pending")
	w.ready = w.token(t, "verify", fuzzUser)
	if err := w.emu.CaptureFace(w.ready, "alice"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *fuzzWorld) accessToken(t *testing.T, apiKey, user, pass string) string {
	t.Helper()
	req := httptest.NewRequest("POST", iproovtest.BasePath+"/"+apiKey+"/access_token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, pass)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("access token: %d %s", rec.Code, rec.Body.String())
	}
	return tok.AccessToken
}

// call sends one request; auth is "bearer" or "".
func (w *fuzzWorld) call(method, target, contentType, body, auth string) (int, string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth == "bearer" {
		req.Header.Set("Authorization", "Bearer "+w.bearer)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func (w *fuzzWorld) token(t *testing.T, kind, user string) string {
	t.Helper()
	code, out := w.call("POST", iproovtest.BasePath+"/claim/"+kind+"/token", "application/json",
		`{"api_key":"`+iproovtest.DefaultAPIKey+`","secret":"`+iproovtest.DefaultSecret+`","resource":"fuzz","user_id":"`+user+`","client":"fuzz"}`, "")
	var tok struct {
		Token string `json:"token"`
	}
	if code != 200 || json.Unmarshal([]byte(out), &tok) != nil || tok.Token == "" {
		t.Fatalf("%s token for %s: %d %s", kind, user, code, out)
	}
	return tok.Token
}

func (w *fuzzWorld) validate(t *testing.T, kind, user, token string) {
	t.Helper()
	code, out := w.call("POST", iproovtest.BasePath+"/claim/"+kind+"/validate", "application/json",
		`{"api_key":"`+iproovtest.DefaultAPIKey+`","secret":"`+iproovtest.DefaultSecret+`","user_id":"`+user+`","token":"`+token+`","client":"fuzz"}`, "")
	var res struct {
		Passed bool `json:"passed"`
	}
	if code != 200 || json.Unmarshal([]byte(out), &res) != nil || !res.Passed {
		t.Fatalf("%s validate for %s: %d %s", kind, user, code, out)
	}
}

// enrol runs a whole capture enrol of user showing face.
func (w *fuzzWorld) enrol(t *testing.T, user, face string) {
	t.Helper()
	token := w.token(t, "enrol", user)
	if err := w.emu.CaptureFace(token, face); err != nil {
		t.Fatalf("capture: %v", err)
	}
	w.validate(t, "enrol", user, token)
}

// fuzzPhotoForm is a photo-enrol upload with placeholders for the credentials.
func fuzzPhotoForm() (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"api_key", "$KEY"}, {"secret", "$SECRET"}, {"rotation", "0"}, {"token", "$TOKEN"}, {"source", "eid"}} {
		_ = mw.WriteField(kv[0], kv[1])
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="image"; filename="face.png"`)
	h.Set("Content-Type", "image/png")
	part, _ := mw.CreatePart(h)
	_, _ = part.Write(sandbox.FaceImage("alice"))
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// FuzzHandler sends arbitrary requests — the spec's operations and the control
// endpoints with fuzzed method, path argument, query, content type and body, with
// valid credentials in a quarter of the cases and another service provider's in
// another — to a fresh emulator holding an enrolled user ($USER), a pending enrol token
// ($TOKEN) and a captured verify token ($VTOKEN); $KEY and $SECRET stand for the
// credentials the flags choose. The emulator must not panic, must answer the vendor
// routes only as the spec documents (checked here too, since some answers are written
// before the contract middleware, and the middleware's own refusals must be iProov's
// documented answers as well), must not answer 5xx
// on a control endpoint, must not echo a secret, must not let another service provider
// reach the user, and must still run a whole enrol afterwards.
func FuzzHandler(f *testing.F) {
	type seed struct {
		method, path, query, contentType, body string
	}
	const creds = `"api_key":"$KEY","secret":"$SECRET"`
	formType, form := fuzzPhotoForm()
	seeds := []seed{
		{"POST", "/claim/enrol/token", "", "application/json", `{` + creds + `,"resource":"onboarding","user_id":"fuzz-new","client":"fuzz","assurance_type":"liveness"}`},
		{"POST", "/claim/enrol/token", "", "application/json", `{` + creds + `,"resource":"onboarding","user_id":"$USER","risk_profile":"high"}`},
		{"POST", "/claim/verify/token", "", "application/json", `{` + creds + `,"resource":"login","user_id":"$USER","client":"fuzz"}`},
		{"POST", "/claim/enrol/validate", "", "application/json", `{` + creds + `,"user_id":"fuzz-pending","token":"$TOKEN","client":"fuzz","activate":false}`},
		{"POST", "/claim/verify/validate", "", "application/json", `{` + creds + `,"user_id":"$USER","token":"$VTOKEN","client":"fuzz","ip":"203.0.113.7"}`},
		{"POST", "/claim/{token}/invalidate", "", "application/json", `{"reason":"user cancelled"}`},
		{"POST", "/claim/enrol/image", "", formType, string(form)},
		{"POST", "/{api_key}/access_token", "", "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=user-read"},
		{"GET", "/users/{user_id}", "", "", ""},
		{"PUT", "/users/{user_id}", "", "application/json", `{"user_id":"fuzz-renamed","name":"Display Name"}`},
		{"DELETE", "/users/{user_id}", "", "", ""},
		{"POST", "/users/{user_id}/activate", "", "application/json", `{}`},
		{"POST", "/users/{user_id}/suspend", "", "application/json", `{"date_time":"2025-03-01T09:00:00Z"}`},
		{"GET", "/availability", "api_key=$KEY", "", ""},
		{"POST", iproovtest.ControlPrefix + "claims/{token}/start", "", "application/json", ""},
		{"POST", iproovtest.ControlPrefix + "claims/{token}/capture", "", "application/json", `{"face":"bob","liveness_failure":"Please Keep Still"}`},
		{"POST", iproovtest.ControlPrefix + "claims/{token}/capture", "", "application/json", `{"image":"` + base64.StdEncoding.EncodeToString(sandbox.FaceJPEG("carol")) + `"}`},
		{"POST", iproovtest.ControlPrefix + "fail-next", "", "application/json", `{"operation":"userVerifyValidate","status":500}`},
		{"PUT", iproovtest.ControlPrefix + "availability", "", "application/json", `{"up":false}`},
		{"POST", iproovtest.ControlPrefix + "reset", "", "application/json", ""},
		{"GET", iproovtest.ControlPrefix + "stats", "", "", ""},
	}
	for i, s := range seeds {
		path := s.path
		if !strings.HasPrefix(path, "/_sandbox/") {
			path = iproovtest.BasePath + path
		}
		flags := uint8(credValid)
		if i%4 == 3 {
			flags = uint8(i/4) % 4
		}
		f.Add(fuzzRouteIndex(s.method, path), flags, s.method, "", s.query, s.contentType, []byte(s.body))
	}
	f.Add(fuzzRouteIndex("POST", iproovtest.BasePath+"/claim/{token}/invalidate"), uint8(credValid), "POST", "$VTOKEN", "", "application/json", []byte(`{"reason":"\u0000<script>"}`))
	f.Add(fuzzRouteIndex("POST", iproovtest.BasePath+"/claim/verify/validate"), uint8(credWrongSecret), "POST", "", "", "application/json", []byte(`{`+creds+`,"user_id":"$USER","token":"$VTOKEN","client":"fuzz"}`))
	f.Add(fuzzRouteIndex("GET", ""), uint8(credValid), "GET", iproovtest.BasePath+"/users/../availability", "api_key=$KEY", "", []byte(nil))
	f.Add(fuzzRouteIndex("POST", iproovtest.BasePath+"/claim/enrol/image"), uint8(credValid), "POST", "", "", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\"\r\n\r\n\x89PNG\r\n--x--\r\n"))
	// The contract middleware's own refusals: a property iProov does not know (400), a
	// route iProov does not have (404), a method the path does not take (404).
	f.Add(fuzzRouteIndex("POST", iproovtest.BasePath+"/claim/enrol/token"), uint8(credValid), "POST", "", "", "application/json", []byte(`{`+creds+`,"resource":"r","user_id":"u1","riskProfile":"D_33_1A"}`))
	f.Add(fuzzRouteIndex("GET", ""), uint8(credValid), "GET", iproovtest.BasePath+"/claim/nothing", "", "", []byte(nil))
	f.Add(fuzzRouteIndex("GET", iproovtest.BasePath+"/availability"), uint8(credValid|flagMethod), "DELETE", "", "api_key=$KEY", "", []byte(nil))

	f.Fuzz(func(t *testing.T, route, flags uint8, method, pathArg, query, contentType string, body []byte) {
		w := newFuzzWorld(t)
		key, secret := iproovtest.DefaultAPIKey, iproovtest.DefaultSecret
		switch flags & 3 {
		case credNone:
			key, secret = "", ""
		case credOtherTenant:
			key, secret = fuzzOther.APIKey, fuzzOther.Secret
		case credWrongSecret:
			secret = "wrongsecret00000000000000000000000000000"
		}
		expand := strings.NewReplacer("$KEY", key, "$SECRET", secret, "$USER", fuzzUser, "$TOKEN", w.pending, "$VTOKEN", w.ready).Replace

		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		m := r.method
		if flags&flagMethod != 0 {
			m = method
		}
		path := r.path
		if path == "" {
			path = pathArg
		} else {
			defaults := map[string]string{"{token}": "$TOKEN", "{api_key}": "$KEY", "{user_id}": "$USER"}
			for param, def := range defaults {
				arg := pathArg
				if arg == "" {
					arg = def
				}
				path = strings.ReplaceAll(path, param, url.PathEscape(expand(arg)))
			}
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
		basicUser, basicPass, bearer := iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword, w.bearer
		switch flags & 3 {
		case credOtherTenant:
			basicUser, basicPass, bearer = fuzzOther.OAuthUsername, fuzzOther.OAuthPassword, w.other
		case credWrongSecret:
			basicPass, bearer = "wrong-password", "wrong-token"
		}
		if flags&3 != credNone {
			if strings.HasSuffix(req.URL.Path, "/access_token") {
				req.SetBasicAuth(basicUser, basicPass)
			} else {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
		}

		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		vendorRoute := strings.HasPrefix(req.URL.Path, iproovtest.BasePath+"/")
		if rec.Code >= 500 && !vendorRoute {
			t.Fatalf("%s %s answered %d: %s", m, r.path, rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), iproovtest.DefaultSecret) || strings.Contains(rec.Body.String(), iproovtest.DefaultOAuthPassword) {
			t.Fatalf("%s %s echoed a secret", m, r.path)
		}
		if flags&3 == credOtherTenant && rec.Code < 300 && strings.Contains(req.URL.Path, fuzzUser) {
			t.Fatalf("%s %s: another service provider reached this one's user: %d %s", m, req.URL.Path, rec.Code, rec.Body.String())
		}
		if vendorRoute {
			requireDocumented(t, req, rec)
		}

		// A whole capture enrol still works, unless the input asked for failures.
		switch req.URL.Path {
		case iproovtest.ControlPrefix + "fail-next", iproovtest.ControlPrefix + "availability":
			return
		}
		w.enrol(t, "fuzz-after", "dave")
	})
}

// requireDocumented fails unless a vendor route's answer is one the spec documents for
// the operation - the contract middleware's own refusals included, which answer in
// iProov's envelope - or, for a route the spec does not have, iProov's generic 404.
func requireDocumented(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code == http.StatusTemporaryRedirect && path.Clean(req.URL.Path) != req.URL.Path {
		return // net/http's mux sends unclean paths ("//", "..") to their clean form
	}
	if strings.Contains(rec.Body.String(), "contract_violation") {
		t.Fatalf("%s %s: %d in the contract kit's shape, not iProov's: %s", req.Method, req.URL.Path, rec.Code, rec.Body.String())
	}
	if _, ok := fuzzSpec.FindOperation(req); !ok {
		var body any
		err := json.Unmarshal(rec.Body.Bytes(), &body)
		if err == nil {
			err = fuzzSpec.Doc.Components.Schemas["ErrorResponse"].Value.VisitJSON(body)
		}
		if rec.Code != http.StatusNotFound || err != nil {
			t.Fatalf("%s %s: %d for a route the spec does not have is not iProov's 404: %s (%v)", req.Method, req.URL.Path, rec.Code, rec.Body.String(), err)
		}
		return
	}
	if err := fuzzSpec.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Fatalf("%s %s: %d %s is not documented: %v", req.Method, req.URL.Path, rec.Code, rec.Body.String(), err)
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
