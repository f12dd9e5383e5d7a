package iproov

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationDecodesOnce: a validation answer is decoded once, by the generated
// parser; its required members are told from absent by transport's presence scan, which
// allocates nothing. Counted in allocations, which are deterministic (18; the shadowed
// decode it replaced took 22); the answer is iProov's published one.
func TestValidationDecodesOnce(t *testing.T) {
	c, err := New("k", "s", WithBaseURL("https://iproov.test"))
	require.NoError(t, err)
	body := []byte(`{"passed":true,"token":"31706131726336496d655177346e55503279616b69547344446e5258684c7542","type":"verify","frame_available":false,"reason":"Please Keep Still"}`)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		rsp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body))}
		if _, callErr, err := c.readValidation(ctx, "userVerifyValidate", Verify, rsp); callErr != nil || err != nil {
			t.Fatal(callErr, err)
		}
	})
	t.Logf("allocations to read a validation: %.0f", allocs)
	assert.LessOrEqual(t, allocs, 19.0)
}

// TestValidationRequiredMembers: decoded once, an answer still needs passed, token and
// type, null counting as absent, and names the first missing one.
func TestValidationRequiredMembers(t *testing.T) {
	c, err := New("k", "s", WithBaseURL("https://iproov.test"))
	require.NoError(t, err)
	tests := []struct {
		body    string
		missing string // "" when the answer is whole
	}{
		{`{"passed":false,"token":"t","type":"verify"}`, ""},
		{`{"token":"t","type":"verify"}`, "passed"},
		{`{"passed":null,"token":"t","type":"verify"}`, "passed"},
		{`{"passed":true,"type":"verify"}`, "token"},
		{`{"passed":true,"token":"t"}`, "type"},
		{`{}`, "passed"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			rsp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader([]byte(tt.body)))}
			out, callErr, err := c.readValidation(context.Background(), "userVerifyValidate", Verify, rsp)
			require.NoError(t, callErr)
			if tt.missing == "" {
				require.NoError(t, err)
				assert.Equal(t, "t", out.Token)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "lacks required "+tt.missing)
		})
	}
}
