package verisoultest

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// server implements both generated strict server interfaces; their operation names do
// not overlap, and the shared paths are told apart by the id flag (see isIDCheck).
type server struct{ e *Emulator }

var (
	_ facematch.StrictServerInterface = (*server)(nil)
	_ idcheck.StrictServerInterface   = (*server)(nil)
)

func requestID() uuid.UUID { return uuid.MustParse(sandbox.NewID()) }

func falsePtr() *bool { f := false; return &f }

func gatewayBody(status int) facematch.GatewayError {
	m := http.StatusText(status)
	return facematch.GatewayError{Message: m}
}

// --- sessions ---

func (s *server) CreateFaceMatchSession(ctx context.Context, req facematch.CreateFaceMatchSessionRequestObject) (facematch.CreateFaceMatchSessionResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return facematch.CreateFaceMatchSession401JSONResponse{UnauthorizedJSONResponse: facematch.UnauthorizedJSONResponse(gatewayBody(status))}, nil
	case http.StatusTooManyRequests:
		return facematch.CreateFaceMatchSession429JSONResponse{TooManyRequestsJSONResponse: facematch.TooManyRequestsJSONResponse(gatewayBody(status))}, nil
	}
	if p.GroupsEnabled {
		return facematch.CreateFaceMatchSession400JSONResponse{SessionBadRequestJSONResponse: facematch.SessionBadRequestJSONResponse{
			RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(facematch.SessionErrorCodeGroupsEnabled),
		}}, nil
	}
	ref, sim := uuidString(req.Params.ReferringSessionId), ""
	if req.Params.Simulate != nil {
		sim = string(*req.Params.Simulate)
	}
	sess := s.e.newSession(p, FaceMatch, ref, sim, false)
	if sess == nil {
		return facematch.CreateFaceMatchSession429JSONResponse{TooManyRequestsJSONResponse: facematch.TooManyRequestsJSONResponse(gatewayBody(http.StatusTooManyRequests))}, nil
	}
	return facematch.CreateFaceMatchSession200JSONResponse{RequestId: requestID(), SessionId: uuid.MustParse(sess.id)}, nil
}

func (s *server) CreateIDCheckSession(ctx context.Context, req idcheck.CreateIDCheckSessionRequestObject) (idcheck.CreateIDCheckSessionResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return idcheck.CreateIDCheckSession401JSONResponse{UnauthorizedJSONResponse: idcheck.UnauthorizedJSONResponse(idcGateway(status))}, nil
	case http.StatusTooManyRequests:
		return idcheck.CreateIDCheckSession429JSONResponse{TooManyRequestsJSONResponse: idcheck.TooManyRequestsJSONResponse(idcGateway(status))}, nil
	}
	if p.GroupsEnabled {
		return idcheck.CreateIDCheckSession400JSONResponse{SessionBadRequestJSONResponse: idcheck.SessionBadRequestJSONResponse{
			RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(idcheck.SessionErrorCodeGroupsEnabled),
		}}, nil
	}
	product := IDCheck
	if !req.Params.Id {
		product = FaceMatch // id=false is a plain Face Match session
	}
	sim := ""
	if req.Params.Simulate != nil {
		sim = string(*req.Params.Simulate)
	}
	sess := s.e.newSession(p, product, uuidString(req.Params.ReferringSessionId), sim, false)
	if sess == nil {
		return idcheck.CreateIDCheckSession429JSONResponse{TooManyRequestsJSONResponse: idcheck.TooManyRequestsJSONResponse(idcGateway(http.StatusTooManyRequests))}, nil
	}
	return idcheck.CreateIDCheckSession200JSONResponse{RequestId: requestID(), SessionId: uuid.MustParse(sess.id)}, nil
}

func idcGateway(status int) idcheck.GatewayError {
	m := http.StatusText(status)
	return idcheck.GatewayError{Message: m}
}

// --- public redirect ---

