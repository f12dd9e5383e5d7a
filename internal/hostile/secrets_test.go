package hostile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/hostile"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// exposure collects everything a run exposes — logs, error strings, printed and logged
// state and results — and the secrets none of it may contain.
type exposure struct {
	secrets hostile.Secrets
	mu      sync.Mutex
	errs    []error
	values  map[string]any
	logs    map[string]*hostile.Buffer
}

func newExposure(logs map[string]*hostile.Buffer) *exposure {
	return &exposure{values: map[string]any{}, logs: logs}
}

// failed records an error the run provoked; it must not be nil.
func (x *exposure) failed(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err, "the run meant to provoke an error here")
	x.mu.Lock()
	x.errs = append(x.errs, err)
	x.mu.Unlock()
}

// value records a state or result value to print and log.
func (x *exposure) value(name string, v any) {
	x.mu.Lock()
	x.values[name] = v
	x.mu.Unlock()
}

// check looks for every secret in everything exposed.
func (x *exposure) check(t *testing.T) {
	t.Helper()
	require.NotEmpty(t, x.errs, "the run provoked errors")
	require.NotEmpty(t, x.values, "the run produced values")
	texts := map[string]string{}
	for name, b := range x.logs {
		if name == "client" {
			require.NotEmpty(t, b.String(), "the client logged the run")
		}
		texts["log: "+name] = b.String()
	}
	for i, err := range x.errs {
		texts[fmt.Sprintf("error %d (%T)", i, err)] = err.Error() + "\n" + fmt.Sprintf("%v %+v", err, err)
	}
	for name, v := range x.values {
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("value", "v", v)
		text := fmt.Sprintf("%%v: %v\n%%+v: %+v\n%%#v: %#v\nslog: %s", v, v, v, logged.String())
		if s, ok := v.(fmt.Stringer); ok {
			js, err := json.Marshal(s.String())
			require.NoError(t, err)
			text += "\njson of String(): " + string(js)
		}
		texts["value: "+name] = text
	}
	for where, text := range texts {
		if found := x.secrets.Find(text); len(found) > 0 {
			t.Errorf("%s exposes %s:\n%s", where, strings.Join(found, ", "), clip(text))
		}
	}
}

func clip(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

// TestSecretsStayOutOfLogsAndErrors runs every flow of the three vendors end to end, with
// the clients' transport and the emulators logging at Debug, then provokes errors (wrong
// credentials, wrong codes, bad input). No API key, secret, token, OTP, name, date of
// birth, document number, email, phone or image may appear in a log line, an error string,
// or the printed (%v, %+v, %#v, String, slog) state and results.
func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	t.Run("verisoul", verisoulSecrets)
	t.Run("iproov", iproovSecrets)
	t.Run("verifik", verifikSecrets)
}

