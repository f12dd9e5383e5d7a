package verisoul

import (
	"context"
	"fmt"
	"log/slog"

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

// LegacyDocumentVerification is the answer of the legacy verify-document, as sent: the
// generated type of api/verisoul/idcheck.yaml (scores 0 to 100, boolean signals, a
// referring session id that need not be a UUID). It holds personal data (document data,
// photo links); String, GoString and LogValue print only the verdict.
type LegacyDocumentVerification struct {
	idcheck.VerifyDocumentResponse
}

// String summarises the verdict without personal data.
func (v *LegacyDocumentVerification) String() string {
	if v == nil {
		return "verisoul.LegacyDocumentVerification(nil)"
	}
	return fmt.Sprintf("verisoul.LegacyDocumentVerification{decision: %s, risk score: %.0f/100, flags: %d}",
		deref(v.Decision), deref(v.RiskScore), len(deref(v.RiskFlags)))
}

// GoString keeps %#v from printing personal data.
func (v *LegacyDocumentVerification) GoString() string { return v.String() }

// LogValue keeps slog from printing personal data.
func (v *LegacyDocumentVerification) LogValue() slog.Value {
	if v == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("decision", string(deref(v.Decision))),
		slog.Float64("risk_score", float64(deref(v.RiskScore))), slog.Int("risk_flags", len(deref(v.RiskFlags))))
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
	res, err := c.idc.VerifyDocumentWithResponse(ctx, idcheck.VerifyIDRequest{SessionId: uuid.MustParse(s.ID)}, c.auth)
	if res == nil {
		return nil, result(ctx, c.idcT, op, err, nil, nil, false)
	}
	if err := result(ctx, c.idcT, op, err, res.HTTPResponse, res.Body, res.JSON200 != nil); err != nil {
		return nil, err
	}
	if err := requireFields(op, res.StatusCode(), res.Body, legacyVerdictFields...); err != nil {
		return nil, err
	}
	return &LegacyDocumentVerification{*res.JSON200}, nil
}
