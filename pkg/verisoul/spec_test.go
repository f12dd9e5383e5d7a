package verisoul_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/gen/verisoul/facematch"
	"github.com/idvkit/idvkit/gen/verisoul/idcheck"
)

// These tests read the specs with kin-openapi directly, so they judge the specs alone,
// independent of the contract kit built on top of them.

func init() {
	// Vendor examples carry ids like 00000000-0000-0000-0000-000000000001 (no version
	// nibble), so "uuid" means the 8-4-4-4-12 hex shape, any version.
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(
		`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`))
}

var specNames = []string{"verisoul/facematch", "verisoul/idcheck"}

func loadSpec(t *testing.T, name string) *openapi3.T {
	t.Helper()
	b, err := fs.ReadFile(api.FS, name+".yaml")
	require.NoError(t, err)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	require.NoError(t, err, name)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()), name)
	return doc
}

func routerFor(t *testing.T, doc *openapi3.T) routers.Router {
	t.Helper()
	doc.Servers = nil // route by path only, whatever host the request names
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return r
}

func TestSpecsLoadAndFollowProjectRules(t *testing.T) {
	for _, name := range specNames {
		t.Run(name, func(t *testing.T) {
			doc := loadSpec(t, name)
			assert.Equal(t, "3.0.3", doc.OpenAPI)
			assert.NotEmpty(t, doc.Servers)
			declared := map[string]bool{}
			for _, tag := range doc.Tags {
				declared[tag.Name] = true
			}
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					where := method + " " + path
					assert.NotEmpty(t, op.OperationID, where)
					assert.NotEmpty(t, op.Summary, where)
					if assert.Len(t, op.Tags, 1, where) {
						assert.True(t, declared[op.Tags[0]], "%s: tag %q not declared", where, op.Tags[0])
					}
					assert.NotEmpty(t, op.Extensions["x-idvkit-source"], where)
					keyed := op.Security == nil || len(*op.Security) > 0
					for code, ref := range op.Responses.Map() {
						resp := ref.Value
						require.NotNil(t, resp, where+" "+code)
						if code == "302" {
							loc := resp.Headers["Location"]
							if assert.NotNil(t, loc, where) {
								assert.NotNil(t, loc.Value.Example, where+" 302 Location example")
							}
							continue
						}
						mt := resp.Content.Get("application/json")
						if !assert.NotNil(t, mt, where+" "+code+" content") {
							continue
						}
						assert.NotNil(t, mt.Schema, where+" "+code+" schema")
						assert.True(t, mt.Example != nil || len(mt.Examples) > 0, where+" "+code+" example")
					}
					if keyed {
						assert.NotNil(t, op.Responses.Value("401"), where+": keyed operations document 401")
						assert.NotNil(t, op.Responses.Value("429"), where+": keyed operations document 429")
					}
					assert.NotNil(t, op.Responses.Value("400"), where)
				}
			}
		})
	}
}

// The two vendor documents describe the same server objects; idvkit keeps one copy of each
// shared component per file, and this keeps the copies identical.
func TestSharedComponentsIdentical(t *testing.T) {
	fm, idc := loadSpec(t, "verisoul/facematch"), loadSpec(t, "verisoul/idcheck")
	same := func(kind string, a, b map[string]any) {
		var shared []string
		for name := range a {
			if _, ok := b[name]; ok {
				shared = append(shared, name)
			}
		}
		sort.Strings(shared)
		for _, name := range shared {
			ja, err := json.Marshal(a[name])
			require.NoError(t, err)
			jb, err := json.Marshal(b[name])
			require.NoError(t, err)
			assert.JSONEq(t, string(ja), string(jb), "%s %s differs between facematch.yaml and idcheck.yaml", kind, name)
		}
		t.Logf("%s shared: %v", kind, shared)
	}
	schemas := func(d *openapi3.T) map[string]any {
		m := map[string]any{}
		for k, v := range d.Components.Schemas {
			m[k] = v
		}
		return m
	}
	responses := func(d *openapi3.T) map[string]any {
		m := map[string]any{}
		for k, v := range d.Components.Responses {
			m[k] = v
		}
		return m
	}
	params := func(d *openapi3.T) map[string]any {
		m := map[string]any{}
		for k, v := range d.Components.Parameters {
			m[k] = v
		}
		return m
	}
	sa, sb := schemas(fm), schemas(idc)
	for _, want := range []string{"Metadata", "Decision", "RiskScore", "RiskFlag", "DeviceNetworkSignals",
		"ReferringSessionSignals", "PhotoURLs", "VideoURLs", "SessionData", "Matches", "LinkedAccount",
		"MatchType", "SessionResponse", "SessionError", "RedirectError", "EnrollRequest", "EnrollResponse",
		"EnrollError", "EnrollErrorCode", "GatewayError", "Simulate"} {
		assert.Contains(t, sa, want)
		assert.Contains(t, sb, want)
	}
	same("schema", sa, sb)
	same("response", responses(fm), responses(idc))
	same("parameter", params(fm), params(idc))
}