func (s *server) RedirectToFaceMatch(ctx context.Context, req facematch.RedirectToFaceMatchRequestObject) (facematch.RedirectToFaceMatchResponseObject, error) {
	loc, code := s.e.redirect(ctx, req.Params.ProjectId.String(), FaceMatch, uuidString(req.Params.ReferringSessionId))
	if code == errRedirectsFull {
		return facematch.RedirectToFaceMatch5XXJSONResponse{StatusCode: http.StatusServiceUnavailable, Body: gatewayBody(http.StatusServiceUnavailable)}, nil
	}
	if code != "" {
		return facematch.RedirectToFaceMatch400JSONResponse{RedirectBadRequestJSONResponse: facematch.RedirectBadRequestJSONResponse{
			Error: ptr(facematch.RedirectErrorCode(code)),
		}}, nil
	}
	return facematch.RedirectToFaceMatch302Response{Headers: facematch.RedirectFoundResponseHeaders{Location: loc}}, nil
}

func (s *server) RedirectToIDCheck(ctx context.Context, req idcheck.RedirectToIDCheckRequestObject) (idcheck.RedirectToIDCheckResponseObject, error) {
	product := FaceMatch
	if strings.EqualFold(req.Params.Id, "true") {
		product = IDCheck
	}
	loc, code := s.e.redirect(ctx, req.Params.ProjectId.String(), product, uuidString(req.Params.ReferringSessionId))
	if code == errRedirectsFull {
		return idcheck.RedirectToIDCheck5XXJSONResponse{StatusCode: http.StatusServiceUnavailable, Body: idcGateway(http.StatusServiceUnavailable)}, nil
	}
	if code != "" {
		return idcheck.RedirectToIDCheck400JSONResponse{RedirectBadRequestJSONResponse: idcheck.RedirectBadRequestJSONResponse{
			Error: ptr(idcheck.RedirectErrorCode(code)),
		}}, nil
	}
	return idcheck.RedirectToIDCheck302Response{Headers: idcheck.RedirectFoundResponseHeaders{Location: loc}}, nil
}

// redirect creates a session for the public redirect and returns the hosted-page URL, or
// the 400 error code. An unknown project answers missing_project_id: the vendor documents
// no other code for this endpoint, and to the server an unknown id is as good as none.
func (e *Emulator) redirect(ctx context.Context, projectID string, product Product, ref string) (string, string) {
	e.mu.Lock()
	p, ok := e.projects[strings.ToLower(projectID)]
	e.mu.Unlock()
	switch {
	case !ok:
		return "", "missing_project_id"
	case p.GroupsEnabled:
		return "", "groups_enabled"
	}
	sess := e.newSession(p, product, ref, "", true)
	if sess == nil {
		return "", errRedirectsFull
	}
	u := &url.URL{Scheme: "http", Host: "localhost", Path: AppPath}
	if e.appURL != "" {
		var err error
		if u, err = url.Parse(e.appURL); err != nil {
			u = &url.URL{Scheme: "https", Host: "app.sandbox.verisoul.ai", Path: "/"}
		}
	} else if r := requestOf(ctx); r != nil {
		// The page is served next to the API, under the same mount as this request.
		u.Host, u.Path = r.Host, mountPrefix(r)+AppPath
		if r.TLS != nil {
			u.Scheme = "https"
		}
	}
	q := u.Query()
	q.Set("session_id", sess.id)
	u.RawQuery = q.Encode()
	return u.String(), ""
}

// errRedirectsFull is redirect's answer when the project holds its cap of redirect
// sessions and every one is still in use: the handlers answer 503.
const errRedirectsFull = "redirects_full"

// --- enroll (one server path for both products) ---

func (s *server) EnrollFaceMatch(ctx context.Context, req facematch.EnrollFaceMatchRequestObject) (facematch.EnrollFaceMatchResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return facematch.EnrollFaceMatch401JSONResponse{UnauthorizedJSONResponse: facematch.UnauthorizedJSONResponse(gatewayBody(status))}, nil
	case http.StatusTooManyRequests:
		return facematch.EnrollFaceMatch429JSONResponse{TooManyRequestsJSONResponse: facematch.TooManyRequestsJSONResponse(gatewayBody(status))}, nil
	}
	if code := s.e.enroll(p, req.Body.SessionId.String(), req.Body.AccountId); code != "" {
		return facematch.EnrollFaceMatch400JSONResponse{EnrollBadRequestJSONResponse: facematch.EnrollBadRequestJSONResponse{
			RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(facematch.EnrollErrorCode(code)),
		}}, nil
	}
	return facematch.EnrollFaceMatch200JSONResponse{EnrolledJSONResponse: facematch.EnrolledJSONResponse{RequestId: requestID(), Success: true}}, nil
}

