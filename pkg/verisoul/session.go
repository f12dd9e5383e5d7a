package verisoul

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Product is the Verisoul product a session belongs to.
type Product string

const (
	FaceMatch Product = "face_match"
	IDCheck   Product = "id_check"
)

// Session is one verification's state between backend steps: store it with your user
// record (it marshals to JSON) and hand it back to the next step.
//
// The session id is a short-lived bearer token for the hosted page; String, GoString and
// LogValue show only its first eight characters.
type Session struct {
	ID      string  `json:"session_id"`
	Product Product `json:"product"`
	// CreatedAt is when StartSession created it (the client's clock). Zero when unknown,
	// for example when rebuilt from a redirect; then the 30-day enrol window is left to
	// Verisoul to enforce.
	CreatedAt          time.Time `json:"created_at,omitzero"`
	ReferringSessionID string    `json:"referring_session_id,omitempty"`
}

// String shows the session without its full id.
func (s Session) String() string {
	created := "unknown"
	if !s.CreatedAt.IsZero() {
		created = s.CreatedAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("verisoul.Session{id: %s, product: %s, created: %s}", redactID(s.ID), s.Product, created)
}

// GoString keeps %#v from printing the full id.
func (s Session) GoString() string { return s.String() }

// LogValue keeps slog from printing the full id.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("session_id", redactID(s.ID)),
		slog.String("product", string(s.Product)),
		slog.Time("created_at", s.CreatedAt),
	)
}

func redactID(id string) string {
	if len(id) < 12 {
		return "[redacted]"
	}
	return id[:8] + "…"
}

// Simulate is a sandbox-only outcome Verisoul's hosted page finishes with, without a user.
// Verisoul types it as a plain string: the constants are the documented values, and any
// other is sent as given (Known tells them apart).
type Simulate string

const (
	SimulateSuccess              Simulate = "success"
	SimulateInvalidSessionID     Simulate = "invalid_session_id"
	SimulateSessionIDNotFound    Simulate = "session_id_not_found"
	SimulateCameraPermission     Simulate = "failed_to_get_camera_permission"
	SimulateFaceScanIncomplete   Simulate = "failed_to_complete_face_scan"
	SimulateIDScanFailed         Simulate = "failed_to_process_id_scan"
	SimulateDeviceDataIncomplete Simulate = "failed_to_collect_device_data"
	SimulateLivenessFailed       Simulate = "liveness_check_failed"
)

// Known reports whether Verisoul documents the value. The vendor types simulate as a plain
// string, so an unknown value is sent as given (its sandbox leaves such a session to the
// hosted page).
func (s Simulate) Known() bool {
	switch s {
	case SimulateSuccess, SimulateInvalidSessionID, SimulateSessionIDNotFound, SimulateCameraPermission,
		SimulateFaceScanIncomplete, SimulateIDScanFailed, SimulateDeviceDataIncomplete, SimulateLivenessFailed:
		return true
	}
	return false
}

// maxSimulateBytes bounds a simulate value: any string is the vendor's type, but a query
// parameter of kilobytes is a mistake, not an outcome.
const maxSimulateBytes = 256

// SessionOptions are the optional inputs of a new session.
type SessionOptions struct {
	// ReferringSessionID is the Verisoul device-SDK session id of the user's current visit;
	// it enables referring-session signals and flags.
	ReferringSessionID string
	// Simulate (sandbox only) settles the session with this outcome, no user needed.
	Simulate Simulate
}

func (c *Client) checkSessionOptions(op string, o SessionOptions) error {
	if o.ReferringSessionID != "" && !isUUID(o.ReferringSessionID) {
		return transport.Invalid(vendor, op, "referring session id", "must be a UUID")
	}
	if o.Simulate != "" {
		if len(o.Simulate) > maxSimulateBytes || !utf8.ValidString(string(o.Simulate)) {
			return transport.Invalid(vendor, op, "simulate", "must be valid UTF-8 of at most 256 bytes")
		}
		if c.env == Production {
			return transport.Invalid(vendor, op, "simulate", "works only in the sandbox environment")
		}
	}
	return nil
}

