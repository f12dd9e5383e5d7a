package verisoultest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// TestErrorCodes puts every documented 400 code of the keyed operations in its situation.
func TestErrorCodes(t *testing.T) {
	type op int
	const (
		enroll op = iota
		verifyFace
		verifyID
		verifyIdentity
	)
	cases := []struct {
		name  string
		op    op
		setup func(e *env) string // returns the session id to call with
		code  string
	}{
		{"unknown session", verifyFace, func(e *env) string { return uuid.NewString() }, "session_not_found"},
		{"user never opened the page", verifyFace, func(e *env) string { return e.faceMatchSession() }, "session_not_started"},
		{"user opened the page, did not finish", verifyFace, func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.Start(id))
			return id
		}, "session_not_complete"},
		{"Face Match session on verify-id", verifyID, func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "alice"))
			return id
		}, "session_not_valid_for_this_endpoint"},
		{"ID Check session on verify-face", verifyFace, func(e *env) string {
			id := e.idCheckSession()
			require.NoError(t, e.emu.CompleteWithDocument(id, "alice", e.emu.DocumentFor("alice")))
			return id
		}, "session_not_valid_for_this_endpoint"},
		{"ID Check session on verify-identity", verifyIdentity, func(e *env) string {
			e.enrolled("alice", "acct-1")
			id := e.idCheckSession()
			require.NoError(t, e.emu.CompleteWithDocument(id, "alice", e.emu.DocumentFor("alice")))
			return id
		}, "session_not_valid_for_this_endpoint"},
		{"liveness failed", verifyFace, func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.Fail(id, verisoultest.FailLiveness))
			return id
		}, "liveness_check_failed"},
		{"face scan not finished", enroll, func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.Fail(id, verisoultest.FailFaceScan))
			return id
		}, "session_not_complete"},
		{"ID scan not done", verifyID, func(e *env) string {
			id := e.idCheckSession()
			require.NoError(t, e.emu.CompleteAs(id, "alice"))
			return id
		}, "id_scan_not_complete"},
		{"ID scan failed", verifyID, func(e *env) string {
			id := e.idCheckSession()
			require.NoError(t, e.emu.Fail(id, verisoultest.FailIDScan))
			return id
		}, "id_scan_failed"},
		{"unreadable document fails the ID scan", enroll, func(e *env) string {
			id := e.idCheckSession()
			require.NoError(t, e.emu.Complete(id, verisoultest.Capture{Face: sandbox.FaceImage("alice"), Document: sandbox.FaceImage("not-a-document")}))
			return id
		}, "id_scan_failed"},
		{"already tied to an account", enroll, func(e *env) string { return e.enrolled("alice", "acct-0") }, "session_already_tied_to_an_account"},
		{"older than 30 days", enroll, func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "alice"))
			e.clock.Advance(verisoultest.EnrollWindow + time.Second)
			return id
		}, "session_older_than_30_days"},
		{"account not enrolled", verifyIdentity, func(e *env) string {
			id := e.faceMatchSession()
			require.NoError(t, e.emu.CompleteAs(id, "alice"))
			return id
		}, "account_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			id := c.setup(e)
			var code string
			switch c.op {
			case enroll:
				res := e.enroll(id, "acct-1")
				require.NotNil(t, res.JSON400, "%d %s", res.StatusCode(), res.Body)
				code = string(deref(res.JSON400.Error))
			case verifyFace:
				res := e.verifyFace(id)
				require.NotNil(t, res.JSON400, "%d %s", res.StatusCode(), res.Body)
				code = string(deref(res.JSON400.Error))
			case verifyID:
				res := e.verifyID(id)
				require.NotNil(t, res.JSON400, "%d %s", res.StatusCode(), res.Body)
				code = string(deref(res.JSON400.Error))
			case verifyIdentity:
				res := e.verifyIdentity(id, "acct-1")
				require.NotNil(t, res.JSON400, "%d %s", res.StatusCode(), res.Body)
				code = string(deref(res.JSON400.Error))
			}
			assert.Equal(t, c.code, code)
			spec := fmSpec
			if c.op == verifyID {
				spec = idcSpec
			}
			e.checkLast(spec)
		})
	}
}

