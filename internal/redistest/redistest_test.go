package redistest

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartKillRestart(t *testing.T) {
	s := Start(t)
	require.True(t, ping(s.Addr), "answers once started")
	s.Kill()
	assert.False(t, ping(s.Addr), "gone after Kill")
	s.Kill() // twice is fine
	s.Restart()
	assert.True(t, ping(s.Addr), "back on the same address")
}

// fakeTB records how Start gave up, ending its goroutine as testing does.
type fakeTB struct {
	testing.TB
	skipped, fatal string
}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Skip(args ...any)          { f.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (f *fakeTB) Fatal(args ...any)         { f.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (f *fakeTB) Fatalf(s string, a ...any) { f.fatal = fmt.Sprintf(s, a...); runtime.Goexit() }

func TestMissingBinary(t *testing.T) {
	t.Setenv("IDVKIT_REDIS_SERVER", "")
	t.Setenv("PATH", t.TempDir())
	require.Empty(t, Find())
	tests := []struct {
		ci          string
		skip, fatal bool
	}{
		{ci: "", skip: true},
		{ci: "true", fatal: true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			f := &fakeTB{TB: t}
			done := make(chan struct{})
			go func() { defer close(done); Start(f) }()
			<-done
			assert.Equal(t, tt.skip, f.skipped != "", f.skipped)
			assert.Equal(t, tt.fatal, f.fatal != "", f.fatal)
			assert.Contains(t, f.skipped+f.fatal, "apt-get install redis-server")
		})
	}
}
