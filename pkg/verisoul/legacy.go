package verisoul

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/transport"
)

// The legacy endpoints: Verisoul replaced them (verify-face, verify-id) but integrators
// still call them, so they are typed and contract-checked too. Their answers keep their
// own shapes — the 0-100 scale and boolean signals — rather than being rescaled into
// Verification, so a caller migrating sees exactly what Verisoul sent.

// UniquenessMatch is an enrolled account whose face matches the session's.
type UniquenessMatch struct {
	AccountID string
	Score     float64 // up to 100, higher is closer (Verisoul gives no finer meaning)
}

// UniquenessResult is the answer of the legacy verify-uniqueness.
type UniquenessResult struct {
	RequestID string
	Success   bool // the uniqueness check completed
	Matches   []UniquenessMatch
}

// Unique reports whether the check completed and found no enrolled account with this face.
func (r *UniquenessResult) Unique() bool { return r.Success && len(r.Matches) == 0 }

// String shows the verdict, not the matched accounts.
func (r *UniquenessResult) String() string {
	if r == nil {
		return "verisoul.UniquenessResult(nil)"
	}
	return fmt.Sprintf("verisoul.UniquenessResult{success: %t, matches: %d, request id: %s}", r.Success, len(r.Matches), r.RequestID)
}

// uniquenessFields are what the legacy reference marks required.
var uniquenessFields = []string{"request_id", "success", "matches"}

// VerifyUniqueness runs the legacy 1:N check of a completed Face Match session
// (POST /liveness/verify-uniqueness).
//
// Deprecated: Verisoul replaced it with verify-face; use VerifyFace, whose LinkedAccounts
// carry the same answer with the decision and signals.
// https://docs.verisoul.ai/api-reference/face-match/verify-uniqueness (older revision)
func (c *Client) VerifyUniqueness(ctx context.Context, s Session) (*UniquenessResult, error) {
	const op = "verifyUniqueness"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkSession(op, s, FaceMatch); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.fm.VerifyUniquenessWithResponse(ctx, facematch.VerifyFaceRequest{SessionId: uuid.MustParse(s.ID)}, c.auth)
	if res == nil {
		return nil, result(ctx, c.fmT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.fmT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
		return nil, err
	}
	// A bool decodes absent as false and a list as none: without the fields, "not
	// completed" or "unique" would be invented.
	if err := requireFields(op, res.StatusCode(), res.Body, uniquenessFields...); err != nil {
		return nil, err
	}
	r := &UniquenessResult{RequestID: res.JSON200.RequestId, Success: res.JSON200.Success, Matches: []UniquenessMatch{}}
	for _, m := range res.JSON200.Matches {
		r.Matches = append(r.Matches, UniquenessMatch{AccountID: deref(m.AccountId), Score: float64(deref(m.Score))})
	}
	return r, nil
}

// LegacyDocumentVerification is the answer of the legacy verify-document, in the
// package's own types but on the legacy scales, as Verisoul sent it: RiskScore and
// Document.Signals.FaceMatchScore run from 0 to 100, the signals are booleans, and
// Metadata.ReferringSessionID need not be a UUID (the vendor's own example sends
// "example-referring-session-id"). It holds personal data (document data, photo links);
// String, GoString and LogValue print only the verdict.
type LegacyDocumentVerification struct {
	Metadata                Metadata
	Decision                Decision
	RiskScore               float64 // 0 to 100, higher is riskier
	RiskFlags               []RiskFlag
	DeviceNetworkSignals    LegacyDeviceNetworkSignals
	ReferringSessionSignals *LegacyReferringSessionSignals // nil when not sent
	PhotoURLs               PhotoURLs
	// Document is what was read and judged; its Signals.FaceMatchScore is on the legacy
	// 0-100 scale. Nil when the answer carried neither document_signals nor document_data.
	Document *Document
}

// LegacyDeviceNetworkSignals are the legacy device and network signals: true when the
// signal fired, false when it did not, nil when not sent.
type LegacyDeviceNetworkSignals struct {
	DeviceRisk                *bool `json:"device_risk"`
	Proxy                     *bool `json:"proxy"`
	VPN                       *bool `json:"vpn"`
	Datacenter                *bool `json:"datacenter"`
	Tor                       *bool `json:"tor"`
	SpoofedIP                 *bool `json:"spoofed_ip"`
	RecentFraudIP             *bool `json:"recent_fraud_ip"`
	DeviceNetworkMismatch     *bool `json:"device_network_mismatch"`
	IPDocumentCountryMismatch *bool `json:"ip_document_country_mismatch"`
}

// LegacyReferringSessionSignals are the legacy referring-session signals, booleans.
type LegacyReferringSessionSignals struct {
	ImpossibleTravel  *bool `json:"impossible_travel"`
	IPMismatch        *bool `json:"ip_mismatch"`
	UserAgentMismatch *bool `json:"user_agent_mismatch"`
}

// String summarises the verdict without personal data.
func (v *LegacyDocumentVerification) String() string {
	if v == nil {
		return "verisoul.LegacyDocumentVerification(nil)"
	}
	return fmt.Sprintf("verisoul.LegacyDocumentVerification{decision: %s, risk score: %.0f/100, flags: %d}",
		v.Decision, v.RiskScore, len(v.RiskFlags))
}

// GoString keeps %#v from printing personal data.
func (v *LegacyDocumentVerification) GoString() string { return v.String() }

// LogValue keeps slog from printing personal data.
func (v *LegacyDocumentVerification) LogValue() slog.Value {
	if v == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("decision", string(v.Decision)),
		slog.Float64("risk_score", v.RiskScore), slog.Int("risk_flags", len(v.RiskFlags)))
}

