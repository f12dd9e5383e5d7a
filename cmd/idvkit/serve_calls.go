package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// `sandbox serve -v` logs one line per emulated call: method, operation, status,
// duration and the contract verdict. Never the raw path (iProov's
// /{api_key}/access_token carries the API key, hosted pages carry tokens), a query, a
// header or a body.

// callKey carries a request's *callVerdict through the emulator's handlers.
type callKey struct{}

// callVerdict is what the contract middleware said about one call: "ok" unless it
// logged a violation or drift for it.
type callVerdict struct {
	mu        sync.Mutex
	verdict   string
	operation string
}

func (c *callVerdict) note(verdict, operation string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.verdict != "violation" {
		c.verdict = verdict
	}
	if c.operation == "" {
		c.operation = operation
	}
}

func (c *callVerdict) get() (verdict, operation string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.verdict == "" {
		return "ok", c.operation
	}
	return c.verdict, c.operation
}

// verdictHandler is the emulators' slog handler: it passes every record on and notes
// the contract middleware's "contract violation" and "contract drift" records on the
// call they belong to (the middleware logs them with the request's context). It is how
// serve learns each call's verdict without a hook in the emulators.
type verdictHandler struct{ next slog.Handler }

func (h verdictHandler) Enabled(ctx context.Context, l slog.Level) bool {
	if _, ok := ctx.Value(callKey{}).(*callVerdict); ok {
		return true // a call's verdict is noted whatever the level printed
	}
	return h.next.Enabled(ctx, l)
}

func (h verdictHandler) Handle(ctx context.Context, r slog.Record) error {
	if c, ok := ctx.Value(callKey{}).(*callVerdict); ok {
		verdict := ""
		switch r.Message {
		case "contract violation":
			verdict = "violation"
		case "contract drift":
			verdict = "drift"
		}
		if verdict != "" {
			op := ""
			r.Attrs(func(a slog.Attr) bool {
				if a.Key == "operation" {
					op = a.Value.String()
					return false
				}
				return true
			})
			c.note(verdict, op)
		}
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h verdictHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return verdictHandler{h.next.WithAttrs(as)}
}
func (h verdictHandler) WithGroup(name string) slog.Handler {
	return verdictHandler{h.next.WithGroup(name)}
}

// callNamer names a request's operation from the specs of one mount: the vendor's API
// specs, then its controls (api/sandbox/<name>.yaml) and the faults controls. A request
// none of them knows is a "page" (a hosted page, the SDK stand-in) or "unknown".
type callNamer struct {
	api, controls []*contract.Spec
	// pick orders api for a request: Verisoul's Face Match and ID Check share paths.
	pick func(r *http.Request, specs []*contract.Spec) []*contract.Spec
}

func newCallNamer(name string) callNamer {
	kit := contract.Default()
	var n callNamer
	for _, s := range kit.Specs() {
		switch {
		case strings.HasPrefix(s.Name, name+"/"):
			n.api = append(n.api, s)
		case s.Name == "sandbox/"+name || s.Name == "sandbox/faults":
			n.controls = append(n.controls, s)
		}
	}
	if name == "verisoul" {
		n.pick = verisoulSpecs
	}
	return n
}

// verisoulSpecs puts ID Check first for its requests, by the rule the emulator uses.
func verisoulSpecs(r *http.Request, specs []*contract.Spec) []*contract.Spec {
	idCheck := false
	switch r.URL.Path {
	case "/liveness/verify-id", "/liveness/verify-document":
		idCheck = true
	case "/liveness/session", "/public/liveness-redirect":
		idCheck = r.URL.Query().Has("id")
	}
	if !idCheck {
		return specs
	}
	out := make([]*contract.Spec, 0, len(specs))
	for _, s := range specs {
		if strings.HasSuffix(s.Name, "/idcheck") {
			out = append([]*contract.Spec{s}, out...)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func (n callNamer) operation(r *http.Request) string {
	api := n.api
	if n.pick != nil {
		api = n.pick(r, api)
	}
	for _, group := range [][]*contract.Spec{api, n.controls} {
		for _, s := range group {
			if op, ok := s.FindOperation(r); ok {
				return op
			}
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return "page"
	}
	return "unknown"
}

// logCalls wraps a mount's handler (paths already stripped of the mount's prefix) so
// each call it answers is one log line at Info.
func logCalls(logger *slog.Logger, vendor string, namer callNamer, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &callVerdict{}
		op := namer.operation(r)
		sw := &sandbox.StatusWriter{ResponseWriter: w}
		start := time.Now()
		h.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), callKey{}, c)))
		verdict, problemOp := c.get()
		if (op == "page" || op == "unknown") && problemOp != "" {
			op = problemOp
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "call",
			slog.String("vendor", vendor),
			slog.String("method", r.Method),
			slog.String("operation", op),
			slog.Int("status", sw.Status()),
			slog.Duration("duration", time.Since(start)),
			slog.String("verdict", verdict),
		)
	})
}
