package sandbox

import (
	"net/http"
	"sync"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
)

// Inspector is what an emulator shows on the sandbox dashboard: its live state and its
// recent calls. Nothing in an Inspection may be a secret (the emulator's published
// sandbox credentials excepted), an image, or personal data beyond what a tester typed
// into the sandbox and needs to see again to recognise their own journey (a face name).
type Inspector interface {
	Inspect() Inspection
}

// Inspection is one emulator's state for the dashboard, as HTML for people and JSON for
// tools.
type Inspection struct {
	Vendor string `json:"vendor"`
	// Items are the journeys in flight or done: sessions, claims, registrants.
	Items []Item `json:"items"`
	// Calls are the most recent calls first.
	Calls []Call `json:"calls"`
}

// Item is one journey's record: a Verisoul session, an iProov claim, a Verifik
// registrant.
type Item struct {
	Kind    string            `json:"kind"` // "session", "claim", "registration", …
	ID      string            `json:"id"`   // the vendor's id; for a token, a fingerprint
	State   string            `json:"state"`
	Detail  map[string]string `json:"detail,omitempty"`
	Updated time.Time         `json:"updated"`
}

// Call is one call an emulator answered, with the contract kit's verdict.
type Call struct {
	Time      time.Time `json:"time"`
	Method    string    `json:"method"`
	Operation string    `json:"operation,omitempty"` // "" for control endpoints and unknown routes
	Status    int       `json:"status"`
	// Verdict is "ok", "drift" (the vendor may add it: reported, never failed) or
	// "violation".
	Verdict string `json:"verdict"`
	// Problems are "location: rule" of each problem, never values.
	Problems []string `json:"problems,omitempty"`
}

// DefaultCallLogSize is how many calls a CallLog keeps.
const DefaultCallLogSize = 200

// CallLog keeps an emulator's most recent calls for the dashboard, in a ring of fixed
// size. It records the operation (never the raw path: iProov's carries the API key), the
// status the client saw and the contract kit's verdict. Safe for concurrent use.
type CallLog struct {
	opOf  func(*http.Request) string
	clock Clock

	mu    sync.Mutex
	ring  []Call
	next  int
	count int
}

// NewCallLog returns a log of size calls (DefaultCallLogSize if size <= 0); opOf names
// a request's operation, as for NewFaults.
func NewCallLog(size int, clock Clock, opOf func(*http.Request) string) *CallLog {
	if size <= 0 {
		size = DefaultCallLogSize
	}
	if clock == nil {
		clock = SystemClock()
	}
	return &CallLog{opOf: opOf, clock: clock, ring: make([]Call, size)}
}

// Wrap records every call h answers. Put it outermost, so the status is the one the
// client saw (injected faults included).
func (l *CallLog) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, col := contract.WithCollector(r.Context())
		sw := &StatusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r.WithContext(ctx))
		op := ""
		if l.opOf != nil {
			op = l.opOf(r)
		}
		c := Call{Time: l.clock.Now(), Method: r.Method, Operation: op, Status: sw.Status(), Verdict: "ok"}
		for _, e := range col.Problems() {
			if !e.DriftOnly() {
				c.Verdict = "violation"
			} else if c.Verdict == "ok" {
				c.Verdict = "drift"
			}
			for _, p := range e.Problems {
				c.Problems = append(c.Problems, p.Location+": "+p.Rule)
			}
		}
		l.add(c)
	})
}

func (l *CallLog) add(c Call) {
	l.mu.Lock()
	l.ring[l.next] = c
	l.next = (l.next + 1) % len(l.ring)
	if l.count < len(l.ring) {
		l.count++
	}
	l.mu.Unlock()
}

// Calls returns the recorded calls, most recent first.
func (l *CallLog) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Call, 0, l.count)
	for i := 1; i <= l.count; i++ {
		out = append(out, l.ring[(l.next-i+len(l.ring))%len(l.ring)])
	}
	return out
}

// Reset forgets every call.
func (l *CallLog) Reset() {
	l.mu.Lock()
	l.next, l.count = 0, 0
	l.mu.Unlock()
}

// StatusWriter remembers the status a handler wrote, for a log of the calls an
// emulator answered (CallLog, and `idvkit sandbox serve -v`). Status is 0 when the
// handler wrote nothing: the connection was dropped (a fault) before an answer. Unwrap
// lets http.ResponseController reach the connection (Hijack, Flush), which the fault
// injector's drop needs.
type StatusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the first status written.
func (w *StatusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records the implicit 200 of a body written without a status.
func (w *StatusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Status is the status written, 0 if none.
func (w *StatusWriter) Status() int { return w.code }

// Unwrap lets http.ResponseController reach the connection (Hijack, Flush).
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes streaming answers through at once.
func (w *StatusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
