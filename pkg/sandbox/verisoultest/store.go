package verisoultest

import (
	"container/list"
	"time"
)

// Bounds of the emulator's memory. Verisoul creates a session for every GET
// /liveness/session and every (unauthenticated) public redirect; the emulator forgets
// what the vendor would have expired and caps the rest, so a long-running `sandbox serve`
// or a loop of redirects cannot grow it without end.
const (
	// SessionRetention is how long an unenrolled session is kept after its creation. Past
	// EnrollWindow it can only answer session_older_than_30_days; it keeps answering so for
	// as long again, then it is forgotten (session_not_found).
	SessionRetention = 2 * EnrollWindow
	// DefaultMaxSessions caps, per project, the unenrolled sessions created with the API
	// key (GET /liveness/session). Enrolled sessions are not counted: they are the 1:N
	// gallery and are kept.
	DefaultMaxSessions = 10_000
	// DefaultMaxRedirectSessions caps, per project, the unenrolled sessions created by the
	// public redirect, which needs no API key; they are counted apart so that redirects
	// never push out sessions made with the key.
	DefaultMaxRedirectSessions = 1_000
)

// WithMaxSessions sets the per-project cap on unenrolled sessions created with the API
// key (default DefaultMaxSessions). At the cap a new session first pushes out the oldest
// session past the enrol window, then the oldest failed one; when every session is still
// usable, GET /liveness/session answers 429 rather than drop one a caller may still need.
// n <= 0 keeps the default.
func WithMaxSessions(n int) Option {
	return func(e *Emulator) {
		if n > 0 {
			e.maxSessions = n
		}
	}
}

// WithMaxRedirectSessions sets the per-project cap on unenrolled sessions created by the
// public redirect (default DefaultMaxRedirectSessions). At the cap a redirect pushes out
// the oldest expired, then failed, then never-opened redirect session; when every one is
// in use it answers 503. n <= 0 keeps the default.
func WithMaxRedirectSessions(n int) Option {
	return func(e *Emulator) {
		if n > 0 {
			e.maxRedirectSessions = n
		}
	}
}

// pool holds one project's unenrolled sessions of one origin (API key or public
// redirect) in three lists, each oldest first, so the session to evict is always at a
// head: fresh (never opened), open (opened or completed) and done (failed). A session
// leaves its pool when it is enrolled or forgotten. fresh is in creation order; open and
// done are in the order sessions moved there, which is close enough for expiry: a head
// is checked on every new session, so eviction costs O(1) amortised.
type pool struct {
	max               int
	public            bool // created by the public redirect
	fresh, open, done list.List
}

func newPool(max int, public bool) *pool {
	p := &pool{max: max, public: public}
	p.fresh.Init()
	p.open.Init()
	p.done.Init()
	return p
}

func (p *pool) len() int { return p.fresh.Len() + p.open.Len() + p.done.Len() }

// listFor is the list a session in state st belongs to.
func (p *pool) listFor(st State) *list.List {
	switch st {
	case Created:
		return &p.fresh
	case Failed:
		return &p.done
	}
	return &p.open
}

// place files s in its pool's list for its state, or takes it out of the pool once it is
// enrolled. Callers hold e.mu and call it after every change of state.
func (e *Emulator) place(s *session) {
	s.updated = e.clock.Now()
	if s.pool == nil {
		return
	}
	want := s.pool.listFor(s.state)
	if s.accountID != "" {
		want = nil
	}
	if s.list == want {
		return
	}
	if s.list != nil {
		s.list.Remove(s.elem)
	}
	s.list, s.elem = nil, nil
	if want != nil {
		s.list, s.elem = want, want.PushBack(s)
	} else {
		s.pool = nil // enrolled: kept for good
	}
}

// forget drops an unenrolled session from its pool and from the emulator. Callers hold e.mu.
func (e *Emulator) forget(s *session) {
	if s.list != nil {
		s.list.Remove(s.elem)
	}
	s.list, s.elem, s.pool = nil, nil, nil
	delete(e.sessions, s.id)
	e.evicted++
}

func head(l *list.List) *session {
	if f := l.Front(); f != nil {
		return f.Value.(*session)
	}
	return nil
}

// sweep forgets the sessions at the heads of p's lists that are older than
// SessionRetention. Callers hold e.mu.
func (e *Emulator) sweep(p *pool, now time.Time) {
	for _, l := range []*list.List{&p.fresh, &p.open, &p.done} {
		for s := head(l); s != nil && now.Sub(s.created) > SessionRetention; s = head(l) {
			e.forget(s)
		}
	}
}

// makeRoom evicts one session of a full pool, the least useful first: one past the enrol
// window (the vendor has expired it), then the oldest failed one (its user needs a new
// session anyway), then, for the public redirect only, the oldest never opened. It
// reports false when every session may still be needed. Callers hold e.mu.
func (e *Emulator) makeRoom(p *pool, now time.Time) bool {
	for _, l := range []*list.List{&p.fresh, &p.open, &p.done} {
		if s := head(l); s != nil && now.Sub(s.created) > EnrollWindow {
			e.forget(s)
			return true
		}
	}
	if s := head(&p.done); s != nil {
		e.forget(s)
		return true
	}
	if s := head(&p.fresh); s != nil && p.public {
		e.forget(s)
		return true
	}
	return false
}

// admit forgets pr's sessions past SessionRetention (in both pools: either kind of new
// session sweeps both) and makes room for one more session in p. Callers hold e.mu.
func (e *Emulator) admit(pr *project, p *pool, now time.Time) bool {
	e.sweep(pr.keyed, now)
	e.sweep(pr.redirects, now)
	for p.len() >= p.max {
		if !e.makeRoom(p, now) {
			return false
		}
	}
	return true
}

// Stats is what the emulator holds, for tests that check its memory stays bounded.
type Stats struct {
	// Sessions held, enrolled ones included.
	Sessions int
	// EnrolledSessions are the sessions tied to an account (the 1:N gallery, never evicted).
	EnrolledSessions int
	// RedirectSessions are the unenrolled sessions the public redirect created.
	RedirectSessions int
	// EvictedSessions counts the sessions forgotten so far (expired, or pushed out at a cap).
	EvictedSessions int
	// RateLimitKeys and RateLimitEntries size the rate-limit log: one entry per request of
	// a known API key in the current window, never more than the limit per key.
	RateLimitKeys, RateLimitEntries int
}

// Stats returns what the emulator holds now.
func (e *Emulator) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st := Stats{Sessions: len(e.sessions), EvictedSessions: e.evicted, RateLimitKeys: len(e.hits)}
	for _, p := range e.projects {
		st.RedirectSessions += p.redirects.len()
		for _, a := range p.accounts {
			st.EnrolledSessions += len(a.sessions)
		}
	}
	for _, log := range e.hits {
		st.RateLimitEntries += len(log)
	}
	return st
}
