package specgate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

var lowerCamel = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// direction says which side of the wire an example travels, which decides how
// readOnly/writeOnly properties are judged.
type direction int

const (
	neither direction = iota
	request
	response
)

// walk visits every element the project rules look at. Components are walked once by
// name; inside paths only inline elements are walked, so each definition is checked in
// exactly one place and a problem in a shared component is reported once, at it.
func (s *spec) walk() {
	doc := s.doc
	declared := map[string]bool{}
	for _, t := range doc.Tags {
		if t != nil {
			declared[t.Name] = true
		}
	}
	if doc.Paths != nil {
		pathMap := doc.Paths.Map()
		for _, path := range slices.Sorted(maps.Keys(pathMap)) {
			item := pathMap[path]
			if item == nil {
				continue
			}
			pp := pointer{"paths", path}
			for i, p := range item.Parameters {
				s.parameter(p, pp.with("parameters", fmt.Sprint(i)), path)
			}
			ops := item.Operations()
			for _, method := range slices.Sorted(maps.Keys(ops)) {
				s.operation(path, method, ops[method], pp.with(strings.ToLower(method)), declared)
			}
		}
	}
	s.components()
}

func (s *spec) operation(path, method string, op *openapi3.Operation, p pointer, declared map[string]bool) {
	name := method + " " + path
	if op.OperationID == "" {
		s.errorf(p, RuleOperationID, "%s has no operationId; give it an explicit lowerCamel one", name)
	} else if !lowerCamel.MatchString(op.OperationID) {
		s.errorf(p.with("operationId"), RuleOperationID, "%s: operationId %q is not lowerCamel", name, op.OperationID)
	}
	if strings.TrimSpace(op.Summary) == "" {
		s.errorf(p, RuleSummary, "%s has no summary", name)
	}
	switch len(op.Tags) {
	case 0:
		s.errorf(p, RuleTag, "%s has no tag; give it exactly one", name)
	case 1:
		if !declared[op.Tags[0]] {
			s.errorf(p.with("tags"), RuleTag, "%s: tag %q is not declared in the top-level tags", name, op.Tags[0])
		}
	default:
		s.errorf(p.with("tags"), RuleTag, "%s has %d tags; give it exactly one", name, len(op.Tags))
	}
	if src, _ := op.Extensions["x-idvkit-source"].(string); strings.TrimSpace(src) == "" {
		s.errorf(p, RuleSource, "%s has no x-idvkit-source naming the URL or repo path of its facts", name)
	}

	for i, prm := range op.Parameters {
		s.parameter(prm, p.with("parameters", fmt.Sprint(i)), name)
	}
	if rb := op.RequestBody; rb != nil && rb.Ref == "" && rb.Value != nil {
		s.content(rb.Value.Content, p.with("requestBody", "content"), name+" request body", request)
	}
	s.responses(name, op, p)
}

// responses applies error-responses and success-example to one operation.
func (s *spec) responses(name string, op *openapi3.Operation, p pointer) {
	rp := p.with("responses")
	var statuses []string
	var resps map[string]*openapi3.ResponseRef
	if op.Responses != nil {
		resps = op.Responses.Map()
		statuses = slices.Sorted(maps.Keys(resps))
	}
	hasError := false
	for _, status := range statuses {
		ref := resps[status]
		if ref == nil || ref.Value == nil {
			continue
		}
		isError := status == "default" || status[0] == '4' || status[0] == '5'
		isSuccess := status[0] == '2'
		hasError = hasError || (status[0] == '4' || status[0] == '5')

		// A shared response is judged where it is defined, and named there.
		where, at := fmt.Sprintf("%s response %s", name, status), rp.with(status)
		if ref.Ref != "" {
			if target, ok := refPointer(ref.Ref); ok {
				where, at = "response "+strings.TrimPrefix(ref.Ref, "#/"), target
			}
		} else {
			s.content(ref.Value.Content, at.with("content"), where, response)
			for _, h := range slices.Sorted(maps.Keys(ref.Value.Headers)) {
				s.header(ref.Value.Headers[h], at.with("headers", h), where+" header "+h)
			}
		}

		for _, ct := range slices.Sorted(maps.Keys(ref.Value.Content)) {
			if mt := ref.Value.Content[ct]; mt != nil {
				s.openResponse(mt.Schema, at.with("content", ct, "schema"), map[*openapi3.Schema]bool{})
			}
		}

		switch {
		case isError:
			s.needSchemaAndExample(ref.Value, at, where, RuleErrorResponses, true)
		case isSuccess:
			s.needSchemaAndExample(ref.Value, at, where, RuleSuccessExample, false)
		}
	}
	if !hasError {
		s.errorf(rp, RuleErrorResponses, "%s documents no 4xx/5xx response; document the vendor's errors with a schema and an example", name)
	}
}

