// Package soak holds the reliability soak test of issue 6 (soak_test.go): complete
// verification journeys of every vendor, run concurrently through the real clients against
// the in-process emulators while the sandbox fault injector breaks a fraction of the calls.
// It checks that every journey ends completed or with a typed error that says what to do,
// that no enrolment is duplicated or lost, and that nothing leaks or panics.
//
//	go test -race ./internal/soak/                                 # 1,000 journeys, 20% faults
//	go test -run TestSoak -v ./internal/soak/ -soak.journeys=10000 # longer (make soak)
//
// See docs/RELIABILITY.md for what it asserts and the figures of a run.
package soak
