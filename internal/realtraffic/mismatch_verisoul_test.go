package realtraffic_test

// knownMismatchVerisoul is the Verisoul part of knownMismatch (see realtraffic_test.go).
// Empty: the legacy verify-uniqueness and verify-document are specified
// (api/verisoul/facematch.yaml, idcheck.yaml, deprecated: true).
var knownMismatchVerisoul = map[string]mismatch{}
