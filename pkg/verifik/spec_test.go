package verifik_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/api"
)

// fixtureDir holds Verifik's published payloads, copied from the research notes so the
// tests run on a fresh clone.
const fixtureDir = "../../testdata/verifik"

// rejected lists the fixtures the spec is right to reject, with the reason the fixture's
// own note gives. Every other fixture must validate.
// None today: even the older name-validation shape (name-validation-response-200-3) passes,
// as a document validation without namesMatch, because responses stay open.
var rejected = map[string]string{}

type fixture struct {
	Kind        string            `json:"kind"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Status      int               `json:"status"`
	ContentType string            `json:"content_type"`
	Query       map[string]string `json:"query"`
	Note        string            `json:"note"`
	Body        json.RawMessage   `json:"body"`
}

var specOnce = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	data, err := api.FS.ReadFile("verifik/smartenroll.yaml")
	if err != nil {
		return nil, err
	}
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, err
	}
	doc.Servers = nil // route by path only, as the contract kit does
	return doc, nil
})

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := specOnce()
	require.NoError(t, err, "api/verifik/smartenroll.yaml must load and validate, examples included")
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return doc, router
}

func TestSpecLoadsWithValidExamples(t *testing.T) {
	doc, _ := loadSpec(t)
	// Every operation follows the project's spec rules.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			assert.NotEmpty(t, op.OperationID, name)
			assert.NotEmpty(t, op.Summary, name)
			assert.Len(t, op.Tags, 1, name)
			assert.Contains(t, op.Extensions, "x-idvkit-source", name)
			require.NotNil(t, op.Security, "%s declares its security", name)
			for code, ref := range op.Responses.Map() {
				mt := ref.Value.Content.Get("application/json")
				if !assert.NotNil(t, mt, "%s %s has a JSON body", name, code) {
					continue
				}
				assert.NotNil(t, mt.Schema, "%s %s has a schema", name, code)
				assert.True(t, mt.Example != nil || len(mt.Examples) > 0, "%s %s has an example", name, code)
			}
		}
	}
}

func TestFixturesMatchSpec(t *testing.T) {
	_, router := loadSpec(t)
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "fixtures are copied into testdata/verifik")
	sort.Strings(files)

	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			var fx fixture
			require.NoError(t, json.Unmarshal(raw, &fx))

			err = validateFixture(router, fx)
			if reason, ok := rejected[name]; ok {
				require.Error(t, err, "the spec rejects %s (%s); if it now validates, drop it from the list", name, reason)
				return
			}
			require.NoError(t, err, "note: %s", fx.Note)
		})
	}
}

func validateFixture(router routers.Router, fx fixture) error {
	u := &url.URL{Scheme: "https", Host: "api.verifik.co", Path: fx.Path}
	q := url.Values{}
	for k, v := range fx.Query {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()

	var body io.Reader
	if fx.Kind == "request" {
		body = bytes.NewReader(fx.Body)
	}
	req, err := http.NewRequest(fx.Method, u.String(), body)
	if err != nil {
		return err
	}
	if fx.Kind == "request" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer token")

	route, params, err := router.FindRoute(req)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
			// A response fixture carries no request body; only its own status and body matter.
			ExcludeRequestBody: fx.Kind != "request",
		},
	}
	if fx.Kind == "request" {
		return openapi3filter.ValidateRequest(context.Background(), in)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 fx.Status,
		Header:                 http.Header{"Content-Type": {"application/json"}},
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	out.SetBodyBytes(fx.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return &statusError{status: fx.Status, err: err}
	}
	return nil
}

type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string {
	return "status " + strconv.Itoa(e.status) + ": " + strings.TrimSpace(e.err.Error())
}
