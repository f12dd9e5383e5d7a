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

// The event structs hold what an integrator acts on: ids, statuses, scores and times.
// Personal data (emails, phones, names, document numbers) and fields idvkit does not
// model stay in EventMeta.Raw only. A field Verifik sent with the wrong type is left
// zero (ValidateEvent reports it); a status Verifik added is kept as sent.

// AppRegistrationEvent is an app_registration_* event: the registration after the step.
type AppRegistrationEvent struct {
	EventMeta
	AppRegistration AppRegistration
}

// AppRegistration is a registration as an event delivers it.
type AppRegistration struct {
	// ID is the registration's id (State.AppRegistrationID).
	ID     string
	Status Status
	// CurrentStep is Verifik's free text ("1", "Document Verification", …).
	CurrentStep string
	// ProjectID and FlowID are the project and flow the registrant joined.
	ProjectID, FlowID string
	// The ids of the registration's validations and person, empty until they exist.
	EmailValidationID       string
	PhoneValidationID       string
	DocumentValidationID    string
	BiometricValidationID   string
	InformationValidationID string
	PersonID                string
	// Times as Verifik stamped them; zero when the object has none.
	CreatedAt, UpdatedAt, CompletedAt, ExpiresAt time.Time
}

// EmailValidationEvent is an email_validation_* event (OTP values are never included).
type EmailValidationEvent struct {
	EventMeta
	EmailValidation EmailValidation
}

// EmailValidation is an email code as an event delivers it. It does not name its
// registration: match ID with State.EmailValidationID.
type EmailValidation struct {
	ID     string
	Status CodeStatus
	// FlowID is the flow the code was sent for.
	FlowID                          string
	CreatedAt, UpdatedAt, ExpiresAt time.Time
}

// PhoneValidationEvent is a phone_validation_* event (OTP values are never included).
type PhoneValidationEvent struct {
	EventMeta
	PhoneValidation PhoneValidation
}

// PhoneValidation is a phone code as an event delivers it. It does not name its
// registration: match ID with State.PhoneValidationID.
type PhoneValidation struct {
	ID      string
	Status  CodeStatus
	Gateway PhoneGateway
	// FlowID is the flow the code was sent for.
	FlowID                          string
	CreatedAt, UpdatedAt, ExpiresAt time.Time
}

// DocumentValidationEvent is a document_validation_* event.
type DocumentValidationEvent struct {
	EventMeta
	DocumentValidation DocumentValidation
}

// DocumentValidation is a document validation as an event delivers it.
type DocumentValidation struct {
	// ID is the validation's id (State.DocumentValidationID).
	ID                string
	AppRegistrationID string
	Status            DocumentStatus
	// Accepted is true when the document passed (VALIDATED or ACTIVE).
	Accepted bool
	// Type and Category as Verifik names them ("CC", "Passport"; "ID"); Country is
	// ISO 3166-1 alpha-2 where Verifik says it.
	Type, Category, Country string
	// NamesMatch is the name validation's verdict, nil when none ran.
	NamesMatch           *bool
	FlowID               string
	CreatedAt, UpdatedAt time.Time
}

// BiometricValidationEvent is a biometric_validation_* or biometrics_* event.
type BiometricValidationEvent struct {
	EventMeta
	BiometricValidation BiometricValidation
}

// BiometricValidation is a selfie's liveness check as an event delivers it.
type BiometricValidation struct {
	ID                string
	AppRegistrationID string
	// Status is Verifik's free text for the check.
	Status string
	// LivenessScore is the selfie's liveness (0–1), nil when Verifik did not say.
	LivenessScore *float64
	// FlowID is set on biometrics_liveness_score_not_acceptable.
	FlowID    string
	CreatedAt time.Time
}

// FaceVerificationEvent is face_verification_compare: the registration and the comparison.
type FaceVerificationEvent struct {
	EventMeta
	AppRegistration AppRegistration
	// Comparison is the document face against the selfie.
	Comparison FaceVerification
}

// FaceVerification is a document-vs-selfie comparison as an event delivers it. Judge
// Score against the flow's CompareMinScore, as CompareFaces does.
type FaceVerification struct {
	ID string
	// Score is the comparison's score (0–1), nil when the event carries none.
	Score      *float64
	ComparedAt time.Time
}

// InformationValidationEvent is an information_validation_* event.
type InformationValidationEvent struct {
	EventMeta
	InformationValidation InformationValidation
}

