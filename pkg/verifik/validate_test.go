package verifik_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// Every client-side check: a typed *transport.ValidationError naming the field, raised
// before any network call, never quoting the rejected value.
func TestClientSideValidation(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification(welcome))
	r := e.register(flow, "val@example.com", "Val Kilmer")
	e.confirmEmail(r)

	withProject := func(f func(*verifik.ProjectConfig)) func() error {
		return func() error {
			p := project
			f(&p)
			_, err := e.client.Setup(ctx, p, verifik.BasicEnrollment(welcome))
			return err
		}
	}
	withFlow := func(f func(*verifik.FlowConfig)) func() error {
		return func() error {
			cfg := verifik.BasicEnrollment(welcome)
			f(&cfg)
			_, err := e.client.Setup(ctx, project, cfg)
			return err
		}
	}
	register := func(who verifik.Registration) func() error {
		return func() error { _, err := e.client.Register(ctx, flow, who); return err }
	}
	image := func(s string) verifik.Image { return verifik.Image(s) }
	selfie := verifiktest.Selfie("val")

	cases := []struct {
		name  string
		call  func() error
		field string
		value string // must not appear in the error
	}{
		{"empty client token", func() error { _, err := verifik.New(" "); return err }, "client token", ""},
		{"project name", withProject(func(p *verifik.ProjectConfig) { p.Name = "" }), "name", ""},
		{"no country", withProject(func(p *verifik.ProjectConfig) { p.AllowedCountries = nil }), "allowed countries", ""},
		{"contact email", withProject(func(p *verifik.ProjectConfig) { p.ContactEmail = "support-at-acme" }), "contact email", "support-at-acme"},
		{"privacy url", withProject(func(p *verifik.ProjectConfig) { p.PrivacyURL = "acme.example/privacy" }), "privacy url", "acme.example/privacy"},
		{"terms url", withProject(func(p *verifik.ProjectConfig) { p.TermsURL = "ftp://acme.example/terms" }), "terms url", "ftp://acme"},
		{"demo otp", withProject(func(p *verifik.ProjectConfig) { p.DemoOTP = "12ab56" }), "demo otp", "12ab56"},
		{"redirect url", withFlow(func(f *verifik.FlowConfig) { f.RedirectURL = "/welcome" }), "redirect url", ""},
		{"step requirement", withFlow(func(f *verifik.FlowConfig) { f.Document = "sometimes" }), "document", "sometimes"},
		{"phone gateway", withFlow(func(f *verifik.FlowConfig) { f.PhoneCode, f.PhoneGateway = true, "pigeon" }), "phone gateway", "pigeon"},
		{"liveness score", withFlow(func(f *verifik.FlowConfig) { f.LivenessMinScore = 0.2 }), "liveness min score", ""},
		{"compare score", withFlow(func(f *verifik.FlowConfig) { f.CompareMinScore = 1.5 }), "compare min score", ""},
		{"search score", withFlow(func(f *verifik.FlowConfig) { f.SearchMinScore = 0.1 }), "search min score", ""},
		{"max attempts", withFlow(func(f *verifik.FlowConfig) { f.MaxAttempts = 11 }), "max attempts", ""},
		{"flow id", func() error { _, err := e.client.Flow(ctx, "../projects"); return err }, "flow id", "../projects"},
		{"no email nor phone", register(verifik.Registration{FullName: "No Contact"}), "email or phone", ""},
		{"email format", register(verifik.Registration{Email: "val.example.com"}), "email", "val.example.com"},
		{"phone digits", register(verifik.Registration{Email: "a@b.example", Phone: "300-CALL-NOW", CountryCode: "+57"}), "phone", "CALL"},
		{"country code pattern", register(verifik.Registration{Email: "a@b.example", Phone: "3001234567", CountryCode: "57"}), "country code", ""},
		{"country code too long", register(verifik.Registration{Email: "a@b.example", Phone: "3001234567", CountryCode: "+5712"}), "country code", "+5712"},
		{"email code length", func() error { return r.ConfirmEmailCode(ctx, "12345") }, "code", "12345"},
		{"email code digits", func() error { return r.ConfirmEmailCode(ctx, "12a456") }, "code", "12a456"},
		{"phone code length", func() error { return r.ConfirmPhoneCode(ctx, "1234567") }, "code", "1234567"},
		{"phone gateway", func() error { _, err := r.SendPhoneCode(ctx, "telegram"); return err }, "gateway", "telegram"},
		{"document without images", func() error { _, err := r.SubmitDocument(ctx, verifik.Document{}); return err }, "document", ""},
		{"document not base64", func() error {
			_, err := r.SubmitDocument(ctx, verifik.Document{Front: image("not base64!")})
			return err
		}, "front image", "not base64"},
		{"document not an image", func() error {
			_, err := r.SubmitDocument(ctx, verifik.Document{Back: image(base64.StdEncoding.EncodeToString([]byte("plain text, not an image")))})
			return err
		}, "back image", ""},
		{"document data URI not base64", func() error {
			_, err := r.SubmitDocument(ctx, verifik.Document{Front: image("data:image/png,rawbytes")})
			return err
		}, "front image", "rawbytes"},
		{"selfie os", func() error { _, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: selfie, OS: "WINDOWS"}); return err }, "os", "WINDOWS"},
		{"selfie empty", func() error { _, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: "", OS: verifik.IOS}); return err }, "selfie", ""},
		{"selfie not base64", func() error {
			_, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: "data:image/jpeg;base64,%%%", OS: verifik.IOS})
			return err
		}, "selfie", "%%%"},
		{"finish outcome", func() error { _, err := r.Finish(ctx, verifik.Started); return err }, "outcome", ""},
		{"advance step", func() error { return r.Advance(ctx, "end") }, "step", ""},
		{"resume without token", func() error { _, err := e.client.Resume(verifik.State{AppRegistrationID: "x"}); return err }, "state", ""},
		{"review id", func() error { _, err := e.client.Review(ctx, ""); return err }, "app registration id", ""},
		{"delete id", func() error { return e.client.DeleteRegistration(ctx, "a/b") }, "app registration id", "a/b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			e.noCallsDuring(func() { err = c.call() })
			require.ErrorIs(t, err, transport.ErrValidation)
			var v *transport.ValidationError
			require.True(t, errors.As(err, &v), "a *transport.ValidationError: %v", err)
			assert.Equal(t, c.field, v.Field)
			assert.Equal(t, "verifik", v.Vendor)
			if c.value != "" {
				assert.NotContains(t, err.Error(), c.value, "the error must not quote the input")
			}
		})
	}
}

