package iproovtest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// direct drives an emulator's handler in process, without a network, for tests that
// issue thousands of tokens. Every answer is still held against the spec by the
// emulator's own middleware.
type direct struct {
	t     *testing.T
	emu   *iproovtest.Emulator
	clock *sandbox.FakeClock
}

func newDirect(t *testing.T, opts ...iproovtest.Option) *direct {
	clock := sandbox.NewFakeClock(t0)
	opts = append([]iproovtest.Option{iproovtest.WithClock(clock.Now), iproovtest.WithLogger(quiet),
		iproovtest.WithOnProblem(func(e *contract.Error) { t.Errorf("contract problem: %v", e) })}, opts...)
	return &direct{t: t, emu: iproovtest.New(opts...), clock: clock}
}

func (d *direct) do(method, path, contentType, body string, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, iproovtest.BasePath+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, f := range edit {
		f(req)
	}
	rec := httptest.NewRecorder()
	d.emu.Handler().ServeHTTP(rec, req)
	return rec
}

func (d *direct) token(kind, user string) *httptest.ResponseRecorder {
	return d.do("POST", "/claim/"+kind+"/token", "application/json",
		`{"api_key":"`+iproovtest.DefaultAPIKey+`","secret":"`+iproovtest.DefaultSecret+`","resource":"r","user_id":"`+user+`"}`)
}

func (d *direct) enrolToken(user string) string {
	d.t.Helper()
	rec := d.token("enrol", user)
	require.Equal(d.t, 200, rec.Code, rec.Body.String())
	var tok struct{ Token string }
	require.NoError(d.t, json.Unmarshal(rec.Body.Bytes(), &tok))
	return tok.Token
}

func (d *direct) validate(user, token string) *httptest.ResponseRecorder {
	return d.do("POST", "/claim/enrol/validate", "application/json",
		`{"api_key":"`+iproovtest.DefaultAPIKey+`","secret":"`+iproovtest.DefaultSecret+`","user_id":"`+user+`","token":"`+token+`","client":"c"}`)
}

func (d *direct) accessToken() *httptest.ResponseRecorder {
	return d.do("POST", "/"+iproovtest.DefaultAPIKey+"/access_token", "application/x-www-form-urlencoded", "grant_type=client_credentials",
		func(r *http.Request) {
			r.SetBasicAuth(iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword)
		})
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) (code, desc string) {
	t.Helper()
	var e struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
	return e.Error, e.ErrorDescription
}

// TestClaimsAreForgotten: claims leave memory when iProov would have ended them, on the
// emulator's clock: thousands of them, then the clock moves past their end, then one
// more token is issued and the emulator holds that one (and the one before) only.
func TestClaimsAreForgotten(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		prepare func(d *direct, user, token string) // what happens to each claim
		advance time.Duration
	}{
		{"never claimed", 1_000, func(d *direct, user, token string) {}, iproovtest.ClaimWindow + iproovtest.ClaimMemory},
		{"validated", 1_000, func(d *direct, user, token string) {
			require.NoError(t, d.emu.CaptureFace(token, "alice"))
			require.Equal(t, 200, d.validate(user, token).Code)
		}, iproovtest.ClaimMemory},
		{"claimed, never validated", 1_000, func(d *direct, user, token string) {
			require.NoError(t, d.emu.StartCapture(token))
		}, iproovtest.ClaimLife},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.n
			d := newDirect(t, iproovtest.WithMaxClaims(n+1))
			for i := range n {
				user := "u" + strconv.Itoa(i)
				tt.prepare(d, user, d.enrolToken(user))
			}
			require.Equal(t, n, d.emu.Stats().HeldClaims)
			d.clock.Advance(tt.advance - time.Second)
			d.enrolToken("one-more-early")
			assert.Equal(t, n+1, d.emu.Stats().HeldClaims, "nothing leaves before its time")
			d.clock.Advance(time.Second)
			d.enrolToken("one-more")
			st := d.emu.Stats()
			assert.LessOrEqual(t, st.HeldClaims, 2, "the ended claims are forgotten")
			assert.Equal(t, n+2, st.ClaimTokens, "ClaimTokens still counts every token issued")
		})
	}
}

