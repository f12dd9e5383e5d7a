package verisoul

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Decision is Verisoul's verdict on a session.
type Decision string

const (
	Real       Decision = "Real"
	Suspicious Decision = "Suspicious"
	Fake       Decision = "Fake"
)

// Known reports whether Verisoul documents the value; the spec says to treat unknown
// decisions as Suspicious.
func (d Decision) Known() bool { return d == Real || d == Suspicious || d == Fake }

// RiskFlag is one of Verisoul's risk flags (see the RiskFlag schema in the specs for the
// documented values; new ones appear without notice).
type RiskFlag string

const (
	FlagRepeatFace               RiskFlag = "repeat_face"
	FlagRepeatID                 RiskFlag = "repeat_id"
	FlagRepeatDevice             RiskFlag = "repeat_device"
	FlagLikelyFakeID             RiskFlag = "likely_fake_id"
	FlagIDExpired                RiskFlag = "id_expired"
	FlagIDAgeBelow16             RiskFlag = "id_age_below_16"
	FlagLowIDFaceMatchScore      RiskFlag = "low_id_face_match_score"
	FlagModerateIDFaceMatch      RiskFlag = "moderate_id_face_match_score"
	FlagKnownFraudFace           RiskFlag = "known_fraud_face"
	FlagKnownFraudID             RiskFlag = "known_fraud_id"
	FlagImpossibleTravel         RiskFlag = "impossible_travel_detected"
	FlagHighDeviceRisk           RiskFlag = "high_device_risk"
	FlagCannotConfirmIDAuthentic RiskFlag = "cannot_confirm_id_is_authentic"
)

// MatchType says how a session links to an enrolled account.
type MatchType string

const (
	MatchFace           MatchType = "face"
	MatchIPAddress      MatchType = "ip_address"
	MatchBrowser        MatchType = "browser"
	MatchDocumentNumber MatchType = "document_number"
	MatchDocumentName   MatchType = "document_name"
)

// LinkedAccount is an enrolled account the session is linked to.
type LinkedAccount struct {
	AccountID  string      `json:"account_id"`
	MatchTypes []MatchType `json:"match_types"`
}

// Has reports whether the account links by t.
func (l LinkedAccount) Has(t MatchType) bool {
	for _, m := range l.MatchTypes {
		if m == t {
			return true
		}
	}
	return false
}

// Metadata identifies the verification.
type Metadata struct {
	ProjectID          string    `json:"project_id"`
	SessionID          string    `json:"session_id"`
	AccountID          string    `json:"account_id"` // set once the session is enrolled
	ReferringSessionID string    `json:"referring_session_id"`
	RequestID          string    `json:"request_id"`
	Timestamp          time.Time `json:"timestamp"`
}

// DeviceNetworkSignals are probabilities from 0 to 1; nil when not sent (older responses
// lack LocationSpoofing).
type DeviceNetworkSignals struct {
	DeviceRisk            *float64 `json:"device_risk"`
	Proxy                 *float64 `json:"proxy"`
	VPN                   *float64 `json:"vpn"`
	Datacenter            *float64 `json:"datacenter"`
	Tor                   *float64 `json:"tor"`
	SpoofedIP             *float64 `json:"spoofed_ip"`
	RecentFraudIP         *float64 `json:"recent_fraud_ip"`
	DeviceNetworkMismatch *float64 `json:"device_network_mismatch"`
	LocationSpoofing      *float64 `json:"location_spoofing"`
}

// ReferringSessionSignals compare the capture with the referring device-SDK session.
type ReferringSessionSignals struct {
	ImpossibleTravel       *float64 `json:"impossible_travel"`
	IPMismatch             *float64 `json:"ip_mismatch"`
	UserAgentMismatch      *float64 `json:"user_agent_mismatch"`
	DeviceTimezoneMismatch *float64 `json:"device_timezone_mismatch"`
	IPTimezoneMismatch     *float64 `json:"ip_timezone_mismatch"`
}

// PhotoURLs are signed links to the session's images. They grant access to biometric
// data: do not log them.
type PhotoURLs struct {
	Face        string `json:"face"`
	IDScanFront string `json:"id_scan_front"`
	IDScanBack  string `json:"id_scan_back"`
}

