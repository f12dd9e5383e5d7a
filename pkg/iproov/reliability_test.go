package iproov_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport"
)

// retrying returns a client that retries as the transport's default policy says, sleeping
// on the fake clock and recording each wait.
func (e *env) retrying(slept *[]time.Duration) *iproov.Client {
	return e.newClient(iproov.WithTransport(transport.WithRetryPolicy(transport.RetryPolicy{
		MaxAttempts: 3,
		Sleep: func(_ context.Context, d time.Duration) error {
			*slept = append(*slept, d)
			e.clock.Advance(d)
			return nil
		},
	})))
}

// TestTokenRequestsWaitOutTheRateLimit: a token request (safe to repeat: an unused token
// just expires) answered 429 is sent again after iProov's Retry-After.
func TestTokenRequestsWaitOutTheRateLimit(t *testing.T) {
	e := newEnv(t, []iproovtest.Option{iproovtest.WithRateLimit(1, 10*time.Second)})
	var slept []time.Duration
	c := e.retrying(&slept)
	_, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0020", Resource: "onboarding"})
	require.NoError(t, err)
	_, err = c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0021", Resource: "onboarding"})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{10 * time.Second}, slept)
	assert.Equal(t, []string{"userEnrolServerToken", "userEnrolServerToken", "userEnrolServerToken"}, e.opsSeen())
}

// TestValidationIsNeverRepeated: a validation answered 500 is not sent again, whatever
// the retry policy, since the first one may have spent the token.
func TestValidationIsNeverRepeated(t *testing.T) {
	e := newEnv(t, nil)
	e.enrolled("user-0022", "alice")
	var slept []time.Duration
	c := e.retrying(&slept)
	verify, err := c.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0022", Resource: "login"})
	require.NoError(t, err)
	require.NoError(t, e.emu.CaptureFace(verify.Token, "alice"))
	require.NoError(t, e.emu.FailNext("userVerifyValidate", 500))
	_, err = c.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
	assert.Equal(t, iproov.CodeServerError, iproov.CodeOf(err))
	assert.Empty(t, slept)
	assert.Equal(t, "userVerifyValidate", lastOps(e.opsSeen(), 1)[0])
	assert.Equal(t, []string{"userEnrolServerToken", "userEnrolValidate", "userVerifyServerToken", "userVerifyValidate"}, e.opsSeen(), "one validate, never two")
}
