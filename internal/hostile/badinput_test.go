package hostile_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	verifiksbx "github.com/idvkit/idvkit/pkg/sandbox/verifik"
	verisoulsbx "github.com/idvkit/idvkit/pkg/sandbox/verisoul"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// badInput is one entry of the catalogue.
//
// A client-side case names the field its *transport.ValidationError must name (for a
// Verifik flow rule, the *verifik.RuleError's rule and the step its message names); it
// must fail before any request reaches the emulator. A vendor-side case, for a rule only the
// vendor can judge (whether the user finished the capture, whether a token was spent by
// another process, whether credentials are right), says "(vendor-side)" in its name and
// gives the vendor's code and HTTP status of the *transport.APIError instead; it must
// cost exactly the requests it names (default one).
type badInput struct {
	name  string
	field string // *transport.ValidationError.Field, client-side cases
	is    error  // a sentinel the error must also match, when the vendor package has one

	code     string // *transport.APIError.Code, vendor-side cases
	status   int    // *transport.APIError.StatusCode, vendor-side cases
	requests int64  // requests a vendor-side case costs (0 means 1)

	leak string // a value the error string must not quote

	// bad prepares what the case needs (it may call the vendor; those calls are not
	// counted) and returns the bad call.
	bad func(t *testing.T) func() error
}

// call is a case that needs no preparation.
func call(f func() error) func(*testing.T) func() error {
	return func(*testing.T) func() error { return f }
}

