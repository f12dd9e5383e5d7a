package contract

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/idvkit/idvkit/api"
)

// Kit holds every spec of a tree, parsed and validated once.
type Kit struct {
	specs  map[string]*Spec
	broken map[string]error
	err    error
}

// Spec is one parsed and validated OpenAPI document, ready to validate traffic.
// It is safe for concurrent use.
type Spec struct {
	// Name is the spec's path without ".yaml": "verisoul/facematch".
	Name string
	// Doc is the document as loaded (servers included); treat it as read-only.
	Doc *openapi3.T

	routes   []*route
	literals map[string]bool // every literal path segment, to redact unknown paths
	// expanded caches, per schema, the candidate set the drift walk checks a value
	// against (*openapi3.Schema → []*openapi3.Schema); see walker.expandOne.
	expanded sync.Map
	// fast caches, per body schema and side, the validator compiled for the fast path
	// (fastKey → *fastEntry); see fastpath.go.
	fast sync.Map
}

// Load parses every **/*.yaml in fsys that has a top-level "openapi:" key as an OpenAPI
// 3.0 document and validates it (examples included); other YAML files are fragments specs
// may $ref by relative path. A spec that fails does not stop the others: Load returns a Kit with
// the good specs and an error joining one error per broken spec, each naming it.
func Load(fsys fs.FS) (*Kit, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		isSpec, err := hasOpenAPIKey(fsys, p)
		if err != nil {
			return err
		}
		if isSpec {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("contract: walk specs: %w", err)
	}
	slices.Sort(names)

	k := &Kit{specs: map[string]*Spec{}, broken: map[string]error{}}
	var errs []error
	for _, p := range names {
		name := strings.TrimSuffix(p, ".yaml")
		s, err := loadSpec(fsys, p, name)
		if err != nil {
			err = fmt.Errorf("contract: spec %s: %w", name, err)
			k.broken[name] = err
			errs = append(errs, err)
			continue
		}
		k.specs[name] = s
	}
	k.err = errors.Join(errs...)
	return k, k.err
}

// hasOpenAPIKey tells a spec from a fragment other specs $ref (shared schemas): only a
// document with a top-level "openapi:" key is a spec.
func hasOpenAPIKey(fsys fs.FS, p string) (bool, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "openapi:") || strings.HasPrefix(line, `"openapi":`) {
			return true, nil
		}
	}
	return false, nil
}

func loadSpec(fsys fs.FS, p, name string) (*Spec, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	loader.IsExternalRefsAllowed = true
	// Refs may point at sibling files of the same tree, never outside it.
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("ref %s: only refs inside the spec tree are allowed", u.Redacted())
		}
		return fs.ReadFile(fsys, path.Clean(strings.TrimPrefix(u.Path, "/")))
	}
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: p})
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation(), openapi3.EnableMultiError()); err != nil {
		return nil, err
	}
	s := &Spec{Name: name, Doc: doc}
	if err := s.buildRoutes(); err != nil {
		return nil, err
	}
	return s, nil
}

var defaultKit = sync.OnceValue(func() *Kit {
	k, err := Load(api.FS) // each broken spec's error is kept and raised by Spec(name)
	if k == nil {
		k = &Kit{specs: map[string]*Spec{}, broken: map[string]error{}, err: err}
	}
	return k
})

// Default returns the Kit of the specs embedded in package api, loaded on first use.
func Default() *Kit { return defaultKit() }

// Spec returns the spec called name ("verisoul/facematch"). It panics with the spec's own
// load error if that spec is broken, or if no spec has that name: both are programming
// errors a test run reveals at once. Use [Kit.Lookup] to get an error instead.
func (k *Kit) Spec(name string) *Spec {
	s, err := k.Lookup(name)
	if err != nil {
		panic(err)
	}
	return s
}

// Lookup returns the spec called name, or its load error, or an error saying it does not
// exist.
func (k *Kit) Lookup(name string) (*Spec, error) {
	if s, ok := k.specs[name]; ok {
		return s, nil
	}
	if err, ok := k.broken[name]; ok {
		return nil, err
	}
	known := make([]string, 0, len(k.specs))
	for n := range k.specs {
		known = append(known, n)
	}
	slices.Sort(known)
	return nil, fmt.Errorf("contract: no spec named %q (have %s)", name, strings.Join(known, ", "))
}

// Specs returns every spec that loaded, sorted by name.
func (k *Kit) Specs() []*Spec {
	out := make([]*Spec, 0, len(k.specs))
	for _, s := range k.specs {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Spec) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Err returns the joined load errors of the broken specs, or nil.
func (k *Kit) Err() error { return k.err }

// uuidFormat accepts the canonical 8-4-4-4-12 hex form of any UUID version and variant:
// kin-openapi's RFC 4122 pattern rejects v6/v7 ids that vendors do send.
type uuidFormat struct{}

func (uuidFormat) Validate(s string) error {
	if !isUUID(s) {
		return errors.New("not a UUID in 8-4-4-4-12 hex form")
	}
	return nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// stringFormats are checked per validation, never registered globally, so other users of
// kin-openapi in the same process keep their own behaviour.
var stringFormats = map[string]openapi3.StringFormatValidator{"uuid": uuidFormat{}}

var schemaOptions = []openapi3.SchemaValidationOption{
	openapi3.EnableFormatValidation(),
	openapi3.WithStringFormatValidators(stringFormats),
}

// filterOptions are the kin-openapi options of every validation. Defaults are never set:
// validation must not rewrite the traffic it checks. The four combinations are built once
// (kin-openapi only reads them), not per request.
func filterOptions(excludeRequestBody, excludeResponseBody bool) *openapi3filter.Options {
	return filterOptionSets[b2i(excludeRequestBody)][b2i(excludeResponseBody)]
}

var filterOptionSets = func() (sets [2][2]*openapi3filter.Options) {
	for req := range 2 {
		for resp := range 2 {
			sets[req][resp] = &openapi3filter.Options{
				ExcludeRequestBody:      req == 1,
				ExcludeResponseBody:     resp == 1,
				IncludeResponseStatus:   true,
				MultiError:              true,
				AuthenticationFunc:      credentialPresent,
				SkipSettingDefaults:     true,
				SchemaValidationOptions: schemaOptions,
			}
		}
	}
	return sets
}()

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ctx for kin-openapi calls that need one but do no I/O.
var background = context.Background()
