package verifik

// The identity document step.

import (
	"context"
	"strconv"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Image is a base64-encoded image as Verifik takes it; a data-URI prefix
// ("data:image/jpeg;base64,") is allowed. ImageOf encodes raw bytes.
type Image string

// Document is the registrant's identity document: its front, its back, or both.
type Document struct {
	Front Image
	Back  Image
	// Force replaces a document already submitted (another attempt).
	Force bool
}

// DocumentResult is what Verifik's OCR made of a document. It holds no personal data.
type DocumentResult struct {
	ValidationID string
	Status       DocumentStatus
	// Accepted is true when the document passed (VALIDATED or ACTIVE).
	Accepted bool
	// Type and Category as Verifik names them ("CC", "Passport"; "ID").
	Type, Category string
	Country        string
	// NamesMatch compares the names read with the names the registrant gave.
	NamesMatch         bool
	FullNameMatchScore float64 // 0–100
}

// SubmitDocument sends the registrant's identity document for OCR. The flow must offer
// the document step; a second submission needs Force and counts as another attempt.
// Verifik: POST /v2/document-validations/app-registration.
func (r *Registrant) SubmitDocument(ctx context.Context, d Document) (DocumentResult, error) {
	const op = "createDocumentValidation"
	if d.Front == "" && d.Back == "" {
		return DocumentResult{}, transport.Invalid(vendor, op, "document", "needs a front or a back image")
	}
	var front, back *string
	for _, side := range []struct {
		img   Image
		field string
		dst   **string
	}{{d.Front, "front image", &front}, {d.Back, "back image", &back}} {
		if side.img == "" {
			continue
		}
		raw, _, err := checkImage(op, side.field, side.img)
		if err != nil {
			return DocumentResult{}, err
		}
		// Verifik's own SDK strips the data-URI prefix from document images.
		*side.dst = ptr(raw)
	}
	st, err := r.begin(op)
	if err != nil {
		return DocumentResult{}, err
	}
	if err := st.open(op); err != nil {
		return DocumentResult{}, err
	}
	if st.Flow.Requirement(StepDocument) == Skip {
		return DocumentResult{}, rule(op, ErrStepNotOffered, StepDocument)
	}
	if st.DocumentValidationID != "" && !d.Force {
		return DocumentResult{}, rule(op, ErrAlreadySubmitted, "resubmit with Force")
	}
	if st.Flow.DocumentAttempts > 0 && st.DocumentAttempts >= st.Flow.DocumentAttempts {
		return DocumentResult{}, rule(op, ErrAttemptsExhausted, "the flow allows "+strconv.Itoa(st.Flow.DocumentAttempts)+" document attempts")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{
		Image: front, BackImage: back, Force: ptr(d.Force),
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return DocumentResult{}, err
	}
	v := res.JSON200.Data.DocumentValidation
	if !idPattern.MatchString(v.ID) {
		// Later steps put the id in their paths and Resume refuses it: not the caller's fault.
		return DocumentResult{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("usable document validation id")}
	}
	out := DocumentResult{
		ValidationID: v.ID, Status: documentStatusOf(v.Status), Accepted: documentAccepted(documentStatusOf(v.Status)),
		Type: deref(v.DocumentType), Category: deref(v.DocumentCategory), Country: deref(v.Country),
		NamesMatch: deref(v.NamesMatch), FullNameMatchScore: deref(v.FullNameMatchPercentage),
	}
	r.update(func(s *State) {
		s.DocumentValidationID, s.DocumentStatus = v.ID, out.Status
		s.DocumentAttempts++
		s.FaceScore, s.NamesOK = nil, nil // a new document invalidates earlier comparisons
	})
	return out, nil
}
