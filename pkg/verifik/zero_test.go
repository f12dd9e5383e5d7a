package verifik_test

import (
	"testing"

	"github.com/idvkit/idvkit/internal/clienttest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// TestZeroClient: a Client not built with New answers every method with a typed error,
// never a panic.
func TestZeroClient(t *testing.T) { clienttest.ZeroClient[verifik.Client](t) }
