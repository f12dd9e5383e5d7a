// Command idvkit-spec is the spec gate for pull requests:
//
//	idvkit-spec check [-format text|json|github] [api/x/y.yaml|gen/x/y ...]
//	idvkit-spec diff -base <git-ref> [-format text|json|github] [-fail-on ERR|WARN|INFO]
//
// check validates the specs and their examples, applies the project's spec rules,
// proves gen/ is what the specs generate, and builds and vets the module; diff reports
// what changed against a git revision for callers of the vendor API (oasdiff) and for
// Go code using gen/ (apidiff of the packages regenerated from both revisions).
//
// It is its own command, apart from cmd/idvkit, so that it links only the specs'
// linters and the generator and never pkg/, gen/ or the emulators: after a spec change
// that breaks pkg/, `go run ./cmd/idvkit-spec check` still builds and reports
// "gen/ and pkg/ no longer compile: ..." at the file and line. `idvkit spec check|diff`
// runs the same code. docs/SPEC-GATE.md shows how to run it in any CI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/idvkit/idvkit/internal/specgate"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := specgate.Main(ctx, "idvkit-spec", os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
