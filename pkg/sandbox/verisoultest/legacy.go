package verisoultest

import (
	"context"
	"net/http"
	"slices"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
)

// The legacy endpoints (deprecated by Verisoul, still called by integrators) answer from
// the same session state as verify-face and verify-id, in their own shapes: the legacy
// 0-100 scale and boolean signals. Both refuse what their successors refuse, with the same
// 400 codes.

// legacyScale turns a 0-1 score into the legacy 0-100 one.
const legacyScale = 100

// legacySignal reads a probability as the legacy boolean signal: likely or not.
func legacySignal(p *float32) *bool {
	if p == nil {
		return nil
	}
	return ptr(*p >= 0.5)
}

// VerifyUniqueness answers the legacy 1:N check: the enrolled accounts (other than the
// session's own) with the session's face, each scored 100 (the same face; the emulator
// has no closer-or-further).
func (s *server) VerifyUniqueness(ctx context.Context, req facematch.VerifyUniquenessRequestObject) (facematch.VerifyUniquenessResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return facematch.VerifyUniqueness401JSONResponse{UnauthorizedJSONResponse: facematch.UnauthorizedJSONResponse(gatewayBody(status))}, nil
	case http.StatusTooManyRequests:
		return facematch.VerifyUniqueness429JSONResponse{TooManyRequestsJSONResponse: facematch.TooManyRequestsJSONResponse(gatewayBody(status))}, nil
	}
	links, code := s.e.uniqueness(p, req.Body.SessionId.String())
	if code != "" {
		return facematch.VerifyUniqueness400JSONResponse{RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(facematch.VerifyFaceErrorCode(code))}, nil
	}
	matches := make([]facematch.UniquenessMatch, 0, len(links))
	for _, l := range links {
		if slices.Contains(l.types, "face") {
			matches = append(matches, facematch.UniquenessMatch{AccountId: ptr(l.account), Score: ptr(float32(legacyScale))})
		}
	}
	return facematch.VerifyUniqueness200JSONResponse{RequestId: requestID().String(), Success: true, Matches: matches}, nil
}

// uniqueness checks a session for verify-uniqueness as verify-face does and returns its
// links.
func (e *Emulator) uniqueness(p *project, sessionID string) ([]link, string) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s := e.lookup(p, sessionID)
	switch {
	case s == nil:
		return nil, "session_not_found"
	case s.product != FaceMatch:
		return nil, "session_not_valid_for_this_endpoint"
	}
	if code := s.readiness(); code != "" {
		return nil, code
	}
	return e.links(s), ""
}

// VerifyDocument answers the legacy verify-document: verify-id's result on the legacy
// scale.
func (s *server) VerifyDocument(ctx context.Context, req idcheck.VerifyDocumentRequestObject) (idcheck.VerifyDocumentResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return idcheck.VerifyDocument401JSONResponse{UnauthorizedJSONResponse: idcheck.UnauthorizedJSONResponse(idcGateway(status))}, nil
	case http.StatusTooManyRequests:
		return idcheck.VerifyDocument429JSONResponse{TooManyRequestsJSONResponse: idcheck.TooManyRequestsJSONResponse(idcGateway(status))}, nil
	}
	res, code := s.e.verify(p, req.Body.SessionId.String(), IDCheck)
	if code != "" {
		return idcheck.VerifyDocument400JSONResponse{RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(idcheck.VerifyIDErrorCode(code))}, nil
	}
	return idcheck.VerifyDocument200JSONResponse(legacyDocument(res.id)), nil
}

// legacyDocument restates a verify-id result in verify-document's shape.
func legacyDocument(v idcheck.VerifyIDResponse) idcheck.VerifyDocumentResponse {
	out := idcheck.VerifyDocumentResponse{
		Decision:     v.Decision,
		RiskFlags:    v.RiskFlags,
		DocumentData: v.DocumentData,
		PhotoUrls:    v.PhotoUrls,
	}
	if v.RiskScore != nil {
		out.RiskScore = ptr(*v.RiskScore * legacyScale)
	}
	if m := v.Metadata; m != nil {
		out.Metadata = &idcheck.LegacyMetadata{
			ProjectId: m.ProjectId, SessionId: m.SessionId, AccountId: m.AccountId,
			RequestId: m.RequestId, Timestamp: m.Timestamp,
		}
		if m.ReferringSessionId != nil {
			out.Metadata.ReferringSessionId = ptr(m.ReferringSessionId.String())
		}
	}
	if d := v.DocumentSignals; d != nil {
		out.DocumentSignals = &idcheck.LegacyDocumentSignals{
			IdAge: d.IdAge, FaceAgeEstimate: d.FaceAgeEstimate, IdBarcodeStatus: d.IdBarcodeStatus,
			IdFaceStatus: d.IdFaceStatus, IdTextStatus: d.IdTextStatus, IsIdDigitalSpoof: d.IsIdDigitalSpoof,
			IsFullIdCaptured: d.IsFullIdCaptured, IdValidity: d.IdValidity,
		}
		if d.IdFaceMatchScore != nil {
			out.DocumentSignals.IdFaceMatchScore = ptr(*d.IdFaceMatchScore * legacyScale)
		}
	}
	if n := v.DeviceNetworkSignals; n != nil {
		mismatch := false
		if v.DocumentData != nil && v.DocumentData.TemplateInfo != nil && v.DocumentData.TemplateInfo.DocumentCountryCode != nil &&
			v.SessionData != nil && v.SessionData.Location != nil && v.SessionData.Location.CountryCode != nil {
			mismatch = *v.DocumentData.TemplateInfo.DocumentCountryCode != *v.SessionData.Location.CountryCode
		}
		out.DeviceNetworkSignals = &idcheck.LegacyDeviceNetworkSignals{
			IpDocumentCountryMismatch: &mismatch,
			DeviceRisk:                legacySignal(n.DeviceRisk), Proxy: legacySignal(n.Proxy), Vpn: legacySignal(n.Vpn),
			Datacenter: legacySignal(n.Datacenter), Tor: legacySignal(n.Tor), SpoofedIp: legacySignal(n.SpoofedIp),
			RecentFraudIp: legacySignal(n.RecentFraudIp), DeviceNetworkMismatch: legacySignal(n.DeviceNetworkMismatch),
		}
	}
	if r := v.ReferringSessionSignals; r != nil {
		out.ReferringSessionSignals = &idcheck.LegacyReferringSessionSignals{
			ImpossibleTravel: legacySignal(r.ImpossibleTravel), IpMismatch: legacySignal(r.IpMismatch),
			UserAgentMismatch: legacySignal(r.UserAgentMismatch),
		}
	}
	return out
}
