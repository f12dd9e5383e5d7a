package verisoul

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Document is the ID Check part of a verification.
type Document struct {
	Signals DocumentSignals
	Data    DocumentData
}

// DocumentSignals are Verisoul's judgements of the document. Values are Verisoul's
// strings (see the specs); new ones may appear.
type DocumentSignals struct {
	// Age is the age in years from the date of birth on the document; nil when not sent.
	Age *int
	// FaceAgeEstimate is the highest bracket the face clearly exceeds ("over18"…); empty
	// when none or when Verisoul sent none (older revisions).
	FaceAgeEstimate string
	// FaceMatchScore is the selfie-to-document similarity, 0 to 1; nil when not sent.
	FaceMatchScore *float64
	BarcodeStatus  string
	FaceStatus     string
	TextStatus     string
	DigitalSpoof   string
	FullIDCaptured string
	Validity       string
}

// Document validity values (id_validity).
const (
	ValidityLikelyAuthentic = "likely_authentic_id"
	ValidityLikelyFake      = "likely_fake_id"
	ValidityCannotConfirm   = "cannot_confirm_id_is_authentic"
)

// LikelyAuthentic reports whether Verisoul judged the document likely authentic.
func (s DocumentSignals) LikelyAuthentic() bool { return s.Validity == ValidityLikelyAuthentic }

// DocumentData is what was read from the document. Personal data: String, GoString and
// LogValue print none of it.
type DocumentData struct {
	CountryCode string
	State       string
	// TemplateType is normalised to the newest vendor values: the older display name
	// "Driver License" reads as "driver_license".
	TemplateType string
	FirstName    string
	LastName     string
	IDNumber     string
	IDNumber2    string
	// Dates are parsed from either vendor format (MM/DD/YYYY, newest; YYYY-MM-DD, older);
	// zero when absent or unreadable.
	DateOfBirth    time.Time
	DateOfExpiry   time.Time
	DateOfIssue    time.Time
	Address        *Address
	checkedAt      time.Time
	expiryReadable bool
}

// Address printed on the document; nil when the document has none.
type Address struct {
	Street, City, State, PostalCode, Country string
}

// Expired reports whether the document's expiry date is before the verification's time.
// A document whose expiry could not be read is not reported expired; check the id_expired
// risk flag too.
func (d DocumentData) Expired() bool {
	return d.expiryReadable && d.DateOfExpiry.Before(d.checkedAt.Truncate(24*time.Hour))
}

// String prints no personal data.
func (d DocumentData) String() string {
	return fmt.Sprintf("verisoul.DocumentData{country: %s, type: %s, personal data: [redacted]}", d.CountryCode, d.TemplateType)
}

// GoString prints no personal data.
func (d DocumentData) GoString() string { return d.String() }

// LogValue prints no personal data.
func (d DocumentData) LogValue() slog.Value {
	return slog.GroupValue(slog.String("country", d.CountryCode), slog.String("template_type", d.TemplateType))
}

// String prints no personal data.
func (d *Document) String() string {
	if d == nil {
		return "verisoul.Document(nil)"
	}
	age := "unknown"
	if d.Signals.Age != nil {
		age = fmt.Sprint(*d.Signals.Age)
	}
	return fmt.Sprintf("verisoul.Document{validity: %s, age: %s, %s}", d.Signals.Validity, age, d.Data)
}

// GoString prints no personal data.
func (d *Document) GoString() string { return d.String() }

// LogValue prints no personal data (slog would otherwise marshal Data field by field).
func (d *Document) LogValue() slog.Value {
	if d == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.String("validity", d.Signals.Validity), slog.Any("data", d.Data)}
	if d.Signals.Age != nil {
		attrs = append(attrs, slog.Int("age", *d.Signals.Age))
	}
	return slog.GroupValue(attrs...)
}

