// Package contract checks HTTP traffic against idvkit's vendor OpenAPI specs.
//
// A [Kit] holds every spec under api/, parsed and validated once (kin-openapi, examples
// validation on). A [Spec] validates one request or response and returns every problem at
// once as an [*Error]; each [Problem] names the operation, the location
// ("body.metadata.session_id", "query.simulate", "header.x-api-key", "status"), the rule
// and a message that never repeats the offending value (values may be PII or secrets).
//
// Three ways in: [Middleware] for servers (the sandbox emulators), [NewRoundTripper] for
// clients, and for tests the helpers of package contracttest (RequireValidRequest,
// RequireValidResponse, RequireNoDrift), kept apart so that no binary links test code.
//
// Drift versus violations: vendors legitimately add response properties and enum values.
// Those problems are marked Drift; they are reported (callback and slog) but never fail
// live traffic, in report or enforce mode. True violations (wrong type, missing required
// field, undocumented status, a request the spec does not allow) are reported in report
// mode and fail in enforce mode. contracttest.RequireValidResponse tolerates drift (it
// logs it); contracttest.RequireNoDrift fails on it. errors.Is(err, [ErrDrift]) is true when every problem of an
// [*Error] is drift.
//
// Unknown properties in a request are violations, not drift: the request is ours to get
// right, and a property the vendor does not document is usually a typo.
//
// Routing ignores the specs' servers: an operation is found by matching its path template
// against the end of the request path, so httptest URLs and any base path prefix work.
//
// Memory: multipart and binary uploads are checked while streaming; file parts are
// skipped, never held. A request with GetBody (every client request built from bytes) is
// read through GetBody and not copied; a server request is buffered once, because the
// handler reads it afterwards. JSON bodies are decoded once for both the schema check and
// the drift walk. See BenchmarkValidateMultipart5MB. A buffered body is bounded: the
// [Middleware] refuses one over its operation's limit with 413 (see
// [MiddlewareOptions.MaxBodyBytes]), and a declared Content-Length is never trusted for
// more than the limit.
//
// String formats: "uuid" accepts any version and variant in 8-4-4-4-12 hex form. It is
// registered per validation, not in kin-openapi's global registry, so spec example
// validation at load time does not check uuids.
package contract

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Mode says what a [Middleware] or [NewRoundTripper] does with contract problems.
type Mode int

const (
	// ModeOff validates nothing.
	ModeOff Mode = iota
	// ModeReport validates and reports every problem (OnProblem callback and slog) but
	// lets all traffic through.
	ModeReport
	// ModeEnforce rejects traffic with violations (400 for requests and 500 for responses
	// in the middleware, a [*Error] from the round tripper) and reports drift without
	// failing.
	ModeEnforce
)

// String returns "off", "report" or "enforce".
func (m Mode) String() string {
	switch m {
	case ModeOff:
		return "off"
	case ModeReport:
		return "report"
	case ModeEnforce:
		return "enforce"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads "off", "report" or "enforce" (as printed by [Mode.String]).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "off", "":
		return ModeOff, nil
	case "report":
		return ModeReport, nil
	case "enforce":
		return ModeEnforce, nil
	}
	return ModeOff, fmt.Errorf("contract: unknown mode %q (want off, report or enforce)", s)
}

// Rules name what a [Problem] breaks. Schema keywords (minLength, pattern, oneOf, …) are
// used as rules too, verbatim.
const (
	RuleRequired             = "required"
	RuleType                 = "type"
	RuleEnum                 = "enum"
	RuleFormat               = "format"
	RuleAdditionalProperties = "additionalProperties"
	RuleUndocumentedStatus   = "undocumented-status"
	RuleNoRoute              = "no-route"
	RuleContentType          = "content-type"
	RuleSecurity             = "security"
	RuleDecode               = "decode"
	RuleTooLarge             = "too-large"
	// RuleBodyTooLarge: a request body over the limit of its operation (see
	// [MiddlewareOptions.MaxBodyBytes]); the middleware answers it with 413.
	RuleBodyTooLarge = "body-too-large"
)

// ErrDrift matches (errors.Is) an [*Error] whose problems are all drift: the vendor sent
// something the spec does not list yet (a property, an enum value) but nothing the spec
// forbids.
var ErrDrift = errors.New("contract: drift")

// Problem is one way a request or response departs from its spec.
type Problem struct {
	// Operation is the spec's operationId ("enroll"), or "METHOD /path" when the
	// operation has none; empty for a request no operation matches.
	Operation string `json:"operation,omitempty"`
	// Location is where: "body.metadata.session_id", "query.simulate",
	// "header.x-api-key", "path.token", "status", "route".
	Location string `json:"location"`
	// Rule is what was broken (see the Rule constants).
	Rule string `json:"rule"`
	// Message explains the problem without quoting the offending value.
	Message string `json:"message"`
	// Drift marks problems a vendor may legitimately cause: an unknown response property
	// or enum value.
	Drift bool `json:"drift,omitempty"`
}

// String formats the problem as "operation: location: rule: message".
func (p Problem) String() string {
	var b strings.Builder
	if p.Operation != "" {
		b.WriteString(p.Operation)
		b.WriteString(": ")
	}
	b.WriteString(p.Location)
	b.WriteString(": ")
	b.WriteString(p.Rule)
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Drift {
		b.WriteString(" (drift)")
	}
	return b.String()
}

// Error carries every problem found in one request or response.
type Error struct {
	// Spec is the spec's name ("verisoul/facematch"); empty when no spec knew the route.
	Spec     string    `json:"spec,omitempty"`
	Problems []Problem `json:"problems"`
}

// Error lists every problem. It never contains request or response values.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("contract")
	if e.Spec != "" {
		b.WriteString(" ")
		b.WriteString(e.Spec)
	}
	if e.DriftOnly() {
		b.WriteString(": drift")
	} else {
		b.WriteString(": violation")
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrDrift) true when every problem is drift.
func (e *Error) Is(target error) bool {
	return target == ErrDrift && e.DriftOnly()
}

// DriftOnly reports whether there is at least one problem and every problem is drift.
func (e *Error) DriftOnly() bool {
	if e == nil || len(e.Problems) == 0 {
		return false
	}
	for _, p := range e.Problems {
		if !p.Drift {
			return false
		}
	}
	return true
}

// Violations returns the problems that are not drift.
func (e *Error) Violations() []Problem {
	var out []Problem
	for _, p := range e.Problems {
		if !p.Drift {
			out = append(out, p)
		}
	}
	return out
}

// DriftProblems returns the drift problems.
func (e *Error) DriftProblems() []Problem {
	var out []Problem
	for _, p := range e.Problems {
		if p.Drift {
			out = append(out, p)
		}
	}
	return out
}

// asError turns collected problems into nil or an *Error.
func asError(spec string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	ps := dedupe(problems)
	// A stable order (status and route first, then by location) keeps logs and test
	// output comparable from run to run.
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Location, b.Location); c != 0 {
			return c
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return &Error{Spec: spec, Problems: ps}
}

func rank(p Problem) int {
	switch p.Location {
	case "route":
		return 0
	case "status":
		return 1
	}
	return 2
}

func dedupe(ps []Problem) []Problem {
	type key struct{ loc, rule string }
	seen := make(map[key]bool, len(ps))
	out := ps[:0:0]
	for _, p := range ps {
		k := key{p.Location, p.Rule}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}
