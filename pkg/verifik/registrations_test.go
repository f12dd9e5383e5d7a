package verifik_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func TestRegistrations(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FlowConfig{RedirectURL: "https://acme.example/welcome", EmailCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	second := project
	second.Name = "Acme second line"
	other, err := e.client.Setup(ctx, second, verifik.FullVerification("https://acme.example/full"))
	require.NoError(t, err)
	ann := e.register(flow, "ann@example.com", "Ann Able")
	e.confirmEmail(ann)
	_, err = ann.Finish(ctx, verifik.Completed)
	require.NoError(t, err)
	e.clock.Advance(time.Second) // registrants are listed oldest first
	bea := e.register(flow, "bea@example.com", "Bea Bell")
	e.clock.Advance(time.Second)
	cy := e.register(other, "cy@example.com", "Cy Cole")

	cases := []struct {
		name  string
		f     verifik.RegistrationFilter
		want  []string
		total int
		pages int
	}{
		{"everyone", verifik.RegistrationFilter{}, []string{ann.State().AppRegistrationID, bea.State().AppRegistrationID, cy.State().AppRegistrationID}, 3, 1},
		{"one flow", verifik.RegistrationFilter{FlowID: flow.FlowID}, []string{ann.State().AppRegistrationID, bea.State().AppRegistrationID}, 2, 1},
		{"one project", verifik.RegistrationFilter{ProjectID: other.ProjectID}, []string{cy.State().AppRegistrationID}, 1, 1},
		{"still in progress", verifik.RegistrationFilter{Statuses: []verifik.Status{verifik.Started, verifik.Ongoing}}, []string{bea.State().AppRegistrationID, cy.State().AppRegistrationID}, 2, 1},
		{"second page of one", verifik.RegistrationFilter{Page: 2, Limit: 1}, []string{bea.State().AppRegistrationID}, 3, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := e.client.Registrations(ctx, c.f)
			require.NoError(t, err)
			var got []string
			for _, r := range page.Registrants {
				got = append(got, r.AppRegistrationID)
			}
			assert.ElementsMatch(t, c.want, got)
			assert.Equal(t, c.total, page.Total)
			assert.Equal(t, c.pages, page.Pages)
		})
	}
	t.Run("a finished registrant's review", func(t *testing.T) {
		page, err := e.client.Registrations(ctx, verifik.RegistrationFilter{Statuses: []verifik.Status{verifik.Completed, verifik.CompletedWithoutKYC}})
		require.NoError(t, err)
		require.Len(t, page.Registrants, 1)
		assert.True(t, page.Registrants[0].EmailVerified)
	})
}

// Bad filters are refused before any network call.
func TestRegistrationsBadInput(t *testing.T) {
	e := newEnv(t)
	for name, f := range map[string]verifik.RegistrationFilter{
		"negative page":     {Page: -1},
		"limit over 100":    {Limit: 101},
		"unknown status":    {Statuses: []verifik.Status{"DONE"}},
		"project not an id": {ProjectID: "../x"},
		"flow not an id":    {FlowID: "x y"},
	} {
		t.Run(name, func(t *testing.T) {
			e.noCallsDuring(func() {
				_, err := e.client.Registrations(ctx, f)
				var inv *transport.ValidationError
				require.True(t, errors.As(err, &inv), "%v", err)
			})
		})
	}
}
