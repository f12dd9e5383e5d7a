package contract

import (
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// unknownProperties walks a decoded JSON value against its schema and reports every
// object property the schema does not list. kin-openapi accepts them silently (schemas
// are open unless additionalProperties is false), so this is the drift detector.
//
// The walk is conservative: a value is checked against a set of candidate schemas (the
// schema, its allOf members and its oneOf/anyOf branches, recursively), and a property is
// unknown only if no candidate lists it and no candidate accepts extra properties. An
// object schema that lists no properties at all is free-form and accepts anything.
//
// The walk allocates only when it reports: the location is a stack of path elements
// joined on report, and the candidate set of one schema is expanded once per spec
// (cached on the Spec, see expandOne); a 3 KB answer's walk cost 290 allocations before.
func unknownProperties(s *Spec, v any, schema *openapi3.SchemaRef, loc string, report func(loc, name string)) {
	if schema == nil || schema.Value == nil {
		return
	}
	w := walker{spec: s, report: report, path: append(make([]string, 0, 16), loc)}
	w.walk(v, w.expandOne(schema.Value))
}

type walker struct {
	spec   *Spec
	report func(loc, name string)
	path   []string // location elements: "body", then property names and indexes
}

func (w *walker) loc() string { return strings.Join(w.path, ".") }

// expandOne is expand of one schema, cached per spec: the walk asks for the same few
// schemas at every node of every answer.
func (w *walker) expandOne(sc *openapi3.Schema) []*openapi3.Schema {
	if w.spec == nil {
		return expand([]*openapi3.Schema{sc})
	}
	if c, ok := w.spec.expanded.Load(sc); ok {
		return c.([]*openapi3.Schema)
	}
	c, _ := w.spec.expanded.LoadOrStore(sc, expand([]*openapi3.Schema{sc}))
	return c.([]*openapi3.Schema)
}

// expandSet expands the schemas a value may match; one schema (the usual case) is cached.
func (w *walker) expandSet(in []*openapi3.Schema) []*openapi3.Schema {
	if len(in) == 1 {
		return w.expandOne(in[0])
	}
	return expand(in)
}

func (w *walker) walk(v any, cands []*openapi3.Schema) {
	if len(cands) == 0 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		open := false
		var extra []*openapi3.Schema // additionalProperties schemas
		for _, c := range cands {
			ap := c.AdditionalProperties
			switch {
			case ap.Schema != nil && ap.Schema.Value != nil:
				extra = append(extra, ap.Schema.Value)
			case ap.Has != nil && *ap.Has:
				open = true
			case freeForm(c):
				open = true
			}
		}
		// Keys in any order: problems are sorted by location when collected (asError).
		for k, val := range v {
			var one *openapi3.Schema
			var next []*openapi3.Schema
			for _, c := range cands {
				p := c.Properties[k]
				if p == nil || p.Value == nil {
					continue
				}
				switch {
				case one == nil && next == nil:
					one = p.Value
				case next == nil:
					next = []*openapi3.Schema{one, p.Value}
				default:
					next = append(next, p.Value)
				}
			}
			var sub []*openapi3.Schema
			switch {
			case next != nil:
				sub = expand(next)
			case one != nil:
				sub = w.expandOne(one)
			case len(extra) > 0:
				sub = w.expandSet(extra)
			default:
				if !open {
					w.report(w.loc(), k)
				}
				continue
			}
			if !descends(val) {
				continue // a scalar has no properties to report
			}
			w.path = append(w.path, k)
			w.walk(val, sub)
			w.path = w.path[:len(w.path)-1]
		}
	case []any:
		var items []*openapi3.Schema
		for _, c := range cands {
			if c.Items != nil && c.Items.Value != nil {
				items = append(items, c.Items.Value)
			}
		}
		if len(items) == 0 {
			return
		}
		sub := w.expandSet(items)
		for i, it := range v {
			if !descends(it) {
				continue
			}
			w.path = append(w.path, strconv.Itoa(i))
			w.walk(it, sub)
			w.path = w.path[:len(w.path)-1]
		}
	}
}

// descends reports whether a decoded value can hold properties (an object or an array).
func descends(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// freeForm reports whether an object schema lists nothing about its properties:
// {type: object} or {} means "any object".
func freeForm(s *openapi3.Schema) bool {
	return len(s.Properties) == 0 && len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 &&
		(s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has) &&
		!hasOnlyNonObjectType(s)
}

// hasOnlyNonObjectType: a {type: string} schema is not a free-form object; an object value
// there is a type violation kin-openapi reports, not drift to report twice.
func hasOnlyNonObjectType(s *openapi3.Schema) bool {
	return s.Type != nil && len(*s.Type) > 0 && !s.Type.Includes(openapi3.TypeObject)
}

// SchemaBranches returns the schemas of in with, recursively, their allOf members and
// oneOf/anyOf branches, each once: every schema a JSON value checked against in may be
// described by. Tools that read specs the way the kit does (conform's shape walk) use it.
func SchemaBranches(in []*openapi3.Schema) []*openapi3.Schema { return expand(in) }

// expand adds, recursively, the allOf members and oneOf/anyOf branches of each schema.
// A schema whose only role is to combine others ($ref'd union, allOf wrapper) is kept
// but lists no properties of its own, so it is not mistaken for a free-form object.
func expand(in []*openapi3.Schema) []*openapi3.Schema {
	var out []*openapi3.Schema
	seen := map[*openapi3.Schema]bool{}
	var add func(s *openapi3.Schema)
	add = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range group {
				if r != nil {
					add(r.Value)
				}
			}
		}
	}
	for _, s := range in {
		add(s)
	}
	return out
}
