package contract

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/idvkit/idvkit/internal/payload"

	"github.com/idvkit/idvkit/internal/benchcpu"
)

// BenchmarkValidateResponseVerifyID is the contract check of Verisoul's 3 KB verify-id
// answer (the embedded spec), next to what any check must pay at least: one decode of
// the body into Go values ("decode-only"). The ratio is the check's cost per decode.
func BenchmarkValidateResponseVerifyID(b *testing.B) {
	body := payload.Body(b, "../../testdata/verisoul/idc-verify-id-response-200.json")
	spec := Default().Spec("verisoul/idcheck")
	req := httptest.NewRequest(http.MethodPost, "https://api.sandbox.verisoul.ai/liveness/verify-id", strings.NewReader(`{"session_id":"00022d22-0592-4c83-8f55-0ec8f277c668"}`))
	h := http.Header{"Content-Type": {"application/json"}}

	b.Run("decode-only", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate-kin-only", func(b *testing.B) {
		fastPathOff = true
		defer func() { fastPathOff = false }()
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for b.Loop() {
			if err := spec.ValidateResponse(req, http.StatusOK, h, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for b.Loop() {
			if err := spec.ValidateResponse(req, http.StatusOK, h, body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSchemaCheckVerifyID is the schema check alone on the decoded 3 KB verify-id
// answer: kin-openapi's VisitJSON next to the fast path's compiled validator.
func BenchmarkSchemaCheckVerifyID(b *testing.B) {
	raw, err := os.ReadFile("../../testdata/verisoul/idc-verify-id-response-200.json")
	if err != nil {
		b.Fatal(err)
	}
	var fx struct{ Body any }
	if err := json.Unmarshal(raw, &fx); err != nil {
		b.Fatal(err)
	}
	spec := Default().Spec("verisoul/idcheck")
	sch := spec.Doc.Paths.Find("/liveness/verify-id").Post.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Schema.Value
	if !spec.fastValid(sch, sideResponse, fx.Body) {
		b.Fatal("the fast path does not accept the answer")
	}
	b.Run("kin-VisitJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := sch.VisitJSON(fx.Body, responseSchemaOptions...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !spec.fastValid(sch, sideResponse, fx.Body) {
				b.Fatal("refused")
			}
		}
	})
}
