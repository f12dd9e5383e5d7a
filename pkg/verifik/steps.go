package verifik

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// Status is where a registration is (Verifik's AppRegistration status).
type Status = smartenroll.AppRegistrationStatus

const (
	Started                 = smartenroll.AppRegistrationStarted
	Ongoing                 = smartenroll.AppRegistrationOngoing
	Completed               = smartenroll.AppRegistrationCompleted
	CompletedWithoutKYC     = smartenroll.AppRegistrationCompletedWithoutKYC
	Failed                  = smartenroll.AppRegistrationFailed
	NeedsManualVerification = smartenroll.AppRegistrationNeedsManualVerification
	Expired                 = smartenroll.AppRegistrationExpired
)

// OS is the registrant's device, which Verifik's liveness check needs.
type OS = smartenroll.DeviceOS

const (
	Desktop = smartenroll.OSDesktop
	IOS     = smartenroll.OSIOS
	Android = smartenroll.OSAndroid
)

// DocumentStatus is where a document validation is.
type DocumentStatus = smartenroll.DocumentValidationStatus

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
	return s == smartenroll.DocumentValidated || s == smartenroll.DocumentActive
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
	case s.DocumentValidationID != "" && s.DocumentStatus == smartenroll.DocumentFailed:
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
