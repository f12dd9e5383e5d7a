package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path. A JSON body is first checked by a validator compiled once per body
// schema and side, which only answers "valid" or "not shown valid". When it says valid,
// kin-openapi's VisitJSON — which costs about as much as decoding the body again — is
// skipped; otherwise VisitJSON runs exactly as before, so every Problem is still
// kin-openapi's. The compiled validator follows kin-openapi's OpenAPI 3.0 visitJSON rule
// by rule and may only be as strict as it or stricter; a schema using a construct it does
// not reproduce is not compiled and always takes VisitJSON (see fastReason).
//
// santhosh-tekuri/jsonschema was measured first for this (the schema translated to JSON
// Schema): it spends 3 to 5 allocations per JSON node and was no faster than VisitJSON
// on Verisoul's 3 KB answer (docs/BENCHMARKS.md), so the validator is compiled here.

// side is the direction a body travels: readOnly and writeOnly differ per side.
type side uint8

const (
	sideRequest side = iota
	sideResponse
)

type fastKey struct {
	schema *openapi3.Schema
	side   side
}

// fastEntry is one body schema's compiled validator, or why it has none.
type fastEntry struct {
	once   sync.Once
	node   *fnode
	reason string
}

// fastPathOff turns the fast path off (benchmarks compare both paths in one binary).
var fastPathOff = false

// fastCrossCheck runs VisitJSON after every fast "valid" too and panics when kin-openapi
// disagrees: IDVKIT_FASTPATH_CROSSCHECK=1 turns it on for a test run of any package.
var fastCrossCheck = os.Getenv("IDVKIT_FASTPATH_CROSSCHECK") == "1"

func (s *Spec) fastEntry(schema *openapi3.Schema, sd side) *fastEntry {
	k := fastKey{schema, sd}
	v, ok := s.fast.Load(k)
	if !ok {
		v, _ = s.fast.LoadOrStore(k, &fastEntry{})
	}
	e := v.(*fastEntry)
	e.once.Do(func() {
		n, err := compileFast(schema, sd)
		if err != nil {
			e.reason = err.Error()
			return
		}
		e.node = n
	})
	return e
}

// fastReason says why schema has no fast validator for sd ("" when it has one).
func (s *Spec) fastReason(schema *openapi3.Schema, sd side) string {
	return s.fastEntry(schema, sd).reason
}

// fastValid reports whether the fast path accepts v; false also when there is none.
func (s *Spec) fastValid(schema *openapi3.Schema, sd side, v any) bool {
	if fastPathOff {
		return false
	}
	n := s.fastEntry(schema, sd).node
	return n != nil && n.valid(v)
}

// errNoFast marks a construct the compiled validator does not reproduce.
var errNoFast = errors.New("fast path: not compiled")

func noFast(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errNoFast}, args...)...)
}

// Type bits of a compiled schema.
const (
	tString uint8 = 1 << iota
	tNumber
	tInteger
	tBoolean
	tArray
	tObject
)

// fnode is one schema compiled. Recursive schemas compile to cyclic nodes.
type fnode struct {
	empty    bool // kin-openapi's IsEmpty: anything but null
	nullable bool
	typed    bool
	types    uint8
	not      *fnode
	oneOf    []*fnode
	anyOf    []*fnode
	allOf    []*fnode
	enum     []any

	minLen  uint64
	maxLen  uint64 // math.MaxUint64: none
	pattern *regexp.Regexp
	format  string // "" none
	intFmt  bool   // the format is an integer format (type integer, not number)

	min, max     float64
	hasMin       bool
	hasMax       bool
	exMin, exMax bool

	minItems, maxItems uint64
	unique             bool
	items              *fnode

	props     map[string]fprop
	nullOnly  []string // properties that must be absent or null on this side
	addlFalse bool
	addl      *fnode
	required  []string
	minProps  uint64
	maxProps  uint64
}

type fprop struct{ n *fnode }

// compileFast compiles schema for sd.
func compileFast(schema *openapi3.Schema, sd side) (*fnode, error) {
	c := &fastCompiler{side: sd, nodes: map[*openapi3.Schema]*fnode{}}
	if err := checkApplicatorCycles(schema); err != nil {
		return nil, err
	}
	return c.compile(schema)
}

type fastCompiler struct {
	side  side
	nodes map[*openapi3.Schema]*fnode
}

func (c *fastCompiler) ref(r *openapi3.SchemaRef) (*fnode, error) {
	if r == nil || r.Value == nil {
		return nil, noFast("unresolved $ref")
	}
	return c.compile(r.Value)
}

