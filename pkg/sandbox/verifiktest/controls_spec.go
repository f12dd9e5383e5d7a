package verifiktest

// The controls spec (api/sandbox/verifik.yaml): enforced on every control call, served at
// /_sandbox/openapi.yaml.

import (
	"net/http"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

const (
	// controlsSpecName is the controls spec's name in contract.Default().
	controlsSpecName = "sandbox/verifik"
	// specPath is where each emulator serves its controls spec.
	specPath = "/_sandbox/openapi.yaml"
)

// isSpecPath reports whether r asks for the controls spec.
func isSpecPath(r *http.Request) bool { return r.URL.Path == specPath }

// checkedControls holds the control endpoints h serves (and the hosted app's JSON
// endpoints) to the controls spec, api/sandbox/verifik.yaml, in enforce mode, and serves
// that spec at /_sandbox/openapi.yaml: a call the spec does not describe gets 404, a body
// or query that does not match gets 400 saying what the endpoint expects, and an answer
// outside the spec (a bug of the emulator) 500 and a contract problem. Every refusal is
// in the controls' {"error","message"} shape. Put GuardControl outside it, so that a
// cross-site or non-JSON request is refused before its body is read.
func (e *Emulator) checkedControls(h http.Handler) http.Handler {
	spec := contract.Default().Spec(controlsSpecName)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isSpecPath(r) {
			serveControlsSpec(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
	return contract.Middleware(contract.MiddlewareOptions{
		Mode:         contract.ModeEnforce,
		Logger:       e.log,
		MaxBodyBytes: maxControlBody,
		Refuse:       e.refuseControl,
	}, spec)(inner)
}

// refuseControl answers what the controls spec middleware refuses. Only an answer of the
// emulator outside its own spec reaches WithOnProblem: a bad control request is
// the caller's mistake, answered 400, not the emulator's.
func (e *Emulator) refuseControl(w http.ResponseWriter, r *http.Request, ref contract.Refusal) {
	switch ref.Status {
	case http.StatusRequestEntityTooLarge:
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": "body_too_large", "message": problemText(ref.Err)})
	case http.StatusNotFound:
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": "no_control_endpoint", "message": "no such control endpoint; see " + specPath + " for the list"})
	case http.StatusBadRequest:
		if hasRule(ref.Err, contract.RuleSecurity) {
			appRefusal(w, http.StatusUnauthorized)
			return
		}
		code := "invalid_request"
		if hasLocation(ref.Err, "body") {
			code = "invalid_body"
		}
		msg := problemText(ref.Err)
		if exp := expectsOf(ref.Operation); exp != "" {
			msg = "expected " + exp + " (" + msg + ")"
		}
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": code, "message": msg})
	default:
		if e.onProblem != nil && ref.Err != nil {
			e.onProblem(ref.Err)
		}
		sandbox.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal_error", "message": "the sandbox answered outside its controls spec (an idvkit bug, reported as a contract problem)"})
	}
}

func hasLocation(e *contract.Error, prefix string) bool {
	if e == nil {
		return false
	}
	for _, p := range e.Problems {
		if p.Location == prefix || strings.HasPrefix(p.Location, prefix+".") {
			return true
		}
	}
	return false
}

// expects holds each control operation's x-idvkit-expects: what its body must be, in
// words, for the 400 of a body that does not parse.
var expects = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	spec := contract.Default().Spec(controlsSpecName)
	for _, item := range spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			if s, ok := op.Extensions["x-idvkit-expects"].(string); ok {
				out[op.OperationID] = s
			}
		}
	}
	return out
})

func expectsOf(operation string) string { return expects()[operation] }

// controlsSpecYAML is api/sandbox/verifik.yaml with the shared fragment inlined, so that a
// tool reading it from its URL needs nothing else.
var controlsSpecYAML = sync.OnceValues(func() ([]byte, error) {
	return sandbox.InlinedSpec(api.FS, controlsSpecName+".yaml")
})

func serveControlsSpec(w http.ResponseWriter, _ *http.Request) {
	data, err := controlsSpecYAML()
	if err != nil {
		sandbox.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal_error", "message": "the controls spec cannot be served"})
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
