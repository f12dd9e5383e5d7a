package verifik

// The sign-up form's codes: email and phone one-time passwords.

import (
	"context"
	"errors"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// CodeSent is a code on its way to the registrant.
type CodeSent struct {
	ValidationID string
	ExpiresAt    time.Time
	// Resent is true when an active code was sent again rather than a new one.
	Resent bool
}

// SendEmailCode emails the registrant a 6-digit code (the flow's sign-up form must ask
// for one). Sending again while a code is active sends the same code.
// Verifik: POST /v2/email-validations/app-registration.
func (r *Registrant) SendEmailCode(ctx context.Context) (CodeSent, error) {
	const op = "createEmailValidation"
	st, err := r.begin(op)
	if err != nil {
		return CodeSent{}, err
	}
	if err := st.open(op); err != nil {
		return CodeSent{}, err
	}
	if !st.Flow.EmailCode {
		return CodeSent{}, rule(op, ErrStepNotOffered, "the flow's sign-up form asks for no email code")
	}
	if st.Email == "" {
		return CodeSent{}, rule(op, ErrNotReady, "registered without an email")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: st.Flow.ProjectID, ProjectFlow: ptr(st.Flow.FlowID), Email: st.Email,
		Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode,
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CodeSent{}, err
	}
	v := res.JSON200.Data
	if !idPattern.MatchString(v.ID) {
		// ConfirmEmailCode puts the id in its path and Resume refuses it: not the caller's fault.
		return CodeSent{}, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("usable email validation id")}
	}
	sent := CodeSent{ValidationID: v.ID, ExpiresAt: deref(v.ExpiresAt), Resent: deref(v.Existing)}
	r.update(func(s *State) {
		if s.EmailValidationID != v.ID {
			s.EmailVerified = false
		}
		s.EmailValidationID, s.EmailExpiresAt = v.ID, sent.ExpiresAt
	})
	return sent, nil
}

// ConfirmEmailCode checks the code the registrant typed. A wrong code matches
// ErrCodeMismatch, an expired one ErrCodeExpired (send a new one).
// Verifik: PUT /v2/email-validations/{id}.
func (r *Registrant) ConfirmEmailCode(ctx context.Context, code string) error {
	const op = "validateEmailValidation"
	st, err := r.begin(op)
	if err != nil {
		return err
	}
	otp, err := parseCode(op, code)
	if err != nil {
		return err
	}
	if err := st.open(op); err != nil {
		return err
	}
	if st.EmailValidationID == "" {
		return rule(op, ErrNotReady, "send the email code first")
	}
	if !st.EmailExpiresAt.IsZero() && !r.c.now().Before(st.EmailExpiresAt) {
		return rule(op, ErrCodeExpired, "send a new email code")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.ValidateEmailValidationWithResponse(ctx, st.EmailValidationID,
		smartenroll.EmailValidationConfirmRequest{Email: st.Email, Otp: otp}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return err
	}
	verified := res.JSON200.Data.Status == smartenroll.OTPValidated
	r.update(func(s *State) { s.EmailVerified = verified })
	if !verified {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errors.New("the code was accepted but the validation is not validated")}
	}
	return nil
}

// SendPhoneCode texts the registrant a 6-digit code by SMS or WhatsApp (via; empty means
// the flow's gateway). Billed by Verifik.
// Verifik: POST /v2/phone-validations/app-registration.
func (r *Registrant) SendPhoneCode(ctx context.Context, via PhoneGateway) (CodeSent, error) {
	const op = "createPhoneValidation"
	st, err := r.begin(op)
	if err != nil {
		return CodeSent{}, err
	}
	if via != "" && via != SMS && via != WhatsApp {
		return CodeSent{}, transport.Invalid(vendor, op, "gateway", "must be sms or whatsapp")
	}
	if err := st.open(op); err != nil {
		return CodeSent{}, err
	}
	if !st.Flow.PhoneCode {
		return CodeSent{}, rule(op, ErrStepNotOffered, "the flow's sign-up form asks for no phone code")
	}
	if st.Phone == "" {
		return CodeSent{}, rule(op, ErrNotReady, "registered without a phone")
	}
	if via == "" {
		via = st.Flow.PhoneGateway
	}
	if via != WhatsApp {
		via = SMS
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.CreatePhoneValidationWithResponse(ctx, smartenroll.PhoneValidationCreateRequest{
		Project: st.Flow.ProjectID, ProjectFlow: ptr(st.Flow.FlowID), Phone: st.Phone, CountryCode: st.CountryCode,
		Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode, PhoneGateway: ptr(smartenroll.PhoneGateway(via)),
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return CodeSent{}, err
	}
	v := res.JSON200.Data
	sent := CodeSent{ValidationID: v.ID, ExpiresAt: deref(v.ExpiresAt)}
	r.update(func(s *State) {
		s.PhoneValidationID, s.PhoneExpiresAt, s.PhoneVerified = v.ID, sent.ExpiresAt, false
	})
	return sent, nil
}

// ConfirmPhoneCode checks the code the registrant typed (see ConfirmEmailCode).
// Verifik: PUT /v2/phone-validations (the validation is found by phone, not by id).
func (r *Registrant) ConfirmPhoneCode(ctx context.Context, code string) error {
	const op = "validatePhoneValidation"
	st, err := r.begin(op)
	if err != nil {
		return err
	}
	otp, err := parseCode(op, code)
	if err != nil {
		return err
	}
	if err := st.open(op); err != nil {
		return err
	}
	if st.PhoneValidationID == "" {
		return rule(op, ErrNotReady, "send the phone code first")
	}
	if !st.PhoneExpiresAt.IsZero() && !r.c.now().Before(st.PhoneExpiresAt) {
		return rule(op, ErrCodeExpired, "send a new phone code")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := r.c.api.ValidatePhoneValidationWithResponse(ctx, smartenroll.PhoneValidationConfirmRequest{
		Phone: st.Phone, CountryCode: st.CountryCode, Otp: otp,
		Project: ptr(st.Flow.ProjectID), ProjectFlow: ptr(st.Flow.FlowID),
	}, bearer(st.Token))
	if err := r.c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return err
	}
	verified := res.JSON200.Data.Status == smartenroll.OTPValidated
	r.update(func(s *State) { s.PhoneVerified = verified })
	if !verified {
		return &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errors.New("the code was accepted but the validation is not validated")}
	}
	return nil
}
