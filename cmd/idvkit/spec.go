package main

import (
	"context"
	"io"

	"github.com/idvkit/idvkit/internal/specgate"
)

// runSpecCheck is `idvkit spec check`, kept for existing users: a front to the same code
// as the gate's own command, cmd/idvkit-spec, which CI should prefer because it does not
// link the emulators and so still runs when pkg/ does not compile.
func runSpecCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return specgate.RunCheck(ctx, "idvkit spec check", args, stdout, stderr)
}

// runSpecDiff is `idvkit spec diff`, a front to the same code as `idvkit-spec diff`.
func runSpecDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return specgate.RunDiff(ctx, "idvkit spec diff", args, stdout, stderr)
}