func TestEnrollWindowBoundary(t *testing.T) {
	e := newEnv(t)
	id := e.faceMatchSession()
	require.NoError(t, e.emu.CompleteAs(id, "alice"))
	e.clock.Advance(verisoultest.EnrollWindow) // exactly 30 days: still inside
	res := e.enroll(id, "acct-1")
	require.NotNil(t, res.JSON200, "%s", res.Body)
	assert.True(t, res.JSON200.Success)
}

// TestRepeatFacesAndDocuments: enrolled faces and documents come back as matches and
// flags on later sessions of the same project.
func TestRepeatFacesAndDocuments(t *testing.T) {
	e := newEnv(t)
	e.enrolled("alice", "acct-alice")
	e.enrolled("bob", "acct-bob")

	t.Run("new face is unique", func(t *testing.T) {
		id := e.faceMatchSession()
		require.NoError(t, e.emu.CompleteAs(id, "carol"))
		res := e.verifyFace(id)
		require.NotNil(t, res.JSON200)
		e.checkLast(fmSpec)
		assert.Equal(t, facematch.Real, *res.JSON200.Decision)
		assert.Empty(t, *res.JSON200.RiskFlags)
		assert.Equal(t, 0, *res.JSON200.Matches.NumAccountsLinked)
	})
	t.Run("returning face links the account", func(t *testing.T) {
		id := e.faceMatchSession()
		require.NoError(t, e.emu.CompleteAs(id, "alice"))
		res := e.verifyFace(id)
		require.NotNil(t, res.JSON200)
		e.checkLast(fmSpec)
		assert.Equal(t, facematch.Fake, *res.JSON200.Decision)
		assert.Equal(t, []facematch.RiskFlag{"repeat_face"}, *res.JSON200.RiskFlags)
		require.Equal(t, 1, *res.JSON200.Matches.NumAccountsLinked)
		linked := (*res.JSON200.Matches.AccountsLinked)[0]
		assert.Equal(t, "acct-alice", *linked.AccountId)
		assert.Equal(t, []facematch.MatchType{"face", "ip_address"}, *linked.MatchTypes)
		assert.InDelta(t, 0.8, *res.JSON200.RiskScore, 1e-6)
	})
	t.Run("same network only", func(t *testing.T) {
		id := e.faceMatchSession()
		require.NoError(t, e.emu.Complete(id, verisoultest.Capture{Face: sandbox.FaceImage("dave"), IPAddress: "203.0.113.7"}))
		other := e.faceMatchSession()
		require.NoError(t, e.emu.Complete(other, verisoultest.Capture{Face: sandbox.FaceImage("erin"), IPAddress: "203.0.113.7"}))
		require.NotNil(t, e.enroll(other, "acct-erin").JSON200)
		res := e.verifyFace(id)
		require.NotNil(t, res.JSON200)
		assert.Equal(t, facematch.Real, *res.JSON200.Decision, "an IP link alone raises no flag")
		require.Equal(t, 1, *res.JSON200.Matches.NumAccountsLinked)
		assert.Equal(t, []facematch.MatchType{"ip_address"}, *(*res.JSON200.Matches.AccountsLinked)[0].MatchTypes)
	})
	t.Run("repeat document under another face", func(t *testing.T) {
		first := e.idCheckSession()
		doc := e.emu.DocumentFor("frank")
		require.NoError(t, e.emu.CompleteWithDocument(first, "frank", doc))
		require.NotNil(t, e.enroll(first, "acct-frank").JSON200)

		second := e.idCheckSession()
		forged := doc
		forged.Face = "grace"
		require.NoError(t, e.emu.CompleteWithDocument(second, "grace", forged))
		res := e.verifyID(second)
		require.NotNil(t, res.JSON200, "%s", res.Body)
		e.checkLast(idcSpec)
		assert.Equal(t, idcheck.Fake, *res.JSON200.Decision)
		assert.Contains(t, *res.JSON200.RiskFlags, idcheck.RiskFlag("repeat_id"))
		assert.NotContains(t, *res.JSON200.RiskFlags, idcheck.RiskFlag("repeat_face"))
		linked := (*res.JSON200.Matches.AccountsLinked)[0]
		assert.Equal(t, "acct-frank", *linked.AccountId)
		assert.Equal(t, []idcheck.MatchType{"document_number", "document_name"}, *linked.MatchTypes)
	})
	t.Run("a session's own account is not a match", func(t *testing.T) {
		id := e.enrolled("heidi", "acct-heidi")
		res := e.verifyFace(id)
		require.NotNil(t, res.JSON200)
		assert.Equal(t, 0, *res.JSON200.Matches.NumAccountsLinked)
		assert.Equal(t, "acct-heidi", *res.JSON200.Metadata.AccountId)
	})
}

