package verifik

// Erasing a registrant's document validation with the client token.

import (
	"context"

	"github.com/idvkit/idvkit/pkg/transport"
)

// DeleteDocument erases a document validation for good, e.g. to honour an erasure
// request; the registration no longer names it, so its document step is no longer done.
// Verifik: DELETE /v2/document-validations/{id} (client token).
func (c *Client) DeleteDocument(ctx context.Context, documentValidationID string) error {
	const op = "deleteDocumentValidation"
	if err := c.ready(op); err != nil {
		return err
	}
	if err := checkID(op, "document validation id", documentValidationID); err != nil {
		return err
	}
	ctx = transport.WithOperation(ctx, op)
	res, err := c.api.DeleteDocumentValidationWithResponse(ctx, documentValidationID, bearer(c.token))
	return c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil)
}
