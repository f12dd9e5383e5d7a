package transport

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/internal/payload"
)

// The decoder MissingField used before its scanner, kept as the oracle: a map per object
// level, the raw text of each member kept by an Unmarshaler. The scanner must give the
// same answer for every body and path.

type oraclePresence uint8

const (
	oracleAbsent oraclePresence = iota
	oracleNull
	oracleSet
)

type oracleMember struct {
	p   oraclePresence
	raw []byte
}

func (m *oracleMember) UnmarshalJSON(b []byte) error {
	m.raw, m.p = b, oracleSet
	if bytes.Equal(b, []byte("null")) {
		m.p = oracleNull
	}
	return nil
}

func missingFieldOracle(body []byte, paths ...string) (string, bool) {
	var top map[string]oracleMember
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return "a JSON object", true
	}
	for _, path := range paths {
		name, nullable := strings.CutSuffix(path, "?")
		if !oracleHas(top, strings.Split(name, "."), nullable) {
			return name, true
		}
	}
	return "", false
}

func oracleHas(obj map[string]oracleMember, segs []string, nullable bool) bool {
	name, each := strings.CutSuffix(segs[0], "[]")
	m := obj[name]
	last := len(segs) == 1
	switch {
	case m.p == oracleAbsent, m.p == oracleNull && !(last && nullable):
		return false
	case m.p == oracleNull, last && !each:
		return true
	}
	if !each {
		var sub map[string]oracleMember
		return json.Unmarshal(m.raw, &sub) == nil && sub != nil && oracleHas(sub, segs[1:], nullable)
	}
	var items []json.RawMessage
	if json.Unmarshal(m.raw, &items) != nil {
		return false
	}
	if last {
		return true
	}
	for _, it := range items {
		var sub map[string]oracleMember
		if json.Unmarshal(it, &sub) != nil || sub == nil || !oracleHas(sub, segs[1:], nullable) {
			return false
		}
	}
	return true
}

// vendorPaths are the required members the three vendor clients ask for.
var vendorPaths = [][]string{
	{"data", "data[]._id"}, {"data._id"}, {"data.appRegistration._id", "data.token"},
	{"data.token", "data.link"}, {"success"}, {"data._id", "data.status"},
	{"data.documentValidation._id"}, {"data.compareFaceVerification._id", "data.compareFaceVerification.result.score"},
	{"request_id", "success"}, {"request_id", "success", "matches"}, {"decision", "risk_score"},
	{"decision", "risk_score", "matches"},
	{"token", "user_id?", "pod", "fallback", "fallback[].type", "fallback[].message"},
	{"passed", "token", "type"}, {"token", "user_id", "success"}, {"claim_aborted", "user_informed"},
	{"up"}, {"access_token", "token_type", "expires_in"}, {"user_id", "name", "status"},
}

// realBodies are the response bodies of the real-traffic corpus (testdata/real) and of
// the vendors' published examples (testdata/<vendor>), as the files hold them.
func realBodies(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	real, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "real", "*", "*.json"))
	fixtures, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.json"))
	for _, name := range append(real, fixtures...) {
		raw, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		var fx struct {
			Body     json.RawMessage `json:"body"`
			Response struct {
				JSON json.RawMessage `json:"json"`
			} `json:"response"`
		}
		if json.Unmarshal(raw, &fx) != nil {
			continue
		}
		for _, b := range []json.RawMessage{fx.Body, fx.Response.JSON} {
			if len(b) > 0 {
				out = append(out, b)
			}
		}
	}
	if len(out) < 100 {
		tb.Fatalf("only %d bodies under testdata/", len(out))
	}
	return out
}

