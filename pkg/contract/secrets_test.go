package contract

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secret looks like what must never leak: an API key, a token, a document number.
const secret = "sk_live_TOPSECRET_4242424242"

// TestProblemsNeverQuoteValues puts a secret-looking value where each kind of check fails
// and asserts it appears in no error string, no problem JSON and no log line.
func TestProblemsNeverQuoteValues(t *testing.T) {
	s := people(t)
	okSession := `{"account_id":"a","metadata":{"session_id":"` + uuidV4 + `"}}`
	reqs := []struct {
		name string
		req  func() *http.Request
	}{
		{"format", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{"session_id":"`+secret+`"}}`)
		}},
		{"enum", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{"session_id":"`+uuidV4+`","channel":"`+secret+`"}}`)
		}},
		{"type", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":"`+secret+`"}`)
		}},
		{"query enum", func() *http.Request {
			return jsonRequest("POST", "/sessions?simulate="+secret, okSession)
		}},
		{"path format", func() *http.Request { return jsonRequest("GET", "/sessions/"+secret, "") }},
		{"unknown route with a token in the path", func() *http.Request { return jsonRequest("GET", "/sessions/x/"+secret, "") }},
		{"malformed json", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"`+secret+`",`)
		}},
		{"form type", func() *http.Request {
			r := httptest.NewRequest("POST", "/forms", strings.NewReader(url.Values{"name": {"n"}, "age": {secret}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("x-api-key", apiKey)
			return r
		}},
		{"multipart type", func() *http.Request {
			body, ct := multipartBody(t,
				formPart{"image", "f.png", "image/png", []byte(secret)},
				formPart{"account_id", "", "", []byte("a")},
				formPart{"count", "", "", []byte(secret)})
			return uploadRequest(body, ct)
		}},
	}
	for _, tt := range reqs {
		t.Run("request "+tt.name, func(t *testing.T) {
			err := s.ValidateRequest(tt.req())
			require.Error(t, err)
			assertNoSecret(t, err)
		})
	}

	get := func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV4, "") }
	resps := []struct{ name, body string }{
		{"enum drift", `{"id":"` + uuidV4 + `","status":"` + secret + `"}`},
		{"format", `{"id":"` + secret + `","status":"done"}`},
		{"type", `{"id":"` + uuidV4 + `","status":"done","faces":"` + secret + `"}`},
		{"oneOf", `{"id":"` + uuidV4 + `","status":"done","decision":{"outcome":"` + secret + `"}}`},
		{"malformed", `{"id":"` + secret},
	}
	for _, tt := range resps {
		t.Run("response "+tt.name, func(t *testing.T) {
			err := s.ValidateResponse(get(), 200, jsonHeader("X-Request-Id", "r"), []byte(tt.body))
			require.Error(t, err)
			assertNoSecret(t, err)
		})
	}

	t.Run("middleware logs and answers", func(t *testing.T) {
		var logs bytes.Buffer
		h := Middleware(MiddlewareOptions{Mode: ModeEnforce, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, s)(
			fakeSessions(200, `{"id":"`+secret+`","status":"done"}`, true))
		for _, r := range []*http.Request{
			jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{"session_id":"`+secret+`"}}`),
			jsonRequest("GET", "/sessions/"+uuidV4, ""),
			jsonRequest("GET", "/nowhere/"+secret, ""),
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			assert.GreaterOrEqual(t, rec.Code, 400)
			assert.NotContains(t, rec.Body.String(), secret)
		}
		assert.NotEmpty(t, logs.String())
		assert.NotContains(t, logs.String(), secret)
		assert.NotContains(t, logs.String(), apiKey)
	})
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	assert.NotContains(t, err.Error(), secret)
	e, ok := err.(*Error)
	require.True(t, ok, "%T", err)
	j, jerr := json.Marshal(e)
	require.NoError(t, jerr)
	assert.NotContains(t, string(j), secret)
	assert.NotContains(t, string(j), apiKey)
}
