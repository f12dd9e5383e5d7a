package verifik

// Removing a project flow with the client token, e.g. to clean up after Setup.

import (
	"context"

	"github.com/idvkit/idvkit/pkg/transport"
)

// DeleteFlow removes a project flow for good, e.g. the flow a test run's Setup made
// (Setup run again on the project then makes a new one). The project stays.
//
// A flow with registrants still in progress (started or ongoing) is refused with 409
// Conflict "Cannot delete project flow with active users", as Verifik's delete page
// documents (for v3; the sandbox applies it to v2): pause the flow (in Verifik's
// dashboard, or updateProjectFlow with status paused) so no one new starts, and delete it
// once they have finished. The refusal is not retryable; CodeOf gives "Conflict".
//
// The flow's registrations are not removed: Verifik's delete pages name only the flow's
// own settings (configuration, webhook link, integrations, templates) as going with it,
// so its finished registrants stay listed (Registrations, Review, DeleteRegistration).
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
