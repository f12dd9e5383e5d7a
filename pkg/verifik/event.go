package verifik

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
)

// Family is the kind of entity an event is about; one Go type per family.
type Family string

// Families, named for the entity in the event's object (Verifik's supported-events page).
const (
	FamilyAppRegistration       Family = "appRegistration"
	FamilyEmailValidation       Family = "emailValidation"
	FamilyPhoneValidation       Family = "phoneValidation"
	FamilyDocumentValidation    Family = "documentValidation"
	FamilyBiometricValidation   Family = "biometricValidation"
	FamilyFaceVerification      Family = "faceVerification"
	FamilyInformationValidation Family = "informationValidation"
	// FamilyUnknown is an event whose suffix names no family idvkit knows: drift, passed on.
	FamilyUnknown Family = ""
)

// familyRoots maps the first words of an event suffix to its family. Verifik builds the
// type as `${projectFlow.type}_${suffix}`, so the root is found after the prefix.
var familyRoots = []struct {
	root   string
	family Family
}{
	{"app_registration_", FamilyAppRegistration},
	{"email_validation_", FamilyEmailValidation},
	{"phone_validation_", FamilyPhoneValidation},
	{"document_validation_", FamilyDocumentValidation},
	{"biometric_validation_", FamilyBiometricValidation},
	{"biometrics_", FamilyBiometricValidation},
	{"face_verification_", FamilyFaceVerification},
	{"information_validation_", FamilyInformationValidation},
}

// schemaOf names the spec schema of each family's delivery.
var schemaOf = map[Family]string{
	FamilyAppRegistration:       "AppRegistrationEvent",
	FamilyEmailValidation:       "EmailValidationEvent",
	FamilyPhoneValidation:       "PhoneValidationEvent",
	FamilyDocumentValidation:    "DocumentValidationEvent",
	FamilyBiometricValidation:   "BiometricValidationEvent",
	FamilyFaceVerification:      "FaceVerificationEvent",
	FamilyInformationValidation: "InformationValidationEvent",
}

// DefaultMaxEventBytes bounds how much of a delivery is read. Events are entity snapshots;
// a face comparison may carry base64 images, hence the room.
const DefaultMaxEventBytes int64 = 4 << 20

// ErrInvalidEvent matches (errors.Is) every *EventError: the delivery is not a Verifik
// event at all (not JSON, no type, no object, too large).
var ErrInvalidEvent = errors.New("verifik: invalid webhook event")

// EventError says why a delivery could not be read as an event. It never quotes the body.
type EventError struct {
	Reason string
	// TooLarge is set when the body exceeded the limit (receivers answer 413).
	TooLarge bool
}

func (e *EventError) Error() string { return "verifik: invalid webhook event: " + e.Reason }

// Is makes errors.Is(err, ErrInvalidEvent) true.
func (e *EventError) Is(target error) bool { return target == ErrInvalidEvent }

// EventMeta is what every event has: its type, where the type splits, the dedup key and
// the object as delivered.
type EventMeta struct {
	// Type is the full type as delivered: "onboarding_email_validation_validated".
	Type string
	// Prefix is the flow type the type starts with ("onboarding" for Smart Enroll).
	Prefix string
	// Suffix is the rest: "email_validation_validated".
	Suffix string
	// Known reports whether the spec lists the type; an unknown one is drift.
	Known bool
	// Key is the dedup key (see EventKey).
	Key string
	// Raw is the event's object exactly as delivered. It holds personal data: never log it.
	Raw json.RawMessage
}

// Meta returns the event's common part.
func (m *EventMeta) Meta() *EventMeta { return m }

// LogValue shows the type and key only: the object holds personal data.
func (m *EventMeta) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", m.Type), slog.String("key", m.Key))
}

// String shows the type and key only.
func (m *EventMeta) String() string { return "verifik.Event{" + m.Type + ", " + m.Key + "}" }

// Event is one delivery read by ParseEvent: one of *AppRegistrationEvent,
// *EmailValidationEvent, *PhoneValidationEvent, *DocumentValidationEvent,
// *BiometricValidationEvent, *FaceVerificationEvent, *InformationValidationEvent or
// *UnknownEvent. Switch on the type, or on Meta().Type for one event.
type Event interface {
	Meta() *EventMeta
	Family() Family
	// RegistrationID is the app registration the event is about, when the object names
	// it (email and phone validations do not); re-read it with Client.Review.
	RegistrationID() string
}

// AppRegistrationEvent is an app_registration_* event: the registration after the step.
type AppRegistrationEvent struct {
	EventMeta
	AppRegistration smartenroll.AppRegistrationEventObject
}

// EmailValidationEvent is an email_validation_* event (OTP values are never included).
type EmailValidationEvent struct {
	EventMeta
	EmailValidation smartenroll.EmailValidation
}

