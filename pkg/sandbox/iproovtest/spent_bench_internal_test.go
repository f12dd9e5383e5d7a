package iproovtest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// cycle issues an enrol token for user, captures it and validates it: the token ends
// spent, remembered for ClaimMemory.
func cycle(t testing.TB, e *Emulator, user string) {
	rec := issue(t, e, user)
	if err := e.Capture(rec.token, Capture{Face: user}); err != nil {
		t.Fatal(err)
	}
	if _, f := e.validation(claim.Enrol, claim.ClaimValidateRequest{ApiKey: DefaultAPIKey, Secret: DefaultSecret, UserId: user, Token: rec.token}, nil); f != nil {
		t.Fatal(f.status, f.code)
	}
}

// spentEmulator holds n spent tokens, its claim cap at n+1 so that every new token
// pushes out the oldest spent one and n stays n however long the benchmark runs.
func spentEmulator(t testing.TB, n int) *Emulator {
	e := New(WithClock(sandbox.NewFakeClock(time.Unix(0, 0)).Now), WithMaxClaims(n+1))
	for i := range n {
		cycle(t, e, "held-"+strconv.Itoa(i))
	}
	return e
}

// TestSpentTokensStayAtTheCap: at the cap, each validated token pushes out the oldest
// spent one, and the queues stay within their bound (what makes BenchmarkSpentValidate's
// held count steady).
func TestSpentTokensStayAtTheCap(t *testing.T) {
	const n = 500
	e := spentEmulator(t, n)
	for i := range 3 * n {
		cycle(t, e, "more-"+strconv.Itoa(i))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	require.LessOrEqual(t, len(e.claims), n+1)
	require.LessOrEqual(t, e.cq.ended.len(), 2*(n+1)+65)
}

// BenchmarkSpentValidate is one token's life at the emulator (issue, capture, validate)
// while n spent tokens are remembered: O(1) means the same figure at every n.
func BenchmarkSpentValidate(b *testing.B) {
	for _, n := range []int{0, 1_000, 4_096, 32_000} {
		b.Run("spent="+strconv.Itoa(n), func(b *testing.B) {
			e := spentEmulator(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				cycle(b, e, "b"+strconv.Itoa(i))
				i++
			}
		})
	}
}