func verisoulSecrets(t *testing.T) {
	const apiKey = "vs-api-key-SECRET-7f3a9c2e51"
	w := newVerisoulWorld(t, apiKey)
	x := newExposure(map[string]*hostile.Buffer{"client": w.logs, "emulator": w.emuLogs})
	x.secrets.Add("api key", apiKey)
	c := w.client
	session := func(id bool) verisoul.Session {
		t.Helper()
		var (
			s   verisoul.Session
			err error
		)
		if id {
			s, err = c.StartIDCheckSession(ctx, verisoul.SessionOptions{})
		} else {
			s, err = c.StartSession(ctx, verisoul.SessionOptions{})
		}
		require.NoError(t, err)
		x.secrets.Add("session id (a bearer token for the hosted page)", s.ID)
		return s
	}
	face := func(name string) string {
		x.secrets.Add("face name", name)
		x.secrets.AddBytes("face image "+name, sandbox.FaceImage(name))
		return name
	}
	zelda, mallory, quinella := face("Zeldarina-Face-Secret"), face("Mallorian-Face-Secret"), face("Quinella-Face-Secret")

	// Uniqueness at sign-up, then the same face again on another account.
	s := session(false)
	page, err := c.CaptureURL(s, verisoul.CaptureOptions{RedirectURL: "https://app.example.test/verisoul/done", Language: "en"})
	require.NoError(t, err)
	require.NoError(t, w.emu.CompleteAs(s.ID, zelda))
	redirect, err := verisoul.ParseRedirect(&url.URL{RawQuery: "success=true&session_id=" + s.ID})
	require.NoError(t, err)
	out, err := c.CheckUniqueness(ctx, s, "acct-zelda", nil)
	require.NoError(t, err)
	require.True(t, out.Enrolled())
	x.value("session", s)
	x.value("session pointer", &s)
	x.value("redirect outcome", redirect)
	x.value("outcome", out)
	x.value("verification", out.Verification)
	x.value("enrollment", out.Enrollment)
	_ = page // the hosted-page URL carries the session id by design; it goes to the browser, not to logs

	dup := session(false)
	require.NoError(t, w.emu.CompleteAs(dup.ID, zelda))
	again, err := c.CheckUniqueness(ctx, dup, "acct-zelda-2", nil)
	require.NoError(t, err)
	require.False(t, again.Enrolled(), "the repeat face is refused")
	x.value("refused outcome", again)

	// 1:1 authentication: same person and someone else.
	for _, who := range []string{zelda, mallory} {
		auth := session(false)
		require.NoError(t, w.emu.CompleteAs(auth.ID, who))
		res, err := c.VerifyIdentity(ctx, auth, "acct-zelda")
		require.NoError(t, err)
		x.value("identity "+who, res)
	}

	// ID Check with a document full of personal data.
	doc := sandbox.Document{Kind: "driver_license", Country: "US", Number: "D55SECRET9", FirstName: "Zeldarina",
		LastName: "Quixotebottom", DateOfBirth: "1987-06-05", Expiry: "2031-07-08", Face: quinella}
	x.secrets.Add("document number", doc.Number)
	x.secrets.Add("first name", doc.FirstName)
	x.secrets.Add("last name", doc.LastName)
	x.secrets.Add("date of birth", doc.DateOfBirth)
	x.secrets.Add("date of birth (US)", "06/05/1987")
	x.secrets.AddBytes("document image", sandbox.DocumentImage(doc))
	idc := session(true)
	require.NoError(t, w.emu.CompleteWithDocument(idc.ID, quinella, doc))
	checked, err := c.CheckID(ctx, idc, "acct-zelda-id", nil)
	require.NoError(t, err)
	require.True(t, checked.Enrolled(), "%v", checked.Verdict)
	require.Equal(t, "Zeldarina", checked.Verification.Document.Data.FirstName, "the document was read")
	x.value("id check outcome", checked)
	x.value("id verification", checked.Verification)
	x.value("document", checked.Verification.Document)
	x.value("document data", checked.Verification.Document.Data)

	// The public redirect.
	link, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: w.emu.ProjectID()})
	require.NoError(t, err)
	x.secrets.Add("public redirect session id", link.Session.ID)
	x.value("public link session", link.Session)

	// Errors: wrong key, steps out of order, reuse, bad input.
	wrong := w.newClient(t, "vs-wrong-key-SECRET-0d1e2f")
	x.secrets.Add("wrong api key", "vs-wrong-key-SECRET-0d1e2f")
	_, err = wrong.StartSession(ctx, verisoul.SessionOptions{})
	x.failed(t, err)
	early := session(false)
	_, err = c.VerifyFace(ctx, early)
	x.failed(t, err)
	_, err = c.Enroll(ctx, s, "acct-other")
	x.failed(t, err)
	_, err = c.VerifyIdentity(ctx, dup, "acct-never")
	x.failed(t, err)
	_, err = c.VerifyFace(ctx, verisoul.Session{ID: "Zeldarina-Quixotebottom-SECRET"})
	x.failed(t, err)
	_, err = c.StartSession(ctx, verisoul.SessionOptions{ReferringSessionID: "D55SECRET9"})
	x.failed(t, err)
	_, err = verisoul.New(" ")
	x.failed(t, err)

	x.check(t)
}

