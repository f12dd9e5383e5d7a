package iproov

import (
	"encoding/json"

	"github.com/idvkit/idvkit/gen/iproov/claim"
)

// PathTemplates exposes the log path templates to the tests.
func PathTemplates() []string { return append([]string(nil), pathTemplates...) }

// ExpiresInOf reads an expires_in JSON value as the client does.
func ExpiresInOf(raw string) (int, error) {
	var v claim.ExpiresIn
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return 0, err
	}
	return expiresIn(v), nil
}
