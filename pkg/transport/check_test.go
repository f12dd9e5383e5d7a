package transport

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callAndCheck serves status/body/header from an httptest server, calls it
// through a transport and returns Check's verdict.
func callAndCheck(t *testing.T, vendor, op string, status int, header http.Header, body string) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c, err := New(vendor, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithHTTPClient(noRedirect))
	require.NoError(t, err)
	ctx := WithOperation(context.Background(), op)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/x", strings.NewReader("{}"))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return c.Check(ctx, "", resp, b)
}

func TestCheckVendorErrorShapes(t *testing.T) {
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name                   string
		vendor, op             string
		status                 int
		header                 http.Header
		body                   string
		wantCode, wantMsg      string
		wantRequestID          string
		wantRetryable          bool
		wantIs                 []error
		wantNotIs              []error
		wantInError, wantNotIn []string
	}{
		{
			name: "iproov error/error_description", vendor: "iproov", op: "userEnrolServerToken", status: 401, header: jsonCT,
			body:     `{"error":"invalid_key","error_description":"Invalid Public and/or Private Key"}`,
			wantCode: "invalid_key", wantMsg: "Invalid Public and/or Private Key",
			wantIs: []error{ErrUnauthorized}, wantNotIs: []error{ErrForbidden, ErrServer, ErrInvalidRequest},
			wantInError: []string{"iproov", "userEnrolServerToken", "401", "invalid_key", "Invalid Public and/or Private Key"},
		},
		{
			name: "verifik code/message on 409", vendor: "verifik", op: "createAppRegistration", status: 409, header: jsonCT,
			body:     `{"code":"MissingParameter","message":"Needs an email or a phone at least","status":409}`,
			wantCode: "MissingParameter", wantMsg: "Needs an email or a phone at least",
			wantIs: []error{ErrConflict, ErrInvalidRequest}, wantNotIs: []error{ErrNotFound},
			wantInError: []string{"verifik", "createAppRegistration", "409", "MissingParameter"},
		},
		{
			name: "verifik older error/message, the code in message", vendor: "verifik", op: "getDocumentValidation", status: 404, header: jsonCT,
			body:     `{"error":"Document validation not found","message":"DOCUMENT_VALIDATION_NOT_FOUND"}`,
			wantCode: "DOCUMENT_VALIDATION_NOT_FOUND", wantMsg: "Document validation not found",
			wantIs: []error{ErrNotFound}, wantInError: []string{"404", "DOCUMENT_VALIDATION_NOT_FOUND"},
		},
		{
			name: "a code in error and a sentence in message stay as they are", vendor: "iproov", op: "userGet", status: 400, header: jsonCT,
			body:     `{"error":"invalid_user_id","message":"The user is not known"}`,
			wantCode: "invalid_user_id", wantMsg: "The user is not known",
			wantIs: []error{ErrInvalidRequest},
		},
		{
			name: "verifik 404 with request id header", vendor: "verifik", op: "getAppRegistration", status: 404,
			header:   http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-42"}},
			body:     `{"code":"NotFound","message":"AppRegistration_not_found"}`,
			wantCode: "NotFound", wantMsg: "AppRegistration_not_found", wantRequestID: "req-42",
			wantIs: []error{ErrNotFound}, wantInError: []string{"request id req-42"},
		},
		{
			name: "verisoul liveness request_id/success/error", vendor: "verisoul", op: "enroll", status: 400, header: jsonCT,
			body:     `{"request_id":"db4ad346-7a0f-4a3c-9d1e-1f0c2b3a4d5e","success":false,"error":"session_not_found"}`,
			wantCode: "session_not_found", wantRequestID: "db4ad346-7a0f-4a3c-9d1e-1f0c2b3a4d5e",
			wantIs:      []error{ErrInvalidRequest},
			wantInError: []string{"verisoul", "enroll", "400", "session_not_found", "db4ad346-7a0f-4a3c-9d1e-1f0c2b3a4d5e"},
		},
		{
			name: "verisoul core statusCode/message", vendor: "verisoul", op: "getAccount", status: 400, header: jsonCT,
			body:    `{"statusCode":400,"message":"Account not found","error":"Bad Request"}`,
			wantMsg: "Account not found", wantIs: []error{ErrInvalidRequest},
			wantInError: []string{"Account not found"}, wantNotIn: []string{"Bad Request"},
		},
		{
			name: "verisoul 429 retryable", vendor: "verisoul", op: "enroll", status: 429,
			header:        http.Header{"Retry-After": {"7"}},
			body:          `{"statusCode":429,"message":"Too Many Requests"}`,
			wantMsg:       "Too Many Requests",
			wantRetryable: true, wantIs: []error{ErrRateLimited},
		},
		{
			name: "html 502 falls back to raw body", vendor: "iproov", op: "validate", status: 502,
			header:        http.Header{"Content-Type": {"text/html"}},
			body:          `<html><body><h1>502 Bad Gateway</h1>secret-ish-html</body></html>`,
			wantRetryable: true, wantIs: []error{ErrServer},
			wantNotIn: []string{"<html>", "secret-ish-html"},
		},
		{
			name: "501 not retryable", vendor: "verifik", op: "x", status: 501, body: ``,
			wantIs: []error{ErrServer},
		},
		{
			name: "403 forbidden verifik", vendor: "verifik", op: "x", status: 403, header: jsonCT,
			body:     `{"message":"Access forbidden","code":"Forbidden"}`,
			wantCode: "Forbidden", wantMsg: "Access forbidden", wantIs: []error{ErrForbidden}, wantNotIs: []error{ErrUnauthorized},
		},
		{
			name: "422 and nested error object", vendor: "verifik", op: "x", status: 422, header: jsonCT,
			body:     `{"error":{"code":"UnprocessableEntity","message":"image missing"}}`,
			wantCode: "UnprocessableEntity", wantMsg: "image missing", wantIs: []error{ErrInvalidRequest},
		},
		{
			name: "412 with numeric fields of unexpected type", vendor: "verifik", op: "x", status: 412, header: jsonCT,
			body:     `{"code":412,"message":["not","a","string"]}`,
			wantCode: "412", wantIs: []error{ErrInvalidRequest},
		},
		{
			name: "long message with control chars is cleaned and cut", vendor: "iproov", op: "x", status: 400, header: jsonCT,
			body:     `{"error":"invalid_user_id","error_description":"bad\u001b[31m\nline` + strings.Repeat("x", 500) + `"}`,
			wantCode: "invalid_user_id", wantIs: []error{ErrInvalidRequest},
			wantNotIn: []string{"\x1b", "\n", strings.Repeat("x", 250)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := callAndCheck(t, tt.vendor, tt.op, tt.status, tt.header, tt.body)
			require.Error(t, err)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.vendor, apiErr.Vendor)
			assert.Equal(t, tt.op, apiErr.Operation)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			if tt.wantMsg != "" {
				assert.Equal(t, tt.wantMsg, apiErr.Message)
			}
			assert.LessOrEqual(t, len([]rune(apiErr.Message)), maxMessageRunes+1)
			assert.Equal(t, tt.wantRequestID, apiErr.RequestID)
			assert.Equal(t, tt.wantRetryable, apiErr.Retryable)
			assert.Equal(t, tt.body, string(apiErr.RawBody()), "raw body kept")
			assert.Equal(t, 1, apiErr.Attempts)
			for _, s := range tt.wantIs {
				assert.ErrorIs(t, err, s)
			}
			for _, s := range tt.wantNotIs {
				assert.NotErrorIs(t, err, s)
			}
			for _, s := range tt.wantInError {
				assert.Contains(t, err.Error(), s)
			}
			for _, s := range tt.wantNotIn {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestCheckSuccess(t *testing.T) {
	// A 3xx is judged in Do (see TestRedirects); Check passes the documented ones.
	for _, status := range []int{200, 201, 204} {
		body := `{"data":{"_id":"65f0c1"}}`
		if status == 204 {
			body = ""
		}
		err := callAndCheck(t, "verifik", "x", status, http.Header{"Location": {"/elsewhere"}}, body)
		assert.NoError(t, err, "status %d", status)
	}
}

func TestCheckRetryAfter(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		header string
		min    time.Duration
		max    time.Duration
	}{
		{header: "12", min: 12 * time.Second, max: 12 * time.Second},
		{header: date, min: 85 * time.Second, max: 91 * time.Second},
		{header: "soon", min: 0, max: 0},
	}
	for _, tt := range tests {
		err := callAndCheck(t, "iproov", "x", 429, http.Header{"Retry-After": {tt.header}}, `{"error":"too_many_requests","error_description":"slow down"}`)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.GreaterOrEqual(t, apiErr.RetryAfter, tt.min, tt.header)
		assert.LessOrEqual(t, apiErr.RetryAfter, tt.max, tt.header)
	}
}

func TestCheckNilResponse(t *testing.T) {
	c, err := New("verisoul", "https://x.test")
	require.NoError(t, err)
	err = c.Check(context.Background(), "enroll", nil, nil)
	var reqErr *RequestError
	require.ErrorAs(t, err, &reqErr)
}

func TestCheckCapsBodyWithoutTransport(t *testing.T) {
	c, err := New("verisoul", "https://x.test", WithMaxBodyBytes(10))
	require.NoError(t, err)
	resp := &http.Response{StatusCode: 500, Header: http.Header{}, Body: http.NoBody}
	err = c.Check(context.Background(), "enroll", resp, []byte(strings.Repeat("z", 100)))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Len(t, apiErr.RawBody(), 10)
	assert.Equal(t, 0, apiErr.Attempts, "unknown when the response did not come through Do")
}

func TestValidationError(t *testing.T) {
	err := Invalid("verisoul", "enroll", "session_id", "must be a UUID")
	require.ErrorIs(t, err, ErrValidation)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ValidationError{Vendor: "verisoul", Operation: "enroll", Field: "session_id", Reason: "must be a UUID"}, *ve)
	assert.Equal(t, "verisoul enroll: invalid input session_id: must be a UUID", err.Error())
	assert.NotErrorIs(t, err, ErrInvalidRequest, "client-side checks are distinct from vendor 400s")
}

func TestWrap(t *testing.T) {
	c, err := New("verifik", "https://x.test")
	require.NoError(t, err)
	ctx := WithOperation(context.Background(), "getProject")

	var syntax *json.SyntaxError
	jsonErr := json.Unmarshal([]byte(`{"data":`), &struct{}{})
	require.Error(t, jsonErr)
	typeErr := json.Unmarshal([]byte(`{"a":"x"}`), &struct{ A int }{})
	require.Error(t, typeErr)
	tooLarge := &BodyTooLargeError{Vendor: "verifik", Limit: 1}
	api := &APIError{StatusCode: 500}
	redirect := &RedirectError{Vendor: "verifik", StatusCode: 302, Host: "elsewhere.test"}
	origin := &OriginError{Vendor: "verifik", Host: "elsewhere.test"}

	tests := []struct {
		name string
		in   error
		want func(t *testing.T, got error)
	}{
		{name: "nil", in: nil, want: func(t *testing.T, got error) { assert.NoError(t, got) }},
		{name: "truncated json", in: jsonErr, want: func(t *testing.T, got error) {
			var de *DecodeError
			require.ErrorAs(t, got, &de)
			assert.Equal(t, "getProject", de.Operation)
			assert.ErrorIs(t, got, ErrDecode)
			_ = syntax
		}},
		{name: "wrong type", in: typeErr, want: func(t *testing.T, got error) { assert.ErrorIs(t, got, ErrDecode) }},
		{name: "body too large passes", in: tooLarge, want: func(t *testing.T, got error) { assert.Same(t, tooLarge, got) }},
		{name: "api error passes", in: api, want: func(t *testing.T, got error) { assert.Same(t, api, got) }},
		// Not a *RequestError: that would read as "retry later".
		{name: "redirect error passes", in: redirect, want: func(t *testing.T, got error) { assert.Same(t, redirect, got) }},
		{name: "origin error passes", in: origin, want: func(t *testing.T, got error) { assert.Same(t, origin, got) }},
		{name: "other", in: errors.New("boom"), want: func(t *testing.T, got error) {
			var re *RequestError
			require.ErrorAs(t, got, &re)
			assert.Equal(t, "verifik getProject: request failed: boom", got.Error())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.want(t, c.Wrap(ctx, "", tt.in)) })
	}
}