func iproovSecrets(t *testing.T) {
	const (
		apiKey    = "ipkeysecret7f3a9c2e51d0000000000000000001"
		secret    = "ipsecretsecret9e8d7c6b5a4000000000000002"
		oauthUser = "ip-oauth-user-SECRET"
		oauthPass = "ip-oauth-pass-SECRET-5c4b3a"
	)
	w := newIProovWorld(t, iproovtest.WithCredentials(apiKey, secret), iproovtest.WithOAuthCredentials(oauthUser, oauthPass), iproovtest.WithFrames())
	x := newExposure(map[string]*hostile.Buffer{"client": w.logs, "emulator": w.emuLogs})
	for name, v := range map[string]string{"api key": apiKey, "secret": secret, "oauth username": oauthUser, "oauth password": oauthPass} {
		x.secrets.Add(name, v)
	}
	// Access tokens never leave the client's cache: learn them from the wire.
	w.count.Watch(func(r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			x.secrets.Add("access token", tok)
		}
	})
	c := w.client
	claim := func(cl *iproov.Claim, err error) *iproov.Claim {
		t.Helper()
		require.NoError(t, err)
		x.secrets.Add("claim token", cl.Token)
		return cl
	}
	face := func(name string) []byte {
		img := sandbox.FaceImage(name)
		x.secrets.Add("face name", name)
		x.secrets.AddBytes("face image "+name, img)
		return img
	}
	zelda, mallory := face("Zeldarina-Face-Secret"), face("Mallorian-Face-Secret")

	// Capture enrol and verify, frames returned.
	enrol := claim(c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-zelda", Resource: "onboarding"}))
	require.NoError(t, w.emu.Capture(enrol.Token, iproovtest.Capture{Image: zelda}))
	enrolled, err := c.EnrolValidate(ctx, enrol, iproov.ValidateOptions{Client: "Mozilla/5.0", IP: "198.51.100.7"})
	require.NoError(t, err)
	require.True(t, enrolled.Passed)
	require.NotEmpty(t, enrolled.Frame, "the frame came back")
	x.value("enrol claim", *enrol)
	x.value("enrol claim pointer", enrol)
	x.value("enrol result", *enrolled)
	x.value("enrol result pointer", enrolled)
	for _, who := range [][]byte{zelda, mallory} {
		v := claim(c.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-zelda", Resource: "login", AssuranceType: iproov.Liveness}))
		require.NoError(t, w.emu.Capture(v.Token, iproovtest.Capture{Image: who}))
		res, err := c.VerifyValidate(ctx, v, iproov.ValidateOptions{})
		require.NoError(t, err)
		x.value("verify result "+sandbox.FaceOf(who), res)
	}
	// Liveness failure.
	v := claim(c.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-zelda", Resource: "login"}))
	require.NoError(t, w.emu.Capture(v.Token, iproovtest.Capture{Image: zelda, LivenessFailure: "Please Keep Still"}))
	failed, err := c.VerifyValidate(ctx, v, iproov.ValidateOptions{})
	require.NoError(t, err)
	require.False(t, failed.Passed)
	x.value("failed result", failed)

	// Photo enrol, then the verification it leads to.
	photoClaim := claim(c.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{
		TokenRequest: iproov.TokenRequest{UserID: "user-mallory", Resource: "onboarding"},
		Photo:        iproov.Photo{Image: mallory, Source: iproov.SourceOID},
	}))
	require.NoError(t, w.emu.Capture(photoClaim.Token, iproovtest.Capture{Image: mallory}))
	res, err := c.VerifyValidate(ctx, photoClaim, iproov.ValidateOptions{})
	require.NoError(t, err)
	require.True(t, res.Passed)

	// Already enrolled, recovered by deleting the user.
	again := claim(c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-mallory", Resource: "onboarding", IfEnrolled: iproov.IfEnrolled{DeleteUser: true}}))
	x.value("recovered claim", again)

	// Invalidation.
	abort := claim(c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-aborted", Resource: "onboarding"}))
	inv, err := c.Invalidate(ctx, abort, "user left")
	require.NoError(t, err)
	x.value("invalidation", inv)

	// Management API, with a display name full of personal data.
	const displayName = "Zeldarina Quixotebottom"
	x.secrets.Add("display name", displayName)
	u, err := c.UpdateUser(ctx, "user-zelda", iproov.UserUpdate{Name: displayName})
	require.NoError(t, err)
	require.Equal(t, displayName, u.Name)
	x.value("user", *u)
	x.value("user pointer", u)
	_, err = c.SuspendUser(ctx, "user-zelda", time.Time{})
	require.NoError(t, err)
	_, err = c.ActivateUser(ctx, "user-zelda", time.Time{})
	require.NoError(t, err)
	got, err := c.GetUser(ctx, "user-zelda")
	require.NoError(t, err)
	x.value("read user", got)
	up, err := c.Available(ctx)
	require.NoError(t, err)
	require.True(t, up)
	_, err = c.DeleteUser(ctx, "user-zelda")
	require.NoError(t, err)

	// Errors: wrong credentials, order, reuse, bad input.
	const wrongKey, wrongPass = "ipwrongkeysecret0000000000000000000000003", "ip-wrong-pass-SECRET-77"
	x.secrets.Add("wrong api key", wrongKey)
	x.secrets.Add("wrong oauth password", wrongPass)
	_, err = w.newClient(t, wrongKey, secret).EnrolToken(ctx, iproov.TokenRequest{UserID: "u", Resource: "r"})
	x.failed(t, err)
	_, err = w.newClient(t, apiKey, secret, iproov.WithOAuth(oauthUser, wrongPass)).GetUser(ctx, "user-mallory")
	x.failed(t, err)
	_, err = w.newClient(t, wrongKey, secret).Available(ctx)
	x.failed(t, err)
	_, err = c.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	x.failed(t, err)
	early := claim(c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-early", Resource: "onboarding"}))
	_, err = c.EnrolValidate(ctx, early, iproov.ValidateOptions{})
	x.failed(t, err)
	_, err = c.EnrolToken(ctx, iproov.TokenRequest{UserID: displayName, Resource: "onboarding"})
	x.failed(t, err)
	_, err = c.EnrolImage(ctx, claim(c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-photo", Resource: "r"})), iproov.Photo{Image: []byte("Zeldarina Quixotebottom passport scan"), Source: iproov.SourceEID})
	x.failed(t, err)
	_, err = c.GetUser(ctx, "ghost")
	x.failed(t, err)
	_, err = iproov.New(apiKey, " ")
	x.failed(t, err)

	x.check(t)
}

func verifikSecrets(t *testing.T) {
	const clientToken = "vf-client-token-SECRET-3e4f5a6b7c"
	w := newVerifikWorld(t, verifiktest.WithClientToken(clientToken))
	x := newExposure(map[string]*hostile.Buffer{"client": w.logs, "emulator": w.emuLogs})
	x.secrets.Add("client token", clientToken)
	c := w.client
	person := func(first, last, email, phone, number, dob string) sandbox.Document {
		for name, v := range map[string]string{"first name": first, "last name": last, "email": email, "phone": phone,
			"document number": number, "date of birth": dob} {
			x.secrets.Add(name, v)
		}
		return sandbox.Document{Kind: "national_id", Country: "CO", Number: number, FirstName: first, LastName: last,
			DateOfBirth: dob, Expiry: "2031-01-01", Face: first + "-face-secret"}
	}
	register := func(flow verifik.Flow, d sandbox.Document, email, phone string) *verifik.Registrant {
		t.Helper()
		r, err := c.Register(ctx, flow, verifik.Registration{Email: email, Phone: phone, CountryCode: "+57",
			FullName: d.FirstName + " " + d.LastName, FirstName: d.FirstName, LastName: d.LastName})
		require.NoError(t, err)
		x.secrets.Add("registrant token", r.State().Token)
		return r
	}
	code := func(to string) string {
		t.Helper()
		otp, ok := w.emu.LastCode(to)
		require.True(t, ok)
		x.secrets.AddCode("OTP", otp)
		return otp
	}
	images := func(d sandbox.Document) (verifik.Image, verifik.Image) {
		docImg, selfieImg := sandbox.DocumentImage(d), sandbox.FaceJPEG(d.Face)
		x.secrets.Add("face name", d.Face)
		x.secrets.AddBytes("document image", docImg)
		x.secrets.AddBytes("selfie image", selfieImg)
		return verifik.ImageOf(docImg), verifik.Image("data:image/jpeg;base64," + verifik.ImageOf(selfieImg))
	}

	// Full KYC with every add-on, email and phone codes.
	cfg := verifik.FullVerification("https://acme.example/welcome")
	cfg.PhoneCode, cfg.VerifyNames, cfg.VerifyCriminalHistory = true, true, true
	flow := w.setup(t, "secrets full", cfg)
	zelda := person("Zeldarina", "Quixotebottom", "zeldarina.secret@example.com", "3009876543", "8877665544", "1987-06-05")
	r := register(flow, zelda, "zeldarina.secret@example.com", "3009876543")
	_, err := r.SendEmailCode(ctx)
	require.NoError(t, err)
	require.NoError(t, r.ConfirmEmailCode(ctx, code("zeldarina.secret@example.com")))
	_, err = r.SendPhoneCode(ctx, verifik.SMS)
	require.NoError(t, err)
	require.NoError(t, r.ConfirmPhoneCode(ctx, code("+573009876543")))
	front, selfie := images(zelda)
	docRes, err := r.SubmitDocument(ctx, verifik.Document{Front: front})
	require.NoError(t, err)
	require.True(t, docRes.Accepted)
	names, err := r.CheckNames(ctx)
	require.NoError(t, err)
	self, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: selfie, OS: verifik.IOS})
	require.NoError(t, err)
	faces, err := r.CompareFaces(ctx)
	require.NoError(t, err)
	record, err := r.CheckCriminalRecord(ctx)
	require.NoError(t, err)
	review, err := c.Review(ctx, r.State().AppRegistrationID)
	require.NoError(t, err)
	refreshed, err := r.Refresh(ctx)
	require.NoError(t, err)
	done, err := r.Finish(ctx, r.State().Recommend())
	require.NoError(t, err)
	x.secrets.Add("completion token", done.Token)
	for name, v := range map[string]any{"state": r.State(), "registrant": r, "document result": docRes, "names": names,
		"selfie": self, "faces": faces, "record": record, "review": review, "refreshed": refreshed, "completion": done,
		"completion pointer": &done, "flow": flow} {
		x.value(name, v)
	}

	// Basic enrolment, KYC skipped, in a demo-mode project.
	demo := project("secrets demo")
	demo.DemoMode, demo.DemoOTP = true, "482916"
	x.secrets.AddCode("demo OTP", demo.DemoOTP)
	basic, err := c.Setup(ctx, demo, verifik.BasicEnrollment("https://acme.example/welcome"))
	require.NoError(t, err)
	mallory := person("Mallorian", "Wickerbasket", "mallorian.secret@example.com", "3001112233", "1122334455", "1979-11-12")
	rb := register(basic, mallory, "mallorian.secret@example.com", "")
	_, err = rb.SendEmailCode(ctx)
	require.NoError(t, err)
	require.NoError(t, rb.ConfirmEmailCode(ctx, demo.DemoOTP))
	skipped, err := rb.SkipKYC(ctx)
	require.NoError(t, err)
	x.secrets.Add("completion token", skipped.Token)
	x.value("skipped", skipped)
	x.value("basic state", rb.State())

	// Errors: a wrong code, a spoofed and a duplicate selfie, a wrong client token, bad input.
	flow2 := w.setup(t, "secrets full", cfg)
	eve := person("Evangeline", "Spoofington", "evangeline.secret@example.com", "3004445566", "5566778899", "1990-02-03")
	re := register(flow2, eve, "evangeline.secret@example.com", "3004445566")
	_, err = re.SendEmailCode(ctx)
	require.NoError(t, err)
	right := code("evangeline.secret@example.com")
	wrongCode := "999999"
	if right == wrongCode {
		wrongCode = "100000"
	}
	x.failed(t, re.ConfirmEmailCode(ctx, wrongCode))
	require.NoError(t, re.ConfirmEmailCode(ctx, right))
	spoof := verifiktest.SpoofSelfie(eve.Face, 0.3)
	x.secrets.AddBytes("spoofed selfie", []byte(spoof))
	_, err = re.SubmitSelfie(ctx, verifik.Selfie{Image: spoof, OS: verifik.Android})
	x.failed(t, err)
	_, err = re.SubmitSelfie(ctx, verifik.Selfie{Image: selfie, OS: verifik.Android}) // zelda's face again
	x.failed(t, err)
	_, err = w.newClient(t, "vf-wrong-token-SECRET-99").Review(ctx, r.State().AppRegistrationID)
	x.secrets.Add("wrong client token", "vf-wrong-token-SECRET-99")
	x.failed(t, err)
	_, err = c.Register(ctx, flow, verifik.Registration{Email: "Zeldarina Quixotebottom@example"})
	x.failed(t, err)
	_, err = c.Register(ctx, flow, verifik.Registration{Email: "z@example.com", Phone: "3009876543", CountryCode: "57"})
	x.failed(t, err)
	x.failed(t, re.ConfirmPhoneCode(ctx, "8877665544"))
	_, err = re.SubmitDocument(ctx, verifik.Document{Front: verifik.Image("data:image/gif;base64," + string(front))})
	x.failed(t, err)
	x.value("failed registrant state", re.State())
	_, err = verifik.New("")
	x.failed(t, err)

	x.check(t)
}
