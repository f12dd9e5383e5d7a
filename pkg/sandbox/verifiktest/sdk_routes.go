package verifiktest

// The routes Verifik's own web SDK sends its codes through, beside the documented ones:
// the same rules, reached by another path.

import (
	"context"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) CreateEmailValidationForProject(ctx context.Context, req smartenroll.CreateEmailValidationForProjectRequestObject) (smartenroll.CreateEmailValidationForProjectResponseObject, error) {
	v, fail := s.e.createEmailValidation(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateEmailValidationForProject200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateEmailValidationForProject401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateEmailValidationForProject403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateEmailValidationForProject404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateEmailValidationForProject409JSONResponse(fail.body), nil
	case http.StatusTooManyRequests:
		return smartenroll.CreateEmailValidationForProject429JSONResponse{TooManyRequestsJSONResponse: smartenroll.TooManyRequestsJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) CreatePhoneValidationForProject(ctx context.Context, req smartenroll.CreatePhoneValidationForProjectRequestObject) (smartenroll.CreatePhoneValidationForProjectResponseObject, error) {
	v, fail := s.e.createPhoneValidation(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreatePhoneValidationForProject200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreatePhoneValidationForProject401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreatePhoneValidationForProject403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreatePhoneValidationForProject404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreatePhoneValidationForProject409JSONResponse(fail.body), nil
	case http.StatusTooManyRequests:
		return smartenroll.CreatePhoneValidationForProject429JSONResponse{TooManyRequestsJSONResponse: smartenroll.TooManyRequestsJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) ValidateEmailValidationByEmail(ctx context.Context, req smartenroll.ValidateEmailValidationByEmailRequestObject) (smartenroll.ValidateEmailValidationByEmailResponseObject, error) {
	v, fail := s.e.validateEmailByEmail(ctx, req.Body)
	if fail == nil {
		return smartenroll.ValidateEmailValidationByEmail200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.ValidateEmailValidationByEmail401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.ValidateEmailValidationByEmail403JSONResponse(fail.body), nil
	case http.StatusNotFound:
		return smartenroll.ValidateEmailValidationByEmail404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.ValidateEmailValidationByEmail409JSONResponse(fail.body), nil
	case http.StatusPreconditionFailed:
		return smartenroll.ValidateEmailValidationByEmail412JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (s *server) ValidatePhoneValidationByPhone(ctx context.Context, req smartenroll.ValidatePhoneValidationByPhoneRequestObject) (smartenroll.ValidatePhoneValidationByPhoneResponseObject, error) {
	v, fail := s.e.validatePhone(ctx, req.Body)
	if fail == nil {
		return smartenroll.ValidatePhoneValidationByPhone200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.ValidatePhoneValidationByPhone401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.ValidatePhoneValidationByPhone403JSONResponse(fail.body), nil
	case http.StatusNotFound:
		return smartenroll.ValidatePhoneValidationByPhone404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.ValidatePhoneValidationByPhone409JSONResponse(fail.body), nil
	case http.StatusPreconditionFailed:
		return smartenroll.ValidatePhoneValidationByPhone412JSONResponse(fail.body), nil
	}
	return nil, fail
}

// validateEmailByEmail finds the registrant's latest email validation for the body's
// email and confirms it as validateEmail does; with none it answers 404 as an unknown id.
func (e *Emulator) validateEmailByEmail(ctx context.Context, body *smartenroll.EmailValidationConfirmRequest) (smartenroll.EmailValidation, *apiError) {
	email := strings.ToLower(strings.TrimSpace(body.Email))
	id := ""
	e.mu.Lock()
	if reg, fail := e.needRegistrant(e.callerOf(ctx)); fail == nil {
		var latest *emailValidation
		for _, c := range reg.codes {
			if v := e.emailVals[c.id]; !c.phone && v != nil && v.email == email &&
				(latest == nil || v.created.After(latest.created) || (v.created.Equal(latest.created) && v.id > latest.id)) {
				latest = v
			}
		}
		if latest != nil {
			id = latest.id
		}
	}
	e.mu.Unlock()
	// validateEmail repeats the registrant check and answers the missing-parameter and
	// not-found cases in the documented order.
	return e.validateEmail(ctx, id, body)
}
