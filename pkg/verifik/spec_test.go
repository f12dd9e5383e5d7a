package verifik_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// fixtureDir holds Verifik's published payloads, copied from the research notes so the
// tests run on a fresh clone.
const fixtureDir = "../../testdata/verifik"

// rejected lists the fixtures the spec is right to reject, with the reason the fixture's
// own note gives. Every other fixture must validate; drift (properties the spec does not
// list) is logged, not failed, because responses stay open — only the older page
// generations drift.
var rejected = map[string]string{
	"project-flow-create-request-1.json": "the flat v3 flow shape (signUpForm/documents/liveness/steps at the top level); " +
		"the spec follows the v2 onboardingSettings shape of the Smart Enroll tutorial, and requests are closed",
}

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

func smartEnroll(t *testing.T) *contract.Spec {
	t.Helper()
	spec, err := contract.Default().Lookup("verifik/smartenroll")
	require.NoError(t, err, "api/verifik/smartenroll.yaml must load and validate, examples included")
	return spec
}

func TestSpecLoadsWithValidExamples(t *testing.T) {
	doc := smartEnroll(t).Doc
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
	spec := smartEnroll(t)
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

			err = validateFixture(spec, fx)
			if reason, ok := rejected[name]; ok {
				require.Error(t, err, "the spec rejects %s (%s); if it now validates, drop it from the list", name, reason)
				return
			}
			var cerr *contract.Error
			if errors.As(err, &cerr) && cerr.DriftOnly() {
				t.Logf("drift (fields the spec does not list), note %q:\n%v", fx.Note, err)
				err = nil
			}
			require.NoError(t, err, "note: %s", fx.Note)
		})
	}
}

// validateFixture checks one published payload with the contract kit. It returns nil,
// or the *contract.Error (which may be drift only: properties the spec does not list).
func validateFixture(spec *contract.Spec, fx fixture) error {
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
	if fx.Kind == "request" {
		return spec.ValidateRequest(req)
	}
	return spec.ValidateResponse(req, fx.Status, http.Header{"Content-Type": {"application/json"}}, fx.Body)
}
