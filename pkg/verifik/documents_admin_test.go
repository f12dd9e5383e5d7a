package verifik_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func TestDeleteDocument(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification("https://acme.example/welcome"))
	r := e.register(flow, "erase@example.com", "Era Sure")
	e.confirmEmail(r)
	_, err := r.SubmitDocument(ctx, verifik.Document{Front: photo(documentOf("Era", "Sure", "era"))})
	require.NoError(t, err)
	id := r.State().DocumentValidationID
	require.NotEmpty(t, id)

	require.NoError(t, e.client.DeleteDocument(ctx, id))
	rev, err := e.client.Review(ctx, r.State().AppRegistrationID)
	require.NoError(t, err)
	assert.Empty(t, rev.DocumentStatus, "the registration no longer names the document")

	err = e.client.DeleteDocument(ctx, id)
	var api *transport.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, http.StatusNotFound, api.StatusCode, "a repeat answers 404")

	e.noCallsDuring(func() {
		var inv *transport.ValidationError
		assert.True(t, errors.As(e.client.DeleteDocument(ctx, "../v2/projects"), &inv))
	})
}
