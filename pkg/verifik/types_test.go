package verifik_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// States as the version whose State fields were the generated client's types stored them
// (json.Marshal of a verifik.State, copied verbatim): callers keep these with their user
// records, so they must resume and store again byte for byte.
var earlierStates = map[string]string{
	"every field set":              `{"appRegistrationId":"66e1a2b3c4d5e6f708192a3b","informationValidationId":"66e1a2b3c4d5e6f708192a3c","token":"eyJhbGciOi.secret.token","flow":{"projectId":"66e1a2b3c4d5e6f708192a30","flowId":"66e1a2b3c4d5e6f708192a31","redirectUrl":"https://acme.example/welcome","steps":{"document":"optional","liveness":"skip","signUpForm":"mandatory"},"emailCode":true,"phoneCode":true,"phoneGateway":"whatsapp","livenessMinScore":0.65,"compareMinScore":0.67,"documentAttempts":3,"selfieAttempts":3,"verifyNames":true,"verifyCriminalHistory":true,"demoMode":true},"email":"alice@example.com","phone":"3001234567","countryCode":"+57","emailValidationId":"66e1a2b3c4d5e6f708192a32","emailExpiresAt":"2024-09-11T10:15:00Z","emailVerified":true,"phoneValidationId":"66e1a2b3c4d5e6f708192a33","phoneExpiresAt":"2024-09-11T10:20:00Z","phoneVerified":true,"documentValidationId":"66e1a2b3c4d5e6f708192a34","documentStatus":"ACTIVE","documentHasFace":true,"documentAttempts":1,"personId":"66e1a2b3c4d5e6f708192a35","selfieAttempts":2,"advanced":["basicInformation"],"faceScore":0.83,"namesOk":true,"criminalRecordOk":false,"status":"ONGOING"}`,
	"statuses Verifik added later": `{"appRegistrationId":"66e1a2b3c4d5e6f708192a3b","token":"t","flow":{"projectId":"","flowId":"","steps":{"signUpForm":"mandatory"},"emailCode":false,"phoneCode":false,"livenessMinScore":0,"compareMinScore":0,"documentAttempts":0,"selfieAttempts":0,"verifyNames":false,"verifyCriminalHistory":false},"documentStatus":"UNDER_REVIEW","status":"SOMETHING_NEW"}`,
}

func TestStateFromEarlierVersionResumes(t *testing.T) {
	client, err := verifik.New("client-token", verifik.WithBaseURL("http://127.0.0.1:9"))
	require.NoError(t, err)
	for name, stored := range earlierStates {
		t.Run(name, func(t *testing.T) {
			var st verifik.State
			require.NoError(t, json.Unmarshal([]byte(stored), &st))
			r, err := client.Resume(st)
			require.NoError(t, err)
			again, err := json.Marshal(r)
			require.NoError(t, err)
			assert.Equal(t, stored, string(again), "the stored JSON must come back byte for byte")
		})
	}

	var st verifik.State
	require.NoError(t, json.Unmarshal([]byte(earlierStates["every field set"]), &st))
	assert.Equal(t, verifik.Ongoing, st.Status)
	assert.Equal(t, verifik.DocumentActive, st.DocumentStatus)
	assert.Equal(t, verifik.WhatsApp, st.Flow.PhoneGateway)
	assert.Equal(t, map[string]verifik.Requirement{
		verifik.StepSignUpForm: verifik.Mandatory, verifik.StepDocument: verifik.Optional, verifik.StepLiveness: verifik.Skip,
	}, st.Flow.Steps)

	// A status Verifik added is kept as sent and counts as in progress, not accepted.
	require.NoError(t, json.Unmarshal([]byte(earlierStates["statuses Verifik added later"]), &st))
	assert.Equal(t, verifik.Status("SOMETHING_NEW"), st.Status)
	assert.Equal(t, verifik.DocumentStatus("UNDER_REVIEW"), st.DocumentStatus)
}

