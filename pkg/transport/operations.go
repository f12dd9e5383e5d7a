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
// It is the one place retry safety is decided (issue 6); anything missing
// is Unsafe, so a forgotten entry costs a retry, never a duplicate.
//
// Mark an operation Safe only if sending it twice cannot change the
// outcome: GETs, and token issuance where an unused extra token expires
// harmlessly. Everything that enrols, verifies, validates, confirms an OTP,
// syncs or deletes stays Unsafe unless the vendor documents idempotency.
var operationSafety = map[string]Safety{
	// Verisoul Face Match and ID Check (api/verisoul/*.yaml).
	"verisoul/enrollFaceMatch":         Unsafe, // ties a face to an account
	"verisoul/verifyFace":              Unsafe,
	"verisoul/verifyIdentityFaceMatch": Unsafe,
	"verisoul/enrollIDCheck":           Unsafe,
	"verisoul/verifyID":                Unsafe,

	// iProov claim API (api/iproov/claim.yaml). Token issuance is a harmless
	// duplicate: an unused token expires. Enrol, validate and user changes
	// are not.
	"iproov/userEnrolServerToken":  Safe,
	"iproov/userVerifyServerToken": Safe,
	"iproov/generateToken":         Safe, // OAuth access token
	"iproov/userGet":               Safe,
	"iproov/userEnrolImage":        Unsafe,
	"iproov/userEnrolValidate":     Unsafe, // one-shot per token
	"iproov/userVerifyValidate":    Unsafe, // one-shot per token
	"iproov/invalidateToken":       Unsafe,
}

// classify is the default RetryPolicy.Classify: a lookup in operationSafety.
func classify(key string) Safety {
	return operationSafety[key] // missing → Unsafe (zero value)
}
