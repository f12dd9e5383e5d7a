package verifiktest

// Identity documents: OCR of helper-made documents and the name validation add-on.

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

func (s *server) CreateDocumentValidation(ctx context.Context, req smartenroll.CreateDocumentValidationRequestObject) (smartenroll.CreateDocumentValidationResponseObject, error) {
	v, fail := s.e.createDocument(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateDocumentValidation200JSONResponse{Data: smartenroll.DocumentValidationCreated{DocumentValidation: v}}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateDocumentValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateDocumentValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateDocumentValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateDocumentValidation409JSONResponse(fail.body), nil
	case http.StatusUnprocessableEntity:
		return smartenroll.CreateDocumentValidation422JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (e *Emulator) createDocument(ctx context.Context, body *smartenroll.DocumentValidationCreateRequest) (smartenroll.DocumentValidation, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reg, fail := e.needRegistrant(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.DocumentValidation{}, fail
	}
	f := e.flows[reg.flow]
	if f == nil || f.step(smartenroll.StepDocument) == smartenroll.StepSkip {
		return smartenroll.DocumentValidation{}, reason(http.StatusNotFound, smartenroll.ErrorCodeDocumentSettingsNotSet)
	}
	front, back := deref(body.Image), deref(body.BackImage)
	if front == "" && back == "" {
		return smartenroll.DocumentValidation{}, classic(http.StatusUnprocessableEntity, smartenroll.ErrorCodeMissingParameter, "Either image or backImage must be provided")
	}
	if reg.docVal != "" && !deref(body.Force) {
		return smartenroll.DocumentValidation{}, reason(http.StatusConflict, smartenroll.ErrorCodeAlreadyExists)
	}
	if !reg.inProgress() {
		return smartenroll.DocumentValidation{}, classic(http.StatusConflict, smartenroll.ErrorCodeConflict, "409:appRegistration_not_in_progress")
	}
	img, err := decodeImage(front)
	if front == "" {
		img, err = decodeImage(back)
	}
	if err != nil {
		return smartenroll.DocumentValidation{}, classic(http.StatusUnprocessableEntity, smartenroll.ErrorCodeMissingParameter, "image must be a base64 encoded image")
	}
	now := e.clock.Now()
	d := &documentValidation{
		id: e.newID(), reg: reg.id, client: reg.client, project: reg.project, flow: reg.flow,
		inputMethod: deref(body.InputMethod), created: now, updated: now,
	}
	if d.inputMethod == "" {
		d.inputMethod = "FILE_UPLOAD"
	}
	d.doc, d.readable = sandbox.DocumentOf(img)
	d.docType, d.category = "ID", "ID"
	d.status = smartenroll.DocumentFailed
	if d.readable {
		d.docType, d.category, _ = documentKind(d.doc)
		d.expired = expiredOn(d.doc.Expiry, now)
		if !d.doc.Fake && !d.expired {
			d.status = smartenroll.DocumentValidated
		}
		full, first, last := reg.declaredName()
		d.declared = compareNames(full, first, last, d.fullName(), d.doc.FirstName, d.doc.LastName)
	}
	if old := e.docVals[reg.docVal]; old != nil {
		delete(e.docVals, old.id)
	}
	e.docVals[d.id] = d
	reg.docVal = d.id
	reg.docFace = ""
	if d.readable && d.doc.Face != "" {
		reg.docFace = e.newID()
	}
	// The information validation learns the identity read from the document.
	extra := map[string]any{}
	if reg.email != "" {
		extra["email"] = reg.email
	}
	if reg.phone != "" {
		extra["phone"] = reg.phone
	}
	e.emit(reg.flow, "document_validation_created", d.view(), extra)
	if info := e.infoVals[reg.infoVal]; info != nil && d.readable {
		info.first, info.last, info.full = d.doc.FirstName, d.doc.LastName, d.fullName()
		info.docType, info.docNumber = d.docType, d.doc.Number
		info.checkedWithDocument = true
		info.updated = now
		e.emit(reg.flow, "information_validation_updated", info.view(), nil)
	}
	reg.updated = now
	return d.view(), nil
}

func expiredOn(expiry string, now time.Time) bool {
	t, err := time.Parse("2006-01-02", expiry)
	return err == nil && !now.Before(t.AddDate(0, 0, 1))
}

// decodeImage accepts base64 with or without a data-URI prefix, as Verifik does.
func decodeImage(s string) ([]byte, error) {
	if i := strings.Index(s, ";base64,"); strings.HasPrefix(s, "data:") && i > 0 {
		s = s[i+len(";base64,"):]
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("empty image")
	}
	return b, err
}

func (s *server) CreateNameValidation(ctx context.Context, req smartenroll.CreateNameValidationRequestObject) (smartenroll.CreateNameValidationResponseObject, error) {
	force := deref(req.Params.Force) || (req.Body != nil && deref(req.Body.Force))
	v, fail := s.e.validateNames(ctx, req.Id, force)
	if fail == nil {
		return smartenroll.CreateNameValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusBadRequest:
		return smartenroll.CreateNameValidation400JSONResponse(fail.body), nil
	case http.StatusUnauthorized:
		return smartenroll.CreateNameValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusPaymentRequired:
		return smartenroll.CreateNameValidation402JSONResponse(fail.body), nil
	case http.StatusForbidden:
		return smartenroll.CreateNameValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateNameValidation404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.CreateNameValidation409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// validateNames compares the registrant's declared names with the issuer registry, which
// in the emulator holds the names printed on the helper document (so another person's
// document, or a forged one, does not match).
func (e *Emulator) validateNames(ctx context.Context, id string, force bool) (smartenroll.NameValidationOutcome, *apiError) {
	var out smartenroll.NameValidationOutcome
	c := e.callerOf(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	d, reg, fail := e.ownedDocument(c, id)
	if fail != nil {
		return out, fail
	}
	f := e.flows[reg.flow]
	if f == nil || !f.verifyNames() {
		return out, reason(http.StatusConflict, smartenroll.ErrorCodeFeatureNotAvailable)
	}
	if !d.readable {
		return out, reason(http.StatusBadRequest, smartenroll.ErrorCodeMissingOCRExtractionData)
	}
	if _, _, registry := documentKind(d.doc); !registry {
		_ = out.FromNameValidationNotSupported(smartenroll.NameValidationNotSupported{
			IsSupported: false,
			NotSupportedData: &smartenroll.NotSupportedData{
				DocumentType: ptr(d.docType), Validated: ptr(false), InfoValidationSupported: ptr(false),
				InfoValidationSupportedReason: ptr("document_not_supported"),
			},
			InfoValidationSupportedReason: ptr("document_not_supported"),
		})
		e.emit(reg.flow, "document_validation_data_source_error", d.view(), map[string]any{
			"isSupported": false, "infoValidationSupportedReason": "document_not_supported",
			"notSupportedData": map[string]any{"documentType": d.docType},
		})
		return out, nil
	}
	if d.registry == nil || force {
		if e.credits != nil {
			if *e.credits <= 0 {
				return out, legacy(http.StatusPaymentRequired, "Insufficient credits", "INSUFFICIENT_CREDITS")
			}
			*e.credits--
		}
		official := d.doc
		if official.Fake {
			// The registry knows the document number under someone else's name.
			official.FirstName, official.LastName = "Registry", "Holder"
		}
		full, first, last := reg.declaredName()
		if full == "" {
			full, first, last = d.fullName(), d.doc.FirstName, d.doc.LastName
		}
		scores := compareNames(full, first, last, strings.TrimSpace(official.FirstName+" "+official.LastName), official.FirstName, official.LastName)
		d.registry = &scores
		d.updated = e.clock.Now()
		if scores.match() && !d.doc.Fake && !d.expired {
			d.status = smartenroll.DocumentActive
		}
		if scores.match() {
			e.emit(reg.flow, "document_validation_source_lookup", d.view(), nil)
		} else {
			e.emit(reg.flow, "document_validation_data_source_error", d.view(), map[string]any{
				"isSupported": false, "infoValidationSupportedReason": "invalid_name_response_from_api",
				"notSupportedData": map[string]any{"documentType": d.docType},
			})
		}
	}
	_ = out.FromDocumentValidation(d.view())
	return out, nil
}

// ownedDocument finds a document validation the caller may use: the registrant's own, or
// any of the client's.
func (e *Emulator) ownedDocument(c caller, id string) (*documentValidation, *registration, *apiError) {
	var reg *registration
	switch {
	case c.regID != "":
		var fail *apiError
		if reg, fail = e.needRegistrant(c); fail != nil {
			return nil, nil, fail
		}
	case c.client == nil:
		return nil, nil, unauthorized()
	}
	d, ok := e.docVals[id]
	if !ok || (c.client != nil && d.client != c.client.id) {
		return nil, nil, reason(http.StatusNotFound, smartenroll.ErrorCodeDocumentValidationNotFound)
	}
	if reg != nil && d.reg != reg.id {
		return nil, nil, forbidden() // another registrant's document
	}
	return d, e.regs[d.reg], nil
}
