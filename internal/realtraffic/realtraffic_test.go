package realtraffic_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/realtraffic"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

const corpusDir = "../../testdata/real"

// Issue classes of the knownMismatch table: what part B has to change.
const (
	classContentType = "content type"          // a body or part content type the spec does not allow
	classClientShape = "client shape"          // a field or value the vendor's own client sends that the spec refuses
	classLooserType  = "vendor type looser"    // the vendor types/enumerates it more loosely than the spec
	classNullable    = "nullability"           // the vendor documents null where the spec refuses it
	classOperation   = "operation not in spec" // coverage: a documented or client-used operation the spec lacks
	classStatus      = "status/body not in spec"
	classEmulator    = "emulator refuses" // the spec accepts it but the emulator does not
)

// mismatch is a corpus item our spec or emulator gets wrong: the to-do list of part B.
type mismatch struct {
	class string
	// where is the spec location to change (or the emulator file).
	where string
	// why is the source that justifies the change.
	why string
}

// knownMismatch lists every corpus item that fails today because idvkit is wrong. The test
// asserts the table is exact: an item listed here that starts passing must be removed, and
// a failing item not listed here (nor in refusedAsVendorWould) fails the test.
var knownMismatch = joinMismatches(knownMismatchIProov, knownMismatchVerifik, knownMismatchVerisoul)

func joinMismatches(tables ...map[string]mismatch) map[string]mismatch {
	out := map[string]mismatch{}
	for _, t := range tables {
		for k, v := range t {
			out[k] = v
		}
	}
	return out
}

// refusedAsVendorWould lists corpus items the real vendor refuses too, with the reason;
// the contract kit is right to refuse them.
var refusedAsVendorWould = map[string]string{
	"iproov/web-demo-2020-verify-validate-no-user-id": "user_id is required on validate (iProov Swagger 2.13 ClaimValidateRequest.required); " +
		"iProov fixed its own demo for it (iProov/web a5e989c \"user_id was missing\")",
}

// outcome is what the contract kit and the emulator made of one corpus item.
type outcome struct {
	contract []string // violations the kit found (drift excluded)
	drift    int
	emulator []string // violations the emulator's middleware reported while serving the request
	sent     bool
	status   int // the emulator's answer, when sent
	err      error
}

func (o outcome) failed() bool { return o.err != nil || len(o.contract) > 0 || len(o.emulator) > 0 }

func (o outcome) String() string {
	var b strings.Builder
	if o.err != nil {
		fmt.Fprintf(&b, "error: %v; ", o.err)
	}
	if len(o.contract) > 0 {
		fmt.Fprintf(&b, "contract: %s; ", strings.Join(o.contract, " | "))
	}
	if len(o.emulator) > 0 {
		fmt.Fprintf(&b, "emulator (%d): %s; ", o.status, strings.Join(o.emulator, " | "))
	}
	return strings.TrimSuffix(b.String(), "; ")
}

type counts struct{ collected, accepted, refused, mismatches int }

