package contract

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
)

// RoundTripperOptions configure [NewRoundTripper].
type RoundTripperOptions struct {
	// OnProblem, if set, receives every *Error (request, response, route, drift).
	OnProblem func(*Error)
	// Logger receives one line per *Error; nil means slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes caps how much of a response body is buffered for checking; a larger
	// body passes unchecked. Zero means 32 MiB.
	MaxBodyBytes int64
}

// defaultMaxResponseBytes is larger than the server-side DefaultMaxBodyBytes: responses come
// from the vendor we chose to call, and a body too large to check still reaches the caller.
const defaultMaxResponseBytes = 32 << 20

// NewRoundTripper wraps next (nil means http.DefaultTransport) with contract checks for
// a client of the vendor APIs in specs.
//
//   - ModeOff passes everything through untouched.
//   - ModeReport checks requests and responses, reports problems (OnProblem, slog) and
//     passes everything through.
//   - ModeEnforce returns a *Error for a request that violates the spec or that no
//     operation matches — before sending it — and for a response that violates it.
//     Drift is reported and the response returned, and so is a 429 or 5xx the spec
//     does not list (gateways send them for any operation; retries must see them).
//
// The caller's request is never modified: checks run on a clone.
func NewRoundTripper(next http.RoundTripper, mode Mode, opts RoundTripperOptions, specs ...*Spec) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if mode == ModeOff {
		return next
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = defaultMaxResponseBytes
	}
	return &roundTripper{
		next:  next,
		mode:  mode,
		opts:  opts,
		specs: specs,
		rep:   reporter{onProblem: opts.OnProblem, logger: opts.Logger, side: "client"},
	}
}

type roundTripper struct {
	next  http.RoundTripper
	mode  Mode
	opts  RoundTripperOptions
	specs []*Spec
	rep   reporter
}

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	m, ok := findAcross(t.specs, req)
	if !ok {
		e := &Error{Problems: []Problem{noRoute(req, t.specs...)}}
		t.rep.report(req.Context(), "request", "", e)
		if t.mode == ModeEnforce {
			closeBody(req)
			return nil, e
		}
		return t.next.RoundTrip(req)
	}
	path := m.route.kin.Path

	// Check a clone so the caller's request stays as given (RoundTripper contract); when
	// the body cannot be replayed the clone carries the one buffered copy.
	out := req.Clone(req.Context())
	if err := m.validateRequest(out, 0); err != nil {
		e := err.(*Error)
		t.rep.report(req.Context(), "request", path, e)
		if t.mode == ModeEnforce && !e.DriftOnly() {
			closeBody(out)
			if out.Body != req.Body {
				closeBody(req)
			}
			return nil, e
		}
	}

	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	body, complete, err := readCapped(resp.Body, t.opts.MaxBodyBytes)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	if !complete {
		// Too large to check: hand back what was read followed by the rest, unchecked.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := m.validateResponse(out, resp.StatusCode, resp.Header, body); err != nil {
		e := err.(*Error)
		t.rep.report(req.Context(), "response", path, e)
		if t.mode == ModeEnforce && !e.DriftOnly() && !gatewayStatus(resp.StatusCode, e) {
			return nil, e
		}
	}
	return resp, nil
}

// gatewayStatus reports whether a response's only violation is a 429 or 5xx status the
// spec does not list. Vendors' gateways and load balancers answer those for any
// operation, so even in enforce mode they are reported and handed back: the caller's
// retry policy and typed errors must see the real status, not a contract error.
func gatewayStatus(status int, e *Error) bool {
	if status != http.StatusTooManyRequests && status < 500 {
		return false
	}
	for _, p := range e.Violations() {
		if p.Rule != RuleUndocumentedStatus {
			return false
		}
	}
	return true
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		r.Body.Close()
	}
}

// readCapped reads up to max bytes; complete is false when more remain.
func readCapped(rc io.Reader, max int64) (data []byte, complete bool, err error) {
	data, err = io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > max {
		return data, false, nil
	}
	return data, true, nil
}