func (c *fastCompiler) refs(rs openapi3.SchemaRefs) ([]*fnode, error) {
	var out []*fnode
	for _, r := range rs {
		n, err := c.ref(r)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// compile follows kin-openapi's visitJSON for OpenAPI 3.0 (schema_3point0_validator.go).
func (c *fastCompiler) compile(s *openapi3.Schema) (*fnode, error) {
	if n, ok := c.nodes[s]; ok {
		return n, nil
	}
	n := &fnode{maxLen: math.MaxUint64, maxItems: math.MaxUint64, maxProps: math.MaxUint64}
	c.nodes[s] = n
	if err := unsupported(s); err != nil {
		return nil, err
	}
	if s.IsEmpty() {
		n.empty = true
		return n, nil
	}
	var err error
	n.nullable = s.Nullable
	if s.Not != nil {
		if n.not, err = c.ref(s.Not); err != nil {
			return nil, err
		}
	}
	if n.oneOf, err = c.refs(s.OneOf); err != nil {
		return nil, err
	}
	if n.anyOf, err = c.refs(s.AnyOf); err != nil {
		return nil, err
	}
	if n.allOf, err = c.refs(s.AllOf); err != nil {
		return nil, err
	}
	n.enum = s.Enum
	if s.Type != nil {
		if len(*s.Type) == 0 {
			return nil, noFast("empty type list")
		}
		n.typed = true
		for _, ty := range *s.Type {
			switch ty {
			case openapi3.TypeString:
				n.types |= tString
			case openapi3.TypeNumber:
				n.types |= tNumber
			case openapi3.TypeInteger:
				n.types |= tInteger
			case openapi3.TypeBoolean:
				n.types |= tBoolean
			case openapi3.TypeArray:
				n.types |= tArray
			case openapi3.TypeObject:
				n.types |= tObject
			default:
				return nil, noFast("type %q", ty)
			}
		}
	}
	// strings
	n.minLen = s.MinLength
	if s.MaxLength != nil {
		n.maxLen = *s.MaxLength
	}
	if s.Pattern != "" {
		if n.pattern, err = kinRegexp(s.Pattern); err != nil {
			return nil, noFast("pattern does not compile")
		}
	}
	n.format = s.Format
	n.intFmt = s.Type.Permits(openapi3.TypeInteger) && !s.Type.Permits(openapi3.TypeNumber)
	// numbers
	for _, f := range []*float64{s.Min, s.Max} {
		if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
			return nil, noFast("non-finite bound")
		}
	}
	if s.Min != nil {
		n.hasMin, n.min = true, *s.Min
		n.exMin = s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool
	}
	if s.Max != nil {
		n.hasMax, n.max = true, *s.Max
		n.exMax = s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool
	}
	// arrays
	n.minItems = s.MinItems
	if s.MaxItems != nil {
		n.maxItems = *s.MaxItems
	}
	n.unique = s.UniqueItems
	if s.Items != nil {
		if n.items, err = c.ref(s.Items); err != nil {
			return nil, err
		}
	}
	// objects
	if s.Properties != nil {
		n.props = make(map[string]fprop, len(s.Properties))
		for _, name := range sortedSchemaNames(s.Properties) {
			p := s.Properties[name]
			pn, err := c.ref(p)
			if err != nil {
				return nil, err
			}
			n.props[name] = fprop{pn}
			// kin-openapi refuses a readOnly property in a request (writeOnly in a
			// response) unless it is absent or null; null still meets its schema.
			if c.side == sideRequest && p.Value.ReadOnly || c.side == sideResponse && p.Value.WriteOnly {
				n.nullOnly = append(n.nullOnly, name)
			}
		}
	}
	if has := s.AdditionalProperties.Has; has != nil && !*has {
		n.addlFalse = true
	} else if ap := s.AdditionalProperties.Schema; ap != nil {
		if n.addl, err = c.ref(ap); err != nil {
			return nil, err
		}
	}
	for _, k := range s.Required {
		// Not required on a side where this schema or its allOf declare it readOnly
		// (request) or writeOnly (response), as kin-openapi; the schemas kin-openapi also
		// consults above this one are not known here, which only makes this stricter.
		if c.declaresReadOnlyOrWriteOnly(s, k, map[*openapi3.Schema]bool{}) {
			continue
		}
		n.required = append(n.required, k)
	}
	n.minProps = s.MinProps
	if s.MaxProps != nil {
		n.maxProps = *s.MaxProps
	}
	return n, nil
}

func sortedSchemaNames(m openapi3.Schemas) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// unsupported refuses what the compiled validator does not reproduce: OpenAPI 3.1
// keywords (kin-openapi's 3.0 validator ignores most, but they change IsEmpty), the
// discriminator, multipleOf (kin-openapi's rounding tolerance), numeric exclusive bounds.
func unsupported(s *openapi3.Schema) error {
	switch {
	case s.Discriminator != nil:
		return noFast("discriminator")
	case s.MultipleOf != nil:
		return noFast("multipleOf")
	case s.Const != nil, len(s.PrefixItems) > 0, s.Contains != nil, s.MinContains != nil, s.MaxContains != nil,
		len(s.PatternProperties) > 0, len(s.DependentSchemas) > 0, s.PropertyNames != nil,
		s.UnevaluatedItems.Has != nil || s.UnevaluatedItems.Schema != nil,
		s.UnevaluatedProperties.Has != nil || s.UnevaluatedProperties.Schema != nil,
		s.If != nil, s.Then != nil, s.Else != nil, len(s.DependentRequired) > 0, s.Always != nil,
		len(s.Defs) > 0, s.SchemaID != "", s.Anchor != "", s.DynamicRef != "", s.DynamicAnchor != "",
		s.ContentSchema != nil, s.ContentMediaType != "", s.ContentEncoding != "", s.SchemaDialect != "":
		return noFast("OpenAPI 3.1 keyword")
	case s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil:
		return noFast("numeric exclusive bound")
	}
	return nil
}

// checkApplicatorCycles refuses a schema graph where a schema applies to the same value
// again through not/allOf/anyOf/oneOf: kin-openapi accepts such an inner visit at once.
func checkApplicatorCycles(root *openapi3.Schema) error {
	const (
		onPath = 1
		done   = 2
	)
	state := map[*openapi3.Schema]int{}
	seen := map[*openapi3.Schema]bool{}
	var all []*openapi3.Schema
	var collect func(s *openapi3.Schema)
	collect = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		all = append(all, s)
		for _, r := range children(s) {
			if r != nil {
				collect(r.Value)
			}
		}
	}
	collect(root)
	var visit func(s *openapi3.Schema) error
	visit = func(s *openapi3.Schema) error {
		switch state[s] {
		case onPath:
			return noFast("not/allOf/anyOf/oneOf cycle")
		case done:
			return nil
		}
		state[s] = onPath
		for _, r := range applicators(s) {
			if r != nil && r.Value != nil {
				if err := visit(r.Value); err != nil {
					return err
				}
			}
		}
		state[s] = done
		return nil
	}
	for _, s := range all {
		if err := visit(s); err != nil {
			return err
		}
	}
	return nil
}

