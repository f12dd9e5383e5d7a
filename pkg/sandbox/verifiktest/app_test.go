package verifiktest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// send makes a request to the emulator over HTTP, as a browser or a program does.
func (h *harness) send(method, path, body string, header map[string]string) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	require.NoError(h.t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(h.t, err)
	return resp, string(data)
}

func appPath(projectID string) string { return verifiktest.AppPath + projectID }

// TestSignUpPage: the link createAppRegistration's token makes opens the app for that
// registrant only, with exactly the steps the flow offers, and with the page hardened.
func TestSignUpPage(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme <script>alert(1)</script>", smartenroll.OnboardingSettings{
		Steps: &smartenroll.OnboardingSteps{
			SignUpForm: ptr(smartenroll.StepMandatory), BasicInformation: ptr(smartenroll.StepSkip),
			Document: ptr(smartenroll.StepOptional), Liveness: ptr(smartenroll.StepSkip), Form: ptr(smartenroll.StepMandatory),
		},
	}, false)
	_, _, token := h.register(project, flow, "ana@example.com", "Ana Lima")
	otherProject, otherFlow := h.setup("Other", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, otherToken := h.register(otherProject, otherFlow, "ben@example.com", "Ben Hur")

	u := verifiktest.AppURL(h.srv.URL, project, token)
	require.True(t, strings.HasPrefix(u, h.srv.URL+verifiktest.AppPath+project+"?token="), u)

	resp, page := h.send("GET", strings.TrimPrefix(u, h.srv.URL), "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'self'")
	nonce := regexp.MustCompile(`'nonce-([0-9a-f]+)'`).FindStringSubmatch(csp)
	require.Len(t, nonce, 2, "inline script and style are allowed by a nonce only: %s", csp)
	assert.Contains(t, page, `<script nonce="`+nonce[1]+`">`)
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"), "the token in the URL must not leak through Referer")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.NotContains(t, page, token, "the page reads the token from its URL; it never embeds it")
	assert.NotContains(t, page, "<script>alert(1)</script>", "the project's name is escaped")
	assert.Contains(t, page, "Acme &lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, page, "http://", "no external asset")

	// Exactly the flow's steps: the form and the optional document, not the skipped ones.
	assert.Contains(t, page, `id="step-signUpForm"`)
	assert.Contains(t, page, `id="step-document"`)
	assert.Contains(t, page, `id="step-form"`)
	assert.NotContains(t, page, `id="step-liveness"`)
	assert.NotContains(t, page, `id="step-basicInformation"`)
	assert.Regexp(t, `(?s)id="step-document".*?<button type="button" class="skip secondary">Skip</button>`, page, "an optional step can be skipped")
	assert.Regexp(t, `(?s)id="step-form".*?Skip anyway \(sandbox\)`, page, "a mandatory step offers only the sandbox's skip")
	assert.Contains(t, page, `data-redirect="https://acme.example/welcome"`)

	// A new visitor per request: a fresh nonce each time.
	resp2, _ := h.send("GET", strings.TrimPrefix(u, h.srv.URL), "", nil)
	assert.NotEqual(t, csp, resp2.Header.Get("Content-Security-Policy"))

	tampered := token[:len(token)-3] + "abc"
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"no token", appPath(project), http.StatusUnauthorized},
		{"tampered token", appPath(project) + "?token=" + tampered, http.StatusUnauthorized},
		{"client token", appPath(project) + "?token=" + verifiktest.DefaultClientToken, http.StatusUnauthorized},
		{"another project's registrant", appPath(project) + "?token=" + otherToken, http.StatusNotFound},
		{"unknown project", appPath("65f1c0ffee0123456789abcd") + "?token=" + token, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.send("GET", tc.path, "", nil)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
			assert.Contains(t, body, "This sign-up link is not valid")
			assert.NotContains(t, body, "<script", "the error page runs nothing")
		})
	}
}

// A cross-site navigation opens the app: it is a page, not a control endpoint.
func TestSignUpPageTakesCrossSiteNavigation(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme", flowSettings(smartenroll.StepMandatory, smartenroll.StepMandatory), false)
	_, _, token := h.register(project, flow, "ana@example.com", "Ana Lima")
	resp, body := h.send("GET", appPath(project)+"?token="+token, "", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
}

// A registration that has ended shows its status and no steps.
func TestSignUpPageOfAFinishedRegistration(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme", flowSettings(smartenroll.StepOptional, smartenroll.StepSkip), false)
	id, _, token := h.register(project, flow, "ana@example.com", "Ana Lima")
	h.confirmEmail(project, token, "ana@example.com")
	res, err := h.api.SyncAppRegistrationWithResponse(ctx, id, smartenroll.SyncRequest{Step: smartenroll.StepSkipKYC, Status: smartenroll.AppRegistrationCompletedWithoutKYC}, bearer(token))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))

	resp, page := h.send("GET", appPath(project)+"?token="+token, "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `id="finished-status">COMPLETED_WITHOUT_KYC<`)
	assert.NotContains(t, page, `class="step`)
	assert.NotContains(t, page, "<script")
}