// SessionData describes where and on what the capture happened. Personal data.
type SessionData struct {
	TrueCountryCode string `json:"true_country_code"`
	Network         struct {
		IPAddress       string `json:"ip_address"`
		ServiceProvider string `json:"service_provider"`
		ConnectionType  string `json:"connection_type"`
	} `json:"network"`
	Location struct {
		Continent   string   `json:"continent"`
		CountryCode string   `json:"country_code"`
		State       string   `json:"state"`
		City        string   `json:"city"`
		ZipCode     string   `json:"zip_code"`
		Timezone    string   `json:"timezone"`
		Latitude    *float64 `json:"latitude"`
		Longitude   *float64 `json:"longitude"`
	} `json:"location"`
	Browser struct {
		Type      string `json:"type"`
		Version   string `json:"version"`
		Language  string `json:"language"`
		UserAgent string `json:"user_agent"`
		Timezone  string `json:"timezone"`
	} `json:"browser"`
	Device struct {
		Category string `json:"category"`
		Type     string `json:"type"`
		OS       string `json:"os"`
		CPUCores int    `json:"cpu_cores"`
		Memory   int    `json:"memory"`
		GPU      string `json:"gpu"`
	} `json:"device"`
}

// Verification is the result of verify-face or verify-id.
//
// It holds personal data (photo links, network and location, document data); String,
// GoString and LogValue print only the verdict.
type Verification struct {
	Metadata                Metadata                 `json:"metadata"`
	Decision                Decision                 `json:"decision"`
	RiskScore               float64                  `json:"risk_score"`
	RiskFlags               []RiskFlag               `json:"risk_flags"`
	DeviceNetworkSignals    DeviceNetworkSignals     `json:"device_network_signals"`
	ReferringSessionSignals *ReferringSessionSignals `json:"referring_session_signals"`
	PhotoURLs               PhotoURLs                `json:"photo_urls"`
	VideoURLs               []string                 `json:"video_urls"`
	SessionData             SessionData              `json:"session_data"`
	LinkedAccounts          []LinkedAccount          `json:"-"`
	// Document is the ID Check part (verify-id only).
	Document *Document `json:"-"`
}

// HasFlag reports whether f was raised.
func (v *Verification) HasFlag(f RiskFlag) bool {
	for _, x := range v.RiskFlags {
		if x == f {
			return true
		}
	}
	return false
}

// String summarises the verdict without personal data.
func (v *Verification) String() string {
	if v == nil {
		return "verisoul.Verification(nil)"
	}
	return fmt.Sprintf("verisoul.Verification{decision: %s, risk score: %.2f, flags: %v, linked accounts: %d, request id: %s}",
		v.Decision, v.RiskScore, v.RiskFlags, len(v.LinkedAccounts), v.Metadata.RequestID)
}

// GoString keeps %#v from printing personal data.
func (v *Verification) GoString() string { return v.String() }

// LogValue keeps slog from printing personal data.
func (v *Verification) LogValue() slog.Value {
	if v == nil {
		return slog.StringValue("<nil>")
	}
	flags := make([]string, len(v.RiskFlags))
	for i, f := range v.RiskFlags {
		flags[i] = string(f)
	}
	return slog.GroupValue(
		slog.String("decision", string(v.Decision)),
		slog.Float64("risk_score", v.RiskScore),
		slog.String("risk_flags", strings.Join(flags, ",")),
		slog.Int("linked_accounts", len(v.LinkedAccounts)),
		slog.String("request_id", v.Metadata.RequestID),
	)
}

// wire is the JSON of verify-face and verify-id as sent, decoded leniently: every
// documented revision fits (see the specs' descriptions of version drift).
//
// Decision, RiskScore and Matches shadow the embedded fields as pointers, to tell absent
// from zero: the spec marks nothing required, but every published revision sends them,
// and a verdict read from their zero values (no decision, risk 0, no linked account)
// would be invented, not Verisoul's.
//
// It is the only decode of a 200 answer (the generated client's typed decode is skipped),
// so it refuses what the generated types refused: ids that are not UUIDs (wireMetadata)
// and numbers out of float32's range (checkRanges).
type wire struct {
	Verification
	Metadata  wireMetadata `json:"metadata"`
	Decision  *Decision    `json:"decision"`
	RiskScore *float64     `json:"risk_score"`
	Matches   *struct {
		NumAccountsLinked int             `json:"num_accounts_linked"`
		AccountsLinked    []LinkedAccount `json:"accounts_linked"`
	} `json:"matches"`
	DocumentSignals *wireSignals `json:"document_signals"`
	DocumentData    *wireData    `json:"document_data"`
}

// wireMetadata is Metadata with its ids held to the UUID forms the generated types accept.
type wireMetadata struct {
	ProjectID          uuidText  `json:"project_id"`
	SessionID          uuidText  `json:"session_id"`
	AccountID          string    `json:"account_id"`
	ReferringSessionID uuidText  `json:"referring_session_id"`
	RequestID          uuidText  `json:"request_id"`
	Timestamp          time.Time `json:"timestamp"`
}