// tamper round-trips a state value through JSON with edit applied in between, as a
// tampered (or corrupted) row of the integrator's storage would come back.
func tamper[T any](t *testing.T, v T, edit func(m map[string]any)) T {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	edit(m)
	data, err = json.Marshal(m)
	require.NoError(t, err)
	var out T
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// TestBadInputCatalogue runs every bad input the clients must refuse: malformed ids,
// oversized and wrong-type images, bad OTPs, emails and phones, unknown enums, steps out
// of order, reused tokens, empty credentials, zero and tampered state. Each gets a typed
// error naming the field, before any network call where the client can know.
func TestBadInputCatalogue(t *testing.T) {
	vs := newVerisoulWorld(t, "")
	ip := newIProovWorld(t)
	vf := newVerifikWorld(t)
	catalogue := []struct {
		vendor string
		count  func() int64
		cases  []badInput
	}{
		{"verisoul", vs.count.Calls, verisoulCatalogue(vs)},
		{"iproov", ip.count.Calls, iproovCatalogue(ip)},
		{"verifik", vf.count.Calls, verifikCatalogue(vf)},
	}
	total := 0
	for _, group := range catalogue {
		total += len(group.cases)
		t.Logf("%s: %d bad inputs", group.vendor, len(group.cases))
		names := map[string]bool{}
		for _, c := range group.cases {
			require.False(t, names[c.name], "duplicate case name %q", c.name)
			names[c.name] = true
			t.Run(group.vendor+"/"+c.name, func(t *testing.T) {
				bad := c.bad(t)
				before := group.count()
				err := bad()
				sent := group.count() - before
				require.Error(t, err)
				if c.leak != "" {
					assert.NotContains(t, err.Error(), c.leak, "the error quotes the rejected value")
				}
				if c.is != nil {
					assert.ErrorIs(t, err, c.is)
				}
				vendorSide := strings.Contains(c.name, "(vendor-side)")
				if !vendorSide {
					require.NotEmpty(t, c.field, "a client-side case names its field")
					var (
						verr *transport.ValidationError
						rerr *verifik.RuleError
					)
					switch {
					case errors.As(err, &verr):
						assert.Equal(t, group.vendor, verr.Vendor)
						assert.Equal(t, c.field, verr.Field)
						assert.NotEmpty(t, verr.Reason)
					case errors.As(err, &rerr):
						// Verifik's flow rules: the documented *verifik.RuleError, whose
						// Kind says which rule and whose detail names the step.
						require.NotNil(t, c.is, "a flow-rule case names its rule")
						assert.NotEmpty(t, rerr.Operation)
					default:
						require.Failf(t, "untyped error", "want a *transport.ValidationError or *verifik.RuleError, got %T: %v", err, err)
					}
					assert.Contains(t, err.Error(), c.field, "the message names the field")
					assert.ErrorIs(t, err, transport.ErrValidation)
					assert.Zero(t, sent, "no request may reach the vendor")
					return
				}
				var apiErr *transport.APIError
				require.ErrorAs(t, err, &apiErr, "want a *transport.APIError, got %T: %v", err, err)
				assert.Equal(t, group.vendor, apiErr.Vendor)
				require.True(t, c.code != "" || c.status != 0, "a vendor-side case names the vendor's answer")
				if c.code != "" {
					assert.Equal(t, c.code, apiErr.Code)
				}
				if c.status != 0 {
					assert.Equal(t, c.status, apiErr.StatusCode)
				}
				want := c.requests
				if want == 0 {
					want = 1
				}
				assert.Equal(t, want, sent, "requests reaching the vendor")
			})
		}
	}
	assert.GreaterOrEqual(t, total, 60, "the catalogue covers at least 60 bad inputs")
	t.Logf("catalogue: %d bad inputs", total)
}

const goodUUID = "00022912-cbaa-4239-a3ec-51c32fcc0fc1"

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
		{name: "start: unknown simulate value", field: "simulate", bad: call(func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{Simulate: "explode"})
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
		{name: "start id check: unknown simulate value", field: "simulate", bad: call(func() error {
			_, err := c.StartIDCheckSession(ctx, verisoul.SessionOptions{Simulate: "SUCCESS"})
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
			require.NoError(t, w.emu.Fail(s.ID, verisoulsbx.FailLiveness))
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

func iproovCatalogue(w *iproovWorld) []badInput {
	c := w.client
	// A fresh token per claim: a case that wrongly sends its claim cannot spend another's.
	enrolClaim := func() *iproov.Claim {
		return &iproov.Claim{Type: iproov.Enrol, Token: sandbox.RandomHex(32), UserID: "hostile-user", IssuedAt: w.clock.Now()}
	}
	verifyClaim := func() *iproov.Claim {
		return &iproov.Claim{Type: iproov.Verify, Token: sandbox.RandomHex(32), UserID: "hostile-user", IssuedAt: w.clock.Now()}
	}
	ok := iproov.TokenRequest{UserID: "hostile-user", Resource: "onboarding"}
	req := func(f func(r *iproov.TokenRequest)) iproov.TokenRequest { r := ok; f(&r); return r }
	png := sandbox.FaceImage("hostile-photo")
	photo := func(img []byte) func() error {
		return func() error {
			_, err := c.EnrolImage(ctx, enrolClaim(), iproov.Photo{Image: img, Source: iproov.SourceOID})
			return err
		}
	}
	var n int
	fresh := func(prefix string) string { n++; return prefix + "-" + strings.Repeat("x", n) }
	enrolToken := func(t *testing.T, user string) *iproov.Claim {
		t.Helper()
		cl, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding"})
		require.NoError(t, err)
		return cl
	}
	// validated returns a capture-enrol claim already validated.
	validated := func(t *testing.T) *iproov.Claim {
		t.Helper()
		cl := enrolToken(t, fresh("validated"))
		require.NoError(t, w.emu.CaptureFace(cl.Token, "hostile-face"))
		_, err := c.EnrolValidate(ctx, cl, iproov.ValidateOptions{})
		require.NoError(t, err)
		return cl
	}

	return []badInput{
		// Construction.
		{name: "new: empty api key", field: "api_key", bad: call(func() error { _, err := iproov.New("", "secret-0123456789"); return err })},
		{name: "new: whitespace secret", field: "secret", bad: call(func() error { _, err := iproov.New("key-0123456789", "  "); return err })},
		{name: "new: OAuth username without password", field: "oauth", bad: call(func() error {
			_, err := iproov.New("key-0123456789", "secret-0123456789", iproov.WithOAuth("user", ""))
			return err
		})},
		{name: "new: unknown region", field: "region", bad: call(func() error {
			_, err := iproov.New("key-0123456789", "secret-0123456789", iproov.WithRegion("mars"))
			return err
		})},

		// Token requests: user_id pattern, resource, enums.
		{name: "enrol token: empty user_id", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "" }))
			return err
		})},
		{name: "enrol token: user_id with a space", field: "user_id", leak: "John SECRET Doe", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "John SECRET Doe" }))
			return err
		})},
		{name: "enrol token: user_id with a path", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "../users/admin" }))
			return err
		})},
		{name: "enrol token: user_id over 256 characters", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = strings.Repeat("u", 257) }))
			return err
		})},
		{name: "enrol token: user_id with non-ASCII letters", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "jöhn" }))
			return err
		})},
		{name: "verify token: user_id with a newline", field: "user_id", bad: call(func() error {
			_, err := c.VerifyToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "user\n1" }))
			return err
		})},
		{name: "verify token: whitespace resource", field: "resource", bad: call(func() error {
			_, err := c.VerifyToken(ctx, req(func(r *iproov.TokenRequest) { r.Resource = " \t" }))
			return err
		})},
		{name: "verify token: unknown assurance type", field: "assurance_type", bad: call(func() error {
			_, err := c.VerifyToken(ctx, req(func(r *iproov.TokenRequest) { r.AssuranceType = "flash" }))
			return err
		})},
		{name: "enrol token: malformed risk profile", field: "risk_profile", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.RiskProfile = "high risk!" }))
			return err
		})},
		{name: "enrol token: both already-enrolled recoveries", field: "if_enrolled", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) {
				r.IfEnrolled = iproov.IfEnrolled{DeleteUser: true, NewUserID: func() (string, error) { return "other", nil }}
			}))
			return err
		})},

		// Photo enrol: image size and type, source enum.
		{name: "photo: image over 2 MB", field: "image", bad: call(photo(append(append([]byte{}, png...), make([]byte, iproov.MaxImageBytes)...)))},
		{name: "photo: GIF bytes", field: "image", bad: call(photo([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")))},
		{name: "photo: text bytes", field: "image", bad: call(photo([]byte("this is a passport photo, honest")))},
		{name: "photo: empty image", field: "image", bad: call(photo(nil))},
		{name: "photo: PNG signature followed by text", field: "image", bad: call(photo(append([]byte("\x89PNG\r\n\x1a\n"), "not really a png at all"...)))},
		{name: "photo: JPEG marker followed by text", field: "image", bad: call(photo(append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "not really a jpeg at all"...)))},
		{name: "photo: image given as base64 text", field: "image", bad: call(photo([]byte(base64.StdEncoding.EncodeToString(png))))},
		{name: "photo: unknown source", field: "source", bad: call(func() error {
			_, err := c.EnrolImage(ctx, enrolClaim(), iproov.Photo{Image: png, Source: "passport"})
			return err
		})},
		{name: "photo: no source", field: "source", bad: call(func() error {
			_, err := c.EnrolImage(ctx, enrolClaim(), iproov.Photo{Image: png})
			return err
		})},
		{name: "photo: nil claim", field: "claim", bad: call(func() error {
			_, err := c.EnrolImage(ctx, nil, iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		})},
		{name: "photo: verify claim", field: "claim", is: iproov.ErrWrongClaim, bad: call(func() error {
			_, err := c.EnrolImage(ctx, verifyClaim(), iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		})},
		{name: "photo: claim older than the claim window", field: "claim", is: iproov.ErrClaimExpired, bad: call(func() error {
			old := enrolClaim()
			old.IssuedAt = w.clock.Now().Add(-iproov.ClaimWindow - time.Second)
			_, err := c.EnrolImage(ctx, old, iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		})},
		{name: "photo flow: bad image before the enrol token", field: "image", bad: call(func() error {
			_, err := c.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: ok, Photo: iproov.Photo{Image: []byte("GIF87a"), Source: iproov.SourceEID}})
			return err
		})},

		// Validation: order, reuse, nil, zero and tampered claims.
		{name: "validate: nil claim", field: "claim", bad: call(func() error { _, err := c.VerifyValidate(ctx, nil, iproov.ValidateOptions{}); return err })},
		{name: "validate: zero claim (no token yet)", field: "claim", bad: call(func() error {
			_, err := c.EnrolValidate(ctx, &iproov.Claim{}, iproov.ValidateOptions{})
			return err
		})},
		{name: "validate: enrol claim on verify validate", field: "claim", is: iproov.ErrWrongClaim, bad: call(func() error {
			_, err := c.VerifyValidate(ctx, enrolClaim(), iproov.ValidateOptions{})
			return err
		})},
		{name: "validate: verify claim on enrol validate", field: "claim", is: iproov.ErrWrongClaim, bad: call(func() error {
			_, err := c.EnrolValidate(ctx, verifyClaim(), iproov.ValidateOptions{})
			return err
		})},
		{name: "validate: second validation of a token", field: "claim", is: iproov.ErrClaimUsed, bad: func(t *testing.T) func() error {
			cl := validated(t)
			return func() error { _, err := c.EnrolValidate(ctx, cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: second validation with the used flag cleared in storage", field: "claim", is: iproov.ErrClaimUsed, bad: func(t *testing.T) func() error {
			cl := tamper(t, *validated(t), func(m map[string]any) { delete(m, "used") })
			require.False(t, cl.Used)
			return func() error { _, err := c.EnrolValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: token tampered to a path", field: "claim", bad: func(t *testing.T) func() error {
			cl := tamper(t, *enrolClaim(), func(m map[string]any) { m["token"] = "../../users/hostile-user" })
			return func() error { _, err := c.EnrolValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: user_id tampered to a malformed one", field: "user_id", bad: func(t *testing.T) func() error {
			cl := tamper(t, *verifyClaim(), func(m map[string]any) { m["user_id"] = "a b" })
			return func() error { _, err := c.VerifyValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: type tampered to an unknown one", field: "claim", is: iproov.ErrWrongClaim, bad: func(t *testing.T) func() error {
			cl := tamper(t, *verifyClaim(), func(m map[string]any) { m["type"] = "admin" })
			return func() error { _, err := c.VerifyValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: risk profile tampered to a malformed one", field: "risk_profile", bad: func(t *testing.T) func() error {
			cl := tamper(t, *verifyClaim(), func(m map[string]any) { m["risk_profile"] = "x' OR 1=1" })
			return func() error { _, err := c.VerifyValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: IPv6 end-user address", field: "ip", bad: call(func() error {
			_, err := c.VerifyValidate(ctx, verifyClaim(), iproov.ValidateOptions{IP: "2001:db8::1"})
			return err
		})},
		{name: "validate: not an IP address", field: "ip", bad: call(func() error {
			_, err := c.VerifyValidate(ctx, verifyClaim(), iproov.ValidateOptions{IP: "localhost"})
			return err
		})},
		{name: "validate: leave suspended on a verification", field: "leave_suspended", bad: call(func() error {
			_, err := c.VerifyValidate(ctx, verifyClaim(), iproov.ValidateOptions{LeaveSuspended: true})
			return err
		})},
		{name: "photo: token already spent by a photo enrol", field: "claim", is: iproov.ErrClaimUsed, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("photo-twice"))
			_, err := c.EnrolImage(ctx, cl, iproov.Photo{Image: png, Source: iproov.SourceOID})
			require.NoError(t, err)
			return func() error {
				_, err := c.EnrolImage(ctx, cl, iproov.Photo{Image: png, Source: iproov.SourceOID})
				return err
			}
		}},

		// Invalidation.
		{name: "invalidate: empty reason", field: "reason", bad: call(func() error { _, err := c.Invalidate(ctx, enrolClaim(), ""); return err })},
		{name: "invalidate: reason with markup", field: "reason", bad: call(func() error {
			_, err := c.Invalidate(ctx, enrolClaim(), "<script>alert(1)</script>")
			return err
		})},
		{name: "invalidate: nil claim", field: "claim", bad: call(func() error { _, err := c.Invalidate(ctx, nil, "user left"); return err })},
		{name: "invalidate: token tampered to a dot segment", field: "claim", bad: func(t *testing.T) func() error {
			cl := tamper(t, *enrolClaim(), func(m map[string]any) { m["token"] = ".." })
			return func() error { _, err := c.Invalidate(ctx, &cl, "user left"); return err }
		}},

		// Management API.
		{name: "users: no OAuth credentials", field: "oauth", bad: func(t *testing.T) func() error {
			noOAuth := w.newClient(t, w.emu.APIKey(), w.emu.Secret())
			return func() error { _, err := noOAuth.GetUser(ctx, "hostile-user"); return err }
		}},
		{name: "users: empty user_id", field: "user_id", bad: call(func() error { _, err := c.DeleteUser(ctx, ""); return err })},
		{name: "users: user_id with a path", field: "user_id", bad: call(func() error { _, err := c.GetUser(ctx, "a/../../b"); return err })},
		{name: "users: update with nothing to change", field: "update", bad: call(func() error {
			_, err := c.UpdateUser(ctx, "hostile-user", iproov.UserUpdate{})
			return err
		})},
		{name: "users: update to a malformed user_id", field: "new_user_id", bad: call(func() error {
			_, err := c.UpdateUser(ctx, "hostile-user", iproov.UserUpdate{NewUserID: "new id"})
			return err
		})},

		// Rules only iProov can judge.
		{name: "validate before the user's capture (vendor-side)", code: "invalid_token", status: 400, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("early"))
			return func() error { _, err := c.EnrolValidate(ctx, cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "verify token before the user was enrolled (vendor-side)", code: "no_user", status: 400, bad: call(func() error {
			_, err := c.VerifyToken(ctx, iproov.TokenRequest{UserID: "never-enrolled", Resource: "login"})
			return err
		})},
		{name: "enrol token for an enrolled user (vendor-side)", code: "already_enrolled", status: 400, bad: func(t *testing.T) func() error {
			user := fresh("enrolled")
			w.enrolled(t, user, "hostile-face")
			return func() error {
				_, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding"})
				return err
			}
		}},
		{name: "second validation from another client instance (vendor-side)", code: "invalid_token", status: 400, bad: func(t *testing.T) func() error {
			cl := tamper(t, *validated(t), func(m map[string]any) { delete(m, "used") })
			user, pass := w.emu.OAuthCredentials()
			other := w.newClient(t, w.emu.APIKey(), w.emu.Secret(), iproov.WithOAuth(user, pass))
			return func() error { _, err := other.EnrolValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate a claim whose user_id was changed in storage (vendor-side)", code: "invalid_validation", status: 400, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("swapped"))
			require.NoError(t, w.emu.CaptureFace(cl.Token, "hostile-face"))
			swapped := tamper(t, *cl, func(m map[string]any) { m["user_id"] = "someone-else" })
			return func() error { _, err := c.EnrolValidate(ctx, &swapped, iproov.ValidateOptions{}); return err }
		}},
		{name: "photo with a claim whose issue time was moved forward in storage (vendor-side)", code: "invalid_token", status: 400, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("late-photo"))
			w.clock.Advance(iproov.ClaimWindow + time.Second)
			moved := tamper(t, *cl, func(m map[string]any) { m["issued_at"] = w.clock.Now() })
			return func() error {
				_, err := c.EnrolImage(ctx, &moved, iproov.Photo{Image: png, Source: iproov.SourceOID})
				return err
			}
		}},
		{name: "wrong api key (vendor-side)", code: "invalid_key", status: 401, bad: func(t *testing.T) func() error {
			wrong := w.newClient(t, "wrongkey0000000000000000000000000000000", w.emu.Secret())
			return func() error { _, err := wrong.EnrolToken(ctx, ok); return err }
		}},
		{name: "wrong secret (vendor-side)", code: "invalid_key", status: 401, bad: func(t *testing.T) func() error {
			wrong := w.newClient(t, w.emu.APIKey(), "wrongsecret00000000000000000000000000000")
			return func() error { _, err := wrong.VerifyToken(ctx, ok); return err }
		}},
		{name: "wrong OAuth password (vendor-side)", code: "invalid_client", status: 400, bad: func(t *testing.T) func() error {
			user, _ := w.emu.OAuthCredentials()
			wrong := w.newClient(t, w.emu.APIKey(), w.emu.Secret(), iproov.WithOAuth(user, "wrong-oauth-password"))
			return func() error { _, err := wrong.GetUser(ctx, "hostile-user"); return err }
		}},
		{name: "user never enrolled (vendor-side)", code: "invalid_user_id", status: 400, bad: func(t *testing.T) func() error {
			user := fresh("managed")
			w.enrolled(t, user, "hostile-face")
			_, err := c.GetUser(ctx, user) // the access token is cached from here on
			require.NoError(t, err)
			return func() error { _, err := c.GetUser(ctx, "ghost-user"); return err }
		}},
	}
}

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
	front := verifik.Image(verifiksbx.DocumentPhoto(doc))
	selfie := verifik.Image(verifiksbx.Selfie("hostile-face"))
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
			w.clock.Advance(verifiksbx.DefaultOTPTTL + time.Second)
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