func TestRealTraffic(t *testing.T) {
	exchanges, err := realtraffic.Load(corpusDir)
	require.NoError(t, err, "every corpus file parses and names its source")
	require.NotEmpty(t, exchanges)

	kit := contract.Default()
	harnesses := map[string]*harness{
		"iproov":   newIProovHarness(t),
		"verisoul": newVerisoulHarness(t),
		"verifik":  newVerifikHarness(t),
	}

	perVendor := map[string]*counts{}
	seen := map[string]bool{}
	for _, ex := range exchanges {
		seen[ex.ID] = true
		h := harnesses[ex.Vendor]
		require.NotNil(t, h, "%s: unknown vendor", ex.ID)
		c := perVendor[ex.Vendor]
		if c == nil {
			c = &counts{}
			perVendor[ex.Vendor] = c
		}
		c.collected++

		o := check(t, kit, h, ex)
		mm, isMismatch := knownMismatch[ex.ID]
		reason, isRefused := refusedAsVendorWould[ex.ID]
		switch {
		case isMismatch && isRefused:
			t.Errorf("%s: listed both as a known mismatch and as refused", ex.ID)
		case isMismatch:
			c.mismatches++
			if !o.failed() {
				t.Errorf("%s now passes: remove it from knownMismatch (%s at %s)", ex.ID, mm.class, mm.where)
			} else {
				t.Logf("known mismatch %s [%s]: %s", ex.ID, mm.class, o)
			}
		case isRefused:
			c.refused++
			if len(o.contract) == 0 {
				t.Errorf("%s: listed as refused by the vendor (%s), but the contract kit accepts it: remove it", ex.ID, reason)
			}
		default:
			if o.failed() {
				t.Errorf("%s (%s, %s): %s", ex.ID, ex.Operation, sourceOf(ex), o)
			} else {
				c.accepted++
			}
		}
	}
	for id := range knownMismatch {
		assert.True(t, seen[id], "knownMismatch names %s, which is not in the corpus", id)
	}
	for id := range refusedAsVendorWould {
		assert.True(t, seen[id], "refusedAsVendorWould names %s, which is not in the corpus", id)
	}

	vendors := make([]string, 0, len(perVendor))
	for v := range perVendor {
		vendors = append(vendors, v)
	}
	sort.Strings(vendors)
	for _, v := range vendors {
		c := perVendor[v]
		t.Logf("real traffic %-8s collected %3d  accepted %3d  refused-as-vendor-would %2d  known mismatches %2d",
			v, c.collected, c.accepted, c.refused, c.mismatches)
	}
}

func sourceOf(ex realtraffic.Exchange) string {
	if ex.Source.Repo != "" {
		return ex.Source.Repo + ":" + ex.Source.Path
	}
	return ex.Source.URL
}

// check validates the item's request and response with the kit in enforce mode (drift is
// counted, never failed) and sends the request through the vendor's emulator.
func check(t *testing.T, kit *contract.Kit, h *harness, ex realtraffic.Exchange) outcome {
	t.Helper()
	var o outcome
	spec, err := kit.Lookup(ex.Spec)
	if err != nil {
		o.err = err
		return o
	}
	vars := h.vars(ex)
	add := func(err error) {
		var cerr *contract.Error
		if errors.As(err, &cerr) {
			o.drift += len(cerr.DriftProblems())
			for _, p := range cerr.Violations() {
				o.contract = append(o.contract, p.String())
			}
			return
		}
		if err != nil && o.err == nil {
			o.err = err
		}
	}

	if ex.Request != nil && (ex.Response == nil || ex.Request.Headers != nil) {
		req, err := ex.Request.Build("https://vendor.invalid", vars)
		if err != nil {
			o.err = err
			return o
		}
		add(spec.ValidateRequest(req))

		o.sent = true
		o.status, o.emulator, err = h.send(ex, vars)
		if err != nil && o.err == nil {
			o.err = err
		}
		if err == nil && ex.Expect != nil && !slices.Contains(ex.Expect.Status, o.status) {
			o.emulator = append(o.emulator, fmt.Sprintf("answered %d where the vendor answers %v", o.status, ex.Expect.Status))
		}
	}
	if ex.Response != nil {
		req, err := ex.Route("https://vendor.invalid", vars)
		if err != nil {
			o.err = err
			return o
		}
		add(spec.ValidateResponse(req, ex.Response.Status, ex.Response.Header(), ex.Response.JSON))
	}
	return o
}

// harness is one vendor's emulator behind httptest, with the contract problems its
// middleware reports, and the placeholder values of its corpus.
type harness struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	problems []*contract.Error

	// resolve returns the value of a placeholder for one item; state is that item's
	// cache (an item's {{user_id}} is the same everywhere in it).
	resolve func(name string, state map[string]string) (string, error)
}

func (h *harness) record(e *contract.Error) {
	h.mu.Lock()
	h.problems = append(h.problems, e)
	h.mu.Unlock()
}

func (h *harness) vars(ex realtraffic.Exchange) realtraffic.Vars {
	state := map[string]string{"item": ex.ID}
	return func(name string) (string, error) {
		if v, ok := state[name]; ok {
			return v, nil
		}
		v, err := h.resolve(name, state)
		if err != nil {
			return "", err
		}
		state[name] = v
		return v, nil
	}
}

