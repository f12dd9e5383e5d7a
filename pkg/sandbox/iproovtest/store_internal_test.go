package iproovtest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

func issue(t testing.TB, e *Emulator, user string) *claimRec {
	rec, f := e.tokenRequest(claim.Enrol, &claim.ServerClaimRequest{ApiKey: DefaultAPIKey, Secret: DefaultSecret, Resource: "r", UserId: user})
	require.Nil(t, f)
	return rec
}

// TestTenThousandExpiredClaimsAreForgotten: 10,000 tokens nobody claimed, the clock
// past their window and memory, one more token: the emulator holds one claim. (The HTTP
// path is exercised by TestClaimsAreForgotten; this one is cheap enough for -race.)
func TestTenThousandExpiredClaimsAreForgotten(t *testing.T) {
	clock := sandbox.NewFakeClock(time.Unix(0, 0))
	e := New(WithClock(clock.Now))
	for i := range 10_000 {
		issue(t, e, "u"+strconv.Itoa(i))
	}
	require.Equal(t, 10_000, e.Stats().HeldClaims)
	clock.Advance(ClaimWindow + ClaimMemory)
	issue(t, e, "one-more")
	st := e.Stats()
	assert.Equal(t, 1, st.HeldClaims)
	assert.Equal(t, 10_001, st.ClaimTokens)
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, q := range map[string]*expiry{"issued": &e.cq.issued, "expired": &e.cq.expired} {
		assert.LessOrEqual(t, q.len(), 1, name)
	}
}

// TestQueuesStayBounded: claims that end and are forgotten early at the cap leave stale
// queue entries behind; the queues drop them, so churn at a standing clock (no entry
// ever falls due) holds no more than a few times the cap.
func TestQueuesStayBounded(t *testing.T) {
	const limit = 10
	e := New(WithClock(sandbox.NewFakeClock(time.Unix(0, 0)).Now), WithMaxClaims(limit))
	for i := range 5_000 {
		rec := issue(t, e, "u"+strconv.Itoa(i))
		e.mu.Lock()
		e.claimStarted(rec)
		e.endClaim(rec, claimAborted)
		e.mu.Unlock()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	assert.LessOrEqual(t, len(e.claims), limit)
	for name, q := range map[string]*expiry{"issued": &e.cq.issued, "claimed": &e.cq.claimed, "ended": &e.cq.ended} {
		assert.LessOrEqual(t, q.len(), 2*limit+65, name)
		// Popped entries are given back once 1,024 of them pile up at the front.
		assert.LessOrEqual(t, cap(q.items), 2*(2*limit+65)+2*1024, name)
	}
}

// BenchmarkIssueClaim measures a token request against an emulator holding held claims
// (run with -bench IssueClaim; the figures go in the report, no test asserts on time).
func BenchmarkIssueClaim(b *testing.B) {
	for _, held := range []int{0, 9_000} {
		b.Run("held="+strconv.Itoa(held), func(b *testing.B) {
			clock := sandbox.NewFakeClock(time.Unix(0, 0))
			e := New(WithClock(clock.Now), WithMaxClaims(held+b.N+1))
			for i := range held {
				issue(b, e, "h"+strconv.Itoa(i))
			}
			b.ResetTimer()
			for i := range b.N {
				issue(b, e, "b"+strconv.Itoa(i))
			}
		})
	}
}
