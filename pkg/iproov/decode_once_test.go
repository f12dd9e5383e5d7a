package iproov

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
)

// TestValidationDecodesOnce: a validation answer is decoded once, its required members
// told from absent by that decode, where it was decoded by the generated parser and then
// passed over again for the required members (transport.MissingField). Counted in
// allocations, which are deterministic; the answer is iProov's published one.
func TestValidationDecodesOnce(t *testing.T) {
	c, err := New("k", "s", WithBaseURL("https://iproov.test"))
	require.NoError(t, err)
	body := []byte(`{"passed":true,"token":"31706131726336496d655177346e55503279616b69547344446e5258684c7542","type":"verify","frame_available":false,"reason":"Please Keep Still"}`)
	answer := func() *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body))}
	}
	ctx := context.Background()
	once := testing.AllocsPerRun(100, func() {
		if _, callErr, err := c.readValidation(ctx, "userVerifyValidate", Verify, answer()); callErr != nil || err != nil {
			t.Fatal(callErr, err)
		}
	})
	twice := testing.AllocsPerRun(100, func() { // the path before: parse, then the presence pass
		res, err := claim.ParseUserVerifyValidateResult(answer())
		if err != nil || c.check(ctx, "userVerifyValidate", res.HTTPResponse, res.Body, res.JSON200 != nil, validationFields...) != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations: decoded once %.0f, parsed and passed over %.0f", once, twice)
	assert.Less(t, once, twice-5)
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
