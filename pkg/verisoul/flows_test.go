package verisoul_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// TestUniquenessJourneys: 1:N sign-up through the hosted page, verify-face, policy, enrol.
func TestUniquenessJourneys(t *testing.T) {
	cases := []struct {
		name      string
		enrolled  map[string]string // account → face already enrolled
		face      string
		policy    verisoul.Policy
		enrol     bool
		reasons   []string
		linked    []string
		decision  verisoul.Decision
		flagsWant []verisoul.RiskFlag
	}{
		{name: "unique user enrolled", face: "alice", enrol: true, decision: verisoul.Real},
		{name: "unique among others", enrolled: map[string]string{"acct-bob": "bob"}, face: "alice", enrol: true, decision: verisoul.Real},
		{
			name: "returning user flagged with the linked account", enrolled: map[string]string{"acct-first": "alice"},
			face: "alice", enrol: false, decision: verisoul.Fake, linked: []string{"acct-first"},
			flagsWant: []verisoul.RiskFlag{verisoul.FlagRepeatFace},
			reasons: []string{"decision Fake is not accepted", "risk score 0.80 is above 0.50",
				"risk flag repeat_face", "linked to enrolled account(s) acct-first"},
		},
		{
			name: "caller's own policy may accept a returning user", enrolled: map[string]string{"acct-first": "alice"},
			face: "alice", enrol: true, decision: verisoul.Fake, linked: []string{"acct-first"},
			flagsWant: []verisoul.RiskFlag{verisoul.FlagRepeatFace},
			policy:    verisoul.PolicyFunc(func(*verisoul.Verification) verisoul.Verdict { return verisoul.Verdict{Accept: true} }),
		},
		{
			name: "zero Rules: Real only, no linked account", enrolled: map[string]string{"acct-first": "alice"},
			face: "alice", enrol: false, decision: verisoul.Fake, linked: []string{"acct-first"}, policy: verisoul.Rules{},
			flagsWant: []verisoul.RiskFlag{verisoul.FlagRepeatFace},
			reasons:   []string{"decision Fake is not accepted", "linked to enrolled account(s) acct-first"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			for acct, face := range c.enrolled {
				require.True(t, w.signUp(t, face, acct).Enrolled())
			}
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			resp := w.capture(t, s, "face="+c.face)
			back, err := url.Parse(resp.Header.Get("Location"))
			require.NoError(t, err)
			o, err := verisoul.ParseRedirect(back)
			require.NoError(t, err)
			require.True(t, o.Success)
			require.Equal(t, s.ID, o.SessionID)

			out, err := w.client.CheckUniqueness(ctx, s, "acct-new", c.policy)
			require.NoError(t, err)
			assert.Equal(t, c.enrol, out.Enrolled())
			assert.Equal(t, c.enrol, out.Verdict.Accept)
			assert.Equal(t, c.reasons, out.Verdict.Reasons)
			assert.Equal(t, c.decision, out.Verification.Decision)
			for _, f := range c.flagsWant {
				assert.True(t, out.Verification.HasFlag(f), f)
			}
			var linked []string
			for _, l := range out.Verification.LinkedAccounts {
				linked = append(linked, l.AccountID)
				assert.True(t, l.Has(verisoul.MatchFace))
			}
			assert.Equal(t, c.linked, linked)

			var enrolled []string
			for _, e := range w.emu.Enrollments() {
				if e.SessionID == s.ID {
					enrolled = append(enrolled, e.AccountID)
				}
			}
			if c.enrol {
				assert.Equal(t, []string{"acct-new"}, enrolled)
				assert.Equal(t, s.ID, out.Enrollment.SessionID)
				assert.NotEmpty(t, out.Enrollment.RequestID)
			} else {
				assert.Empty(t, enrolled, "a refused sign-up must not be enrolled")
				assert.Nil(t, out.Enrollment)
			}
		})
	}
}

