package verifik_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

const welcome = "https://acme.example/welcome"

// The journeys issue 5 lists, each end to end against the emulator.
func TestJourneys(t *testing.T) {
	fullKYC := verifik.FullVerification(welcome)
	fullKYC.VerifyNames, fullKYC.VerifyCriminalHistory = true, true

	journeys := []struct {
		name string
		cfg  verifik.FlowConfig
		opts []verifiktest.Option
		run  func(t *testing.T, e *env, flow verifik.Flow)
	}{
		{
			name: "basic enrolment: email code, then KYC skipped",
			cfg:  verifik.BasicEnrollment(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "bob@example.com", "Bob Builder")
				assert.Equal(t, verifik.Started, r.State().Status)
				e.confirmEmail(r)
				done, err := r.SkipKYC(ctx)
				require.NoError(t, err)
				assert.Equal(t, verifik.CompletedWithoutKYC, done.Status)
				assert.NotEmpty(t, done.Token)
				u, err := url.Parse(done.RedirectURL)
				require.NoError(t, err)
				assert.Equal(t, "onboarding", u.Query().Get("type"))
				assert.Equal(t, done.Token, u.Query().Get("token"))
				// Finished journeys refuse further steps before any call.
				e.noCallsDuring(func() {
					_, err := r.SendEmailCode(ctx)
					assert.ErrorIs(t, err, verifik.ErrFinished)
				})
			},
		},
		{
			name: "full KYC passed",
			cfg:  fullKYC,
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "alice@example.com", "Alice Liddell")
				e.confirmEmail(r)
				doc, err := r.SubmitDocument(ctx, verifik.Document{Front: photo(documentOf("Alice", "Liddell", "alice"))})
				require.NoError(t, err)
				assert.True(t, doc.Accepted)
				assert.Equal(t, "CC", doc.Type)
				assert.True(t, doc.NamesMatch)

				names, err := r.CheckNames(ctx)
				require.NoError(t, err)
				assert.True(t, names.Supported)
				assert.True(t, names.Match)
				assert.Equal(t, float64(100), names.FullName)

				selfie, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS})
				require.NoError(t, err)
				assert.NotEmpty(t, selfie.PersonID)

				faces, err := r.CompareFaces(ctx)
				require.NoError(t, err)
				assert.True(t, faces.Match)
				assert.Equal(t, 0.67, faces.Threshold, "the threshold is the flow's compareMinScore")

				record, err := r.CheckCriminalRecord(ctx)
				require.NoError(t, err)
				assert.True(t, record.Clear)
				assert.Empty(t, record.Hits)

				review, err := e.client.Review(ctx, r.State().AppRegistrationID)
				require.NoError(t, err)
				assert.True(t, review.EmailVerified)
				assert.Equal(t, verifik.DocumentActive, review.DocumentStatus)
				require.NotNil(t, review.FaceScore)
				assert.Equal(t, verifiktest.SameFaceScore, *review.FaceScore)
				assert.Equal(t, verifik.CriminalActive, review.CriminalStatus)

				require.Equal(t, verifik.Completed, r.State().Recommend())
				done, err := r.Finish(ctx, r.State().Recommend())
				require.NoError(t, err)
				assert.Equal(t, verifik.Completed, done.Status)
				assert.NotEmpty(t, done.Token)
			},
		},
		{
			name: "liveness failed then retried",
			cfg:  verifik.FullVerification(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "carol@example.com", "Carol Danvers")
				e.confirmEmail(r)
				_, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("carol", 0.41), OS: verifik.Android})
				require.ErrorIs(t, err, verifik.ErrLivenessFailed)
				var live *verifik.LivenessError
				require.ErrorAs(t, err, &live)
				assert.Equal(t, 0.41, live.Score)
				var api *transport.APIError
				require.ErrorAs(t, err, &api)
				assert.Equal(t, 409, api.StatusCode)

				_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("carol"), OS: verifik.Android})
				require.NoError(t, err)
				assert.Equal(t, 2, r.State().SelfieAttempts)
			},
		},
		{
			name: "liveness attempts run out at the flow's maxAttempts",
			cfg:  verifik.FullVerification(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "dave@example.com", "Dave Bowman")
				e.confirmEmail(r)
				for range flow.SelfieAttempts {
					_, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("dave", 0.2), OS: verifik.Desktop})
					require.ErrorIs(t, err, verifik.ErrLivenessFailed)
				}
				e.noCallsDuring(func() {
					_, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("dave"), OS: verifik.Desktop})
					assert.ErrorIs(t, err, verifik.ErrAttemptsExhausted)
				})
				assert.Equal(t, verifik.NeedsManualVerification, r.State().Recommend())
			},
		},
		{
			name: "duplicate face flagged",
			cfg:  verifik.FullVerification(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				first := e.register(flow, "erin@example.com", "Erin Hart")
				e.confirmEmail(first)
				_, err := first.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("erin"), OS: verifik.IOS})
				require.NoError(t, err)

				again := e.register(flow, "erin.other@example.com", "Erin Second")
				e.confirmEmail(again)
				_, err = again.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("erin"), OS: verifik.IOS})
				require.ErrorIs(t, err, verifik.ErrDuplicateFace)
				assert.ErrorIs(t, err, transport.ErrConflict)

				// Someone else's face goes through.
				_, err = again.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("frank"), OS: verifik.IOS})
				require.NoError(t, err)
			},
		},
		{
			name: "OTP mismatched then expired",
			cfg:  verifik.BasicEnrollment(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "gina@example.com", "Gina Linetti")
				sent, err := r.SendEmailCode(ctx)
				require.NoError(t, err)
				assert.Equal(t, e.clock.Now().Add(verifiktest.DefaultOTPTTL), sent.ExpiresAt)
				code, _ := e.emu.LastCode("gina@example.com")
				wrong := "111111"
				if code == wrong {
					wrong = "222222"
				}
				err = r.ConfirmEmailCode(ctx, wrong)
				require.ErrorIs(t, err, verifik.ErrCodeMismatch)
				assert.ErrorIs(t, err, transport.ErrForbidden)

				// The client knows the expiry and fails fast...
				e.clock.Advance(verifiktest.DefaultOTPTTL + time.Second)
				e.noCallsDuring(func() {
					assert.ErrorIs(t, r.ConfirmEmailCode(ctx, code), verifik.ErrCodeExpired)
				})
				// ...and Verifik answers 412 when a stored state does not know it.
				st := r.State()
				st.EmailExpiresAt = time.Time{}
				stale, err := e.client.Resume(st)
				require.NoError(t, err)
				err = stale.ConfirmEmailCode(ctx, code)
				require.ErrorIs(t, err, verifik.ErrCodeExpired)
				var api *transport.APIError
				require.ErrorAs(t, err, &api)
				assert.Equal(t, 412, api.StatusCode)

				// A new code works.
				e.confirmEmail(r)
				assert.True(t, r.State().EmailVerified)
			},
		},
		{
			name: "demo mode: the project's demo OTP validates",
			cfg:  verifik.BasicEnrollment(welcome),
			run: func(t *testing.T, e *env, _ verifik.Flow) {
				demo := project
				demo.Name, demo.DemoMode, demo.DemoOTP = "Acme demo", true, "424242"
				flow, err := e.client.Setup(ctx, demo, verifik.BasicEnrollment(welcome))
				require.NoError(t, err)
				assert.True(t, flow.DemoMode)
				r := e.register(flow, "hank@example.com", "Hank Hill")
				_, err = r.SendEmailCode(ctx)
				require.NoError(t, err)
				require.NoError(t, r.ConfirmEmailCode(ctx, "424242"))
			},
		},
		{
			// Verifik's codes are six digits, leading zeros included; the client sends them as
			// JSON strings, as Verifik's web SDK does, so "012345" is not sent as 12345.
			name: "a code with a leading zero validates",
			cfg:  verifik.BasicEnrollment(welcome),
			run: func(t *testing.T, e *env, _ verifik.Flow) {
				demo := project
				demo.Name, demo.DemoMode, demo.DemoOTP = "Acme zero", true, "012345"
				flow, err := e.client.Setup(ctx, demo, verifik.BasicEnrollment(welcome))
				require.NoError(t, err)
				r := e.register(flow, "zoe@example.com", "Zoe Zero")
				_, err = r.SendEmailCode(ctx)
				require.NoError(t, err)
				require.NoError(t, r.ConfirmEmailCode(ctx, "012345"))
				assert.True(t, r.State().EmailVerified)
			},
		},
		{
			name: "phone code over WhatsApp",
			cfg:  verifik.FlowConfig{RedirectURL: welcome, PhoneCode: true, PhoneGateway: verifik.WhatsApp, Document: verifik.Optional},
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r, err := e.client.Register(ctx, flow, verifik.Registration{Phone: "3001234567", CountryCode: "+57", FullName: "Ivy Ng"})
				require.NoError(t, err)
				_, err = r.SendPhoneCode(ctx, "")
				require.NoError(t, err)
				msgs := e.emu.Outbox()
				require.NotEmpty(t, msgs)
				assert.Equal(t, "whatsapp", msgs[len(msgs)-1].Channel)
				code, ok := e.emu.LastCode("+573001234567")
				require.True(t, ok)
				require.NoError(t, r.ConfirmPhoneCode(ctx, code))
				_, err = r.SkipKYC(ctx)
				require.NoError(t, err)
			},
		},
		{
			name: "skip refused when steps are mandatory",
			cfg:  verifik.FullVerification(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "jack@example.com", "Jack Ryan")
				e.confirmEmail(r)
				e.noCallsDuring(func() {
					_, err := r.SkipKYC(ctx)
					require.ErrorIs(t, err, verifik.ErrSkipNotAllowed)
					assert.ErrorIs(t, err, transport.ErrValidation)
				})
				// The server enforces the same rule for a client that skips the check.
				raw, err := smartenroll.NewClientWithResponses(e.srv.URL)
				require.NoError(t, err)
				res, err := raw.SyncAppRegistrationWithResponse(ctx, r.State().AppRegistrationID,
					smartenroll.SyncRequest{Step: smartenroll.StepSkipKYC, Status: smartenroll.AppRegistrationCompletedWithoutKYC},
					bearerEditor(r.State().Token))
				require.NoError(t, err)
				require.NotNil(t, res.JSON409)
				assert.Equal(t, "skipKYC_not_allowed", res.JSON409.Message)
			},
		},
		{
			name: "finish before mandatory steps fails fast",
			cfg:  verifik.FullVerification(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "kim@example.com", "Kim Wexler")
				e.noCallsDuring(func() {
					_, err := r.Finish(ctx, verifik.Completed)
					require.ErrorIs(t, err, verifik.ErrStepsIncomplete)
					assert.Contains(t, err.Error(), "signUpForm")
				})
				e.confirmEmail(r)
				e.noCallsDuring(func() {
					_, err := r.Finish(ctx, verifik.Completed)
					require.ErrorIs(t, err, verifik.ErrStepsIncomplete)
					assert.Contains(t, err.Error(), "document, liveness")
				})
				// A failed outcome needs only the sign-up form.
				done, err := r.Finish(ctx, verifik.Failed)
				require.NoError(t, err)
				assert.Equal(t, verifik.Failed, done.Status)
				assert.NotEmpty(t, done.Token, "Verifik returns a token for FAILED too")
			},
		},
		{
			name: "a skipped step is not offered",
			cfg:  verifik.FlowConfig{RedirectURL: welcome, EmailCode: true, Document: verifik.Mandatory, Liveness: verifik.Skip},
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "leo@example.com", "Leo Fitz")
				e.confirmEmail(r)
				e.noCallsDuring(func() {
					_, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("leo"), OS: verifik.IOS})
					assert.ErrorIs(t, err, verifik.ErrStepNotOffered)
					_, err = r.CompareFaces(ctx)
					assert.ErrorIs(t, err, verifik.ErrStepNotOffered)
					assert.ErrorIs(t, r.Advance(ctx, verifik.StepLiveness), verifik.ErrStepNotOffered)
					_, err = r.CheckNames(ctx)
					assert.ErrorIs(t, err, verifik.ErrFeatureOff)
				})
				// The flow's document step is offered and mandatory.
				_, err := r.SubmitDocument(ctx, verifik.Document{Front: photo(documentOf("Leo", "Fitz", "leo"))})
				require.NoError(t, err)
				require.NoError(t, r.Advance(ctx, verifik.StepDocument))
				assert.Equal(t, verifik.Ongoing, r.State().Status)
				_, err = r.Finish(ctx, verifik.Completed)
				require.NoError(t, err)
			},
		},
		{
			name: "compare below the flow's threshold, forged document and criminal record",
			cfg:  fullKYC,
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "mallory@example.com", "Mallory Wanted")
				e.confirmEmail(r)
				forged := documentOf("Mallory", "Wanted", "someone-else")
				doc, err := r.SubmitDocument(ctx, verifik.Document{Front: photo(forged)})
				require.NoError(t, err)
				assert.True(t, doc.Accepted)
				_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("mallory"), OS: verifik.IOS})
				require.NoError(t, err)
				faces, err := r.CompareFaces(ctx)
				require.NoError(t, err)
				assert.False(t, faces.Match)
				assert.Less(t, faces.Score, faces.Threshold)
				assert.Equal(t, verifik.NeedsManualVerification, r.State().Recommend())

				record, err := r.CheckCriminalRecord(ctx)
				require.NoError(t, err)
				assert.False(t, record.Clear)
				assert.Contains(t, record.Hits, "world_api_interpol")
				assert.Equal(t, verifik.Failed, r.State().Recommend())

				fake := documentOf("Mallory", "Wanted", "mallory")
				fake.Fake = true
				doc, err = r.SubmitDocument(ctx, verifik.Document{Front: photo(fake), Force: true})
				require.NoError(t, err)
				assert.False(t, doc.Accepted)
				assert.Equal(t, verifik.DocumentFailed, doc.Status)
				done, err := r.Finish(ctx, r.State().Recommend())
				require.NoError(t, err)
				assert.Equal(t, verifik.Failed, done.Status)
			},
		},
		{
			name: "wrong token refused",
			cfg:  verifik.BasicEnrollment(welcome),
			opts: []verifiktest.Option{verifiktest.WithAccount("second-account-token")},
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				alice := e.register(flow, "nina@example.com", "Nina Simone")
				bob := e.register(flow, "oscar@example.com", "Oscar Isaac")
				e.confirmEmail(alice)
				// Bob's token on Alice's registration.
				mixed := alice.State()
				mixed.Token = bob.State().Token
				r, err := e.client.Resume(mixed)
				require.NoError(t, err)
				_, err = r.SkipKYC(ctx)
				require.ErrorIs(t, err, transport.ErrForbidden)

				// A client token that Verifik does not know.
				stranger := e.newClient("not-the-client-token", nil)
				_, err = stranger.Review(ctx, alice.State().AppRegistrationID)
				require.ErrorIs(t, err, transport.ErrUnauthorized)
				// Another account's client token does not see the registrant.
				other := e.newClient("second-account-token", nil)
				_, err = other.Review(ctx, alice.State().AppRegistrationID)
				require.ErrorIs(t, err, transport.ErrNotFound)
			},
		},
		{
			name: "a deleted registration's token stops working",
			cfg:  verifik.BasicEnrollment(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "pat@example.com", "Pat Sajak")
				require.NoError(t, e.client.DeleteRegistration(ctx, r.State().AppRegistrationID))
				_, err := r.SendEmailCode(ctx)
				require.ErrorIs(t, err, verifik.ErrRegistrationGone)
				assert.ErrorIs(t, err, transport.ErrNotFound)
			},
		},
		{
			name: "state survives JSON and resumes",
			cfg:  verifik.BasicEnrollment(welcome),
			run: func(t *testing.T, e *env, flow verifik.Flow) {
				r := e.register(flow, "quinn@example.com", "Quinn Fabray")
				_, err := r.SendEmailCode(ctx)
				require.NoError(t, err)
				stored, err := json.Marshal(r)
				require.NoError(t, err)

				var st verifik.State
				require.NoError(t, json.Unmarshal(stored, &st))
				resumed, err := e.client.Resume(st)
				require.NoError(t, err)
				code, _ := e.emu.LastCode("quinn@example.com")
				require.NoError(t, resumed.ConfirmEmailCode(ctx, code))
				review, err := resumed.Refresh(ctx)
				require.NoError(t, err)
				assert.True(t, review.EmailVerified)
				_, err = resumed.SkipKYC(ctx)
				require.NoError(t, err)
			},
		},
	}
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			e := newEnv(t, j.opts...)
			j.run(t, e, e.setup(j.cfg))
		})
	}
}

