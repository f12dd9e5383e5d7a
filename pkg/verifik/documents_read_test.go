package verifik_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// submitted registers a registrant on flow and has it submit d; it returns the
// registrant and its document validation id.
func (e *env) submitted(flow verifik.Flow, email string, d sandbox.Document) (*verifik.Registrant, string) {
	e.t.Helper()
	r := e.register(flow, email, d.FirstName+" "+d.LastName)
	e.confirmEmail(r)
	_, err := r.SubmitDocument(ctx, verifik.Document{Front: photo(d)})
	require.NoError(e.t, err)
	id := r.State().DocumentValidationID
	require.NotEmpty(e.t, id)
	return r, id
}

func TestDocument(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification("https://acme.example/welcome"))
	d := documentOf("Dora", "Quill", "dora")
	d.Number, d.DateOfBirth = "7766554433", "1984-11-05"
	r, id := e.submitted(flow, "dora@example.com", d)

	rec, err := e.client.Document(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, id, rec.ID)
	assert.Equal(t, r.State().AppRegistrationID, rec.AppRegistrationID)
	assert.Equal(t, flow.FlowID, rec.FlowID)
	assert.Equal(t, flow.ProjectID, rec.ProjectID)
	assert.Equal(t, r.State().DocumentStatus, rec.Status)
	assert.True(t, rec.Accepted)
	assert.Equal(t, "OCR", rec.ValidationMethod)
	assert.NotEmpty(t, rec.Type)
	assert.False(t, rec.CreatedAt.IsZero())
	assert.Equal(t, verifik.DocumentData{FirstName: "Dora", LastName: "Quill", FullName: rec.Read.FullName,
		DocumentNumber: "7766554433", DateOfBirth: "1984-11-05", ExpirationDate: "2031-01-01", Nationality: "CO"}, rec.Read)
	assert.Contains(t, rec.Read.FullName, "Dora")

	t.Run("prints no personal data", func(t *testing.T) {
		for name, out := range map[string]string{
			"String": rec.String(), "%v": fmtV(rec), "%+v": fmt.Sprintf("%+v", rec), "%#v": fmtGoV(rec),
			"slog": logged(rec), "data %v": fmtV(rec.Read), "data %#v": fmtGoV(rec.Read), "data slog": logged(rec.Read),
			"page slog": logged(verifik.DocumentPage{Documents: []verifik.DocumentRecord{rec}, Total: 1}),
			"page %+v":  fmt.Sprintf("%+v", verifik.DocumentPage{Documents: []verifik.DocumentRecord{rec}}),
		} {
			for _, personal := range []string{"Dora", "Quill", "7766554433", "1984-11-05", "2031-01-01"} {
				assert.NotContains(t, out, personal, name)
			}
		}
		assert.Contains(t, rec.String(), id, "the id still shows")
		assert.Equal(t, "verifik.DocumentData{none}", verifik.DocumentData{}.String())
	})

	t.Run("gone once deleted", func(t *testing.T) {
		require.NoError(t, e.client.DeleteDocument(ctx, id))
		_, err := e.client.Document(ctx, id)
		var api *transport.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, http.StatusNotFound, api.StatusCode)
	})
}

