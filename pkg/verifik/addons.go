package verifik

// The billed add-ons: name validation and criminal background check.

import (
	"context"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// NameCheck compares the registrant's names with the document issuer's registry.
type NameCheck struct {
	// Supported is false for documents Verifik cannot check (Reason says why).
	Supported bool
	Reason    string
	Match     bool    // full name ≥ 90%
	FullName  float64 // 0–100
	FirstName float64
	LastName  float64
}

// CheckNames runs the name validation add-on (billed; Panama, Colombia and Chile
// documents). The flow must enable it (verifyNames) and the sign-up codes and the
// document must be done. Verifik: PUT /v2/document-validations/{id}/validate.
func (r *Registrant) CheckNames(ctx context.Context) (NameCheck, error) {
	const op = "createNameValidation"
	st, err := r.begin(op)
	if err != nil {
		return NameCheck{}, err
	}
	if err := st.open(op); err != nil {
		return NameCheck{}, err
	}
	if !st.Flow.VerifyNames {
		return NameCheck{}, rule(op, ErrFeatureOff, "verifyNames")
	}
	if missing := st.signUpMissing(); missing != "" {
		return NameCheck{}, rule(op, ErrStepsIncomplete, missing)
	}
	if st.DocumentValidationID == "" {
		return NameCheck{}, rule(op, ErrNotReady, "submit the document first")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreateNameValidationWithResponse(ctx, st.DocumentValidationID, nil, smartenroll.NameValidationRequest{}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return NameCheck{}, err
	}
	// Each branch of the union has its one required member; with neither, a zero
	// NotSupported would pass for Verifik's answer.
	if _, none := missing(res.Body, "data._id"); none {
		if _, none := missing(res.Body, "data.isSupported"); none {
			return NameCheck{}, lacks(op, res.StatusCode(), "data._id or data.isSupported")
		}
	}
	var out NameCheck
	if doc, err := res.JSON200.Data.AsDocumentValidation(); err == nil && doc.ID != "" {
		out = NameCheck{
			Supported: true, Match: deref(doc.NamesMatch),
			FullName: deref(doc.FullNameMatchPercentage), FirstName: deref(doc.FirstNameMatchPercentage),
			LastName: deref(doc.LastNameMatchPercentage),
		}
	} else if ns, err := res.JSON200.Data.AsNameValidationNotSupported(); err == nil {
		out = NameCheck{Supported: ns.IsSupported, Reason: deref(ns.InfoValidationSupportedReason)}
	} else {
		return NameCheck{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: err}
	}
	if out.Supported {
		r.update(func(s *State) { s.NamesOK = ptr(out.Match) })
	}
	return out, nil
}

// CriminalRecord is the outcome of the background check.
type CriminalRecord struct {
	// Clear is true when no database reported the person (status ACTIVE).
	Clear bool
	// Hits names the databases that reported the person (e.g. world_api_interpol).
	Hits   []string
	Status CriminalStatus
}

// CheckCriminalRecord runs the criminal background check add-on (billed) on the person
// read from the document. The flow must enable it (verifyCriminalHistory).
// Verifik: PUT /v2/information-validations/{id}/background-check.
func (r *Registrant) CheckCriminalRecord(ctx context.Context) (CriminalRecord, error) {
	const op = "requestCriminalCheck"
	st, err := r.begin(op)
	if err != nil {
		return CriminalRecord{}, err
	}
	if err := st.open(op); err != nil {
		return CriminalRecord{}, err
	}
	if !st.Flow.VerifyCriminal {
		return CriminalRecord{}, rule(op, ErrFeatureOff, "verifyCriminalHistory")
	}
	if st.InformationValidationID == "" || !documentAccepted(st.DocumentStatus) {
		return CriminalRecord{}, rule(op, ErrNotReady, "needs an accepted document")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.RequestCriminalCheckWithResponse(ctx, st.InformationValidationID, smartenroll.CriminalCheckRequest{}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CriminalRecord{}, err
	}
	info := res.JSON200.Data
	out := CriminalRecord{Status: criminalStatusOf(info.Status)}
	out.Clear = out.Status == CriminalActive
	if info.CriminalData != nil {
		out.Hits = append(out.Hits, deref(info.CriminalData.FoundKeys)...)
	}
	if len(out.Hits) > 0 {
		out.Clear = false
	}
	r.update(func(s *State) { s.RecordOK = ptr(out.Clear) })
	return out, nil
}
