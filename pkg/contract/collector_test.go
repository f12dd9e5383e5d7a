package contract

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCollectorSeesTheRequestsProblems: the middleware hands each problem of a request
// to the Collector in that request's context, and nothing of other requests.
func TestCollectorSeesTheRequestsProblems(t *testing.T) {
	spec := people(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"00000000-0000-4000-8000-000000000001","name":"Ada"}`))
	})
	h := Middleware(MiddlewareOptions{Mode: ModeReport, Logger: slog.New(slog.DiscardHandler)}, spec)(ok)

	bad := httptest.NewRequest(http.MethodGet, "/nowhere/at/all", nil)
	ctx, c := WithCollector(bad.Context())
	h.ServeHTTP(httptest.NewRecorder(), bad.WithContext(ctx))
	require.Len(t, c.Problems(), 1)
	assert.Equal(t, RuleNoRoute, c.Problems()[0].Problems[0].Rule)

	// Another request's problems do not reach it.
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/elsewhere", strings.NewReader("")))
	assert.Len(t, c.Problems(), 1)
}
