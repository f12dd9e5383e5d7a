package verifiktest_test

import (
	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// The webhook resource's documented statuses, added to TestEveryOperationAndStatus (its
// 429 and 5XX cases derive from the 200 ones).
func init() {
	statusCases = append(statusCases, webhookStatusCases...)
}

func hookBody(w *world) smartenroll.WebhookCreateRequest {
	return smartenroll.WebhookCreateRequest{Url: "http://127.0.0.1:9/hooks", Name: "Hooks", IsActive: true, Link: &[]string{w.flow}}
}

// hook creates a webhook linked to the world's flow and returns its id.
func (w *world) hook() string {
	res, err := w.h.api.CreateWebhookWithResponse(ctx, hookBody(w), w.h.client())
	if err != nil || res.JSON200 == nil {
		w.h.t.Fatalf("createWebhook: %v", err)
	}
	return res.JSON200.Data.ID
}

var webhookStatusCases = []statusCase{
	sc("createWebhook", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateWebhookWithResponse(ctx, hookBody(w), w.h.client()))
	}),
	sc("createWebhook", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateWebhookWithResponse(ctx, hookBody(w), invalid))
	}),
	sc("createWebhook", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateWebhookWithResponse(ctx, hookBody(w), bearer(w.alice.token)))
	}),
	sc("createWebhook", 404, func(w *world) (int, error) {
		b := hookBody(w)
		b.Link = &[]string{noProject}
		return statusOf(w.h.api.CreateWebhookWithResponse(ctx, b, w.h.client()))
	}),
	sc("createWebhook", 409, func(w *world) (int, error) {
		b := hookBody(w)
		b.Url = ""
		return statusOf(w.h.api.CreateWebhookWithResponse(ctx, b, w.h.client()))
	}),
	sc("listWebhooks", 200, func(w *world) (int, error) {
		w.hook()
		return statusOf(w.h.api.ListWebhooksWithResponse(ctx, &smartenroll.ListWebhooksParams{LikeName: ptr("hook")}, w.h.client()))
	}),
	sc("listWebhooks", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ListWebhooksWithResponse(ctx, nil, invalid))
	}),
	sc("listWebhooks", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ListWebhooksWithResponse(ctx, nil, bearer(w.alice.token)))
	}),
	sc("listWebhooks", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/webhooks?page=abc", w.h.emu.ClientToken(), ""), "InvalidArgument", "query.page")
	}),
	sc("getWebhook", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.GetWebhookWithResponse(ctx, w.hook(), w.h.client()))
	}),
	sc("getWebhook", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetWebhookWithResponse(ctx, w.hook(), invalid))
	}),
	sc("getWebhook", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetWebhookWithResponse(ctx, w.hook(), bearer(w.alice.token)))
	}),
	sc("getWebhook", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetWebhookWithResponse(ctx, noProject, w.h.client()))
	}),
	sc("updateWebhook", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateWebhookWithResponse(ctx, w.hook(), smartenroll.WebhookUpdateRequest{IsActive: ptr(false), Unlink: &[]string{w.flow}}, w.h.client()))
	}),
	sc("updateWebhook", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateWebhookWithResponse(ctx, w.hook(), smartenroll.WebhookUpdateRequest{}, invalid))
	}),
	sc("updateWebhook", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateWebhookWithResponse(ctx, w.hook(), smartenroll.WebhookUpdateRequest{}, bearer(w.alice.token)))
	}),
	sc("updateWebhook", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateWebhookWithResponse(ctx, noProject, smartenroll.WebhookUpdateRequest{}, w.h.client()))
	}),
	sc("updateWebhook", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateWebhookWithResponse(ctx, w.hook(), smartenroll.WebhookUpdateRequest{Url: ptr(" ")}, w.h.client()))
	}),
	sc("deleteWebhook", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteWebhookWithResponse(ctx, w.hook(), w.h.client()))
	}),
	sc("deleteWebhook", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteWebhookWithResponse(ctx, w.hook(), invalid))
	}),
	sc("deleteWebhook", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteWebhookWithResponse(ctx, w.hook(), bearer(w.alice.token)))
	}),
	sc("deleteWebhook", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteWebhookWithResponse(ctx, noProject, w.h.client()))
	}),
}