// Rule errors name the rule and match transport.ErrValidation too.
func TestRuleErrors(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FlowConfig{RedirectURL: welcome, EmailCode: true, PhoneCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	r, err := e.client.Register(ctx, flow, verifik.Registration{Email: "rules@example.com", Phone: "3001234567", CountryCode: "+57"})
	require.NoError(t, err)

	cases := []struct {
		name string
		call func() error
		kind error
	}{
		{"confirm before send", func() error { return r.ConfirmEmailCode(ctx, "123456") }, verifik.ErrNotReady},
		{"confirm phone before send", func() error { return r.ConfirmPhoneCode(ctx, "123456") }, verifik.ErrNotReady},
		{"compare before document and selfie", func() error { _, err := r.CompareFaces(ctx); return err }, verifik.ErrNotReady},
		{"names before sign-up", func() error { _, err := r.CheckNames(ctx); return err }, verifik.ErrFeatureOff},
		{"criminal check off", func() error { _, err := r.CheckCriminalRecord(ctx); return err }, verifik.ErrFeatureOff},
		{"skip before codes", func() error { _, err := r.SkipKYC(ctx); return err }, verifik.ErrStepsIncomplete},
		{"advance before codes", func() error { return r.Advance(ctx, verifik.StepDocument) }, verifik.ErrStepsIncomplete},
		{"register without the phone the flow needs", func() error {
			_, err := e.client.Register(ctx, flow, verifik.Registration{Email: "nophone@example.com"})
			return err
		}, verifik.ErrStepsIncomplete},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			e.noCallsDuring(func() { err = c.call() })
			require.ErrorIs(t, err, c.kind)
			require.ErrorIs(t, err, transport.ErrValidation)
			var re *verifik.RuleError
			require.ErrorAs(t, err, &re)
			assert.NotEmpty(t, re.Operation)
		})
	}
}
