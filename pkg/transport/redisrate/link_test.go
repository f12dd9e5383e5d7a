package redisrate_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRedisStaysOptional: the packages every integrator imports do not link
// Redis; only the subpackages do.
func TestRedisStaysOptional(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	mod := "github.com/idvkit/idvkit/pkg/"
	pkgs := []string{mod + "transport", mod + "verisoul", mod + "iproov", mod + "verifik", mod + "idv"}
	out, err := exec.Command(goBin, append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, dep := range strings.Fields(string(out)) {
		assert.NotContains(t, dep, "redis", "linked by the core packages")
	}
}
