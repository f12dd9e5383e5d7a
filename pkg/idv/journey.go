package idv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// Capability is what a backend asks of an identity vendor, whichever vendor it is.
type Capability string

const (
	// CapabilityUniqueness (1:N) at sign-up: is this face new among the enrolled users?
	// Verisoul Face Match (verify-face, then enrol), Verifik (selfie with duplicate search).
	CapabilityUniqueness Capability = "uniqueness"
	// CapabilityAuthentication (1:1): is this the enrolled user? Verisoul verify-identity,
	// iProov verify.
	CapabilityAuthentication Capability = "authentication"
	// CapabilityFaceEnrolment ties a live face (or, with iProov, a trusted photo) to the
	// user for later checks. Verisoul enrol, iProov capture or photo enrol, Verifik selfie.
	CapabilityFaceEnrolment Capability = "face-enrolment"
	// CapabilityDocumentVerification checks an identity document and matches its face
	// with the user's. Verisoul ID Check, Verifik document and face compare.
	CapabilityDocumentVerification Capability = "document-verification"
)

// Capabilities lists every capability, in the order documentation shows them.
var Capabilities = []Capability{CapabilityUniqueness, CapabilityAuthentication, CapabilityFaceEnrolment, CapabilityDocumentVerification}

// Journey is one capability of one vendor, as a backend drives it: Start when the user
// begins, Resume after each of the user's steps, until the Outcome is final.
type Journey interface {
	// Vendor names the vendor ("verisoul", "iproov", "verifik").
	Vendor() string
	Capability() Capability
	// Start begins a journey and says what the end user must do first. Bad input is a
	// *transport.ValidationError before any network call; vendor failures are the vendor
	// package's typed errors (see NextStep).
	Start(ctx context.Context, req Request) (*Pending, error)
	// Resume continues a stored journey after the user's step. The Outcome is final
	// (passed, failed, needs review) or pending, with the next step in Outcome.Next.
	// A vendor's verdict on the person is an Outcome, not an error; errors are the
	// failures of the calls themselves, the vendor packages' typed errors.
	Resume(ctx context.Context, st State, res UserResult) (*Outcome, error)
}

// The capability interfaces. An adapter has exactly the methods of the capabilities its
// vendor offers, so asking for one it lacks does not compile; JourneyOf is the same
// question asked at run time, answered with *UnsupportedError.
type (
	// Uniqueness is a vendor that checks a face is new among its enrolled users (1:N).
	Uniqueness interface{ Uniqueness() Journey }
	// Authentication is a vendor that checks a user against their enrolled face (1:1).
	Authentication interface{ Authentication() Journey }
	// FaceEnrolment is a vendor that enrols a user's face for later checks.
	FaceEnrolment interface{ FaceEnrolment() Journey }
	// DocumentVerification is a vendor that checks an identity document and its face.
	DocumentVerification interface{ DocumentVerification() Journey }
)

// ErrUnsupported is matched by *UnsupportedError.
var ErrUnsupported = errors.New("idv: the vendor does not offer this capability")

// UnsupportedError is a capability asked of an adapter whose vendor does not offer it:
// there is no fallback to another capability or vendor.
type UnsupportedError struct {
	Vendor     string
	Capability Capability
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("idv: %s does not offer %s", e.Vendor, e.Capability)
}

// Unwrap exposes ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// JourneyOf returns adapter's journey for c, for backends that pick the vendor from
// configuration; an adapter without c is an *UnsupportedError.
func JourneyOf(adapter any, c Capability) (Journey, error) {
	var j Journey
	switch c {
	case CapabilityUniqueness:
		if a, ok := adapter.(Uniqueness); ok {
			j = a.Uniqueness()
		}
	case CapabilityAuthentication:
		if a, ok := adapter.(Authentication); ok {
			j = a.Authentication()
		}
	case CapabilityFaceEnrolment:
		if a, ok := adapter.(FaceEnrolment); ok {
			j = a.FaceEnrolment()
		}
	case CapabilityDocumentVerification:
		if a, ok := adapter.(DocumentVerification); ok {
			j = a.DocumentVerification()
		}
	}
	if j != nil {
		return j, nil
	}
	vendor := fmt.Sprintf("%T", adapter)
	if v, ok := adapter.(interface{ Vendor() string }); ok {
		vendor = v.Vendor()
	}
	return nil, &UnsupportedError{Vendor: vendor, Capability: c}
}

// Request is what the backend knows when a journey starts. Each vendor uses what it
// needs and refuses, before any call, a request lacking it.
type Request struct {
	// UserID is your id for the end user: Verisoul's account_id, iProov's user_id; kept in
	// the state for Verifik. Required. Use an opaque id, not an email or a name.
	UserID string
	// RedirectURL is where a hosted page sends the user back (Verisoul); your handler
	// passes the URL it was called with to Resume as UserResult.Redirect.
	RedirectURL string
	// Language is the hosted page's language ("en", "es"); empty is the vendor's default.
	Language string
	// Email, Phone and CountryCode ("+57") are where Verifik sends its one-time codes
	// (at least one of email and phone); FullName is compared with the document.
	// Personal data: never printed.
	Email, Phone, CountryCode, FullName string
	// Photo enrols from a trusted image instead of a live capture (FaceEnrolment with
	// iProov; the others refuse it rather than silently capture instead).
	Photo *Photo
}

