package realtraffic_test

// knownMismatchVerifik is the Verifik part of knownMismatch (see realtraffic_test.go).
var knownMismatchVerifik = map[string]mismatch{
	// --- Verifik (api/verifik/smartenroll.yaml) ---
}