// TestAuthenticationJourneys: enrol at sign-up, later 1:1 verify-identity.
func TestAuthenticationJourneys(t *testing.T) {
	cases := []struct {
		name    string
		account string
		capture verisoultest.Capture
		outcome verisoul.IdentityOutcome
		code    verisoul.ErrorCode
	}{
		{"same person", "acct-alice", verisoultest.Capture{Face: sandbox.FaceImage("alice")}, verisoul.SamePerson, ""},
		{"different person", "acct-alice", verisoultest.Capture{Face: sandbox.FaceImage("mallory")}, verisoul.DifferentPerson, ""},
		{"not completed", "acct-alice", verisoultest.Capture{Face: sandbox.FaceImage("alice"), Incomparable: true}, verisoul.NotCompleted, ""},
		{"unknown account", "acct-nobody", verisoultest.Capture{Face: sandbox.FaceImage("alice")}, "", verisoul.CodeAccountNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			// Sign-up: enrol alice.
			signup, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			require.NoError(t, w.emu.CompleteAs(signup.ID, "alice"))
			_, err = w.client.Enroll(ctx, signup, "acct-alice")
			require.NoError(t, err)

			// Later: a new session for the sensitive action.
			w.clock.Advance(40 * 24 * time.Hour) // long after sign-up: 1:1 has no window
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			require.NoError(t, w.emu.Complete(s.ID, c.capture))
			res, err := w.client.VerifyIdentity(ctx, s, c.account)
			if c.code != "" {
				require.Error(t, err)
				assert.Equal(t, c.code, verisoul.CodeOf(err))
				var apiErr *transport.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 400, apiErr.StatusCode)
				assert.Equal(t, "verifyIdentityFaceMatch", apiErr.Operation)
				assert.ErrorIs(t, err, transport.ErrInvalidRequest)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.outcome, res.Outcome)
			assert.Equal(t, c.outcome == verisoul.SamePerson, res.Matched())
			assert.NotEmpty(t, res.RequestID)
		})
	}
}

// TestIDCheckJourneys: ID Check session, verify-id, document policy, enrol.
func TestIDCheckJourneys(t *testing.T) {
	cases := []struct {
		name     string
		document string // the hosted page stand-in's document choice
		enrol    bool
		reason   string
	}{
		{"valid document enrolled", "valid", true, ""},
		{"fake document rejected", "fake", false, "document validity likely_fake_id"},
		{"expired document rejected", "expired", false, "document expired"},
		{"minor rejected", "minor", false, "holder is under 18"},
		{"someone else's document rejected", "other_face", false, "face-to-document match score 0.12 is below 0.80"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			s, err := w.client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			assert.Equal(t, verisoul.IDCheck, s.Product)
			w.capture(t, s, "face=alice&document="+c.document)

			out, err := w.client.CheckID(ctx, s, "acct-alice", nil)
			require.NoError(t, err)
			assert.Equal(t, c.enrol, out.Enrolled(), "%v", out.Verdict)
			if c.reason != "" {
				assert.Contains(t, out.Verdict.Reasons, c.reason)
			}
			doc := out.Verification.Document
			require.NotNil(t, doc)
			assert.Equal(t, "driver_license", doc.Data.TemplateType)
			assert.Equal(t, "Alice", doc.Data.FirstName)
			assert.False(t, doc.Data.DateOfBirth.IsZero(), "MM/DD/YYYY parsed")
			assert.Equal(t, c.enrol, len(w.emu.Enrollments()) == 1)
		})
	}
	t.Run("repeat document on a new sign-up", func(t *testing.T) {
		w := newWorld(t)
		first, err := w.client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		doc := w.emu.DocumentFor("alice")
		require.NoError(t, w.emu.CompleteWithDocument(first.ID, "alice", doc))
		out, err := w.client.CheckID(ctx, first, "acct-1", nil)
		require.NoError(t, err)
		require.True(t, out.Enrolled())

		second, err := w.client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		doc.Face = "eve"
		require.NoError(t, w.emu.CompleteWithDocument(second.ID, "eve", doc))
		out, err = w.client.CheckID(ctx, second, "acct-2", nil)
		require.NoError(t, err)
		assert.False(t, out.Enrolled())
		assert.True(t, out.Verification.HasFlag(verisoul.FlagRepeatID))
		assert.Contains(t, out.Verdict.Reasons, "linked to enrolled account(s) acct-1")
	})
}