// ownPaths lists every member path the body holds, in MissingField's notation, and
// each one nullable: what a path can ask of this body, present or not.
func ownPaths(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	set := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				set[p], set[p+"?"] = true, true
				walk(p, sub)
			}
		case []any:
			if prefix == "" {
				return
			}
			set[prefix+"[]"] = true
			for _, sub := range v {
				walk(prefix+"[]", sub)
			}
		}
	}
	walk("", v)
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// mutate returns body with one random change: a byte dropped, inserted or replaced
// (from JSON's own punctuation, mostly), a cut, a value nulled, a member repeated.
func mutate(r *rand.Rand, body []byte) []byte {
	const alphabet = "{}[]\":,\\ \t\n0123456789.eE+-nultrfase_\x00\x1f\xff\xc3"
	b := bytes.Clone(body)
	if len(b) == 0 {
		return []byte{alphabet[r.IntN(len(alphabet))]}
	}
	i := r.IntN(len(b))
	switch r.IntN(7) {
	case 0:
		return append(b[:i], b[i+1:]...)
	case 1:
		return append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
	case 2:
		b[i] = alphabet[r.IntN(len(alphabet))]
		return b
	case 3:
		return b[:i]
	case 4: // a string or number value becomes null
		if j := bytes.IndexByte(b[i:], ':'); j >= 0 {
			start := i + j + 1
			end := start
			for end < len(b) && !strings.ContainsRune(",}]", rune(b[end])) {
				end++
			}
			return append(b[:start], append([]byte("null"), b[end:]...)...)
		}
		return b
	case 5: // a key said twice: {"k":…} → {"k":null,"k":…}
		if j := bytes.Index(b[i:], []byte(`":`)); j >= 0 {
			end := i + j + 2
			start := bytes.LastIndexByte(b[:end-2], '"')
			if start >= 0 {
				key := bytes.Clone(b[start:end])
				dup := append(append(key, "null,"...), b[start:]...)
				return append(b[:start], dup...)
			}
		}
		return b
	default: // an object emptied
		if j := bytes.IndexByte(b[i:], '{'); j >= 0 {
			start := i + j
			if end := skipValueOracle(b[start:]); end > 0 {
				return append(b[:start+1], b[start+end-1:]...)
			}
		}
		return b
	}
}

// skipValueOracle is the length of the JSON value b starts with, or 0.
func skipValueOracle(b []byte) int {
	dec := json.NewDecoder(bytes.NewReader(b))
	var raw json.RawMessage
	if dec.Decode(&raw) != nil {
		return 0
	}
	return int(dec.InputOffset())
}

func checkSame(t *testing.T, body []byte, paths ...string) {
	t.Helper()
	got, gotMissing := MissingField(body, paths...)
	want, wantMissing := missingFieldOracle(body, paths...)
	if got != want || gotMissing != wantMissing {
		t.Fatalf("MissingField(%q, %q) = %q, %v; the decoder says %q, %v", body, paths, got, gotMissing, want, wantMissing)
	}
}

// TestMissingFieldMatchesDecoder holds the scanner to the decoder it replaced over every
// real and published vendor answer, every path those answers hold, every path the vendor
// clients ask, and random mutations of each answer (a fixed seed: the same cases every
// run).
func TestMissingFieldMatchesDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2026))
	bodies := realBodies(t)
	for _, body := range bodies {
		own := ownPaths(body)
		for _, p := range own {
			checkSame(t, body, p)
		}
		checkSame(t, body, own...)
		for _, paths := range vendorPaths {
			checkSame(t, body, paths...)
		}
		for range 40 {
			m := mutate(r, body)
			for range 3 {
				if r.IntN(2) == 0 {
					m = mutate(r, m)
				}
			}
			checkSame(t, m, own...)
			checkSame(t, m, vendorPaths[r.IntN(len(vendorPaths))]...)
			if len(own) > 0 {
				checkSame(t, m, own[r.IntN(len(own))])
			}
		}
		for n := 0; n < len(body); n += 1 + len(body)/300 { // prefixes: bodies cut short
			checkSame(t, body[:n], "data._id")
		}
	}
	t.Logf("%d bodies", len(bodies))
}

