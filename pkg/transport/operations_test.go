package transport

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/pkg/contract"
)

func TestOperationTable(t *testing.T) {
	assert.Equal(t, Unsafe, classify("verisoul/enrollFaceMatch"))
	assert.Equal(t, Safe, classify("iproov/userEnrolServerToken"))
	assert.Equal(t, Unsafe, classify("verisoul/noSuchOperation"), "unknown operations are unsafe")
	for key := range operationSafety {
		vendor, op, ok := strings.Cut(key, "/")
		assert.True(t, ok && vendor != "" && op != "", "key %q is <vendor>/<operationId>", key)
	}
	assert.Equal(t, "safe", Safe.String())
	assert.Equal(t, "unsafe", Unsafe.String())
}

// TestOperationTableMatchesSpecs keeps the table honest: an entry naming an
// operationId no spec has would silently classify nothing. Operations not
// yet in the table are listed (they default to Unsafe).
func TestOperationTableMatchesSpecs(t *testing.T) {
	ops := map[string]bool{}    // "<vendor>/<operationId>" in loaded specs
	loaded := map[string]bool{} // vendors with at least one loaded spec
	for _, s := range contract.Default().Specs() {
		vendor, _, _ := strings.Cut(s.Name, "/")
		loaded[vendor] = true
		for _, item := range s.Doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op.OperationID != "" {
					ops[vendor+"/"+op.OperationID] = true
				}
			}
		}
	}
	if err := contract.Default().Err(); err != nil {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		t.Logf("some specs did not load; their entries are not checked: %.200s", msg)
	}
	for key := range operationSafety {
		vendor, _, _ := strings.Cut(key, "/")
		if !loaded[vendor] {
			continue
		}
		assert.True(t, ops[key], "operationSafety entry %q names no operation in the specs", key)
	}
	var missing []string
	for key := range ops {
		if _, ok := operationSafety[key]; !ok {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Logf("not yet classified (treated as Unsafe): %s", strings.Join(missing, ", "))
	}
}
