package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Check turns a vendor response into an error: nil for 2xx and 3xx, else an
// *APIError built from whichever vendor error body it finds. op names the
// operation (the spec's operationId); when empty the one from ctx is used.
// body is the response body already read by the generated client.
func (c *Client) Check(ctx context.Context, op string, resp *http.Response, body []byte) error {
	if op == "" {
		op = Operation(ctx)
	}
	if resp == nil {
		return &RequestError{Vendor: c.vendor, Operation: op, Err: errors.New("no HTTP response")}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		return nil
	}
	return c.apiError(op, resp, body)
}

// apiError builds the *APIError for a non-success response.
func (c *Client) apiError(op string, resp *http.Response, body []byte) *APIError {
	if int64(len(body)) > c.maxBody {
		body = body[:c.maxBody]
	}
	e := &APIError{
		Vendor:     c.vendor,
		Operation:  op,
		StatusCode: resp.StatusCode,
		Retryable:  retryableStatus(resp.StatusCode),
		body:       body,
	}
	if rb, ok := resp.Body.(*responseBody); ok {
		e.Attempts = rb.attempts
		if op == "" {
			e.Operation = rb.op
		}
	}
	e.OutcomeUnknown = ambiguousStatus(resp.StatusCode) && c.retry.Classify(c.vendor+"/"+e.Operation) == Unsafe
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	code, msg, rid := parseErrorBody(resp.StatusCode, body)
	e.Code = sanitize(code, 100)
	e.Message = sanitize(msg, maxMessageRunes)
	if rid == "" {
		rid = requestID(resp.Header)
	}
	e.RequestID = sanitize(rid, 100)
	return e
}

// vendorError is the union of the error bodies the specs describe:
//
//	Verisoul liveness  {"request_id": "...", "success": false, "error": "session_not_found"}
//	Verisoul core      {"statusCode": 400, "message": "Account not found", "error": "Bad Request"}
//	iProov             {"error": "invalid_key", "error_description": "..."}
//	Verifik            {"code": "MissingParameter", "message": "...", "status": 409}
//
// Fields are raw so a vendor changing a type cannot make decoding fail.
type vendorError struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription json.RawMessage `json:"error_description"`
	Code             json.RawMessage `json:"code"`
	Message          json.RawMessage `json:"message"`
	StatusCode       json.RawMessage `json:"statusCode"`
	RequestID        json.RawMessage `json:"request_id"`
	RequestIDCamel   json.RawMessage `json:"requestId"`
}

// parseErrorBody extracts code, message and request id from a vendor error
// body. Unknown shapes and non-JSON bodies yield empty strings; the raw body
// stays behind APIError.RawBody.
func parseErrorBody(status int, body []byte) (code, msg, rid string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return "", "", ""
	}
	var v vendorError
	if err := json.Unmarshal(body, &v); err != nil {
		return "", "", ""
	}
	code = str(v.Code)
	msg = str(v.ErrorDescription)
	if msg == "" {
		msg = str(v.Message)
	}
	if e := str(v.Error); e != "" {
		switch {
		case code != "":
			// Verifik-like body with an extra "error": keep "code".
		case len(v.StatusCode) > 0 && strings.EqualFold(e, http.StatusText(status)):
			// Verisoul core: "error" only repeats the status text.
		case strings.ContainsRune(e, ' ') && isCodeToken(str(v.Message)):
			// Verifik's older bodies put the sentence in "error" and the code in
			// "message": {"error": "Document validation not found",
			// "message": "DOCUMENT_VALIDATION_NOT_FOUND"}.
			code, msg = str(v.Message), e
		default:
			code = e
		}
	} else if nested := nestedError(v.Error); nested != nil && code == "" {
		// {"error": {"code": ..., "message": ...}}
		code = str(nested.Code)
		if msg == "" {
			msg = str(nested.Message)
		}
	}
	rid = str(v.RequestID)
	if rid == "" {
		rid = str(v.RequestIDCamel)
	}
	return code, msg, rid
}

// isCodeToken reports whether s reads as a machine code (one word of letters, digits,
// '_', '-', '.' or ':'), not a sentence.
func isCodeToken(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

func nestedError(raw json.RawMessage) *vendorError {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var v vendorError
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return &v
}

// str returns a JSON string's value, or a JSON number's text; anything else
// (objects, arrays, booleans, null) gives "".
func str(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw)
	}
	return ""
}

// requestIDHeaders are the headers vendors and their gateways use for a
// request id, in order of preference.
var requestIDHeaders = []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid", "X-Amz-Request-Id", "X-Correlation-Id", "X-Trace-Id"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// Wrap gives a typed error for whatever a generated client call returned:
// errors from this package pass through unchanged, JSON decoding failures
// become *DecodeError, anything else becomes *RequestError. nil stays nil.
func (c *Client) Wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if op == "" {
		op = Operation(ctx)
	}
	var (
		apiErr  *APIError
		reqErr  *RequestError
		bigErr  *BodyTooLargeError
		valErr  *ValidationError
		decErr  *DecodeError
		redErr  *RedirectError
		orgErr  *OriginError
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &apiErr), errors.As(err, &reqErr), errors.As(err, &bigErr),
		errors.As(err, &valErr), errors.As(err, &decErr), errors.As(err, &redErr), errors.As(err, &orgErr):
		return err
	case errors.As(err, &syntax), errors.As(err, &typeErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Vendor: c.vendor, Operation: op, StatusCode: answered(ctx), Err: err}
	}
	if status := answered(ctx); status != 0 {
		// The whole answer arrived, so what failed is decoding it: a value
		// the generated types parse themselves (UUIDs, times, headers).
		return &DecodeError{Vendor: c.vendor, Operation: op, StatusCode: status, Err: &valueError{err: err}}
	}
	return &RequestError{Vendor: c.vendor, Operation: op, Err: err}
}

// valueError hides the text of a value's parse error, which quotes the value
// (time.ParseError does), behind its type; errors.As still reaches it.
type valueError struct{ err error }

func (e *valueError) Error() string {
	return fmt.Sprintf("a value does not have the documented format (%T)", e.err)
}

func (e *valueError) Unwrap() error { return e.err }
