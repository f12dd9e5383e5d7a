package dashboard

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/idvkit/idvkit/pkg/contract"
)

// Control is one endpoint of an emulator's controls spec, as a person or a test calls it.
type Control struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	// Path is the absolute URL template: the emulator's root and the spec's path, with
	// its {parameters} left in.
	Path    string `json:"path"`
	Summary string `json:"summary,omitempty"`
	// ContentType is the request body's media type, "" for a call without a body.
	ContentType string `json:"content_type,omitempty"`
	// Examples are request bodies that work, from the spec's examples.
	Examples []BodyExample `json:"examples,omitempty"`
	// Statuses are the answers the spec documents, in order.
	Statuses []string `json:"statuses"`
}

// Link reports whether a person can open the control by clicking it: a GET without
// parameters in its path.
func (c Control) Link() bool { return c.Method == "GET" && !strings.Contains(c.Path, "{") }

// BodyExample is one request body of a control endpoint.
type BodyExample struct {
	Name    string          `json:"name,omitempty"` // the spec's name of a named example
	Summary string          `json:"summary,omitempty"`
	Value   json.RawMessage `json:"value"`
}

// Text is Value indented for reading.
func (b BodyExample) Text() string {
	var v any
	if json.Unmarshal(b.Value, &v) != nil {
		return string(b.Value)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(b.Value)
	}
	return string(out)
}

// methodOrder is the order operations of one path are listed in.
var methodOrder = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}

// controls lists every operation of spec, in path order, under root.
func controls(spec *contract.Spec, root string) []Control {
	out := []Control{}
	if spec == nil || spec.Doc == nil || spec.Doc.Paths == nil {
		return out
	}
	paths := spec.Doc.Paths.Map()
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item := paths[p]
		if item == nil {
			continue
		}
		ops := item.Operations()
		for _, method := range methodOrder {
			op := ops[method]
			if op == nil {
				continue
			}
			c := Control{
				Operation: op.OperationID, Method: method, Path: strings.TrimSuffix(root, "/") + p,
				Summary: op.Summary, Statuses: []string{},
			}
			if op.Responses != nil {
				c.Statuses = slices.Sorted(maps.Keys(op.Responses.Map()))
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				c.ContentType, c.Examples = bodyExamples(rb.Value.Content)
			}
			out = append(out, c)
		}
	}
	return out
}

// bodyExamples picks the request bodies a person should see: of JSON if the operation
// takes it, else of its first media type; its media type's example or its named examples
// (sorted by name), else its schema's example.
func bodyExamples(content openapi3.Content) (string, []BodyExample) {
	if len(content) == 0 {
		return "", nil
	}
	ct := "application/json"
	mt := content[ct]
	if mt == nil {
		ct = slices.Sorted(maps.Keys(content))[0]
		mt = content[ct]
	}
	if mt == nil {
		return ct, nil
	}
	var out []BodyExample
	add := func(name, summary string, v any) {
		if data, err := json.Marshal(v); err == nil && v != nil {
			out = append(out, BodyExample{Name: name, Summary: summary, Value: data})
		}
	}
	switch {
	case mt.Example != nil:
		add("", "", mt.Example)
	case len(mt.Examples) > 0:
		for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
			if e := mt.Examples[name]; e != nil && e.Value != nil {
				add(name, e.Value.Summary, e.Value.Value)
			}
		}
	case mt.Schema != nil && mt.Schema.Value != nil:
		add("", "", mt.Schema.Value.Example)
	}
	return ct, out
}