// send resolves the item's placeholders (which may call the emulator to make state), then
// sends the request and returns the answer's status and the violations the emulator's
// contract middleware reported while serving it.
func (h *harness) send(ex realtraffic.Exchange, vars realtraffic.Vars) (int, []string, error) {
	for _, name := range realtraffic.Placeholders(ex.Request.Text()) {
		if _, err := vars(name); err != nil {
			return 0, nil, err
		}
	}
	req, err := ex.Request.Build(h.srv.URL, vars)
	if err != nil {
		return 0, nil, err
	}
	h.mu.Lock()
	h.problems = nil
	h.mu.Unlock()
	// The answer itself is what is checked: a documented 302 is not followed.
	hc := *h.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.problems {
		for _, p := range e.Violations() {
			out = append(out, p.String())
		}
	}
	return resp.StatusCode, out, nil
}

// call makes a setup request to the emulator and decodes its JSON answer; setup traffic is
// the project's own and must succeed.
func (h *harness) call(method, path string, header map[string]string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("setup %s %s: status %d: %s", method, path, resp.StatusCode, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("setup %s %s: %w", method, path, err)
	}
	return out, nil
}

// dig walks a decoded JSON object along keys and returns the string found there.
func dig(v any, keys ...string) (string, error) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no %s in setup answer", strings.Join(keys, "."))
		}
		v = m[k]
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("no string at %s in setup answer", strings.Join(keys, "."))
	}
	return s, nil
}

var itemSeq struct {
	sync.Mutex
	n int
}

func unique(prefix string) string {
	itemSeq.Lock()
	defer itemSeq.Unlock()
	itemSeq.n++
	return fmt.Sprintf("%s%d", prefix, itemSeq.n)
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// --- iProov -------------------------------------------------------------------------

func newIProovHarness(t *testing.T) *harness {
	h := &harness{t: t}
	emu := iproovtest.New(iproovtest.WithOnProblem(h.record))
	h.srv = httptest.NewServer(emu.Handler())
	t.Cleanup(h.srv.Close)
	const base = iproovtest.BasePath

	claim := func(kind, user string) (string, error) {
		out, err := h.call(http.MethodPost, base+"/claim/"+kind+"/token", nil, map[string]any{
			"api_key": emu.APIKey(), "secret": emu.Secret(), "resource": "idvkit real traffic",
			"user_id": user, "assurance_type": "genuine_presence",
		})
		if err != nil {
			return "", err
		}
		return dig(out, "token")
	}
	enrolled := func(user string) error {
		tok, err := claim("enrol", user)
		if err != nil {
			return err
		}
		if err := emu.CaptureFace(tok, "alice"); err != nil {
			return err
		}
		_, err = h.call(http.MethodPost, base+"/claim/enrol/validate", nil, map[string]any{
			"api_key": emu.APIKey(), "secret": emu.Secret(), "user_id": user, "token": tok, "client": "idvkit",
		})
		return err
	}

	h.resolve = func(name string, st map[string]string) (string, error) {
		vars := h.varsOf(st)
		switch name {
		case "api_key":
			return emu.APIKey(), nil
		case "secret":
			return emu.Secret(), nil
		case "api_basic":
			return basic(emu.APIKey(), emu.Secret()), nil
		case "oauth_basic":
			return basic(emu.OAuthCredentials()), nil
		case "risk_profile":
			return "D_33_1A", nil
		case "user_id":
			return unique("rt-user-"), nil
		case "enrol_token":
			user, err := vars("user_id")
			if err != nil {
				return "", err
			}
			tok, err := claim("enrol", user)
			if err != nil {
				return "", err
			}
			// A validate call needs the capture done; a photo enrol needs it not started.
			if !strings.Contains(st["item"], "photo-enrol") && !strings.Contains(st["item"], "invalidate") {
				err = emu.CaptureFace(tok, "alice")
			}
			return tok, err
		case "verify_token":
			user, err := vars("user_id")
			if err != nil {
				return "", err
			}
			if err := enrolled(user); err != nil {
				return "", err
			}
			tok, err := claim("verify", user)
			if err != nil {
				return "", err
			}
			return tok, emu.CaptureFace(tok, "alice")
		case "enrolled_user_id":
			user := unique("rt-enrolled-")
			return user, enrolled(user)
		case "access_token":
			user, pass := emu.OAuthCredentials()
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+base+"/"+emu.APIKey()+"/access_token",
				strings.NewReader("grant_type=client_credentials"))
			if err != nil {
				return "", err
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(user, pass)
			resp, err := h.srv.Client().Do(req)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			var out map[string]any
			if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
				return "", err
			}
			return dig(out, "access_token")
		}
		return "", fmt.Errorf("iproov: no value for placeholder %q", name)
	}
	return h
}