func TestDocumentSignals(t *testing.T) {
	cases := []struct {
		name     string
		doc      func(e *env) sandbox.Document
		decision idcheck.Decision
		flags    []idcheck.RiskFlag
		validity idcheck.IDValidity
	}{
		{"valid", func(e *env) sandbox.Document { return e.emu.DocumentFor("ivan") }, idcheck.Real, []idcheck.RiskFlag{}, idcheck.IDValidityLikelyAuthenticId},
		{"fake", func(e *env) sandbox.Document {
			d := e.emu.DocumentFor("ivan")
			d.Fake = true
			return d
		}, idcheck.Fake, []idcheck.RiskFlag{"likely_fake_id"}, idcheck.IDValidityLikelyFakeId},
		{"expired", func(e *env) sandbox.Document {
			d := e.emu.DocumentFor("ivan")
			d.Expiry = "2025-01-01"
			return d
		}, idcheck.Suspicious, []idcheck.RiskFlag{"id_expired"}, idcheck.IDValidityLikelyAuthenticId},
		{"minor", func(e *env) sandbox.Document {
			d := e.emu.DocumentFor("ivan")
			d.DateOfBirth = "2012-06-01"
			return d
		}, idcheck.Suspicious, []idcheck.RiskFlag{"id_age_below_16"}, idcheck.IDValidityLikelyAuthenticId},
		{"someone else's face", func(e *env) sandbox.Document {
			d := e.emu.DocumentFor("ivan")
			d.Face = "judy"
			return d
		}, idcheck.Suspicious, []idcheck.RiskFlag{"low_id_face_match_score"}, idcheck.IDValidityLikelyAuthenticId},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.idCheckSession()
			require.NoError(t, e.emu.CompleteWithDocument(id, "ivan", c.doc(e)))
			res := e.verifyID(id)
			require.NotNil(t, res.JSON200, "%s", res.Body)
			e.checkLast(idcSpec)
			r := res.JSON200
			assert.Equal(t, c.decision, *r.Decision)
			assert.Equal(t, c.flags, *r.RiskFlags)
			assert.Equal(t, c.validity, *r.DocumentSignals.IdValidity)
			assert.Equal(t, idcheck.TemplateTypeDriverLicense, *r.DocumentData.TemplateInfo.TemplateType)
			assert.Regexp(t, `^\d\d/\d\d/\d{4}$`, *r.DocumentData.UserData.DateOfBirth, "newest vendor date format")
			assert.NotNil(t, r.PhotoUrls.IdScanFront)
		})
	}
}