// StartSession creates a Face Match session (GET /liveness/session). Call it right
// before sending the user to CaptureURL: the session is short-lived, and a failed capture
// needs a new one. https://docs.verisoul.ai/api-reference/face-match
func (c *Client) StartSession(ctx context.Context, o SessionOptions) (Session, error) {
	const op = "createFaceMatchSession"
	if err := c.ready(op); err != nil {
		return Session{}, err
	}
	if err := c.checkSessionOptions(op, o); err != nil {
		return Session{}, err
	}
	p := &facematch.CreateFaceMatchSessionParams{}
	if o.ReferringSessionID != "" {
		p.ReferringSessionId = ptr(uuid.MustParse(o.ReferringSessionID))
	}
	if o.Simulate != "" {
		p.Simulate = ptr(facematch.Simulate(o.Simulate))
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.fm.CreateFaceMatchSessionWithResponse(ctx, p, c.auth)
	if res == nil {
		return Session{}, result(ctx, c.fmT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.fmT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
		return Session{}, err
	}
	if err := checkSessionResponse(op, res.StatusCode(), res.JSON200.RequestId, res.JSON200.SessionId); err != nil {
		return Session{}, err
	}
	return Session{ID: res.JSON200.SessionId.String(), Product: FaceMatch, CreatedAt: c.now(), ReferringSessionID: o.ReferringSessionID}, nil
}

// StartIDCheckSession creates an ID Check session (GET /liveness/session?id=true).
// https://docs.verisoul.ai/verifications/id-check/integration/initialize-session
func (c *Client) StartIDCheckSession(ctx context.Context, o SessionOptions) (Session, error) {
	const op = "createIDCheckSession"
	if err := c.ready(op); err != nil {
		return Session{}, err
	}
	if err := c.checkSessionOptions(op, o); err != nil {
		return Session{}, err
	}
	p := &idcheck.CreateIDCheckSessionParams{Id: true}
	if o.ReferringSessionID != "" {
		p.ReferringSessionId = ptr(uuid.MustParse(o.ReferringSessionID))
	}
	if o.Simulate != "" {
		p.Simulate = ptr(idcheck.Simulate(o.Simulate))
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.idc.CreateIDCheckSessionWithResponse(ctx, p, c.auth)
	if res == nil {
		return Session{}, result(ctx, c.idcT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.idcT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
		return Session{}, err
	}
	if err := checkSessionResponse(op, res.StatusCode(), res.JSON200.RequestId, res.JSON200.SessionId); err != nil {
		return Session{}, err
	}
	return Session{ID: res.JSON200.SessionId.String(), Product: IDCheck, CreatedAt: c.now(), ReferringSessionID: o.ReferringSessionID}, nil
}

// checkSessionResponse requires the two ids the spec marks required; the generated type
// decodes an absent one as the nil UUID.
func checkSessionResponse(op string, status int, requestID, sessionID uuid.UUID) error {
	switch {
	case sessionID == uuid.Nil:
		return lacks(op, status, "session_id")
	case requestID == uuid.Nil:
		return lacks(op, status, "request_id")
	}
	return nil
}

// CaptureOptions shape the hosted-page URL.
type CaptureOptions struct {
	// RedirectURL is where the hosted page sends the user back, with session_id, success
	// and error_message added to its query (Verisoul's default is https://verisoul.ai).
	RedirectURL string
	// Language is the page's language code, e.g. "en" (default) or "es".
	Language string
}

var languageRE = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`)

// CaptureURL is the hosted page the user completes the capture on
// (https://app.{env}.verisoul.ai/?session_id=…&redirect_url=…&lng=…). On desktop the
// page hands over to a phone with a QR code; in a mobile app open it in a web view.
// https://docs.verisoul.ai/verifications/face-match/integration/navigate-to-facematch
func (c *Client) CaptureURL(s Session, o CaptureOptions) (string, error) {
	const op = "captureURL"
	if err := c.ready(op); err != nil {
		return "", err
	}
	if !isUUID(s.ID) {
		return "", transport.Invalid(vendor, op, "session id", "must be a UUID")
	}
	if o.RedirectURL != "" {
		if err := checkHTTPURL(o.RedirectURL); err != nil {
			return "", transport.Invalid(vendor, op, "redirect url", err.Error())
		}
	}
	if o.Language != "" && !languageRE.MatchString(o.Language) {
		return "", transport.Invalid(vendor, op, "language", "must be a language code such as en or pt-BR")
	}
	u, err := url.Parse(c.appURL)
	if err != nil {
		return "", transport.Invalid(vendor, op, "app url", "unparsable")
	}
	q := u.Query()
	q.Set("session_id", s.ID)
	if o.RedirectURL != "" {
		q.Set("redirect_url", o.RedirectURL)
	}
	if o.Language != "" {
		q.Set("lng", o.Language)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CaptureError is the hosted page's error_message on a failed capture.
type CaptureError string

const (
	CaptureInvalidSessionID  CaptureError = "invalid_session_id"   // expired or invalid session
	CaptureSessionIDNotFound CaptureError = "session_id_not_found" // no session id given
	CaptureCameraPermission  CaptureError = "failed_to_get_camera_permission"
	CaptureFaceScan          CaptureError = "failed_to_complete_face_scan"
	CaptureLivenessFailed    CaptureError = "liveness_check_failed"
	CaptureIDScan            CaptureError = "failed_to_process_id_scan"     // ID Check
	CaptureDeviceData        CaptureError = "failed_to_collect_device_data" // ID Check
)

// Known reports whether Verisoul documents the value; unknown ones are still failures.
func (e CaptureError) Known() bool {
	switch e {
	case CaptureInvalidSessionID, CaptureSessionIDNotFound, CaptureCameraPermission, CaptureFaceScan,
		CaptureLivenessFailed, CaptureIDScan, CaptureDeviceData:
		return true
	}
	return false
}

// RedirectOutcome is what the hosted page reported when it sent the user back.
//
// The redirect passes through the user's browser, so it is a hint, not a result: on
// success call VerifyFace / VerifyID / VerifyIdentity, which ask Verisoul.
type RedirectOutcome struct {
	SessionID    string
	Success      bool
	ErrorMessage CaptureError // set when Success is false
}

// NeedsNewSession is true after a failed capture: Verisoul requires a new session to retry.
func (o RedirectOutcome) NeedsNewSession() bool { return !o.Success }

// String shows the outcome without the full session id.
func (o RedirectOutcome) String() string {
	return fmt.Sprintf("verisoul.RedirectOutcome{session: %s, success: %t, error: %s}", redactID(o.SessionID), o.Success, o.ErrorMessage)
}

// GoString keeps %#v from printing the full session id.
func (o RedirectOutcome) GoString() string { return o.String() }

// LogValue keeps slog from printing the full session id.
func (o RedirectOutcome) LogValue() slog.Value {
	return slog.GroupValue(slog.String("session_id", redactID(o.SessionID)), slog.Bool("success", o.Success),
		slog.String("error_message", string(o.ErrorMessage)))
}

// ParseRedirect reads the query the hosted page adds to your redirect URL
// (session_id, success, error_message).
func ParseRedirect(u *url.URL) (RedirectOutcome, error) {
	const op = "parseRedirect"
	if u == nil {
		return RedirectOutcome{}, transport.Invalid(vendor, op, "url", "is nil")
	}
	q := u.Query()
	raw := q.Get("success")
	if raw == "" {
		return RedirectOutcome{}, transport.Invalid(vendor, op, "success", "is missing")
	}
	ok, err := strconv.ParseBool(raw)
	if err != nil {
		return RedirectOutcome{}, transport.Invalid(vendor, op, "success", "is not a boolean")
	}
	o := RedirectOutcome{SessionID: q.Get("session_id"), Success: ok, ErrorMessage: CaptureError(q.Get("error_message"))}
	switch {
	case o.SessionID != "" && !isUUID(o.SessionID):
		return RedirectOutcome{}, transport.Invalid(vendor, op, "session_id", "must be a UUID")
	case ok && o.SessionID == "":
		return RedirectOutcome{}, transport.Invalid(vendor, op, "session_id", "is missing on a successful redirect")
	case ok && o.ErrorMessage != "":
		return RedirectOutcome{}, transport.Invalid(vendor, op, "error_message", "is set on a successful redirect")
	}
	return o, nil
}

// PublicRedirectOptions select the public redirect link.
type PublicRedirectOptions struct {
	ProjectID          string // your Verisoul project id (required)
	IDCheck            bool   // an ID Check session instead of Face Match
	ReferringSessionID string
}

// PublicLink is where the public redirect sends a browser, and the session it created.
type PublicLink struct {
	Location string
	// Session is the new session, when the Location names it.
	Session Session
}

// PublicRedirect calls GET /public/liveness-redirect, the unauthenticated link that
// creates a session and redirects to the hosted page. Verisoul meant it for temporary
// testing only: anyone holding the link starts billable sessions. Its documented 302 is
// the answer: the transport returns it without following it, whatever client is given.
func (c *Client) PublicRedirect(ctx context.Context, o PublicRedirectOptions) (PublicLink, error) {
	op := "redirectToFaceMatch"
	if o.IDCheck {
		op = "redirectToIDCheck"
	}
	if err := c.ready(op); err != nil {
		return PublicLink{}, err
	}
	if !isUUID(o.ProjectID) {
		return PublicLink{}, transport.Invalid(vendor, op, "project id", "must be a UUID")
	}
	if o.ReferringSessionID != "" && !isUUID(o.ReferringSessionID) {
		return PublicLink{}, transport.Invalid(vendor, op, "referring session id", "must be a UUID")
	}
	var ref *uuid.UUID
	if o.ReferringSessionID != "" {
		ref = ptr(uuid.MustParse(o.ReferringSessionID))
	}
	ctx = transport.WithOperation(ctx, op)
	var (
		resp    *http.Response
		body    []byte
		loc     string
		callErr error
		tc      = c.fmT
		product = FaceMatch
	)
	if o.IDCheck {
		tc, product = c.idcT, IDCheck
		res, err := c.idc.RedirectToIDCheckWithResponse(ctx, &idcheck.RedirectToIDCheckParams{ProjectId: uuid.MustParse(o.ProjectID), Id: "true", ReferringSessionId: ref})
		callErr = err
		if res != nil {
			resp, body = res.HTTPResponse, res.Body
			if res.Headers302 != nil {
				loc = res.Headers302.Location
			}
		}
	} else {
		res, err := c.fm.RedirectToFaceMatchWithResponse(ctx, &facematch.RedirectToFaceMatchParams{ProjectId: uuid.MustParse(o.ProjectID), ReferringSessionId: ref})
		callErr = err
		if res != nil {
			resp, body = res.HTTPResponse, res.Body
			if res.Headers302 != nil {
				loc = res.Headers302.Location
			}
		}
	}
	if err := result(ctx, tc, op, callErr, resp, body, loc != ""); err != nil {
		if resp != nil && resp.StatusCode < 300 {
			return PublicLink{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: resp.StatusCode,
				Err: errors.New("expected the documented 302 with a Location")}
		}
		return PublicLink{}, err
	}
	if err := checkLocation(op, resp.StatusCode, loc); err != nil {
		return PublicLink{}, err
	}
	link := PublicLink{Location: loc}
	if u, err := url.Parse(loc); err == nil && isUUID(u.Query().Get("session_id")) {
		link.Session = Session{ID: u.Query().Get("session_id"), Product: product, CreatedAt: c.now(), ReferringSessionID: o.ReferringSessionID}
	}
	return link, nil
}

// isUUID accepts the canonical 8-4-4-4-12 form of any UUID version (vendor examples use
// ids such as 00000000-0000-0000-0000-000000000001).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("must be an absolute http or https URL")
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return errors.New("must not contain whitespace")
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
