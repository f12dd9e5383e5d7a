package specgate

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// spec is one loaded spec file with what the rules need to locate problems.
type spec struct {
	rel string
	src *source
	doc *openapi3.T
	c   *checker
}

func (s *spec) errorf(p pointer, rule, format string, args ...any) {
	s.c.errorf(s.rel, s.src.line(p), rule, format, args...)
}

// checkSpec loads one spec and runs every spec rule over it. A YAML file without a
// top-level openapi key is a fragment other specs $ref (as pkg/contract treats it): it
// is only parsed here and checked through the specs that use it; isSpec is false then.
func (c *checker) checkSpec(ctx context.Context, rel string) (isSpec bool) {
	// A half-written spec must not take the gate down for the others.
	defer c.recoverAs(rel, RuleSpecValid)
	isSpec = true
	data, err := os.ReadFile(c.abs(rel))
	if err != nil {
		c.errorf(rel, 1, RuleSpecValid, "cannot read: %v", err)
		return true
	}
	src, err := parseSource(data)
	if err != nil {
		c.errorf(rel, errorLine(err), RuleSpecValid, "not valid YAML: %s", firstLine(err.Error()))
		return true
	}
	if !src.exists(pointer{"openapi"}) {
		c.fragments = append(c.fragments, rel)
		return false
	}
	c.fileRefs(rel, src)
	doc, err := loadDoc(c.abs(rel), data)
	if err != nil {
		if broken := src.brokenRefs(); len(broken) > 0 {
			for _, b := range broken {
				c.errorf(rel, b.line, RuleSpecValid, "%s", b.msg)
			}
			return true
		}
		c.errorf(rel, errorLine(err), RuleSpecValid, "does not load: %s", firstLine(err.Error()))
		return true
	}
	s := &spec{rel: rel, src: src, doc: doc, c: c}

	if doc.OpenAPI != "" && !strings.HasPrefix(doc.OpenAPI, "3.0.") { // kin-openapi reports a missing one
		s.errorf(pointer{"openapi"}, RuleSpecValid, "openapi is %q; idvkit specs are OpenAPI 3.0.3", doc.OpenAPI)
	}
	exampleErrs := s.validate(ctx)

	before := s.countRule(RuleExamplesValid)
	s.walk()
	// kin-openapi is what pkg/contract loads the specs with; if it rejects an example the
	// walk accepted, report kin-openapi's verdict rather than let the gate be laxer.
	if s.countRule(RuleExamplesValid) == before {
		for _, e := range exampleErrs {
			s.c.errorf(e.file, e.line, RuleExamplesValid, "%s", e.msg)
		}
	}
	return true
}

func (s *spec) countRule(rule string) int {
	n := 0
	for _, p := range s.c.problems {
		if p.File == s.rel && p.Rule == rule {
			n++
		}
	}
	return n
}

// loadDoc parses a spec with kin-openapi the way pkg/contract does, recording origins
// and resolving refs to sibling files only (never the network).
func loadDoc(abs string, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = openapi3.ReadFromFile
	return loader.LoadFromDataWithPath(data, &url.URL{Path: abs})
}

type located struct {
	file string // root-relative; "" for the spec itself
	line int
	msg  string
}

// validate runs kin-openapi's document validation (examples on, every error collected).
// Problems other than examples are reported as spec-valid; example failures are
// returned so the caller can fall back to them.
func (s *spec) validate(ctx context.Context) []located {
	err := s.doc.Validate(ctx, openapi3.EnableMultiError(), openapi3.EnableExamplesValidation())
	if err == nil {
		return nil
	}
	var examples []located
	for _, e := range flatten(err) {
		file, line := s.kinLocation(e)
		l := located{file: file, line: line, msg: firstLine(e.Error())}
		var sve *openapi3.SchemaValueError
		if errors.As(e, &sve) && sve.ValueKind == "example" {
			examples = append(examples, l)
			continue
		}
		s.c.errorf(l.file, l.line, RuleSpecValid, "%s", l.msg)
	}
	return examples
}

// flatten opens a top-level MultiError; a wrapped one keeps its context message.
func flatten(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

var originType = reflect.TypeFor[*openapi3.Origin]()

// kinLocation finds the file and line of a kin-openapi validation error: the deepest
// Origin recorded in its chain (which may lie in a fragment the spec $refs), else the
// path/operation/component its context wrappers name.
func (s *spec) kinLocation(err error) (string, int) {
	var origin *openapi3.Location
	var p pointer
	for e := err; e != nil; e = errors.Unwrap(e) {
		if o := originOf(e); o != nil && o.Key != nil && o.Key.Line > 0 {
			origin = o.Key
		}
		switch w := e.(type) {
		case *openapi3.SectionValidationError:
			if w.Section == "paths" || w.Section == "components" || w.Section == "info" || w.Section == "tags" {
				p = pointer{w.Section}
			}
		case *openapi3.PathValidationError:
			p = pointer{"paths", w.Path}
		case *openapi3.OperationValidationError:
			p = p.with(strings.ToLower(w.Method))
		case *openapi3.ComponentValidationError:
			p = pointer{"components", componentSection(w.Section), w.Name}
		}
	}
	if origin != nil {
		return s.c.relFile(origin.File, s.rel), origin.Line
	}
	return s.rel, s.src.line(p)
}

// relFile turns a path kin-openapi recorded into a root-relative one; fallback when it
// names no file under the root.
func (c *checker) relFile(file, fallback string) string {
	if file == "" {
		return fallback
	}
	absRoot, err1 := filepath.Abs(c.root)
	absFile, err2 := filepath.Abs(filepath.FromSlash(file))
	if err1 != nil || err2 != nil {
		return fallback
	}
	rel, err := filepath.Rel(absRoot, absFile)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fallback
	}
	return filepath.ToSlash(rel)
}

func originOf(err error) *openapi3.Origin {
	v := reflect.ValueOf(err)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("Origin")
	if !f.IsValid() || f.Type() != originType || f.IsNil() {
		return nil
	}
	return f.Interface().(*openapi3.Origin)
}

// componentSection maps kin-openapi's component section names to the document keys.
func componentSection(s string) string {
	switch s {
	case "schema":
		return "schemas"
	case "parameter":
		return "parameters"
	case "header":
		return "headers"
	case "request body":
		return "requestBodies"
	case "response":
		return "responses"
	case "security scheme":
		return "securitySchemes"
	case "example":
		return "examples"
	case "link":
		return "links"
	case "callback":
		return "callbacks"
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func (c *checker) recoverAs(rel, rule string) {
	if r := recover(); r != nil {
		c.errorf(rel, 1, rule, "checking it crashed: %v", r)
	}
}

// fileRefs records the files rel's $refs point into, to tell used fragments from strays.
func (c *checker) fileRefs(rel string, src *source) {
	if c.referenced == nil {
		c.referenced = map[string]bool{}
	}
	for _, ref := range src.refs() {
		file, _, _ := strings.Cut(ref, "#")
		if file == "" || strings.Contains(file, "://") {
			continue
		}
		c.referenced[path.Clean(path.Join(path.Dir(rel), file))] = true
	}
}

// strayFragments warns about YAML files under api/ that are neither a spec nor $ref'd
// by one: most likely a spec missing its openapi key, which nothing would check.
func (c *checker) strayFragments() {
	for _, f := range c.fragments {
		if !c.referenced[f] {
			c.warnf(f, 1, RuleSpecValid, "no top-level openapi key and no spec $refs it; a spec needs openapi: 3.0.3")
		}
	}
}
