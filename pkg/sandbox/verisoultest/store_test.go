package verisoultest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// redirect calls the public redirect for the default project and returns the status.
func (e *env) redirect() int {
	e.t.Helper()
	res, err := e.fm.RedirectToFaceMatchWithResponse(ctx, &facematch.RedirectToFaceMatchParams{ProjectId: uuid.MustParse(verisoultest.DefaultProjectID)})
	require.NoError(e.t, err)
	return res.StatusCode()
}

func (e *env) createStatus() int {
	e.t.Helper()
	res, err := e.fm.CreateFaceMatchSessionWithResponse(ctx, &facematch.CreateFaceMatchSessionParams{})
	require.NoError(e.t, err)
	return res.StatusCode()
}

// TestSessionsExpire: unenrolled sessions are forgotten SessionRetention after their
// creation, swept as new sessions come; enrolled ones are the gallery and stay.
func TestSessionsExpire(t *testing.T) {
	e := newEnv(t, verisoultest.WithRateLimit(0, time.Minute))
	kept := e.enrolled("alice", "acct-alice")
	const n = 200
	for range n {
		e.faceMatchSession()
		require.Equal(t, http.StatusFound, e.redirect())
	}
	require.Equal(t, 2*n+1, e.emu.Stats().Sessions)

	e.clock.Advance(verisoultest.EnrollWindow + time.Hour)
	e.faceMatchSession()
	assert.Equal(t, 2*n+2, e.emu.Stats().Sessions, "past the enrol window a session still answers session_older_than_30_days")

	e.clock.Advance(verisoultest.SessionRetention + time.Second)
	fresh := e.faceMatchSession()
	st := e.emu.Stats()
	assert.Equal(t, 2, st.Sessions, "the enrolled session and the new one: any new session sweeps both kinds")
	assert.Equal(t, 1, st.EnrolledSessions)
	assert.Zero(t, st.RedirectSessions)
	assert.Equal(t, 2*n+1, st.EvictedSessions)
	for _, id := range []string{kept, fresh} {
		_, ok := e.emu.Session(id)
		assert.True(t, ok)
	}
	res := e.verifyFace(kept)
	require.NotNil(t, res.JSON200, "enrolled sessions keep answering")
}

// TestSessionCap: at the cap a new session pushes out one the vendor has expired, then a
// failed one; when all are usable the request is refused with a documented 429, and no
// live session is lost.
func TestSessionCap(t *testing.T) {
	e := newEnv(t, verisoultest.WithMaxSessions(3))
	a, b, c := e.faceMatchSession(), e.faceMatchSession(), e.faceMatchSession()
	require.NoError(t, e.emu.Start(b))

	require.Equal(t, http.StatusTooManyRequests, e.createStatus(), "every session may still be needed")
	e.checkLast(fmSpec)
	for _, id := range []string{a, b, c} {
		_, ok := e.emu.Session(id)
		require.True(t, ok, "nothing evicted")
	}

	require.NoError(t, e.emu.Fail(c, verisoultest.FailLiveness))
	d := e.faceMatchSession()
	_, ok := e.emu.Session(c)
	assert.False(t, ok, "the failed session made room")

	require.NoError(t, e.emu.CompleteAs(d, "dora"))
	require.NotNil(t, e.enroll(d, "acct-dora").JSON200)
	e.faceMatchSession() // d left the pool when enrolled
	assert.Equal(t, http.StatusTooManyRequests, e.createStatus())

	e.clock.Advance(verisoultest.EnrollWindow + time.Second)
	e.faceMatchSession()
	_, ok = e.emu.Session(a)
	assert.False(t, ok, "the oldest session past the enrol window made room")
	_, ok = e.emu.Session(b)
	assert.True(t, ok)
	assert.Equal(t, 4, e.emu.Stats().Sessions)
}

// TestRedirectSessionsCappedApart: the unauthenticated public redirect has its own cap,
// so a loop of redirects never pushes out sessions made with the API key; at its cap it
// pushes out its own oldest unopened session, and answers a documented 503 when every
// one is in use.
func TestRedirectSessionsCappedApart(t *testing.T) {
	e := newEnv(t, verisoultest.WithMaxSessions(2), verisoultest.WithMaxRedirectSessions(3), verisoultest.WithRateLimit(0, time.Minute))
	keyed := e.faceMatchSession()
	for range 1000 {
		require.Equal(t, http.StatusFound, e.redirect())
	}
	st := e.emu.Stats()
	assert.Equal(t, 3, st.RedirectSessions)
	assert.Equal(t, 4, st.Sessions)
	_, ok := e.emu.Session(keyed)
	assert.True(t, ok, "a session made with the key survives any number of redirects")
	require.Equal(t, http.StatusOK, e.createStatus(), "the key's own cap is untouched")

	// Open every redirect session: now none may go, and the redirect says so.
	opened := 0
	for _, id := range e.redirectSessions(t) {
		require.NoError(t, e.emu.Start(id))
		opened++
	}
	require.Equal(t, 3, opened)
	require.Equal(t, http.StatusServiceUnavailable, e.redirect())
	e.checkLast(fmSpec)
	assert.Equal(t, 3, e.emu.Stats().RedirectSessions)
}

// redirectSessions lists the session ids of the redirects still held, read back from the
// Location of every recorded redirect.
func (e *env) redirectSessions(t *testing.T) []string {
	e.rec.mu.Lock()
	defer e.rec.mu.Unlock()
	var out []string
	for _, x := range e.rec.last {
		if x.resp.StatusCode != http.StatusFound {
			continue
		}
		loc, err := x.resp.Location()
		require.NoError(t, err)
		id := loc.Query().Get("session_id")
		if _, ok := e.emu.Session(id); ok {
			out = append(out, id)
		}
	}
	return out
}

// TestRateLimitLogBounded: the rate-limit log holds at most the limit per known key and
// nothing for unknown keys, however many requests come.
func TestRateLimitLogBounded(t *testing.T) {
	e := newEnv(t, verisoultest.WithRateLimit(5, time.Minute))
	for i := range 50 {
		e.key = "unknown-" + uuid.NewString()
		require.Equal(t, http.StatusUnauthorized, e.createStatus(), "call %d", i)
	}
	st := e.emu.Stats()
	assert.Zero(t, st.RateLimitKeys, "unknown keys add nothing")
	assert.Zero(t, st.RateLimitEntries)

	e.key = verisoultest.DefaultAPIKey
	for range 50 {
		e.createStatus()
	}
	st = e.emu.Stats()
	assert.Equal(t, 1, st.RateLimitKeys)
	assert.Equal(t, 5, st.RateLimitEntries, "refused calls are not logged")
	e.clock.Advance(time.Hour)
	require.Equal(t, http.StatusOK, e.createStatus())
	assert.Equal(t, 1, e.emu.Stats().RateLimitEntries, "old entries go as new calls come")
}