// fixture is one published payload (see testdata/verisoul/README.md).
type fixture struct {
	file    string
	Vendor  string            `json:"vendor"`
	Kind    string            `json:"kind"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Status  int               `json:"status"`
	Query   map[string]string `json:"query"`
	Note    string            `json:"note"`
	Body    json.RawMessage   `json:"body"`
	Content string            `json:"content_type"`
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob("../../testdata/verisoul/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []fixture
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx fixture
		require.NoError(t, json.Unmarshal(b, &fx), f)
		fx.file = filepath.Base(f)
		out = append(out, fx)
	}
	return out
}

// specsFor names the spec the fixture was published for first, then the other one when
// it documents the same operation path (session, redirect and enroll are shared).
func specsFor(fx fixture) []string {
	if fx.Vendor == "verisoul-idcheck" {
		return []string{"verisoul/idcheck", "verisoul/facematch"}
	}
	return []string{"verisoul/facematch", "verisoul/idcheck"}
}

func TestFixturesValidate(t *testing.T) {
	docs := map[string]*openapi3.T{}
	rts := map[string]routers.Router{}
	for _, n := range specNames {
		docs[n] = loadSpec(t, n)
		rts[n] = routerFor(t, docs[n])
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	for _, fx := range loadFixtures(t) {
		t.Run(fx.file, func(t *testing.T) {
			checked := 0
			for i, name := range specsFor(fx) {
				q := url.Values{}
				for k, v := range fx.Query {
					q.Set(k, v)
				}
				u := "https://api.sandbox.verisoul.ai" + fx.Path
				if len(q) > 0 {
					u += "?" + q.Encode()
				}
				var body *bytes.Reader
				if fx.Kind == "request" {
					body = bytes.NewReader(fx.Body)
				} else {
					body = bytes.NewReader(nil)
				}
				req, err := http.NewRequest(fx.Method, u, body)
				require.NoError(t, err)
				if fx.Kind == "request" {
					req.Header.Set("Content-Type", fx.Content)
				}
				route, pathParams, err := rts[name].FindRoute(req)
				if err != nil {
					require.NotZero(t, i, "%s does not document %s %s", name, fx.Method, fx.Path)
					continue // the other product does not have this path
				}
				in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
				checked++
				if fx.Kind == "request" {
					assert.NoError(t, openapi3filter.ValidateRequest(context.Background(), in), "%s rejects the request (%s)", name, fx.Note)
					continue
				}
				h := http.Header{"Content-Type": []string{fx.Content}}
				out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: fx.Status, Header: h, Options: opts}
				out.SetBodyBytes(fx.Body)
				assert.NoError(t, openapi3filter.ValidateResponse(context.Background(), out), "%s rejects the %d response (%s)", name, fx.Status, fx.Note)
			}
			assert.NotZero(t, checked)
		})
	}
}

// Every published response must also decode with the generated client's parser for its
// operation: a schema can validate a value its generated Go type cannot hold.
func TestFixturesDecodeWithGeneratedClients(t *testing.T) {
	parsers := map[string]func(*http.Response) (any, error){
		"verisoul-facematch GET /liveness/session":          func(r *http.Response) (any, error) { return facematch.ParseCreateFaceMatchSessionResult(r) },
		"verisoul-facematch GET /public/liveness-redirect":  func(r *http.Response) (any, error) { return facematch.ParseRedirectToFaceMatchResult(r) },
		"verisoul-facematch POST /liveness/enroll":          func(r *http.Response) (any, error) { return facematch.ParseEnrollFaceMatchResult(r) },
		"verisoul-facematch POST /liveness/verify-face":     func(r *http.Response) (any, error) { return facematch.ParseVerifyFaceResult(r) },
		"verisoul-facematch POST /liveness/verify-identity": func(r *http.Response) (any, error) { return facematch.ParseVerifyIdentityFaceMatchResult(r) },
		"verisoul-idcheck GET /liveness/session":            func(r *http.Response) (any, error) { return idcheck.ParseCreateIDCheckSessionResult(r) },
		"verisoul-idcheck GET /public/liveness-redirect":    func(r *http.Response) (any, error) { return idcheck.ParseRedirectToIDCheckResult(r) },
		"verisoul-idcheck POST /liveness/enroll":            func(r *http.Response) (any, error) { return idcheck.ParseEnrollIDCheckResult(r) },
		"verisoul-idcheck POST /liveness/verify-id":         func(r *http.Response) (any, error) { return idcheck.ParseVerifyIDResult(r) },
	}
	for _, fx := range loadFixtures(t) {
		if fx.Kind != "response" {
			continue
		}
		t.Run(fx.file, func(t *testing.T) {
			parse := parsers[fx.Vendor+" "+fx.Method+" "+fx.Path]
			require.NotNil(t, parse, "no generated operation for %s %s %s", fx.Vendor, fx.Method, fx.Path)
			resp := &http.Response{
				StatusCode: fx.Status,
				Header:     http.Header{"Content-Type": []string{fx.Content}},
				Body:       io.NopCloser(bytes.NewReader(fx.Body)),
			}
			res, err := parse(resp)
			require.NoError(t, err)
			// The typed field for the fixture's status is filled.
			typed := reflect.ValueOf(res).Elem().FieldByName(fmt.Sprintf("JSON%d", fx.Status))
			require.True(t, typed.IsValid(), "no JSON%d field", fx.Status)
			assert.False(t, typed.IsNil(), "JSON%d not decoded", fx.Status)
		})
	}
}
