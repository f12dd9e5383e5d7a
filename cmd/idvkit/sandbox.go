package main

import (
	"context"
	"fmt"
	"io"
)

func runSandboxServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "sandbox serve: not available yet")
	return 2
}