// needSchemaAndExample reports media types of a response lacking a schema or an
// example. Error responses must also have content at all; a 2xx may be empty (204).
func (s *spec) needSchemaAndExample(r *openapi3.Response, at pointer, where, rule string, needContent bool) {
	if len(r.Content) == 0 {
		if needContent {
			s.errorf(at, rule, "%s has no content; document its body with a schema and an example", where)
		}
		return
	}
	for _, ct := range slices.Sorted(maps.Keys(r.Content)) {
		mt := r.Content[ct]
		mp := at.with("content", ct)
		if mt == nil || mt.Schema == nil {
			s.errorf(mp, rule, "%s (%s) has no schema", where, ct)
			continue
		}
		if !hasExample(mt) {
			s.errorf(mp, rule, "%s (%s) has no example", where, ct)
		}
	}
}

func hasExample(mt *openapi3.MediaType) bool {
	if mt.Example != nil || len(mt.Examples) > 0 {
		return true
	}
	return mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Example != nil
}

// parameter walks an inline parameter; owner names the operation or path holding it,
// or is "" for a components/parameters entry, which where then names.
func (s *spec) parameter(ref *openapi3.ParameterRef, p pointer, owner string) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return // components/parameters are walked by name
	}
	prm := ref.Value
	where := fmt.Sprintf("%s parameter %q", owner, prm.Name)
	if owner == "" {
		where = "parameter " + p.String()
	}
	s.schema(prm.Schema, p.with("schema"), where, false)
	s.paramExamples(prm, p, where, request)
	s.content(prm.Content, p.with("content"), where, request)
}

func (s *spec) header(ref *openapi3.HeaderRef, p pointer, where string) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	h := ref.Value
	s.schema(h.Schema, p.with("schema"), where, false)
	s.paramExamples(&h.Parameter, p, where, response)
	s.content(h.Content, p.with("content"), where, response)
}

// content walks the media types of a body: their schemas for no-inline-union and their
// examples for examples-valid.
func (s *spec) content(c openapi3.Content, p pointer, where string, dir direction) {
	for _, ct := range slices.Sorted(maps.Keys(c)) {
		mt := c[ct]
		if mt == nil {
			continue
		}
		mp := p.with(ct)
		w := fmt.Sprintf("%s (%s)", where, ct)
		s.schema(mt.Schema, mp.with("schema"), w, false)
		if mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		if mt.Example != nil {
			s.example(mt.Example, mt.Schema.Value, mp.with("example"), "example of "+w, dir)
		}
		s.namedExamples(mt.Examples, mt.Schema.Value, mp, w, dir)
	}
}

func (s *spec) paramExamples(prm *openapi3.Parameter, p pointer, where string, dir direction) {
	if prm.Schema == nil || prm.Schema.Value == nil {
		return
	}
	if prm.Example != nil {
		s.example(prm.Example, prm.Schema.Value, p.with("example"), "example of "+where, dir)
	}
	s.namedExamples(prm.Examples, prm.Schema.Value, p, where, dir)
}

func (s *spec) namedExamples(examples openapi3.Examples, schema *openapi3.Schema, p pointer, where string, dir direction) {
	for _, name := range slices.Sorted(maps.Keys(examples)) {
		ex := examples[name]
		if ex == nil || ex.Value == nil || ex.Value.Value == nil {
			continue // externalValue: nothing to check here
		}
		at := p.with("examples", name, "value")
		if target, ok := refPointer(ex.Ref); ok && ex.Ref != "" {
			at = target.with("value")
		}
		s.example(ex.Value.Value, schema, at, fmt.Sprintf("example %q of %s", name, where), dir)
	}
}