func TestSetupReusesProjectAndFlow(t *testing.T) {
	e := newEnv(t)
	first := e.setup(verifik.BasicEnrollment(welcome))
	again := e.setup(verifik.BasicEnrollment(welcome))
	assert.Equal(t, first, again, "the same configuration reuses the project and its flow")

	full := e.setup(verifik.FullVerification(welcome))
	assert.Equal(t, first.ProjectID, full.ProjectID)
	assert.Equal(t, first.FlowID, full.FlowID, "a changed configuration updates the active flow")
	assert.Equal(t, verifik.Mandatory, full.Requirement(verifik.StepDocument))
	assert.Equal(t, 0.65, full.LivenessMinScore)

	loaded, err := e.client.Flow(ctx, full.FlowID)
	require.NoError(t, err)
	assert.Equal(t, full, loaded)
}

func TestStateNeverShowsSecrets(t *testing.T) {
	e := newEnv(t)
	r := e.register(e.setup(verifik.BasicEnrollment(welcome)), "secret.person@example.com", "Secret Person")
	st := r.State()
	require.NotEmpty(t, st.Token)
	done := verifik.Completion{Status: verifik.Completed, Token: st.Token}
	for name, s := range map[string]string{
		"State.String":      st.String(),
		"State.GoString":    st.GoString(),
		"Registrant.String": r.String(),
		"State %v":          fmtV(st),
		"State %#v":         fmtGoV(st),
		"State slog":        logged(st),
		"Registrant slog":   logged(r),
		"Completion":        done.String(),
		"Completion slog":   logged(done),
		"Client":            e.client.String(),
		"Client slog":       logged(e.client),
	} {
		assert.NotContains(t, s, st.Token, name)
		assert.NotContains(t, s, e.emu.ClientToken(), name)
		assert.NotContains(t, s, "secret.person", name)
	}
}

