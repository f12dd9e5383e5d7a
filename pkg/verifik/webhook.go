package verifik

import (
	"context"
	"log/slog"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Webhook is Verifik's webhook resource: the URL Verifik POSTs a flow's events to. A
// project flow names it by ID (its `webhook` field); Flows lists the flows linked to it.
//
// The URL usually carries a secret (see WithPathSecret and WithBasicAuth): String and
// LogValue show only its scheme and host.
type Webhook struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	Active      bool     `json:"active"`
	Flows       []string `json:"flows,omitempty"`
}

// String never shows the URL's path, query or credentials (they may hold the secret).
func (w Webhook) String() string {
	return "verifik.Webhook{" + w.ID + ", " + originOf(w.URL) + "}"
}

// LogValue never shows the URL's path, query or credentials.
func (w Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID), slog.String("origin", originOf(w.URL)), slog.Bool("active", w.Active))
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[unparsable URL]"
	}
	return u.Scheme + "://" + u.Host
}

// WebhookConfig creates or changes a webhook.
type WebhookConfig struct {
	// URL is where events are POSTed: absolute http(s). Put a secret in it.
	URL  string
	Name string
	// Description is free text.
	Description string
	// Inactive creates the webhook switched off (Verifik's isActive false).
	Inactive bool
	// Flows are project flow ids to link: each flow's webhook becomes this one.
	Flows []string
}

func webhookOf(w smartenroll.Webhook) Webhook {
	out := Webhook{ID: w.ID, Name: deref(w.Name), URL: w.Url, Description: deref(w.Description), Active: deref(w.IsActive)}
	if w.ProjectFlow != nil {
		out.Flows = append([]string{}, *w.ProjectFlow...)
	}
	return out
}

func checkWebhookURL(op, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case raw == "":
		return transport.Invalid(vendor, op, "webhook URL", "is empty")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return transport.Invalid(vendor, op, "webhook URL", "is not an absolute http(s) URL")
	}
	return nil
}

// CreateWebhook registers a webhook and links it to cfg.Flows.
// Verifik: POST /v2/webhooks (https://docs.verifik.co/resources/create-a-webhook).
func (c *Client) CreateWebhook(ctx context.Context, cfg WebhookConfig) (Webhook, error) {
	const op = "createWebhook"
	if err := c.ready(op); err != nil {
		return Webhook{}, err
	}
	if err := checkWebhookURL(op, cfg.URL); err != nil {
		return Webhook{}, err
	}
	if strings.TrimSpace(cfg.Name) == "" {
		return Webhook{}, transport.Invalid(vendor, op, "webhook name", "is empty")
	}
	for _, id := range cfg.Flows {
		if err := checkID(op, "project flow id", id); err != nil {
			return Webhook{}, err
		}
	}
	body := smartenroll.WebhookCreateRequest{Url: cfg.URL, Name: cfg.Name, IsActive: !cfg.Inactive}
	if cfg.Description != "" {
		body.Description = &cfg.Description
	}
	if len(cfg.Flows) > 0 {
		body.Link = &cfg.Flows
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.CreateWebhookWithResponse(ctx, body, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Webhook{}, err
	}
	return webhookOf(res.JSON200.Data), nil
}

// Webhook re-reads a webhook: before acting on a delivery, check that the webhook is
// still active and linked to the event's flow.
// Verifik: GET /v2/webhooks/{id} (https://docs.verifik.co/resources/retrieve-a-webhook).
func (c *Client) Webhook(ctx context.Context, id string) (Webhook, error) {
	const op = "getWebhook"
	if err := c.ready(op); err != nil {
		return Webhook{}, err
	}
	if err := checkID(op, "webhook id", id); err != nil {
		return Webhook{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.GetWebhookWithResponse(ctx, id, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Webhook{}, err
	}
	return webhookOf(res.JSON200.Data), nil
}

// Webhooks lists the account's webhooks (first page of up to 100).
// Verifik: GET /v2/webhooks (https://docs.verifik.co/resources/list-all-webhooks).
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	const op = "listWebhooks"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	per := 100
	res, err := c.api.ListWebhooksWithResponse(ctx, &smartenroll.ListWebhooksParams{PerPage: &per}, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return nil, err
	}
	out := make([]Webhook, 0, len(res.JSON200.Data))
	for _, w := range res.JSON200.Data {
		out = append(out, webhookOf(w))
	}
	return out, nil
}

// UpdateWebhook changes a webhook: a non-empty URL, Name or Description replaces the
// current one, Active sets isActive when not nil, Flows are linked and Unlink unlinked.
// Verifik: PUT /v2/webhooks/{id} (https://docs.verifik.co/resources/update-a-webhook).
func (c *Client) UpdateWebhook(ctx context.Context, id string, u WebhookUpdate) (Webhook, error) {
	const op = "updateWebhook"
	if err := c.ready(op); err != nil {
		return Webhook{}, err
	}
	if err := checkID(op, "webhook id", id); err != nil {
		return Webhook{}, err
	}
	body := smartenroll.WebhookUpdateRequest{IsActive: u.Active}
	if u.URL != "" {
		if err := checkWebhookURL(op, u.URL); err != nil {
			return Webhook{}, err
		}
		body.Url = &u.URL
	}
	if u.Name != "" {
		body.Name = &u.Name
	}
	if u.Description != "" {
		body.Description = &u.Description
	}
	for _, ids := range [][]string{u.Link, u.Unlink} {
		for _, fid := range ids {
			if err := checkID(op, "project flow id", fid); err != nil {
				return Webhook{}, err
			}
		}
	}
	if len(u.Link) > 0 {
		body.Link = &u.Link
	}
	if len(u.Unlink) > 0 {
		body.Unlink = &u.Unlink
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.UpdateWebhookWithResponse(ctx, id, body, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return Webhook{}, err
	}
	return webhookOf(res.JSON200.Data), nil
}

// WebhookUpdate is a partial change of a webhook (see UpdateWebhook).
type WebhookUpdate struct {
	URL, Name, Description string
	Active                 *bool
	Link, Unlink           []string
}

// DeleteWebhook removes a webhook; flows that named it stop receiving events.
// Verifik: DELETE /v2/webhooks/{id} (https://docs.verifik.co/resources/delete-a-webhook).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	const op = "deleteWebhook"
	if err := c.ready(op); err != nil {
		return err
	}
	if err := checkID(op, "webhook id", id); err != nil {
		return err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.DeleteWebhookWithResponse(ctx, id, bearer(c.token))
	return c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil)
}
