package verifik

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Registration is who registers: at least an email or a phone (with its country code).
type Registration struct {
	Email       string
	Phone       string // digits
	CountryCode string // "+" and 1–3 digits, e.g. "+57"
	FullName    string
	FirstName   string
	LastName    string
	Language    string // en (default), es, fr, …
}

// State is a registrant's journey between steps: ids, the app-registration token, what
// is done and the flow's rules. Store it with your user record (it is JSON) and resume
// with Client.Resume. It holds a secret (the token) and personal data (email, phone):
// String, GoString and LogValue redact them; keep the JSON out of logs.
type State struct {
	AppRegistrationID       string `json:"appRegistrationId"`
	InformationValidationID string `json:"informationValidationId,omitempty"`
	// Token is the app-registration token every registrant step sends. A secret.
	Token string `json:"token"`
	Flow  Flow   `json:"flow"`

	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`

	EmailValidationID string    `json:"emailValidationId,omitempty"`
	EmailExpiresAt    time.Time `json:"emailExpiresAt,omitzero"`
	EmailVerified     bool      `json:"emailVerified,omitempty"`
	PhoneValidationID string    `json:"phoneValidationId,omitempty"`
	PhoneExpiresAt    time.Time `json:"phoneExpiresAt,omitzero"`
	PhoneVerified     bool      `json:"phoneVerified,omitempty"`

	DocumentValidationID string         `json:"documentValidationId,omitempty"`
	DocumentStatus       DocumentStatus `json:"documentStatus,omitempty"`
	DocumentHasFace      bool           `json:"documentHasFace,omitempty"`
	DocumentAttempts     int            `json:"documentAttempts,omitempty"`

	PersonID       string `json:"personId,omitempty"`
	SelfieAttempts int    `json:"selfieAttempts,omitempty"`

	// Advanced lists the intermediate steps reported with Advance.
	Advanced []string `json:"advanced,omitempty"`

	FaceScore *float64 `json:"faceScore,omitempty"`
	NamesOK   *bool    `json:"namesOk,omitempty"`
	RecordOK  *bool    `json:"criminalRecordOk,omitempty"`

	Status Status `json:"status"`
}

// String shows the journey's progress without the token or personal data.
func (s State) String() string {
	return fmt.Sprintf("verifik.State{appRegistration: %s, status: %s, token: %s, email verified: %t, phone verified: %t, document: %s, selfie: %t}",
		s.AppRegistrationID, s.Status, redacted, s.EmailVerified, s.PhoneVerified, orNone(string(s.DocumentStatus)), s.PersonID != "")
}

// GoString is String: %#v must not print the token either.
func (s State) GoString() string { return s.String() }

// LogValue logs the journey's progress without the token or personal data.
func (s State) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_registration", s.AppRegistrationID),
		slog.String("status", string(s.Status)),
		slog.String("token", redacted),
		slog.Bool("email_verified", s.EmailVerified),
		slog.Bool("phone_verified", s.PhoneVerified),
		slog.String("document", string(s.DocumentStatus)),
		slog.Bool("selfie", s.PersonID != ""),
	)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Registrant is one end user's Smart Enroll journey, one method per vendor step. Create
// it with Client.Register or Client.Resume; persist State() between requests. Methods
// check the flow's rules before any network call. A Registrant is safe for concurrent
// use, but steps of one journey are meant to run one after another.
//
// Every step method changes the state the Registrant holds, failures included: a refused
// selfie counts an attempt, a sent code sets its validation and expiry, a confirmed one
// marks the contact verified. Store State() again after every call, whatever it returned
// (ExampleRegistrant_State); a journey resumed from an older copy repeats attempts the
// flow already counted.
type Registrant struct {
	c  *Client
	mu sync.Mutex
	st State
}

// State returns a copy of the journey's state, for storage.
func (r *Registrant) State() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.st
	st.Flow.Steps = cloneSteps(st.Flow.Steps)
	st.Advanced = append([]string(nil), st.Advanced...)
	return st
}

// MarshalJSON stores the journey's state.
func (r *Registrant) MarshalJSON() ([]byte, error) { return json.Marshal(r.State()) }

// String shows the state without the token or personal data.
func (r *Registrant) String() string { return r.State().String() }

// GoString is String: %#v must not print the token either.
func (r *Registrant) GoString() string { return r.State().String() }

// LogValue logs the state without the token or personal data.
func (r *Registrant) LogValue() slog.Value { return r.State().LogValue() }

// update records what a step changed.
func (r *Registrant) update(f func(*State)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.st)
}

func cloneSteps(m map[string]Requirement) map[string]Requirement {
	out := make(map[string]Requirement, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Resume continues a stored journey.
func (c *Client) Resume(s State) (*Registrant, error) {
	if err := c.ready(""); err != nil {
		return nil, err
	}
	if s.AppRegistrationID == "" || s.Token == "" {
		return nil, transport.Invalid(vendor, "", "state", "has no app registration id or token")
	}
	// These ids go into request paths: a stored state that came back changed must not
	// point a step at another resource.
	for _, id := range []struct{ field, value string }{
		{"app registration id", s.AppRegistrationID},
		{"email validation id", s.EmailValidationID},
		{"document validation id", s.DocumentValidationID},
		{"information validation id", s.InformationValidationID},
	} {
		if id.value != "" {
			if err := checkID("", id.field, id.value); err != nil {
				return nil, err
			}
		}
	}
	s.Flow.Steps = cloneSteps(s.Flow.Steps)
	return &Registrant{c: c, st: s}, nil
}

// Register starts one end user's journey in flow and returns the Registrant holding the
// app-registration token; store its State (with the registration id) to go on later.
// An email or phone that already has a registration in the flow is refused with
// ErrAlreadyRegistered (*AlreadyRegisteredError says which): Verifik's newest pages answer
// 409 and resume that registrant with ResendLink on the stored id, not by registering
// again (the tutorial's older text returned the same registration with a new token).
// Verifik: POST /v2/app-registrations (client token).
func (c *Client) Register(ctx context.Context, flow Flow, who Registration) (*Registrant, error) {
	const op = "createAppRegistration"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if err := checkID(op, "project id", flow.ProjectID); err != nil {
		return nil, err
	}
	if err := checkID(op, "flow id", flow.FlowID); err != nil {
		return nil, err
	}
	email := strings.ToLower(strings.TrimSpace(who.Email))
	phone := strings.ReplaceAll(who.Phone, " ", "")
	switch {
	case email == "" && phone == "":
		return nil, transport.Invalid(vendor, op, "email or phone", "one of them is required")
	case email != "":
		if err := checkEmail(op, "email", email); err != nil {
			return nil, err
		}
	}
	if phone != "" {
		if err := checkPhone(op, phone, who.CountryCode); err != nil {
			return nil, err
		}
	}
	if flow.EmailCode && email == "" {
		return nil, rule(op, ErrStepsIncomplete, "the flow's sign-up form needs an email")
	}
	if flow.PhoneCode && phone == "" {
		return nil, rule(op, ErrStepsIncomplete, "the flow's sign-up form needs a phone")
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{
		Project: flow.ProjectID, ProjectFlow: flow.FlowID,
		Email: nonEmpty(email), Phone: nonEmpty(phone), CountryCode: nonEmpty(strings.TrimSpace(who.CountryCode)),
		FullName: nonEmpty(who.FullName), FirstName: nonEmpty(who.FirstName), LastName: nonEmpty(who.LastName),
		Language: nonEmpty(who.Language),
	}, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return nil, alreadyRegistered(err)
	}
	data := res.JSON200.Data
	if data.Token == "" {
		return nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("token")}
	}
	st := State{
		AppRegistrationID: data.AppRegistration.ID,
		Token:             data.Token,
		Flow:              flow,
		Email:             email, Phone: phone, CountryCode: strings.TrimSpace(who.CountryCode),
		Status: statusOf(data.AppRegistration.Status),
	}
	if data.InformationValidation != nil {
		st.InformationValidationID = data.InformationValidation.ID
	}
	r, err := c.Resume(st)
	if err != nil {
		// The caller's input was checked above: what Resume refuses came in the answer.
		return nil, &transport.DecodeError{Vendor: vendor, Operation: op, StatusCode: res.StatusCode(), Err: errMissing("usable ids")}
	}
	return r, nil
}

type errMissing string

func (e errMissing) Error() string { return "the answer has no " + string(e) }

// begin reads the state for a step, refusing a Registrant not made by Register or Resume.
func (r *Registrant) begin(op string) (State, error) {
	if r == nil || r.c == nil {
		return State{}, rule(op, ErrNotReady, "create the Registrant with Client.Register or Client.Resume")
	}
	return r.State(), nil
}
