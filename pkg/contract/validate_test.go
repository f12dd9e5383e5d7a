package contract

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateRequest(t *testing.T) {
	s := people(t)
	validBody := `{"account_id":"account-1","metadata":{"session_id":"` + uuidV4 + `","channel":"web"}}`
	tests := []struct {
		name string
		req  func() *http.Request
		want []string // "location rule"; empty means valid
	}{
		{"valid", func() *http.Request { return jsonRequest("POST", "/sessions?simulate=pass", validBody) }, nil},
		{"uuid v7 accepted", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{"session_id":"`+uuidV7+`"}}`)
		}, nil},
		{"missing required field", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"metadata":{"session_id":"`+uuidV4+`"}}`)
		}, []string{"body.account_id required"}},
		{"missing nested required field", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{}}`)
		}, []string{"body.metadata.session_id required"}},
		{"wrong type", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":42,"metadata":{"session_id":"`+uuidV4+`"}}`)
		}, []string{"body.account_id type"}},
		{"not a uuid", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","metadata":{"session_id":"not-a-uuid"}}`)
		}, []string{"body.metadata.session_id format"}},
		{"every problem at once", func() *http.Request {
			return jsonRequest("POST", "/sessions?simulate=maybe", `{"account_id":42,"metadata":{"session_id":"nope","channel":"fax"}}`)
		}, []string{"query.simulate enum", "body.account_id type", "body.metadata.session_id format", "body.metadata.channel enum"}},
		{"unknown request property is a violation", func() *http.Request {
			return jsonRequest("POST", "/sessions", `{"account_id":"a","acount_id":"typo","metadata":{"session_id":"`+uuidV4+`"}}`)
		}, []string{"body.acount_id additionalProperties"}},
		{"missing api key", func() *http.Request {
			r := jsonRequest("POST", "/sessions", validBody)
			r.Header.Del("x-api-key")
			return r
		}, []string{"header.x-api-key security"}},
		{"missing body", func() *http.Request { return jsonRequest("POST", "/sessions", "") }, []string{"body required"}},
		{"undeclared content type", func() *http.Request {
			r := jsonRequest("POST", "/sessions", validBody)
			r.Header.Set("Content-Type", "text/xml")
			return r
		}, []string{"header.content-type content-type"}},
		{"path param uuid", func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV7, "") }, nil},
		{"path param not a uuid", func() *http.Request { return jsonRequest("GET", "/sessions/abc", "") }, []string{"path.session_id format"}},
		{"no security needed", func() *http.Request { return httptest.NewRequest("GET", "/ping", nil) }, nil},
		{"basic credentials", func() *http.Request {
			r := httptest.NewRequest("GET", "/whoami", nil)
			r.SetBasicAuth("user", "pass")
			return r
		}, nil},
		{"bearer token", func() *http.Request {
			r := httptest.NewRequest("GET", "/whoami", nil)
			r.Header.Set("Authorization", "Bearer tok")
			return r
		}, nil},
		{"empty bearer token", func() *http.Request {
			r := httptest.NewRequest("GET", "/whoami", nil)
			r.Header.Set("Authorization", "Bearer ")
			return r
		}, []string{"header.authorization security"}},
		{"urlencoded form", func() *http.Request {
			r := httptest.NewRequest("POST", "/forms", strings.NewReader(url.Values{"name": {"n"}, "age": {"3"}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("x-api-key", apiKey)
			return r
		}, nil},
		{"urlencoded form wrong type", func() *http.Request {
			r := httptest.NewRequest("POST", "/forms", strings.NewReader(url.Values{"name": {"n"}, "age": {"three"}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("x-api-key", apiKey)
			return r
		}, []string{"body.age type"}},
		{"no route", func() *http.Request { return jsonRequest("GET", "/nowhere", "") }, []string{"route no-route"}},
		{"wrong method", func() *http.Request { return jsonRequest("DELETE", "/sessions", "") }, []string{"route no-route"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ValidateRequest(tt.req())
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.ElementsMatch(t, tt.want, problemKeys(err), "problems: %v", err)
			assert.False(t, errors.Is(err, ErrDrift), "request problems are never drift")
			for _, p := range e.Problems {
				assert.NotEmpty(t, p.Message)
				if p.Rule != RuleNoRoute {
					assert.NotEmpty(t, p.Operation)
				}
			}
		})
	}
}

func TestValidateRequestRestoresBody(t *testing.T) {
	s := people(t)
	body := `{"account_id":"a","metadata":{"session_id":"` + uuidV4 + `"}}`
	r := jsonRequest("POST", "/sessions", body)
	require.NoError(t, s.ValidateRequest(r))
	got, err := readAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, body, got, "the handler still reads the whole body")

	// A client request with GetBody is read through GetBody: r.Body is left untouched.
	cr, err := http.NewRequest("POST", "http://x/sessions", strings.NewReader(body))
	require.NoError(t, err)
	cr.Header.Set("Content-Type", "application/json")
	cr.Header.Set("x-api-key", apiKey)
	orig := cr.Body
	require.NoError(t, s.ValidateRequest(cr))
	assert.True(t, orig == cr.Body, "r.Body replaced")
}

func TestValidateResponse(t *testing.T) {
	s := people(t)
	get := func() *http.Request { return jsonRequest("GET", "/sessions/"+uuidV4, "") }
	reqID := []string{"X-Request-Id", "req-1"}
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		want      []string
		driftOnly bool
	}{
		{"valid", 200, jsonHeader(reqID...), `{"id":"` + uuidV7 + `","status":"done","reviewer":null,"decision":{"outcome":"approved","score":1},"faces":[{"face_id":"f"}],"labels":{"any":"thing"}}`, nil, false},
		{"valid error status", 404, jsonHeader(), `{"error":"not_found"}`, nil, false},
		{"undocumented status", 418, jsonHeader(), `{"error":"teapot"}`, []string{"status undocumented-status"}, false},
		{"missing required field", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `"}`, []string{"body.status required"}, false},
		{"wrong type", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","faces":"none"}`, []string{"body.faces type"}, false},
		{"missing required header", 200, jsonHeader(), `{"id":"` + uuidV4 + `","status":"done"}`, []string{"header.x-request-id required"}, false},
		{"undeclared content type", 200, http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"r"}}, `<html>`, []string{"header.content-type content-type"}, false},
		{"not json", 200, jsonHeader(reqID...), `{"id":`, []string{"body decode"}, false},
		{"unknown property is drift", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","risk":0.2}`, []string{"body.risk additionalProperties drift"}, true},
		{"unknown enum value is drift", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"archived"}`, []string{"body.status enum drift"}, true},
		{"unknown property in array item", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","faces":[{"face_id":"a"},{"face_id":"b","pose":"left"}]}`, []string{"body.faces.1.pose additionalProperties drift"}, true},
		{"unknown property in oneOf branch", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","decision":{"outcome":"approved","liveness":0.9}}`, []string{"body.decision.liveness additionalProperties drift"}, true},
		{"property of another oneOf branch is not drift", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","decision":{"outcome":"approved","reasons":[]}}`, nil, false},
		{"free-form object accepts anything", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","labels":{"x":{"y":1}}}`, nil, false},
		{"drift and violation together", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","risk":1,"reviewer":7}`, []string{"body.risk additionalProperties drift", "body.reviewer type"}, false},
		{"compressed body is not decoded", 200, jsonHeader("X-Request-Id", "r", "Content-Encoding", "gzip"), "\x1f\x8b\x08garbage", nil, false},
		{"compressed body with undocumented status", 418, jsonHeader("Content-Encoding", "gzip"), "\x1f\x8b\x08garbage", []string{"status undocumented-status"}, false},
		{"number where a string enum is expected is a type violation", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":5}`, []string{"body.status type"}, false},
		{"new oneOf kind by enum only is drift", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","decision":{"outcome":"escalated"}}`, []string{"body.decision enum drift"}, true},
		{"oneOf branch with a wrong type is a violation", 200, jsonHeader(reqID...), `{"id":"` + uuidV4 + `","status":"done","decision":{"outcome":"approved","score":"high"}}`, []string{"body.decision oneOf"}, false},
		{"not a uuid", 200, jsonHeader(reqID...), `{"id":"123","status":"done"}`, []string{"body.id format"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ValidateResponse(get(), tt.status, tt.header, []byte(tt.body))
			if len(tt.want) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ElementsMatch(t, tt.want, problemKeys(err), "problems: %v", err)
			assert.Equal(t, tt.driftOnly, errors.Is(err, ErrDrift))
		})
	}
}

func TestFindOperation(t *testing.T) {
	s := people(t)
	tests := []struct {
		method, target, want string
	}{
		{"POST", "/sessions", "createSession"},
		{"POST", "/v1/sessions", "createSession"},
		{"GET", "/api/prefix/sessions/" + uuidV4, "getSession"},
		{"POST", "/faces", "uploadFace"},
		{"PUT", "/faces/raw", "putRawFace"},
		{"GET", "/sessions/", ""},
		{"GET", "/nope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			op, ok := s.FindOperation(httptest.NewRequest(tt.method, tt.target, nil))
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, op)
		})
	}
}
