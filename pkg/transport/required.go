package transport

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// MissingField returns the first of paths the JSON object body lacks. A path names members
// from the top: "token", "data._id"; "data[]._id" asks it of every element of the array
// data. The member must hold a value other than null, unless the path ends in "?"
// (required but nullable). The generated types decode absent and zero alike, so a
// success made of nothing ({}) would pass as a result; this tells them apart.
//
// It decodes nothing: one pass checks that body is JSON exactly as encoding/json would
// accept it (an answer it would refuse is "a JSON object" missing), then each path is
// found by skipping over the values it does not enter. It allocates nothing for the
// answers vendors send, reads nothing past body, and bounds nesting at encoding/json's
// own depth without recursion. A member sent twice counts as its last occurrence, as
// when decoding into a map.
func MissingField(body []byte, paths ...string) (string, bool) {
	top := skipSpace(body, 0)
	if !validJSON(body) || body[top] != '{' {
		return "a JSON object", true
	}
	for _, path := range paths {
		name, nullable := strings.CutSuffix(path, "?")
		if !has(body, top, name, nullable) {
			return name, true
		}
	}
	return "", false
}

// has reports whether the object starting at b[obj] holds the members path names.
// b is valid JSON.
func has(b []byte, obj int, path string, nullable bool) bool {
	seg, rest, more := strings.Cut(path, ".")
	name, each := strings.CutSuffix(seg, "[]")
	v, ok := lastMember(b, obj, name)
	last := !more
	isNull := ok && b[v] == 'n'
	switch {
	case !ok, isNull && !(last && nullable):
		return false
	case isNull, last && !each:
		return true
	case !each:
		return b[v] == '{' && has(b, v, rest, nullable)
	case b[v] != '[':
		return false
	case last:
		return true
	}
	i := skipSpace(b, v+1)
	if b[i] == ']' {
		return true
	}
	for {
		if b[i] != '{' || !has(b, i, rest, nullable) {
			return false
		}
		i = skipSpace(b, skipValue(b, i))
		if b[i] == ']' {
			return true
		}
		i = skipSpace(b, i+1) // past ','
	}
}

// lastMember returns where the value of the object's last member called name starts.
func lastMember(b []byte, obj int, name string) (int, bool) {
	at, found := 0, false
	i := skipSpace(b, obj+1)
	if b[i] == '}' {
		return 0, false
	}
	for {
		end := skipString(b, i)
		match := keyIs(b[i+1:end-1], name)
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // past ':'
		if match {
			at, found = i, true
		}
		i = skipSpace(b, skipValue(b, i))
		if b[i] == '}' {
			return at, found
		}
		i = skipSpace(b, i+1) // past ','
	}
}

// keyIs reports whether the raw (still quoted-escaped) key decodes to name. Keys with
// escapes or invalid UTF-8 go through encoding/json, so they decode as a map key would.
func keyIs(raw []byte, name string) bool {
	plain := utf8.Valid(raw)
	for _, c := range raw {
		if c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return string(raw) == name
	}
	var k string
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	return json.Unmarshal(quoted, &k) == nil && k == name
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipString returns the index past the string starting at b[i] (a '"'); b is valid.
func skipString(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// skipValue returns the index past the value starting at b[i]; b is valid.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(b) && !isSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// maxDepth is encoding/json's nesting limit: deeper input is not JSON to it.
const maxDepth = 10000

// validJSON reports whether b is one JSON value exactly as encoding/json accepts it
// (whitespace around it, strings with any bytes but control characters, nesting up to
// maxDepth), without allocating or recursing: the open containers are a bit each.
func validJSON(b []byte) bool {
	var objects [maxDepth/64 + 1]uint64 // bit set: the container at that depth is an object
	depth := 0
	i := skipSpace(b, 0)
	for {
		// A value starts at i.
		if i >= len(b) {
			return false
		}
		switch c := b[i]; c {
		case '{', '[':
			if depth == maxDepth {
				return false
			}
			bit := uint64(1) << (depth % 64)
			if c == '{' {
				objects[depth/64] |= bit
			} else {
				objects[depth/64] &^= bit
			}
			depth++
			i = skipSpace(b, i+1)
			if i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
				i++
				depth--
				break
			}
			if c == '{' {
				if i = key(b, i); i < 0 {
					return false
				}
			}
			continue
		case '"':
			if i = validString(b, i); i < 0 {
				return false
			}
		case 't':
			if i = literal(b, i, "true"); i < 0 {
				return false
			}
		case 'f':
			if i = literal(b, i, "false"); i < 0 {
				return false
			}
		case 'n':
			if i = literal(b, i, "null"); i < 0 {
				return false
			}
		default:
			if i = number(b, i); i < 0 {
				return false
			}
		}
		// A value ended at i: close containers until one goes on.
		for {
			i = skipSpace(b, i)
			if depth == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			object := objects[(depth-1)/64]&(1<<((depth-1)%64)) != 0
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if object {
					if i = key(b, i); i < 0 {
						return false
					}
				}
				break
			}
			if object && b[i] != '}' || !object && b[i] != ']' {
				return false
			}
			i++
			depth--
		}
	}
}

// key checks a member's name and its ':' at b[i], returning where its value starts.
func key(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = validString(b, i); i < 0 {
		return -1
	}
	if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// validString returns the index past the string at b[i] (a '"'), or -1.
func validString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if i++; i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return -1
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func literal(b []byte, i int, word string) int {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// number returns the index past the JSON number at b[i], or -1.
func number(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// LacksField is the *DecodeError of an answer without a field it needs. The error
// names the field, never a value.
func LacksField(vendor, op string, status int, field string) error {
	return &DecodeError{Vendor: vendor, Operation: op, StatusCode: status,
		Err: errors.New("the answer lacks required " + field)}
}

// RequireFields is MissingField turned into the call's error: each vendor client checks
// the spec's required members of a success answer with it, so a 200 {} is a *DecodeError
// whatever the contract mode.
func RequireFields(vendor, op string, status int, body []byte, paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	if k, ok := MissingField(body, paths...); ok {
		return LacksField(vendor, op, status, k)
	}
	return nil
}
