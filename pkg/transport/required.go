package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// presence is what a JSON member was sent as.
type presence uint8

const (
	absent presence = iota
	null
	set
)

// member is one JSON member as sent: its presence and its raw text, which aliases the
// body (encoding/json hands an Unmarshaler its slice of the input), so nothing is copied
// and nothing below the asked-for levels is decoded.
type member struct {
	p   presence
	raw []byte
}

func (m *member) UnmarshalJSON(b []byte) error {
	m.raw, m.p = b, set
	if bytes.Equal(b, []byte("null")) {
		m.p = null
	}
	return nil
}

// MissingField returns the first of paths the JSON object body lacks. A path names members
// from the top: "token", "data._id"; "data[]._id" asks it of every element of the array
// data. The member must hold a value other than null, unless the path ends in "?"
// (required but nullable). The generated types decode absent and zero alike, so a
// success made of nothing ({}) would pass as a result; this tells them apart in one pass
// over the body (plus one over each nested object a path enters).
func MissingField(body []byte, paths ...string) (string, bool) {
	var top map[string]member
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return "a JSON object", true
	}
	for _, path := range paths {
		name, nullable := strings.CutSuffix(path, "?")
		if !has(top, strings.Split(name, "."), nullable) {
			return name, true
		}
	}
	return "", false
}

// has reports whether obj holds the members segs name.
func has(obj map[string]member, segs []string, nullable bool) bool {
	name, each := strings.CutSuffix(segs[0], "[]")
	m := obj[name]
	last := len(segs) == 1
	switch {
	case m.p == absent, m.p == null && !(last && nullable):
		return false
	case m.p == null, last && !each:
		return true
	}
	if !each {
		var sub map[string]member
		return json.Unmarshal(m.raw, &sub) == nil && sub != nil && has(sub, segs[1:], nullable)
	}
	var items []json.RawMessage
	if json.Unmarshal(m.raw, &items) != nil {
		return false
	}
	if last {
		return true
	}
	for _, it := range items {
		var sub map[string]member
		if json.Unmarshal(it, &sub) != nil || sub == nil || !has(sub, segs[1:], nullable) {
			return false
		}
	}
	return true
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
