package contracttest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTestLibraryInProductionBuilds lists what a binary using the vendor clients links
// (go list -deps, the packages go build would compile into it) and fails if a test
// library is among them: the contract kit's test helpers live in contracttest for this.
func TestNoTestLibraryInProductionBuilds(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	const module = "github.com/idvkit/idvkit/"
	tests := []struct {
		name string
		pkgs []string
	}{
		{"the three clients", []string{module + "pkg/verisoul", module + "pkg/iproov", module + "pkg/verifik"}},
		{"the contract kit", []string{module + "pkg/contract"}},
		{"the command", []string{module + "cmd/idvkit"}},
	}
	banned := []string{"github.com/stretchr/testify", module + "pkg/contract/contracttest"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command("go", append([]string{"list", "-deps"}, tt.pkgs...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, b := range banned {
					if dep == b || strings.HasPrefix(dep, b+"/") {
						t.Errorf("%s links %s", strings.Join(tt.pkgs, " "), dep)
					}
				}
			}
		})
	}
}