// EnrollIDCheck is reached only by callers that route with the ID Check spec themselves
// (the shared path is served by EnrollFaceMatch); it behaves identically.
func (s *server) EnrollIDCheck(ctx context.Context, req idcheck.EnrollIDCheckRequestObject) (idcheck.EnrollIDCheckResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return idcheck.EnrollIDCheck401JSONResponse{UnauthorizedJSONResponse: idcheck.UnauthorizedJSONResponse(idcGateway(status))}, nil
	case http.StatusTooManyRequests:
		return idcheck.EnrollIDCheck429JSONResponse{TooManyRequestsJSONResponse: idcheck.TooManyRequestsJSONResponse(idcGateway(status))}, nil
	}
	if code := s.e.enroll(p, req.Body.SessionId.String(), req.Body.AccountId); code != "" {
		return idcheck.EnrollIDCheck400JSONResponse{EnrollBadRequestJSONResponse: idcheck.EnrollBadRequestJSONResponse{
			RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(idcheck.EnrollErrorCode(code)),
		}}, nil
	}
	return idcheck.EnrollIDCheck200JSONResponse{EnrolledJSONResponse: idcheck.EnrolledJSONResponse{RequestId: requestID(), Success: true}}, nil
}

// --- verification ---

func (s *server) VerifyFace(ctx context.Context, req facematch.VerifyFaceRequestObject) (facematch.VerifyFaceResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return facematch.VerifyFace401JSONResponse{UnauthorizedJSONResponse: facematch.UnauthorizedJSONResponse(gatewayBody(status))}, nil
	case http.StatusTooManyRequests:
		return facematch.VerifyFace429JSONResponse{TooManyRequestsJSONResponse: facematch.TooManyRequestsJSONResponse(gatewayBody(status))}, nil
	}
	res, code := s.e.verify(p, req.Body.SessionId.String(), FaceMatch)
	if code != "" {
		return facematch.VerifyFace400JSONResponse{RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(facematch.VerifyFaceErrorCode(code))}, nil
	}
	return facematch.VerifyFace200JSONResponse(res.face), nil
}

func (s *server) VerifyID(ctx context.Context, req idcheck.VerifyIDRequestObject) (idcheck.VerifyIDResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return idcheck.VerifyID401JSONResponse{UnauthorizedJSONResponse: idcheck.UnauthorizedJSONResponse(idcGateway(status))}, nil
	case http.StatusTooManyRequests:
		return idcheck.VerifyID429JSONResponse{TooManyRequestsJSONResponse: idcheck.TooManyRequestsJSONResponse(idcGateway(status))}, nil
	}
	res, code := s.e.verify(p, req.Body.SessionId.String(), IDCheck)
	if code != "" {
		return idcheck.VerifyID400JSONResponse{RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(idcheck.VerifyIDErrorCode(code))}, nil
	}
	return idcheck.VerifyID200JSONResponse(res.id), nil
}

func (s *server) VerifyIdentityFaceMatch(ctx context.Context, req facematch.VerifyIdentityFaceMatchRequestObject) (facematch.VerifyIdentityFaceMatchResponseObject, error) {
	p, status := s.e.authorize(ctx)
	switch status {
	case http.StatusUnauthorized:
		return facematch.VerifyIdentityFaceMatch401JSONResponse{UnauthorizedJSONResponse: facematch.UnauthorizedJSONResponse(gatewayBody(status))}, nil
	case http.StatusTooManyRequests:
		return facematch.VerifyIdentityFaceMatch429JSONResponse{TooManyRequestsJSONResponse: facematch.TooManyRequestsJSONResponse(gatewayBody(status))}, nil
	}
	success, match, code := s.e.verifyIdentity(p, req.Body.SessionId.String(), req.Body.AccountId)
	if code != "" {
		return facematch.VerifyIdentityFaceMatch400JSONResponse{RequestId: ptr(requestID()), Success: falsePtr(), Error: ptr(facematch.VerifyIdentityErrorCode(code))}, nil
	}
	return facematch.VerifyIdentityFaceMatch200JSONResponse{RequestId: ptr(requestID()), Success: &success, Match: &match}, nil
}

func ptr[T any](v T) *T { return &v }

func uuidString(u *uuid.UUID) string {
	if u == nil {
		return ""
	}
	return u.String()
}