func TestDocuments(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification("https://acme.example/welcome"))
	_, ann := e.submitted(flow, "ann@example.com", documentOf("Ann", "Able", "ann"))
	e.clock.Advance(time.Second) // listed oldest first
	_, bea := e.submitted(flow, "bea@example.com", documentOf("Bea", "Bell", "bea"))
	e.clock.Advance(time.Second)
	passport := documentOf("Cy", "Cole", "cy")
	passport.Kind = "passport"
	_, cy := e.submitted(flow, "cy@example.com", passport)
	cyRec, err := e.client.Document(ctx, cy)
	require.NoError(t, err)
	annRec, err := e.client.Document(ctx, ann)
	require.NoError(t, err)
	require.NotEqual(t, annRec.Type, cyRec.Type, "the emulator types the two documents apart")

	cases := []struct {
		name         string
		f            verifik.DocumentFilter
		want         []string
		total, pages int
	}{
		{"everything", verifik.DocumentFilter{}, []string{ann, bea, cy}, 3, 1},
		{"one status", verifik.DocumentFilter{Status: annRec.Status}, []string{ann, bea, cy}, 3, 1},
		{"another status", verifik.DocumentFilter{Status: verifik.DocumentFailed}, nil, 0, 0},
		{"one document type", verifik.DocumentFilter{Type: cyRec.Type}, []string{cy}, 1, 1},
		{"read by OCR", verifik.DocumentFilter{ValidationMethod: "OCR"}, []string{ann, bea, cy}, 3, 1},
		{"scanned", verifik.DocumentFilter{ValidationMethod: "SCAN_STUDIO"}, nil, 0, 0},
		{"uploaded", verifik.DocumentFilter{InputMethod: annRec.InputMethod}, []string{ann, bea, cy}, 3, 1},
		{"Smart Enroll's own", verifik.DocumentFilter{ValidationType: "onboarding"}, []string{ann, bea, cy}, 3, 1},
		{"second page of one", verifik.DocumentFilter{Page: 2, Limit: 1}, []string{bea}, 3, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := e.client.Documents(ctx, c.f)
			require.NoError(t, err)
			var got []string
			for _, d := range page.Documents {
				got = append(got, d.ID)
				assert.NotEmpty(t, d.Read.FirstName, "the OCR data comes with the list")
			}
			assert.ElementsMatch(t, c.want, got)
			assert.Equal(t, c.total, page.Total)
			assert.Equal(t, c.pages, page.Pages)
		})
	}
}

// Bad ids and filters are refused before any network call.
func TestDocumentsBadInput(t *testing.T) {
	e := newEnv(t)
	for name, id := range map[string]string{
		"empty": "", "a path": "../v2/projects", "a space": "a b", "too long": strings.Repeat("a", 65), "a query": "x?populates[]=y",
	} {
		t.Run("id "+name, func(t *testing.T) {
			e.noCallsDuring(func() {
				_, err := e.client.Document(ctx, id)
				var inv *transport.ValidationError
				require.ErrorAs(t, err, &inv)
				assert.Equal(t, "getDocumentValidation", inv.Operation)
			})
		})
	}
	for name, f := range map[string]verifik.DocumentFilter{
		"negative page":            {Page: -1},
		"negative limit":           {Limit: -1},
		"limit over 100":           {Limit: verifik.MaxDocumentsPage + 1},
		"unknown status":           {Status: "DONE"},
		"lower-case status":        {Status: "active"},
		"type with a query":        {Type: "CC&where_client=x"},
		"method with a space":      {ValidationMethod: "OCR MANUAL"},
		"input method too long":    {InputMethod: strings.Repeat("X", 65)},
		"validation type not text": {ValidationType: "onboarding\n"},
	} {
		t.Run("filter "+name, func(t *testing.T) {
			e.noCallsDuring(func() {
				_, err := e.client.Documents(ctx, f)
				var inv *transport.ValidationError
				require.ErrorAs(t, err, &inv, "%v", err)
				assert.Equal(t, "listDocumentValidations", inv.Operation)
			})
		})
	}
	t.Run("unconfigured client", func(t *testing.T) {
		var c verifik.Client
		_, err := c.Documents(ctx, verifik.DocumentFilter{})
		assert.ErrorIs(t, err, transport.ErrValidation)
		_, err = c.Document(ctx, "abc")
		assert.ErrorIs(t, err, transport.ErrValidation)
		assert.ErrorIs(t, c.DeleteFlow(ctx, "abc"), transport.ErrValidation)
	})
}

