package oteltrace_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestClientsDoNotLinkOpenTelemetry: tracing is opt-in by import. A program using the
// vendor clients without this package must not link OpenTelemetry.
func TestClientsDoNotLinkOpenTelemetry(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	pkgs := []string{
		"github.com/idvkit/idvkit/pkg/verisoul",
		"github.com/idvkit/idvkit/pkg/iproov",
		"github.com/idvkit/idvkit/pkg/verifik",
		"github.com/idvkit/idvkit/pkg/transport",
	}
	for _, pkg := range pkgs {
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed too little to trust: %q", pkg, deps)
		}
		for _, d := range deps {
			if strings.HasPrefix(d, "go.opentelemetry.io/") || strings.HasSuffix(d, "/oteltrace") {
				t.Errorf("%s links %s", pkg, d)
			}
		}
	}
	// The check itself: this package does link it.
	out, err := exec.Command(goBin, "list", "-deps", "github.com/idvkit/idvkit/pkg/transport/oteltrace").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp") {
		t.Error("oteltrace does not list otelhttp: the check above proves nothing")
	}
}