func applicators(s *openapi3.Schema) []*openapi3.SchemaRef {
	var out []*openapi3.SchemaRef
	if s.Not != nil {
		out = append(out, s.Not)
	}
	out = append(out, s.AllOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.OneOf...)
	return out
}

func children(s *openapi3.Schema) []*openapi3.SchemaRef {
	out := applicators(s)
	if s.Items != nil {
		out = append(out, s.Items)
	}
	for _, p := range s.Properties {
		out = append(out, p)
	}
	if s.AdditionalProperties.Schema != nil {
		out = append(out, s.AdditionalProperties.Schema)
	}
	return out
}

func (c *fastCompiler) declaresReadOnlyOrWriteOnly(s *openapi3.Schema, k string, seen map[*openapi3.Schema]bool) bool {
	if s == nil || seen[s] {
		return false
	}
	seen[s] = true
	if p := s.Properties[k]; p != nil && p.Value != nil {
		if p.Value.ReadOnly && c.side == sideRequest || p.Value.WriteOnly && c.side == sideResponse {
			return true
		}
	}
	for _, r := range s.AllOf {
		if r != nil && c.declaresReadOnlyOrWriteOnly(r.Value, k, seen) {
			return true
		}
	}
	return false
}

// valid mirrors visitJSON: null is accepted at once when nullable; an empty schema
// accepts anything but null; then not, oneOf/anyOf/allOf (which alone decide for null),
// enum, and the keywords of the value's type.
func (n *fnode) valid(v any) bool {
	if v == nil {
		if n.nullable {
			return true
		}
		if n.empty {
			return false
		}
		if n.not != nil && n.not.valid(nil) {
			return false
		}
		if len(n.oneOf)+len(n.anyOf)+len(n.allOf) == 0 {
			return false
		}
		return n.xOf(nil)
	}
	if n.empty {
		return true
	}
	if n.not != nil && n.not.valid(v) {
		return false
	}
	if !n.xOf(v) {
		return false
	}
	if len(n.enum) > 0 && !slices.ContainsFunc(n.enum, func(e any) bool { return equalJSON(e, v) }) {
		return false
	}
	switch v := v.(type) {
	case bool:
		return !n.typed || n.types&tBoolean != 0
	case float64:
		return n.number(v)
	case string:
		return n.str(v)
	case []any:
		return n.array(v)
	case map[string]any:
		return n.object(v)
	}
	return false // not a value json.Unmarshal makes: leave it to kin-openapi
}

