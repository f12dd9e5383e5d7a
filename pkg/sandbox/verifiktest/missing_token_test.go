package verifiktest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// TestMissingTokenIsUnauthorized: a call without a bearer token gets Verifik's own 401
// {code, message}, not a contract_violation no vendor would send; the missing credential
// is still reported as a contract problem.
func TestMissingTokenIsUnauthorized(t *testing.T) {
	var problems []*contract.Error
	emu := verifiktest.New(verifiktest.WithOnProblem(func(e *contract.Error) { problems = append(problems, e) }))
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()

	for _, path := range []string{"/v2/projects", "/v2/project-flows", "/v2/app-registrations/me"} {
		method := http.MethodGet
		if path == "/v2/app-registrations/me" {
			method = http.MethodPost
		}
		req, err := http.NewRequest(method, srv.URL+path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		res.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, path)
		assert.NotEqual(t, "contract_violation", body["error"], path)
		assert.NotEmpty(t, body["code"], path)
	}
	require.Len(t, problems, 3)
	for _, p := range problems {
		assert.Equal(t, contract.RuleSecurity, p.Problems[0].Rule)
	}
}