// PhoneValidationEvent is a phone_validation_* event (OTP values are never included).
type PhoneValidationEvent struct {
	EventMeta
	PhoneValidation smartenroll.PhoneValidation
}

// DocumentValidationEvent is a document_validation_* event.
type DocumentValidationEvent struct {
	EventMeta
	DocumentValidation smartenroll.DocumentValidationEventObject
}

// BiometricValidationEvent is a biometric_validation_* or biometrics_* event.
type BiometricValidationEvent struct {
	EventMeta
	BiometricValidation smartenroll.BiometricValidationEventObject
}

// FaceVerificationEvent is face_verification_compare: the registration and the comparison.
type FaceVerificationEvent struct {
	EventMeta
	AppRegistration smartenroll.FaceVerificationEventObject
}

// InformationValidationEvent is an information_validation_* event.
type InformationValidationEvent struct {
	EventMeta
	InformationValidation smartenroll.InformationValidationEventObject
}

// UnknownEvent is an event of a family idvkit does not know (drift): only Raw is read.
type UnknownEvent struct{ EventMeta }

func (*AppRegistrationEvent) Family() Family       { return FamilyAppRegistration }
func (*EmailValidationEvent) Family() Family       { return FamilyEmailValidation }
func (*PhoneValidationEvent) Family() Family       { return FamilyPhoneValidation }
func (*DocumentValidationEvent) Family() Family    { return FamilyDocumentValidation }
func (*BiometricValidationEvent) Family() Family   { return FamilyBiometricValidation }
func (*FaceVerificationEvent) Family() Family      { return FamilyFaceVerification }
func (*InformationValidationEvent) Family() Family { return FamilyInformationValidation }
func (*UnknownEvent) Family() Family               { return FamilyUnknown }

func (e *AppRegistrationEvent) RegistrationID() string { return e.AppRegistration.ID }
func (e *EmailValidationEvent) RegistrationID() string { return "" }
func (e *PhoneValidationEvent) RegistrationID() string { return "" }
func (e *DocumentValidationEvent) RegistrationID() string {
	return deref(e.DocumentValidation.AppRegistration)
}
func (e *BiometricValidationEvent) RegistrationID() string {
	return deref(e.BiometricValidation.AppRegistration)
}
func (e *FaceVerificationEvent) RegistrationID() string      { return e.AppRegistration.ID }
func (e *InformationValidationEvent) RegistrationID() string { return "" }
func (e *UnknownEvent) RegistrationID() string               { return "" }

// envelope is the delivery's outer shape.
type envelope struct {
	Type   *string         `json:"type"`
	Object json.RawMessage `json:"object"`
}

// ParseEvent reads one delivery (at most DefaultMaxEventBytes) into its typed event. It
// does not validate against the spec (Receiver does, in the mode it is given) and it
// never fails on what a vendor may add: an unknown type or field is passed on (see
// Event.Meta().Known and ValidateEvent). It fails with an *EventError (ErrInvalidEvent)
// only when the body is not an event at all.
func ParseEvent(r *http.Request) (Event, error) {
	body, err := readEvent(r, DefaultMaxEventBytes)
	if err != nil {
		return nil, err
	}
	return DecodeEvent(body)
}

func readEvent(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, &EventError{Reason: "no body"}
	}
	defer r.Body.Close()
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &EventError{Reason: "body could not be read"}
	}
	if int64(len(body)) > limit {
		return nil, &EventError{Reason: fmt.Sprintf("body exceeds %d bytes", limit), TooLarge: true}
	}
	return body, nil
}

// DecodeEvent reads an event from a delivery's body (see ParseEvent).
func DecodeEvent(body []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, &EventError{Reason: "body is not a JSON object"}
	}
	if env.Type == nil || strings.TrimSpace(*env.Type) == "" {
		return nil, &EventError{Reason: "no type"}
	}
	obj := bytes.TrimSpace(env.Object)
	if len(obj) == 0 || obj[0] != '{' {
		return nil, &EventError{Reason: "object is missing or not a JSON object"}
	}
	meta := EventMeta{Type: *env.Type, Raw: append(json.RawMessage(nil), obj...)}
	family := FamilyUnknown
	meta.Prefix, meta.Suffix, family = splitType(meta.Type)
	meta.Known = knownTypes[meta.Type]
	meta.Key = EventKey(meta.Type, obj)

	// A typed decode that fails (a field of the wrong type) leaves that field zero: the
	// receiver reports it as a violation through ValidateEvent; Raw keeps everything.
	var ev Event
	switch family {
	case FamilyAppRegistration:
		e := &AppRegistrationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.AppRegistration)
		ev = e
	case FamilyEmailValidation:
		e := &EmailValidationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.EmailValidation)
		ev = e
	case FamilyPhoneValidation:
		e := &PhoneValidationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.PhoneValidation)
		ev = e
	case FamilyDocumentValidation:
		e := &DocumentValidationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.DocumentValidation)
		ev = e
	case FamilyBiometricValidation:
		e := &BiometricValidationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.BiometricValidation)
		ev = e
	case FamilyFaceVerification:
		e := &FaceVerificationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.AppRegistration)
		ev = e
	case FamilyInformationValidation:
		e := &InformationValidationEvent{EventMeta: meta}
		_ = json.Unmarshal(obj, &e.InformationValidation)
		ev = e
	default:
		ev = &UnknownEvent{EventMeta: meta}
	}
	return ev, nil
}

