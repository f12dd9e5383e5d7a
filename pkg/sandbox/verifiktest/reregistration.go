package verifiktest

// What registering an already registered email or phone answers: Verifik's pages disagree.

import (
	"net/http"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// Reregistration is what createAppRegistration answers for an email or phone already
// registered in the flow. Verifik's pages disagree, so the emulator lets a test pick; the
// default is what the newest pages document.
type Reregistration int

const (
	// ReregisterConflict answers 409 email_is_registered_already or
	// phone_is_registered_already: the newest create-an-app-registration page and the
	// "Resume an Incomplete Enrollment" guide (github:Open-Verifik/verifik-documentation
	// @e89d19f docs/smartenroll/smartenroll-resume.md), which resume the registrant through
	// resend-link instead. The default.
	ReregisterConflict Reregistration = iota
	// ReregisterRestarts returns the same registration with a new token and drops its
	// earlier email and phone validations (the Smart Enroll tutorial and the page's earlier
	// text, github:Open-Verifik/verifik-documentation@4c7d37e
	// docs/resources/app-registrations/create-an-app-registration.mdx).
	ReregisterRestarts
	// ReregisterPreconditionFailed answers 412 with code Conflict and the message
	// email_is_registered_already (an older, GitBook-era revision of the same page).
	ReregisterPreconditionFailed
)

// WithReregistration sets what registering an already registered email or phone answers.
func WithReregistration(r Reregistration) Option { return func(e *Emulator) { e.reregistration = r } }

// registeredAlready applies the emulator's Reregistration to an existing registration
// found by email (when one was sent and matches) or phone. Called with e.mu held.
func (e *Emulator) registeredAlready(reg *registration, email string) *apiError {
	code := smartenroll.ErrorCodePhoneIsRegisteredAlready
	if email != "" && reg.email == email {
		code = smartenroll.ErrorCodeEmailIsRegisteredAlready
	}
	switch e.reregistration {
	case ReregisterConflict:
		return reason(http.StatusConflict, code)
	case ReregisterPreconditionFailed:
		return classic(http.StatusPreconditionFailed, smartenroll.ErrorCodeConflict, string(code))
	}
	return nil
}