func TestVerifyIdentity(t *testing.T) {
	cases := []struct {
		name           string
		capture        verisoultest.Capture
		success, match bool
	}{
		{"same person", verisoultest.Capture{Face: sandbox.FaceImage("alice")}, true, true},
		{"same person, other image format", verisoultest.Capture{Face: sandbox.FaceJPEG("alice")}, true, true},
		{"different person", verisoultest.Capture{Face: sandbox.FaceImage("mallory")}, true, false},
		{"not completed", verisoultest.Capture{Face: sandbox.FaceImage("alice"), Incomparable: true}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.enrolled("alice", "acct-alice")
			id := e.faceMatchSession()
			require.NoError(t, e.emu.Complete(id, c.capture))
			res := e.verifyIdentity(id, "acct-alice")
			require.NotNil(t, res.JSON200, "%s", res.Body)
			e.checkLast(fmSpec)
			assert.Equal(t, c.success, *res.JSON200.Success)
			assert.Equal(t, c.match, *res.JSON200.Match)
		})
	}
}

// TestSimulate: Verisoul's own sandbox switch settles the session without a user.
func TestSimulate(t *testing.T) {
	cases := []struct {
		simulate string
		idCheck  bool
		code     string // "" = verify succeeds
	}{
		{verisoultest.Success, false, ""},
		{verisoultest.Success, true, ""},
		{verisoultest.FailLiveness, false, "liveness_check_failed"},
		{verisoultest.FailIDScan, true, "id_scan_failed"},
		{verisoultest.FailFaceScan, false, "session_not_complete"},
		{verisoultest.FailDeviceData, true, "session_not_complete"},
		{verisoultest.FailCameraPermission, false, "session_not_started"},
		{verisoultest.FailInvalidSessionID, false, "session_not_started"},
		{verisoultest.FailSessionIDNotFound, true, "session_not_started"},
		// The vendor types simulate as a plain string: an undocumented value creates a
		// session that waits for the hosted page, as one without simulate.
		{"an_undocumented_outcome", false, "session_not_started"},
		{"an_undocumented_outcome", true, "session_not_started"},
	}
	for _, c := range cases {
		name := c.simulate + map[bool]string{true: "/id_check", false: "/face_match"}[c.idCheck]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			sim := facematch.Simulate(c.simulate)
			var code string
			var ok bool
			if c.idCheck {
				s, err := e.idc.CreateIDCheckSessionWithResponse(ctx, &idcheck.CreateIDCheckSessionParams{Id: true, Simulate: (*idcheck.Simulate)(&sim)})
				require.NoError(t, err)
				res := e.verifyID(s.JSON200.SessionId.String())
				e.checkLast(idcSpec)
				if ok = res.JSON200 != nil; !ok {
					code = string(deref(res.JSON400.Error))
				} else {
					assert.NotNil(t, res.JSON200.DocumentSignals)
				}
			} else {
				s, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{Simulate: &sim})
				require.NoError(t, err)
				res := e.verifyFace(s.JSON200.SessionId.String())
				e.checkLast(fmSpec)
				if ok = res.JSON200 != nil; !ok {
					code = string(deref(res.JSON400.Error))
				}
			}
			assert.Equal(t, c.code == "", ok)
			assert.Equal(t, c.code, code)
		})
	}
	t.Run("simulated successes are distinct people", func(t *testing.T) {
		e := newEnv(t)
		sim := verisoultest.Success
		for i, acct := range []string{"a", "b"} {
			s, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{Simulate: &sim})
			require.NoError(t, err)
			id := s.JSON200.SessionId.String()
			res := e.verifyFace(id)
			require.NotNil(t, res.JSON200)
			assert.Equal(t, 0, *res.JSON200.Matches.NumAccountsLinked, "session %d", i)
			require.NotNil(t, e.enroll(id, acct).JSON200)
		}
	})
}

