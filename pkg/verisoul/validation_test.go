package verisoul_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

const goodID = "00022912-cbaa-4239-a3ec-51c32fcc0fc1"

// TestClientSideValidation: every documented rule the client can check fails with a
// *transport.ValidationError naming the field, before any network call, without quoting
// the rejected value.
func TestClientSideValidation(t *testing.T) {
	w := newWorld(t)
	prod, err := verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithBaseURL(w.srv.URL)) // production environment
	require.NoError(t, err)
	fm := verisoul.Session{ID: goodID, Product: verisoul.FaceMatch}
	idc := verisoul.Session{ID: goodID, Product: verisoul.IDCheck}
	bad := verisoul.Session{ID: "not-a-uuid-SECRET", Product: verisoul.FaceMatch}
	old := verisoul.Session{ID: goodID, Product: verisoul.FaceMatch, CreatedAt: t0.Add(-31 * 24 * time.Hour)}
	c := w.client

	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"new: empty api key", "api key", func() error { _, err := verisoul.New(" "); return err }},
		{"new: unknown environment", "environment", func() error {
			_, err := verisoul.New("k", verisoul.WithEnvironment("staging"))
			return err
		}},
		{"new: relative app url", "app url", func() error { _, err := verisoul.New("k", verisoul.WithAppURL("/app")); return err }},
		{"start: referring session id not a UUID", "referring session id", func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{ReferringSessionID: "abc-SECRET"})
			return err
		}},
		{"start: simulate longer than 256 bytes", "simulate", func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{Simulate: verisoul.Simulate(strings.Repeat("x", 257))})
			return err
		}},
		{"start: simulate not UTF-8", "simulate", func() error {
			_, err := c.StartSession(ctx, verisoul.SessionOptions{Simulate: "\xff"})
			return err
		}},
		{"start: simulate in production", "simulate", func() error {
			_, err := prod.StartSession(ctx, verisoul.SessionOptions{Simulate: verisoul.SimulateSuccess})
			return err
		}},
		{"start id check: referring session id not a UUID", "referring session id", func() error {
			_, err := c.StartIDCheckSession(ctx, verisoul.SessionOptions{ReferringSessionID: "x"})
			return err
		}},
		{"capture url: session id not a UUID", "session id", func() error { _, err := c.CaptureURL(bad, verisoul.CaptureOptions{}); return err }},
		{"capture url: relative redirect", "redirect url", func() error {
			_, err := c.CaptureURL(fm, verisoul.CaptureOptions{RedirectURL: "/done"})
			return err
		}},
		{"capture url: non-http redirect", "redirect url", func() error {
			_, err := c.CaptureURL(fm, verisoul.CaptureOptions{RedirectURL: "javascript:alert(1)"})
			return err
		}},
		{"capture url: bad language", "language", func() error {
			_, err := c.CaptureURL(fm, verisoul.CaptureOptions{Language: "en_<script>"})
			return err
		}},
		{"verify-face: session id not a UUID", "session id", func() error { _, err := c.VerifyFace(ctx, bad); return err }},
		{"verify-face: ID Check session", "session", func() error { _, err := c.VerifyFace(ctx, idc); return err }},
		{"verify-id: Face Match session", "session", func() error { _, err := c.VerifyID(ctx, fm); return err }},
		{"verify-uniqueness: session id not a UUID", "session id", func() error { _, err := c.VerifyUniqueness(ctx, bad); return err }},
		{"verify-uniqueness: ID Check session", "session", func() error { _, err := c.VerifyUniqueness(ctx, idc); return err }},
		{"verify-document: session id not a UUID", "session id", func() error { _, err := c.VerifyDocument(ctx, bad); return err }},
		{"verify-document: Face Match session", "session", func() error { _, err := c.VerifyDocument(ctx, fm); return err }},
		{"verify-identity: empty account", "account id", func() error { _, err := c.VerifyIdentity(ctx, fm, ""); return err }},
		{"verify-identity: ID Check session", "session", func() error { _, err := c.VerifyIdentity(ctx, idc, "a"); return err }},
		{"verify-identity: session id not a UUID", "session id", func() error { _, err := c.VerifyIdentity(ctx, bad, "a"); return err }},
		{"enroll: empty account", "account id", func() error { _, err := c.Enroll(ctx, fm, ""); return err }},
		{"enroll: blank account", "account id", func() error { _, err := c.Enroll(ctx, fm, " \t"); return err }},
		{"enroll: session id not a UUID", "session id", func() error { _, err := c.Enroll(ctx, bad, "a"); return err }},
		{"enroll: braced UUID", "session id", func() error {
			_, err := c.Enroll(ctx, verisoul.Session{ID: "{" + goodID + "}"}, "a")
			return err
		}},
		{"enroll: older than 30 days", "session", func() error { _, err := c.Enroll(ctx, old, "a"); return err }},
		{"uniqueness: ID Check session", "session", func() error { _, err := c.CheckUniqueness(ctx, idc, "a", nil); return err }},
		{"uniqueness: empty account, checked before verify-face", "account id", func() error {
			_, err := c.CheckUniqueness(ctx, fm, "", nil)
			return err
		}},
		{"id check: Face Match session", "session", func() error { _, err := c.CheckID(ctx, fm, "a", nil); return err }},
		{"id check: empty account, checked before verify-id", "account id", func() error { _, err := c.CheckID(ctx, idc, "", nil); return err }},
		{"public redirect: project id not a UUID", "project id", func() error {
			_, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: "proj"})
			return err
		}},
		{"public redirect: referring id not a UUID", "referring session id", func() error {
			_, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: verisoultest.DefaultProjectID, ReferringSessionID: "r"})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.calls.Load()
			err := tc.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, transport.ErrValidation)
			var ve *transport.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, "verisoul", ve.Vendor)
			assert.NotContains(t, err.Error(), "SECRET", "the rejected value is not quoted")
			assert.Equal(t, before, w.calls.Load(), "no network call")
		})
	}
}