func TestAPIErrorsCarryNoPersonalData(t *testing.T) {
	e := newEnv(t, verifiktest.WithBlockedEmailDomains("blocked.example"))
	flow := e.setup(verifik.BasicEnrollment(welcome))
	_, err := e.client.Register(ctx, flow, verifik.Registration{Email: "someone@blocked.example", FullName: "Some One"})
	var api *transport.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "PreconditionFailed", api.Code)
	assert.NotContains(t, err.Error(), "someone")
	assert.NotContains(t, err.Error(), "Some One")
}

// The name validation add-on against the emulated registries: deterministic for
// helper-made documents.
func TestCheckNames(t *testing.T) {
	cfg := verifik.BasicEnrollment(welcome)
	cfg.VerifyNames = true
	cases := []struct {
		name      string
		declared  string
		document  func() verifik.Image
		supported bool
		match     bool
	}{
		{"Colombian ID of the registrant", "Rosa Parks", func() verifik.Image { return photo(documentOf("Rosa", "Parks", "rosa")) }, true, true},
		{"someone else's Colombian ID", "Rosa Parks", func() verifik.Image { return photo(documentOf("Ruth", "Ginsburg", "ruth")) }, true, false},
		{"forged Colombian ID", "Rosa Parks", func() verifik.Image {
			d := documentOf("Rosa", "Parks", "rosa")
			d.Fake = true
			return photo(d)
		}, true, false},
		{"passport (no registry)", "Rosa Parks", func() verifik.Image {
			d := documentOf("Rosa", "Parks", "rosa")
			d.Kind = "passport"
			return photo(d)
		}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.register(e.setup(cfg), "rosa@example.com", c.declared)
			e.confirmEmail(r)
			_, err := r.SubmitDocument(ctx, verifik.Document{Front: c.document()})
			require.NoError(t, err)
			names, err := r.CheckNames(ctx)
			require.NoError(t, err)
			assert.Equal(t, c.supported, names.Supported)
			assert.Equal(t, c.match, names.Match)
			if !c.supported {
				assert.Equal(t, "document_not_supported", names.Reason)
				assert.Nil(t, r.State().NamesOK)
			} else {
				require.NotNil(t, r.State().NamesOK)
				assert.Equal(t, c.match, *r.State().NamesOK)
			}
		})
	}
}
