package iproov_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// fixture is one published iProov payload (see testdata/iproov and the fixtures README).
type fixture struct {
	file        string
	Kind        string          `json:"kind"`
	Method      string          `json:"method"`
	Path        string          `json:"path"`
	Status      int             `json:"status"`
	ContentType string          `json:"content_type"`
	Note        string          `json:"note"`
	Exclude     string          `json:"exclude"`
	Body        json.RawMessage `json:"body"`
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "iproov", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "testdata/iproov holds the published iProov payloads")
	var out []fixture
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var fx fixture
		require.NoError(t, json.Unmarshal(data, &fx), f)
		fx.file = filepath.Base(f)
		out = append(out, fx)
	}
	return out
}

func claimSpec(t *testing.T) *contract.Spec {
	t.Helper()
	s, err := contract.Default().Lookup("iproov/claim")
	require.NoError(t, err, "api/iproov/claim.yaml must load and validate, examples included")
	return s
}

// exclusionLifted names fixtures whose "exclude" a later decision overturned: the spec
// now accepts them, and must. (The fixture files are not rewritten: they record what was
// decided when they were collected.)
var exclusionLifted = map[string]string{
	"access-token-response-200.json": "issue #10: where iProov's own document is looser the spec follows it; " +
		"expires_in is an integer or a string of digits (components.schemas.ExpiresIn)",
}

// TestFixturesMatchSpec holds every published payload against the spec. A payload the
// spec rejects means the spec is wrong, unless the fixture says why servers do not send it.
func TestFixturesMatchSpec(t *testing.T) {
	spec := claimSpec(t)
	for _, fx := range loadFixtures(t) {
		t.Run(fx.file, func(t *testing.T) {
			// The fixtures write placeholders for path values; any value routes the same.
			path := strings.ReplaceAll(fx.Path, "YOUR_API_KEY", "2f6a0c7e9b1d4c3a8e5f6a7b8c9d0e1f2a3b4c5d")
			req := httptest.NewRequest(fx.Method, "https://eu.rp.secure.iproov.me"+path, nil)
			switch fx.Kind {
			case "response":
				h := http.Header{"Content-Type": {fx.ContentType}}
				err := spec.ValidateResponse(req, fx.Status, h, fx.Body)
				if why, ok := exclusionLifted[fx.file]; ok {
					require.NotEmpty(t, fx.Exclude, "%s is not excluded: drop it from exclusionLifted", fx.file)
					require.NoError(t, err, why)
					return
				}
				if fx.Exclude != "" {
					// Published but not what servers send: the spec must reject exactly that.
					var cerr *contract.Error
					require.True(t, errors.As(err, &cerr), "excluded fixture (%s) must be rejected", fx.Exclude)
					require.NotEmpty(t, cerr.Violations())
					for _, p := range cerr.Violations() {
						assert.Equal(t, "body.expires_in", p.Location, p.String())
					}
					return
				}
				require.NoError(t, err, fx.Note)
			case "request":
				req = httptest.NewRequest(fx.Method, "https://eu.rp.secure.iproov.me"+path, bytes.NewReader(fx.Body))
				req.Header.Set("Content-Type", fx.ContentType)
				require.NoError(t, spec.ValidateRequest(req), fx.Note)
			default:
				t.Fatalf("unknown fixture kind %q", fx.Kind)
			}
		})
	}
}

// TestSpecExamplesRoundTrip sends every documented response example through the same
// route lookup and validation the contract middleware uses, so an example that only the
// loader accepts (a status the route does not know, a header) still fails.
func TestSpecExamplesRoundTrip(t *testing.T) {
	spec := claimSpec(t)
	n := 0
	for path, item := range spec.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			concrete := fillPath(path, append(item.Parameters, op.Parameters...))
			for status, ref := range op.Responses.Map() {
				code, err := strconv.Atoi(status)
				if status == "5XX" {
					code, err = 503, nil
				}
				require.NoError(t, err)
				for ct, mt := range ref.Value.Content {
					require.NotNil(t, mt.Example, "%s %s %s has an example", method, path, status)
					body, err := json.Marshal(mt.Example)
					require.NoError(t, err)
					h := http.Header{"Content-Type": {ct}}
					for name := range ref.Value.Headers {
						h.Set(name, "1")
					}
					req := httptest.NewRequest(method, "http://sandbox/api/v2"+concrete, nil)
					opID, ok := spec.FindOperation(req)
					require.True(t, ok, "%s %s routes", method, concrete)
					assert.Equal(t, op.OperationID, opID)
					assert.NoError(t, spec.ValidateResponse(req, code, h, body), "%s %s", op.OperationID, status)
					n++
				}
			}
		}
	}
	assert.Greater(t, n, 60, "every operation documents its statuses with examples")
}

func fillPath(path string, params openapi3.Parameters) string {
	for _, p := range params {
		if p.Value.In != "path" {
			continue
		}
		path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", fmt.Sprint(p.Value.Example))
	}
	return path
}
