package verifiktest

// The registrant's identity images, as Verifik's web SDK reads them before its end
// screen. The answer's shape is undocumented: the emulator answers record ids, never
// images.

import (
	"context"
	"net/http"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func (s *server) GetIdentityImages(ctx context.Context, _ smartenroll.GetIdentityImagesRequestObject) (smartenroll.GetIdentityImagesResponseObject, error) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	reg, fail := s.e.needRegistrant(s.e.callerOf(ctx))
	if fail != nil {
		switch fail.status {
		case http.StatusUnauthorized:
			return smartenroll.GetIdentityImages401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
		case http.StatusForbidden:
			return smartenroll.GetIdentityImages403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		case http.StatusNotFound:
			return smartenroll.GetIdentityImages404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
		}
		return nil, fail
	}
	idOrNull := func(id string) any {
		if id == "" {
			return nil
		}
		return id
	}
	return smartenroll.GetIdentityImages200JSONResponse{Data: map[string]any{
		"appRegistration":     reg.id,
		"documentValidation":  idOrNull(reg.docVal),
		"biometricValidation": idOrNull(reg.bioVal),
	}}, nil
}
