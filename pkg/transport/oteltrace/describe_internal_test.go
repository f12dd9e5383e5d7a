package oteltrace

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name, op, method, url         string
		wantName, wantURL, wantVendor string
	}{
		{name: "api key in the path", op: "generateToken", method: "POST",
			url:      "https://eu.rp.secure.iproov.me/api/v2/2f6a0c7e9b1d4c3a8e5f6a7b/access_token",
			wantName: "iproov/generateToken", wantURL: "https://eu.rp.secure.iproov.me/api/v2/{api_key}/access_token", wantVendor: "iproov"},
		{name: "api key in the query", op: "platformAvailable", method: "GET",
			url:      "https://eu.rp.secure.iproov.me/api/v2/availability?api_key=2f6a0c7e9b1d4c3a8e5f6a7b",
			wantName: "iproov/platformAvailable", wantURL: "https://eu.rp.secure.iproov.me/api/v2/availability", wantVendor: "iproov"},
		{name: "userinfo and fragment", op: "userGet", method: "GET",
			url:      "https://user:hunter2@eu.rp.secure.iproov.me/api/v2/users/alice@example.com#x",
			wantName: "iproov/userGet", wantURL: "https://eu.rp.secure.iproov.me/api/v2/users/{user_id}", wantVendor: "iproov"},
		{name: "session query", op: "createFaceMatchSession", method: "GET",
			url:      "https://api.sandbox.verisoul.ai/liveness/session?referring_session_id=7d5c1f0e-3b1a-4c55-9a0e-2f4b6c8d9e01",
			wantName: "verisoul/createFaceMatchSession", wantURL: "https://api.sandbox.verisoul.ai/liveness/session", wantVendor: "verisoul"},
		{name: "id in the path", op: "getAppRegistration", method: "GET",
			url:      "https://api.verifik.co/v2/app-registrations/6b0f433998c190ab00000002",
			wantName: "verifik/getAppRegistration", wantURL: "https://api.verifik.co/v2/app-registrations/{id}", wantVendor: "verifik"},
		{name: "no operation: every template, then ids out", method: "GET",
			url:      "https://example.test/v1/people/Alice%20Liddell/records/42",
			wantName: "HTTP GET", wantURL: "https://example.test/v1/people/{}/records/{}"},
		{name: "unknown operation keeps its name", op: "somethingNew", method: "DELETE",
			url:      "https://api.verifik.co/v2/things/6b0f433998c190ab00000002",
			wantName: "somethingNew", wantURL: "https://api.verifik.co/v2/things/{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.op != "" {
				ctx = transport.WithOperation(ctx, tt.op)
			}
			r, err := http.NewRequestWithContext(ctx, tt.method, tt.url, nil)
			require.NoError(t, err)
			c := describe(r)
			assert.Equal(t, tt.wantName, c.name)
			assert.Equal(t, tt.wantURL, c.url)
			assert.Equal(t, tt.wantVendor, c.vendor)
		})
	}
}