// varsOf resolves further placeholders of the same item from inside resolve.
func (h *harness) varsOf(st map[string]string) realtraffic.Vars {
	return func(name string) (string, error) {
		if v, ok := st[name]; ok {
			return v, nil
		}
		v, err := h.resolve(name, st)
		if err != nil {
			return "", err
		}
		st[name] = v
		return v, nil
	}
}

// --- Verisoul -----------------------------------------------------------------------

func newVerisoulHarness(t *testing.T) *harness {
	h := &harness{t: t}
	emu := verisoultest.New(verisoultest.WithOnProblem(h.record))
	h.srv = httptest.NewServer(emu.Handler())
	t.Cleanup(h.srv.Close)
	key := map[string]string{"x-api-key": emu.APIKey()}

	session := func(query string) (string, error) {
		out, err := h.call(http.MethodGet, "/liveness/session"+query, key, nil)
		if err != nil {
			return "", err
		}
		return dig(out, "session_id")
	}
	h.resolve = func(name string, st map[string]string) (string, error) {
		switch name {
		case "api_key":
			return emu.APIKey(), nil
		case "project_id":
			return emu.ProjectID(), nil
		case "account_id":
			return unique("rt-account-"), nil
		case "enrolled_account_id":
			id, err := session("")
			if err != nil {
				return "", err
			}
			if err := emu.CompleteAs(id, "alice"); err != nil {
				return "", err
			}
			account := unique("rt-account-")
			_, err = h.call(http.MethodPost, "/liveness/enroll", key, map[string]string{"session_id": id, "account_id": account})
			return account, err
		case "session_id":
			id, err := session("")
			if err != nil {
				return "", err
			}
			return id, emu.CompleteAs(id, "alice")
		case "idcheck_session_id":
			id, err := session("?id=true")
			if err != nil {
				return "", err
			}
			return id, emu.CompleteWithDocument(id, "bob", emu.DocumentFor("bob"))
		}
		return "", fmt.Errorf("verisoul: no value for placeholder %q", name)
	}
	return h
}

// --- Verifik ------------------------------------------------------------------------

