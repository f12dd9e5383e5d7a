package contract

import (
	"slices"
	"strconv"

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
func unknownProperties(v any, schema *openapi3.SchemaRef, loc string, report func(loc, name string)) {
	if schema == nil || schema.Value == nil {
		return
	}
	walk(v, expand([]*openapi3.Schema{schema.Value}), loc, report)
}

func walk(v any, cands []*openapi3.Schema, loc string, report func(loc, name string)) {
	if len(cands) == 0 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
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
		for _, k := range keys {
			var next []*openapi3.Schema
			for _, c := range cands {
				if p := c.Properties[k]; p != nil && p.Value != nil {
					next = append(next, p.Value)
				}
			}
			if len(next) == 0 {
				next = extra
			}
			if len(next) == 0 {
				if !open {
					report(loc, k)
				}
				continue
			}
			walk(v[k], expand(next), loc+"."+k, report)
		}
	case []any:
		var items []*openapi3.Schema
		for _, c := range cands {
			if c.Items != nil && c.Items.Value != nil {
				items = append(items, c.Items.Value)
			}
		}
		items = expand(items)
		for i, it := range v {
			walk(it, items, loc+"."+strconv.Itoa(i), report)
		}
	}
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
