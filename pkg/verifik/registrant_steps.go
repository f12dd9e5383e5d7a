package verifik

// The two corrections Verifik's web SDK offers a registrant mid-journey: taking the
// selfie again and replacing a mistyped phone. Each sends the SDK's own sequence of
// requests (github:Open-Verifik/web-sdk@8657dcd).

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// RetakeSelfie replaces the registrant's accepted selfie with a new one, as the web SDK's
// "restart" button on the review screen does: it finds the registrant's biometric
// validation (POST /v2/app-registrations/me), deletes it (DELETE
// /v2/biometric-validations/{id}, which also drops the person it created and any face
// comparison), then submits s as SubmitSelfie does (POST
// /v2/biometric-validations/app-registration, without force). Source:
// src/app/modules/kyc/kyc-document-liveness-review/kyc-document-liveness-review.component.ts
// doLivenessAgain() and src/app/modules/auth/kyc.service.ts restartKYC().
//
// State: PersonID and FaceScore are cleared once the old selfie is deleted, and the new
// one counts a selfie attempt; if the new selfie fails (liveness, duplicate), the
// registrant has no selfie until SubmitSelfie succeeds. Run CompareFaces again after it.
// The SDK then also offers the document again; do that with SubmitDocument and Force.
//
// Refused before any call: a registrant with no accepted selfie (ErrNotReady: use
// SubmitSelfie), a flow without the liveness step, a finished registration, used-up
// selfie attempts, and a bad image or OS.
func (r *Registrant) RetakeSelfie(ctx context.Context, s Selfie) (SelfieResult, error) {
	const op = "createBiometricValidation"
	switch s.OS {
	case Desktop, IOS, Android:
	default:
		return SelfieResult{}, transport.Invalid(vendor, op, "os", "must be DESKTOP, IOS or ANDROID")
	}
	if _, _, err := checkImage(op, "selfie", s.Image); err != nil {
		return SelfieResult{}, err
	}
	const del = "deleteBiometricValidation"
	st, err := r.begin(del)
	if err != nil {
		return SelfieResult{}, err
	}
	if err := st.open(del); err != nil {
		return SelfieResult{}, err
	}
	if st.Flow.Requirement(StepLiveness) == Skip {
		return SelfieResult{}, rule(del, ErrStepNotOffered, StepLiveness)
	}
	if st.PersonID == "" {
		return SelfieResult{}, rule(del, ErrNotReady, "no accepted selfie to retake: use SubmitSelfie")
	}
	if st.Flow.SelfieAttempts > 0 && st.SelfieAttempts >= st.Flow.SelfieAttempts {
		// Deleting first would leave the registrant without a selfie and no attempt left.
		return SelfieResult{}, rule(op, ErrAttemptsExhausted, "the flow allows "+strconv.Itoa(st.Flow.SelfieAttempts)+" selfie attempts")
	}

	id, err := r.biometricValidationID(ctx, st)
	if err != nil {
		return SelfieResult{}, err
	}
	if id != "" { // none: an earlier retake deleted it and lost the answer
		if err := checkID(del, "biometric validation id", id); err != nil {
			return SelfieResult{}, &transport.DecodeError{Vendor: vendor, Operation: "getCurrentAppRegistration", Err: errMissing("usable biometric validation id")}
		}
		dctx := transport.WithOperation(ctx, del)
		res, err := r.c.api.DeleteBiometricValidationWithResponse(dctx, id, bearer(st.Token))
		if err := r.c.finish(dctx, del, err, res, res != nil && res.JSON200 != nil); err != nil {
			return SelfieResult{}, err
		}
	}
	r.update(func(s *State) { s.PersonID, s.FaceScore = "", nil })
	s.Force = false
	return r.SubmitSelfie(ctx, s)
}

// biometricValidationID reads the registrant's current biometric validation, "" when it
// has none.
func (r *Registrant) biometricValidationID(ctx context.Context, st State) (string, error) {
	const op = "getCurrentAppRegistration"
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return "", err
	}
	return refID(res.JSON200.Data.BiometricValidation), nil
}

// ChangePhone replaces the registrant's phone and texts a code to the new one, as the web
// SDK's "update phone" card does on the code screen: PUT /v2/app-registrations/{id} with
// {_id, countryCode, phone, replacePhone: true}, then a new phone validation (POST
// /v2/phone-validations/app-registration; via as in SendPhoneCode). Source:
// src/app/modules/auth/confirmation-required/confirmation-required.component.ts
// updatePhone() then _initValidations(). The SDK offers no email change.
//
// State: Phone and CountryCode become the new ones and the phone is no longer verified
// (Verifik discards the old phone's codes), so ConfirmPhoneCode must run again before
// Finish; PhoneValidationID and PhoneExpiresAt are the new code's. If the update
// succeeds and the code cannot be sent, the new phone is kept: call SendPhoneCode.
//
// A phone that another registrant of the flow holds is refused with ErrAlreadyRegistered.
// Refused before any call: a bad phone or country code, a flow that asks for no phone
// code, a finished registration.
func (r *Registrant) ChangePhone(ctx context.Context, phone, countryCode string, via PhoneGateway) (CodeSent, error) {
	const op = "updateAppRegistration"
	phone = strings.ReplaceAll(phone, " ", "")
	countryCode = strings.TrimSpace(countryCode)
	if err := checkPhone(op, phone, countryCode); err != nil {
		return CodeSent{}, err
	}
	if via != "" && via != SMS && via != WhatsApp {
		return CodeSent{}, transport.Invalid(vendor, op, "gateway", "must be sms or whatsapp")
	}
	st, err := r.begin(op)
	if err != nil {
		return CodeSent{}, err
	}
	if err := st.open(op); err != nil {
		return CodeSent{}, err
	}
	if !st.Flow.PhoneCode {
		return CodeSent{}, rule(op, ErrStepNotOffered, "the flow's sign-up form asks for no phone code")
	}
	ctx2 := transport.WithOperation(ctx, op)
	res, err := r.c.api.UpdateAppRegistrationWithResponse(ctx2, st.AppRegistrationID, smartenroll.AppRegistrationUpdateRequest{
		ID: ptr(st.AppRegistrationID), Phone: ptr(phone), CountryCode: ptr(countryCode), ReplacePhone: ptr(true),
	}, bearer(st.Token))
	if err := r.c.finish(ctx2, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CodeSent{}, alreadyRegistered(err)
	}
	r.update(func(s *State) {
		s.Phone, s.CountryCode = phone, countryCode
		s.PhoneVerified, s.PhoneValidationID, s.PhoneExpiresAt = false, "", time.Time{}
	})
	return r.SendPhoneCode(ctx, via)
}