// legacyWire is the legacy verify-document answer as sent. Decision and RiskScore are
// pointers to tell absent from zero (a verdict read from zero values would be invented).
type legacyWire struct {
	Metadata struct {
		ProjectID          uuidText  `json:"project_id"`
		SessionID          uuidText  `json:"session_id"`
		AccountID          string    `json:"account_id"`
		ReferringSessionID string    `json:"referring_session_id"` // any string here
		RequestID          uuidText  `json:"request_id"`
		Timestamp          time.Time `json:"timestamp"`
	} `json:"metadata"`
	Decision                *Decision                      `json:"decision"`
	RiskScore               *float64                       `json:"risk_score"`
	RiskFlags               []RiskFlag                     `json:"risk_flags"`
	DeviceNetworkSignals    LegacyDeviceNetworkSignals     `json:"device_network_signals"`
	ReferringSessionSignals *LegacyReferringSessionSignals `json:"referring_session_signals"`
	PhotoURLs               PhotoURLs                      `json:"photo_urls"`
	DocumentSignals         *wireSignals                   `json:"document_signals"`
	DocumentData            *wireData                      `json:"document_data"`
}

// decodeLegacyDocument reads the legacy answer into the package's types. It is the only
// decode of a 200 answer (readOwn skips the generated one, as for verify-id), so it
// refuses what the generated types refused: ids that are not UUIDs (except
// referring_session_id, a string in the legacy schema) and numbers out of float32's range.
func decodeLegacyDocument(op string, status int, body []byte) (*LegacyDocumentVerification, error) {
	var w legacyWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: status, Err: err}
	}
	for i, absent := range []bool{w.Decision == nil, w.RiskScore == nil} {
		if absent {
			return nil, lacks(op, status, legacyVerdictFields[i])
		}
	}
	scores := []*float64{w.RiskScore}
	if w.DocumentSignals != nil {
		scores = append(scores, w.DocumentSignals.IDFaceMatchScore)
	}
	for _, p := range scores {
		if p != nil && math.IsInf(float64(float32(*p)), 0) {
			return nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: status, Err: errRange}
		}
	}
	m := w.Metadata
	v := &LegacyDocumentVerification{
		Metadata: Metadata{
			ProjectID: string(m.ProjectID), SessionID: string(m.SessionID), AccountID: m.AccountID,
			ReferringSessionID: m.ReferringSessionID, RequestID: string(m.RequestID), Timestamp: m.Timestamp,
		},
		Decision:                *w.Decision,
		RiskScore:               *w.RiskScore,
		RiskFlags:               w.RiskFlags,
		DeviceNetworkSignals:    w.DeviceNetworkSignals,
		ReferringSessionSignals: w.ReferringSessionSignals,
		PhotoURLs:               w.PhotoURLs,
	}
	if w.DocumentSignals != nil || w.DocumentData != nil {
		v.Document = newDocument(w.DocumentSignals, w.DocumentData, m.Timestamp)
	}
	return v, nil
}

// legacyVerdictFields are what a verdict rests on (as for verify-id).
var legacyVerdictFields = []string{"decision", "risk_score"}

// VerifyDocument gets the result of a completed ID Check session from the legacy
// verify-document (POST /liveness/verify-document).
//
// Deprecated: Verisoul replaced it with verify-id; use VerifyID. Note the scales differ:
// here risk_score and id_face_match_score run to 100 and the signals are booleans.
// https://docs.verisoul.ai/api-reference/id-check/verify-document (older revision)
func (c *Client) VerifyDocument(ctx context.Context, s Session) (*LegacyDocumentVerification, error) {
	const op = "verifyDocument"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkSession(op, s, IDCheck); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	rsp, err := c.idc.VerifyDocument(ctx, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(s.ID)}, c.auth)
	var body []byte
	ok := false
	if err == nil {
		body, ok, err = readOwn(rsp, func(r *http.Response) ([]byte, error) {
			res, err := idcheck.ParseVerifyDocumentResult(r)
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
	return decodeLegacyDocument(op, rsp.StatusCode, body)
}
