package realtraffic_test

// knownMismatchIProov is the IProov part of knownMismatch (see realtraffic_test.go).
//
// Empty: the last items, the JSON bodies iProov's Android Fuel client labels text/plain
// (iProov/android-api-client@dba9162 kotlin-fuel ApiClientFuel.kt validate() and
// invalidate(); Fuel 2.3.1 Request.body(String) defaults to text/plain; charset=UTF-8),
// are read by their bytes in pkg/contract and reported as drift (RuleContentTypeLabel).
var knownMismatchIProov = map[string]mismatch{}