func newVerifikHarness(t *testing.T) *harness {
	h := &harness{t: t}
	emu := verifiktest.New(verifiktest.WithOnProblem(h.record))
	t.Cleanup(func() { _ = emu.Close() })
	h.srv = httptest.NewServer(emu.Handler())
	t.Cleanup(h.srv.Close)
	client := map[string]string{"Authorization": "Bearer " + emu.ClientToken()}

	// One project and flow for the whole corpus, made the way an integrator makes them.
	var projectID, flowID string
	setup := func() error {
		if projectID != "" {
			return nil
		}
		p, err := h.call(http.MethodPost, "/v2/projects", client, map[string]any{
			"name": "idvkit real traffic", "allowedCountries": []string{"Colombia", "United States"},
			"contactEmail": "support@acme.example", "privacyUrl": "https://acme.example/privacy",
			"termsAndConditionsUrl": "https://acme.example/terms",
		})
		if err != nil {
			return err
		}
		if projectID, err = dig(p, "data", "_id"); err != nil {
			return err
		}
		f, err := h.call(http.MethodPost, "/v2/project-flows", client, map[string]any{
			"project": projectID, "type": "onboarding", "status": "active", "redirectUrl": "https://acme.example/done",
			"onboardingSettings": map[string]any{
				"steps":      map[string]string{"signUpForm": "mandatory", "basicInformation": "skip", "document": "optional", "liveness": "optional", "form": "skip"},
				"signUpForm": map[string]any{"email": true, "emailGateway": "mailgun", "phoneGateway": "none"},
			},
		})
		if err != nil {
			return err
		}
		flowID, err = dig(f, "data", "_id")
		return err
	}

	h.resolve = func(name string, st map[string]string) (string, error) {
		vars := h.varsOf(st)
		if err := setup(); err != nil {
			return "", err
		}
		bearer := func() (map[string]string, error) {
			tok, err := vars("app_registration_token")
			return map[string]string{"Authorization": "Bearer " + tok}, err
		}
		switch name {
		case "client_token":
			return emu.ClientToken(), nil
		case "project_id":
			return projectID, nil
		case "project_flow_id":
			return flowID, nil
		case "email":
			return unique("rt-") + "@acme.example", nil
		case "app_registration_token", "app_registration_id", "information_validation_id":
			email, err := vars("email")
			if err != nil {
				return "", err
			}
			out, err := h.call(http.MethodPost, "/v2/app-registrations", client, map[string]any{
				"project": projectID, "projectFlow": flowID, "email": email, "fullName": "Ana Perez",
			})
			if err != nil {
				return "", err
			}
			if st["app_registration_token"], err = dig(out, "data", "token"); err != nil {
				return "", err
			}
			if st["app_registration_id"], err = dig(out, "data", "appRegistration", "_id"); err != nil {
				return "", err
			}
			st["information_validation_id"], _ = dig(out, "data", "informationValidation", "_id")
			return st[name], nil
		case "email_validation_id", "email_otp":
			email, err := vars("email")
			if err != nil {
				return "", err
			}
			hdr, err := bearer()
			if err != nil {
				return "", err
			}
			out, err := h.call(http.MethodPost, "/v2/email-validations/app-registration", hdr, map[string]any{
				"project": projectID, "validationMethod": "verificationCode", "email": email, "type": "onboarding",
			})
			if err != nil {
				return "", err
			}
			if st["email_validation_id"], err = dig(out, "data", "_id"); err != nil {
				return "", err
			}
			code, ok := emu.LastCode(email)
			if !ok {
				return "", errors.New("verifik: no code sent")
			}
			st["email_otp"] = code
			return st[name], nil
		case "signed_up_registration_id":
			// The mandatory signUpForm step done: email OTP validated, signUpForm synced.
			id, err := vars("app_registration_id")
			if err != nil {
				return "", err
			}
			email, err := vars("email")
			if err != nil {
				return "", err
			}
			valID, err := vars("email_validation_id")
			if err != nil {
				return "", err
			}
			code, err := vars("email_otp")
			if err != nil {
				return "", err
			}
			otp := code // a string, as Verifik's web SDK sends it: a leading zero survives
			hdr, err := bearer()
			if err != nil {
				return "", err
			}
			if _, err := h.call(http.MethodPut, "/v2/email-validations/"+valID, hdr, map[string]any{"email": email, "otp": otp}); err != nil {
				return "", err
			}
			_, err = h.call(http.MethodPut, "/v2/app-registrations/"+id+"/sync", hdr, map[string]string{"step": "signUpForm", "status": "ONGOING"})
			return id, err
		case "document_image":
			return string(verifiktest.DocumentPhoto(documentFor("alice"))), nil
		case "face_image":
			return base64.StdEncoding.EncodeToString(sandbox.FaceJPEG("alice")), nil
		case "selfie":
			return string(verifiktest.Selfie("alice")), nil
		case "document_validation_id":
			hdr, err := bearer()
			if err != nil {
				return "", err
			}
			out, err := h.call(http.MethodPost, "/v2/document-validations/app-registration", hdr, map[string]any{
				"image": verifiktest.DocumentPhoto(documentFor("alice")), "force": false,
			})
			if err != nil {
				return "", err
			}
			return dig(out, "data", "documentValidation", "_id")
		case "biometric_validation_id":
			hdr, err := bearer()
			if err != nil {
				return "", err
			}
			// A face of its own: the emulator refuses a face another registrant enrolled.
			out, err := h.call(http.MethodPost, "/v2/biometric-validations/app-registration", hdr, map[string]any{
				"image": verifiktest.Selfie(unique("rt-face-")), "os": "DESKTOP",
			})
			if err != nil {
				return "", err
			}
			if id, err := dig(out, "data", "biometricValidation", "_id"); err == nil {
				return id, nil
			}
			return dig(out, "data", "biometricValidation")
		}
		return "", fmt.Errorf("verifik: no value for placeholder %q", name)
	}
	return h
}

