package iproov

import (
	"errors"

	"github.com/idvkit/idvkit/pkg/transport"
)

// ErrorCode is iProov's error code (the `error` of its error body). Unknown codes may
// appear; treat them as a generic failure of the HTTP status.
type ErrorCode string

// iProov's documented error codes.
const (
	CodeInvalidUserID        ErrorCode = "invalid_user_id"       // malformed, or no such user (Management API)
	CodeInvalidToken         ErrorCode = "invalid_token"         // unknown, expired, other type, spent, or SDK not finished
	CodeInvalidValidation    ErrorCode = "invalid_validation"    // user_id or risk_profile does not match the token
	CodeInvalidReason        ErrorCode = "invalid_reason"        // invalidate reason not allowed
	CodeInvalidRiskAppetite  ErrorCode = "invalid_risk_appetite" // risk profile unknown, malformed, or needed
	CodeInvalidGrant         ErrorCode = "invalid_grant"
	CodeInvalidRequest       ErrorCode = "invalid_request"
	CodeInvalidClient        ErrorCode = "invalid_client" // wrong OAuth username or password
	CodeInvalidScope         ErrorCode = "invalid_scope"
	CodeUnsupportedGrantType ErrorCode = "unsupported_grant_type"
	CodeMissingData          ErrorCode = "missing_data"
	CodeNoUser               ErrorCode = "no_user"       // verify for a user never enrolled
	CodeInactiveUser         ErrorCode = "inactive_user" // verify for a suspended user
	CodeInvalidEnrolImage    ErrorCode = "invalid_enrol_image"
	CodeInvalidSource        ErrorCode = "invalid_source"
	CodeAlreadyEnrolled      ErrorCode = "already_enrolled" // enrol for an enrolled user: verify, delete it, or use a new id
	CodeInvalidKey           ErrorCode = "invalid_key"      // wrong api_key/secret, or the wrong region
	CodeInvalidOAuth         ErrorCode = "invalid_oauth"    // bearer token missing, expired, or without the scope
	CodeTokenQuotaExceeded   ErrorCode = "token_quota_exceeded"
	CodeInvalidAssuranceType ErrorCode = "invalid_assurance_type" // assurance type not enabled for the service provider
	CodeTooManyRequests      ErrorCode = "too_many_requests"
	CodeServerError          ErrorCode = "server_error"
)

// CodeOf returns iProov's error code carried by err (a *transport.APIError anywhere in its
// chain), or "" when err is nil or carries none.
func CodeOf(err error) ErrorCode {
	var apiErr *transport.APIError
	if errors.As(err, &apiErr) {
		return ErrorCode(apiErr.Code)
	}
	return ""
}
