package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names a misbehaviour of the network or the vendor that an emulator can inject.
type FaultKind string

const (
	// FaultError answers with Status (500, 502 or 503; default 503) before the emulator
	// sees the request: nothing was recorded.
	FaultError FaultKind = "error"
	// FaultRateLimit answers 429 with Retry-After before the emulator sees the request.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultLatency delays the request by Latency, then serves it.
	FaultLatency FaultKind = "latency"
	// FaultDrop closes the connection before the emulator sees the request.
	FaultDrop FaultKind = "drop"
	// FaultTruncate serves the request, then cuts the response body short and closes the
	// connection: the emulator recorded the call but the client never learns its result.
	FaultTruncate FaultKind = "truncate"
	// FaultDrift serves the request and adds what a vendor may legitimately add without
	// notice: an unknown top-level field, and the values in Set (dotted JSON paths), for
	// example an enum value the spec does not list.
	FaultDrift FaultKind = "drift"
)

// FaultRule injects one kind of fault into a fraction of the calls.
type FaultRule struct {
	// Operation is the spec's operationId the rule applies to; empty means every operation.
	Operation string    `json:"operation,omitempty"`
	Kind      FaultKind `json:"kind"`
	// Rate is the fraction of matching calls that get the fault, 0 to 1. Rules share one
	// roll of the dice per call, so the rates of the rules matching a call add up: 0.1 of
	// errors and 0.1 of drops fault 20% of the calls. Past a total of 1, earlier rules win.
	Rate float64 `json:"rate"`
	// Status is the HTTP status of FaultError: 500, 502, 503 or another 5xx (default 503).
	Status int `json:"status,omitempty"`
	// RetryAfter is the Retry-After of FaultRateLimit, in seconds (default 1).
	RetryAfter int `json:"retry_after,omitempty"`
	// RetryAfterJitter draws each answer's Retry-After uniformly from 0 to RetryAfter
	// seconds, so clients see both "now" and a real wait.
	RetryAfterJitter bool `json:"retry_after_jitter,omitempty"`
	// RetryAfterDate sends Retry-After as an HTTP-date that many seconds from now instead
	// of as seconds, the other form RFC 9110 allows.
	RetryAfterDate bool `json:"retry_after_date,omitempty"`
	// LatencyMS is the delay of FaultLatency in milliseconds.
	LatencyMS int `json:"latency_ms,omitempty"`
	// Set holds dotted JSON paths and the values FaultDrift writes there.
	Set map[string]any `json:"set,omitempty"`
}

func (r FaultRule) validate() error {
	switch r.Kind {
	case FaultError, FaultRateLimit, FaultLatency, FaultDrop, FaultTruncate, FaultDrift:
	default:
		return fmt.Errorf("sandbox: unknown fault kind %q", r.Kind)
	}
	if r.Rate < 0 || r.Rate > 1 {
		return fmt.Errorf("sandbox: fault rate %v outside 0..1", r.Rate)
	}
	if r.Kind == FaultError && r.Status != 0 && (r.Status < 500 || r.Status > 599) {
		return fmt.Errorf("sandbox: fault status %d is not a 5xx", r.Status)
	}
	if r.RetryAfter < 0 || r.LatencyMS < 0 {
		return fmt.Errorf("sandbox: negative retry_after or latency_ms")
	}
	// Bounds keep a typo in a control request from parking requests for days.
	if r.LatencyMS > MaxLatencyMS || r.RetryAfter > MaxRetryAfter {
		return fmt.Errorf("sandbox: latency_ms above %d or retry_after above %d", MaxLatencyMS, MaxRetryAfter)
	}
	return nil
}

// Upper bounds of a FaultRule's LatencyMS (milliseconds) and RetryAfter (seconds).
const (
	MaxLatencyMS  = 60_000
	MaxRetryAfter = 3_600
)

