// Package iproov is idvkit's client for iProov's REST API v2 (the claim API), generated
// from api/iproov/claim.yaml and wrapped in the journeys iProov's integration guides
// describe. One method per backend step, named for it:
//
//	Photo enrol      EnrolToken → EnrolImage → VerifyToken → (SDK) → VerifyValidate   (or PhotoEnrol → … → VerifyValidate)
//	Capture enrol    EnrolToken → (SDK) → EnrolValidate
//	Verify           VerifyToken → (SDK) → VerifyValidate
//	Management API   GetUser, UpdateUser, DeleteUser, ActivateUser, SuspendUser (OAuth token cached and renewed)
//
// Between steps the state is a [Claim]: a small JSON value to store with the user record
// (its String, GoString and LogValue never show the token). The end user's step happens in
// iProov's client SDK, launched with Claim.Token within [ClaimWindow].
//
// iProov's rules are checked before any network call: the user_id format, a non-empty
// resource, a known image source, the image type (by its bytes) and size, the claim window
// of a photo enrol, and one-shot validation - a Claim is marked Used when validated, and
// the client remembers the tokens it spent, so a second validation of the same token
// fails with [ErrClaimUsed] instead of reaching iProov. Those failures are
// *transport.ValidationError; vendor failures are *transport.APIError carrying iProov's
// code (see [CodeOf]).
//
// Tests and demos run against the emulator in package
// github.com/idvkit/idvkit/pkg/sandbox/iproovtest (see the examples).
package iproov
