package iproov_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// TestAccessTokenCache checks the Management API's token is reused within its life (1
// hour or 50 requests, whichever first) and renewed at either end, on the injected clock.
func TestAccessTokenCache(t *testing.T) {
	tests := []struct {
		name       string
		calls      int           // GetUser calls before the clock moves
		advance    time.Duration // then the clock moves
		wantTokens int           // access tokens issued after one more call
	}{
		{"one token for the first call", 0, 0, 1},
		{"the 50th request still uses it", 49, 0, 1},
		{"renewed at the 51st request", 50, 0, 2},
		{"reused shortly before the hour", 1, iproov.AccessTokenLife - 31*time.Second, 1},
		{"renewed before the hour is up", 1, iproov.AccessTokenLife - 30*time.Second, 2},
		{"renewed after the hour", 1, iproov.AccessTokenLife, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.enrolled("user-0010", "alice")
			for i := 0; i < tt.calls; i++ {
				_, err := e.client.GetUser(ctx, "user-0010")
				require.NoError(t, err)
			}
			e.clock.Advance(tt.advance)
			_, err := e.client.GetUser(ctx, "user-0010")
			require.NoError(t, err, "the emulator enforces the same life: a stale token would fail")
			assert.Equal(t, tt.wantTokens, e.emu.Stats().AccessTokens)
			gets := 0
			for _, op := range e.opsSeen() {
				if op == "userGet" {
					gets++
				}
			}
			assert.Equal(t, tt.calls+1, gets, "renewed before use, never after a refusal")
		})
	}
}

// TestAccessTokenRefusedIsRenewedOnce: when iProov refuses a cached token the client
// asks for a new one and repeats the call once.
func TestAccessTokenRefusedIsRenewedOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.enrolled("user-0011", "alice")
	_, err := e.client.GetUser(ctx, "user-0011")
	require.NoError(t, err)
	e.emu.Reset() // iProov forgot the token (and the user)
	e.enrolled("user-0011", "alice")
	_, err = e.client.GetUser(ctx, "user-0011")
	require.NoError(t, err)
	assert.Equal(t, 1, e.emu.Stats().AccessTokens)
	assert.Equal(t, []string{"userGet", "generateToken", "userGet"}, lastOps(e.opsSeen(), 3))
}

func TestAccessTokenScopesAndRefusals(t *testing.T) {
	e := newEnv(t, []iproovtest.Option{iproovtest.WithOAuthScopes(iproovtest.ScopeUserRead)})
	e.enrolled("user-0012", "alice")
	_, err := e.client.DeleteUser(ctx, "user-0012")
	assert.Equal(t, iproov.CodeInvalidOAuth, iproov.CodeOf(err), "a token without the scope is not renewed in a loop")
	assert.Equal(t, 1, e.emu.Stats().AccessTokens)

	limited := e.newClient(iproov.WithScopes(iproov.ScopeUserWrite))
	_, err = limited.GetUser(ctx, "user-0012")
	assert.Equal(t, iproov.CodeInvalidScope, iproov.CodeOf(err))

	wrong := e.newClient(iproov.WithOAuth("someone", "wrong"))
	_, err = wrong.GetUser(ctx, "user-0012")
	assert.Equal(t, iproov.CodeInvalidClient, iproov.CodeOf(err))
}

func lastOps(ops []string, n int) []string {
	if len(ops) < n {
		return ops
	}
	return ops[len(ops)-n:]
}

// TestExpiresInIntegerOrString: iProov's schema types expires_in integer, its own example
// writes the string "3600"; both give the token's life. Anything else reads as 0, which
// generateToken replaces by the documented hour.
func TestExpiresInIntegerOrString(t *testing.T) {
	tests := []struct {
		raw  string
		want int
	}{
		{`3600`, 3600},
		{`"3600"`, 3600},
		{`"120"`, 120},
		{`"an hour"`, 0},
		{`3600.5`, 0},
		{`null`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := iproov.ExpiresInOf(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