func (n *fnode) xOf(v any) bool {
	if len(n.oneOf) > 0 {
		ok := 0
		for _, o := range n.oneOf {
			if o.valid(v) {
				ok++
			}
		}
		if ok != 1 {
			return false
		}
	}
	if len(n.anyOf) > 0 && !slices.ContainsFunc(n.anyOf, func(o *fnode) bool { return o.valid(v) }) {
		return false
	}
	for _, o := range n.allOf {
		if !o.valid(v) {
			return false
		}
	}
	return true
}

func (n *fnode) number(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if n.typed {
		switch {
		case n.types&tNumber != 0:
		case n.types&tInteger != 0:
			if v != math.Trunc(v) {
				return false
			}
		default:
			return false
		}
	}
	if n.format != "" && !numberFormatOK(n.format, n.intFmt, v) {
		return false
	}
	if n.hasMin && (v < n.min || n.exMin && v <= n.min) {
		return false
	}
	if n.hasMax && (v > n.max || n.exMax && v >= n.max) {
		return false
	}
	return true
}

func (n *fnode) str(v string) bool {
	if n.typed && n.types&tString == 0 {
		return false
	}
	if n.minLen != 0 || n.maxLen != math.MaxUint64 {
		l := uint64(utf8.RuneCountInString(v))
		if l < n.minLen || l > n.maxLen {
			return false
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(v) {
		return false
	}
	if n.format != "" {
		f, ok := stringFormats[n.format]
		if !ok {
			f, ok = openapi3.SchemaStringFormats[n.format]
		}
		if ok && f.Validate(v) != nil {
			return false
		}
	}
	return true
}

func (n *fnode) array(v []any) bool {
	if n.typed && n.types&tArray == 0 {
		return false
	}
	l := uint64(len(v))
	if l < n.minItems || l > n.maxItems {
		return false
	}
	if n.unique && !uniqueJSON(v) {
		return false
	}
	if n.items != nil {
		for _, x := range v {
			if !n.items.valid(x) {
				return false
			}
		}
	}
	return true
}

func (n *fnode) object(v map[string]any) bool {
	if n.typed && n.types&tObject == 0 {
		return false
	}
	for _, p := range n.nullOnly {
		if v[p] != nil {
			return false
		}
	}
	l := uint64(len(v))
	if l < n.minProps || l > n.maxProps {
		return false
	}
	for k, x := range v {
		if p, ok := n.props[k]; ok {
			if !p.n.valid(x) {
				return false
			}
			continue
		}
		if n.addlFalse {
			return false
		}
		if n.addl != nil && !n.addl.valid(x) {
			return false
		}
	}
	for _, k := range n.required {
		if _, ok := v[k]; !ok {
			return false
		}
	}
	return true
}

// numberFormatOK checks a number's format as visitJSONNumber does: kin-openapi's global
// integer or number validators, looked up at each call (a program may define formats
// after the spec loads; this package passes none of its own for numbers).
func numberFormatOK(format string, integer bool, v float64) bool {
	if integer {
		f, ok := openapi3.SchemaIntegerFormats[format]
		if !ok {
			return true
		}
		switch {
		case v == float64(math.MaxInt64): // kin-openapi's validateIntegerFormat
			return f.Validate(math.MaxInt64) == nil
		case v >= float64(math.MinInt64) && v < float64(math.MaxInt64):
			return f.Validate(int64(v)) == nil
		}
		return false
	}
	f, ok := openapi3.SchemaNumberFormats[format]
	return !ok || f.Validate(v) == nil
}

// equalJSON is kin-openapi's equalJSONValues for the values json.Unmarshal makes.
func equalJSON(a, b any) bool {
	if x, ok := jsonFloat(a); ok {
		y, ok := jsonFloat(b)
		return ok && x == y
	}
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, equalJSON)
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, x := range a {
			y, ok := b[k]
			if !ok || !equalJSON(x, y) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func jsonFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// uniqueJSON is kin-openapi's isSliceOfUniqueItems: items are told apart by their JSON.
func uniqueJSON(xs []any) bool {
	seen := make(map[string]struct{}, len(xs))
	for _, x := range xs {
		key, _ := json.Marshal(&x)
		seen[string(key)] = struct{}{}
	}
	return len(seen) == len(xs)
}

// kinRegexp compiles a pattern as kin-openapi does: \uXXXX becomes \x{XXXX}, then Go's
// regexp.
func kinRegexp(p string) (*regexp.Regexp, error) {
	return regexp.Compile(kinCodepoints.ReplaceAllString(p, `\x{${code}}`))
}

var kinCodepoints = regexp.MustCompile(`(?P<replaced_with_slash_x>\\u)(?P<code>[0-9A-F]{4})`)
