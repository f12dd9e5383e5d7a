package iproovtest

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// ControlsSpec is the name of the controls' OpenAPI document in package api
// (api/sandbox/iproov.yaml): contract.Default().Spec(ControlsSpec).
const ControlsSpec = "sandbox/iproov"

// expects says, per control, what body it takes: a body that breaks the controls spec
// is answered 400 invalid_body with this, so a caller in any language learns the shape.
var expects = map[string]string{
	"issueClaim":      `{"type":"enrol"|"verify","user_id":"<iProov user_id>"}, with an optional "assurance_type":"genuine_presence"|"liveness"`,
	"captureClaim":    `{"face":"alice"} or {"image":"<base64 PNG or JPEG>"}, with an optional "liveness_failure":"<reason>"`,
	"failNext":        `{"operation":"<operationId>","status":<documented status>}`,
	"setAvailability": `{"up":true} or {"up":false}`,
	"setFaults":       `an array of fault rules, e.g. [{"kind":"error","rate":0.5,"status":503}]`,
	"postFaults":      `an array of fault rules, e.g. [{"kind":"error","rate":0.5,"status":503}]`,
}

// refuseControl writes the controls middleware's own answers in the controls'
// {"error","message"} shape: 400 says what the control expects, 404 names no control,
// 413 the bound, 500 an answer of the emulator's own that broke the controls spec.
func (e *Emulator) refuseControl(w http.ResponseWriter, r *http.Request, ref contract.Refusal) {
	switch ref.Status {
	case http.StatusRequestEntityTooLarge:
		controlError(w, ref.Status, "body_too_large", fmt.Sprintf("control bodies are limited to %d bytes", MaxBodyBytes))
	case http.StatusNotFound:
		controlError(w, ref.Status, "unknown_control", "no such control; see "+ControlsSpecPath+" for the list")
	case http.StatusInternalServerError:
		controlError(w, ref.Status, "server_error", "the emulator's answer broke its controls spec")
	default:
		msg := "the request does not match the control"
		if want, ok := expects[ref.Operation]; ok {
			msg = "this control expects a JSON body " + want
		}
		if ref.Err != nil {
			if v := ref.Err.Violations(); len(v) > 0 {
				msg += " (" + v[0].Location + ": " + v[0].Message + ")"
			}
		}
		controlError(w, http.StatusBadRequest, "invalid_body", msg)
	}
}

// controlsDocument is api/sandbox/iproov.yaml with every external $ref (the shared
// faults fragment, iProov's ClaimValidateResponse) inlined as a component, so a client
// generator given its URL needs no other file.
var controlsDocument = sync.OnceValues(func() ([]byte, error) {
	return sandbox.InlinedSpec(api.FS, "sandbox/iproov.yaml")
})

// serveControlsSpec serves the controls' document. Any origin may read it (a Swagger UI
// elsewhere, a client generator): it holds no secret.
func serveControlsSpec(w http.ResponseWriter, r *http.Request) {
	doc, err := controlsDocument()
	if err != nil {
		controlError(w, http.StatusNotFound, "unknown_control", "the controls document did not load")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(doc)
	}
}
