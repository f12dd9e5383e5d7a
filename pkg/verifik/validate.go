package verifik

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/idvkit/idvkit/pkg/transport"
)

// Client-side checks. Reasons never quote the rejected value: it may be personal data.

var (
	emailPattern       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	countryCodePattern = regexp.MustCompile(`^\+[0-9]{1,3}$`)
	digitsPattern      = regexp.MustCompile(`^[0-9]{4,15}$`)
	codePattern        = regexp.MustCompile(`^[0-9]{6}$`)
	idPattern          = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

func checkEmail(op, field, email string) error {
	if !emailPattern.MatchString(email) {
		return transport.Invalid(vendor, op, field, "is not an email address")
	}
	return nil
}

// checkPhone applies Verifik's formats: the phone in digits, the country code "+" and 1–3 digits.
func checkPhone(op, phone, countryCode string) error {
	if !digitsPattern.MatchString(phone) {
		return transport.Invalid(vendor, op, "phone", "must be 4 to 15 digits")
	}
	if !countryCodePattern.MatchString(strings.TrimSpace(countryCode)) {
		return transport.Invalid(vendor, op, "country code", `must be "+" and 1 to 3 digits`)
	}
	return nil
}

// checkID guards path segments: Verifik ids are ObjectIds, but its own examples are not
// always, so only characters that cannot escape a path segment are enforced.
func checkID(op, field, id string) error {
	if !idPattern.MatchString(id) {
		return transport.Invalid(vendor, op, field, "is empty or not an id")
	}
	return nil
}

func isCode(s string) bool { return codePattern.MatchString(s) }

// parseCode checks a 6-digit code and turns it into the JSON number Verifik takes.
// parseCode checks a one-time code and returns it as Verifik's own web SDK sends it: a
// JSON string of six digits, so a leading zero ("012345") survives; as a number it would
// reach Verifik as 12345 and be refused.
func parseCode(op, code string) (string, error) {
	code = strings.TrimSpace(code)
	if !isCode(code) {
		return "", transport.Invalid(vendor, op, "code", "must be 6 digits")
	}
	return code, nil
}

// ImageOf encodes raw image bytes (JPEG, PNG) as Verifik takes them.
func ImageOf(b []byte) Image { return Image(base64.StdEncoding.EncodeToString(b)) }

// maxImageBytes bounds one decoded image; Verifik's SDK sends phone-camera JPEGs.
const maxImageBytes = 15 << 20

// checkImage checks that img is base64 (a data-URI prefix allowed) of a non-empty image
// and returns the bare base64 and its media type.
func checkImage(op, field string, img Image) (raw, mediaType string, err error) {
	s := strings.TrimSpace(string(img))
	declared := ""
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		before, after, found := strings.Cut(rest, ";base64,")
		if !found {
			return "", "", transport.Invalid(vendor, op, field, "data URI is not base64")
		}
		declared, s = strings.ToLower(strings.TrimSpace(before)), after
	}
	if s == "" {
		return "", "", transport.Invalid(vendor, op, field, "is empty")
	}
	if base64.StdEncoding.DecodedLen(len(s)) > maxImageBytes {
		return "", "", transport.Invalid(vendor, op, field, "is larger than 15 MiB")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", "", transport.Invalid(vendor, op, field, "is not valid base64")
	}
	mediaType = http.DetectContentType(b)
	if !strings.HasPrefix(mediaType, "image/") {
		return "", "", transport.Invalid(vendor, op, field, "is not an image")
	}
	// A data URI that names another type than its bytes is a mislabelled upload.
	if declared != "" && declared != mediaType && !(declared == "image/jpg" && mediaType == "image/jpeg") {
		return "", "", transport.Invalid(vendor, op, field, "data URI declares "+declared+" but holds "+mediaType)
	}
	return s, mediaType, nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
