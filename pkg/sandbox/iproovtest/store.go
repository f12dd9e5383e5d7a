package iproovtest

import (
	"math"
	"time"
)

// What the emulator keeps in memory, and for how long. A long-running sandbox (idvkit
// sandbox serve, a soak) must not grow without end: claims and access tokens leave when
// iProov would have expired them, on the emulator's clock, and a cap bounds the rest.
// Enrolled users are kept: they are what the integrator's tests build on.
const (
	// ClaimLife is how long a claim the SDK started (StartCapture or Capture) stays open
	// for its capture and validation. iProov documents only the 2 minute window to claim
	// a token; an hour is the sandbox's own bound, longer than any real capture.
	ClaimLife = time.Hour
	// ClaimMemory is how long an ended claim - validated, used by photo enrol,
	// invalidated, or never claimed within ClaimWindow - is remembered, so a late or
	// repeated call gets the precise answer ("expired", "already used"). Afterwards the
	// token answers as an unknown one does: 400 invalid_token, the same code.
	ClaimMemory = 10 * time.Minute
	// DefaultMaxClaims caps the claims held at once (about 0.7 KB each). At the cap the
	// oldest ended claim is forgotten early; when every claim is still open, the token
	// endpoints answer 429 too_many_requests until one ends. WithMaxClaims changes it.
	DefaultMaxClaims = 10_000
	// DefaultMaxAccessTokens caps the OAuth access tokens held at once. At the cap the
	// oldest token used up (50 requests) is forgotten early; when none is, the token
	// endpoint answers 500 server_error until one expires. WithMaxAccessTokens changes it.
	DefaultMaxAccessTokens = 1_000
	// MaxFailNext caps the FailNext answers queued for one operation.
	MaxFailNext = 100
)

// WithMaxClaims caps the claims the emulator holds at once (default DefaultMaxClaims);
// n <= 0 keeps the default.
func WithMaxClaims(n int) Option {
	return func(cfg *config) {
		if n > 0 {
			cfg.maxClaims = n
		}
	}
}

// WithMaxAccessTokens caps the OAuth access tokens the emulator holds at once (default
// DefaultMaxAccessTokens); n <= 0 keeps the default.
func WithMaxAccessTokens(n int) Option {
	return func(cfg *config) {
		if n > 0 {
			cfg.maxTokens = n
		}
	}
}

// claimQueues hold every claim in a FIFO by what it waits for: to be claimed (issued,
// due ClaimWindow after issue), to be validated (claimed, due ClaimLife after the SDK
// claimed it), to be forgotten (ended, due ClaimMemory after it was validated, used or
// invalidated; expired, due ClaimMemory after its ClaimWindow closed). Each queue adds
// one duration to times that only grow, so its front is always the first due.
type claimQueues struct {
	issued, claimed, ended, expired expiry
}

// tokenQueues hold the access tokens by issue (due AccessTokenLife later) and, once used
// up, in the order they were used up (the first to forget at the cap).
type tokenQueues struct {
	issued, usedUp expiry
}

func (e *Emulator) nextGen() uint64 {
	e.gen++
	return e.gen
}

// issueClaim stores a new claim; e.mu is held.
func (e *Emulator) issueClaim(rec *claimRec) {
	rec.gen = e.nextGen()
	rec.updated = rec.issued
	e.claims[rec.token] = rec
	e.cq.issued.push(rec.token, rec.issued.Add(ClaimWindow), rec.gen)
	e.issuedClaims++
}

// claimStarted records that the SDK claimed rec (from issued); e.mu is held.
func (e *Emulator) claimStarted(rec *claimRec) {
	rec.gen, rec.updated = e.nextGen(), e.now()
	e.cq.claimed.push(rec.token, e.now().Add(ClaimLife), rec.gen)
}

// endClaim moves rec to state (spent or aborted) and starts its ClaimMemory; e.mu is
// held. The captured image is dropped: only the validation that ends the claim uses it.
func (e *Emulator) endClaim(rec *claimRec, state claimState) {
	rec.state, rec.image = state, nil
	e.claimEnded(rec)
}

