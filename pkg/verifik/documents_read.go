package verifik

// Reading the account's document validations with the client token, for a back office
// or a reconciliation job (DeleteDocument erases one).

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// MaxDocumentsPage is the largest page Documents asks for. Verifik documents no maximum
// for perPage; 100 is the registrations list's and keeps a page of records well under the
// client's response body cap.
const MaxDocumentsPage = 100

// DocumentRecord is a document validation as Client.Document and Client.Documents read
// it: what a webhook event carries (DocumentValidation), how it was captured, and what
// the OCR read from the document (Read, personal data). String, GoString and LogValue
// show ids, statuses and types only.
type DocumentRecord struct {
	DocumentValidation
	ProjectID string
	// ValidationMethod (OCR, MANUAL, SCAN_PROMPT, SCAN_STUDIO) and InputMethod (CAMERA,
	// FILE_UPLOAD, NOT_SET) as Verifik names them.
	ValidationMethod, InputMethod string
	// FullNameMatchScore compares the names read with the names the registrant gave
	// (0–100), nil when Verifik did not say.
	FullNameMatchScore *float64
	// Read is what the OCR read from the document, empty when it read nothing.
	Read DocumentData
}

// String shows the id, status and document type, never what was read from the document.
func (d DocumentRecord) String() string {
	return "verifik.DocumentRecord{" + d.ID + ", " + orNone(string(d.Status)) + ", " + orNone(d.Type) + "}"
}

// GoString is String: %#v must not print the personal data either.
func (d DocumentRecord) GoString() string { return d.String() }

// LogValue shows ids, status and type only.
func (d DocumentRecord) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", d.ID), slog.String("status", string(d.Status)),
		slog.Bool("accepted", d.Accepted), slog.String("type", d.Type))
}

// DocumentData is what Verifik's OCR read from an identity document, as Verifik wrote it
// (it documents no format for the dates). It is personal data: keep it where the
// registrant's other personal data lives; String, GoString and LogValue show none of it.
type DocumentData struct {
	FirstName, LastName, FullName string
	DocumentNumber                string
	DateOfBirth, ExpirationDate   string
	Nationality                   string
}

// String never shows the data, only whether there is any.
func (d DocumentData) String() string {
	if d == (DocumentData{}) {
		return "verifik.DocumentData{none}"
	}
	return "verifik.DocumentData{" + redacted + "}"
}

// GoString never shows the data.
func (d DocumentData) GoString() string { return d.String() }

// LogValue never shows the data.
func (d DocumentData) LogValue() slog.Value {
	if d == (DocumentData{}) {
		return slog.StringValue("none")
	}
	return slog.StringValue(redacted)
}

// DocumentFilter narrows Documents; its zero value is the first page of every document
// validation of the account, Verifik's default page size.
type DocumentFilter struct {
	// Page counts from 1 (0 means 1).
	Page int
	// Limit is the page size (Verifik's perPage), 1 to MaxDocumentsPage (0 means Verifik's
	// default).
	Limit int
	// Status keeps validations in this status (one of the DocumentStatus constants).
	Status DocumentStatus
	// Type keeps one document type, as DocumentValidation.Type names it ("CC", "Passport").
	Type string
	// ValidationMethod (OCR, MANUAL, SCAN_PROMPT, SCAN_STUDIO) and InputMethod (CAMERA,
	// FILE_UPLOAD, NOT_SET) keep validations captured that way.
	ValidationMethod, InputMethod string
	// ValidationType is Verifik's where_type (validation, login, signup, ocr, demo on its
	// page; Smart Enroll's own validations are "onboarding").
	ValidationType string
}

// DocumentPage is one page of Documents.
type DocumentPage struct {
	Documents []DocumentRecord
	// Total is how many validations match; Pages how many pages they fill.
	Total, Page, Pages int
}

// LogValue shows the counts only: the records hold personal data.
func (p DocumentPage) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("documents", len(p.Documents)), slog.Int("total", p.Total),
		slog.Int("page", p.Page), slog.Int("pages", p.Pages))
}

