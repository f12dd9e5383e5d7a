// Package payload reads the vendor payloads under testdata/ for tests and benchmarks.
package payload

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// Body returns the "body" of the fixture file at path (a vendor's published answer,
// recorded as {"source": …, "body": …}), compacted as a server sends it.
func Body(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fx struct{ Body json.RawMessage }
	if err := json.Unmarshal(raw, &fx); err != nil {
		tb.Fatal(err)
	}
	if len(fx.Body) == 0 {
		tb.Fatalf("%s has no body", path)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, fx.Body); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
