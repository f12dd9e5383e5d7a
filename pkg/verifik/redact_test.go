package verifik_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/verifik"
)

// TestClientPrintsNoCredentials: however a client is printed or logged, neither the
// client token nor a user:password (or query) in its base URL shows.
func TestClientPrintsNoCredentials(t *testing.T) {
	c, err := verifik.New("verifik-client-token-secret", verifik.WithBaseURL("https://someuser:hunter2pass@api.example.test/base?sig=querysecret"))
	require.NoError(t, err)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("c", "client", c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("c", "client", c)
	for name, out := range map[string]string{
		"String": c.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c), "slog text": text.String(), "slog JSON": js.String(),
	} {
		t.Run(name, func(t *testing.T) {
			for _, secret := range []string{"hunter2pass", "someuser", "querysecret", "verifik-client-token-secret"} {
				assert.NotContains(t, out, secret)
			}
			assert.Contains(t, out, "api.example.test", "the address itself still shows")
		})
	}
}
