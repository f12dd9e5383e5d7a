package hostile_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

func verisoulCatalogue(w *verisoulWorld) []badInput {
	c := w.client
	fm := verisoul.Session{ID: goodUUID, Product: verisoul.FaceMatch, CreatedAt: t0}
	idc := verisoul.Session{ID: goodUUID, Product: verisoul.IDCheck, CreatedAt: t0}
	with := func(id string) verisoul.Session { return verisoul.Session{ID: id, Product: verisoul.FaceMatch} }
	started := func(t *testing.T) verisoul.Session {
		t.Helper()
		s, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		return s
	}
	completed := func(t *testing.T, face string) verisoul.Session {
		t.Helper()
		s := started(t)
		require.NoError(t, w.emu.CompleteAs(s.ID, face))
		return s
	}
	redirect := func(q string) *url.URL {
		return &url.URL{Scheme: "https", Host: "app.example.test", Path: "/done", RawQuery: q}
	}

	return []badInput{
		// Construction.
		{name: "new: empty api key", field: "api key", bad: call(func() error { _, err := verisoul.New(""); return err })},
		{name: "new: whitespace api key", field: "api key", bad: call(func() error { _, err := verisoul.New(" \t\n"); return err })},
		{name: "new: unknown environment", field: "environment", bad: call(func() error {
			_, err := verisoul.New("key-0123456789", verisoul.WithEnvironment("staging"))
			return err
		})},
		{name: "new: relative hosted-page url", field: "app url", bad: call(func() error {
			_, err := verisoul.New("key-0123456789", verisoul.WithAppURL("/capture"))
			return err
		})},
		{name: "new: javascript hosted-page url", field: "app url", bad: call(func() error {
			_, err := verisoul.New("key-0123456789", verisoul.WithAppURL("javascript:alert(1)"))
			return err
		})},

		// Session options: ids and enums.
		{name: "start: referring session id not a UUID", field: "referring session id", leak: "ref-SECRET-42", bad: call(func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{ReferringSessionID: "ref-SECRET-42"})
			return err
		})},
		{name: "start: referring session id without dashes", field: "referring session id", bad: call(func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{ReferringSessionID: strings.ReplaceAll(goodUUID, "-", "")})
			return err
		})},
		{name: "start: referring session id in braces", field: "referring session id", bad: call(func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{ReferringSessionID: "{" + goodUUID + "}"})
			return err
		})},
		// simulate is a plain string to the vendor: an unknown value is sent, an absurd one is not.
		{name: "start: simulate of a kilobyte", field: "simulate", bad: call(func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{Simulate: verisoul.Simulate(strings.Repeat("x", 1024))})
			return err
		})},
		{name: "start: simulate in production", field: "simulate", bad: func(t *testing.T) func() error {
			prod, err := verisoul.New(w.emu.APIKey(), verisoul.WithBaseURL(w.srv.URL))
			require.NoError(t, err)
			return func() error {
				_, err := prod.StartSession(ctx, verisoul.SessionOptions{Simulate: verisoul.SimulateSuccess})
				return err
			}
		}},
		{name: "start id check: simulate not UTF-8", field: "simulate", bad: call(func() error {
			_, err := c.StartIDCheckSession(ctx, verisoul.SessionOptions{Simulate: "success\xff"})
			return err
		})},

		// Hosted-page URL.
		{name: "capture url: zero session", field: "session id", bad: call(func() error {
			_, err := c.CaptureURL(verisoul.Session{}, verisoul.CaptureOptions{})
			return err
		})},
		{name: "capture url: relative redirect", field: "redirect url", bad: call(func() error {
			_, err := c.CaptureURL(fm, verisoul.CaptureOptions{RedirectURL: "/done"})
			return err
		})},
		{name: "capture url: redirect with a header injection", field: "redirect url", bad: call(func() error {
			_, err := c.CaptureURL(fm, verisoul.CaptureOptions{RedirectURL: "https://app.example.test/done\r\nSet-Cookie: x=1"})
			return err
		})},
		{name: "capture url: language with markup", field: "language", bad: call(func() error {
			_, err := c.CaptureURL(fm, verisoul.CaptureOptions{Language: "en<script>"})
			return err
		})},

		// Verify and enrol: ids, products, accounts, nil and tampered state.
		{name: "verify-face: zero session", field: "session id", bad: call(func() error { _, err := c.VerifyFace(ctx, verisoul.Session{}); return err })},
		{name: "verify-face: session id not a UUID", field: "session id", leak: "sess-SECRET-77", bad: call(func() error {
			_, err := c.VerifyFace(ctx, with("sess-SECRET-77"))
			return err
		})},
		{name: "verify-face: urn form of a UUID", field: "session id", bad: call(func() error {
			_, err := c.VerifyFace(ctx, with("urn:uuid:"+goodUUID))
			return err
		})},
		{name: "verify-face: ID Check session", field: "session", bad: call(func() error { _, err := c.VerifyFace(ctx, idc); return err })},
		{name: "verify-face: session id tampered in storage", field: "session id", bad: func(t *testing.T) func() error {
			s := tamper(t, fm, func(m map[string]any) { m["session_id"] = "../../admin" })
			return func() error { _, err := c.VerifyFace(ctx, s); return err }
		}},
		{name: "verify-face: product tampered to an unknown value", field: "session", bad: func(t *testing.T) func() error {
			s := tamper(t, fm, func(m map[string]any) { m["product"] = "premium" })
			return func() error { _, err := c.VerifyFace(ctx, s); return err }
		}},
		{name: "verify-id: Face Match session", field: "session", bad: call(func() error { _, err := c.VerifyID(ctx, fm); return err })},
		{name: "verify-uniqueness (legacy): zero session", field: "session id", bad: call(func() error { _, err := c.VerifyUniqueness(ctx, verisoul.Session{}); return err })},
		{name: "verify-uniqueness (legacy): session id not a UUID", field: "session id", leak: "sess-SECRET-78", bad: call(func() error {
			_, err := c.VerifyUniqueness(ctx, with("sess-SECRET-78"))
			return err
		})},
		{name: "verify-uniqueness (legacy): ID Check session", field: "session", bad: call(func() error { _, err := c.VerifyUniqueness(ctx, idc); return err })},
		{name: "verify-document (legacy): zero session", field: "session id", bad: call(func() error { _, err := c.VerifyDocument(ctx, verisoul.Session{}); return err })},
		{name: "verify-document (legacy): Face Match session", field: "session", bad: call(func() error { _, err := c.VerifyDocument(ctx, fm); return err })},
		{name: "verify-document (legacy): product tampered to an unknown value", field: "session", bad: func(t *testing.T) func() error {
			s := tamper(t, idc, func(m map[string]any) { m["product"] = "premium" })
			return func() error { _, err := c.VerifyDocument(ctx, s); return err }
		}},
		{name: "verify-identity: empty account id", field: "account id", bad: call(func() error { _, err := c.VerifyIdentity(ctx, fm, ""); return err })},
		{name: "verify-identity: whitespace account id", field: "account id", bad: call(func() error {
			_, err := c.VerifyIdentity(ctx, fm, " \t\n")
			return err
		})},
		{name: "verify-identity: ID Check session", field: "session", bad: call(func() error { _, err := c.VerifyIdentity(ctx, idc, "acct-1"); return err })},
		{name: "enroll: empty account id", field: "account id", bad: call(func() error { _, err := c.Enroll(ctx, fm, ""); return err })},
		{name: "enroll: zero session", field: "session id", bad: call(func() error { _, err := c.Enroll(ctx, verisoul.Session{}, "acct-1"); return err })},
		{name: "enroll: session older than 30 days", field: "session", bad: call(func() error {
			old := fm
			old.CreatedAt = w.clock.Now().Add(-verisoul.EnrollWindow - time.Hour)
			_, err := c.Enroll(ctx, old, "acct-1")
			return err
		})},
		{name: "enroll: product tampered to an unknown value", field: "session", bad: func(t *testing.T) func() error {
			s := tamper(t, fm, func(m map[string]any) { m["product"] = "premium" })
			return func() error { _, err := c.Enroll(ctx, s, "acct-1"); return err }
		}},
		{name: "check uniqueness: empty account id before verify-face", field: "account id", bad: call(func() error {
			_, err := c.CheckUniqueness(ctx, fm, " ", nil)
			return err
		})},
		{name: "check id: Face Match session", field: "session", bad: call(func() error { _, err := c.CheckID(ctx, fm, "acct-1", nil); return err })},

		// Redirect back from the hosted page.
		{name: "redirect: nil url", field: "url", bad: call(func() error { _, err := verisoul.ParseRedirect(nil); return err })},
		{name: "redirect: success missing", field: "success", bad: call(func() error {
			_, err := verisoul.ParseRedirect(redirect("session_id=" + goodUUID))
			return err
		})},
		{name: "redirect: success not a boolean", field: "success", bad: call(func() error {
			_, err := verisoul.ParseRedirect(redirect("success=yes&session_id=" + goodUUID))
			return err
		})},
		{name: "redirect: session id not a UUID", field: "session_id", bad: call(func() error {
			_, err := verisoul.ParseRedirect(redirect("success=true&session_id=1%27%20OR%201=1"))
			return err
		})},
		{name: "redirect: success without a session id", field: "session_id", bad: call(func() error {
			_, err := verisoul.ParseRedirect(redirect("success=true"))
			return err
		})},
		{name: "redirect: success with an error message", field: "error_message", bad: call(func() error {
			_, err := verisoul.ParseRedirect(redirect("success=true&error_message=liveness_check_failed&session_id=" + goodUUID))
			return err
		})},

		// Public redirect.
		{name: "public redirect: empty project id", field: "project id", bad: call(func() error {
			_, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{})
			return err
		})},
		{name: "public redirect: project id not a UUID", field: "project id", bad: call(func() error {
			_, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: "my-project", IDCheck: true})
			return err
		})},

		// Rules only Verisoul can judge.
		{name: "verify-face before the capture (vendor-side)", code: "session_not_started", status: 400, bad: func(t *testing.T) func() error {
			s := started(t)
			return func() error { _, err := c.VerifyFace(ctx, s); return err }
		}},
		{name: "enroll before the capture (vendor-side)", code: "session_not_started", status: 400, bad: func(t *testing.T) func() error {
			s := started(t)
			return func() error { _, err := c.Enroll(ctx, s, "acct-early"); return err }
		}},
		{name: "verify-face after a failed liveness capture (vendor-side)", code: "liveness_check_failed", status: 400, bad: func(t *testing.T) func() error {
			s := started(t)
			require.NoError(t, w.emu.Fail(s.ID, verisoultest.FailLiveness))
			return func() error { _, err := c.VerifyFace(ctx, s); return err }
		}},
		{name: "verify-identity before the account was enrolled (vendor-side)", code: "account_not_found", status: 400, bad: func(t *testing.T) func() error {
			s := completed(t, "hostile-never-enrolled")
			return func() error { _, err := c.VerifyIdentity(ctx, s, "acct-never-enrolled"); return err }
		}},
		{name: "enroll a session already tied to another account (vendor-side)", code: "session_already_tied_to_an_account", status: 400, bad: func(t *testing.T) func() error {
			s := completed(t, "hostile-reused-session")
			_, err := c.Enroll(ctx, s, "acct-first")
			require.NoError(t, err)
			return func() error { _, err := c.Enroll(ctx, s, "acct-second"); return err }
		}},
		{name: "verify-uniqueness (legacy) before the capture (vendor-side)", code: "session_not_started", status: 400, bad: func(t *testing.T) func() error {
			s := started(t)
			return func() error { _, err := c.VerifyUniqueness(ctx, s); return err }
		}},
		{name: "verify-document (legacy) of a session id never issued (vendor-side)", code: "session_not_found", status: 400, bad: call(func() error {
			_, err := c.VerifyDocument(ctx, verisoul.Session{ID: sandbox.NewID(), Product: verisoul.IDCheck})
			return err
		})},
		{name: "verify-face of a session id never issued (vendor-side)", code: "session_not_found", status: 400, bad: call(func() error {
			_, err := c.VerifyFace(ctx, with(sandbox.NewID()))
			return err
		})},
		{name: "verify-id of a Face Match session whose product was lost (vendor-side)", code: "session_not_valid_for_this_endpoint", status: 400, bad: func(t *testing.T) func() error {
			s := completed(t, "hostile-lost-product")
			s.Product = ""
			return func() error { _, err := c.VerifyID(ctx, s); return err }
		}},
		{name: "enroll after 30 days a session rebuilt from its redirect (vendor-side)", code: "session_older_than_30_days", status: 400, bad: func(t *testing.T) func() error {
			s := completed(t, "hostile-old-session")
			o, err := verisoul.ParseRedirect(redirect("success=true&session_id=" + s.ID))
			require.NoError(t, err)
			w.clock.Advance(verisoul.EnrollWindow + time.Hour)
			rebuilt := verisoul.Session{ID: o.SessionID, Product: verisoul.FaceMatch} // creation time unknown
			return func() error { _, err := c.Enroll(ctx, rebuilt, "acct-late"); return err }
		}},
		{name: "wrong api key (vendor-side)", status: 401, bad: func(t *testing.T) func() error {
			wrong := w.newClient(t, "wrong-verisoul-key-0123456789")
			return func() error { _, err := wrong.StartSession(ctx, verisoul.SessionOptions{}); return err }
		}},
	}
}
