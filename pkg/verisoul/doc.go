// Package verisoul is idvkit's client for Verisoul Face Match and ID Check
// (https://docs.verisoul.ai), built on the clients generated from api/verisoul/*.yaml.
//
// A verification is several backend steps around one end-user step: the user completes a
// liveness capture (and, for ID Check, a document scan) on Verisoul's hosted page. Keep
// the Session between steps (it marshals to JSON; printing it redacts the id).
//
// Uniqueness (1:N) at sign-up:
//
//	s, err := client.StartSession(ctx, verisoul.SessionOptions{})          // GET /liveness/session
//	page, err := client.CaptureURL(s, verisoul.CaptureOptions{RedirectURL: back, Language: "en"})
//	// … the user completes the capture; your redirect handler gets r.URL:
//	o, err := verisoul.ParseRedirect(r.URL)                                // session_id, success, error_message
//	out, err := client.CheckUniqueness(ctx, s, accountID, verisoul.UniquenessRules())
//	// POST /liveness/verify-face, your policy, POST /liveness/enroll only if it accepts;
//	// out.Verdict says why.
//
// Authentication (1:1): Enroll at sign-up, later StartSession → capture → VerifyIdentity,
// whose Outcome tells SamePerson, DifferentPerson and NotCompleted apart.
//
// ID Check: StartIDCheckSession → capture → CheckID (POST /liveness/verify-id, a document
// policy on validity, face-to-document score, age and expiry, then enrol).
//
// Legacy endpoints: integrators still on Verisoul's replaced calls use VerifyUniqueness
// (POST /liveness/verify-uniqueness) and VerifyDocument (POST /liveness/verify-document),
// both Deprecated, typed and contract-checked like the rest; their answers keep the legacy
// shapes (scores to 100, boolean signals).
//
// Errors: bad input is a *transport.ValidationError before any call (session ids must
// be UUIDs, account ids non-empty, sessions at most 30 days old when their age is known);
// Verisoul's answers are *transport.APIError, whose code CodeOf returns
// ("session_not_found", "account_not_found", …).
//
// Tests and demos run against the emulator in package
// github.com/idvkit/idvkit/pkg/sandbox/verisoultest: point WithBaseURL at it and WithAppURL at
// its AppPath.
package verisoul