type wireSignals struct {
	IDAge            *int     `json:"id_age"`
	FaceAgeEstimate  *string  `json:"face_age_estimate"`
	IDFaceMatchScore *float64 `json:"id_face_match_score"`
	IDBarcodeStatus  string   `json:"id_barcode_status"`
	IDFaceStatus     string   `json:"id_face_status"`
	IDTextStatus     string   `json:"id_text_status"`
	IsIDDigitalSpoof string   `json:"is_id_digital_spoof"`
	IsFullIDCaptured string   `json:"is_full_id_captured"`
	IDValidity       string   `json:"id_validity"`
}

type wireData struct {
	TemplateInfo struct {
		DocumentCountryCode string  `json:"document_country_code"`
		DocumentState       *string `json:"document_state"`
		TemplateType        string  `json:"template_type"`
	} `json:"template_info"`
	UserData struct {
		FirstName        string  `json:"first_name"`
		LastName         string  `json:"last_name"`
		DateOfBirth      string  `json:"date_of_birth"`
		DateOfExpiration string  `json:"date_of_expiration"`
		DateOfIssue      string  `json:"date_of_issue"`
		IDNumber         string  `json:"id_number"`
		IDNumber2        *string `json:"id_number2"`
		Address          *struct {
			City       string `json:"city"`
			Country    string `json:"country"`
			PostalCode string `json:"postal_code"`
			State      string `json:"state"`
			Street     string `json:"street"`
		} `json:"address"`
	} `json:"user_data"`
}

func newDocument(s *wireSignals, d *wireData, checkedAt time.Time) *Document {
	doc := &Document{}
	if s != nil {
		doc.Signals = DocumentSignals{
			Age:             s.IDAge,
			FaceAgeEstimate: deref(s.FaceAgeEstimate),
			FaceMatchScore:  s.IDFaceMatchScore,
			BarcodeStatus:   normaliseBarcode(s.IDBarcodeStatus),
			FaceStatus:      s.IDFaceStatus,
			TextStatus:      s.IDTextStatus,
			DigitalSpoof:    s.IsIDDigitalSpoof,
			FullIDCaptured:  s.IsFullIDCaptured,
			Validity:        s.IDValidity,
		}
	}
	if checkedAt.IsZero() {
		checkedAt = time.Now()
	}
	doc.Data.checkedAt = checkedAt
	if d == nil {
		return doc
	}
	u := d.UserData
	doc.Data = DocumentData{
		CountryCode:  d.TemplateInfo.DocumentCountryCode,
		State:        deref(d.TemplateInfo.DocumentState),
		TemplateType: normaliseTemplate(d.TemplateInfo.TemplateType),
		FirstName:    u.FirstName,
		LastName:     u.LastName,
		IDNumber:     u.IDNumber,
		IDNumber2:    deref(u.IDNumber2),
		DateOfBirth:  parseDate(u.DateOfBirth),
		DateOfExpiry: parseDate(u.DateOfExpiration),
		DateOfIssue:  parseDate(u.DateOfIssue),
		checkedAt:    checkedAt,
	}
	doc.Data.expiryReadable = !doc.Data.DateOfExpiry.IsZero()
	if a := u.Address; a != nil {
		doc.Data.Address = &Address{Street: a.Street, City: a.City, State: a.State, PostalCode: a.PostalCode, Country: a.Country}
	}
	if doc.Signals.Age == nil && !doc.Data.DateOfBirth.IsZero() {
		age := yearsBetween(doc.Data.DateOfBirth, checkedAt)
		doc.Signals.Age = &age
	}
	return doc
}

// parseDate reads both vendor date formats: MM/DD/YYYY (newest) and YYYY-MM-DD (older).
func parseDate(s string) time.Time {
	for _, layout := range []string{"01/02/2006", time.DateOnly} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return time.Time{}
}

func yearsBetween(from, to time.Time) int {
	years := to.Year() - from.Year()
	if to.Month() < from.Month() || (to.Month() == from.Month() && to.Day() < from.Day()) {
		years--
	}
	return years
}

// normaliseTemplate maps older display names to the newest snake_case values.
func normaliseTemplate(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
}

// normaliseBarcode folds the two spellings of the no-barcode value into the newest
// vendor's (sic) spelling.
func normaliseBarcode(s string) string {
	if s == "no_barcode_specified_by_template" {
		return "no_barcode_specificed_by_template"
	}
	return s
}