// TestEndedClaimAnswersPreciselyThenAsUnknown: within ClaimMemory an expired token says
// it expired; later it is forgotten and answers as an unknown token, with the same code.
func TestEndedClaimAnswersPreciselyThenAsUnknown(t *testing.T) {
	d := newDirect(t)
	tok := d.enrolToken("u1")
	d.clock.Advance(iproovtest.ClaimWindow)
	require.NoError(t, d.emu.StartCapture(d.enrolToken("u2"))) // a call that sweeps
	code, desc := errorCode(t, d.validate("u1", tok))
	assert.Equal(t, "invalid_token", code)
	assert.Contains(t, desc, "expired")
	assert.ErrorIs(t, d.emu.CaptureFace(tok, "alice"), iproovtest.ErrClaimExpired)

	d.clock.Advance(iproovtest.ClaimMemory)
	code, desc = errorCode(t, d.validate("u1", tok))
	assert.Equal(t, "invalid_token", code)
	assert.NotContains(t, desc, "expired")
	assert.ErrorIs(t, d.emu.CaptureFace(tok, "alice"), iproovtest.ErrUnknownClaim)
}

// TestClaimCap: at the cap the oldest ended claim is forgotten early; when every claim
// is still open, the token endpoints answer iProov's documented 429 with the wait until
// the first can end, and nothing live is lost.
func TestClaimCap(t *testing.T) {
	d := newDirect(t, iproovtest.WithMaxClaims(3))
	enrolled := d.enrolToken("v1") // an enrolled user, for verify tokens; its claim ends
	require.NoError(t, d.emu.CaptureFace(enrolled, "vera"))
	require.Equal(t, 200, d.validate("v1", enrolled).Code)
	var toks []string
	for _, u := range []string{"u1", "u2", "u3"} {
		toks = append(toks, d.enrolToken(u))
	}
	d.clock.Advance(30 * time.Second)
	for kind, user := range map[string]string{"enrol": "u4", "verify": "v1"} {
		full := d.token(kind, user)
		require.Equal(t, http.StatusTooManyRequests, full.Code, full.Body.String())
		code, _ := errorCode(t, full)
		assert.Equal(t, "too_many_requests", code)
		assert.Equal(t, "90", full.Header().Get("Retry-After"), "the first open claim expires 2 minutes after issue")
	}
	assert.Equal(t, 3, d.emu.Stats().HeldClaims)

	// One claim ends; the next token takes its place.
	require.NoError(t, d.emu.CaptureFace(toks[0], "alice"))
	require.Equal(t, 200, d.validate("u1", toks[0]).Code)
	d.enrolToken("u4")
	assert.Equal(t, 3, d.emu.Stats().HeldClaims)
	for _, tok := range toks[1:] {
		assert.NoError(t, d.emu.StartCapture(tok), "open claims are kept")
	}
}

// TestAccessTokensAreForgotten: access tokens leave after their hour; at the cap a
// used-up token is forgotten first, else the token endpoint refuses in iProov's
// documented 500 shape.
func TestAccessTokensAreForgotten(t *testing.T) {
	t.Run("after the hour", func(t *testing.T) {
		d := newDirect(t)
		for range 500 {
			require.Equal(t, 200, d.accessToken().Code)
		}
		d.clock.Advance(iproovtest.AccessTokenLife)
		require.Equal(t, 200, d.accessToken().Code)
		st := d.emu.Stats()
		assert.Equal(t, 1, st.HeldAccessTokens)
		assert.Equal(t, 501, st.AccessTokens)
	})
	t.Run("at the cap", func(t *testing.T) {
		d := newDirect(t, iproovtest.WithMaxAccessTokens(2))
		var first struct {
			AccessToken string `json:"access_token"`
		}
		rec := d.accessToken()
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &first))
		require.Equal(t, 200, d.accessToken().Code)
		full := d.accessToken()
		require.Equal(t, 500, full.Code)
		code, _ := errorCode(t, full)
		assert.Equal(t, "server_error", code)

		for range iproovtest.AccessTokenUses {
			get := d.do("GET", "/users/nobody", "", "", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+first.AccessToken) })
			require.Equal(t, 400, get.Code, get.Body.String())
		}
		require.Equal(t, 200, d.accessToken().Code, "the used-up token made room")
		assert.Equal(t, 2, d.emu.Stats().HeldAccessTokens)
	})
}

// TestFailNextQueueIsBounded: a loop of control calls cannot queue answers without end.
func TestFailNextQueueIsBounded(t *testing.T) {
	e := iproovtest.New()
	for range iproovtest.MaxFailNext {
		require.NoError(t, e.FailNext("userGet", 500))
	}
	assert.Error(t, e.FailNext("userGet", 500))
	assert.NoError(t, e.FailNext("userDelete", 500), "the bound is per operation")
}
