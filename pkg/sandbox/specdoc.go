package sandbox

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// InlinedSpec loads the OpenAPI document at name in fsys (an emulator's controls spec
// under api/sandbox/), moves every $ref to another file of fsys into the document (path
// items inlined, schemas and responses into its components) and renders it as block YAML
// in the document's own key order: what an emulator serves at /_sandbox/openapi.yaml, so
// a client generator given that URL needs no other file. Refs outside fsys are refused.
func InlinedSpec(fsys fs.FS, name string) ([]byte, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("ref %s: only refs inside the spec tree are allowed", u.Redacted())
		}
		return fs.ReadFile(fsys, path.Clean(strings.TrimPrefix(u.Path, "/")))
	}
	doc, err := loader.LoadFromDataWithPath(src, &url.URL{Path: name})
	if err != nil {
		return nil, err
	}
	doc.InternalizeRefs(loader.Context, nil)
	// A path item $ref has no components section to move to: inline it.
	for _, item := range doc.Paths.Map() {
		item.Ref = ""
	}
	js, err := doc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	// JSON is YAML: read it as nodes (keeping the key order) and write it in block style.
	var node yaml.Node
	if err := yaml.Unmarshal(js, &node); err != nil {
		return nil, err
	}
	blockStyle(&node)
	return yaml.Marshal(&node)
}

// blockStyle turns the JSON's flow style into YAML's block style, keeping key order.
func blockStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Style&yaml.DoubleQuotedStyle != 0 && n.Tag == "!!str" {
		n.Style &^= yaml.DoubleQuotedStyle
		if strings.Contains(n.Value, "\n") {
			n.Style |= yaml.LiteralStyle
		}
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
