package verisoultest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

const (
	// ControlsSpec is the contract kit's name of the OpenAPI document describing the
	// emulator's control endpoints and hosted page (api/sandbox/verisoul.yaml).
	ControlsSpec = "sandbox/verisoul"
	// SpecPath is where the emulator serves that document, self-contained, so a client
	// can be generated for the controls in any language.
	SpecPath = "/_sandbox/openapi.yaml"
)

// faultControlBodyBytes bounds a fault-rule list sent to sandbox.ControlPath, and any
// other control body its route does not bound tighter.
const faultControlBodyBytes = 1 << 20

// controlsMiddleware holds every control call and the hosted page to the controls spec,
// in enforce mode: a body or query the spec refuses is answered 400 saying what the
// endpoint expects, an unknown /_sandbox/ route 404, and an answer of the emulator's that
// breaks the spec 500 — all in the controls' {"error","message"} shape.
func (e *Emulator) controlsMiddleware() func(http.Handler) http.Handler {
	expects := map[string]string{}
	for _, p := range e.ctlSpec.Doc.Paths.Map() {
		for _, op := range p.Operations() {
			expects[op.OperationID] = expectation(op)
		}
	}
	return contract.Middleware(contract.MiddlewareOptions{
		Mode: contract.ModeEnforce, Logger: e.log, OnProblem: e.onProblem,
		// The fault rules' bound; complete declares its own (base64 images) in the spec,
		// and each route keeps its tighter limitBody.
		MaxBodyBytes: faultControlBodyBytes,
		Refuse: func(w http.ResponseWriter, r *http.Request, ref contract.Refusal) {
			refuseControl(w, ref, expects[ref.Operation])
		},
	}, e.ctlSpec)
}

// expectation says, for a 400, what an operation takes: its body's simplest example
// and fields, else its parameters.
func expectation(op *openapi3.Operation) string {
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil {
			examples := []any{mt.Example}
			for _, ex := range mt.Examples {
				if ex != nil && ex.Value != nil {
					examples = append(examples, ex.Value.Value)
				}
			}
			simplest := ""
			for _, ex := range examples {
				b, err := json.Marshal(ex)
				if ex == nil || err != nil || string(b) == "[]" || string(b) == "{}" {
					continue // an empty example shows nothing
				}
				if simplest == "" || len(b) < len(simplest) {
					simplest = string(b)
				}
			}
			kind := "object"
			if sch := mt.Schema; sch != nil && sch.Value != nil && sch.Value.Type.Is("array") {
				kind = "array"
			}
			out := "a JSON " + kind + " like " + simplest
			if sch := mt.Schema; sch != nil && sch.Value != nil && len(sch.Value.Properties) > 0 {
				out += " (fields " + strings.Join(slices.Sorted(maps.Keys(sch.Value.Properties)), ", ") + ")"
			}
			return out
		}
	}
	var params []string
	for _, p := range op.Parameters {
		if p.Value == nil {
			continue
		}
		s := p.Value.Name
		if sch := p.Value.Schema; sch != nil && sch.Value != nil && len(sch.Value.Enum) > 0 {
			var vals []string
			for _, v := range sch.Value.Enum {
				vals = append(vals, fmt.Sprint(v))
			}
			s += " (one of " + strings.Join(vals, ", ") + ")"
		}
		params = append(params, s)
	}
	if len(params) == 0 {
		return "no body"
	}
	return "the parameters " + strings.Join(params, ", ")
}

// refuseMessageBytes bounds the problems quoted back in a 400.
const refuseMessageBytes = 1 << 10

func refuseControl(w http.ResponseWriter, ref contract.Refusal, expects string) {
	switch ref.Status {
	case http.StatusRequestEntityTooLarge:
		msg := "request body is larger than this endpoint's limit"
		if ref.Err != nil && len(ref.Err.Problems) > 0 {
			msg = ref.Err.Problems[0].Message
		}
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": "body_too_large", "message": msg})
	case http.StatusNotFound:
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": "not_found",
			"message": "no sandbox endpoint answers this method and path; " + SpecPath + " lists them"})
	case http.StatusBadRequest:
		code, where := "invalid_request", ""
		var parts []string
		if ref.Err != nil {
			for _, pr := range ref.Err.Violations() {
				if strings.HasPrefix(pr.Location, "body") {
					code = "invalid_body"
				}
				parts = append(parts, pr.Location+": "+pr.Message)
			}
		}
		if len(parts) > 0 {
			where = ": " + strings.Join(parts, "; ")
		}
		msg := "expected " + expects + where
		if len(msg) > refuseMessageBytes {
			msg = msg[:refuseMessageBytes] + "…"
		}
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": code, "message": msg})
	default:
		sandbox.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "contract_violation",
			"message": "the emulator's answer broke api/sandbox/verisoul.yaml; please report it"})
	}
}

// serveSpec answers the controls spec, with the shared fragment inlined so the document
// stands alone at its URL.
func (e *Emulator) serveSpec(w http.ResponseWriter, _ *http.Request) {
	doc, err := bundledSpec()
	if err != nil {
		e.log.Error("verisoul sandbox: controls spec", "err", err)
		sandbox.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal", "message": "the controls spec cannot be bundled"})
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(doc)
}

// bundledSpec loads api/sandbox/verisoul.yaml afresh (the contract kit's copy is shared
// and read-only), moves every external $ref into the document and renders it as YAML.
var bundledSpec = sync.OnceValues(func() ([]byte, error) {
	return sandbox.InlinedSpec(api.FS, ControlsSpec+".yaml")
})
