package verifiktest

// Selfies: liveness, duplicate search and person creation; document-vs-selfie compare.

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

func (s *server) CreateBiometricValidation(ctx context.Context, req smartenroll.CreateBiometricValidationRequestObject) (smartenroll.CreateBiometricValidationResponseObject, error) {
	v, fail := s.e.createBiometric(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateBiometricValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateBiometricValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateBiometricValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateBiometricValidation404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CreateBiometricValidation409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// createBiometric runs liveness, then the 1:N search of the project's persons, then
// creates the person. A face already enrolled by another registrant of the project
// answers person_already_set unless force.
func (e *Emulator) createBiometric(ctx context.Context, body *smartenroll.BiometricValidationCreateRequest) (smartenroll.AppRegistration, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.AppRegistration{}, fail
	}
	p, f := e.projects[reg.project], e.flows[reg.flow]
	if p == nil || f == nil || p.collection == "" {
		return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodeCollectionNotSet)
	}
	force := deref(body.Force)
	if reg.person != "" && !force {
		e.emitPersonAlreadySet(reg, f)
		return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodePersonAlreadySet)
	}
	if !reg.inProgress() {
		return smartenroll.AppRegistration{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	img, err := decodeImage(body.Image)
	if err != nil {
		return smartenroll.AppRegistration{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "image must be a base64 encoded image")
	}
	face, liveness := selfieFace(sandbox.FaceOf(img))
	now := e.clock.Now()
	b := &biometricValidation{id: e.newID(), reg: reg.id, face: face, liveness: liveness, created: now}
	if liveness < f.livenessMin() {
		// A failed attempt is not linked to the registration, so nothing could read it:
		// it is not kept; its events still go out.
		e.emit(reg.flow, "biometric_validation_liveness_failed", b.view(), nil)
		e.emit(reg.flow, "biometrics_liveness_score_not_acceptable", b.view(), map[string]any{"projectFlow": f.view()})
		return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodeLivenessFailed, strconv.FormatFloat(liveness, 'f', 2, 64))
	}
	if !force {
		if e.duplicateOf(reg.project, reg.id, face, f.searchMin()) {
			e.emitPersonAlreadySet(reg, f)
			return smartenroll.AppRegistration{}, reason(http.StatusConflict, smartenroll.ErrorCodePersonAlreadySet)
		}
	}
	b.passed = true
	e.bioVals[b.id] = b
	delete(e.bioVals, reg.bioVal) // a forced selfie replaces the earlier one
	e.removePerson(reg.person)
	pr := &person{id: e.newID(), project: reg.project, reg: reg.id, face: face, created: now}
	e.addPerson(pr)
	reg.bioVal, reg.person, reg.face = b.id, pr.id, e.newID()
	reg.updated = now
	e.emit(reg.flow, "biometric_validation_validated", b.view(), nil)
	e.emit(reg.flow, "biometric_validation_created_person", b.view(), nil)
	return e.registrationView(reg, nil), nil
}

func (s *server) CompareAppRegistrationFaces(ctx context.Context, _ smartenroll.CompareAppRegistrationFacesRequestObject) (smartenroll.CompareAppRegistrationFacesResponseObject, error) {
	v, fail := s.e.compareFaces(ctx)
	if fail == nil {
		return smartenroll.CompareAppRegistrationFaces200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CompareAppRegistrationFaces401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CompareAppRegistrationFaces403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CompareAppRegistrationFaces404JSONResponse{AppRegistrationNotFoundJSONResponse: smartenroll.AppRegistrationNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CompareAppRegistrationFaces409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) compareFaces(ctx context.Context) (smartenroll.FaceComparison, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.FaceComparison{}, fail
	}
	if p := e.projects[reg.project]; p == nil || p.status != smartenroll.ProjectActive {
		return smartenroll.FaceComparison{}, reason(http.StatusConflict, smartenroll.ErrorCodeProjectNotActive)
	}
	if !reg.inProgress() && reg.status != smartenroll.AppRegistrationNeedsManualVerification {
		return smartenroll.FaceComparison{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	d := e.docVals[reg.docVal]
	if d == nil || !d.readable || d.doc.Face == "" {
		return smartenroll.FaceComparison{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:documentValidation_not_set")
	}
	b := e.bioVals[reg.bioVal]
	if b == nil || reg.person == "" {
		return smartenroll.FaceComparison{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:biometricValidation_not_set")
	}
	f := e.flows[reg.flow]
	now := e.clock.Now()
	cmp := &comparison{
		id: e.newID(), reg: reg.id, client: reg.client,
		score: faceScore(d.doc.Face, b.face), mode: deref(f.settings.Liveness.SearchMode),
		gallery: base64.StdEncoding.EncodeToString(sandbox.FaceImage(d.doc.Face)),
		probe:   base64.StdEncoding.EncodeToString(sandbox.FaceImage(b.face)),
		created: now,
	}
	e.comparisons[cmp.id] = cmp
	result := cmp.view()
	result.Gallery, result.Probe = nil, nil // the images stay out of the event
	defer func() {
		e.emit(reg.flow, "face_verification_compare", e.registrationView(reg, nil), map[string]any{"compareResult": result})
	}()
	delete(e.comparisons, reg.compare)
	reg.compare = cmp.id
	reg.updated = now
	return smartenroll.FaceComparison{AppRegistration: ptr(reg.id), CompareFaceVerification: cmp.view()}, nil
}
