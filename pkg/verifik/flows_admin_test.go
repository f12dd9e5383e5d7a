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

// Deleting a flow that Setup made: the flow is gone, Setup makes a new one, and the
// flow's registrants stay on record but cannot go on.
func TestDeleteFlow(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.BasicEnrollment("https://acme.example/welcome"))
	r := e.register(flow, "left@example.com", "Left Behind")

	err := e.client.DeleteFlow(ctx, flow.FlowID)
	var api *transport.APIError
	require.ErrorAs(t, err, &api, "a registrant is mid-journey")
	assert.Equal(t, http.StatusConflict, api.StatusCode)
	assert.Equal(t, verifik.ErrorCode("Conflict"), verifik.CodeOf(err))
	assert.False(t, api.Retryable, "waiting for the registrant, not retrying, clears it")
	_, err = e.client.Flow(ctx, flow.FlowID)
	require.NoError(t, err, "a refused delete leaves the flow")

	e.confirmEmail(r)
	_, err = r.SkipKYC(ctx)
	require.NoError(t, err, "the registrant finishes")
	require.NoError(t, e.client.DeleteFlow(ctx, flow.FlowID))

	_, err = e.client.Flow(ctx, flow.FlowID)
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusNotFound, api.StatusCode, "the flow is gone")

	err = e.client.DeleteFlow(ctx, flow.FlowID)
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusNotFound, api.StatusCode, "a repeat answers 404")

	again := e.setup(verifik.BasicEnrollment("https://acme.example/welcome"))
	assert.Equal(t, flow.ProjectID, again.ProjectID, "the project stays")
	assert.NotEqual(t, flow.FlowID, again.FlowID, "Setup makes a new flow")

	rev, err := e.client.Review(ctx, r.State().AppRegistrationID)
	require.NoError(t, err, "the registration itself is kept")
	assert.Equal(t, verifik.CompletedWithoutKYC, rev.Status)
	page, err := e.client.Registrations(ctx, verifik.RegistrationFilter{FlowID: flow.FlowID})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total, "and still listed under its flow")
}

// Bad flow ids are refused before any network call.
func TestDeleteFlowBadInput(t *testing.T) {
	e := newEnv(t)
	for name, id := range map[string]string{
		"empty": "", "a path": "../v2/projects", "a space": "a b", "too long": strings.Repeat("f", 65), "a query": "x?y=z",
	} {
		t.Run(name, func(t *testing.T) {
			e.noCallsDuring(func() {
				var inv *transport.ValidationError
				require.ErrorAs(t, e.client.DeleteFlow(ctx, id), &inv)
				assert.Equal(t, "deleteProjectFlow", inv.Operation)
				assert.Equal(t, "flow id", inv.Field)
			})
		})
	}
}

// A test run cleans up the flow its Setup made; the next run's Setup makes a new one.
func ExampleClient_DeleteFlow() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	if err := client.DeleteFlow(ctx, flow.FlowID); err != nil {
		log.Fatal(err)
	}
	next, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same project:", next.ProjectID == flow.ProjectID)
	fmt.Println("new flow:", next.FlowID != flow.FlowID)
	// Output:
	// same project: true
	// new flow: true
}