// Photo is a trusted image of the user, e.g. read from a passport's chip.
type Photo struct {
	// Image is the JPEG or PNG.
	Image []byte
	// Source is where it comes from: "eid" (a chip, over NFC), "oid" (cropped from a
	// document), "selfie" (an existing trusted image).
	Source string
}

// String never prints the image.
func (p Photo) String() string {
	return fmt.Sprintf("idv.Photo{source: %s, %d bytes}", p.Source, len(p.Image))
}

// GoString is String.
func (p Photo) GoString() string { return p.String() }

// String prints the request without personal data.
func (r Request) String() string {
	return fmt.Sprintf("idv.Request{user: %s, redirect: %t, language: %s, email: %t, phone: %t, photo: %t}",
		r.UserID, r.RedirectURL != "", r.Language, r.Email != "", r.Phone != "", r.Photo != nil)
}

// GoString is String: %#v must not print personal data either.
func (r Request) GoString() string { return r.String() }

// LogValue logs the request without personal data.
func (r Request) LogValue() slog.Value { return slog.StringValue(r.String()) }

// UserResult is what came back from the user's step.
type UserResult struct {
	// Redirect is the URL the hosted page sent the user back to (Verisoul), with its query.
	// It passed through the user's browser: a hint the vendor is asked to confirm.
	Redirect *url.URL
	// Code is the one-time code the user typed (Verifik).
	Code string
	// Selfie and Document are the images your own capture page took (Verifik): raw JPEG
	// or PNG bytes, the document's front.
	Selfie, Document []byte
	// Device is the user's device, which Verifik's liveness check needs: "ios",
	// "android" or "desktop".
	Device string
	// Client describes the user's device to iProov's validation (a User-Agent); optional.
	Client string
}

// String never prints codes, images or the redirect's query.
func (r UserResult) String() string {
	return fmt.Sprintf("idv.UserResult{redirect: %t, code: %t, selfie: %d bytes, document: %d bytes, device: %s}",
		r.Redirect != nil, r.Code != "", len(r.Selfie), len(r.Document), r.Device)
}

// GoString is String.
func (r UserResult) GoString() string { return r.String() }

// LogValue logs the result without codes or images.
func (r UserResult) LogValue() slog.Value { return slog.StringValue(r.String()) }

// UserStep is the kind of thing the end user must do next.
type UserStep string

const (
	// StepRedirect: send the user to Pending.URL (a hosted page); Resume with the URL
	// they come back on.
	StepRedirect UserStep = "redirect"
	// StepClientSDK: launch the vendor's client SDK with Pending.Token; Resume when it
	// reports it finished (the backend asks the vendor for the result).
	StepClientSDK UserStep = "client-sdk"
	// StepEnterCode: the user types the code sent by Pending.Channel; Resume with it.
	StepEnterCode UserStep = "enter-code"
	// StepCapture: your page takes the images Pending.Capture lists; Resume with them.
	StepCapture UserStep = "capture"
)

// Image kinds a StepCapture asks for.
const (
	ImageSelfie   = "selfie"
	ImageDocument = "document"
)

// Pending is what the end user must do next, in one shape for every vendor, and the
// state to store until they have done it.
type Pending struct {
	Step UserStep
	// URL is the hosted page for StepRedirect. It carries the vendor's session id, a
	// short-lived bearer: hand it to the user's browser only.
	URL string
	// Token is the client SDK's token for StepClientSDK. A secret for the user's device.
	Token string
	// Channel is where the code went for StepEnterCode: "email" or "phone".
	Channel string
	// Capture lists the images for StepCapture (ImageSelfie, ImageDocument).
	Capture []string
	// Expires is when the step stops being possible; zero when the vendor gives none.
	Expires time.Time
	// Reason says why the user is asked (again): "" the first time, or e.g.
	// ReasonCodeMismatch, ReasonLivenessFailed, ReasonNotFinished.
	Reason Reason
	// State is the journey to store (JSON) and pass to Resume.
	State State
}

// String never prints the URL or the token.
func (p Pending) String() string {
	return fmt.Sprintf("idv.Pending{step: %s, url: %s, token: %s, channel: %s, capture: %v, reason: %s, state: %s}",
		p.Step, present(p.URL), present(p.Token), p.Channel, p.Capture, orNone(string(p.Reason)), p.State)
}

// GoString is String: %#v must not print the token either.
func (p Pending) GoString() string { return p.String() }

// LogValue logs the step without the URL or the token.
func (p Pending) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("step", string(p.Step)),
		slog.String("channel", p.Channel),
		slog.Any("capture", p.Capture),
		slog.String("reason", string(p.Reason)),
		slog.Any("state", p.State),
	)
}

const redacted = "[redacted]"

func present(s string) string {
	if s == "" {
		return "none"
	}
	return redacted
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
