package contract_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/pkg/contract"
)

func TestSpecDocuments(t *testing.T) {
	spec := contract.Default().Spec("iproov/claim")
	tests := []struct {
		op     string
		status int
		want   bool
	}{
		{"userEnrolServerToken", 429, true}, // listed
		{"userGet", 429, false},             // iProov limits only its token endpoints
		{"userGet", 500, true},
		{"userGet", 503, true}, // the 5XX range
		{"userGet", 418, false},
		{"noSuchOperation", 500, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, spec.Documents(tc.op, tc.status), "%s %d", tc.op, tc.status)
	}
	var none *contract.Spec
	assert.False(t, none.Documents("userGet", 500))
}