// TestMissingFieldEdges pins what only a careful scanner gets right: escaped and invalid
// UTF-8 keys, repeated keys, encoding/json's number, string and literal grammar, its
// nesting limit.
func TestMissingFieldEdges(t *testing.T) {
	deep := func(n int, open, close string) string {
		return `{"a":` + strings.Repeat(open, n) + strings.Repeat(close, n) + `}`
	}
	bodies := []string{
		`{"\u0064ata":{"_id":"x"}}`, `{"d\"a":1}`, `{"da\/ta":1}`, `{"\ud800":1}`, "{\"\xff\":1}",
		"{\"\xef\xbf\xbd\":1}", `{"data":{"_id":1},"data":null}`, `{"data":null,"data":{"_id":1}}`,
		`{"data":[{"_id":1}],"data":{}}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":-0.5E+3}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", "{\"a\":\"\x7f\"}",
		` {"a":1} `, `{"a":1}x`, `{"a":1}{}`, `{,}`, `{"a":1,}`, `[1,]`, `{"a"}`, `{"a":[1 2]}`,
		`{"a":{"b":[]}}`, `{"a":[null]}`, `{"a":[{},{"b":null}]}`, "", " ", `"a"`, `1`,
		deep(9999, "[", "]"), deep(10000, "[", "]"), deep(10001, "[", "]"),
		deep(9999, `{"a":`, "}"), deep(10000, `{"a":`, "}"),
		strings.Repeat("[", 1_000_000), strings.Repeat(`{"a":`, 1_000_000),
	}
	paths := [][]string{{"a"}, {"a?"}, {"data._id"}, {"data[]._id"}, {"data"}, {"d\"a"}, {"da/ta"},
		{"\ufffd"}, {"a.b"}, {"a[].b"}, {"a[].b?"}, {"a.b[]"}, {"a.a.a"}, {""}, {"a."}}
	for _, body := range bodies {
		for _, p := range paths {
			checkSame(t, []byte(body), p...)
		}
	}
}

// TestMissingFieldReadsOnlyItsBody hands the scanner the start of a larger buffer whose
// rest would complete the document: it must judge what it was given.
func TestMissingFieldReadsOnlyItsBody(t *testing.T) {
	full := []byte(`{"data":{"_id":"x"}}`)
	for n := range len(full) {
		if got, missing := MissingField(full[:n], "data._id"); !missing || got != "a JSON object" {
			t.Fatalf("MissingField(%q) = %q, %v; want a JSON object missing", full[:n], got, missing)
		}
	}
}

// FuzzMissingField holds the scanner to the decoder on any body and paths (comma
// separated), seeded with the real corpus.
func FuzzMissingField(f *testing.F) {
	for _, body := range realBodies(f) {
		f.Add(body, strings.Join(ownPaths(body), ","))
	}
	f.Add([]byte(`{"data":[{"_id":1},{}]}`), "data[]._id")
	f.Fuzz(func(t *testing.T, body []byte, paths string) {
		checkSame(t, body, strings.Split(paths, ",")...)
	})
}

// TestMissingFieldAllocs holds the scanner at no allocation on Verifik's published
// create app registration answer (the decoder it replaced made 65).
func TestMissingFieldAllocs(t *testing.T) {
	body := registrationAnswer(t)
	allocs := testing.AllocsPerRun(100, func() {
		if k, missing := MissingField(body, "data.appRegistration._id", "data.token"); missing {
			t.Fatalf("missing %s", k)
		}
	})
	if allocs > 0 {
		t.Fatalf("MissingField allocates %v times per call, want 0", allocs)
	}
}

func registrationAnswer(tb testing.TB) []byte {
	return payload.Body(tb, filepath.Join("..", "..", "testdata", "verifik", "app-registration-create-response-200-2.json"))
}

// BenchmarkMissingField: the scanner next to the decoder it replaced, on Verifik's
// create app registration answer (526 B).
func BenchmarkMissingField(b *testing.B) {
	body := registrationAnswer(b)
	paths := []string{"data.appRegistration._id", "data.token"}
	for _, v := range []struct {
		name string
		f    func([]byte, ...string) (string, bool)
	}{{"decoder", missingFieldOracle}, {"scanner", MissingField}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				v.f(body, paths...)
			}
		})
	}
}
