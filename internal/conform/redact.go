package conform

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Placeholder replaces every redacted string. Redacted numbers become 0 and redacted
// bytes of a form or query value become Placeholder too, so a recording keeps the types
// of what it recorded.
const Placeholder = "REDACTED"

// minLearned keeps short values (a "1", "true") out of the learned secrets: scrubbing
// them from every string would mangle the recording without protecting anything.
const minLearned = 6

// maxPlainString is the longest string kept verbatim at a key that is not sensitive:
// longer ones are images, documents or tokens under names no rule foresaw.
const maxPlainString = 256

// redactor replaces secrets and personal data in exchanges before they are kept: by
// key (a field, header, query or form name that says what it holds), by value (the
// target's credentials and every value already redacted at a sensitive key, wherever
// they reappear: a path, a query, a redirect), and by size (long strings). It is safe for
// concurrent use.
type redactor struct {
	mu      sync.Mutex
	secrets map[string]bool
}

func newRedactor(known ...string) *redactor {
	r := &redactor{secrets: map[string]bool{}}
	for _, k := range known {
		r.learn(k)
	}
	return r
}

// learn adds a value to scrub wherever it appears.
func (r *redactor) learn(v string) {
	v = strings.TrimSpace(v)
	if len(v) < minLearned || identifier(v) || v == Placeholder {
		return
	}
	r.mu.Lock()
	r.secrets[v] = true
	// The URL-escaped form reaches paths and queries.
	if esc := url.QueryEscape(v); esc != v {
		r.secrets[esc] = true
	}
	if esc := url.PathEscape(v); esc != v {
		r.secrets[esc] = true
	}
	// The JSON-escaped form is what a recording holds before it is written.
	if b, err := json.Marshal(v); err == nil {
		if esc := string(b[1 : len(b)-1]); esc != v {
			r.secrets[esc] = true
		}
	}
	r.mu.Unlock()
}

// scrub replaces every learned secret in s, longest first so a secret containing
// another is replaced whole.
func (r *redactor) scrub(s string) (string, bool) {
	r.mu.Lock()
	list := make([]string, 0, len(r.secrets))
	for k := range r.secrets {
		if strings.Contains(s, k) {
			list = append(list, k)
		}
	}
	r.mu.Unlock()
	if len(list) == 0 {
		return s, false
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	changed := false
	for _, k := range list {
		if strings.Trim(k, "0123456789") == "" {
			// A numeric code is replaced as a whole number only: "482916" must not
			// mangle a timestamp that happens to contain it.
			re := regexp.MustCompile(`(^|[^0-9])` + k + `([^0-9]|$)`)
			next := re.ReplaceAllString(s, "${1}"+Placeholder+"${2}")
			changed = changed || next != s
			s = next
			continue
		}
		s = strings.ReplaceAll(s, k, Placeholder)
		changed = true
	}
	return s, changed
}

// identifier reports whether v looks like a snake_case code ("ip_address",
// "liveness_check_failed"): an enum value, not a secret, even where a sensitive key
// holds it, so it is not scrubbed from the rest of the recording.
func identifier(v string) bool {
	return strings.Trim(v, "abcdefghijklmnopqrstuvwxyz_") == ""
}

// sensitiveParts are what a normalised key (lower case, no '_' or '-') contains when it
// names a credential, a one-time code, an image or personal data. "code" is absent on
// purpose: vendors' error codes live there and the diff compares them; one-time codes are
// "otp" in every spec.
var sensitiveParts = []string{
	"token", "secret", "password", "passwd", "apikey", "authorization", "cookie", "otp",
	"image", "selfie", "photo", "frame", "picture", "base64", "front", "back",
	"name", "surname", "birth", "dob", "address", "street", "city", "postal", "zip",
	"email", "phone", "mobile", "number", "documentid", "nationalid", "ssn", "taxid",
	"ip", "sessionid", "userid", "signature", "authlink", "url", "uri", "link",
}

// plainKeys are keys that contain a sensitive part by accident and hold no secret: enum
// fields the diff compares, and names of things (a project, a template) rather than people.
var plainKeys = map[string]bool{
	"templatetype": true, "tokentype": true, "expiresin": true, "scope": true, "scopes": true,
	"skip": true, "backgroundcheck": true, "frontstatus": true, "backstatus": true,
}

// sensitiveKey reports whether a field, header, query or form name holds a secret.
func sensitiveKey(name string) bool {
	n := strings.ToLower(name)
	n = strings.NewReplacer("_", "", "-", "", " ", "", "[", "", "]", "").Replace(n)
	if plainKeys[n] {
		return false
	}
	if n == "ip" || strings.HasSuffix(n, "ip") && len(n) <= 4 {
		return true
	}
	for _, p := range sensitiveParts {
		if p == "ip" {
			continue // only the exact names above: "ip" is inside "description", "recipient"
		}
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// jsonValue redacts a decoded JSON value; loc is its location ("body.data.email"),
// sensitive whether an enclosing key was sensitive. Redacted locations are added to locs
// (arrays as "[]" so one entry covers every element).
func (r *redactor) jsonValue(v any, loc string, sensitive bool, locs map[string]bool) any {
	switch t := v.(type) {
	case map[string]any:
		for k, item := range t {
			t[k] = r.jsonValue(item, loc+"."+k, sensitive || sensitiveKey(k), locs)
		}
		return t
	case []any:
		for i, item := range t {
			t[i] = r.jsonValue(item, loc+"[]", sensitive, locs)
		}
		return t
	case string:
		if sensitive || len(t) > maxPlainString || strings.HasPrefix(t, "data:") {
			if t == "" {
				return t
			}
			r.learn(t)
			locs[loc] = true
			return Placeholder
		}
		if s, changed := r.scrub(t); changed {
			locs[loc] = true
			return s
		}
		return t
	case float64:
		if sensitive {
			locs[loc] = true
			return float64(0)
		}
		return t
	case json.Number:
		if sensitive {
			r.learn(string(t))
			locs[loc] = true
			return json.Number("0")
		}
		return t
	}
	return v
}

// values redacts a query string or a form: sensitive names lose their values, others
// are scrubbed of learned secrets. prefix is "query" or "body".
func (r *redactor) values(raw, prefix string, locs map[string]bool) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		s, changed := r.scrub(raw)
		if changed {
			locs[prefix] = true
		}
		return s
	}
	for k, vs := range q {
		for i, v := range vs {
			switch {
			case sensitiveKey(k):
				r.learn(v)
				vs[i] = Placeholder
				locs[prefix+"."+k] = true
			default:
				if s, changed := r.scrub(v); changed {
					vs[i] = s
					locs[prefix+"."+k] = true
				}
			}
		}
	}
	return q.Encode()
}