// schema walks a schema tree for no-inline-union and schema examples. named is true only
// for the schema that is itself a components/schemas entry; $refs are not followed
// (their targets are walked by name).
func (s *spec) schema(ref *openapi3.SchemaRef, p pointer, where string, named bool) {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return
	}
	sc := ref.Value
	s.nullable(sc, p, where)
	if kw := unionKeyword(sc); kw != "" && !named {
		s.errorf(p.with(kw), RuleNoInlineUnion,
			"%s: inline %s; define the union as a named schema under components/schemas and $ref it", where, kw)
	}
	if sc.Example != nil {
		s.example(sc.Example, sc, p.with("example"), "schema example of "+where, neither)
	}
	for _, name := range slices.Sorted(maps.Keys(sc.Properties)) {
		s.schema(sc.Properties[name], p.with("properties", name), where+" property "+name, false)
	}
	s.schema(sc.Items, p.with("items"), where+" items", false)
	s.schema(sc.AdditionalProperties.Schema, p.with("additionalProperties"), where+" additionalProperties", false)
	s.schema(sc.Not, p.with("not"), where+" not", false)
	for _, group := range []struct {
		kw       string
		branches openapi3.SchemaRefs
	}{{"allOf", sc.AllOf}, {"oneOf", sc.OneOf}, {"anyOf", sc.AnyOf}} {
		for i, b := range group.branches {
			s.schema(b, p.with(group.kw, fmt.Sprint(i)), fmt.Sprintf("%s %s[%d]", where, group.kw, i), false)
		}
	}
}

// unionKeyword names the union keyword a schema uses, if any. allOf with a single
// branch is the usual way to annotate a $ref, not a union.
func unionKeyword(sc *openapi3.Schema) string {
	switch {
	case len(sc.OneOf) > 0:
		return "oneOf"
	case len(sc.AnyOf) > 0:
		return "anyOf"
	case len(sc.AllOf) > 1:
		return "allOf"
	}
	return ""
}

// components walks every named component once.
func (s *spec) components() {
	c := s.doc.Components
	if c == nil {
		return
	}
	cp := pointer{"components"}
	for _, name := range slices.Sorted(maps.Keys(c.Schemas)) {
		s.schema(c.Schemas[name], cp.with("schemas", name), "schema "+name, true)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Parameters)) {
		s.parameter(c.Parameters[name], cp.with("parameters", name), "")
	}
	for _, name := range slices.Sorted(maps.Keys(c.Headers)) {
		s.header(c.Headers[name], cp.with("headers", name), "header "+name)
	}
	for _, name := range slices.Sorted(maps.Keys(c.RequestBodies)) {
		if rb := c.RequestBodies[name]; rb != nil && rb.Ref == "" && rb.Value != nil {
			s.content(rb.Value.Content, cp.with("requestBodies", name, "content"), "request body "+name, request)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Responses)) {
		r := c.Responses[name]
		if r == nil || r.Ref != "" || r.Value == nil {
			continue
		}
		rp := cp.with("responses", name)
		where := "response components/responses/" + name
		s.content(r.Value.Content, rp.with("content"), where, response)
		for _, h := range slices.Sorted(maps.Keys(r.Value.Headers)) {
			s.header(r.Value.Headers[h], rp.with("headers", h), where+" header "+h)
		}
	}
}

// openResponse warns about response schemas closed with additionalProperties: false:
// a vendor adding a field would then fail contract validation instead of surfacing as
// drift. It follows $refs, since response bodies are mostly named schemas.
func (s *spec) openResponse(ref *openapi3.SchemaRef, p pointer, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	seen[ref.Value] = true
	if target, ok := refPointer(ref.Ref); ok && ref.Ref != "" {
		p = target
	}
	sc := ref.Value
	if ap := sc.AdditionalProperties; ap.Has != nil && !*ap.Has {
		s.c.warnf(s.rel, s.src.line(p.with("additionalProperties")), RuleOpenResponse,
			"%s is part of a response and closed with additionalProperties: false; responses stay open so new vendor fields are drift, not failures", p)
	}
	for _, name := range slices.Sorted(maps.Keys(sc.Properties)) {
		s.openResponse(sc.Properties[name], p.with("properties", name), seen)
	}
	s.openResponse(sc.Items, p.with("items"), seen)
	s.openResponse(sc.AdditionalProperties.Schema, p.with("additionalProperties"), seen)
	for _, group := range []struct {
		kw       string
		branches openapi3.SchemaRefs
	}{{"allOf", sc.AllOf}, {"oneOf", sc.OneOf}, {"anyOf", sc.AnyOf}} {
		for i, b := range group.branches {
			s.openResponse(b, p.with(group.kw, fmt.Sprint(i)), seen)
		}
	}
}
