package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinels matched by *APIError through errors.Is. They classify the HTTP
// status so callers can branch without knowing each vendor's error codes.
var (
	ErrUnauthorized   = errors.New("unauthorized")        // 401
	ErrForbidden      = errors.New("forbidden")           // 403
	ErrNotFound       = errors.New("not found")           // 404
	ErrRateLimited    = errors.New("rate limited")        // 429
	ErrInvalidRequest = errors.New("invalid request")     // 400, 409, 412, 422
	ErrConflict       = errors.New("conflict")            // 409 (Verifik also uses it for missing parameters)
	ErrServer         = errors.New("vendor server error") // 5xx
)

// ErrValidation is matched by every *ValidationError: bad input caught before
// any network call.
var ErrValidation = errors.New("invalid input")

// ErrBodyTooLarge is matched by *BodyTooLargeError.
var ErrBodyTooLarge = errors.New("response body too large")

// ErrDecode is matched by *DecodeError: a response that could not be decoded.
var ErrDecode = errors.New("malformed response body")

// ErrRedirect is matched by *RedirectError: a vendor call answered with a
// redirect that was not followed.
var ErrRedirect = errors.New("redirect not followed")

// ErrForeignOrigin is matched by *OriginError: a request aimed outside the
// base URL's origin.
var ErrForeignOrigin = errors.New("request outside the base URL's origin")

// ErrOutcomeUnknown is matched by the error of an Unsafe operation (see
// OperationSafety) that reached the vendor but whose answer was lost or
// ambiguous: the connection broke after the request was written, the body
// was cut short, a timeout or cancellation struck after the write, or the
// vendor answered 500, 502 or 504. The vendor may have enrolled, verified or
// spent the token. Sending the call again could act twice: first ask the
// vendor what happened (read the user, the session or the registration),
// then continue or send again.
var ErrOutcomeUnknown = errors.New("outcome unknown: the vendor may have acted; reconcile before retrying")

// outcomeNote is appended to error strings of outcome-unknown failures.
const outcomeNote = " (outcome unknown: the vendor may have acted; reconcile before retrying)"

// maxMessageRunes caps vendor text copied into error strings: vendors echo
// input back in messages, so a short cap limits what can leak.
const maxMessageRunes = 200

// APIError is a non-2xx/3xx answer from a vendor. The raw (size-capped)
// response body is kept for debugging behind RawBody, never in Error() nor
// in json.Marshal of the error: vendors echo input (names, document numbers)
// back in error bodies.
type APIError struct {
	Vendor     string
	Operation  string
	StatusCode int
	Code       string // vendor error code ("session_not_found", "invalid_key", "MissingParameter")
	Message    string // vendor message, sanitised and truncated
	RequestID  string
	Retryable  bool          // 429 and 5xx except 501
	RetryAfter time.Duration // from the Retry-After header, 0 when absent
	Attempts   int           // attempts made by the transport, 0 when unknown
	// OutcomeUnknown: an Unsafe operation answered 500, 502 or 504, which a
	// vendor or its gateway may send after acting. errors.Is(err,
	// ErrOutcomeUnknown) reports it; check it before Retryable.
	OutcomeUnknown bool
	// body is the raw body, reachable through RawBody and never marshalled:
	// json.Marshal of an error (structured logs, API answers) must not carry
	// what the vendor echoed back.
	body []byte
}

// RawBody returns the vendor's raw error body, size-capped. It may hold
// personal data the vendor echoed back: keep it out of logs.
func (e *APIError) RawBody() []byte { return e.body }

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(prefix(e.Vendor, e.Operation))
	b.WriteString("HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	var extra []string
	if e.RequestID != "" {
		extra = append(extra, "request id "+e.RequestID)
	}
	if e.Attempts > 1 {
		extra = append(extra, strconv.Itoa(e.Attempts)+" attempts")
	}
	if len(extra) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(extra, ", "))
		b.WriteString(")")
	}
	if e.OutcomeUnknown {
		b.WriteString(outcomeNote)
	}
	return b.String()
}

// Is maps the status code onto the package sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrInvalidRequest:
		switch e.StatusCode {
		case http.StatusBadRequest, http.StatusConflict, http.StatusPreconditionFailed, http.StatusUnprocessableEntity:
			return true
		}
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	case ErrOutcomeUnknown:
		return e.OutcomeUnknown
	}
	return false
}

// ambiguousStatus reports whether a status may come after the vendor acted:
// a 500 can follow the commit, and a gateway's 502 or 504 says nothing about
// what the server behind it did. 503 and 429 mean the request was refused
// before any work.
func ambiguousStatus(code int) bool {
	return code == http.StatusInternalServerError || code == http.StatusBadGateway || code == http.StatusGatewayTimeout
}

// retryableStatus reports whether a status may succeed when sent again.
// 501 means the vendor will never support the call.
func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || (code >= 500 && code <= 599 && code != http.StatusNotImplemented)
}

// ValidationError is bad input found on the client side, before any network
// call. Reason must not quote the rejected value (it may be PII or a secret).
type ValidationError struct {
	Vendor, Operation, Field, Reason string
}

// Invalid returns a *ValidationError. Vendor packages call it before sending
// anything; reason says what is wrong without repeating the value.
func Invalid(vendor, op, field, reason string) error {
	return &ValidationError{Vendor: vendor, Operation: op, Field: field, Reason: reason}
}

