package verifik_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// The webhook resource through the client: create linked to a flow, read, list, switch
// off and unlink, delete.
func TestWebhookResource(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.BasicEnrollment("https://acme.example/welcome"))
	secretURL := "http://127.0.0.1:9/hooks/verifik/s3cret"
	w, err := e.client.CreateWebhook(ctx, verifik.WebhookConfig{URL: secretURL, Name: "onboarding", Flows: []string{flow.FlowID}})
	require.NoError(t, err)
	assert.True(t, w.Active)
	assert.Equal(t, []string{flow.FlowID}, w.Flows)
	assert.NotContains(t, w.String(), "s3cret", "the URL's secret stays out of String")
	assert.NotContains(t, logged(w), "s3cret", "and out of logs")

	got, err := e.client.Webhook(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, secretURL, got.URL)
	all, err := e.client.Webhooks(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)

	off := false
	upd, err := e.client.UpdateWebhook(ctx, w.ID, verifik.WebhookUpdate{Active: &off, Unlink: []string{flow.FlowID}})
	require.NoError(t, err)
	assert.False(t, upd.Active)
	assert.Empty(t, upd.Flows)

	require.NoError(t, e.client.DeleteWebhook(ctx, w.ID))
	_, err = e.client.Webhook(ctx, w.ID)
	var apiErr *transport.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
}

// Bad input is refused before any call.
func TestWebhookInputChecked(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name string
		call func() error
	}{
		{"no URL", func() error { _, err := e.client.CreateWebhook(ctx, verifik.WebhookConfig{Name: "x"}); return err }},
		{"relative URL", func() error {
			_, err := e.client.CreateWebhook(ctx, verifik.WebhookConfig{URL: "/hooks", Name: "x"})
			return err
		}},
		{"ftp URL", func() error {
			_, err := e.client.CreateWebhook(ctx, verifik.WebhookConfig{URL: "ftp://h/x", Name: "x"})
			return err
		}},
		{"no name", func() error {
			_, err := e.client.CreateWebhook(ctx, verifik.WebhookConfig{URL: "https://h/x"})
			return err
		}},
		{"no id", func() error { _, err := e.client.Webhook(ctx, ""); return err }},
		{"bad update URL", func() error {
			_, err := e.client.UpdateWebhook(ctx, "66df272bf82f3bfab17dea9b", verifik.WebhookUpdate{URL: "nope"})
			return err
		}},
		{"no id to delete", func() error { return e.client.DeleteWebhook(ctx, " ") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.noCallsDuring(func() {
				err := c.call()
				var ve *transport.ValidationError
				assert.True(t, errors.As(err, &ve), "%v", err)
			})
		})
	}
}