// Document reads one document validation of the account, e.g. to see what the OCR read
// once a document_validation event arrived. Verifik: GET /v2/document-validations/{id}
// (client token).
func (c *Client) Document(ctx context.Context, documentValidationID string) (DocumentRecord, error) {
	const op = "getDocumentValidation"
	if err := c.ready(op); err != nil {
		return DocumentRecord{}, err
	}
	if err := checkID(op, "document validation id", documentValidationID); err != nil {
		return DocumentRecord{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.GetDocumentValidationWithResponse(ctx, documentValidationID, &smartenroll.GetDocumentValidationParams{}, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return DocumentRecord{}, err
	}
	return documentRecordOf(res.JSON200.Data), nil
}

// filterValuePattern bounds the free-text filters: Verifik's values are single words.
var filterValuePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Documents lists the account's document validations, a page at a time. Verifik: GET
// /v2/document-validations?page=&perPage=&where_status=&where_documentType=
// &where_validationMethod=&where_inputMethod=&where_type= (client token).
func (c *Client) Documents(ctx context.Context, f DocumentFilter) (DocumentPage, error) {
	const op = "listDocumentValidations"
	if err := c.ready(op); err != nil {
		return DocumentPage{}, err
	}
	switch {
	case f.Page < 0:
		return DocumentPage{}, transport.Invalid(vendor, op, "page", "must be 1 or more")
	case f.Limit < 0 || f.Limit > MaxDocumentsPage:
		return DocumentPage{}, transport.Invalid(vendor, op, "limit", "must be 1 to "+strconv.Itoa(MaxDocumentsPage))
	case f.Status != "" && !f.Status.known():
		return DocumentPage{}, transport.Invalid(vendor, op, "status", "is not a Verifik document validation status")
	}
	params := smartenroll.ListDocumentValidationsParams{}
	if f.Page > 0 {
		params.Page = ptr(f.Page)
	}
	if f.Limit > 0 {
		params.PerPage = ptr(f.Limit)
	}
	if f.Status != "" {
		params.WhereStatus = ptr(string(f.Status))
	}
	for _, w := range []struct {
		field, value string
		dst          **string
	}{
		{"type", f.Type, &params.WhereDocumentType},
		{"validation method", f.ValidationMethod, &params.WhereValidationMethod},
		{"input method", f.InputMethod, &params.WhereInputMethod},
		{"validation type", f.ValidationType, &params.WhereType},
	} {
		if w.value == "" {
			continue
		}
		if !filterValuePattern.MatchString(w.value) {
			return DocumentPage{}, transport.Invalid(vendor, op, w.field, "must be one word of letters, digits, '_', '.' or '-'")
		}
		*w.dst = ptr(w.value)
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.ListDocumentValidationsWithResponse(ctx, &params, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return DocumentPage{}, err
	}
	p := res.JSON200
	out := DocumentPage{Documents: make([]DocumentRecord, 0, len(p.Data))}
	if pg := p.Pagination; pg != nil {
		out.Total, out.Page, out.Pages = deref(pg.Total), deref(pg.Page), deref(pg.Pages)
	}
	for _, d := range p.Data {
		out.Documents = append(out.Documents, documentRecordOf(d))
	}
	return out, nil
}

// known reports whether Verifik documents s (a filter may only name those).
func (s DocumentStatus) known() bool {
	switch s {
	case DocumentAssessing, DocumentValidated, DocumentActive, DocumentActiveButUnverified, DocumentFailed,
		DocumentNeedsManualVerification, DocumentNotFound, DocumentExpired:
		return true
	}
	return false
}

func documentRecordOf(v smartenroll.DocumentValidationRecord) DocumentRecord {
	status := documentStatusOf(v.Status)
	out := DocumentRecord{
		DocumentValidation: DocumentValidation{
			ID: v.ID, AppRegistrationID: refID(v.AppRegistration), Status: status, Accepted: documentAccepted(status),
			Type: deref(v.DocumentType), Category: deref(v.DocumentCategory), Country: deref(v.Country),
			NamesMatch: v.NamesMatch, FlowID: refID(v.ProjectFlow),
			CreatedAt: deref(v.CreatedAt), UpdatedAt: deref(v.UpdatedAt),
		},
		ProjectID: deref(v.Project), ValidationMethod: deref(v.ValidationMethod), InputMethod: deref(v.InputMethod),
		FullNameMatchScore: v.FullNameMatchPercentage,
	}
	if x := v.OCRExtraction; x != nil {
		out.Read = DocumentData{
			FirstName: deref(x.FirstName), LastName: deref(x.LastName), FullName: deref(x.FullName),
			DocumentNumber: deref(x.DocumentNumber), DateOfBirth: deref(x.DateOfBirth),
			ExpirationDate: deref(x.ExpirationDate), Nationality: deref(x.Nationality),
		}
	}
	if out.Read.DocumentNumber == "" {
		// The record's own documentNumber where the extraction has none.
		out.Read.DocumentNumber = deref(v.DocumentNumber)
	}
	return out
}
