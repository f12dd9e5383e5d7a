package verifik

// Removing a project flow with the client token, e.g. to clean up after Setup.

import (
	"context"

	"github.com/idvkit/idvkit/pkg/transport"
)

// DeleteFlow removes a project flow for good, e.g. the flow a test run's Setup made
// (Setup run again on the project then makes a new one). The project stays.
//
// The flow's registrations are not removed: Verifik's delete pages name only the flow's
// own settings (configuration, webhook link, integrations, templates) as going with it,
// so its registrants stay listed (Registrations, Review, DeleteRegistration). Their
// journeys end, though: a registrant's own calls answer 404 appRegistration_not_found
// (ErrRegistrationGone) in idvkit's emulator, an inference. Verifik's newest (v3) page
// says a flow with registrants in progress is refused (409 Conflict) and advises pausing
// it first, in Verifik's dashboard.
//
// Verifik: DELETE /v2/project-flows/{id} (client token).
func (c *Client) DeleteFlow(ctx context.Context, flowID string) error {
	const op = "deleteProjectFlow"
	if err := c.ready(op); err != nil {
		return err
	}
	if err := checkID(op, "flow id", flowID); err != nil {
		return err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.DeleteProjectFlowWithResponse(ctx, flowID, bearer(c.token))
	return c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil)
}
