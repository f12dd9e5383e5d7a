package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	iproovsandbox "github.com/idvkit/idvkit/pkg/sandbox/iproov"
	verifiksandbox "github.com/idvkit/idvkit/pkg/sandbox/verifik"
	verisoulsandbox "github.com/idvkit/idvkit/pkg/sandbox/verisoul"
)

// TestSandboxServeMountsEveryEmulator calls each vendor through its prefix, with and
// without the sandbox credentials, as a user of `idvkit sandbox serve` would.
func TestSandboxServeMountsEveryEmulator(t *testing.T) {
	h, mounts := sandboxMux(slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.Len(t, mounts, 3)
	srv := httptest.NewServer(h)
	defer srv.Close()

	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"index lists base URLs", "GET", "/", nil, "", 200, "/iproov/api/v2"},
		{"verisoul session with key", "GET", "/verisoul/liveness/session",
			map[string]string{"x-api-key": verisoulsandbox.DefaultAPIKey}, "", 200, `"session_id"`},
		{"verisoul session with wrong key", "GET", "/verisoul/liveness/session",
			map[string]string{"x-api-key": "wrong"}, "", 401, ""},
		{"iproov availability", "GET", "/iproov/api/v2/availability?api_key=" + iproovsandbox.DefaultAPIKey, nil, "", 200, `"up"`},
		{"iproov token with bad credentials", "POST", "/iproov/api/v2/claim/enrol/token",
			map[string]string{"Content-Type": "application/json"},
			`{"api_key":"` + iproovsandbox.DefaultAPIKey + `","secret":"wrong","resource":"idvkit","user_id":"alice@example.com"}`, 401, "invalid_key"},
		{"verifik projects with client token", "GET", "/verifik/v2/projects",
			map[string]string{"Authorization": "Bearer " + verifiksandbox.DefaultClientToken}, "", 200, `"data"`},
		{"verifik projects with wrong token", "GET", "/verifik/v2/projects",
			map[string]string{"Authorization": "Bearer wrong"}, "", 401, ""},
		{"unknown vendor", "GET", "/onfido/v3/applicants", nil, "", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, res.StatusCode, string(body))
			assert.Contains(t, string(body), tc.wantBody)
		})
	}
}