// Faults injects faults in front of an emulator. The zero value is not usable; call NewFaults.
// It is safe for concurrent use.
type Faults struct {
	opOf func(*http.Request) string
	// errorBody builds the body of injected 5xx and 429 answers in the vendor's own error
	// shape, so a client decodes them as it would the vendor's.
	errorBody func(status int) any
	// documents, if set, tells whether an operation documents a status; injected errors
	// and rate limits then answer only where the vendor's spec says they can.
	documents func(op string, status int) bool

	mu         sync.Mutex
	allowHosts []string // extra Host names the control endpoint answers (see GuardControl)
	rules      []FaultRule
	rng        *rand.Rand
	counts     map[string]int
}

// NewFaults returns an injector whose random choices are repeatable for a seed. opOf
// names the operation of a request (typically a contract.Spec's FindOperation); nil means
// rules with an Operation never match.
func NewFaults(seed uint64, opOf func(*http.Request) string) *Faults {
	return &Faults{
		opOf:   opOf,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		counts: map[string]int{},
	}
}

// SetErrorBody makes injected 5xx and 429 answers carry fn(status) as their JSON body,
// so they look like the vendor's own errors. Emulators call it once at construction.
func (f *Faults) SetErrorBody(fn func(status int) any) {
	f.mu.Lock()
	f.errorBody = fn
	f.mu.Unlock()
}

func (f *Faults) bodyFor(status int, fallback any) any {
	f.mu.Lock()
	fn := f.errorBody
	f.mu.Unlock()
	if fn == nil {
		return fallback
	}
	return fn(status)
}

// AllowHosts adds Host names, beyond loopback and the server's own address, from which
// the fault control endpoint may be used (see [GuardControl]), e.g. a docker service
// name. Emulators pass their WithAllowedHosts option here.
func (f *Faults) AllowHosts(hosts ...string) {
	n := normalizeHosts(hosts)
	f.mu.Lock()
	f.allowHosts = append(f.allowHosts, n...)
	f.mu.Unlock()
}

// SetDocumented makes the injector keep to the answers the vendor's spec documents:
// an error or rate-limit rule does not fire on an operation that does not document its
// status (a rule for every operation skips those), and Set refuses a rule naming an
// operation that does not. Emulators pass their spec's [contract.Spec.Documents].
func (f *Faults) SetDocumented(fn func(op string, status int) bool) {
	f.mu.Lock()
	f.documents = fn
	f.mu.Unlock()
}

// answers is the status a rule answers with, 0 for kinds the emulator answers itself.
func (r FaultRule) answers() int {
	switch r.Kind {
	case FaultError:
		if r.Status == 0 {
			return http.StatusServiceUnavailable
		}
		return r.Status
	case FaultRateLimit:
		return http.StatusTooManyRequests
	}
	return 0
}

// undocumented reports whether rule would answer op with a status its spec does not
// document. Call with f.mu held.
func (f *Faults) undocumented(rule FaultRule, op string) bool {
	status := rule.answers()
	return status != 0 && f.documents != nil && op != "" && !f.documents(op, status)
}

// Set replaces the rules.
func (f *Faults) Set(rules ...FaultRule) error {
	for _, r := range rules {
		if err := r.validate(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	for _, r := range rules {
		if r.Operation != "" && f.undocumented(r, r.Operation) {
			f.mu.Unlock()
			return fmt.Errorf("sandbox: operation %q does not document status %d", r.Operation, r.answers())
		}
	}
	f.rules = append([]FaultRule(nil), rules...)
	f.mu.Unlock()
	return nil
}

// Clear removes every rule.
func (f *Faults) Clear() { _ = f.Set() }

// Counts returns how many faults of each kind were injected so far, keyed by kind.
func (f *Faults) Counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// pick returns the fault to inject into a call of op, if any. One roll per call: the
// matching rules share [0, 1) in order, each taking a slice as wide as its Rate.
func (f *Faults) pick(op string) (FaultRule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rules) == 0 {
		return FaultRule{}, false
	}
	roll, edge := f.rng.Float64(), 0.0
	for _, r := range f.rules {
		if r.Operation != "" && r.Operation != op || f.undocumented(r, op) {
			continue
		}
		edge += r.Rate
		if roll < edge {
			f.counts[string(r.Kind)]++
			return r, true
		}
	}
	return FaultRule{}, false
}

// retryAfter is the Retry-After header value of a FaultRateLimit answer.
func (f *Faults) retryAfter(rule FaultRule) string {
	secs := rule.RetryAfter
	if secs <= 0 && !rule.RetryAfterJitter {
		secs = 1
	}
	if rule.RetryAfterJitter && secs > 0 {
		f.mu.Lock()
		secs = f.rng.IntN(secs + 1)
		f.mu.Unlock()
	}
	if rule.RetryAfterDate {
		return time.Now().Add(time.Duration(secs) * time.Second).UTC().Format(http.TimeFormat)
	}
	return strconv.Itoa(secs)
}

// ControlPath is where Wrap serves the fault control endpoint: GET lists the rules and
// counts, PUT replaces the rules with a JSON array of FaultRule, DELETE clears them.
const ControlPath = "/_sandbox/faults"

// Wrap returns h with faults injected into every call outside /_sandbox/, and the control
// endpoint served at ControlPath behind [GuardControl]: a web page must not be able to
// install a rule that drops every call.
func (f *Faults) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == ControlPath {
			f.mu.Lock()
			allow := f.allowHosts
			f.mu.Unlock()
			if guardControl(w, r, allow) {
				f.serveControl(w, r)
			}
			return
		}
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			h.ServeHTTP(w, r)
			return
		}
		op := ""
		if f.opOf != nil {
			op = f.opOf(r)
		}
		rule, ok := f.pick(op)
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		f.inject(rule, h, w, r)
	})
}

