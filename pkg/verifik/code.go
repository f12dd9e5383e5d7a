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