// Reads are retried on a 5xx or 429 (they change nothing), deleting a flow is not (a
// repeat would answer 404 and hide the success): the transport's table, by operation.
func TestDocumentReadsRetryDeleteFlowDoesNot(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification("https://acme.example/welcome"))
	_, id := e.submitted(flow, "retry@example.com", documentOf("Rae", "Try", "rae"))

	var calls atomic.Int64
	var slept []time.Duration
	hc := &http.Client{Transport: countingTransport{next: e.srv.Client().Transport, n: &calls}}
	c, err := verifik.New(e.emu.ClientToken(), verifik.WithBaseURL(e.srv.URL), verifik.WithTransport(
		transport.WithHTTPClient(hc),
		transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 3, Sleep: func(_ context.Context, d time.Duration) error {
			slept = append(slept, d)
			return nil
		}})))
	require.NoError(t, err)

	cases := []struct {
		op       string
		kind     sandbox.FaultKind
		call     func() error
		attempts int64
		status   int
	}{
		{"getDocumentValidation", sandbox.FaultError, func() error { _, err := c.Document(ctx, id); return err }, 3, http.StatusServiceUnavailable},
		{"getDocumentValidation", sandbox.FaultRateLimit, func() error { _, err := c.Document(ctx, id); return err }, 3, http.StatusTooManyRequests},
		{"listDocumentValidations", sandbox.FaultError, func() error { _, err := c.Documents(ctx, verifik.DocumentFilter{}); return err }, 3, http.StatusServiceUnavailable},
		{"listDocumentValidations", sandbox.FaultRateLimit, func() error { _, err := c.Documents(ctx, verifik.DocumentFilter{}); return err }, 3, http.StatusTooManyRequests},
		{"deleteProjectFlow", sandbox.FaultError, func() error { return c.DeleteFlow(ctx, flow.FlowID) }, 1, http.StatusServiceUnavailable},
		{"deleteProjectFlow", sandbox.FaultRateLimit, func() error { return c.DeleteFlow(ctx, flow.FlowID) }, 1, http.StatusTooManyRequests},
	}
	for _, tc := range cases {
		t.Run(tc.op+" "+string(tc.kind), func(t *testing.T) {
			require.NoError(t, e.emu.Faults().Set(sandbox.FaultRule{Operation: tc.op, Kind: tc.kind, Rate: 1}))
			defer e.emu.Faults().Clear()
			before := calls.Load()
			slept = nil
			err := tc.call()
			var api *transport.APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, tc.status, api.StatusCode)
			assert.True(t, api.Retryable, "the answer itself is retryable; the operation decides")
			assert.Equal(t, tc.attempts, calls.Load()-before)
			assert.Len(t, slept, int(tc.attempts-1))
		})
	}
	_, err = c.Flow(ctx, flow.FlowID)
	require.NoError(t, err, "the faults touched nothing: the flow is still there")
}

// The emulator's own refusals: a token of the wrong kind, no valid token, another
// account's or an unknown id. Each is a *transport.APIError with Verifik's status.
func TestDocumentReadsRefused(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification("https://acme.example/welcome"))
	r, id := e.submitted(flow, "refused@example.com", documentOf("Ref", "Used", "ref"))
	stranger := e.newClient("not-a-verifik-token", nil)
	registrantAsClient := e.newClient(r.State().Token, nil)
	const unknown = "674de8df21c72be3cc42b8a9"

	cases := []struct {
		name   string
		call   func() error
		status int
	}{
		{"document, no valid token", func() error { _, err := stranger.Document(ctx, id); return err }, http.StatusUnauthorized},
		{"document, a registrant's token", func() error { _, err := registrantAsClient.Document(ctx, id); return err }, http.StatusForbidden},
		{"document, unknown id", func() error { _, err := e.client.Document(ctx, unknown); return err }, http.StatusNotFound},
		{"documents, no valid token", func() error { _, err := stranger.Documents(ctx, verifik.DocumentFilter{}); return err }, http.StatusUnauthorized},
		{"documents, a registrant's token", func() error { _, err := registrantAsClient.Documents(ctx, verifik.DocumentFilter{}); return err }, http.StatusForbidden},
		{"delete flow, no valid token", func() error { return stranger.DeleteFlow(ctx, flow.FlowID) }, http.StatusUnauthorized},
		{"delete flow, a registrant's token", func() error { return registrantAsClient.DeleteFlow(ctx, flow.FlowID) }, http.StatusForbidden},
		{"delete flow, unknown id", func() error { return e.client.DeleteFlow(ctx, unknown) }, http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			var api *transport.APIError
			require.True(t, errors.As(err, &api), "%v", err)
			assert.Equal(t, c.status, api.StatusCode)
			assert.NotContains(t, err.Error(), r.State().Token)
		})
	}
}
