package main

import (
	"context"
	"fmt"
	"io"
)

// Placeholders until the spec gate lands.
func runSpecCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "spec check: not available yet")
	return 2
}

func runSpecDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "spec diff: not available yet")
	return 2
}