// InformationValidation is the identity read from the document and its background
// check, as an event delivers it (the identity itself stays in Raw). It does not name
// its registration: match ID with State.InformationValidationID.
type InformationValidation struct {
	ID     string
	Status CriminalStatus
	// Hits names the databases that reported the person (e.g. world_api_interpol).
	Hits                 []string
	CreatedAt, UpdatedAt time.Time
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
	return e.DocumentValidation.AppRegistrationID
}
func (e *BiometricValidationEvent) RegistrationID() string {
	return e.BiometricValidation.AppRegistrationID
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
		var o smartenroll.AppRegistrationEventObject
		_ = json.Unmarshal(obj, &o)
		ev = &AppRegistrationEvent{EventMeta: meta, AppRegistration: appRegistrationOf(o)}
	case FamilyEmailValidation:
		var o smartenroll.EmailValidation
		_ = json.Unmarshal(obj, &o)
		ev = &EmailValidationEvent{EventMeta: meta, EmailValidation: EmailValidation{
			ID: o.ID, Status: CodeStatus(o.Status), FlowID: deref(o.ProjectFlow),
			CreatedAt: deref(o.CreatedAt), UpdatedAt: deref(o.UpdatedAt), ExpiresAt: deref(o.ExpiresAt),
		}}
	case FamilyPhoneValidation:
		var o smartenroll.PhoneValidation
		_ = json.Unmarshal(obj, &o)
		ev = &PhoneValidationEvent{EventMeta: meta, PhoneValidation: PhoneValidation{
			ID: o.ID, Status: CodeStatus(o.Status), Gateway: PhoneGateway(deref(o.PhoneGateway)), FlowID: deref(o.ProjectFlow),
			CreatedAt: deref(o.CreatedAt), UpdatedAt: deref(o.UpdatedAt), ExpiresAt: deref(o.ExpiresAt),
		}}
	case FamilyDocumentValidation:
		var o smartenroll.DocumentValidationEventObject
		_ = json.Unmarshal(obj, &o)
		status := documentStatusOf(o.Status)
		ev = &DocumentValidationEvent{EventMeta: meta, DocumentValidation: DocumentValidation{
			ID: o.ID, AppRegistrationID: deref(o.AppRegistration), Status: status, Accepted: documentAccepted(status),
			Type: deref(o.DocumentType), Category: deref(o.DocumentCategory), Country: deref(o.Country),
			NamesMatch: o.NamesMatch, FlowID: deref(o.ProjectFlow),
			CreatedAt: deref(o.CreatedAt), UpdatedAt: deref(o.UpdatedAt),
		}}
	case FamilyBiometricValidation:
		var o smartenroll.BiometricValidationEventObject
		_ = json.Unmarshal(obj, &o)
		ev = &BiometricValidationEvent{EventMeta: meta, BiometricValidation: BiometricValidation{
			ID: o.ID, AppRegistrationID: deref(o.AppRegistration), Status: deref(o.Status),
			LivenessScore: o.LivenessScore, FlowID: refID(o.ProjectFlow), CreatedAt: deref(o.CreatedAt),
		}}
	case FamilyFaceVerification:
		// The registration's fields are an app registration's; compareResult is added.
		var o smartenroll.FaceVerificationEventObject
		_ = json.Unmarshal(obj, &o)
		var reg smartenroll.AppRegistrationEventObject
		_ = json.Unmarshal(obj, &reg)
		e := &FaceVerificationEvent{EventMeta: meta, AppRegistration: appRegistrationOf(reg)}
		if c := o.CompareResult; c != nil {
			e.Comparison = FaceVerification{ID: c.ID, ComparedAt: deref(c.ComparedAt)}
			if c.Result != nil {
				e.Comparison.Score = ptr(c.Result.Score)
			}
		}
		ev = e
	case FamilyInformationValidation:
		var o smartenroll.InformationValidationEventObject
		_ = json.Unmarshal(obj, &o)
		iv := InformationValidation{
			ID: o.ID, Status: criminalStatusOf(o.Status), CreatedAt: deref(o.CreatedAt), UpdatedAt: deref(o.UpdatedAt),
		}
		if o.CriminalData != nil {
			iv.Hits = append(iv.Hits, deref(o.CriminalData.FoundKeys)...)
		}
		ev = &InformationValidationEvent{EventMeta: meta, InformationValidation: iv}
	default:
		ev = &UnknownEvent{EventMeta: meta}
	}
	return ev, nil
}

func appRegistrationOf(o smartenroll.AppRegistrationEventObject) AppRegistration {
	return AppRegistration{
		ID: o.ID, Status: statusOf(o.Status), CurrentStep: deref(o.CurrentStep),
		ProjectID: refID(o.Project), FlowID: refID(o.ProjectFlow),
		EmailValidationID: refID(o.EmailValidation), PhoneValidationID: refID(o.PhoneValidation),
		DocumentValidationID: refID(o.DocumentValidation), BiometricValidationID: refID(o.BiometricValidation),
		InformationValidationID: refID(o.InformationValidation), PersonID: refID(o.Person),
		CreatedAt: deref(o.CreatedAt), UpdatedAt: deref(o.UpdatedAt),
		CompletedAt: deref(o.CompletedAt), ExpiresAt: deref(o.ExpiresAt),
	}
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
