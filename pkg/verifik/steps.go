package verifik

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// Status is where a registration is (Verifik's AppRegistration status). Verifik may add
// statuses: an unknown one is kept as Verifik sent it and counts as still in progress.
type Status string

// Registration statuses, as Verifik spells them.
const (
	Started                 Status = "STARTED"
	Ongoing                 Status = "ONGOING"
	Completed               Status = "COMPLETED"
	CompletedWithoutKYC     Status = "COMPLETED_WITHOUT_KYC"
	Failed                  Status = "FAILED"
	NeedsManualVerification Status = "NEEDS_MANUAL_VERIFICATION"
	Expired                 Status = "EXPIRED"
)

// known reports whether Verifik documents s (a filter may only name those).
func (s Status) known() bool {
	switch s {
	case Started, Ongoing, Completed, CompletedWithoutKYC, Failed, NeedsManualVerification, Expired:
		return true
	}
	return false
}

// OS is the registrant's device, which Verifik's liveness check needs.
type OS string

// Devices, as Verifik spells them.
const (
	Desktop OS = "DESKTOP"
	IOS     OS = "IOS"
	Android OS = "ANDROID"
)

// DocumentStatus is where a document validation is. Verifik may add statuses: an
// unknown one is kept as Verifik sent it and counts as not accepted.
type DocumentStatus string

// Document validation statuses, as Verifik spells them. ASSESSING while checks run;
// VALIDATED or ACTIVE when the document passed; FAILED when it did not.
const (
	DocumentAssessing               DocumentStatus = "ASSESSING"
	DocumentValidated               DocumentStatus = "VALIDATED"
	DocumentActive                  DocumentStatus = "ACTIVE"
	DocumentActiveButUnverified     DocumentStatus = "ACTIVE_BUT_UNVERIFIED"
	DocumentFailed                  DocumentStatus = "FAILED"
	DocumentNeedsManualVerification DocumentStatus = "NEEDS_MANUAL_VERIFICATION"
	DocumentNotFound                DocumentStatus = "NOT_FOUND"
	DocumentExpired                 DocumentStatus = "EXPIRED"
)

// CriminalStatus is where the criminal background check is (the status of Verifik's
// information validation). Verifik may add statuses: an unknown one is kept as Verifik
// sent it and counts as not clear.
type CriminalStatus string

// Background check statuses, as Verifik spells them.
const (
	// CriminalActive is a clear check: no database reported the person.
	CriminalActive CriminalStatus = "ACTIVE"
	// CriminalAssessing is a check still running.
	CriminalAssessing CriminalStatus = "ASSESSING"
	// CriminalFailed is a check with a hit.
	CriminalFailed CriminalStatus = "FAILED"
)

// CodeStatus is where an email or phone code is. Verifik may add statuses: an unknown
// one is kept as Verifik sent it and counts as not validated.
type CodeStatus string

// Code statuses, as Verifik spells them.
const (
	CodeStatusSent      CodeStatus = "sent"
	CodeStatusValidated CodeStatus = "validated"
	CodeStatusFailed    CodeStatus = "failed"
)

// The generated client has its own enum types: these convert at the boundary, keeping an
// unknown value as sent.

func statusOf(s *smartenroll.AppRegistrationStatus) Status { return Status(deref(s)) }

func documentStatusOf(s *smartenroll.DocumentValidationStatus) DocumentStatus {
	return DocumentStatus(deref(s))
}

func criminalStatusOf(s *smartenroll.InformationValidationStatus) CriminalStatus {
	return CriminalStatus(deref(s))
}

// finished says whether a registration has ended; unknown statuses are in progress.
func finished(s Status) bool {
	switch s {
	case Completed, CompletedWithoutKYC, Failed, Expired:
		return true
	}
	return false
}

// documentAccepted says whether a document passed; unknown statuses did not.
func documentAccepted(s DocumentStatus) bool {
	return s == DocumentValidated || s == DocumentActive
}

// open refuses steps on a finished registration.
func (s State) open(op string) error {
	if finished(s.Status) {
		return rule(op, ErrFinished, string(s.Status))
	}
	return nil
}

// signUpMissing names the sign-up codes still unconfirmed.
func (s State) signUpMissing() string {
	if s.Flow.Requirement(StepSignUpForm) == Skip {
		return ""
	}
	var out []string
	if s.Flow.EmailCode && !s.EmailVerified {
		out = append(out, "email code")
	}
	if s.Flow.PhoneCode && !s.PhoneVerified {
		out = append(out, "phone code")
	}
	if len(out) == 0 {
		return ""
	}
	return "signUpForm (" + strings.Join(out, ", ") + ")"
}

// mandatoryMissing lists the flow's mandatory steps that are not done.
func (s State) mandatoryMissing() []string {
	var out []string
	for _, step := range []string{StepBasicInformation, StepDocument, StepLiveness, StepForm} {
		if s.Flow.Requirement(step) != Mandatory {
			continue
		}
		done := false
		switch step {
		case StepDocument:
			done = documentAccepted(s.DocumentStatus)
		case StepLiveness:
			done = s.PersonID != ""
		default:
			done = slices.Contains(s.Advanced, step)
		}
		if !done {
			out = append(out, step)
		}
	}
	return out
}

// Recommend is a default policy for Finish: Failed on a rejected document or a criminal
// record, NeedsManualVerification when a mandatory step is missing, the faces score below
// the flow's threshold or the names do not match, Completed otherwise.
func (s State) Recommend() Status {
	switch {
	case s.RecordOK != nil && !*s.RecordOK:
		return Failed
	case s.DocumentValidationID != "" && s.DocumentStatus == DocumentFailed:
		return Failed
	case len(s.mandatoryMissing()) > 0,
		s.FaceScore != nil && *s.FaceScore < s.Flow.CompareMinScore,
		s.NamesOK != nil && !*s.NamesOK:
		return NeedsManualVerification
	}
	return Completed
}

// refID reads the id of an "id or populated object" reference.
func refID[T any, P interface {
	*T
	MarshalJSON() ([]byte, error)
}](ref P) string {
	if ref == nil {
		return ""
	}
	data, err := ref.MarshalJSON()
	if err != nil {
		return ""
	}
	var id string
	if json.Unmarshal(data, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"_id"`
	}
	if json.Unmarshal(data, &obj) == nil {
		return obj.ID
	}
	return ""
}
