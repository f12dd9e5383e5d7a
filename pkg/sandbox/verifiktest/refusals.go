package verifiktest

// The contract middleware's own answers, in Verifik's error shape.

import (
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// refuse answers what the contract middleware refuses before or after the emulator
// runs, as Verifik's restify backend answers it, with a status the operation documents:
//
//   - a request the spec rejects: 409 MissingParameter (a required field is missing) or
//     InvalidArgument (restify's classes for bad parameters are HTTP 409), or 401 when a
//     credential is missing too, since Verifik checks the token first;
//   - an unknown route: 404 ResourceNotFound;
//   - a body over the limit: 413 PayloadTooLarge;
//   - an answer of the emulator the spec does not document: 500 Internal (a bug of the
//     emulator; the middleware has reported it).
//
// The message names fields and rules, never the values sent. Control endpoints answer in
// their own {"error", "message"} shape.
func (e *Emulator) refuse(w http.ResponseWriter, r *http.Request, ref contract.Refusal) {
	if isControl(r) {
		code := "invalid_request"
		if ref.Status == http.StatusRequestEntityTooLarge {
			code = "body_too_large"
		}
		sandbox.WriteJSON(w, ref.Status, map[string]string{"error": code, "message": problemText(ref.Err)})
		return
	}
	status, body := refusal(ref)
	sandbox.WriteJSON(w, status, body)
}

// refusal is the status and body of a refusal on a vendor route.
func refusal(ref contract.Refusal) (int, smartenroll.Error) {
	switch ref.Status {
	case http.StatusNotFound:
		return http.StatusNotFound, smartenroll.Error{Code: ptr(smartenroll.ErrorCodeResourceNotFound), Message: "route does not exist"}
	case http.StatusRequestEntityTooLarge:
		return http.StatusRequestEntityTooLarge, smartenroll.Error{Code: ptr(smartenroll.ErrorCodePayloadTooLarge), Message: problemText(ref.Err)}
	case http.StatusBadRequest:
		if hasRule(ref.Err, contract.RuleSecurity) {
			return http.StatusUnauthorized, unauthorized().body
		}
		code := smartenroll.ErrorCodeInvalidArgument
		if hasRule(ref.Err, contract.RuleRequired) {
			code = smartenroll.ErrorCodeMissingParameter
		}
		return http.StatusConflict, smartenroll.Error{Code: &code, Message: problemText(ref.Err)}
	}
	return http.StatusInternalServerError, smartenroll.Error{Code: ptr(smartenroll.ErrorCodeInternal), Message: "Internal Server Error"}
}

// problemText lists the problems restify-style ("missing body.project\n. invalid
// query.page"); contract problems never quote the values sent.
func problemText(e *contract.Error) string {
	if e == nil || len(e.Problems) == 0 {
		return "request refused"
	}
	var out []string
	for _, p := range e.Problems {
		switch {
		case p.Drift:
			continue
		case p.Rule == contract.RuleRequired:
			out = append(out, "missing "+p.Location)
		case p.Rule == contract.RuleBodyTooLarge:
			out = append(out, p.Message)
		default:
			out = append(out, "invalid "+p.Location+" ("+p.Rule+")")
		}
	}
	if len(out) == 0 {
		return "request refused"
	}
	return strings.Join(out, "\n. ")
}

func hasRule(e *contract.Error, rule string) bool {
	if e == nil {
		return false
	}
	for _, p := range e.Problems {
		if p.Rule == rule && !p.Drift {
			return true
		}
	}
	return false
}
