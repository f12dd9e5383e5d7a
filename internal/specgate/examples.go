package specgate

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// uuidFormat accepts any RFC 4122 layout (v1–v8), as pkg/contract does, so an example
// the gate accepts is one the contract kit accepts.
var uuidFormat = openapi3.NewRegexpFormatValidator(
	`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var unsupportedProperty = regexp.MustCompile(`^property "(.*)" is unsupported$`)

// example validates one example value against its schema and reports every mismatch at
// the line of the offending value inside the example.
func (s *spec) example(value any, schema *openapi3.Schema, at pointer, where string, dir direction) {
	opts := []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(),
		openapi3.WithStringFormatValidator("uuid", uuidFormat),
	}
	switch dir {
	case request:
		opts = append(opts, openapi3.VisitAsRequest())
	case response:
		opts = append(opts, openapi3.VisitAsResponse())
	}
	err := schema.VisitJSON(value, opts...)
	if err == nil {
		// Responses stay open (no additionalProperties: false), so kin-openapi accepts
		// any extra field; an example is documentation and must not show one.
		for _, path := range undocumented(value, schema, nil) {
			field := path[len(path)-1]
			s.errorf(at.with(path...), RuleExamplesValid,
				"%s shows field %q at /%s, which its schema does not document", where, field, strings.Join(path, "/"))
		}
		return
	}
	for _, e := range flattenSchemaErrors(err) {
		var se *openapi3.SchemaError
		if !errors.As(e, &se) {
			s.errorf(at, RuleExamplesValid, "%s does not match its schema: %s", where, firstLine(e.Error()))
			continue
		}
		path := se.JSONPointer()
		reason := schemaReason(se)
		if m := unsupportedProperty.FindStringSubmatch(se.Reason); m != nil {
			// Point at the undocumented field itself, not at the object holding it.
			path = append(path, m[1])
		}
		loc := ""
		if len(path) > 0 {
			loc = " at /" + strings.Join(path, "/")
		}
		s.errorf(at.with(path...), RuleExamplesValid, "%s does not match its schema%s: %s", where, loc, reason)
	}
}

// undocumented returns the paths of object fields in value that schema does not
// declare. A schema that declares additionalProperties (true or a schema) documents
// every key; allOf branches add up; of oneOf/anyOf branches, those the value matches
// count (all of them when none matches, which validation reports anyway).
func undocumented(value any, schema *openapi3.Schema, at []string) [][]string {
	if schema == nil {
		return nil
	}
	switch v := value.(type) {
	case map[string]any:
		props, open := declared(v, schema)
		var out [][]string
		for _, k := range sortedKeys(v) {
			p := append(slices.Clone(at), k)
			subs, ok := props[k]
			if !ok && !open {
				out = append(out, p)
				continue
			}
			for _, sub := range subs {
				out = append(out, undocumented(v[k], sub, p)...)
			}
		}
		return dedupePaths(out)
	case []any:
		var out [][]string
		for i, item := range v {
			for _, sub := range itemSchemas(schema) {
				out = append(out, undocumented(item, sub, append(slices.Clone(at), strconv.Itoa(i)))...)
			}
		}
		return dedupePaths(out)
	}
	return nil
}

// declared collects, for an object value, the schemas each property is described by
// and whether the schema leaves the object open to undeclared keys.
func declared(value map[string]any, schema *openapi3.Schema) (map[string][]*openapi3.Schema, bool) {
	props := map[string][]*openapi3.Schema{}
	open := false
	var visit func(s *openapi3.Schema, depth int)
	visit = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 32 {
			return
		}
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				props[name] = append(props[name], p.Value)
			}
		}
		if ap := s.AdditionalProperties; (ap.Has != nil && *ap.Has) || ap.Schema != nil {
			open = true
		}
		for _, b := range s.AllOf {
			if b != nil {
				visit(b.Value, depth+1)
			}
		}
		for _, group := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
			var matching []*openapi3.Schema
			for _, b := range group {
				if b != nil && b.Value != nil && b.Value.IsMatching(value) {
					matching = append(matching, b.Value)
				}
			}
			if len(matching) == 0 {
				for _, b := range group {
					if b != nil {
						matching = append(matching, b.Value)
					}
				}
			}
			for _, m := range matching {
				visit(m, depth+1)
			}
		}
	}
	visit(schema, 0)
	return props, open
}

func itemSchemas(schema *openapi3.Schema) []*openapi3.Schema { return itemSchemasDepth(schema, 0) }

func itemSchemasDepth(schema *openapi3.Schema, depth int) []*openapi3.Schema {
	if depth > 32 {
		return nil
	}
	var out []*openapi3.Schema
	if schema.Items != nil && schema.Items.Value != nil {
		out = append(out, schema.Items.Value)
	}
	for _, b := range slices.Concat(schema.AllOf, schema.OneOf, schema.AnyOf) {
		if b != nil && b.Value != nil {
			out = append(out, itemSchemasDepth(b.Value, depth+1)...)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func dedupePaths(paths [][]string) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, p := range paths {
		k := strings.Join(p, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// flattenSchemaErrors opens the MultiErrors VisitJSON returns; a oneOf/anyOf failure
// stays one error (its branches' errors are alternatives, not separate problems).
func flattenSchemaErrors(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, flattenSchemaErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// schemaReason is SchemaError's message without the schema and value dumps.
func schemaReason(se *openapi3.SchemaError) string {
	switch {
	case se.Reason != "":
		return se.Reason
	case se.Origin != nil:
		return firstLine(se.Origin.Error())
	}
	return fmt.Sprintf("doesn't match schema %q", se.SchemaField)
}
