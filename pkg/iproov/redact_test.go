package iproov_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
)

// TestClientPrintsNoCredentials: however a client is printed or logged, neither its
// api_key, secret and OAuth password nor a user:password in its base URL shows. Without
// String, fmt printed the struct's fields, credentials included.
func TestClientPrintsNoCredentials(t *testing.T) {
	c, err := iproov.New("redactapikey00000000000000000000000000000", "redactsecret00000000000000000000000000000",
		iproov.WithBaseURL("https://someuser:hunter2pass@eu.example.test"), iproov.WithOAuth("oauth-user-name", "oauth-pass-word"))
	require.NoError(t, err)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("c", "client", c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("c", "client", c)
	for name, out := range map[string]string{
		"String": c.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"slog text": text.String(), "slog JSON": js.String(),
	} {
		t.Run(name, func(t *testing.T) {
			for _, secret := range []string{"hunter2pass", "someuser", "redactapikey", "redactsecret", "oauth-pass-word", "oauth-user-name"} {
				assert.NotContains(t, out, secret)
			}
		})
	}
}
