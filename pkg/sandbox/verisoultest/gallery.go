package verisoultest

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// gallery indexes one project's enrolled sessions by everything links matches on, so a
// 1:N verify costs the same at a thousand enrolled accounts as at a million: it visits
// only the accounts that share a face, an IP address, a document number or a document
// name with the session, never the whole gallery. Enrolled sessions never change and are
// never evicted, so entries are only added (on enrol). Callers hold e.mu.
type gallery struct {
	byFace   map[string][]*account
	byIP     map[string][]*account
	byNumber map[numberKey][]*account
	byName   map[nameKey][]*account
}

// numberKey is a document number and its country, case-folded as links compares them.
type numberKey struct{ number, country string }

// nameKey is a document's first and last names, case-folded as links compares them.
type nameKey struct{ first, last string }

func newGallery() gallery {
	return gallery{
		byFace:   map[string][]*account{},
		byIP:     map[string][]*account{},
		byNumber: map[numberKey][]*account{},
		byName:   map[nameKey][]*account{},
	}
}

// add records that s was just enrolled to a (s is already the last of a.sessions). An
// account is listed once per key however many of its sessions share it.
func (g *gallery) add(a *account, s *session) {
	earlier := a.sessions[:len(a.sessions)-1]
	if !slices.ContainsFunc(earlier, func(o *session) bool { return o.face == s.face }) {
		g.byFace[s.face] = append(g.byFace[s.face], a)
	}
	if s.ip != "" && !slices.ContainsFunc(earlier, func(o *session) bool { return o.ip == s.ip }) {
		g.byIP[s.ip] = append(g.byIP[s.ip], a)
	}
	if s.document == nil {
		return
	}
	nk, mk := numberKeyOf(s), nameKeyOf(s)
	if !slices.ContainsFunc(earlier, func(o *session) bool { return o.document != nil && numberKeyOf(o) == nk }) {
		g.byNumber[nk] = append(g.byNumber[nk], a)
	}
	if !slices.ContainsFunc(earlier, func(o *session) bool { return o.document != nil && nameKeyOf(o) == mk }) {
		g.byName[mk] = append(g.byName[mk], a)
	}
}

func numberKeyOf(s *session) numberKey {
	return numberKey{s.document.Number, foldKey(s.document.Country)}
}

func nameKeyOf(s *session) nameKey {
	return nameKey{foldKey(s.document.FirstName), foldKey(s.document.LastName)}
}

// foldKey maps s to one representative of everything strings.EqualFold holds equal to it:
// each rune becomes the smallest rune of its simple case-folding orbit (so "k", "K" and
// the Kelvin sign share a key, as do "s", "S" and "ſ"), and invalid bytes become
// utf8.RuneError as EqualFold decodes them. Two strings are EqualFold exactly when their
// keys are equal.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('a' <= c && c <= 'z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s // already its own key: no lower-case letters, nothing to fold
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}
