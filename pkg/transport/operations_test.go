package transport

import (
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/api"
)

func TestOperationTable(t *testing.T) {
	tests := []struct {
		vendor, op string
		want       Safety
	}{
		{"verisoul", "enrollFaceMatch", Unsafe},
		{"verisoul", "createFaceMatchSession", Safe},
		{"iproov", "userEnrolServerToken", Safe},
		{"iproov", "userVerifyValidate", Unsafe},
		{"verifik", "createAppRegistration", Unsafe},
		{"verifik", "getAppRegistration", Safe},
		{"verisoul", "noSuchOperation", Unsafe}, // unknown operations are unsafe
		{"nosuchvendor", "getProject", Unsafe},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, OperationSafety(tt.vendor, tt.op), "%s/%s", tt.vendor, tt.op)
		assert.Equal(t, tt.want, classify(tt.vendor+"/"+tt.op), "%s/%s", tt.vendor, tt.op)
	}
	for key := range operationSafety {
		vendor, op, ok := strings.Cut(key, "/")
		assert.True(t, ok && vendor != "" && op != "", "key %q is <vendor>/<operationId>", key)
	}
	assert.Equal(t, "safe", Safe.String())
	assert.Equal(t, "unsafe", Unsafe.String())
}

// specOperation is one operation of the specs under api/.
type specOperation struct {
	method, path string
}

// specOperations reads every spec under api/ (without validating it, so a
// spec whose examples are being edited still names its operations) and
// returns "<vendor>/<operationId>" → method and path.
func specOperations(t *testing.T) map[string]specOperation {
	t.Helper()
	ops := map[string]specOperation{}
	files, err := fs.Glob(api.FS, "*/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		if path.Dir(name) == "sandbox" {
			continue // the sandbox's own controls: never called through the transport
		}
		data, err := fs.ReadFile(api.FS, name)
		require.NoError(t, err)
		if !strings.Contains(string(data), "\nopenapi:") && !strings.HasPrefix(string(data), "openapi:") {
			continue // a shared fragment, not a spec
		}
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = true
		doc, err := loader.LoadFromData(data)
		require.NoError(t, err, name)
		vendor := path.Dir(name)
		for p, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				require.NotEmpty(t, op.OperationID, "%s %s %s has no operationId", name, method, p)
				ops[vendor+"/"+op.OperationID] = specOperation{method: method, path: p}
			}
		}
	}
	return ops
}

// TestOperationTableMatchesSpecs keeps the table complete and honest: every
// operation of every spec is classified (an unclassified one would silently
// be Unsafe, costing retries nobody decided against), no entry names an
// operation the specs lack (it would classify nothing), and the rules that
// need no judgement hold (reads are Safe, deletes Unsafe).
func TestOperationTableMatchesSpecs(t *testing.T) {
	ops := specOperations(t)
	for _, vendor := range []string{"verisoul", "iproov", "verifik"} {
		found := false
		for key := range ops {
			found = found || strings.HasPrefix(key, vendor+"/")
		}
		assert.True(t, found, "no spec of %s under api/", vendor)
	}

	var missing, stale []string
	for key := range ops {
		if _, ok := operationSafety[key]; !ok {
			missing = append(missing, key)
		}
	}
	for key := range operationSafety {
		if _, ok := ops[key]; !ok {
			stale = append(stale, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	assert.Empty(t, missing, "operations without a retry classification: add them to operationSafety")
	assert.Empty(t, stale, "operationSafety entries naming no spec operation: rename or remove them")

	for key, op := range ops {
		switch op.method {
		case http.MethodGet, http.MethodHead:
			assert.Equal(t, Safe, operationSafety[key], "%s is a read (%s %s): a repeat is harmless", key, op.method, op.path)
		case http.MethodDelete:
			assert.Equal(t, Unsafe, operationSafety[key], "%s deletes (%s %s): a repeat answers not-found and hides the success", key, op.method, op.path)
		}
	}
}
