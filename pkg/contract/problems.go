package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// problemBuilder turns kin-openapi errors into Problems. kin-openapi's own messages embed
// the offending value (SchemaError, ParseError), so every message here is rebuilt from
// the error's structured fields instead of err.Error().
type problemBuilder struct {
	op       string
	response bool // drift rules apply to responses only
	out      []Problem
}

func (b *problemBuilder) add(loc, rule, msg string, drift bool) {
	b.out = append(b.out, Problem{Operation: b.op, Location: printable(loc), Rule: rule, Message: msg, Drift: drift})
}

// printable escapes control and format characters (bidi overrides) in a location: the
// property names in it come from the other side's JSON and end up in log lines and
// error strings, which they must not break or disguise.
func printable(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hidden(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

var responseHeaderRE = regexp.MustCompile(`^response header "([^"]+)" (missing|doesn't match schema)`)

func (b *problemBuilder) fromError(err error) {
	if err == nil {
		return
	}
	var me openapi3.MultiError
	if errors.As(err, &me) && isMulti(err) {
		for _, e := range me {
			b.fromError(e)
		}
		return
	}
	switch e := err.(type) {
	case *openapi3filter.RequestError:
		b.fromRequestError(e)
	case *openapi3filter.ResponseError:
		b.fromResponseError(e)
	case *openapi3filter.SecurityRequirementsError:
		b.fromSecurity(e)
	case *missingCredential:
		b.add(e.location, RuleSecurity, "missing credential: "+e.Error(), false)
	case *openapi3.SchemaError:
		b.fromSchemaError("body", e)
	default:
		// Unknown error shapes may quote values: keep only their type.
		b.add("request", "invalid", fmt.Sprintf("validation failed (%T)", err), false)
	}
}

// isMulti reports whether err itself (not something it wraps) is a MultiError.
func isMulti(err error) bool {
	_, ok := err.(openapi3.MultiError)
	return ok
}

func (b *problemBuilder) fromSecurity(e *openapi3filter.SecurityRequirementsError) {
	var wants []string
	loc := "header"
	for _, err := range e.Errors {
		var mc *missingCredential
		if errors.As(err, &mc) {
			if len(wants) == 0 {
				loc = mc.location
			}
			wants = append(wants, mc.want+" in "+mc.location+" ("+mc.scheme+")")
			continue
		}
		var re *openapi3filter.RequestError
		if errors.As(err, &re) && re.Reason != "" {
			wants = append(wants, re.Reason)
		}
	}
	msg := "missing credential"
	if len(wants) > 0 {
		msg += ": needs " + strings.Join(wants, " or ")
	}
	b.add(loc, RuleSecurity, msg, false)
}

func (b *problemBuilder) fromRequestError(e *openapi3filter.RequestError) {
	loc := "request"
	switch {
	case e.Parameter != nil:
		name := e.Parameter.Name
		if e.Parameter.In == openapi3.ParameterInHeader {
			name = strings.ToLower(name)
		}
		loc = e.Parameter.In + "." + name
	case e.RequestBody != nil:
		loc = "body"
	}
	if e.Err == nil {
		switch {
		case strings.HasPrefix(e.Reason, "header Content-Type has unexpected value"):
			b.add("header.content-type", RuleContentType, "request content type is not declared for this operation", false)
		case e.Reason != "":
			b.add(loc, "invalid", e.Reason, false)
		default:
			b.add(loc, "invalid", "invalid", false)
		}
		return
	}
	var mc *missingCredential
	var pe *openapi3filter.ParseError
	switch {
	case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
		b.add(loc, RuleRequired, requiredMessage(loc), false)
	case errors.Is(e.Err, openapi3filter.ErrInvalidEmptyValue):
		b.add(loc, "empty", "an empty value is not allowed", false)
	case errors.As(e.Err, &mc):
		b.add(mc.location, RuleSecurity, "missing credential: "+mc.Error(), false)
	case errors.As(e.Err, &pe):
		b.fromParseError(loc, pe)
	default:
		b.fromSchemaErrors(loc, e.Err)
	}
}

func requiredMessage(loc string) string {
	if loc == "body" {
		return "a request body is required"
	}
	return "is required"
}

func (b *problemBuilder) fromResponseError(e *openapi3filter.ResponseError) {
	switch {
	case e.Reason == "status is not supported":
		status := 0
		if e.Input != nil {
			status = e.Input.Status
		}
		b.add("status", RuleUndocumentedStatus, fmt.Sprintf("status %d is not documented for this operation", status), false)
	case strings.HasPrefix(e.Reason, "response header Content-Type has unexpected value"):
		b.add("header.content-type", RuleContentType, "response content type is not declared for this status", false)
	case strings.HasPrefix(e.Reason, "failed to decode response body"):
		var pe *openapi3filter.ParseError
		if errors.As(e.Err, &pe) {
			b.fromParseError("body", pe)
			return
		}
		b.add("body", RuleDecode, "response body cannot be decoded for its content type", false)
	case strings.HasPrefix(e.Reason, "response body doesn't match schema"):
		b.fromSchemaErrors("body", e.Err)
	default:
		if m := responseHeaderRE.FindStringSubmatch(e.Reason); m != nil {
			loc := "header." + strings.ToLower(m[1])
			if m[2] == "missing" {
				b.add(loc, RuleRequired, "required response header is missing", false)
				return
			}
			if e.Err != nil {
				b.fromSchemaErrors(loc, e.Err)
				return
			}
		}
		b.add("response", "invalid", e.Reason, false)
	}
}

func (b *problemBuilder) fromParseError(loc string, pe *openapi3filter.ParseError) {
	for _, p := range pe.Path() {
		loc += "." + fmt.Sprint(p)
	}
	root := pe
	for {
		inner, ok := root.Cause.(*openapi3filter.ParseError)
		if !ok {
			break
		}
		root = inner
	}
	msg := "cannot be decoded"
	if root.Reason != "" {
		// Reasons are fixed phrases ("an invalid integer"); Value and Cause may quote input.
		msg += ": " + root.Reason
	}
	rule := RuleDecode
	if root.Kind == openapi3filter.KindInvalidFormat && strings.HasPrefix(root.Reason, "an invalid ") {
		rule = RuleType
	}
	b.add(loc, rule, msg, false)
}

// fromSchemaErrors walks a SchemaError or a (nested) MultiError of them.
func (b *problemBuilder) fromSchemaErrors(loc string, err error) {
	if me, ok := err.(openapi3.MultiError); ok {
		for _, e := range me {
			b.fromSchemaErrors(loc, e)
		}
		return
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		b.fromSchemaError(loc, se)
		return
	}
	var pe *openapi3filter.ParseError
	if errors.As(err, &pe) {
		b.fromParseError(loc, pe)
		return
	}
	b.add(loc, "invalid", fmt.Sprintf("does not match the schema (%T)", err), false)
}

func (b *problemBuilder) fromSchemaError(prefix string, se *openapi3.SchemaError) {
	loc := prefix
	for _, p := range se.JSONPointer() {
		loc += "." + p
	}
	rule := se.SchemaField
	msg := se.Reason
	drift := false
	switch rule {
	case "allOf":
		// Report what each member found; nested errors carry paths from the root value.
		if nested := nestedErrors(se); len(nested) > 0 {
			for _, e := range nested {
				b.fromSchemaErrors(prefix, e)
			}
			return
		}
	case "oneOf":
		// A value that a branch would accept but for enum values the spec does not list (a
		// new decision kind, say) is an unknown enum value like any other: drift in a
		// response, an enum violation in a request. One such branch is enough (the others
		// fail for their own required properties by design), as long as the values are
		// listed by no branch: "approved" with a wrong score is not a new kind.
		if unknownEnumOnly(se) {
			b.add(loc, RuleEnum, "value matches no oneOf branch, and only by enum values the spec does not list", b.response)
			return
		}
		msg = "value matches no oneOf branch"
		if errors.Is(se.Origin, openapi3.ErrOneOfConflict) {
			msg = "value matches more than one oneOf branch"
		}
	case "required":
		msg = "required property is missing"
	case "format":
		msg = "must be a valid " + strconv.Quote(formatOf(se.Schema)) + " string"
	case "enum":
		// kin-openapi checks enum before type: a number where a string enum is expected
		// is a type violation, not a new enum value.
		if se.Schema != nil && !typeAllows(se.Schema.Type, se.Value) {
			rule, msg = RuleType, "must be "+typeName(se.Schema)
			break
		}
		msg = "value is not one of the documented values " + enumList(se.Schema)
		drift = b.response
	case "properties":
		// additionalProperties: false. Our own walk reports unknown properties with their
		// names and locations (drift in responses), so this coarser error is dropped.
		return
	case "":
		rule = "schema"
	}
	if msg == "" {
		msg = "does not match the schema keyword " + strconv.Quote(rule)
	}
	b.add(loc, rule, msg, drift)
}

func formatOf(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	return s.Format
}

func enumList(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	parts := make([]string, 0, len(s.Enum))
	for _, v := range s.Enum {
		parts = append(parts, fmt.Sprint(v))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// nestedErrors returns the per-member errors kin-openapi wraps in an allOf or oneOf
// SchemaError's Origin.
func nestedErrors(se *openapi3.SchemaError) []error {
	if se.Origin == nil {
		return nil
	}
	inner := errors.Unwrap(se.Origin)
	if inner == nil {
		return nil
	}
	if u, ok := inner.(interface{ Unwrap() error }); ok {
		if me, ok := u.Unwrap().(openapi3.MultiError); ok {
			return me
		}
	}
	return nil
}

// enumOnly reports whether err is, at bottom, only enum mismatches: every error of a
// MultiError or allOf, and a oneOf that unknownEnumOnly accepts.
func enumOnly(err error) bool {
	switch e := err.(type) {
	case openapi3.MultiError:
		if len(e) == 0 {
			return false
		}
		for _, inner := range e {
			if !enumOnly(inner) {
				return false
			}
		}
		return true
	case *openapi3.SchemaError:
		switch e.SchemaField {
		case "enum":
			// A value of the wrong type is a type violation, not a new enum value.
			return e.Schema == nil || typeAllows(e.Schema.Type, e.Value)
		case "allOf":
			nested := nestedErrors(e)
			return len(nested) > 0 && enumOnly(openapi3.MultiError(nested))
		case "oneOf":
			return unknownEnumOnly(e)
		}
	}
	return false
}

// unknownEnumOnly reports whether a oneOf error means only "a value none of the branches
// lists": some branch fails by enum mismatches alone, and no branch lists any of those
// values at the same place.
func unknownEnumOnly(se *openapi3.SchemaError) bool {
	if se.Schema == nil || errors.Is(se.Origin, openapi3.ErrOneOfConflict) {
		return false
	}
	base := len(se.JSONPointer())
	for _, branch := range nestedErrors(se) {
		if enumOnly(branch) && unlisted(branch, se.Schema.OneOf, base) {
			return true
		}
	}
	return false
}

// unlisted reports whether every enum mismatch in err has a value that no branch lists at
// the same path (relative to the oneOf value, which sits base elements deep).
func unlisted(err error, branches openapi3.SchemaRefs, base int) bool {
	ok := true
	var visit func(error)
	visit = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				visit(inner)
			}
		case *openapi3.SchemaError:
			if e.SchemaField != "enum" {
				for _, inner := range nestedErrors(e) {
					visit(inner)
				}
				return
			}
			ptr := e.JSONPointer()
			if len(ptr) < base {
				ok = false
				return
			}
			for _, br := range branches {
				if br != nil && listedAt(br.Value, ptr[base:], e.Value) {
					ok = false
				}
			}
		}
	}
	visit(err)
	return ok
}

// listedAt reports whether schema lists v as an enum value at path (property names and
// array indexes), looking through allOf/oneOf/anyOf.
func listedAt(schema *openapi3.Schema, path []string, v any) bool {
	for _, c := range expand([]*openapi3.Schema{schema}) {
		if len(path) == 0 {
			for _, want := range c.Enum {
				if fmt.Sprint(want) == fmt.Sprint(v) { // values may be maps: never ==
					return true
				}
			}
			continue
		}
		var next []*openapi3.SchemaRef
		if p := c.Properties[path[0]]; p != nil {
			next = append(next, p)
		}
		if c.Items != nil {
			if _, err := strconv.Atoi(path[0]); err == nil {
				next = append(next, c.Items)
			}
		}
		if ap := c.AdditionalProperties.Schema; ap != nil {
			next = append(next, ap)
		}
		for _, n := range next {
			if n.Value != nil && listedAt(n.Value, path[1:], v) {
				return true
			}
		}
	}
	return false
}

// typeAllows reports whether a decoded JSON value has one of the schema's types (no types:
// anything). The value is inspected, never printed.
func typeAllows(types *openapi3.Types, v any) bool {
	if types == nil || len(*types) == 0 {
		return true
	}
	var t string
	switch v := v.(type) {
	case nil:
		return true // nullability is its own check
	case string:
		t = openapi3.TypeString
	case bool:
		t = openapi3.TypeBoolean
	case json.Number:
		if _, err := v.Int64(); err == nil && types.Includes(openapi3.TypeInteger) {
			return true
		}
		t = openapi3.TypeNumber
	case float64, float32, int, int64, int32:
		if types.Includes(openapi3.TypeInteger) || types.Includes(openapi3.TypeNumber) {
			return true
		}
		t = openapi3.TypeNumber
	case map[string]any:
		t = openapi3.TypeObject
	case []any:
		t = openapi3.TypeArray
	default:
		return true
	}
	return types.Includes(t) || (t == openapi3.TypeInteger && types.Includes(openapi3.TypeNumber))
}
