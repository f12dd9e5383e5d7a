package verifik

import (
	"context"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Review is what Verifik holds about a registrant, for the integrator's decision before
// Finish. It carries no personal data: statuses, scores and ids only.
type Review struct {
	AppRegistrationID string
	Status            Status
	EmailVerified     bool
	PhoneVerified     bool
	DocumentStatus    DocumentStatus
	// NamesMatch is the name comparison of the document, nil when none ran.
	NamesMatch *bool
	// LivenessScore is the accepted selfie's liveness, nil when Verifik did not say.
	LivenessScore *float64
	PersonID      string
	// FaceScore is the document-vs-selfie score, nil before CompareFaces.
	FaceScore *float64
	// CriminalStatus is the background check's status, empty before it ran.
	CriminalStatus CriminalStatus
}

// reviewPopulates are the references a review embeds.
var reviewPopulates = []smartenroll.Populate{
	smartenroll.PopulateEmailValidation, smartenroll.PopulatePhoneValidation,
	smartenroll.PopulateDocumentValidation, smartenroll.PopulateBiometricValidation,
	smartenroll.PopulateCompareFaceVerification, smartenroll.PopulateInformationValidation,
}

// Review reads a registrant with the client token, e.g. from a back-office screen.
// Verifik: GET /v2/app-registrations/{id}?populates[]=….
func (c *Client) Review(ctx context.Context, appRegistrationID string) (Review, error) {
	const op = "getAppRegistration"
	if err := c.ready(op); err != nil {
		return Review{}, err
	}
	if err := checkID(op, "app registration id", appRegistrationID); err != nil {
		return Review{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	pops := append([]smartenroll.Populate(nil), reviewPopulates...)
	res, err := c.api.GetAppRegistrationWithResponse(ctx, appRegistrationID, &smartenroll.GetAppRegistrationParams{Populates: &pops}, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Review{}, err
	}
	return reviewOf(res.JSON200.Data), nil
}

// Refresh reads the registrant's registration with its own token and brings the stored
// state up to date with Verifik's (status, codes, document, selfie).
// Verifik: POST /v2/app-registrations/me.
func (r *Registrant) Refresh(ctx context.Context) (Review, error) {
	const op = "getCurrentAppRegistration"
	st, err := r.begin(op)
	if err != nil {
		return Review{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	pops := append([]smartenroll.Populate(nil), reviewPopulates...)
	res, err := r.c.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{Populates: &pops}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Review{}, err
	}
	rev := reviewOf(res.JSON200.Data)
	r.update(func(s *State) {
		s.Status = rev.Status
		s.EmailVerified = s.EmailVerified || rev.EmailVerified
		s.PhoneVerified = s.PhoneVerified || rev.PhoneVerified
		if rev.DocumentStatus != "" {
			s.DocumentStatus = rev.DocumentStatus
		}
		if rev.PersonID != "" {
			s.PersonID = rev.PersonID
		}
		if rev.FaceScore != nil {
			s.FaceScore = rev.FaceScore
		}
	})
	return rev, nil
}

// DeleteRegistration removes a registrant; its token stops working.
// Verifik: DELETE /v2/app-registrations/{id} (route known from Verifik's client panel).
func (c *Client) DeleteRegistration(ctx context.Context, appRegistrationID string) error {
	const op = "deleteAppRegistration"
	if err := c.ready(op); err != nil {
		return err
	}
	if err := checkID(op, "app registration id", appRegistrationID); err != nil {
		return err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.DeleteAppRegistrationWithResponse(ctx, appRegistrationID, bearer(c.token))
	return c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil)
}

func reviewOf(a smartenroll.AppRegistration) Review {
	rev := Review{AppRegistrationID: a.ID, Status: statusOf(a.Status), PersonID: refID(a.Person)}
	if a.EmailValidation != nil {
		if v, err := a.EmailValidation.AsEmailValidation(); err == nil {
			rev.EmailVerified = v.Status == smartenroll.OTPValidated
		}
	}
	if a.PhoneValidation != nil {
		if v, err := a.PhoneValidation.AsPhoneValidation(); err == nil {
			rev.PhoneVerified = v.Status == smartenroll.OTPValidated
		}
	}
	if a.DocumentValidation != nil {
		if v, err := a.DocumentValidation.AsDocumentValidation(); err == nil && v.ID != "" {
			rev.DocumentStatus = documentStatusOf(v.Status)
			rev.NamesMatch = v.NamesMatch
		}
	}
	if a.BiometricValidation != nil {
		if v, err := a.BiometricValidation.AsBiometricValidation(); err == nil && v.ID != "" {
			rev.LivenessScore = v.LivenessScore
		}
	}
	if a.CompareFaceVerification != nil {
		if v, err := a.CompareFaceVerification.AsCompareFaceVerification(); err == nil && v.Result != nil {
			rev.FaceScore = ptr(v.Result.Score)
		}
	}
	if a.InformationValidation != nil {
		if v, err := a.InformationValidation.AsInformationValidation(); err == nil && v.ID != "" {
			rev.CriminalStatus = criminalStatusOf(v.Status)
		}
	}
	return rev
}