// TestHostedPage follows the public redirect to the hosted page stand-in and back.
func TestHostedPage(t *testing.T) {
	e := newEnv(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) *http.Response {
		t.Helper()
		resp, err := noFollow.Get(u)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	back := "https://example.test/verisoul/done?state=xyz"

	t.Run("public redirect, then capture as alice", func(t *testing.T) {
		resp := get(e.srv.URL + "/public/liveness-redirect?id=true&project_id=" + verisoultest.DefaultProjectID)
		require.Equal(t, http.StatusFound, resp.StatusCode)
		page, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		id := page.Query().Get("session_id")
		info, ok := e.emu.Session(id)
		require.True(t, ok)
		assert.Equal(t, verisoultest.IDCheck, info.Product)

		q := page.Query()
		q.Set("redirect_url", back)
		q.Set("lng", "es")
		q.Set("face", "alice")
		page.RawQuery = q.Encode()
		resp = get(page.String())
		require.Equal(t, http.StatusFound, resp.StatusCode)
		done, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, "example.test", done.Host)
		assert.Equal(t, "xyz", done.Query().Get("state"), "the caller's own query survives")
		assert.Equal(t, id, done.Query().Get("session_id"))
		assert.Equal(t, "true", done.Query().Get("success"))
		assert.False(t, done.Query().Has("error_message"))

		res := e.verifyID(id)
		require.NotNil(t, res.JSON200)
	})
	cases := []struct {
		name, query, errorMessage string
	}{
		{"no session id", "redirect_url=" + url.QueryEscape(back), verisoultest.FailSessionIDNotFound},
		{"unknown session id", "session_id=" + uuid.NewString() + "&redirect_url=" + url.QueryEscape(back), verisoultest.FailInvalidSessionID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := get(e.srv.URL + verisoultest.AppPath + "?" + c.query)
			require.Equal(t, http.StatusFound, resp.StatusCode)
			done, _ := url.Parse(resp.Header.Get("Location"))
			assert.Equal(t, "false", done.Query().Get("success"))
			assert.Equal(t, c.errorMessage, done.Query().Get("error_message"))
		})
	}
	t.Run("failure chosen on the page", func(t *testing.T) {
		id := e.faceMatchSession()
		resp := get(e.srv.URL + verisoultest.AppPath + "?session_id=" + id + "&fail=liveness_check_failed&redirect_url=" + url.QueryEscape(back))
		done, _ := url.Parse(resp.Header.Get("Location"))
		assert.Equal(t, "false", done.Query().Get("success"))
		assert.Equal(t, verisoultest.FailLiveness, done.Query().Get("error_message"))
		assert.Equal(t, "liveness_check_failed", string(deref(e.verifyFace(id).JSON400.Error)))
	})
	t.Run("opening the page without finishing starts the session", func(t *testing.T) {
		id := e.faceMatchSession()
		resp := get(e.srv.URL + verisoultest.AppPath + "?session_id=" + id)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "session_not_complete", string(deref(e.verifyFace(id).JSON400.Error)))
	})
	t.Run("ID Check document choices", func(t *testing.T) {
		for choice, flag := range map[string]string{"fake": "likely_fake_id", "expired": "id_expired", "minor": "id_age_below_16", "other_face": "low_id_face_match_score"} {
			id := e.idCheckSession()
			get(e.srv.URL + verisoultest.AppPath + "?session_id=" + id + "&face=oscar&document=" + choice)
			res := e.verifyID(id)
			require.NotNil(t, res.JSON200, choice)
			assert.Contains(t, *res.JSON200.RiskFlags, idcheck.RiskFlag(flag), choice)
		}
		id := e.idCheckSession()
		get(e.srv.URL + verisoultest.AppPath + "?session_id=" + id + "&face=oscar&document=none")
		assert.Equal(t, "id_scan_not_complete", string(deref(e.verifyID(id).JSON400.Error)))
	})
}