func TestParseRedirect(t *testing.T) {
	cases := []struct {
		name    string
		query   string
		want    verisoul.RedirectOutcome
		invalid string // field of the expected validation error
	}{
		{"success", "session_id=" + goodID + "&success=true", verisoul.RedirectOutcome{SessionID: goodID, Success: true}, ""},
		{"your own query kept", "state=abc&session_id=" + goodID + "&success=true", verisoul.RedirectOutcome{SessionID: goodID, Success: true}, ""},
		{"liveness failed", "session_id=" + goodID + "&success=false&error_message=liveness_check_failed",
			verisoul.RedirectOutcome{SessionID: goodID, ErrorMessage: verisoul.CaptureLivenessFailed}, ""},
		{"no session given to the page", "success=false&error_message=session_id_not_found",
			verisoul.RedirectOutcome{ErrorMessage: verisoul.CaptureSessionIDNotFound}, ""},
		{"unknown error message is still a failure", "session_id=" + goodID + "&success=false&error_message=new_thing",
			verisoul.RedirectOutcome{SessionID: goodID, ErrorMessage: "new_thing"}, ""},
		{"missing success", "session_id=" + goodID, verisoul.RedirectOutcome{}, "success"},
		{"success not boolean", "session_id=" + goodID + "&success=yes", verisoul.RedirectOutcome{}, "success"},
		{"bad session id", "session_id=123&success=false", verisoul.RedirectOutcome{}, "session_id"},
		{"success without session", "success=true", verisoul.RedirectOutcome{}, "session_id"},
		{"success with an error", "session_id=" + goodID + "&success=true&error_message=liveness_check_failed", verisoul.RedirectOutcome{}, "error_message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := url.Parse("https://app.example.test/done?" + c.query)
			require.NoError(t, err)
			got, err := verisoul.ParseRedirect(u)
			if c.invalid != "" {
				var ve *transport.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, c.invalid, ve.Field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.Equal(t, !c.want.Success, got.NeedsNewSession())
		})
	}
	_, err := verisoul.ParseRedirect(nil)
	assert.ErrorIs(t, err, transport.ErrValidation)
	assert.True(t, verisoul.CaptureIDScan.Known())
	assert.False(t, verisoul.CaptureError("new_thing").Known())
}

func TestCaptureURL(t *testing.T) {
	cases := []struct {
		name string
		env  verisoul.Environment
		app  string
		opts verisoul.CaptureOptions
		want string
	}{
		{"sandbox defaults", verisoul.Sandbox, "", verisoul.CaptureOptions{},
			"https://app.sandbox.verisoul.ai/?session_id=" + goodID},
		{"production with redirect and language", verisoul.Production, "", verisoul.CaptureOptions{RedirectURL: "https://example.test/done?x=1", Language: "pt-BR"},
			"https://app.prod.verisoul.ai/?lng=pt-BR&redirect_url=https%3A%2F%2Fexample.test%2Fdone%3Fx%3D1&session_id=" + goodID},
		{"own app url", verisoul.Sandbox, "http://127.0.0.1:9/_sandbox/verisoul/app", verisoul.CaptureOptions{Language: "es"},
			"http://127.0.0.1:9/_sandbox/verisoul/app?lng=es&session_id=" + goodID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []verisoul.Option{verisoul.WithEnvironment(c.env)}
			if c.app != "" {
				opts = append(opts, verisoul.WithAppURL(c.app))
			}
			client, err := verisoul.New("key", opts...)
			require.NoError(t, err)
			got, err := client.CaptureURL(verisoul.Session{ID: goodID}, c.opts)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestEnvironmentURLs(t *testing.T) {
	assert.Equal(t, "https://api.sandbox.verisoul.ai", verisoul.Sandbox.APIURL())
	assert.Equal(t, "https://api.prod.verisoul.ai", verisoul.Production.APIURL())
	assert.Equal(t, "https://app.prod.verisoul.ai/", verisoul.Production.AppURL())
	c, err := verisoul.New("k")
	require.NoError(t, err)
	assert.Equal(t, verisoul.Production, c.Environment())
}