func (e *ValidationError) Error() string {
	s := prefix(e.Vendor, e.Operation) + "invalid input"
	if e.Field != "" {
		s += " " + e.Field
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

func (e *ValidationError) Unwrap() error { return ErrValidation }

// RequestError is a call that got no usable HTTP response: connection
// failures, timeouts, cancellation, a body cut short, or a contract
// violation in enforce mode. Attempts counts the attempts made; Err is the
// last cause.
type RequestError struct {
	Vendor, Operation string
	Attempts          int
	Err               error
	// OutcomeUnknown: the operation is Unsafe and the last attempt's request
	// was written to the vendor before the failure, so the vendor may have
	// acted. errors.Is(err, ErrOutcomeUnknown) reports it. When false the
	// vendor cannot have acted on the last attempt and the call may be sent
	// again later.
	OutcomeUnknown bool
}

func (e *RequestError) Error() string {
	s := prefix(e.Vendor, e.Operation) + "request failed"
	if e.Attempts > 1 {
		s += " after " + strconv.Itoa(e.Attempts) + " attempts"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.OutcomeUnknown {
		s += outcomeNote
	}
	return s
}

func (e *RequestError) Unwrap() error { return e.Err }

// Is reports ErrOutcomeUnknown when OutcomeUnknown is set, and
// context.DeadlineExceeded for every timeout — the transport's own
// (net/http's "timeout awaiting response headers", a dial or TLS timeout) as
// well as a context's — so callers test one error for "too slow". Other
// targets are matched through Err.
func (e *RequestError) Is(target error) bool {
	switch target {
	case ErrOutcomeUnknown:
		return e.OutcomeUnknown
	case context.DeadlineExceeded:
		return isTimeout(e.Err)
	}
	return false
}

// isTimeout reports whether err is a timeout of any layer.
func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// RedirectError is a vendor call answered with a 3xx and a Location its
// operation does not document. The redirect is not followed: the request carries the vendor's
// credentials (a header, Basic auth, the api_key and secret in a JSON body),
// which must reach only the base URL's origin, and the target's answer would
// pass for the vendor's. Host is the redirect target's host and port, never
// its path or query (which may carry tokens). See WithRedirects.
type RedirectError struct {
	Vendor, Operation string
	StatusCode        int
	Host              string // "" when the Location did not parse
	Attempts          int    // attempts made by the transport
}

func (e *RedirectError) Error() string {
	s := prefix(e.Vendor, e.Operation) + "HTTP " + strconv.Itoa(e.StatusCode) + " redirect"
	if e.Host != "" {
		s += " to " + e.Host
	}
	return s + " not followed: credentials go only to the base URL's origin"
}

func (e *RedirectError) Unwrap() error { return ErrRedirect }

// OriginError is a request whose URL is outside the base URL's origin
// (scheme, host and port), refused before it is sent: whatever built it, the
// vendor's credentials must not go there. Host is the request's host and port.
type OriginError struct {
	Vendor, Operation string
	Host              string
}

func (e *OriginError) Error() string {
	return prefix(e.Vendor, e.Operation) + "request to " + e.Host + " refused: outside the base URL's origin"
}

func (e *OriginError) Unwrap() error { return ErrForeignOrigin }

// BodyTooLargeError is returned by a response body reader once more than
// Limit bytes were read (see WithMaxBodyBytes).
type BodyTooLargeError struct {
	Vendor, Operation string
	Limit             int64
	Attempts          int // attempts made by the transport, 0 when unknown
	// OutcomeUnknown: an Unsafe operation succeeded (or answered 500, 502 or
	// 504) and its answer is unread, so what the vendor did is lost.
	OutcomeUnknown bool
}

func (e *BodyTooLargeError) Error() string {
	s := fmt.Sprintf("%sresponse body exceeds %d bytes", prefix(e.Vendor, e.Operation), e.Limit)
	if e.Attempts > 1 {
		s += " (" + strconv.Itoa(e.Attempts) + " attempts)"
	}
	if e.OutcomeUnknown {
		s += outcomeNote
	}
	return s
}

func (e *BodyTooLargeError) Unwrap() error { return ErrBodyTooLarge }

// Is reports ErrOutcomeUnknown when OutcomeUnknown is set.
func (e *BodyTooLargeError) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.OutcomeUnknown
}

// DecodeError is a response body the generated client could not decode
// (malformed JSON on a documented status). Err is the decoder's error, which
// names types and offsets, never values.
type DecodeError struct {
	Vendor, Operation string
	StatusCode        int // 0 when unknown
	Err               error
}

func (e *DecodeError) Error() string {
	s := prefix(e.Vendor, e.Operation) + "malformed response body"
	if e.StatusCode != 0 {
		s += " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes both ErrDecode and the decoder's error.
func (e *DecodeError) Unwrap() []error { return []error{ErrDecode, e.Err} }

func prefix(vendor, op string) string {
	switch {
	case vendor != "" && op != "":
		return vendor + " " + op + ": "
	case vendor != "":
		return vendor + ": "
	case op != "":
		return op + ": "
	}
	return ""
}

// sanitize makes vendor text safe for an error string or log line: control
// characters become spaces, runs of spaces collapse, and the result is cut
// at max runes.
func sanitize(s string, max int) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		// Format characters (bidi overrides) could disguise the text in terminals.
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			space = b.Len() > 0
			continue
		}
		if n >= max {
			b.WriteString("…")
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
