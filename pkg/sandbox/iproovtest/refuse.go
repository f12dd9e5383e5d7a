package iproovtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// MaxBodyBytes bounds the body of every iProov API call and control request. iProov's
// largest request is photo enrol's 2 MB image (MaxImageBytes, declared as maxLength in
// the spec) with its form fields, which the contract kit's default holds with room to
// spare; the rest are small JSON objects and forms.
const MaxBodyBytes = contract.DefaultMaxBodyBytes

// refuse writes the contract middleware's own answers in iProov's error envelope, with a
// status the spec documents for the operation, so that an integrator's error handling
// meets the sandbox's refusals as it would iProov's: 400 invalid_request for a request
// that breaks the spec, 413 invalid_request for a body over the limit, 404 not_found for
// a route iProov does not have, 500 server_error for an answer of the emulator's own that
// breaks the spec (a bug of the emulator, reported through OnProblem). Control endpoints
// answer in the controls' shape instead.
func (e *Emulator) refuse(w http.ResponseWriter, r *http.Request, ref contract.Refusal) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		if ref.Status == http.StatusRequestEntityTooLarge {
			controlError(w, ref.Status, "body_too_large", fmt.Sprintf("control bodies are limited to %d bytes", MaxBodyBytes))
			return
		}
		controlError(w, ref.Status, "invalid_request", "the control could not read the request")
		return
	}
	switch ref.Status {
	case http.StatusNotFound:
		sandbox.WriteJSON(w, http.StatusNotFound, claim.ErrorResponse{Error: "not_found", ErrorDescription: "Not Found"})
	case http.StatusRequestEntityTooLarge:
		e.writeFailure(w, r, errTooLarge)
	case http.StatusInternalServerError:
		e.writeFailure(w, r, errServer)
	default:
		e.writeFailure(w, r, fail(http.StatusBadRequest, "invalid_request", describe(ref.Err)))
	}
}

var (
	errTooLarge = fail(http.StatusRequestEntityTooLarge, "invalid_request", "The request body is larger than this operation accepts")
	errServer   = fail(http.StatusInternalServerError, "server_error", "An unexpected error occurred")
)

// describe says what is wrong with a request in words safe to send back: the contract
// kit's problem texts name locations and rules, never the values sent.
func describe(e *contract.Error) string {
	const lead = "The request does not match the API"
	if e == nil {
		return lead
	}
	v := e.Violations()
	if len(v) == 0 {
		return lead
	}
	msg := lead + ": " + v[0].Location + ": " + v[0].Message
	if len(v) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(v)-1)
	}
	return msg
}

// envelope is iProov's error body.
func envelope(code, desc string) []byte {
	body, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	return body
}