func (f *Faults) inject(rule FaultRule, h http.Handler, w http.ResponseWriter, r *http.Request) {
	switch rule.Kind {
	case FaultError:
		status := rule.answers()
		WriteJSON(w, status, f.bodyFor(status, map[string]string{"error": "sandbox_injected_fault", "message": http.StatusText(status)}))
	case FaultRateLimit:
		w.Header().Set("Retry-After", f.retryAfter(rule))
		WriteJSON(w, http.StatusTooManyRequests, f.bodyFor(http.StatusTooManyRequests, map[string]string{"error": "rate_limited", "message": "Too Many Requests"}))
	case FaultLatency:
		t := time.NewTimer(time.Duration(rule.LatencyMS) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	case FaultDrop:
		closeConn(w)
	case FaultTruncate:
		rec := newRecorder()
		h.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		copyHeader(w.Header(), rec.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		closeConn(w)
	case FaultDrift:
		rec := newRecorder()
		h.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if strings.Contains(rec.header.Get("Content-Type"), "json") {
			body = addDrift(body, rule.Set)
		}
		copyHeader(w.Header(), rec.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	}
}

// DriftField is the unknown top-level field FaultDrift adds to JSON object responses.
const DriftField = "sandbox_drift_field"

func addDrift(body []byte, set map[string]any) []byte {
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return body
	}
	obj[DriftField] = "a field the spec does not list"
	for path, v := range set {
		setPath(obj, strings.Split(path, "."), v)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// setPath writes v at an existing dotted path; missing paths are left alone so drift
// never invents structure a schema would reject.
func setPath(obj map[string]any, path []string, v any) {
	for i, k := range path {
		cur, ok := obj[k]
		if !ok {
			return
		}
		if i == len(path)-1 {
			obj[k] = v
			return
		}
		next, ok := cur.(map[string]any)
		if !ok {
			return
		}
		obj = next
	}
}

func (f *Faults) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		f.mu.Lock()
		state := map[string]any{"rules": append([]FaultRule{}, f.rules...), "counts": f.counts}
		data, _ := json.Marshal(state)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	case http.MethodPut, http.MethodPost:
		var rules []FaultRule
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rules); err != nil {
			if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
				WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body_too_large", "message": "fault rules are limited to 1 MiB"})
				return
			}
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_rules", "message": err.Error()})
			return
		}
		if err := f.Set(rules...); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_rules", "message": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		f.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// WriteJSON answers v as JSON with status, for emulator answers made outside the
// generated handlers (control endpoints, injected faults, pre-contract refusals).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// closeConn drops the client's connection without an HTTP response.
// The ResponseController reaches the connection through wrappers (a CallLog's).
func closeConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int)   { r.status = s }
func (r *recorder) Write(b []byte) (int, error) {
	return r.body.Write(b)
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}
