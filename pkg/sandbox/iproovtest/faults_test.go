package iproovtest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport"
)

// TestInjectedErrorsInIProovShape: injected 5xx and 429 answers carry iProov's own error
// bodies, so the real client reads iProov's codes from them.
func TestInjectedErrorsInIProovShape(t *testing.T) {
	tests := []struct {
		rule   sandbox.FaultRule
		status int
		code   iproov.ErrorCode
	}{
		{sandbox.FaultRule{Kind: sandbox.FaultError, Rate: 1, Status: 500}, 500, iproov.CodeServerError},
		{sandbox.FaultRule{Kind: sandbox.FaultError, Rate: 1, Status: 503}, 503, iproov.CodeServerError},
		{sandbox.FaultRule{Kind: sandbox.FaultRateLimit, Rate: 1}, 429, iproov.CodeTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			emu := iproovtest.New()
			srv := httptest.NewServer(emu.Handler())
			defer srv.Close()
			require.NoError(t, emu.Faults().Set(tt.rule))
			c, err := iproov.New(emu.APIKey(), emu.Secret(), iproov.WithBaseURL(srv.URL),
				iproov.WithTransport(transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})))
			require.NoError(t, err)
			_, err = c.EnrolToken(t.Context(), iproov.TokenRequest{UserID: "user-0001", Resource: "onboarding"})
			var apiErr *transport.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, iproov.CodeOf(err))
		})
	}
}