// TestSignUpInbox: the app shows a registrant the codes sent to them, and nobody else's.
func TestSignUpInbox(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	_, _, ana := h.register(project, flow, "ana@example.com", "Ana Lima")
	_, _, ben := h.register(project, flow, "ben@example.com", "Ben Hur")
	for _, who := range []struct{ token, email string }{{ana, "ana@example.com"}, {ben, "ben@example.com"}} {
		v, err := h.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
			Project: project, Email: who.email, Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
		}, bearer(who.token))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, v.StatusCode())
	}
	anaCode := mustCode(t, h, "ana@example.com")
	benCode := mustCode(t, h, "ben@example.com")

	inbox := appPath(project) + "/inbox"
	resp, body := h.send("GET", inbox, "", map[string]string{"Authorization": "Bearer " + ana})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var got struct {
		Messages []map[string]any `json:"messages"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Len(t, got.Messages, 1)
	assert.Equal(t, anaCode, got.Messages[0]["code"])
	assert.Equal(t, "email", got.Messages[0]["channel"])
	assert.NotContains(t, body, benCode)
	assert.NotContains(t, body, "ana@example.com", "the recipient is the registrant's own: left out")

	for _, tc := range []struct {
		name   string
		path   string
		header map[string]string
		status int
		code   string
	}{
		{"no token", inbox, nil, http.StatusUnauthorized, "unauthorized"},
		{"client token", inbox, map[string]string{"Authorization": "Bearer " + verifiktest.DefaultClientToken}, http.StatusUnauthorized, "unauthorized"},
		{"another project", appPath("65f1c0ffee0123456789abcd") + "/inbox", map[string]string{"Authorization": "Bearer " + ana}, http.StatusNotFound, "not_found"},
		{"cross-site", inbox, map[string]string{"Authorization": "Bearer " + ana, "Origin": "https://evil.example"}, http.StatusForbidden, "forbidden"},
		{"unknown page route", appPath(project) + "/nothing", map[string]string{"Authorization": "Bearer " + ana}, http.StatusNotFound, "no_control_endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.send("GET", tc.path, "", tc.header)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Contains(t, body, `"error":"`+tc.code+`"`)
			assert.NotContains(t, body, anaCode)
		})
	}
}

// TestSignUpCapture: the app's stand-in camera makes the images the emulator reads back.
func TestSignUpCapture(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Acme", flowSettings(smartenroll.StepMandatory, smartenroll.StepMandatory), false)
	_, _, token := h.register(project, flow, "ana@example.com", "Ana Lima")
	capture := appPath(project) + "/capture"
	auth := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}

	image := func(t *testing.T, body string) []byte {
		t.Helper()
		resp, out := h.send("POST", capture, body, auth)
		require.Equal(t, http.StatusOK, resp.StatusCode, out)
		var got struct {
			Image string `json:"image"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		b64 := got.Image
		if i := strings.Index(b64, ";base64,"); strings.HasPrefix(b64, "data:") && i > 0 {
			b64 = b64[i+len(";base64,"):]
		}
		img, err := base64.StdEncoding.DecodeString(b64)
		require.NoError(t, err)
		return img
	}

	t.Run("selfies", func(t *testing.T) {
		assert.Equal(t, "alice", sandbox.FaceOf(image(t, `{"kind":"selfie","face":"alice"}`)))
		assert.Equal(t, "alice@0.30", sandbox.FaceOf(image(t, `{"kind":"selfie","face":"alice","liveness":0.3}`)), "a presentation attack carries its liveness")
	})
	t.Run("documents", func(t *testing.T) {
		for _, tc := range []struct {
			choice  string
			face    string
			fake    bool
			expired bool
			read    bool
		}{
			{"valid", "alice", false, false, true},
			{"fake", "alice", true, false, true},
			{"expired", "alice", false, true, true},
			{"other_face", "not-alice", false, false, true},
			{"unreadable", "", false, false, false},
		} {
			t.Run(tc.choice, func(t *testing.T) {
				d, ok := sandbox.DocumentOf(image(t, `{"kind":"document","face":"alice","document":"`+tc.choice+`"}`))
				require.Equal(t, tc.read, ok)
				if !ok {
					return
				}
				assert.Equal(t, tc.face, d.Face)
				assert.Equal(t, tc.fake, d.Fake)
				assert.Equal(t, "Ana", d.FirstName, "the document carries the name given at sign-up")
				assert.Equal(t, "Lima", d.LastName)
				assert.Equal(t, tc.expired, d.Expiry < start.Format("2006-01-02"))
			})
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			header     map[string]string
			status     int
			want       string
		}{
			{"unknown kind", `{"kind":"fingerprint","face":"alice"}`, auth, http.StatusBadRequest, `expected {\"kind\": \"selfie\" or \"document\"`},
			{"face with markup", `{"kind":"selfie","face":"<b>alice</b>"}`, auth, http.StatusBadRequest, `"error":"invalid_body"`},
			{"unknown field", `{"kind":"selfie","face":"alice","name":"Ana"}`, auth, http.StatusBadRequest, `"error":"invalid_body"`},
			{"not JSON", `kind=selfie`, auth, http.StatusBadRequest, `expected {`},
			{"liveness out of range", `{"kind":"selfie","face":"alice","liveness":7}`, auth, http.StatusBadRequest, `"error":"invalid_body"`},
			{"text/plain", `{"kind":"selfie","face":"alice"}`, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "text/plain"}, http.StatusUnsupportedMediaType, `"error":"unsupported_media_type"`},
			{"no token", `{"kind":"selfie","face":"alice"}`, map[string]string{"Content-Type": "application/json"}, http.StatusUnauthorized, `"error":"unauthorized"`},
			{"too large", `{"kind":"selfie","face":"` + strings.Repeat("a", 2<<10) + `"}`, auth, http.StatusRequestEntityTooLarge, `"error":"body_too_large"`},
			{"cross-site", `{"kind":"selfie","face":"alice"}`, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, `"error":"forbidden"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := h.send("POST", capture, tc.body, tc.header)
				assert.Equal(t, tc.status, resp.StatusCode, body)
				assert.Contains(t, body, tc.want)
			})
		}
	})
}

// TestSignUpStart: the start page registers a person in a demo flow, made once, and
// answers their hosted app link; a bad body is answered with what is expected.
func TestSignUpStart(t *testing.T) {
	h := newHarness(t)
	resp, page := h.send("GET", verifiktest.AppStartPath, "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, `id="start"`)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")

	jsonBody := map[string]string{"Content-Type": "application/json"}
	var paths []string
	for _, email := range []string{"zoe@example.com", "yan@example.com"} {
		resp, body := h.send("POST", verifiktest.AppStartPath, `{"email":"`+email+`","flow":"full"}`, jsonBody)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		var got struct {
			Path string `json:"path"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		require.True(t, strings.HasPrefix(got.Path, verifiktest.AppPath), got.Path)
		paths = append(paths, got.Path)
		resp, page := h.send("GET", got.Path, "", nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, page)
		assert.Contains(t, page, "Sign up to idvkit sandbox: Full Verification")
		assert.Contains(t, page, `data-redirect="`+h.srv.URL+verifiktest.AppPath+`done"`)
	}
	project := func(p string) string { return strings.SplitN(strings.TrimPrefix(p, verifiktest.AppPath), "?", 2)[0] }
	assert.Equal(t, project(paths[0]), project(paths[1]), "the demo project is made once")

	// Starting again with the same email resumes the registration with a fresh link
	// (Verifik's API refuses the second registration).
	resp, body := h.send("POST", verifiktest.AppStartPath, `{"email":"Zoe@example.com","flow":"full"}`, jsonBody)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var again struct {
		Path string `json:"path"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &again))
	assert.NotEqual(t, paths[0], again.Path, "a new token")
	assert.Equal(t, project(paths[0]), project(again.Path))
	assert.Len(t, h.emu.Registrations(), 2, "no second registration")
	resp, page = h.send("GET", again.Path, "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)

	for _, tc := range []struct {
		name, body string
		header     map[string]string
		status     int
		want       string
	}{
		{"unknown flow", `{"email":"zoe@example.com","flow":"everything"}`, jsonBody, http.StatusBadRequest, `expected {\"email\": an email address`},
		{"no email", `{"flow":"full"}`, jsonBody, http.StatusBadRequest, `"error":"invalid_body"`},
		{"malformed email", `{"email":"zoe","flow":"full"}`, jsonBody, http.StatusConflict, `Invalid email format`},
		{"form post", `email=zoe%40example.com&flow=full`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType, `"error":"unsupported_media_type"`},
		{"cross-site", `{"email":"zoe@example.com","flow":"full"}`, map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, http.StatusForbidden, `"error":"forbidden"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.send("POST", verifiktest.AppStartPath, tc.body, tc.header)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Contains(t, body, tc.want)
		})
	}

	// The landing page reads the status from the final token, and never shows it.
	resp, page = h.send("GET", verifiktest.AppPath+"done?type=onboarding&token=nonsense", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, "its token is missing, expired or altered")
}