// uuidText is a UUID kept as the text Verisoul sent.
type uuidText string

// errNotUUID never quotes the value: ids are not secrets, but the error must not carry
// whatever the answer held instead.
var errNotUUID = errors.New("an id is not a UUID")

func (u *uuidText) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		s = string(b[1 : len(b)-1]) // no escapes: the text is the value
	} else if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if _, err := uuid.Parse(s); err != nil {
		return errNotUUID
	}
	*u = uuidText(s)
	return nil
}

// verdictFields are the verify-face and verify-id fields a verdict rests on.
var verdictFields = []string{"decision", "risk_score", "matches"}

func decodeVerification(op string, status int, body []byte) (*Verification, error) {
	var w wire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: status, Err: err}
	}
	if err := w.checkRanges(op == "verifyID"); err != nil {
		return nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: status, Err: err}
	}
	for i, absent := range []bool{w.Decision == nil, w.RiskScore == nil, w.Matches == nil} {
		if absent {
			return nil, lacks(op, status, verdictFields[i])
		}
	}
	v := w.Verification
	m := w.Metadata
	v.Metadata = Metadata{
		ProjectID: string(m.ProjectID), SessionID: string(m.SessionID), AccountID: m.AccountID,
		ReferringSessionID: string(m.ReferringSessionID), RequestID: string(m.RequestID), Timestamp: m.Timestamp,
	}
	v.Decision, v.RiskScore = *w.Decision, *w.RiskScore
	v.LinkedAccounts = w.Matches.AccountsLinked
	if w.DocumentSignals != nil || w.DocumentData != nil {
		v.Document = newDocument(w.DocumentSignals, w.DocumentData, v.Metadata.Timestamp)
	}
	return &v, nil
}

// errRange: the spec's numbers are float32 (the generated types); a larger one was an
// answer the client refused, and still is.
var errRange = errors.New("a number is out of the documented range")

// checkRanges refuses the numbers the generated types' float32 fields could not hold.
// document_signals is only part of verify-id's answer (document says so).
func (w *wire) checkRanges(document bool) error {
	n := &w.DeviceNetworkSignals
	ps := []*float64{w.RiskScore, n.DeviceRisk, n.Proxy, n.VPN, n.Datacenter, n.Tor, n.SpoofedIP,
		n.RecentFraudIP, n.DeviceNetworkMismatch, n.LocationSpoofing,
		w.SessionData.Location.Latitude, w.SessionData.Location.Longitude}
	if r := w.ReferringSessionSignals; r != nil {
		ps = append(ps, r.ImpossibleTravel, r.IPMismatch, r.UserAgentMismatch, r.DeviceTimezoneMismatch, r.IPTimezoneMismatch)
	}
	if document && w.DocumentSignals != nil {
		ps = append(ps, w.DocumentSignals.IDFaceMatchScore)
	}
	for _, p := range ps {
		if p != nil && math.IsInf(float64(float32(*p)), 0) {
			return errRange
		}
	}
	return nil
}

// readOwn reads an answer whose 200 JSON body this package decodes itself (once, with
// decodeVerification); any other answer goes through the generated parser as before, so
// its errors stay the same. ok is what the generated JSON200 != nil meant.
func readOwn(rsp *http.Response, parse func(*http.Response) ([]byte, error)) (body []byte, ok bool, err error) {
	if rsp.StatusCode == http.StatusOK && strings.Contains(rsp.Header.Get("Content-Type"), "json") {
		defer rsp.Body.Close()
		body, err = io.ReadAll(rsp.Body)
		return body, err == nil, err
	}
	body, err = parse(rsp)
	return body, false, err
}

// checkSession validates a session for a call before anything is sent.
func checkSession(op string, s Session, want Product) error {
	if !isUUID(s.ID) {
		return transport.Invalid(vendor, op, "session id", "must be a UUID")
	}
	switch s.Product {
	case "", FaceMatch, IDCheck: // "" when rebuilt from a redirect
	default:
		// A stored session that came back changed must not pick the product's endpoint.
		return transport.Invalid(vendor, op, "session", "has an unknown product; want face_match or id_check")
	}
	if s.Product != "" && want != "" && s.Product != want {
		return transport.Invalid(vendor, op, "session", fmt.Sprintf("is a %s session; this call needs a %s session", s.Product, want))
	}
	return nil
}

func checkAccount(op, accountID string) error {
	if strings.TrimSpace(accountID) == "" {
		return transport.Invalid(vendor, op, "account id", "is empty")
	}
	return nil
}

