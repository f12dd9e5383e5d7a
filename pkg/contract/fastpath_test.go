package contract

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/raceflag"
)

// bodySchema is one JSON body schema of a spec, on one side.
type bodySchema struct {
	spec   *Spec
	name   string // "spec METHOD /path request|response status"
	schema *openapi3.Schema
	side   side
	seeds  []any // the spec's own examples for this body
}

// bodySchemas lists every JSON body schema of every embedded and test spec, once per
// (schema, side).
func bodySchemas(t testing.TB) []bodySchema {
	t.Helper()
	k, _ := loadTestKit()
	specs := append(Default().Specs(), k.Specs()...)
	seen := map[fastKey]int{}
	var out []bodySchema
	add := func(s *Spec, name string, mt *openapi3.MediaType, sd side) {
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			return
		}
		var ex []any
		if mt.Example != nil {
			ex = append(ex, mt.Example)
		}
		for _, e := range mt.Examples {
			if e != nil && e.Value != nil && e.Value.Value != nil {
				ex = append(ex, e.Value.Value)
			}
		}
		if mt.Schema.Value.Example != nil {
			ex = append(ex, mt.Schema.Value.Example)
		}
		key := fastKey{mt.Schema.Value, sd}
		if i, ok := seen[key]; ok {
			out[i].seeds = append(out[i].seeds, ex...)
			return
		}
		seen[key] = len(out)
		out = append(out, bodySchema{spec: s, name: name, schema: mt.Schema.Value, side: sd, seeds: ex})
	}
	for _, s := range specs {
		for _, p := range s.Doc.Paths.InMatchingOrder() {
			for method, op := range s.Doc.Paths.Value(p).Operations() {
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for ct, mt := range op.RequestBody.Value.Content {
						if isJSON(ct) {
							add(s, fmt.Sprintf("%s %s %s request", s.Name, method, p), mt, sideRequest)
						}
					}
				}
				if op.Responses == nil {
					continue
				}
				for status, r := range op.Responses.Map() {
					if r.Value == nil {
						continue
					}
					for ct, mt := range r.Value.Content {
						if isJSON(ct) {
							add(s, fmt.Sprintf("%s %s %s response %s", s.Name, method, p, status), mt, sideResponse)
						}
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// fixtureBodies returns every JSON body recorded under the repository's testdata (the
// file itself, and each value under a "body" or "json" member), decoded as checkJSON
// decodes.
func fixtureBodies(t testing.TB) []any {
	t.Helper()
	var out []any
	root := filepath.Join("..", "..", "testdata")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		v, err := decodeJSON(data)
		if err != nil {
			return nil
		}
		out = append(out, v)
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if k == "body" || k == "json" || k == "Body" {
						if s, ok := x.(string); ok {
							if y, err := decodeJSON([]byte(s)); err == nil {
								out = append(out, y)
							}
						} else {
							out = append(out, x)
						}
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(v)
		return nil
	})
	require.NoError(t, err)
	return out
}

// normalize gives a YAML-loaded example the Go types json.Unmarshal produces.
func normalize(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := decodeJSON(data)
	if err != nil {
		return v
	}
	return out
}

// kinValid is the verdict checkJSON falls back to.
func kinValid(s *openapi3.Schema, sd side, v any) error {
	opts := requestSchemaOptions
	if sd == sideResponse {
		opts = responseSchemaOptions
	}
	return s.VisitJSON(v, opts...)
}

// synth builds a value meant to satisfy s (examples first), to seed mutations where a
// body has no recorded example.
func synth(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 8 {
		return nil
	}
	if s.Example != nil {
		return normalize(s.Example)
	}
	if len(s.Enum) > 0 {
		return normalize(s.Enum[0])
	}
	if len(s.OneOf) > 0 && s.OneOf[0].Value != nil {
		return synth(s.OneOf[0].Value, depth+1)
	}
	if len(s.AnyOf) > 0 && s.AnyOf[0].Value != nil {
		return synth(s.AnyOf[0].Value, depth+1)
	}
	if len(s.AllOf) > 0 {
		obj := map[string]any{}
		for _, r := range s.AllOf {
			if m, ok := synth(r.Value, depth+1).(map[string]any); ok {
				for k, v := range m {
					obj[k] = v
				}
			}
		}
		return obj
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		obj := map[string]any{}
		for k, p := range s.Properties {
			obj[k] = synth(p.Value, depth+1)
		}
		return obj
	case s.Type.Is("array"):
		if s.Items != nil {
			return []any{synth(s.Items.Value, depth+1)}
		}
		return []any{}
	case s.Type.Is("string"):
		switch s.Format {
		case "uuid":
			return uuidV4
		case "date-time":
			return "2024-01-02T03:04:05Z"
		case "date":
			return "2024-01-02"
		case "byte":
			return "aGVsbG8="
		}
		n := int(s.MinLength)
		if n == 0 {
			n = 1
		}
		return strings.Repeat("1", n)
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		return 1.0
	case s.Type.Is("boolean"):
		return true
	}
	return "x"
}

// replacements are the values every node of a seed is swapped for: each JSON type, null,
// out-of-enum and wrong-format strings, and numbers at the usual boundaries.
var replacements = []any{
	nil, true, false, "", "x", "not-an-enum-value-zz", "not-a-uuid", uuidV7,
	"2024-13-45T99:99:99Z", "2024-02-30", "2024-01-02T03:04:05Z", "0", "123456",
	strings.Repeat("a", 801), "\u00e9\u2019'\"/ ()", "a\u0000b",
	0.0, 1.0, -1.0, 0.5, 100.0, 101.0, 1e300, -1e300, 2147483647.0, 2147483648.0, -2147483649.0,
	9.3e18, math.SmallestNonzeroFloat64, map[string]any{}, []any{},
}

// mutations returns v changed once at every node in every systematic way.
func mutations(v any) []any {
	var out []any
	var at func(v any, set func(any) any)
	at = func(v any, set func(any) any) {
		for _, r := range replacements {
			out = append(out, set(r))
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				out = append(out, set(without(x, k)))
				child := x[k]
				at(child, func(r any) any { return set(with(x, k, r)) })
			}
			out = append(out, set(with(x, "zz_extra_property", "x")))
			out = append(out, set(with(x, "zz_extra_property", nil)))
		case []any:
			out = append(out, set([]any{}))
			if len(x) > 0 {
				out = append(out, set(append(slices.Clone(x), x[0])))
				out = append(out, set(x[:len(x)-1]))
			}
			out = append(out, set(append(slices.Clone(x), nil)))
			for i := range x {
				at(x[i], func(r any) any {
					y := slices.Clone(x)
					y[i] = r
					return set(y)
				})
			}
		case string:
			out = append(out, set(x+"x"), set(x+" "), set(strings.ToUpper(x)), set(" "+x))
			if len(x) > 0 {
				out = append(out, set(x[:len(x)-1]), set(x[1:]))
			}
		case float64:
			out = append(out, set(x+1), set(x-1), set(x+0.5), set(-x), set(x*10), set(math.Nextafter(x, math.Inf(1))), set(math.Nextafter(x, math.Inf(-1))))
		case bool:
			out = append(out, set(!x))
		}
	}
	at(v, func(r any) any { return r })
	return out
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func with(m map[string]any, k string, v any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for a, b := range m {
		c[a] = b
	}
	c[k] = v
	return c
}

func without(m map[string]any, k string) map[string]any {
	c := make(map[string]any, len(m))
	for a, b := range m {
		if a != k {
			c[a] = b
		}
	}
	return c
}

// fixtureMutationCap bounds the fixtures mutated per schema in a normal test run; under
// the race detector (make test), whose instrumentation makes this test ten times slower
// and which finds nothing in it, only the schemas' own examples and synthesised values
// are mutated.
var fixtureMutationCap = map[bool]int{false: 2, true: 0}[raceflag.Enabled]

// mutationStride checks every mutation and fixture, or under the race detector every 16th.
var mutationStride = map[bool]int{false: 1, true: 16}[raceflag.Enabled]

var fullDifferential = os.Getenv("IDVKIT_FASTPATH_FULL") == "1"

// diffStats counts a differential run.
type diffStats struct {
	cases, fastValid, kinValid, fallbacks int
}

// check asserts fast "valid" ⇒ kin-openapi valid on one value.
func (st *diffStats) check(t testing.TB, b bodySchema, v any, what string) bool {
	st.cases++
	fast := b.spec.fastValid(b.schema, b.side, v)
	kinErr := kinValid(b.schema, b.side, v)
	if kinErr == nil {
		st.kinValid++
		if !fast {
			st.fallbacks++
		}
	}
	if fast {
		st.fastValid++
		if kinErr != nil {
			data, _ := json.Marshal(v)
			t.Errorf("%s: fast path accepts what kin-openapi refuses (%s): %s\nvalue: %.400s", b.name, what, kinErr, data)
			return false
		}
	}
	return fast || kinErr == nil
}

// TestFastPathNeverAcceptsWhatKinRefuses is the fast path's proof on everything the
// repository holds: every example of every body schema, every recorded fixture body,
// a value synthesised from each schema, and every single-node mutation of those the
// schema accepts (each property dropped, each value nulled and retyped, out-of-enum and
// wrong-format strings, boundary numbers, extra properties, array edits).
func TestFastPathNeverAcceptsWhatKinRefuses(t *testing.T) {
	bodies := bodySchemas(t)
	fixtures := fixtureBodies(t)
	var total diffStats
	seeded := 0
	for _, b := range bodies {
		if b.spec.fastEntry(b.schema, b.side).node == nil {
			continue
		}
		var st diffStats
		seeds := []any{synth(b.schema, 0)}
		for _, s := range b.seeds {
			seeds = append(seeds, normalize(s))
		}
		seeds = append(seeds, fixtures...)
		own := len(b.seeds) + 1
		mutated := 0
		dup := map[string]bool{}
		for i, s := range seeds {
			if i >= own && (i-own)%mutationStride != 0 {
				continue
			}
			key, _ := json.Marshal(s)
			if dup[string(key)] {
				continue
			}
			dup[string(key)] = true
			if !st.check(t, b, s, fmt.Sprintf("seed %d", i)) {
				continue
			}
			// Every fixture is checked as it is; the schema's own examples and a bounded
			// number of the fixtures it accepts are mutated (all of them under
			// IDVKIT_FASTPATH_FULL=1: 7.3 million cases, a minute and a half here).
			if i >= own && mutated >= fixtureMutationCap && !fullDifferential {
				continue
			}
			if i >= own {
				mutated++
			}
			seeded++
			for j, m := range mutations(s) {
				if j%mutationStride != 0 {
					continue
				}
				st.check(t, b, m, fmt.Sprintf("seed %d mutation %d", i, j))
			}
		}
		total.cases += st.cases
		total.fastValid += st.fastValid
		total.kinValid += st.kinValid
		total.fallbacks += st.fallbacks
	}
	t.Logf("%d body schemas, %d fixture bodies, %d accepted seeds mutated; %d cases: fast valid %d, kin valid %d, kin-valid cases the fast path left to kin %d",
		len(bodies), len(fixtures), seeded, total.cases, total.fastValid, total.kinValid, total.fallbacks)
	require.Positive(t, total.fastValid)
}

// TestFastPathCoversTheEmbeddedSpecs: every JSON body schema of the embedded specs has
// a fast validator; a schema that cannot be translated is named here with its reason.
func TestFastPathCoversTheEmbeddedSpecs(t *testing.T) {
	var missing []string
	n := 0
	for _, b := range bodySchemas(t) {
		if strings.HasPrefix(b.spec.Name, "test/") || strings.HasPrefix(b.spec.Name, "other/") {
			continue
		}
		n++
		if r := b.spec.fastReason(b.schema, b.side); r != "" {
			missing = append(missing, b.name+": "+r)
		}
	}
	t.Logf("%d embedded body schemas", n)
	require.Empty(t, missing)
}

// schemaFromYAML loads components.schemas.S (other components may be $ref'd) of a
// minimal OpenAPI 3.0 document.
func schemaFromYAML(t *testing.T, schemas string) *openapi3.Schema {
	t.Helper()
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n" + schemas
	loader := openapi3.NewLoader()
	d, err := loader.LoadFromData([]byte(doc))
	require.NoError(t, err)
	require.NoError(t, d.Validate(loader.Context))
	return d.Components.Schemas["S"].Value
}

// TestFastPathMatchesKinSemantics pins, construct by construct, the fast verdict to
// kin-openapi's (both ways) where kin-openapi differs from the JSON Schema reading of
// the same keywords or from the OpenAPI text.
func TestFastPathMatchesKinSemantics(t *testing.T) {
	type value struct {
		json string
		side side
	}
	req := func(j string) value { return value{j, sideRequest} }
	resp := func(j string) value { return value{j, sideResponse} }
	cases := []struct {
		name    string
		schemas string
		values  []value
	}{
		{"nullable string", `    S: {type: string, nullable: true}`,
			[]value{resp(`null`), resp(`"a"`), resp(`1`)}},
		{"nullable enum without null accepts null", `    S: {type: string, nullable: true, enum: [a]}`,
			[]value{resp(`null`), resp(`"a"`), resp(`"b"`)}},
		{"enum listing null without nullable refuses null", `    S: {type: string, enum: [a, null]}`,
			[]value{resp(`null`), resp(`"a"`)}},
		{"empty schema refuses null only", `    S: {description: anything}`,
			[]value{resp(`null`), resp(`1`), resp(`{}`), resp(`"x"`)}},
		{"nullable without type", `    S: {nullable: true}`,
			[]value{resp(`null`), resp(`[1]`)}},
		{"oneOf decides for null", "    S: {type: object, oneOf: [{type: string, nullable: true}, {type: integer}]}",
			[]value{resp(`null`), resp(`"a"`), resp(`{}`), resp(`1`)}},
		{"oneOf refuses two matches", "    S: {oneOf: [{type: number}, {type: integer}]}",
			[]value{resp(`1`), resp(`1.5`), resp(`null`), resp(`"a"`)}},
		{"anyOf", "    S: {anyOf: [{type: string, maxLength: 1}, {type: integer}]}",
			[]value{resp(`"a"`), resp(`"ab"`), resp(`2`), resp(`null`)}},
		{"allOf required and properties", "    S: {allOf: [{type: object, required: [a]}, {properties: {a: {type: string}}}]}",
			[]value{resp(`{"a":"x"}`), resp(`{}`), resp(`{"a":1}`), resp(`null`)}},
		{"not", "    S: {not: {type: string}}",
			[]value{resp(`1`), resp(`"a"`), resp(`null`)}},
		{"readOnly per side", "    S: {type: object, required: [id], properties: {id: {type: string, readOnly: true}}}",
			[]value{req(`{}`), req(`{"id":"x"}`), req(`{"id":null}`), resp(`{"id":"x"}`), resp(`{}`)}},
		{"writeOnly per side", "    S: {type: object, required: [pw], properties: {pw: {type: string, writeOnly: true, nullable: true}}}",
			[]value{resp(`{}`), resp(`{"pw":"x"}`), resp(`{"pw":null}`), req(`{"pw":"x"}`), req(`{}`)}},
		{"readOnly declared in allOf", "    S: {allOf: [{type: object, properties: {id: {type: string, readOnly: true}}}], required: [id]}",
			[]value{req(`{}`), resp(`{}`)}},
		{"exclusive bounds are booleans", "    S: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true}",
			[]value{resp(`0`), resp(`0.1`), resp(`10`), resp(`9.99`), resp(`-1`)}},
		{"exclusiveMinimum without minimum", "    S: {type: number, exclusiveMinimum: true}",
			[]value{resp(`-5`)}},
		{"integer", "    S: {type: integer, format: int32}",
			[]value{resp(`1`), resp(`1.0`), resp(`1.5`), resp(`2147483647`), resp(`2147483648`), resp(`"1"`)}},
		{"int64 at the edge", "    S: {type: integer, format: int64}",
			[]value{resp(`9223372036854775807`), resp(`9223372036854775808`), resp(`1e19`), resp(`-9223372036854775808`)}},
		{"uuid is any version", "    S: {type: string, format: uuid}",
			[]value{resp(`"` + uuidV7 + `"`), resp(`"` + uuidV4 + `"`), resp(`"not-a-uuid"`)}},
		{"date and date-time", "    S: {type: object, properties: {d: {type: string, format: date}, t: {type: string, format: date-time}}}",
			[]value{resp(`{"d":"2024-02-29"}`), resp(`{"d":"2023-02-29"}`), resp(`{"t":"2024-01-02T03:04:05Z"}`), resp(`{"t":"2024-01-02 03:04:05"}`)}},
		{"formats kin-openapi does not check", "    S: {type: string, format: email}",
			[]value{resp(`"not an email"`)}},
		{"byte", "    S: {type: string, format: byte}",
			[]value{resp(`"aGk="`), resp(`"a b"`)}},
		{"pattern with \\u escape", `    S: {type: string, pattern: '^\u0041+$'}`,
			[]value{resp(`"AA"`), resp(`"B"`)}},
		{"lengths count code points", "    S: {type: string, minLength: 2, maxLength: 3}",
			[]value{resp(`"é"`), resp(`"éé"`), resp(`"éééé"`)}},
		{"additionalProperties false", "    S: {type: object, properties: {a: {type: string}}, additionalProperties: false}",
			[]value{resp(`{"a":"x"}`), resp(`{"b":1}`)}},
		{"additionalProperties schema", "    S: {type: object, additionalProperties: {type: integer}}",
			[]value{resp(`{"b":1}`), resp(`{"b":"x"}`), resp(`{"b":null}`)}},
		{"min and max properties", "    S: {type: object, minProperties: 1, maxProperties: 1}",
			[]value{resp(`{}`), resp(`{"a":1}`), resp(`{"a":1,"b":2}`)}},
		{"arrays", "    S: {type: array, minItems: 1, maxItems: 2, uniqueItems: true, items: {type: integer}}",
			[]value{resp(`[]`), resp(`[1]`), resp(`[1,1]`), resp(`[1,2,3]`), resp(`[1,"1"]`), resp(`[1.5]`)}},
		{"recursive $ref", "    S: {type: object, properties: {child: {$ref: '#/components/schemas/S'}, n: {type: integer}}}",
			[]value{resp(`{"child":{"child":{"n":1}}}`), resp(`{"child":{"child":{"n":"x"}}}`), resp(`{"child":null}`)}},
		{"enum of numbers", "    S: {type: number, enum: [1, 2.5]}",
			[]value{resp(`1`), resp(`1.0`), resp(`2.5`), resp(`3`)}},
		{"type list refuses other types", "    S: {type: boolean}",
			[]value{resp(`true`), resp(`0`), resp(`"true"`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sch := schemaFromYAML(t, c.schemas)
			s := &Spec{Name: "t"}
			for _, v := range c.values {
				require.Empty(t, s.fastReason(sch, v.side))
				x, err := decodeJSON([]byte(v.json))
				require.NoError(t, err)
				kin := kinValid(sch, v.side, x) == nil
				require.Equal(t, kin, s.fastValid(sch, v.side, x), "%s (side %d): kin-openapi valid = %v", v.json, v.side, kin)
			}
		})
	}
}

// TestFastPathFallsBack lists the constructs that are not compiled: their schemas always
// take VisitJSON, and checkJSON's problems are kin-openapi's.
func TestFastPathFallsBack(t *testing.T) {
	cases := []struct {
		name, schemas, reason, body string
	}{
		{"discriminator", `    S: {oneOf: [{$ref: '#/components/schemas/A'}], discriminator: {propertyName: k}}
    A: {type: object, properties: {k: {type: string}}}`, "discriminator", `{"k":"A"}`},
		{"multipleOf", "    S: {type: number, multipleOf: 0.1}", "multipleOf", `0.3`},
		{"allOf cycle", `    S: {allOf: [{$ref: '#/components/schemas/B'}]}
    B: {type: object, allOf: [{$ref: '#/components/schemas/S'}]}`, "cycle", `{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sch := schemaFromYAML(t, c.schemas)
			s := &Spec{Name: "t"}
			for _, sd := range []side{sideRequest, sideResponse} {
				require.Contains(t, s.fastReason(sch, sd), c.reason)
				x, err := decodeJSON([]byte(c.body))
				require.NoError(t, err)
				require.False(t, s.fastValid(sch, sd, x))
				b := &problemBuilder{op: "op"}
				checkJSON(s, b, []byte(c.body), &openapi3.SchemaRef{Value: sch}, sd, func(string, string) {})
				want := &problemBuilder{op: "op"}
				if err := kinValid(sch, sd, x); err != nil {
					want.fromSchemaErrors("body", err)
				}
				require.Equal(t, want.out, b.out)
			}
		})
	}
}

// TestFastPathKeepsProblems: with the fast path on or off, ValidateResponse reports the
// same problems (schema violations and drift) for Verisoul's verify-id answer and every
// mutation of it.
func TestFastPathKeepsProblems(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/verisoul/idc-verify-id-response-200.json")
	require.NoError(t, err)
	var fx struct{ Body any }
	require.NoError(t, json.Unmarshal(raw, &fx))
	spec := Default().Spec("verisoul/idcheck")
	h := jsonHeader()
	n, drift := 0, 0
	for i, m := range append([]any{fx.Body}, mutations(fx.Body)...) {
		if i%mutationStride != 0 {
			continue
		}
		body, err := json.Marshal(m)
		require.NoError(t, err)
		r := jsonRequest("POST", "https://api.sandbox.verisoul.ai/liveness/verify-id", `{"session_id":"`+uuidV4+`"}`)
		on := spec.ValidateResponse(r, 200, h, body)
		fastPathOff = true
		off := spec.ValidateResponse(r, 200, h, body)
		fastPathOff = false
		require.Equal(t, off, on, "%s", body)
		n++
		for _, k := range problemKeys(on) {
			if strings.HasSuffix(k, " drift") {
				drift++
				break
			}
		}
	}
	t.Logf("%d bodies, %d with drift", n, drift)
	require.Positive(t, drift)
}

// FuzzFastPath: on any JSON body and any body schema, fast "valid" ⇒ kin-openapi valid.
// Seeded with every example and fixture body; go test -fuzz FuzzFastPath mutates them.
func FuzzFastPath(f *testing.F) {
	bodies := bodySchemas(f)
	for i, b := range bodies {
		for _, s := range b.seeds {
			if data, err := json.Marshal(normalize(s)); err == nil {
				f.Add(data, uint16(i))
			}
		}
		if data, err := json.Marshal(synth(b.schema, 0)); err == nil {
			f.Add(data, uint16(i))
		}
	}
	for i, v := range fixtureBodies(f) {
		if data, err := json.Marshal(v); err == nil {
			f.Add(data, uint16(i))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, pick uint16) {
		v, err := decodeJSON(data)
		if err != nil {
			return
		}
		b := bodies[int(pick)%len(bodies)]
		if b.spec.fastValid(b.schema, b.side, v) {
			if err := kinValid(b.schema, b.side, v); err != nil {
				t.Fatalf("%s: fast path accepts what kin-openapi refuses: %v", b.name, err)
			}
		}
	})
}

// TestFastPathConcurrentFirstUse: the validator is compiled once, on first use, however
// many requests ask for it at once (run with -race).
func TestFastPathConcurrentFirstUse(t *testing.T) {
	sch := schemaFromYAML(t, "    S: {type: object, required: [a], properties: {a: {type: string, format: uuid}, b: {$ref: '#/components/schemas/S'}}}")
	s := &Spec{Name: "t"}
	ok, bad := map[string]any{"a": uuidV4}, map[string]any{"a": "x"}
	var wg sync.WaitGroup
	results := make([][2]bool, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = [2]bool{s.fastValid(sch, side(i%2), ok), s.fastValid(sch, side(i%2), bad)}
		}()
	}
	wg.Wait()
	for _, r := range results {
		require.Equal(t, [2]bool{true, false}, r)
	}
	n := 0
	s.fast.Range(func(any, any) bool { n++; return true })
	require.Equal(t, 2, n) // one entry per side
}