// TestEnrollWindow: the 30-day rule, client-side when the session's age is known and by
// Verisoul when it is not.
func TestEnrollWindow(t *testing.T) {
	cases := []struct {
		name        string
		after       time.Duration
		forgetAge   bool
		clientSide  bool
		serverCode  verisoul.ErrorCode
		wantEnrolls bool
	}{
		{"within 30 days", 29 * 24 * time.Hour, false, false, "", true},
		{"exactly 30 days", 30 * 24 * time.Hour, false, false, "", true},
		{"after 30 days, age known: refused before any call", 31 * 24 * time.Hour, false, true, "", false},
		{"after 30 days, age unknown: refused by Verisoul", 31 * 24 * time.Hour, true, false, verisoul.CodeSessionOlderThan30Days, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			assert.Equal(t, t0, s.CreatedAt)
			require.NoError(t, w.emu.CompleteAs(s.ID, "alice"))
			w.clock.Advance(c.after)
			if c.forgetAge {
				s = verisoul.Session{ID: s.ID, Product: verisoul.FaceMatch} // e.g. rebuilt from the redirect
			}
			before := w.calls.Load()
			_, err = w.client.Enroll(ctx, s, "acct-1")
			switch {
			case c.clientSide:
				require.ErrorIs(t, err, transport.ErrValidation)
				assert.Contains(t, err.Error(), "30 days")
				assert.Equal(t, before, w.calls.Load(), "no network call")
			case c.serverCode != "":
				assert.Equal(t, c.serverCode, verisoul.CodeOf(err))
				assert.True(t, verisoul.NeedsNewSession(err))
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, c.wantEnrolls, len(w.emu.Enrollments()) == 1)
		})
	}
}

// TestVendorErrors: each documented situation surfaces as *transport.APIError with the
// vendor's code.
func TestVendorErrors(t *testing.T) {
	cases := []struct {
		name     string
		run      func(t *testing.T, w *world) error
		code     verisoul.ErrorCode
		newSess  bool
		sentinel error
	}{
		{"verify before the user started", func(t *testing.T, w *world) error {
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			_, err = w.client.VerifyFace(ctx, s)
			return err
		}, verisoul.CodeSessionNotStarted, false, transport.ErrInvalidRequest},
		{"liveness failed", func(t *testing.T, w *world) error {
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			require.NoError(t, w.emu.Fail(s.ID, verisoultest.FailLiveness))
			_, err = w.client.CheckUniqueness(ctx, s, "acct", nil)
			return err
		}, verisoul.CodeLivenessCheckFailed, true, transport.ErrInvalidRequest},
		{"ID scan not done", func(t *testing.T, w *world) error {
			s, err := w.client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			require.NoError(t, w.emu.CompleteAs(s.ID, "alice"))
			_, err = w.client.VerifyID(ctx, s)
			return err
		}, verisoul.CodeIDScanNotComplete, false, transport.ErrInvalidRequest},
		{"session enrolled twice", func(t *testing.T, w *world) error {
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			require.NoError(t, err)
			require.NoError(t, w.emu.CompleteAs(s.ID, "alice"))
			_, err = w.client.Enroll(ctx, s, "acct-1")
			require.NoError(t, err)
			_, err = w.client.Enroll(ctx, s, "acct-2")
			return err
		}, verisoul.CodeSessionAlreadyTied, false, transport.ErrInvalidRequest},
		{"groups enabled", func(t *testing.T, w *world) error {
			_, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			return err
		}, verisoul.CodeGroupsEnabled, false, transport.ErrInvalidRequest},
		{"rate limited", func(t *testing.T, w *world) error {
			var err error
			for i := 0; i <= verisoultest.DefaultRateLimit && err == nil; i++ {
				_, err = w.client.StartSession(ctx, verisoul.SessionOptions{})
			}
			return err
		}, "", false, transport.ErrRateLimited},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []verisoultest.Option
			if c.code == verisoul.CodeGroupsEnabled {
				opts = append(opts, verisoultest.WithGroupsEnabled())
			}
			w := newWorld(t, opts...)
			err := c.run(t, w)
			require.Error(t, err)
			var apiErr *transport.APIError
			require.True(t, errors.As(err, &apiErr), "%T %v", err, err)
			assert.Equal(t, "verisoul", apiErr.Vendor)
			assert.Equal(t, c.code, verisoul.CodeOf(err))
			assert.Equal(t, c.newSess, verisoul.NeedsNewSession(err))
			assert.ErrorIs(t, err, c.sentinel)
		})
	}
}

