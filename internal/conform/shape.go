package conform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/idvkit/idvkit/pkg/contract"
)

// VariableExtension marks a schema whose enum values depend on the person or the moment
// (a risk decision, a match outcome): the diff then compares its type, not its value.
// Put `x-idvkit-variable: true` on the schema in the spec.
const VariableExtension = "x-idvkit-variable"

// Shape is what the diff compares of one answer: never ids, times or other values, only
// the status, the vendor's error code, which fields came with which JSON types, and the
// values of fields the spec enumerates.
type Shape struct {
	Status int `json:"status"`
	// ErrorCode is the vendor's code of an error answer ("account_not_found").
	ErrorCode string `json:"error_code,omitempty"`
	// Fields maps each field's location ("body.data.status", arrays as "[]", map keys as
	// "*") to its JSON type: string, number, boolean, object, array or null.
	Fields map[string]string `json:"fields,omitempty"`
	// Enums maps each enumerated field's location to the values seen there, sorted.
	Enums map[string][]string `json:"enums,omitempty"`
}

// shapeOf reads the shape of an exchange's answer; nil when there was none.
func shapeOf(kit *contract.Kit, ex Exchange) *Shape {
	if ex.Response == nil {
		return nil
	}
	s := &Shape{Status: ex.Response.Status}
	if len(ex.Response.Body) == 0 {
		return s
	}
	dec := json.NewDecoder(bytes.NewReader(ex.Response.Body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return s
	}
	s.Fields, s.Enums = map[string]string{}, map[string][]string{}
	var cands []*openapi3.Schema
	if schema := responseSchema(kit, ex.Spec, ex.Operation, s.Status); schema != nil {
		cands = expand([]*openapi3.Schema{schema})
	}
	walkShape(v, cands, "body", s)
	if s.Status >= 400 {
		if obj, ok := v.(map[string]any); ok {
			for _, k := range []string{"error", "code", "error_code", "errorCode"} {
				if c, ok := obj[k].(string); ok && c != "" && c != Placeholder {
					s.ErrorCode = c
					break
				}
			}
		}
	}
	for k, vals := range s.Enums {
		slices.Sort(vals)
		s.Enums[k] = slices.Compact(vals)
	}
	return s
}

func walkShape(v any, cands []*openapi3.Schema, loc string, s *Shape) {
	s.Fields[loc] = jsonType(v)
	if val, ok := enumValue(v, cands); ok {
		s.Enums[loc] = append(s.Enums[loc], val)
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			next, asMap := property(cands, k)
			child := loc + "." + k
			if asMap {
				child = loc + ".*" // keys of a map are data (ids), not field names
			}
			walkShape(t[k], expand(next), child, s)
		}
	case []any:
		var items []*openapi3.Schema
		for _, c := range cands {
			if c.Items != nil && c.Items.Value != nil {
				items = append(items, c.Items.Value)
			}
		}
		items = expand(items)
		for _, it := range t {
			walkShape(it, items, loc+"[]", s)
		}
	}
}

// property returns the schemas of property k among cands, and whether k is a key of a
// map (additionalProperties) rather than a named field.
func property(cands []*openapi3.Schema, k string) ([]*openapi3.Schema, bool) {
	var named, extra []*openapi3.Schema
	for _, c := range cands {
		if p := c.Properties[k]; p != nil && p.Value != nil {
			named = append(named, p.Value)
		}
		if ap := c.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
			extra = append(extra, ap.Value)
		}
	}
	if len(named) > 0 {
		return named, false
	}
	return extra, len(extra) > 0
}

// enumValue returns v as text when a candidate schema enumerates its values and none
// marks it variable.
func enumValue(v any, cands []*openapi3.Schema) (string, bool) {
	enumerated := false
	for _, c := range cands {
		if variable(c) {
			return "", false
		}
		if len(c.Enum) > 0 {
			enumerated = true
		}
	}
	if !enumerated {
		return "", false
	}
	switch t := v.(type) {
	case string:
		if t == Placeholder {
			return "", false
		}
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	case nil:
		return "null", true
	}
	return "", false
}

func variable(s *openapi3.Schema) bool {
	b, _ := s.Extensions[VariableExtension].(bool)
	return b
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// expand is the contract kit's walk of allOf members and oneOf/anyOf branches: a field
// may be listed by any of them.
func expand(in []*openapi3.Schema) []*openapi3.Schema { return contract.SchemaBranches(in) }

// operationOf finds an operation of a spec by its operationId, with its path template.
func operationOf(kit *contract.Kit, specName, opID string) (*openapi3.Operation, string) {
	if kit == nil || specName == "" || opID == "" {
		return nil, ""
	}
	spec, err := kit.Lookup(specName)
	if err != nil || spec.Doc.Paths == nil {
		return nil, ""
	}
	for tmpl, item := range spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == opID {
				return op, tmpl
			}
		}
	}
	return nil, ""
}

// responseSchema is the JSON schema an operation documents for status (exactly, by
// range, or by default).
func responseSchema(kit *contract.Kit, specName, opID string, status int) *openapi3.Schema {
	op, _ := operationOf(kit, specName, opID)
	if op == nil || op.Responses == nil {
		return nil
	}
	ref := op.Responses.Status(status)
	if ref == nil {
		ref = op.Responses.Value(strconv.Itoa(status/100) + "XX")
	}
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// templateOf is the path template of the operation req resolves to in spec.
func templateOf(spec *contract.Spec, req *http.Request) string {
	if spec == nil {
		return ""
	}
	opID, ok := spec.FindOperation(req)
	if !ok {
		return ""
	}
	for tmpl, item := range spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == opID {
				return tmpl
			}
		}
	}
	return ""
}
