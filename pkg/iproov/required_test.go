package iproov

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/gen/iproov/claim"
)

// validationWithFrame is a validation answer carrying a 64 KiB frame, the largest body
// the check reads.
var validationWithFrame = []byte(`{"passed":true,"token":"` + strings.Repeat("a", 64) + `","type":"verify","frame":"` +
	strings.Repeat("QUJD", 16<<10) + `","signals":{"anti_spoofing":{"passed":true}}}`)

func BenchmarkRequiredCheck(b *testing.B) {
	b.SetBytes(int64(len(validationWithFrame)))
	for b.Loop() {
		if _, ok := missing(validationWithFrame, validationFields...); ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkGeneratedDecode(b *testing.B) {
	b.SetBytes(int64(len(validationWithFrame)))
	for b.Loop() {
		var v claim.ClaimValidateResponse
		if err := json.Unmarshal(validationWithFrame, &v); err != nil {
			b.Fatal(err)
		}
	}
}
