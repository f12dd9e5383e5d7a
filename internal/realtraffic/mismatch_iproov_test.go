package realtraffic_test

// knownMismatchIProov is the IProov part of knownMismatch (see realtraffic_test.go).
//
// What is left needs the contract kit itself (pkg/contract reading a JSON body labelled
// text/plain by its bytes); the spec cannot express a JSON schema for a text/plain body
// that kin-openapi would apply.
var knownMismatchIProov = map[string]mismatch{
	// --- iProov (api/iproov/claim.yaml) ---
	"iproov/android-fuel-enrol-validate": {classContentType,
		"claim.yaml /claim/enrol/validate requestBody (accept a JSON body labelled text/plain), or pkg/contract: read JSON by its bytes",
		"iProov/android-api-client@dba9162 kotlin-fuel ApiClientFuel.kt validate() sets no Content-Type; Fuel 2.3.1 Request.body(String) labels it text/plain; charset=UTF-8"},
	"iproov/android-fuel-verify-validate": {classContentType,
		"claim.yaml /claim/verify/validate requestBody (as enrol/validate)",
		"iProov/android-api-client@dba9162 kotlin-fuel ApiClientFuel.kt validate(), Fuel 2.3.1 default text/plain"},
	"iproov/android-fuel-invalidate": {classContentType,
		"claim.yaml /claim/{token}/invalidate requestBody (as enrol/validate)",
		"iProov/android-api-client@dba9162 kotlin-fuel ApiClientFuel.kt invalidate(), Fuel 2.3.1 default text/plain"},
}
