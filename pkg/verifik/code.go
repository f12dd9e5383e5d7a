package verifik

import (
	"errors"

	"github.com/idvkit/idvkit/pkg/transport"
)

// ErrorCode is Verifik's error code as its API answers it ("otp_does_not_match",
// "person_already_set", "MissingParameter", …). Verifik grows the list without notice: compare
// against the codes you act on and treat any other as a refusal to look at.
type ErrorCode string

// CodeOf returns Verifik's error code carried by err (a *transport.APIError of Verifik
// anywhere in its chain), or "" when err is nil or carries none; as verisoul.CodeOf and
// iproov.CodeOf do for theirs.
func CodeOf(err error) ErrorCode {
	var apiErr *transport.APIError
	if errors.As(err, &apiErr) && apiErr.Vendor == vendor {
		return ErrorCode(apiErr.Code)
	}
	return ""
}

// ready refuses a Client that New did not build (its zero value, a nil pointer) with a
// typed error instead of a panic, before any network call.
func (c *Client) ready(op string) error {
	if c == nil || c.tc == nil || c.api == nil {
		return transport.Invalid(vendor, op, "client", "is not configured: build it with New")
	}
	return nil
}