func documentFor(face string) sandbox.Document {
	return sandbox.Document{
		Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: "ANA", LastName: "PEREZ",
		DateOfBirth: "1990-01-02", Expiry: "2035-01-02", Face: face,
	}
}

// TestBuild checks that a corpus request is rebuilt byte for byte as its client sends it:
// part headers exactly as recorded (none added), placeholders escaped for JSON.
func TestBuild(t *testing.T) {
	vars := func(name string) (string, error) {
		if name == "missing" {
			return "", errors.New("no value")
		}
		return `va"l` + name, nil
	}
	tests := []struct {
		name    string
		req     realtraffic.Request
		wantErr bool
		check   func(t *testing.T, r *http.Request, body []byte)
	}{
		{
			name: "json placeholder escaped",
			req:  realtraffic.Request{Method: "POST", Path: "/a/{{id}}", JSON: []byte(`{"k":"{{key}}"}`), Headers: map[string]string{"Content-Type": "text/plain; charset=UTF-8"}},
			check: func(t *testing.T, r *http.Request, body []byte) {
				assert.JSONEq(t, `{"k":"va\"lkey"}`, string(body))
				assert.Equal(t, "text/plain; charset=UTF-8", r.Header.Get("Content-Type"), "the recorded header, not a corrected one")
				assert.Equal(t, `/a/va%22lid`, r.URL.EscapedPath())
				require.NotNil(t, r.GetBody, "replayable like a client request")
			},
		},
		{
			name: "multipart part headers as recorded",
			req: realtraffic.Request{Method: "POST", Path: "/up", Multipart: &realtraffic.Multipart{Boundary: "b0undary", Parts: []realtraffic.Part{
				{Name: "rotation", Value: "\x00\x00"},
				{Name: "image", Filename: "image.jpg", Headers: map[string]string{"Content-Type": "application/octet-stream"}, File: &realtraffic.File{Kind: "face-jpeg", Face: "alice"}},
			}}},
			check: func(t *testing.T, _ *http.Request, body []byte) {
				s := string(body)
				assert.Contains(t, s, "--b0undary\r\nContent-Disposition: form-data; name=\"rotation\"\r\n\r\n\x00\x00\r\n", "no Content-Type added to a part that has none")
				assert.Contains(t, s, "Content-Type: application/octet-stream")
				assert.Contains(t, s, string(sandbox.FaceJPEG("alice")))
			},
		},
		{
			name: "form",
			req:  realtraffic.Request{Method: "POST", Path: "/t", Form: map[string][]string{"grant_type": {"client_credentials"}}},
			check: func(t *testing.T, _ *http.Request, body []byte) {
				assert.Equal(t, "grant_type=client_credentials", string(body))
			},
		},
		{name: "unresolved placeholder", req: realtraffic.Request{Method: "GET", Path: "/{{missing}}"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.req.Build("https://vendor.invalid", vars)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var body []byte
			if r.Body != nil {
				body, err = io.ReadAll(r.Body)
				require.NoError(t, err)
			}
			tc.check(t, r, body)
		})
	}
}

// TestLoadRefusesUnsourcedItems keeps the corpus honest: every item names where it was read.
func TestLoadRefusesUnsourcedItems(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "iproov"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "iproov", "x.json"),
		[]byte(`{"vendor":"iproov","spec":"iproov/claim","operation":"o","source":{},"request":{"method":"GET","path":"/"}}`), 0o600))
	_, err := realtraffic.Load(dir)
	require.ErrorContains(t, err, "no source")
}
