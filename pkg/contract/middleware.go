package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
)

// MiddlewareOptions configure [Middleware]. The zero value validates nothing (ModeOff)
// and bounds request bodies at DefaultMaxBodyBytes.
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
	// The body limit still applies to them.
	Skip func(*http.Request) bool
	// ServeMissingCredentials lets a request whose only violations are missing
	// credentials (rule security) reach the handler instead of a 400, so an emulator
	// answers it as the vendor does (401 in the vendor's own shape). The problem is still
	// reported, and the handler's answer is still checked against the spec.
	ServeMissingCredentials bool
	// MaxBodyBytes bounds every request body, in every mode (ModeOff included: the limit is
	// safety, not validation). 0 means DefaultMaxBodyBytes. An operation whose spec declares a
	// larger request (string/binary fields with maxLength, e.g. base64 images, or an
	// `x-idvkit-max-body-bytes` extension on the operation's requestBody) gets that larger
	// limit. A declared Content-Length over the limit is refused before anything is read; a
	// chunked body is read only up to the limit; the answer is 413.
	//
	// A body of unknown length (chunked) that the middleware does not validate (ModeOff,
	// Skip, an unknown route in report mode) is buffered, up to the limit, before the
	// handler runs, so that it can still be refused with 413. A refusal is reported
	// (OnProblem, Logger) except in ModeOff.
	MaxBodyBytes int64
	// Refuse, if set, writes every answer the middleware itself makes (400 request violation,
	// 404 no route, 413 body too large, 500 response violation) — so an emulator answers in the
	// vendor's own error shape, documented for that operation. nil keeps the generic
	// {"error":"contract_violation",...} body.
	Refuse func(w http.ResponseWriter, r *http.Request, ref Refusal)
}

// Refusal is an answer the middleware makes itself.
type Refusal struct {
	Status    int    // 400, 404, 413 or 500
	Operation string // the operationId the request matched; "" for 404
	Err       *Error // the problems found (for 413: one Problem with Rule RuleBodyTooLarge)
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
// same shape, and a route no spec knows gets 404 (rule no-route). opts.Refuse replaces
// that shape.
//
// In every mode a request body over its operation's limit (see
// [MiddlewareOptions.MaxBodyBytes]) is answered 413, with Connection: close; no more than
// the limit plus one byte of it is read.
func Middleware(opts MiddlewareOptions, specs ...*Spec) func(http.Handler) http.Handler {
	rep := reporter{onProblem: opts.OnProblem, logger: opts.Logger, side: "server"}
	base := opts.MaxBodyBytes
	if base <= 0 {
		base = DefaultMaxBodyBytes
	}
	refuse := func(w http.ResponseWriter, r *http.Request, status int, op string, e *Error) {
		if status == http.StatusRequestEntityTooLarge {
			// The rest of the body is never read: the connection cannot carry another request.
			w.Header().Set("Connection", "close")
		}
		if opts.Refuse != nil {
			opts.Refuse(w, r, Refusal{Status: status, Operation: op, Err: e})
			return
		}
		writeViolation(w, status, e)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m, found := findAcross(specs, r)
			limit, op, specName := base, "", ""
			if found {
				limit, op, specName = m.route.bodyLimit(base), m.route.opID, m.spec.Name
			}
			tooLarge := func() {
				e := &Error{Spec: specName, Problems: []Problem{{
					Operation: op, Location: "body", Rule: RuleBodyTooLarge, Message: tooLargeMessage(limit),
				}}}
				if opts.Mode != ModeOff {
					rep.report(r.Context(), "request", routePath(m, found), e)
				}
				refuse(w, r, http.StatusRequestEntityTooLarge, op, e)
			}
			if r.ContentLength > limit {
				tooLarge()
				return
			}
			hasBody := r.Body != nil && r.Body != http.NoBody
			if hasBody {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			passThrough := func() {
				if hasBody && r.ContentLength <= 0 {
					data, err := readAllSized(r.Body, -1, limit)
					r.Body.Close()
					switch {
					case isTooLarge(err):
						tooLarge()
						return
					case err != nil:
						// The client broke the body off: nothing useful can be served.
						e := &Error{Spec: specName, Problems: []Problem{{
							Operation: op, Location: "body", Rule: RuleDecode, Message: "request body cannot be read",
						}}}
						refuse(w, r, http.StatusBadRequest, op, e)
						return
					}
					r.Body = io.NopCloser(bytes.NewReader(data))
					r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
					r.ContentLength = int64(len(data))
				}
				next.ServeHTTP(w, r)
			}
			if opts.Mode == ModeOff || (opts.Skip != nil && opts.Skip(r)) {
				passThrough()
				return
			}
			if !found {
				e := &Error{Problems: []Problem{noRoute(r, specs...)}}
				rep.report(r.Context(), "request", "", e)
				if opts.Mode == ModeEnforce {
					refuse(w, r, http.StatusNotFound, "", e)
					return
				}
				passThrough()
				return
			}
			path := m.route.kin.Path
			if err := m.validateRequest(r, limit); err != nil {
				e := err.(*Error)
				if hasRule(e, RuleBodyTooLarge) {
					tooLarge()
					return
				}
				rep.report(r.Context(), "request", path, e)
				if opts.Mode == ModeEnforce && !e.DriftOnly() && !(opts.ServeMissingCredentials && onlySecurity(e)) {
					refuse(w, r, http.StatusBadRequest, op, e)
					return
				}
			}
			rec := &recorder{header: http.Header{}}
			next.ServeHTTP(rec, r)
			if err := m.validateResponse(r, rec.statusCode(), rec.header, rec.body.Bytes()); err != nil {
				e := err.(*Error)
				rep.report(r.Context(), "response", path, e)
				if opts.Mode == ModeEnforce && !e.DriftOnly() {
					refuse(w, r, http.StatusInternalServerError, op, e)
					return
				}
			}
			rec.flush(w)
		})
	}
}

func routePath(m matchResult, found bool) string {
	if !found {
		return ""
	}
	return m.route.kin.Path
}

func hasRule(e *Error, rule string) bool {
	for _, p := range e.Problems {
		if p.Rule == rule {
			return true
		}
	}
	return false
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
	if c := collectorOf(ctx); c != nil {
		c.add(e)
	}
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
