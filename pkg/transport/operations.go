package transport

// Safety says whether an operation may be sent twice.
type Safety int

const (
	// Unsafe operations create or consume vendor state (enrol, verify,
	// validate, OTP confirmation, sync): a duplicate could enrol twice or
	// burn a one-shot token. They are retried only when the request provably
	// never reached the vendor (dial and DNS errors). The zero value, so
	// anything unclassified is unsafe.
	Unsafe Safety = iota
	// Safe operations are reads, or writes whose duplicate is harmless (token
	// issuance). They are retried on connection errors, 429 and 5xx except 501.
	Safe
)

func (s Safety) String() string {
	if s == Safe {
		return "safe"
	}
	return "unsafe"
}

// operationSafety classifies every generated operation, keyed
// "<vendor>/<operationId>" with the operationId exactly as in the spec.
// It is the one place retry safety is decided (issue 6);
// TestOperationTableMatchesSpecs fails when a spec operation is missing or an
// entry names no operation. Anything missing at run time is Unsafe, so a
// forgotten entry costs a retry, never a duplicate.
//
// The rules:
//   - Safe: reads, and issuance of a token or session whose unused duplicate
//     expires harmlessly.
//   - Safe: writes that set a state to a value given in full, so a second
//     identical call leaves what the first left (partial PUTs of fields,
//     status setters). Not when the write renames the resource it addresses.
//   - Unsafe: everything that enrols, verifies, validates, sends or
//     confirms a code, syncs, creates a resource or deletes one — and every
//     paid check, since a duplicate bills twice.
var operationSafety = map[string]Safety{
	// Verisoul Face Match (api/verisoul/facematch.yaml) and ID Check
	// (api/verisoul/idcheck.yaml). Sessions are created by a GET; a
	// duplicate session is never captured and simply expires.
	"verisoul/createFaceMatchSession":  Safe,
	"verisoul/createIDCheckSession":    Safe,
	"verisoul/redirectToFaceMatch":     Safe, // public 302 to a new session: same as above
	"verisoul/redirectToIDCheck":       Safe,
	"verisoul/enrollFaceMatch":         Unsafe, // ties the session to an account, once
	"verisoul/enrollIDCheck":           Unsafe,
	"verisoul/verifyFace":              Unsafe, // billed per call; no idempotency documented
	"verisoul/verifyID":                Unsafe,
	"verisoul/verifyIdentityFaceMatch": Unsafe,
	"verisoul/verifyUniqueness":        Unsafe, // legacy verify-face: billed per call, no idempotency documented
	"verisoul/verifyDocument":          Unsafe, // legacy verify-id: the same

	// iProov claim API v2 (api/iproov/claim.yaml). An unused claim token or
	// access token expires harmlessly.
	"iproov/userEnrolServerToken":  Safe,
	"iproov/userVerifyServerToken": Safe,
	"iproov/generateToken":         Safe, // OAuth access token
	"iproov/userGet":               Safe,
	"iproov/platformAvailable":     Safe,
	"iproov/userActivate":          Safe,   // sets status Active: a repeat leaves it Active
	"iproov/userSuspend":           Safe,   // sets status Suspended: a repeat leaves it Suspended
	"iproov/userEnrolImage":        Unsafe, // enrols the user and spends the token
	"iproov/userEnrolValidate":     Unsafe, // one-shot per token; activates the user
	"iproov/userVerifyValidate":    Unsafe, // one-shot per token: the result is answered once
	"iproov/invalidateToken":       Unsafe, // a repeat answers invalid_token, hiding the success
	"iproov/userUpdate":            Unsafe, // may rename the user_id it addresses: a repeat hits the old id
	"iproov/userDelete":            Unsafe, // a repeat answers invalid_user_id, hiding the success

	// Verifik Smart Enroll (api/verifik/smartenroll.yaml).
	"verifik/listProjects":              Safe,
	"verifik/getProject":                Safe,
	"verifik/listProjectFlows":          Safe,
	"verifik/getProjectFlow":            Safe,
	"verifik/getAppRegistration":        Safe,
	"verifik/getCurrentAppRegistration": Safe, // a read sent as POST /me
	// Partial updates: the fields sent are set to the values sent, so a
	// repeat changes nothing more (no counters, no renames of the id).
	"verifik/updateProject":     Safe,
	"verifik/updateProjectFlow": Safe,
	"verifik/createProject":     Unsafe, // a second project
	"verifik/createProjectFlow": Unsafe, // a second flow
	"verifik/deleteProjectFlow": Unsafe, // a repeat answers 404, hiding the success (and 409 while registrants are mid-journey)
	// A second registration with the same email or phone is refused (409
	// email_is_registered_already / phone_is_registered_already): a repeat
	// after a lost answer would turn the first call's success into that 409
	// and never return the token. Unsafe: reconcile as docs/RELIABILITY.md
	// says, then resume through resend-link.
	"verifik/createAppRegistration":       Unsafe,
	"verifik/deleteAppRegistration":       Unsafe,
	"verifik/syncAppRegistration":         Unsafe, // moves the registrant through the flow
	"verifik/createEmailValidation":       Unsafe, // sends the code again to the registrant
	"verifik/createPhoneValidation":       Unsafe, // sends a billed SMS/WhatsApp again
	"verifik/validateEmailValidation":     Unsafe, // OTP confirmation
	"verifik/validatePhoneValidation":     Unsafe, // OTP confirmation
	"verifik/createDocumentValidation":    Unsafe, // OCR, billed; records a validation
	"verifik/createNameValidation":        Unsafe, // registry check, billed
	"verifik/createBiometricValidation":   Unsafe, // liveness and duplicate search, billed
	"verifik/compareAppRegistrationFaces": Unsafe, // face compare, billed; records the score
	"verifik/requestCriminalCheck":        Unsafe, // background check, billed
	// Webhooks. An update sets the fields sent; link/unlink set
	// membership, so a repeat leaves what the first left.
	"verifik/listWebhooks":  Safe,
	"verifik/getWebhook":    Safe,
	"verifik/updateWebhook": Safe,
	"verifik/createWebhook": Unsafe, // a second webhook: events delivered twice
	"verifik/deleteWebhook": Unsafe, // a repeat answers 404, hiding the success
	// The web SDK's routes, list and admin calls, and the v3 projects API.
	"verifik/listAppRegistrations":            Safe,
	"verifik/getPublicProject":                Safe,
	"verifik/getIdentityImages":               Safe,
	"verifik/listProjectsV3":                  Safe,
	"verifik/getProjectV3":                    Safe,
	"verifik/updateProjectV3":                 Safe, // sets the fields given
	"verifik/listDocumentValidations":         Safe,
	"verifik/getDocumentValidation":           Safe,
	"verifik/updateAppRegistration":           Safe,   // links a validation or sets the phone given
	"verifik/createProjectV3":                 Unsafe, // a second project, or a name conflict
	"verifik/deleteProjectV3":                 Unsafe, // a repeat answers 404, hiding the success
	"verifik/deleteDocumentValidation":        Unsafe, // the same
	"verifik/deleteBiometricValidation":       Unsafe, // the same
	"verifik/resendAppRegistrationLink":       Unsafe, // a second token, and with sendEmail a second email
	"verifik/createEmailValidationForProject": Unsafe, // sends the code again
	"verifik/createPhoneValidationForProject": Unsafe, // sends a billed SMS again
	"verifik/validateEmailValidationByEmail":  Unsafe, // OTP confirmation
	"verifik/validatePhoneValidationByPhone":  Unsafe, // OTP confirmation
}

// classify is the default RetryPolicy.Classify: a lookup in operationSafety.
func classify(key string) Safety {
	return operationSafety[key] // missing → Unsafe (zero value)
}

// OperationSafety returns how the retry table classifies a vendor's
// operation (vendor as given to New, operationId as in the spec). Unknown
// operations are Unsafe. Integrators use it to decide, like the transport,
// whether a failed call may simply be sent again.
func OperationSafety(vendor, operationID string) Safety {
	return classify(vendor + "/" + operationID)
}
