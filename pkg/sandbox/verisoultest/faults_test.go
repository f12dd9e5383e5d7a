package verisoultest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// TestInjectedErrorsInVerisoulShape: injected 5xx and 429 answers carry the gateway body
// Verisoul answers with, so the real client reads them as Verisoul's own.
func TestInjectedErrorsInVerisoulShape(t *testing.T) {
	tests := []struct {
		rule    sandbox.FaultRule
		status  int
		message string
	}{
		{sandbox.FaultRule{Kind: sandbox.FaultError, Rate: 1, Status: 502}, 502, "Bad Gateway"},
		{sandbox.FaultRule{Kind: sandbox.FaultError, Rate: 1}, 503, "Service Unavailable"},
		{sandbox.FaultRule{Kind: sandbox.FaultRateLimit, Rate: 1}, 429, "Too Many Requests"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			emu := verisoultest.New()
			srv := httptest.NewServer(emu.Handler())
			defer srv.Close()
			require.NoError(t, emu.Faults().Set(tt.rule))
			c, err := verisoul.New(emu.APIKey(), verisoul.WithBaseURL(srv.URL),
				verisoul.WithTransport(transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})))
			require.NoError(t, err)
			_, err = c.StartSession(t.Context(), verisoul.SessionOptions{})
			var apiErr *transport.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.JSONEq(t, `{"message":"`+tt.message+`"}`, string(apiErr.RawBody()), "Verisoul's gateway body, no sandbox code")
		})
	}
}
