package specgate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pointer is a JSON pointer into a spec document, one token per element.
type pointer []string

// with returns a new pointer extended by tokens; the receiver is never aliased.
func (p pointer) with(tokens ...string) pointer {
	out := make(pointer, 0, len(p)+len(tokens))
	return append(append(out, p...), tokens...)
}

// String renders the pointer the way a reader finds it in the YAML: a/b/c.
func (p pointer) String() string { return strings.Join(p, "/") }

// refPointer turns a local $ref ("#/components/schemas/X") into a pointer; ok is false
// for refs into other files.
func refPointer(ref string) (pointer, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	parts := strings.Split(ref[2:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, true
}

// source is a spec file's YAML node tree, kept to turn pointers into line numbers.
// kin-openapi records origins only for some elements; the node tree knows every key,
// including the fields inside an example, so a problem lands on the exact line.
type source struct {
	root *yaml.Node
}

func parseSource(data []byte) (*source, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return &source{root: &doc}, nil
}

// line returns the line of the deepest element of p that exists: the key's line for a
// mapping entry, the item's line for a sequence element. 1 when nothing matches.
func (s *source) line(p pointer) int {
	if s == nil || s.root == nil {
		return 1
	}
	n := s.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := max(n.Line, 1)
	for _, tok := range p {
		n = deref(n)
		next, at := child(n, tok)
		if next == nil {
			break
		}
		best, n = at, next
	}
	return best
}

// child finds tok under n and returns the value node and the line to report for it.
func child(n *yaml.Node, tok string) (*yaml.Node, int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value == tok {
				return n.Content[i+1], k.Line
			}
		}
		// Merge keys (<<: *anchor) bring in keys defined elsewhere.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "<<" {
				if v, line := child(deref(n.Content[i+1]), tok); v != nil {
					return v, line
				}
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i].Line
		}
	}
	return nil, 0
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

// errorLine extracts "line N" from a YAML/JSON parse error, else 1.
func errorLine(err error) int {
	if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
		if n, _ := strconv.Atoi(m[1]); n > 0 {
			return n
		}
	}
	return 1
}

// exists reports whether every token of p resolves.
func (s *source) exists(p pointer) bool {
	n := s.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, tok := range p {
		if n, _ = child(deref(n), tok); n == nil {
			return false
		}
	}
	return true
}

// refs lists every $ref value in the document.
func (s *source) refs() []string {
	var out []string
	s.visitRefs(func(_ *yaml.Node, v string) { out = append(out, v) })
	return out
}

// brokenRefs lists the local $refs that point at nothing, with their lines: kin-openapi
// reports only the first one and without a location.
func (s *source) brokenRefs() []located {
	var out []located
	s.visitRefs(func(k *yaml.Node, v string) {
		if p, ok := refPointer(v); ok && !s.exists(p) {
			out = append(out, located{line: k.Line, msg: fmt.Sprintf("$ref %s points at nothing", v)})
		}
	})
	return out
}

func (s *source) visitRefs(fn func(key *yaml.Node, value string)) {
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k, v := n.Content[i], n.Content[i+1]; k.Value == "$ref" && v.Kind == yaml.ScalarNode {
					fn(k, v.Value)
				}
			}
		}
		for _, c := range n.Content {
			visit(c)
		}
	}
	visit(s.root)
}