func TestControlEndpoints(t *testing.T) {
	e := newEnv(t)
	post := func(path string, body any) (*http.Response, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(e.srv.URL+path, "application/json", bytes.NewReader(b))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	id := e.faceMatchSession()
	resp, out := post(verisoultest.ControlPrefix+"sessions/"+id+"/start", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "started", out["state"])

	resp, out = post(verisoultest.ControlPrefix+"sessions/"+id+"/complete", map[string]any{"face": "alice"})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "completed", out["state"])
	assert.Equal(t, "alice", out["face"])

	resp, out = post(verisoultest.ControlPrefix+"sessions/"+id+"/fail", map[string]any{"error_message": verisoultest.FailLiveness})
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "a finished session cannot fail later")
	assert.Equal(t, "session_finished", out["error"])

	resp, _ = post(verisoultest.ControlPrefix+"sessions/"+uuid.NewString()+"/complete", map[string]any{"face": "alice"})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	idc := e.idCheckSession()
	doc := e.emu.DocumentFor("bob")
	resp, out = post(verisoultest.ControlPrefix+"sessions/"+idc+"/complete", map[string]any{"face_image": sandbox.FaceImage("bob"), "document": doc})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%v", out)
	assert.Equal(t, true, out["has_document"])

	other := e.faceMatchSession()
	resp, out = post(verisoultest.ControlPrefix+"sessions/"+other+"/fail", map[string]any{"error_message": "made_up"})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = post(verisoultest.ControlPrefix+"sessions/"+other+"/complete", map[string]any{"face": "x", "surprise": 1})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "unknown fields are refused")
	e.forgetProblems(2) // the two bodies above break the controls spec on purpose

	require.NotNil(t, e.enroll(id, "acct-alice").JSON200)
	r, err := http.Get(e.srv.URL + verisoultest.ControlPrefix + "enrollments")
	require.NoError(t, err)
	defer r.Body.Close()
	var list []verisoultest.Enrollment
	require.NoError(t, json.NewDecoder(r.Body).Decode(&list))
	require.Len(t, list, 1)
	assert.Equal(t, "acct-alice", list[0].AccountID)
	assert.Equal(t, id, list[0].SessionID)

	r2, err := http.Get(e.srv.URL + verisoultest.ControlPrefix + "sessions/" + id)
	require.NoError(t, err)
	defer r2.Body.Close()
	var info verisoultest.SessionInfo
	require.NoError(t, json.NewDecoder(r2.Body).Decode(&info))
	assert.Equal(t, "acct-alice", info.AccountID)
	assert.Equal(t, t0, info.CreatedAt.UTC())
}

// TestTenantIsolation: one project's key sees nothing of another project.
func TestTenantIsolation(t *testing.T) {
	tenant := verisoultest.Project{ID: "11111111-2222-4333-8444-555555555555", APIKey: "tenant-b-key"}
	e := newEnv(t, verisoultest.WithProject(tenant))
	id := e.enrolled("alice", "acct-a")

	e.key = tenant.APIKey
	for name, code := range map[string]string{
		"verify-face": string(deref(e.verifyFace(id).JSON400.Error)),
		"enroll":      string(deref(e.enroll(id, "acct-b").JSON400.Error)),
	} {
		assert.Equal(t, "session_not_found", code, name)
	}
	own := e.faceMatchSession()
	require.NoError(t, e.emu.CompleteAs(own, "alice"))
	assert.Equal(t, "account_not_found", string(deref(e.verifyIdentity(own, "acct-a").JSON400.Error)))
	res := e.verifyFace(own)
	require.NotNil(t, res.JSON200)
	assert.Equal(t, 0, *res.JSON200.Matches.NumAccountsLinked, "faces enrolled in another project do not match")
}

