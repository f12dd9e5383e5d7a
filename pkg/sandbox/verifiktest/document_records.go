package verifiktest

// Reading and deleting document validations with the client token, as Verifik's
// document-validation pages document them.

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

func documentNotFound() *apiError {
	return legacy(http.StatusNotFound, "Document validation not found", "DOCUMENT_VALIDATION_NOT_FOUND")
}

// record is a document validation as the list and retrieve pages answer it, with the
// references asked for embedded. e.mu must be held.
func (e *Emulator) documentRecord(d *documentValidation, populates []string) smartenroll.DocumentValidationRecord {
	var out smartenroll.DocumentValidationRecord
	raw, _ := json.Marshal(d.view())
	_ = json.Unmarshal(raw, &out) // the same fields; ids read as the id branch of each ref
	if slices.Contains(populates, "appRegistration") {
		if r := e.regs[d.reg]; r != nil {
			out.AppRegistration = &smartenroll.RecordRef{}
			_ = out.AppRegistration.FromRecord(smartenroll.Record{ID: r.id, CreatedAt: ptr(r.created)})
		}
	}
	if slices.Contains(populates, "projectFlow") {
		if f := e.flows[d.flow]; f != nil {
			out.ProjectFlow = &smartenroll.RecordRef{}
			_ = out.ProjectFlow.FromRecord(smartenroll.Record{ID: f.id, CreatedAt: ptr(f.created)})
		}
	}
	return out
}

// ownDocument finds one of the caller's document validations. e.mu must be held.
func (e *Emulator) ownDocument(acct *account, id string) (*documentValidation, *apiError) {
	d := e.docVals[id]
	if d == nil || d.client != acct.id {
		return nil, documentNotFound()
	}
	return d, nil
}

func (s *server) ListDocumentValidations(ctx context.Context, req smartenroll.ListDocumentValidationsRequestObject) (smartenroll.ListDocumentValidationsResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail != nil {
		if fail.status == http.StatusForbidden {
			return smartenroll.ListDocumentValidations403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		}
		return smartenroll.ListDocumentValidations401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	}
	q := req.Params
	if q.WhereStatus != nil && !smartenroll.DocumentValidationStatus(*q.WhereStatus).Valid() {
		// The page lists the statuses a filter may name; another is its 400.
		return smartenroll.ListDocumentValidations400JSONResponse(legacy(http.StatusBadRequest, "Invalid query parameters", "INVALID_PARAMETERS").body), nil
	}
	eq := func(want *string, have string) bool { return want == nil || *want == have }
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	var all []*documentValidation
	for _, d := range s.e.docVals {
		if d.client == acct.id && (q.WhereStatus == nil || *q.WhereStatus == string(d.status)) &&
			eq(q.WhereDocumentType, d.docType) && eq(q.WhereValidationMethod, "OCR") &&
			eq(q.WhereType, string(smartenroll.ValidationTypeOnboarding)) && eq(q.WhereInputMethod, d.inputMethod) {
			all = append(all, d)
		}
	}
	sortByCreated(all, func(d *documentValidation) (string, int64) { return d.id, d.created.UnixNano() }, "")
	items, pg := paginate(all, q.Page, q.PerPage)
	out := smartenroll.DocumentValidationPage{Data: []smartenroll.DocumentValidationRecord{}}
	out.Pagination = &struct {
		Page    *int `json:"page,omitempty"`
		Pages   *int `json:"pages,omitempty"`
		PerPage *int `json:"perPage,omitempty"`
		Total   *int `json:"total,omitempty"`
	}{Page: &pg.page, Pages: &pg.pages, PerPage: &pg.limit, Total: &pg.total}
	for _, d := range items {
		out.Data = append(out.Data, s.e.documentRecord(d, deref(q.Populates)))
	}
	return smartenroll.ListDocumentValidations200JSONResponse(out), nil
}

func (s *server) GetDocumentValidation(ctx context.Context, req smartenroll.GetDocumentValidationRequestObject) (smartenroll.GetDocumentValidationResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	var v smartenroll.DocumentValidationRecord
	if fail == nil {
		s.e.mu.Lock()
		var d *documentValidation
		if d, fail = s.e.ownDocument(acct, req.Id); fail == nil {
			v = s.e.documentRecord(d, deref(req.Params.Populates))
		}
		s.e.mu.Unlock()
	}
	if fail == nil {
		return smartenroll.GetDocumentValidation200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetDocumentValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetDocumentValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetDocumentValidation404JSONResponse{DocumentValidationNotFoundJSONResponse: smartenroll.DocumentValidationNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) DeleteDocumentValidation(ctx context.Context, req smartenroll.DeleteDocumentValidationRequestObject) (smartenroll.DeleteDocumentValidationResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail == nil {
		s.e.mu.Lock()
		var d *documentValidation
		if d, fail = s.e.ownDocument(acct, req.Id); fail == nil {
			delete(s.e.docVals, d.id)
			if r := s.e.regs[d.reg]; r != nil && r.docVal == d.id {
				r.docVal, r.updated = "", s.e.clock.Now()
			}
		}
		s.e.mu.Unlock()
	}
	if fail == nil {
		return smartenroll.DeleteDocumentValidation200JSONResponse{Success: true, Message: ptr("Document validation deleted successfully")}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.DeleteDocumentValidation401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.DeleteDocumentValidation403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.DeleteDocumentValidation404JSONResponse{DocumentValidationNotFoundJSONResponse: smartenroll.DocumentValidationNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}
