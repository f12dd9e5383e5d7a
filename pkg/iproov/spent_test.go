package iproov

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var spentT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestSpentTokens: a token is refused for an hour after it was spent, forgotten after
// that, can be given back, and the memory is bounded however many are spent.
func TestSpentTokens(t *testing.T) {
	tests := []struct {
		name  string
		steps func(t *testing.T, s *spentTokens)
	}{
		{"second use within the hour is refused", func(t *testing.T, s *spentTokens) {
			require.True(t, s.take("a", spentT0))
			assert.False(t, s.take("a", spentT0.Add(spentMemory-time.Second)))
		}},
		{"forgotten after the hour", func(t *testing.T, s *spentTokens) {
			require.True(t, s.take("a", spentT0))
			require.True(t, s.take("b", spentT0.Add(time.Minute)))
			assert.True(t, s.take("a", spentT0.Add(spentMemory)))
			assert.False(t, s.take("b", spentT0.Add(spentMemory)), "b is still within its hour")
		}},
		{"expired tokens leave the memory", func(t *testing.T, s *spentTokens) {
			for i := range 5000 {
				require.True(t, s.take(strconv.Itoa(i), spentT0))
			}
			require.True(t, s.take("late", spentT0.Add(spentMemory)))
			assert.Len(t, s.seen, 1)
			assert.LessOrEqual(t, len(s.queue)-s.head, 1)
		}},
		{"given back, then spent again, is held for its own hour", func(t *testing.T, s *spentTokens) {
			require.True(t, s.take("a", spentT0))
			s.give("a")
			require.True(t, s.take("a", spentT0.Add(30*time.Minute)))
			// The first spending's queue entry expires without forgetting the second.
			require.True(t, s.take("x", spentT0.Add(spentMemory)))
			assert.False(t, s.take("a", spentT0.Add(spentMemory+time.Minute)))
		}},
		{"bounded: past maxSpent the oldest is forgotten", func(t *testing.T, s *spentTokens) {
			for i := range maxSpent + 10 {
				require.True(t, s.take(strconv.Itoa(i), spentT0))
			}
			assert.Len(t, s.seen, maxSpent)
			assert.LessOrEqual(t, len(s.queue)-s.head, maxSpent)
			assert.True(t, s.take("0", spentT0), "the oldest was forgotten early")
			assert.False(t, s.take(strconv.Itoa(maxSpent+9), spentT0), "the newest is held")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.steps(t, &spentTokens{}) })
	}
}

// BenchmarkSpentTake is one validation's bookkeeping with n tokens already spent within
// the hour: flat in n (it walked the whole map from 4,096 on).
func BenchmarkSpentTake(b *testing.B) {
	for _, n := range []int{0, 4096, 32 << 10, 100_000} {
		b.Run("held="+strconv.Itoa(n), func(b *testing.B) {
			var s spentTokens
			for i := range n {
				s.take("held"+strconv.Itoa(i), spentT0)
			}
			now := spentT0.Add(spentMemory / 2)
			tokens := make([]string, 1<<16)
			for i := range tokens {
				tokens[i] = "new" + strconv.Itoa(i)
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if !s.take(tokens[i%len(tokens)]+strconv.Itoa(i/len(tokens)), now) {
					b.Fatal("refused")
				}
				i++
			}
		})
	}
}