func (e *Emulator) claimEnded(rec *claimRec) {
	rec.gen, rec.updated = e.nextGen(), e.now()
	e.cq.ended.push(rec.token, e.now().Add(ClaimMemory), rec.gen)
}

// current reports whether a queue entry still speaks for its claim.
func (e *Emulator) current(it expiryItem) bool {
	rec := e.claims[it.key]
	return rec != nil && rec.gen == it.gen
}

// sweepClaims expires and forgets what is due; e.mu is held.
func (e *Emulator) sweepClaims() {
	now := e.now()
	e.cq.issued.popDue(now, func(it expiryItem) {
		if rec := e.claims[it.key]; rec != nil && rec.gen == it.gen {
			// Never claimed: expired at it.due, remembered a while to say so.
			rec.gen = e.nextGen()
			e.cq.expired.push(it.key, it.due.Add(ClaimMemory), rec.gen)
		}
	})
	e.cq.claimed.popDue(now, func(it expiryItem) {
		if e.current(it) {
			delete(e.claims, it.key) // claimed, never validated, past ClaimLife
		}
	})
	forget := func(it expiryItem) {
		if e.current(it) {
			delete(e.claims, it.key)
		}
	}
	e.cq.ended.popDue(now, forget)
	e.cq.expired.popDue(now, forget)
	for _, q := range []*expiry{&e.cq.issued, &e.cq.claimed, &e.cq.ended, &e.cq.expired} {
		q.compact(e.cfg.maxClaims, e.current)
	}
}

// roomForClaim makes room for one more claim under the cap, forgetting the oldest ended
// claims first; e.mu is held. When every claim held is still open it refuses, as
// iProov's rate limiter would, with the wait until the first open claim can end.
func (e *Emulator) roomForClaim() *failure {
	e.sweepClaims()
	for len(e.claims) >= e.cfg.maxClaims {
		q := e.oldestEnded()
		if q == nil {
			f := fail(429, "too_many_requests", "Too many claims are open at once")
			f.retryAfter = e.untilAClaimEnds()
			return f
		}
		it, _ := q.front()
		q.pop()
		if e.current(it) {
			delete(e.claims, it.key)
		}
	}
	return nil
}

// oldestEnded returns the queue of ended claims whose front ended first, nil when no
// claim has ended; e.mu is held.
func (e *Emulator) oldestEnded() *expiry {
	ended, okE := e.cq.ended.front()
	expired, okX := e.cq.expired.front()
	switch {
	case okE && (!okX || !expired.due.Before(ended.due)):
		return &e.cq.ended
	case okX:
		return &e.cq.expired
	}
	return nil
}

// untilAClaimEnds is the whole seconds (at least 1) until the first open claim's
// deadline; e.mu is held.
func (e *Emulator) untilAClaimEnds() int {
	wait := ClaimLife
	for _, q := range []*expiry{&e.cq.issued, &e.cq.claimed} {
		if it, ok := q.front(); ok {
			wait = min(wait, it.due.Sub(e.now()))
		}
	}
	return max(1, int(math.Ceil(wait.Seconds())))
}

// sweepTokens forgets the access tokens past AccessTokenLife; e.mu is held.
func (e *Emulator) sweepTokens() {
	e.tq.issued.popDue(e.now(), func(it expiryItem) { delete(e.tokens, it.key) })
	live := func(it expiryItem) bool { return e.tokens[it.key] != nil }
	e.tq.issued.compact(e.cfg.maxTokens, live)
	e.tq.usedUp.compact(e.cfg.maxTokens, live)
}

// roomForToken makes room for one more access token under the cap, forgetting the
// oldest used-up token first; e.mu is held. It reports false when every token held can
// still be used.
func (e *Emulator) roomForToken() bool {
	e.sweepTokens()
	for len(e.tokens) >= e.cfg.maxTokens {
		it, ok := e.tq.usedUp.front()
		if !ok {
			return false
		}
		e.tq.usedUp.pop()
		delete(e.tokens, it.key)
	}
	return true
}

// storeToken keeps a new access token; e.mu is held.
func (e *Emulator) storeToken(token string, at *accessRec) {
	e.tokens[token] = at
	e.tq.issued.push(token, at.issued.Add(AccessTokenLife), 0)
	e.issuedTokens++
}
