package hostile_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func verifikCatalogue(w *verifikWorld) []badInput {
	c := w.client
	const welcome = "https://acme.example/welcome"
	full := verifik.FullVerification(welcome)
	basic := verifik.BasicEnrollment(welcome)
	phoneFlow := verifik.FlowConfig{RedirectURL: welcome, PhoneCode: true, Document: verifik.Optional, Liveness: verifik.Optional}
	criminal := verifik.FullVerification(welcome)
	criminal.VerifyCriminalHistory = true
	noLiveness := verifik.FlowConfig{RedirectURL: welcome, EmailCode: true, Document: verifik.Mandatory, Liveness: verifik.Skip}

	var n int
	email := func() string { n++; return "hostile" + strings.Repeat("x", n) + "@example.com" }
	// registrant is a registrant of cfg (in its own project) with its email confirmed.
	registrant := func(t *testing.T, name string, cfg verifik.FlowConfig) *verifik.Registrant {
		t.Helper()
		r := w.register(t, w.setup(t, name, cfg), email())
		w.confirmEmail(t, r)
		return r
	}
	doc := sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: "Hostile", LastName: "Tester",
		DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: "hostile-face"}
	front := verifiktest.DocumentPhoto(doc)
	selfie := verifiktest.Selfie("hostile-face")
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	text := base64.StdEncoding.EncodeToString([]byte("this is a passport photo, honest"))
	setupWith := func(p func(*verifik.ProjectConfig), f func(*verifik.FlowConfig)) func() error {
		return func() error {
			pc, fc := project("hostile setup"), basic
			if p != nil {
				p(&pc)
			}
			if f != nil {
				f(&fc)
			}
			_, err := c.Setup(ctx, pc, fc)
			return err
		}
	}
	register := func(who verifik.Registration) func(t *testing.T) func() error {
		return func(t *testing.T) func() error {
			flow := w.setup(t, "hostile basic", basic)
			return func() error { _, err := c.Register(ctx, flow, who); return err }
		}
	}
	registerPhone := func(phone, cc string) func(t *testing.T) func() error {
		return register(verifik.Registration{Email: "phone@example.com", Phone: phone, CountryCode: cc})
	}
	confirm := func(code string) func(t *testing.T) func() error {
		return func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			_, err := r.SendEmailCode(ctx)
			require.NoError(t, err)
			return func() error { return r.ConfirmEmailCode(ctx, code) }
		}
	}
	document := func(d verifik.Document) func(t *testing.T) func() error {
		return func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { _, err := r.SubmitDocument(ctx, d); return err }
		}
	}
	selfieOf := func(s verifik.Selfie) func(t *testing.T) func() error {
		return func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { _, err := r.SubmitSelfie(ctx, s); return err }
		}
	}
	resumed := func(edit func(m map[string]any)) func(t *testing.T) func() error {
		return func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			st := tamper(t, r.State(), edit)
			return func() error { _, err := c.Resume(st); return err }
		}
	}

	return []badInput{
		// Construction.
		{name: "new: empty client token", field: "client token", bad: call(func() error { _, err := verifik.New(""); return err })},
		{name: "new: whitespace client token", field: "client token", bad: call(func() error { _, err := verifik.New("\t \n"); return err })},

		// Setup.
		{name: "setup: empty project name", field: "name", bad: call(setupWith(func(p *verifik.ProjectConfig) { p.Name = " " }, nil))},
		{name: "setup: no allowed country", field: "allowed countries", bad: call(setupWith(func(p *verifik.ProjectConfig) { p.AllowedCountries = nil }, nil))},
		{name: "setup: contact email without a domain", field: "contact email", bad: call(setupWith(func(p *verifik.ProjectConfig) { p.ContactEmail = "support@" }, nil))},
		{name: "setup: relative privacy url", field: "privacy url", bad: call(setupWith(func(p *verifik.ProjectConfig) { p.PrivacyURL = "/privacy" }, nil))},
		{name: "setup: demo OTP of 5 digits", field: "demo otp", bad: call(setupWith(func(p *verifik.ProjectConfig) { p.DemoMode, p.DemoOTP = true, "12345" }, nil))},
		{name: "setup: demo OTP with letters", field: "demo otp", bad: call(setupWith(func(p *verifik.ProjectConfig) { p.DemoMode, p.DemoOTP = true, "12a456" }, nil))},
		{name: "setup: unknown step requirement", field: "document", bad: call(setupWith(nil, func(f *verifik.FlowConfig) { f.Document = "sometimes" }))},
		{name: "setup: liveness score above 1", field: "liveness min score", bad: call(setupWith(nil, func(f *verifik.FlowConfig) { f.LivenessMinScore = 1.5 }))},
		{name: "setup: two attempts", field: "max attempts", bad: call(setupWith(nil, func(f *verifik.FlowConfig) { f.MaxAttempts = 2 }))},
		{name: "setup: unknown phone gateway", field: "phone gateway", bad: call(setupWith(nil, func(f *verifik.FlowConfig) { f.PhoneCode, f.PhoneGateway = true, "telegram" }))},
		{name: "setup: javascript redirect url", field: "redirect url", bad: call(setupWith(nil, func(f *verifik.FlowConfig) { f.RedirectURL = "javascript:alert(1)" }))},
		{name: "flow: id with a path", field: "flow id", bad: call(func() error { _, err := c.Flow(ctx, "../projects"); return err })},

		// Listing registrants.
		{name: "registrations: limit over 100", field: "limit", bad: call(func() error {
			_, err := c.Registrations(ctx, verifik.RegistrationFilter{Limit: 101})
			return err
		})},
		{name: "registrations: negative page", field: "page", bad: call(func() error {
			_, err := c.Registrations(ctx, verifik.RegistrationFilter{Page: -1})
			return err
		})},
		{name: "registrations: unknown status", field: "status", leak: "DONE_AND_DUSTED", bad: call(func() error {
			_, err := c.Registrations(ctx, verifik.RegistrationFilter{Statuses: []verifik.Status{"DONE_AND_DUSTED"}})
			return err
		})},
		{name: "registrations: project id with a path", field: "project id", bad: call(func() error {
			_, err := c.Registrations(ctx, verifik.RegistrationFilter{ProjectID: "../../v2/projects"})
			return err
		})},

		{name: "delete document: id with a path", field: "document validation id", bad: call(func() error {
			return c.DeleteDocument(ctx, "../../v2/projects")
		})},
		{name: "document: id with a path", field: "document validation id", bad: call(func() error {
			_, err := c.Document(ctx, "../../v2/projects")
			return err
		})},
		{name: "documents: limit over the page cap", field: "limit", bad: call(func() error {
			_, err := c.Documents(ctx, verifik.DocumentFilter{Limit: verifik.MaxDocumentsPage + 1})
			return err
		})},
		{name: "documents: unknown status", field: "status", leak: "SHREDDED", bad: call(func() error {
			_, err := c.Documents(ctx, verifik.DocumentFilter{Status: "SHREDDED"})
			return err
		})},
		{name: "documents: type with a query", field: "type", leak: "CC&where_status", bad: call(func() error {
			_, err := c.Documents(ctx, verifik.DocumentFilter{Type: "CC&where_status=x"})
			return err
		})},
		{name: "delete flow: id with a path", field: "flow id", bad: call(func() error {
			return c.DeleteFlow(ctx, "../../v2/projects")
		})},
		{name: "resend link: id with a path", field: "app registration id", bad: call(func() error {
			_, err := c.ResendLink(ctx, "../../v2/projects", false)
			return err
		})},

		// Registration: emails, phones, country codes, ids.
		{name: "register: neither email nor phone", field: "email or phone", bad: register(verifik.Registration{FullName: "No Contact"})},
		{name: "register: email without @", field: "email", leak: "zelda.example.com", bad: register(verifik.Registration{Email: "zelda.example.com"})},
		{name: "register: email with a space", field: "email", bad: register(verifik.Registration{Email: "zel da@example.com"})},
		{name: "register: email with two @", field: "email", bad: register(verifik.Registration{Email: "zelda@@example.com"})},
		{name: "register: email without a dot in the domain", field: "email", bad: register(verifik.Registration{Email: "zelda@localhost"})},
		{name: "register: phone with letters", field: "phone", leak: "300CALLME", bad: registerPhone("300CALLME", "+57")},
		{name: "register: phone of 3 digits", field: "phone", bad: registerPhone("300", "+57")},
		{name: "register: phone of 16 digits", field: "phone", bad: registerPhone("3001234567890123", "+57")},
		{name: "register: phone with its country code inside", field: "phone", bad: registerPhone("+573001234567", "+57")},
		{name: "register: country code without +", field: "country code", bad: registerPhone("3001234567", "57")},
		{name: "register: country code of 4 digits", field: "country code", bad: registerPhone("3001234567", "+5712")},
		{name: "register: country code missing", field: "country code", bad: registerPhone("3001234567", "")},
		{name: "register: country code with letters", field: "country code", bad: registerPhone("3001234567", "+CO")},
		{name: "register: zero flow", field: "project id", bad: call(func() error {
			_, err := c.Register(ctx, verifik.Flow{}, verifik.Registration{Email: "zelda@example.com"})
			return err
		})},
		{name: "register: project id with a path", field: "project id", bad: call(func() error {
			_, err := c.Register(ctx, verifik.Flow{ProjectID: "../../v2/projects", FlowID: "f1"}, verifik.Registration{Email: "zelda@example.com"})
			return err
		})},
		{name: "register: phone-only registrant on a flow asking an email code", field: "email", is: verifik.ErrStepsIncomplete, bad: func(t *testing.T) func() error {
			flow := w.setup(t, "hostile basic", basic)
			return func() error {
				_, err := c.Register(ctx, flow, verifik.Registration{Phone: "3001234567", CountryCode: "+57"})
				return err
			}
		}},

		// Codes.
		{name: "confirm email: 5 digits", field: "code", bad: confirm("12345")},
		{name: "confirm email: 7 digits", field: "code", bad: confirm("1234567")},
		{name: "confirm email: letters", field: "code", bad: confirm("12a4b6")},
		{name: "confirm email: empty", field: "code", bad: confirm("")},
		{name: "confirm email: negative number", field: "code", bad: confirm("-12345")},
		{name: "confirm email: digits with a space inside", field: "code", bad: confirm("123 456")},
		{name: "confirm phone: full-width digits", field: "code", bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			return func() error { return r.ConfirmPhoneCode(ctx, "１２３４５６") }
		}},
		{name: "confirm email before the code was sent", field: "send the email code first", is: verifik.ErrNotReady, bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			return func() error { return r.ConfirmEmailCode(ctx, "123456") }
		}},
		{name: "confirm email after the code expired", field: "send a new email code", is: verifik.ErrCodeExpired, bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			_, err := r.SendEmailCode(ctx)
			require.NoError(t, err)
			code, _ := w.emu.LastCode(r.State().Email)
			w.clock.Advance(verifiktest.DefaultOTPTTL + time.Second)
			return func() error { return r.ConfirmEmailCode(ctx, code) }
		}},
		{name: "send phone code: unknown gateway", field: "gateway", bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			return func() error { _, err := r.SendPhoneCode(ctx, "telegram"); return err }
		}},
		{name: "send phone code: flow without a phone code", field: "phone code", is: verifik.ErrStepNotOffered, bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			return func() error { _, err := r.SendPhoneCode(ctx, verifik.SMS); return err }
		}},
		{name: "send email code: flow without an email code", field: "email code", is: verifik.ErrStepNotOffered, bad: func(t *testing.T) func() error {
			flow := w.setup(t, "hostile phone", phoneFlow)
			r, err := c.Register(ctx, flow, verifik.Registration{Email: email(), Phone: "3001234567", CountryCode: "+57"})
			require.NoError(t, err)
			return func() error { _, err := r.SendEmailCode(ctx); return err }
		}},

		// Images.
		{name: "document: no image", field: "document", bad: document(verifik.Document{})},
		{name: "document: front not base64", field: "front image", bad: document(verifik.Document{Front: "not base64 at all!"})},
		{name: "document: front is an empty data URI", field: "front image", bad: document(verifik.Document{Front: "data:image/png;base64,"})},
		{name: "document: front data URI not base64", field: "front image", bad: document(verifik.Document{Front: "data:image/png,abc"})},
		{name: "document: front is text bytes", field: "front image", bad: document(verifik.Document{Front: verifik.Image(text)})},
		{name: "document: back is GIF bytes declared as PNG", field: "back image", bad: document(verifik.Document{Front: front,
			Back: verifik.Image("data:image/png;base64," + base64.StdEncoding.EncodeToString(gif))})},
		{name: "document: front is URL-safe base64", field: "front image", bad: func(t *testing.T) func() error {
			img := base64.URLEncoding.EncodeToString(sandbox.DocumentImage(doc))
			require.True(t, strings.ContainsAny(img, "-_"), "the encoding differs from standard base64")
			return document(verifik.Document{Front: verifik.Image(img)})(t)
		}},
		{name: "selfie: over 15 MiB", field: "selfie", bad: selfieOf(verifik.Selfie{OS: verifik.IOS,
			Image: verifik.Image("data:image/jpeg;base64," + strings.Repeat("A", 21<<20))})},
		{name: "selfie: unknown OS", field: "os", bad: selfieOf(verifik.Selfie{Image: selfie, OS: "WINDOWS"})},
		{name: "selfie: no OS", field: "os", bad: selfieOf(verifik.Selfie{Image: selfie})},
		{name: "selfie: lower-case OS", field: "os", bad: selfieOf(verifik.Selfie{Image: selfie, OS: "ios"})},
		{name: "selfie: empty image", field: "selfie", bad: selfieOf(verifik.Selfie{OS: verifik.Android})},
		{name: "selfie: GIF bytes declared as JPEG", field: "selfie", bad: selfieOf(verifik.Selfie{OS: verifik.Android,
			Image: verifik.Image("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(gif))})},
		{name: "selfie: text bytes declared as JPEG", field: "selfie", bad: selfieOf(verifik.Selfie{OS: verifik.Android,
			Image: verifik.Image("data:image/jpeg;base64," + text)})},

		// Steps out of order, reuse, rules of the flow.
		{name: "document: second submission without force", field: "Force", is: verifik.ErrAlreadySubmitted, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			_, err := r.SubmitDocument(ctx, verifik.Document{Front: front})
			require.NoError(t, err)
			return func() error { _, err := r.SubmitDocument(ctx, verifik.Document{Front: front}); return err }
		}},
		{name: "selfie: flow skips liveness", field: "liveness", is: verifik.ErrStepNotOffered, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile no liveness", noLiveness)
			return func() error {
				_, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: selfie, OS: verifik.IOS})
				return err
			}
		}},
		{name: "compare faces before the selfie", field: "selfie", is: verifik.ErrNotReady, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			_, err := r.SubmitDocument(ctx, verifik.Document{Front: front})
			require.NoError(t, err)
			return func() error { _, err := r.CompareFaces(ctx); return err }
		}},
		{name: "finish before the mandatory steps", field: "document", is: verifik.ErrStepsIncomplete, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { _, err := r.Finish(ctx, verifik.Completed); return err }
		}},
		{name: "finish before the email code", field: "signUpForm", is: verifik.ErrStepsIncomplete, bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			return func() error { _, err := r.Finish(ctx, verifik.Failed); return err }
		}},
		{name: "finish with an unknown outcome", field: "outcome", bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { _, err := r.Finish(ctx, "APPROVED"); return err }
		}},
		{name: "skip KYC on a flow with mandatory KYC", field: "mandatory", is: verifik.ErrSkipNotAllowed, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { _, err := r.SkipKYC(ctx); return err }
		}},
		{name: "advance to an unknown step", field: "step", bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { return r.Advance(ctx, "payment") }
		}},
		{name: "check names on a flow without name validation", field: "verifyNames", is: verifik.ErrFeatureOff, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			return func() error { _, err := r.CheckNames(ctx); return err }
		}},
		{name: "criminal check before the document", field: "document", is: verifik.ErrNotReady, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile criminal", criminal)
			return func() error { _, err := r.CheckCriminalRecord(ctx); return err }
		}},
		{name: "step after the registration finished", field: "COMPLETED_WITHOUT_KYC", is: verifik.ErrFinished, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile basic", basic)
			_, err := r.SkipKYC(ctx)
			require.NoError(t, err)
			return func() error { _, err := r.SendEmailCode(ctx); return err }
		}},

		// Stored state: zero, tampered.
		{name: "resume: zero state", field: "state", bad: call(func() error { _, err := c.Resume(verifik.State{}); return err })},
		{name: "zero registrant (not from Register or Resume)", field: "Register", is: verifik.ErrNotReady, bad: call(func() error {
			_, err := (&verifik.Registrant{}).SendEmailCode(ctx)
			return err
		})},
		{name: "nil registrant", field: "Register", is: verifik.ErrNotReady, bad: call(func() error {
			var r *verifik.Registrant
			_, err := r.Finish(ctx, verifik.Completed)
			return err
		})},
		{name: "resume: token removed from storage", field: "state", bad: resumed(func(m map[string]any) { delete(m, "token") })},
		{name: "resume: app registration id tampered to a path", field: "app registration id", bad: resumed(func(m map[string]any) { m["appRegistrationId"] = "../projects/x" })},
		{name: "resume: email validation id tampered to a path", field: "email validation id", bad: resumed(func(m map[string]any) { m["emailValidationId"] = "../../app-registrations/x" })},
		{name: "review: app registration id with a path", field: "app registration id", bad: call(func() error { _, err := c.Review(ctx, "x/../../projects"); return err })},
		{name: "delete registration: empty id", field: "app registration id", bad: call(func() error { return c.DeleteRegistration(ctx, "") })},

		// Rules only Verifik can judge.
		{name: "confirm email with a wrong code (vendor-side)", code: "otp_does_not_match", status: 403, is: verifik.ErrCodeMismatch, bad: func(t *testing.T) func() error {
			r := w.register(t, w.setup(t, "hostile basic", basic), email())
			_, err := r.SendEmailCode(ctx)
			require.NoError(t, err)
			code, _ := w.emu.LastCode(r.State().Email)
			wrong := "999999"
			if code == wrong {
				wrong = "100000"
			}
			return func() error { return r.ConfirmEmailCode(ctx, wrong) }
		}},
		{name: "resumed state with a forged token (vendor-side)", status: 401, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			st := tamper(t, r.State(), func(m map[string]any) { m["token"] = "eyJhbGciOiJIUzI1NiJ9.eyJmb3JnZWQiOnRydWV9.Zm9yZ2Vk" })
			forged, err := c.Resume(st)
			require.NoError(t, err)
			return func() error { _, err := forged.SubmitDocument(ctx, verifik.Document{Front: front}); return err }
		}},
		{name: "registrant deleted by the back office (vendor-side)", status: 404, is: verifik.ErrRegistrationGone, bad: func(t *testing.T) func() error {
			r := registrant(t, "hostile full", full)
			require.NoError(t, c.DeleteRegistration(ctx, r.State().AppRegistrationID))
			return func() error { _, err := r.SubmitDocument(ctx, verifik.Document{Front: front}); return err }
		}},
		{name: "wrong client token (vendor-side)", status: 401, bad: func(t *testing.T) func() error {
			wrong := w.newClient(t, "wrong-verifik-client-token")
			return func() error { _, err := wrong.Review(ctx, "65f0c0ffee0000000000abcd"); return err }
		}},
	}
}
