package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
)

// MiddlewareOptions configure [Middleware]. The zero value validates nothing (ModeOff).
type MiddlewareOptions struct {
	// Mode: ModeReport reports and serves everything; ModeEnforce answers a request that
	// violates the spec with 400, an unknown route with 404, and replaces a response that
	// violates it with 500. Drift is reported, never enforced.
	Mode Mode
	// OnProblem, if set, receives every *Error (request, response, route, drift).
	OnProblem func(*Error)
	// Logger receives one line per *Error; nil means slog.Default().
	Logger *slog.Logger
	// Skip, if set, exempts requests from checking, e.g. emulator control routes:
	//	Skip: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/_sandbox/") }
	Skip func(*http.Request) bool
	// ServeMissingCredentials lets a request whose only violations are missing
	// credentials (rule security) reach the handler instead of a 400, so an emulator
	// answers it as the vendor does (401 in the vendor's own shape). The problem is still
	// reported, and the handler's answer is still checked against the spec.
	ServeMissingCredentials bool
}

// violationBody is what the middleware answers in enforce mode.
type violationBody struct {
	Error    string    `json:"error"`
	Spec     string    `json:"spec,omitempty"`
	Problems []Problem `json:"problems"`
}

// Middleware checks each request and the handler's response against the first of specs
// whose routes match (a whole-path match in a later spec beats a prefixed match). The
// response is buffered so that, in enforce mode, a violating one can be replaced by
// 500 {"error":"contract_violation","problems":[…]}; a violating request gets 400 with the
// same shape, and a route no spec knows gets 404 (rule no-route).
func Middleware(opts MiddlewareOptions, specs ...*Spec) func(http.Handler) http.Handler {
	rep := reporter{onProblem: opts.OnProblem, logger: opts.Logger, side: "server"}
	return func(next http.Handler) http.Handler {
		if opts.Mode == ModeOff {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if opts.Skip != nil && opts.Skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			m, ok := findAcross(specs, r)
			if !ok {
				e := &Error{Problems: []Problem{noRoute(r, specs...)}}
				rep.report(r.Context(), "request", "", e)
				if opts.Mode == ModeEnforce {
					writeViolation(w, http.StatusNotFound, e)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			path := m.route.kin.Path
			if err := m.validateRequest(r); err != nil {
				e := err.(*Error)
				rep.report(r.Context(), "request", path, e)
				if opts.Mode == ModeEnforce && !e.DriftOnly() && !(opts.ServeMissingCredentials && onlySecurity(e)) {
					writeViolation(w, http.StatusBadRequest, e)
					return
				}
			}
			rec := &recorder{header: http.Header{}}
			next.ServeHTTP(rec, r)
			if err := m.validateResponse(r, rec.statusCode(), rec.header, rec.body.Bytes()); err != nil {
				e := err.(*Error)
				rep.report(r.Context(), "response", path, e)
				if opts.Mode == ModeEnforce && !e.DriftOnly() {
					writeViolation(w, http.StatusInternalServerError, e)
					return
				}
			}
			rec.flush(w)
		})
	}
}

// onlySecurity reports whether every violation of e is a missing credential.
func onlySecurity(e *Error) bool {
	for _, p := range e.Violations() {
		if p.Rule != RuleSecurity {
			return false
		}
	}
	return true
}

func writeViolation(w http.ResponseWriter, status int, e *Error) {
	body, _ := json.Marshal(violationBody{Error: "contract_violation", Spec: e.Spec, Problems: e.Problems})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// recorder buffers a handler's response so it can be checked before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

func (r *recorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *recorder) flush(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	w.WriteHeader(r.statusCode())
	_, _ = w.Write(r.body.Bytes())
}

// reporter sends an *Error to the callback and to slog. Log lines carry the spec,
// operation, path template and problems: never raw paths, values or bodies.
type reporter struct {
	onProblem func(*Error)
	logger    *slog.Logger
	side      string // "server" or "client"
}

func (rep reporter) report(ctx context.Context, phase, pathTemplate string, e *Error) {
	if rep.onProblem != nil {
		rep.onProblem(e)
	}
	l := rep.logger
	if l == nil {
		l = slog.Default()
	}
	level, msg := slog.LevelError, "contract violation"
	if e.DriftOnly() {
		level, msg = slog.LevelWarn, "contract drift"
	}
	op := ""
	if len(e.Problems) > 0 {
		op = e.Problems[0].Operation
	}
	l.LogAttrs(ctx, level, msg,
		slog.String("side", rep.side),
		slog.String("phase", phase),
		slog.String("spec", e.Spec),
		slog.String("operation", op),
		slog.String("path", pathTemplate),
		slog.Any("problems", e.Problems),
	)
}