func TestWrongKeyIsUnauthorized(t *testing.T) {
	w := newWorld(t)
	c, err := verisoul.New("wrong-key", verisoul.WithBaseURL(w.srv.URL))
	require.NoError(t, err)
	_, err = c.StartSession(ctx, verisoul.SessionOptions{})
	assert.ErrorIs(t, err, transport.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-key")
}

func TestSimulateInSandbox(t *testing.T) {
	w := newWorld(t)
	s, err := w.client.StartIDCheckSession(ctx, verisoul.SessionOptions{Simulate: verisoul.SimulateSuccess})
	require.NoError(t, err)
	out, err := w.client.CheckID(ctx, s, "acct-sim", nil)
	require.NoError(t, err)
	assert.True(t, out.Enrolled(), "%v", out.Verdict)

	s, err = w.client.StartSession(ctx, verisoul.SessionOptions{Simulate: verisoul.SimulateLivenessFailed})
	require.NoError(t, err)
	_, err = w.client.VerifyFace(ctx, s)
	assert.Equal(t, verisoul.CodeLivenessCheckFailed, verisoul.CodeOf(err))
}

func TestPublicRedirect(t *testing.T) {
	w := newWorld(t)
	for _, idCheck := range []bool{false, true} {
		link, err := w.client.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: verisoultest.DefaultProjectID, IDCheck: idCheck})
		require.NoError(t, err)
		assert.Contains(t, link.Location, verisoultest.AppPath)
		want := verisoul.FaceMatch
		if idCheck {
			want = verisoul.IDCheck
		}
		assert.Equal(t, want, link.Session.Product)
		info, ok := w.emu.Session(link.Session.ID)
		require.True(t, ok)
		assert.Equal(t, string(want), string(info.Product))
	}
	_, err := w.client.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: "3f0e9a4c-0000-4000-8000-00000000abcd"})
	assert.Equal(t, verisoul.CodeMissingProjectID, verisoul.CodeOf(err))
}

// TestConcurrentSignUps: many sign-ups at once; the emulator records exactly what the
// clients report.
func TestConcurrentSignUps(t *testing.T) {
	w := newWorld(t)
	const n = 24
	type res struct {
		account  string
		enrolled bool
		err      error
	}
	results := make(chan res, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			face := fmt.Sprintf("person-%d", i%(n/2)) // every face signs up twice
			account := fmt.Sprintf("acct-%d", i)
			s, err := w.client.StartSession(ctx, verisoul.SessionOptions{})
			if err == nil {
				err = w.emu.CompleteAs(s.ID, face)
			}
			var out *verisoul.Outcome
			if err == nil {
				out, err = w.client.CheckUniqueness(ctx, s, account, nil)
			}
			results <- res{account: account, enrolled: err == nil && out.Enrolled(), err: err}
		}(i)
	}
	reported := map[string]bool{}
	for i := 0; i < n; i++ {
		r := <-results
		require.NoError(t, r.err)
		if r.enrolled {
			reported[r.account] = true
		}
	}
	recorded := map[string]bool{}
	for _, e := range w.emu.Enrollments() {
		recorded[e.AccountID] = true
	}
	assert.Equal(t, reported, recorded)
	assert.GreaterOrEqual(t, len(recorded), n/2, "at least the first of each face")
}
