package idv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/idv/idvtest"
)

// TestStateKeepsSecretsOutOfLogs: the state stores the vendor's secrets (it must, to
// resume) but no way of printing or logging it, the Pending or the Outcome shows them.
func TestStateKeepsSecretsOutOfLogs(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		vendor string
		cap    idv.Capability
		// secrets returns what must never be printed.
		secrets func(p *idv.Pending) []string
	}{
		{"verisoul", idv.CapabilityUniqueness, func(p *idv.Pending) []string { return []string{p.State.Verisoul.ID, p.URL} }},
		{"iproov", idv.CapabilityFaceEnrolment, func(p *idv.Pending) []string { return []string{p.Token, p.State.IProov.Token} }},
		{"verifik", idv.CapabilityUniqueness, func(p *idv.Pending) []string {
			return []string{p.State.Verifik.Token, p.State.Verifik.Email}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.vendor, func(t *testing.T) {
			sb, err := idvtest.New(ctx, tc.vendor, idvtest.Options{})
			require.NoError(t, err)
			defer sb.Close()
			j, err := sb.Journey(tc.cap)
			require.NoError(t, err)
			req := idvtest.Request(user)
			p, err := j.Start(ctx, req)
			require.NoError(t, err)
			secrets := tc.secrets(p)
			for _, s := range secrets {
				require.NotEmpty(t, s)
			}

			// The JSON keeps them: it is what Resume needs. It round-trips exactly.
			stored, err := json.Marshal(p.State)
			require.NoError(t, err)
			for _, s := range secrets[:1] {
				assert.Contains(t, string(stored), s)
			}
			var back idv.State
			require.NoError(t, json.Unmarshal(stored, &back))
			assert.Equal(t, p.State.String(), back.String())
			again, err := json.Marshal(back)
			require.NoError(t, err)
			assert.JSONEq(t, string(stored), string(again))
			assert.Equal(t, idv.StateVersion, back.Version)

			res, err := sb.Play(ctx, p, idvtest.Act{})
			require.NoError(t, err)
			out, err := j.Resume(ctx, back, res)
			require.NoError(t, err)

			var logs bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, nil))
			log.Info("journey", "state", p.State, "pending", *p, "pending_ptr", p, "outcome", out, "request", req, "result", res)
			printed := fmt.Sprintf("%v %+v %#v %s | %v %+v %#v | %v %+v %#v | %v %#v | %v %#v | %s",
				p.State, p.State, p.State, p.State, *p, *p, *p, out, out, out, req, req, res, res, logs.String())
			for _, s := range append(secrets, req.Email, req.FullName) {
				assert.NotContains(t, printed, s)
			}
			assert.Contains(t, printed, string(tc.cap), "still says what it is")
		})
	}
}
