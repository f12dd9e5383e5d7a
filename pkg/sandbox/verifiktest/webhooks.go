package verifiktest

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// DefaultMaxWebhooks is how many webhooks one account may hold (WithMaxWebhooks); the next
// createWebhook answers 409 PreconditionFailed.
const DefaultMaxWebhooks = 100

// WithMaxWebhooks sets how many webhooks one account may hold (default DefaultMaxWebhooks;
// n ≤ 0 keeps it).
func WithMaxWebhooks(n int) Option { return func(e *Emulator) { positive(&e.limits.webhooks, n) } }

// webhook is Verifik's webhook resource: where a flow's events go.
type webhook struct {
	id, client  string
	name, url   string
	description *string
	active      bool
	flows       []string // linked flows, in link order
	created     time.Time
	updated     time.Time
}

func (w *webhook) view() smartenroll.Webhook {
	return smartenroll.Webhook{
		ID:              w.id,
		Client:          ptr(w.client),
		Name:            ptr(w.name),
		Url:             w.url,
		Description:     w.description,
		IsActive:        ptr(w.active),
		ProjectFlow:     ptr(append([]string{}, w.flows...)),
		Notification:    &smartenroll.WebhookNotification{Success: ptr(false), Fail: ptr(true), ID: ptr(w.id)},
		CreatedAt:       ptr(w.created),
		UpdatedAt:       ptr(w.updated),
		DocumentVersion: ptr(0),
	}
}

// link attaches the webhook to flows: each flow's webhook becomes this one, as Verifik's
// "link" does. e.mu must be held; every id must be a flow of the webhook's client.
func (e *Emulator) link(w *webhook, ids []string) {
	for _, id := range ids {
		f := e.flows[id]
		if prev := deref(f.webhook); prev != "" && prev != w.id {
			if old, ok := e.webhooks[prev]; ok {
				old.flows = slices.DeleteFunc(old.flows, func(s string) bool { return s == id })
			}
		}
		f.webhook = ptr(w.id)
		if !slices.Contains(w.flows, id) {
			w.flows = append(w.flows, id)
		}
	}
}

func (e *Emulator) unlink(w *webhook, ids []string) {
	for _, id := range ids {
		if f, ok := e.flows[id]; ok && deref(f.webhook) == w.id {
			f.webhook = nil
		}
		w.flows = slices.DeleteFunc(w.flows, func(s string) bool { return s == id })
	}
}

// ownFlows checks that every id is a flow of the account.
func (e *Emulator) ownFlows(acct *account, ids []string) *apiError {
	for _, id := range ids {
		if f, ok := e.flows[id]; !ok || f.client != acct.id {
			return reason(http.StatusNotFound, smartenroll.ErrorCodeProjectFlowNotFound)
		}
	}
	return nil
}

func (e *Emulator) createWebhook(ctx context.Context, body *smartenroll.WebhookCreateRequest) (smartenroll.Webhook, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.Webhook{}, fail
	}
	if missing := missingFields("url", body.Url, "name", body.Name); missing != "" {
		// Verifik's page shows "missing url\n".
		return smartenroll.Webhook{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, missing+"\n")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if fail := e.ownFlows(acct, deref(body.Link)); fail != nil {
		return smartenroll.Webhook{}, fail
	}
	n := 0
	for _, w := range e.webhooks {
		if w.client == acct.id {
			n++
		}
	}
	if n >= e.limits.webhooks {
		return smartenroll.Webhook{}, classic(http.StatusConflict, smartenroll.ErrorCodePreconditionFailed,
			"the sandbox holds at most "+strconv.Itoa(e.limits.webhooks)+" webhooks per account")
	}
	now := e.clock.Now()
	w := &webhook{id: e.newID(), client: acct.id, name: body.Name, url: body.Url, description: body.Description,
		active: body.IsActive, created: now, updated: now}
	e.webhooks[w.id] = w
	e.link(w, deref(body.Link))
	return w.view(), nil
}

func (e *Emulator) webhookOp(ctx context.Context, id string, change func(acct *account, w *webhook) *apiError) (smartenroll.Webhook, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.Webhook{}, fail
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.webhooks[id]
	if !ok || w.client != acct.id {
		return smartenroll.Webhook{}, classic(http.StatusNotFound, smartenroll.ErrorCodeNotFound, "Record not found.")
	}
	if fail := change(acct, w); fail != nil {
		return smartenroll.Webhook{}, fail
	}
	return w.view(), nil
}

func (e *Emulator) updateWebhook(ctx context.Context, id string, body *smartenroll.WebhookUpdateRequest) (smartenroll.Webhook, *apiError) {
	return e.webhookOp(ctx, id, func(acct *account, w *webhook) *apiError {
		if fail := e.ownFlows(acct, deref(body.Link)); fail != nil {
			return fail
		}
		if body.Url != nil {
			if strings.TrimSpace(*body.Url) == "" {
				return classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "missing url\n")
			}
			w.url = *body.Url
		}
		if body.Name != nil {
			w.name = *body.Name
		}
		overlay(&w.description, body.Description)
		if body.IsActive != nil {
			w.active = *body.IsActive
		}
		e.link(w, deref(body.Link))
		e.unlink(w, deref(body.Unlink))
		w.updated = e.clock.Now()
		return nil
	})
}