// VerifyFace gets the result of a completed Face Match session
// (POST /liveness/verify-face): decision, risk, signals and the enrolled accounts it
// links to — the 1:N uniqueness check. https://docs.verisoul.ai/api-reference/face-match
func (c *Client) VerifyFace(ctx context.Context, s Session) (*Verification, error) {
	const op = "verifyFace"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkSession(op, s, FaceMatch); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	rsp, err := c.fm.VerifyFace(ctx, facematch.VerifyFaceRequest{SessionId: uuid.MustParse(s.ID)}, c.auth)
	var body []byte
	ok := false
	if err == nil {
		body, ok, err = readOwn(rsp, func(r *http.Response) ([]byte, error) {
			res, err := facematch.ParseVerifyFaceResult(r)
			if err != nil {
				return nil, err
			}
			return res.Body, nil
		})
	}
	if err != nil {
		return nil, result(ctx, c.fmT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.fmT, op, nil, rsp, body, ok); err != nil {
		return nil, err
	}
	return decodeVerification(op, rsp.StatusCode, body)
}

// VerifyID gets the result of a completed ID Check session (POST /liveness/verify-id):
// everything VerifyFace gives plus the document's signals and data.
// https://docs.verisoul.ai/api-reference/id-check
func (c *Client) VerifyID(ctx context.Context, s Session) (*Verification, error) {
	const op = "verifyID"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkSession(op, s, IDCheck); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	rsp, err := c.idc.VerifyID(ctx, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(s.ID)}, c.auth)
	var body []byte
	ok := false
	if err == nil {
		body, ok, err = readOwn(rsp, func(r *http.Response) ([]byte, error) {
			res, err := idcheck.ParseVerifyIDResult(r)
			if err != nil {
				return nil, err
			}
			return res.Body, nil
		})
	}
	if err != nil {
		return nil, result(ctx, c.idcT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.idcT, op, nil, rsp, body, ok); err != nil {
		return nil, err
	}
	v, err := decodeVerification(op, rsp.StatusCode, body)
	if err == nil && v.Document == nil {
		v.Document = &Document{} // verify-id always has a document part, even if Verisoul sent none
	}
	return v, err
}

// IdentityOutcome is the 1:1 answer in Verisoul's three cases.
type IdentityOutcome string

const (
	// SamePerson: the verification completed and the face matches the enrolled one.
	SamePerson IdentityOutcome = "same_person"
	// DifferentPerson: the verification completed and the face does not match.
	DifferentPerson IdentityOutcome = "different_person"
	// NotCompleted: the verification did not complete; ask the user to retry with a new
	// session. Not evidence of a different person.
	NotCompleted IdentityOutcome = "not_completed"
)

// IdentityResult is the answer of verify-identity.
type IdentityResult struct {
	RequestID string
	Success   bool // the verification process completed
	Match     bool // the face matches the account's enrolled face
	Outcome   IdentityOutcome
}

// Matched reports whether the user is the enrolled person.
func (r *IdentityResult) Matched() bool { return r.Outcome == SamePerson }

// VerifyIdentity compares a new, completed Face Match session with the face enrolled for
// accountID (POST /liveness/verify-identity) — 1:1 authentication at sign-in, withdrawal,
// account recovery. An unknown account is an *transport.APIError with code
// account_not_found. https://docs.verisoul.ai/api-reference/face-match
func (c *Client) VerifyIdentity(ctx context.Context, s Session, accountID string) (*IdentityResult, error) {
	const op = "verifyIdentityFaceMatch"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkSession(op, s, FaceMatch); err != nil {
		return nil, err
	}
	if err := checkAccount(op, accountID); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.fm.VerifyIdentityFaceMatchWithResponse(ctx, facematch.VerifyIdentityRequest{SessionId: uuid.MustParse(s.ID), AccountId: accountID}, c.auth)
	if res == nil {
		return nil, result(ctx, c.fmT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.fmT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
		return nil, err
	}
	// The spec marks nothing required, but the answer is the pair: without success, or
	// without match on a completed verification, any outcome would be invented.
	switch {
	case res.JSON200.Success == nil:
		return nil, lacks(op, res.StatusCode(), "success")
	case *res.JSON200.Success && res.JSON200.Match == nil:
		return nil, lacks(op, res.StatusCode(), "match")
	}
	r := &IdentityResult{Success: *res.JSON200.Success, Match: deref(res.JSON200.Match)}
	if res.JSON200.RequestId != nil {
		r.RequestID = res.JSON200.RequestId.String()
	}
	// Verisoul's own sample app reads the pair this way.
	switch {
	case r.Success && r.Match:
		r.Outcome = SamePerson
	case r.Success:
		r.Outcome = DifferentPerson
	default:
		r.Outcome = NotCompleted
	}
	return r, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
