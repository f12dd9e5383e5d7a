// Package verifik runs Verifik Smart Enroll onboarding journeys
// (https://docs.verifik.co/services/verifik-enroll-code-solution-via-api/tutorial).
//
// Verifik uses two bearer tokens. A Client holds the account's client token: it sets up
// the project and its flow once (Setup, from BasicEnrollment or FullVerification like
// the tutorial), registers end users (Register) and reviews them (Review). Register
// returns a Registrant holding that end user's app-registration token; its methods are
// the journey, one per Verifik step:
//
//	SendEmailCode, ConfirmEmailCode   POST /v2/email-validations/app-registration, PUT /v2/email-validations/{id}
//	SendPhoneCode, ConfirmPhoneCode   POST /v2/phone-validations/app-registration, PUT /v2/phone-validations
//	SubmitDocument                    POST /v2/document-validations/app-registration
//	CheckNames (add-on)               PUT  /v2/document-validations/{id}/validate
//	SubmitSelfie                      POST /v2/biometric-validations/app-registration
//	CompareFaces                      POST /v2/face-recognition/compare/app-registration
//	CheckCriminalRecord (add-on)      PUT  /v2/information-validations/{id}/background-check
//	Advance, Finish, SkipKYC          PUT  /v2/app-registrations/{id}/sync
//	Refresh                           POST /v2/app-registrations/me
//	RetakeSelfie                      POST /v2/app-registrations/me, DELETE /v2/biometric-validations/{id},
//	                                  POST /v2/biometric-validations/app-registration
//	ChangePhone                       PUT  /v2/app-registrations/{id}, POST /v2/phone-validations/app-registration
//
// RetakeSelfie and ChangePhone are the corrections Verifik's web SDK offers mid-journey
// (take the selfie again, replace a mistyped phone); each says which State it resets.
//
// Registering an email or phone the flow already holds is refused with
// ErrAlreadyRegistered (an *AlreadyRegisteredError): that person has a registration
// already. Resume it instead of registering again — Client.ResendLink with the
// registration id you stored from the first Register mints a fresh link, as Verifik's
// resume guide asks. Store State (or at least its AppRegistrationID) at Register for that.
//
// The Client also administers the account's projects with Verifik's v3 API: Projects,
// Project, UpdateProject and DeleteProject (GET, PUT, DELETE /v3/projects/{id}). Only a
// draft or paused project can be deleted: pause it with UpdateProject first.
//
// The end user captures in the browser between steps, so a journey spans requests: keep
// Registrant.State (small, JSON) with the user record and continue with Client.Resume.
// State holds the token; its String, GoString and LogValue never show it.
//
// The flow's own settings gate the journey before any network call: a step the flow
// skips is not offered (ErrStepNotOffered), Finish(Completed) needs the sign-up codes and
// every mandatory step (ErrStepsIncomplete), SkipKYC needs a flow without mandatory KYC
// (ErrSkipNotAllowed), attempts stop at the flow's maxAttempts, and CompareFaces judges
// the score with the flow's compareMinScore. Bad input (email, country code, 6-digit
// code, base64 image, OS) is a *transport.ValidationError, also before any call. Vendor
// errors are *transport.APIError; the ones a journey branches on also match a sentinel
// (ErrCodeMismatch, ErrCodeExpired, ErrLivenessFailed, ErrDuplicateFace, …).
//
// Test against package sandbox/verifiktest, an offline emulator of the same API.
package verifik
