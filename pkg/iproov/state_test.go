package iproov_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
)

const secretToken = "31706131726336496d655177346e55503279616b69547344446e5258684c7542"

func TestClaimIsJSONAndKeepsItsTokenOutOfLogs(t *testing.T) {
	cl := iproov.Claim{Type: iproov.Verify, Token: secretToken, UserID: "user-1", AssuranceType: iproov.Liveness,
		Resource: "login", Pod: "edge02.eu4", IssuedAt: t0, Fallback: []iproov.Fallback{{Type: "Info", Message: "m"}}}
	data, err := json.Marshal(cl)
	require.NoError(t, err)
	var back iproov.Claim
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, cl, back, "the claim round-trips through the integrator's storage")

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("claim", "claim", cl)
	for name, s := range map[string]string{
		"String": cl.String(), "%v": fmt.Sprintf("%v", cl), "%+v": fmt.Sprintf("%+v", &cl), "%#v": fmt.Sprintf("%#v", cl), "slog": logged.String(),
	} {
		assert.NotContains(t, s, secretToken, name)
		assert.NotContains(t, s, secretToken[:16], name)
		assert.Contains(t, s, "user-1", name)
	}
	assert.Contains(t, cl.String(), "sha256:", "a digest still tells tokens apart")
	assert.Equal(t, t0.Add(iproov.ClaimWindow), cl.ClaimBy())
}

func TestResultAndUserKeepBiometricsAndNamesOutOfLogs(t *testing.T) {
	r := iproov.Result{Passed: false, Reason: "Please Keep Still", Frame: []byte("\x89PNG frame bytes")}
	u := iproov.User{ID: "user-1", Name: "Alice Example", Status: iproov.StatusActive}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("outcome", "result", r, "user", u)
	for _, s := range []string{r.String(), fmt.Sprintf("%#v", r), u.String(), fmt.Sprintf("%v", u), logged.String()} {
		assert.NotContains(t, s, "frame bytes")
		assert.NotContains(t, s, "Alice")
	}
	assert.Equal(t, "failed: Please Keep Still", r.String())
	assert.Equal(t, "passed", iproov.Result{Passed: true}.String())
	assert.True(t, strings.Contains(logged.String(), `"passed":false`))
}
