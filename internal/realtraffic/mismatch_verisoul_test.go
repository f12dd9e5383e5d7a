package realtraffic_test

// knownMismatchVerisoul is the Verisoul part of knownMismatch (see realtraffic_test.go).
var knownMismatchVerisoul = map[string]mismatch{
	// --- Verisoul (api/verisoul/facematch.yaml, idcheck.yaml) ---
	"verisoul/legacy-verify-uniqueness": {classOperation,
		"facematch.yaml: post /liveness/verify-uniqueness, deprecated: true ({request_id, success, matches[{account_id, score}]})",
		"https://docs.verisoul.ai/api-reference/face-match/verify-uniqueness (older revision)"},
	"verisoul/legacy-verify-document": {classOperation,
		"idcheck.yaml: post /liveness/verify-document, deprecated: true (scores 0-100, boolean signals, non-UUID referring_session_id, nullable document fields)",
		"https://docs.verisoul.ai/api-reference/id-check/verify-document and https://docs.id-check.verisoul.ai/api/verify-document"},
}
