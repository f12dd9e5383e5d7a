package verifik

// Registering an email or phone that already has a registration: Verifik refuses it and
// resumes the registrant through resend-link.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/pkg/transport"
)

// AlreadyRegisteredError is Register (or ChangePhone) refused because the email or phone
// already belongs to a registration of the flow. It matches ErrAlreadyRegistered, and
// errors.As still finds the *transport.APIError.
//
// The documented way on is to resume the registration you stored: Client.ResendLink with
// its id mints a fresh 30-minute link ("Resume an Incomplete Enrollment",
// github:Open-Verifik/verifik-documentation@e89d19f docs/smartenroll/smartenroll-resume.md:
// "Store the App Registration _id from the first session"). There is no
// Client.ResumeRegistration(flow, who) that finds it by email or phone: the list API
// documents no email or phone filter (list-all-app-registrations.mdx @6e23e6d: status,
// project and flow only), and scanning every registrant's contact data to find one would
// read personal data page after page.
type AlreadyRegisteredError struct {
	// Contact is "email" or "phone": which one Verifik found registered.
	Contact string
	Err     *transport.APIError
}

// Error names the contact kind and Verifik's status and code, never the address.
func (e *AlreadyRegisteredError) Error() string {
	return vendor + " " + e.Err.Operation + ": " + e.Contact + " already registered (HTTP " +
		strconv.Itoa(e.Err.StatusCode) + " " + e.Err.Code + "): resume the stored registration with ResendLink"
}

// Unwrap exposes ErrAlreadyRegistered and the *transport.APIError.
func (e *AlreadyRegisteredError) Unwrap() []error { return []error{ErrAlreadyRegistered, e.Err} }

// alreadyRegistered recognises both documented answers: 409 with the reason as the code
// (the newest page) and 412 with code Conflict and the reason as the message (an older
// revision). Any other error is returned as it is.
func alreadyRegistered(err error) error {
	var api *transport.APIError
	if !errors.As(err, &api) {
		return err
	}
	reason := api.Code
	if api.StatusCode == http.StatusPreconditionFailed && api.Code == "Conflict" {
		reason = strings.TrimSpace(api.Message)
	}
	switch {
	case strings.HasSuffix(reason, "email_is_registered_already"):
		return &AlreadyRegisteredError{Contact: "email", Err: api}
	case strings.HasSuffix(reason, "phone_is_registered_already"):
		return &AlreadyRegisteredError{Contact: "phone", Err: api}
	}
	return err
}