// TestRateLimitWindow: the limit is per key and frees up as the minute passes.
func TestRateLimitWindow(t *testing.T) {
	tenant := verisoultest.Project{ID: "11111111-2222-4333-8444-555555555555", APIKey: "tenant-b-key"}
	e := newEnv(t, verisoultest.WithRateLimit(3, time.Minute), verisoultest.WithProject(tenant))
	status := func() int {
		res, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{})
		require.NoError(t, err)
		return res.StatusCode()
	}
	for i := 0; i < 3; i++ {
		require.Equal(t, 200, status())
		e.clock.Advance(10 * time.Second)
	}
	assert.Equal(t, 429, status())
	e.key = tenant.APIKey
	assert.Equal(t, 200, status(), "another key has its own budget")
	e.key = verisoultest.DefaultAPIKey
	e.clock.Advance(31 * time.Second) // the first call is now more than a minute old
	assert.Equal(t, 200, status())
	assert.Equal(t, 429, status())
}

func TestDefaultRateLimitIsVerisouls(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < verisoultest.DefaultRateLimit; i++ {
		res, err := e.fm.VerifyFaceWithResponse(ctx, facematch.VerifyFaceRequest{SessionId: uuid.New()})
		require.NoError(t, err)
		require.Equal(t, 400, res.StatusCode(), "call %d", i)
	}
	res, err := e.fm.VerifyFaceWithResponse(ctx, facematch.VerifyFaceRequest{SessionId: uuid.New()})
	require.NoError(t, err)
	assert.Equal(t, 429, res.StatusCode())
	assert.Equal(t, "Too Many Requests", res.JSON429.Message)
}

func TestHelperErrors(t *testing.T) {
	e := newEnv(t)
	id := e.faceMatchSession()
	assert.ErrorIs(t, e.emu.Complete(id, verisoultest.Capture{}), verisoultest.ErrNoFace)
	assert.ErrorIs(t, e.emu.Fail(id, "bogus"), verisoultest.ErrUnknownFailure)
	assert.ErrorIs(t, e.emu.CompleteAs(uuid.NewString(), "alice"), verisoultest.ErrUnknownSession)
	require.NoError(t, e.emu.CompleteAs(id, "alice"))
	assert.ErrorIs(t, e.emu.CompleteAs(id, "bob"), verisoultest.ErrSessionFinished)
	assert.ErrorIs(t, e.emu.Start(id), verisoultest.ErrSessionFinished)
	assert.ErrorIs(t, e.emu.Fail(id, verisoultest.FailLiveness), verisoultest.ErrSessionFinished)
	assert.True(t, strings.HasPrefix(verisoultest.ErrUnknownSession.Error(), "verisoul sandbox:"))
}

func TestMissingKeyIsUnauthorized(t *testing.T) {
	// A request without x-api-key gets Verisoul's own 401, not a contract_violation no
	// vendor would send; the missing credential is still reported as a contract problem.
	e := newEnv(t)
	e.key = ""
	res, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode())
	require.NotNil(t, res.JSON401)
	assert.NotContains(t, string(res.Body), "contract_violation")
	e.mu.Lock()
	defer e.mu.Unlock()
	require.Len(t, e.problems, 1)
	assert.Equal(t, "security", e.problems[0].Problems[0].Rule)
	e.problems = nil // expected: the request broke the contract
}

// TestFaults: the shared fault injector sits in front of the emulator and knows its
// operations by the specs' ids, including the ID Check ones on shared paths.
func TestFaults(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.emu.Faults().Set(sandbox.FaultRule{Operation: "createIDCheckSession", Kind: sandbox.FaultError, Status: 503, Rate: 1}))
	res, err := e.idc.CreateIDCheckSessionWithResponse(ctx, &idcheck.CreateIDCheckSessionParams{Id: true})
	require.NoError(t, err)
	assert.Equal(t, 503, res.StatusCode())
	fm, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{})
	require.NoError(t, err)
	assert.Equal(t, 200, fm.StatusCode(), "the Face Match operation on the same path is untouched")
	assert.Equal(t, 1, e.emu.Faults().Counts()["error"])
	e.emu.Faults().Clear()
	res, err = e.idc.CreateIDCheckSessionWithResponse(ctx, &idcheck.CreateIDCheckSessionParams{Id: true})
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode())
}