// splitType finds the family root after the flow-type prefix.
func splitType(t string) (prefix, suffix string, family Family) {
	for i := 0; i < len(t); i++ {
		if t[i] != '_' {
			continue
		}
		rest := t[i+1:]
		for _, fr := range familyRoots {
			if strings.HasPrefix(rest, fr.root) {
				return t[:i], rest, fr.family
			}
		}
	}
	return "", t, FamilyUnknown
}

// EventKey is the dedup key of an event. Verifik sends no event id, so the key is derived
// from what changes with each event: the type, the object's _id and its updatedAt (or
// createdAt when it has none), hashed so that the key holds no personal data. An object
// without an _id is keyed by its whole JSON. Two deliveries with the same key are the
// same event; two distinct events of one type for one record within one millisecond would
// share a key (Verifik stamps updatedAt in milliseconds).
func EventKey(eventType string, object []byte) string {
	var ids struct {
		ID        *string `json:"_id"`
		UpdatedAt *string `json:"updatedAt"`
		CreatedAt *string `json:"createdAt"`
	}
	h := sha256.New()
	h.Write([]byte(eventType))
	h.Write([]byte{0})
	if json.Unmarshal(object, &ids) == nil && ids.ID != nil && *ids.ID != "" {
		h.Write([]byte(*ids.ID))
		h.Write([]byte{0})
		switch {
		case ids.UpdatedAt != nil:
			h.Write([]byte(*ids.UpdatedAt))
		case ids.CreatedAt != nil:
			h.Write([]byte(*ids.CreatedAt))
		}
	} else {
		var buf bytes.Buffer
		if json.Compact(&buf, object) == nil {
			h.Write(buf.Bytes())
		} else {
			h.Write(object)
		}
	}
	return "verifik:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// knownTypes lists every type the spec documents (the enums of the family schemas).
var knownTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range schemaOf {
		s := eventSchema(name)
		if s == nil {
			continue
		}
		if t := s.Properties["type"]; t != nil && t.Value != nil {
			for _, v := range t.Value.Enum {
				if str, ok := v.(string); ok {
					m[str] = true
				}
			}
		}
	}
	return m
}()

// EventTypes returns every event type the spec documents, sorted.
func EventTypes() []string {
	out := make([]string, 0, len(knownTypes))
	for t := range knownTypes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// ExampleEvent returns a delivery of eventType ("onboarding_app_registration_completed")
// built from the spec's example for it, stamped now (updatedAt, or createdAt on records
// without one), so each call is a new
// event to a receiver's dedup. It reports false for a type the spec does not document.
// `idvkit webhook trigger` sends these.
func ExampleEvent(eventType string, now time.Time) ([]byte, bool) {
	doc := contract.Default().Spec(smartEnrollSpec).Doc
	item := doc.Paths.Find("/v2/webhooks")
	if item == nil || item.Post == nil || item.Post.Callbacks["smartEnrollEvent"] == nil {
		return nil, false
	}
	cb := item.Post.Callbacks["smartEnrollEvent"].Value.Value("{$request.body#/url}")
	if cb == nil || cb.Post == nil || cb.Post.RequestBody == nil {
		return nil, false
	}
	mt := cb.Post.RequestBody.Value.Content.Get("application/json")
	for _, ex := range mt.Examples {
		v, ok := ex.Value.Value.(map[string]any)
		if !ok || v["type"] != eventType {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, false
		}
		var fresh map[string]any // a deep copy: the spec's example stays as it is
		if json.Unmarshal(raw, &fresh) != nil {
			return nil, false
		}
		if obj, ok := fresh["object"].(map[string]any); ok {
			// The field EventKey reads: updatedAt, or createdAt on records without one.
			stamp := "updatedAt"
			if _, has := obj[stamp]; !has {
				stamp = "createdAt"
			}
			obj[stamp] = now.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		out, err := json.Marshal(fresh)
		return out, err == nil
	}
	return nil, false
}