func (e *Emulator) deleteWebhook(ctx context.Context, id string) (smartenroll.Webhook, *apiError) {
	return e.webhookOp(ctx, id, func(_ *account, w *webhook) *apiError {
		e.unlink(w, slices.Clone(w.flows))
		delete(e.webhooks, w.id)
		return nil
	})
}

// webhookTarget is where a flow's events go: the URL of the active webhook the flow names,
// or "" when it names none. e.mu must be held.
func (e *Emulator) webhookTarget(flowID string) (hookID, url string) {
	f, ok := e.flows[flowID]
	if !ok || f.webhook == nil {
		return "", ""
	}
	w, ok := e.webhooks[*f.webhook]
	if !ok || !w.active || w.client != f.client {
		return "", ""
	}
	return w.id, w.url
}

// ---- the generated interface ----

func (s *server) CreateWebhook(ctx context.Context, req smartenroll.CreateWebhookRequestObject) (smartenroll.CreateWebhookResponseObject, error) {
	v, fail := s.e.createWebhook(ctx, req.Body)
	if fail == nil {
		return smartenroll.CreateWebhook200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.CreateWebhook401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.CreateWebhook403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.CreateWebhook404JSONResponse{ProjectFlowNotFoundJSONResponse: smartenroll.ProjectFlowNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.CreateWebhook409JSONResponse(fail.body), nil
	}
	return nil, fail
}

func (s *server) ListWebhooks(ctx context.Context, req smartenroll.ListWebhooksRequestObject) (smartenroll.ListWebhooksResponseObject, error) {
	acct, fail := needClient(s.e.callerOf(ctx))
	if fail != nil {
		if fail.status == http.StatusForbidden {
			return smartenroll.ListWebhooks403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
		}
		return smartenroll.ListWebhooks401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	var all []*webhook
	for _, w := range s.e.webhooks {
		if w.client != acct.id {
			continue
		}
		if req.Params.LikeName != nil && !strings.Contains(strings.ToLower(w.name), strings.ToLower(*req.Params.LikeName)) {
			continue
		}
		if req.Params.WhereUrl != nil && w.url != *req.Params.WhereUrl {
			continue
		}
		all = append(all, w)
	}
	sortByCreated(all, func(w *webhook) (string, int64) { return w.id, w.created.UnixNano() }, "")
	items, pg := paginate(all, req.Params.Page, req.Params.PerPage)
	out := smartenroll.WebhookPage{Data: []smartenroll.Webhook{}, Total: &pg.total, Limit: &pg.limit, Page: &pg.page, Pages: &pg.pages}
	for _, w := range items {
		out.Data = append(out.Data, w.view())
	}
	return smartenroll.ListWebhooks200JSONResponse(out), nil
}

func (s *server) GetWebhook(ctx context.Context, req smartenroll.GetWebhookRequestObject) (smartenroll.GetWebhookResponseObject, error) {
	v, fail := s.e.webhookOp(ctx, req.Id, func(*account, *webhook) *apiError { return nil })
	if fail == nil {
		return smartenroll.GetWebhook200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.GetWebhook401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.GetWebhook403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.GetWebhook404JSONResponse{WebhookNotFoundJSONResponse: smartenroll.WebhookNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) UpdateWebhook(ctx context.Context, req smartenroll.UpdateWebhookRequestObject) (smartenroll.UpdateWebhookResponseObject, error) {
	v, fail := s.e.updateWebhook(ctx, req.Id, req.Body)
	if fail == nil {
		return smartenroll.UpdateWebhook200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.UpdateWebhook401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.UpdateWebhook403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.UpdateWebhook404JSONResponse{WebhookNotFoundJSONResponse: smartenroll.WebhookNotFoundJSONResponse(fail.body)}, nil
	case http.StatusConflict:
		return smartenroll.UpdateWebhook409JSONResponse{InvalidParameterJSONResponse: smartenroll.InvalidParameterJSONResponse(fail.body)}, nil
	}
	return nil, fail
}

func (s *server) DeleteWebhook(ctx context.Context, req smartenroll.DeleteWebhookRequestObject) (smartenroll.DeleteWebhookResponseObject, error) {
	v, fail := s.e.deleteWebhook(ctx, req.Id)
	if fail == nil {
		return smartenroll.DeleteWebhook200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.DeleteWebhook401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.DeleteWebhook403JSONResponse{ForbiddenJSONResponse: smartenroll.ForbiddenJSONResponse(fail.body)}, nil
	case http.StatusNotFound:
		return smartenroll.DeleteWebhook404JSONResponse{WebhookNotFoundJSONResponse: smartenroll.WebhookNotFoundJSONResponse(fail.body)}, nil
	}
	return nil, fail
}
