package verifik_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func TestProjects(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.BasicEnrollment("https://acme.example/welcome"))
	_, err := e.client.Setup(ctx, verifik.ProjectConfig{
		Name: "Second brand", AllowedCountries: []string{"Colombia"}, ContactEmail: "support@second.example",
		PrivacyURL: "https://second.example/privacy", TermsURL: "https://second.example/terms",
	}, verifik.BasicEnrollment("https://second.example/welcome"))
	require.NoError(t, err)

	page, err := e.client.Projects(ctx, verifik.ProjectFilter{})
	require.NoError(t, err)
	assert.Equal(t, 2, page.Total)
	require.Len(t, page.Projects, 2)

	page, err = e.client.Projects(ctx, verifik.ProjectFilter{NameContains: "ACME", Statuses: []verifik.ProjectStatus{verifik.ProjectActive}, Limit: 5})
	require.NoError(t, err)
	require.Len(t, page.Projects, 1)
	acme := page.Projects[0]
	assert.Equal(t, flow.ProjectID, acme.ID)
	assert.Equal(t, "Acme onboarding", acme.Name)
	assert.Equal(t, verifik.ProjectActive, acme.Status)
	assert.Equal(t, []string{flow.FlowID}, acme.FlowIDs, "v3 answers embed the flows")
	assert.Equal(t, []string{"Colombia", "United States"}, acme.AllowedCountries)

	got, err := e.client.Project(ctx, flow.ProjectID)
	require.NoError(t, err)
	assert.Equal(t, acme, got)

	paused, err := e.client.UpdateProject(ctx, flow.ProjectID, verifik.ProjectUpdate{Status: verifik.ProjectPaused, Name: "Acme (paused)", DemoMode: ptrTo(true)})
	require.NoError(t, err)
	assert.Equal(t, verifik.ProjectPaused, paused.Status)
	assert.Equal(t, "Acme (paused)", paused.Name)
	assert.True(t, paused.DemoMode)
	got, err = e.client.Project(ctx, flow.ProjectID)
	require.NoError(t, err)
	assert.Equal(t, paused, got)

	require.NoError(t, e.client.DeleteProject(ctx, flow.ProjectID))
	_, err = e.client.Project(ctx, flow.ProjectID)
	var api *transport.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusNotFound, api.StatusCode)
	err = e.client.DeleteProject(ctx, flow.ProjectID)
	require.ErrorAs(t, err, &api, "a second delete answers 404")
	assert.Equal(t, http.StatusNotFound, api.StatusCode)
}

// TestDeleteActiveProject: Verifik deletes only draft or paused projects; an active one
// is refused with 409 Conflict, which reaches the caller as a *transport.APIError with its
// code, and the project stays. Paused, the same call deletes it.
func TestDeleteActiveProject(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.BasicEnrollment("https://acme.example/welcome"))

	err := e.client.DeleteProject(ctx, flow.ProjectID)
	var api *transport.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusConflict, api.StatusCode)
	assert.Equal(t, "deleteProjectV3", api.Operation)
	assert.Equal(t, verifik.ErrorCode("Conflict"), verifik.CodeOf(err))
	assert.False(t, api.Retryable, "a repeat meets the same rule")
	p, err := e.client.Project(ctx, flow.ProjectID)
	require.NoError(t, err, "the refused project is still there")
	assert.Equal(t, verifik.ProjectActive, p.Status)

	_, err = e.client.UpdateProject(ctx, flow.ProjectID, verifik.ProjectUpdate{Status: verifik.ProjectPaused})
	require.NoError(t, err)
	require.NoError(t, e.client.DeleteProject(ctx, flow.ProjectID))
}

// TestProjectsBadInput: each is a *transport.ValidationError naming the field, before any
// network call.
func TestProjectsBadInput(t *testing.T) {
	e := newEnv(t)
	const id = "6266193db77ccc8111730c90"
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"empty id", "project id", func() error { _, err := e.client.Project(ctx, ""); return err }},
		{"id escaping its path", "project id", func() error { _, err := e.client.Project(ctx, "../projects"); return err }},
		{"delete without id", "project id", func() error { return e.client.DeleteProject(ctx, "") }},
		{"update without id", "project id", func() error {
			_, err := e.client.UpdateProject(ctx, " ", verifik.ProjectUpdate{Name: "x"})
			return err
		}},
		{"blank name", "name", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{Name: "   "})
			return err
		}},
		{"name too long", "name", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{Name: strings.Repeat("n", verifik.MaxProjectName+1)})
			return err
		}},
		{"name with a control character", "name", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{Name: "Acme\nonboarding"})
			return err
		}},
		{"unknown status", "status", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{Status: "deleted"})
			return err
		}},
		{"demo code of 5 digits", "demo code", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{DemoOTP: "12345"})
			return err
		}},
		{"contact email", "contact email", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{ContactEmail: "nobody"})
			return err
		}},
		{"privacy URL", "privacy URL", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{PrivacyURL: "/privacy"})
			return err
		}},
		{"no countries", "allowed countries", func() error {
			_, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{AllowedCountries: []string{}})
			return err
		}},
		{"nothing to update", "update", func() error { _, err := e.client.UpdateProject(ctx, id, verifik.ProjectUpdate{}); return err }},
		{"page below 1", "page", func() error { _, err := e.client.Projects(ctx, verifik.ProjectFilter{Page: -1}); return err }},
		{"limit over 100", "limit", func() error { _, err := e.client.Projects(ctx, verifik.ProjectFilter{Limit: 101}); return err }},
		{"name filter too long", "name filter", func() error {
			_, err := e.client.Projects(ctx, verifik.ProjectFilter{NameContains: strings.Repeat("n", 61)})
			return err
		}},
		{"unknown status filter", "status", func() error {
			_, err := e.client.Projects(ctx, verifik.ProjectFilter{Statuses: []verifik.ProjectStatus{"ACTIVE"}})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.noCallsDuring(func() {
				err := c.call()
				var inv *transport.ValidationError
				require.ErrorAs(t, err, &inv)
				assert.Equal(t, c.field, inv.Field)
			})
		})
	}
}

// A back office pauses a project before deleting it, as Verifik asks.
func ExampleClient_Projects() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	if _, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome")); err != nil {
		log.Fatal(err)
	}
	page, err := client.Projects(ctx, verifik.ProjectFilter{NameContains: "acme"})
	if err != nil {
		log.Fatal(err)
	}
	p := page.Projects[0]
	fmt.Println(p.Name, p.Status, len(p.FlowIDs), "flow")

	p, err = client.UpdateProject(ctx, p.ID, verifik.ProjectUpdate{Status: verifik.ProjectPaused})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("now", p.Status)
	if err := client.DeleteProject(ctx, p.ID); err != nil {
		log.Fatal(err)
	}
	page, _ = client.Projects(ctx, verifik.ProjectFilter{})
	fmt.Println("projects left:", page.Total)
	// Output:
	// Acme onboarding active 1 flow
	// now paused
	// projects left: 0
}

func ptrTo[T any](v T) *T { return &v }