// Every value the spec documents has its constant, and every constant is in the spec: the
// package's own types must not drift from what Verifik sends.
func TestConstantsCoverSpecEnums(t *testing.T) {
	schemas := contract.Default().Spec("verifik/smartenroll").Doc.Components.Schemas
	str := func(vs ...any) []string {
		out := make([]string, 0, len(vs))
		for _, v := range vs {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	cases := []struct {
		schema string
		ours   []string
	}{
		{"AppRegistrationStatus", str(verifik.Started, verifik.Ongoing, verifik.Completed, verifik.CompletedWithoutKYC,
			verifik.Failed, verifik.NeedsManualVerification, verifik.Expired)},
		{"DocumentValidationStatus", str(verifik.DocumentAssessing, verifik.DocumentValidated, verifik.DocumentActive,
			verifik.DocumentActiveButUnverified, verifik.DocumentFailed, verifik.DocumentNeedsManualVerification,
			verifik.DocumentNotFound, verifik.DocumentExpired)},
		{"InformationValidationStatus", str(verifik.CriminalActive, verifik.CriminalAssessing, verifik.CriminalFailed)},
		{"OTPStatus", str(verifik.CodeStatusSent, verifik.CodeStatusValidated, verifik.CodeStatusFailed)},
		{"DeviceOS", str(verifik.Desktop, verifik.IOS, verifik.Android)},
		{"StepRequirement", str(verifik.Mandatory, verifik.Optional, verifik.Skip)},
		{"PhoneGateway", str(verifik.SMS, verifik.WhatsApp, verifik.SMSAndWhatsApp, verifik.NoPhoneGateway)},
	}
	for _, c := range cases {
		t.Run(c.schema, func(t *testing.T) {
			ref := schemas[c.schema]
			require.NotNil(t, ref, "the spec has no schema %s", c.schema)
			spec := str(ref.Value.Enum...)
			slices.Sort(spec)
			slices.Sort(c.ours)
			assert.Equal(t, spec, c.ours)
		})
	}
}

// Each family's event carries its ids, status and times in the package's own types, and
// none of the personal data the delivery holds (that stays in Raw).
func TestEventsCarryOwnTypes(t *testing.T) {
	now := time.Date(2024, 9, 10, 15, 30, 0, 0, time.UTC)
	personal := []string{"email", "phone", "fullName", "firstName", "lastName", "documentNumber",
		"address", "dateOfBirth", "birthDate", "OCRExtraction", "gallery", "probe"}
	for _, typ := range verifik.EventTypes() {
		t.Run(typ, func(t *testing.T) {
			body, ok := verifik.ExampleEvent(typ, now)
			require.True(t, ok)
			ev, err := verifik.DecodeEvent(body)
			require.NoError(t, err)
			var raw map[string]any
			require.NoError(t, json.Unmarshal(ev.Meta().Raw, &raw))

			var typed any
			var id, status string
			switch e := ev.(type) {
			case *verifik.AppRegistrationEvent:
				typed, id, status = e.AppRegistration, e.AppRegistration.ID, string(e.AppRegistration.Status)
				assert.Equal(t, raw["_id"], e.RegistrationID())
				assert.False(t, e.AppRegistration.UpdatedAt.IsZero())
			case *verifik.EmailValidationEvent:
				typed, id, status = e.EmailValidation, e.EmailValidation.ID, string(e.EmailValidation.Status)
			case *verifik.PhoneValidationEvent:
				typed, id, status = e.PhoneValidation, e.PhoneValidation.ID, string(e.PhoneValidation.Status)
				assert.Equal(t, raw["phoneGateway"], string(e.PhoneValidation.Gateway))
			case *verifik.DocumentValidationEvent:
				typed, id, status = e.DocumentValidation, e.DocumentValidation.ID, string(e.DocumentValidation.Status)
				assert.Equal(t, raw["appRegistration"], e.RegistrationID())
				assert.Equal(t, status == "VALIDATED" || status == "ACTIVE", e.DocumentValidation.Accepted)
			case *verifik.BiometricValidationEvent:
				typed, id, status = e.BiometricValidation, e.BiometricValidation.ID, e.BiometricValidation.Status
				assert.Equal(t, raw["appRegistration"], e.RegistrationID())
				assert.Equal(t, raw["livenessScore"], *e.BiometricValidation.LivenessScore)
			case *verifik.FaceVerificationEvent:
				typed, id, status = []any{e.AppRegistration, e.Comparison}, e.AppRegistration.ID, string(e.AppRegistration.Status)
				cmp := raw["compareResult"].(map[string]any)
				assert.Equal(t, cmp["_id"], e.Comparison.ID)
				assert.Equal(t, cmp["result"].(map[string]any)["score"], *e.Comparison.Score)
			case *verifik.InformationValidationEvent:
				typed, id, status = e.InformationValidation, e.InformationValidation.ID, string(e.InformationValidation.Status)
			default:
				t.Fatalf("%T: a documented type decoded as unknown", ev)
			}
			assert.Equal(t, raw["_id"], id)
			assert.Equal(t, raw["status"], status)

			shown := fmt.Sprintf("%+v", typed)
			for _, k := range personal {
				if v, ok := raw[k].(string); ok && v != "" {
					assert.NotContains(t, shown, v, "%s is personal data: it stays in Raw", k)
				}
			}
		})
	}
}

// A status Verifik adds later reaches the caller as sent, and is not mistaken for a
// known one (a new document status is not an accepted document).
func TestEventsKeepUnknownValues(t *testing.T) {
	cases := []struct {
		name, body string
		check      func(t *testing.T, ev verifik.Event)
	}{
		{"registration", `{"type":"onboarding_app_registration_ongoing","object":{"_id":"66e1a2b3c4d5e6f708192a3b","status":"PAUSED"}}`,
			func(t *testing.T, ev verifik.Event) {
				assert.Equal(t, verifik.Status("PAUSED"), ev.(*verifik.AppRegistrationEvent).AppRegistration.Status)
			}},
		{"document", `{"type":"onboarding_document_validation_created","object":{"_id":"66e1a2b3c4d5e6f708192a42","status":"UNDER_REVIEW"}}`,
			func(t *testing.T, ev verifik.Event) {
				d := ev.(*verifik.DocumentValidationEvent).DocumentValidation
				assert.Equal(t, verifik.DocumentStatus("UNDER_REVIEW"), d.Status)
				assert.False(t, d.Accepted)
			}},
		{"background check", `{"type":"onboarding_information_validation_background_check","object":{"_id":"66e1a2b3c4d5e6f708192a44","status":"ON_HOLD","criminalData":{"foundKeys":["world_api_ofac"]}}}`,
			func(t *testing.T, ev verifik.Event) {
				iv := ev.(*verifik.InformationValidationEvent).InformationValidation
				assert.Equal(t, verifik.CriminalStatus("ON_HOLD"), iv.Status)
				assert.Equal(t, []string{"world_api_ofac"}, iv.Hits)
			}},
		{"phone gateway", `{"type":"onboarding_phone_validation_created","object":{"_id":"66e1a2b3c4d5e6f708192a41","status":"queued","phoneGateway":"telegram"}}`,
			func(t *testing.T, ev verifik.Event) {
				p := ev.(*verifik.PhoneValidationEvent).PhoneValidation
				assert.Equal(t, verifik.CodeStatus("queued"), p.Status)
				assert.Equal(t, verifik.PhoneGateway("telegram"), p.Gateway)
			}},
		{"a field of the wrong type leaves it zero", `{"type":"onboarding_app_registration_ongoing","object":{"_id":"66e1a2b3c4d5e6f708192a3b","status":42,"currentStep":"2"}}`,
			func(t *testing.T, ev verifik.Event) {
				a := ev.(*verifik.AppRegistrationEvent).AppRegistration
				assert.Empty(t, a.Status)
				assert.Equal(t, "66e1a2b3c4d5e6f708192a3b", a.ID)
				assert.True(t, strings.Contains(string(ev.Meta().Raw), `"status":42`), "Raw keeps it")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := verifik.DecodeEvent([]byte(c.body))
			require.NoError(t, err)
			c.check(t, ev)
		})
	}
}
