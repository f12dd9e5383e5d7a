// Command idvkit runs idvkit's verification journeys against the embedded sandbox
// (demo), serves the vendor emulators (sandbox serve) and gates spec changes in pull
// requests (spec check, spec diff).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `idvkit — identity verification vendors, typed, checked and emulated

Usage:
  idvkit demo [-vendor name] [-journey name]
                                       run every verification journey against the embedded sandbox
  idvkit sandbox serve [-addr 127.0.0.1:8080]
                                       serve the vendor emulators (Verisoul, iProov, Verifik); the
                                       default address is loopback only, -addr :8080 exposes the
                                       sandbox to the network (see idvkit sandbox serve -h)
  idvkit spec check [-dir .]           validate the specs, their examples and the generated code
  idvkit spec diff -base <git-ref>     report breaking changes of each spec against a git revision
  idvkit webhook trigger <event> --to URL
                                       send one Verifik Smart Enroll event with a realistic payload
  idvkit conform [--target sandbox|live|URL]
                                       run the journeys against a target and report drift from the specs
`

func main() {
	// docker stop and Kubernetes send SIGTERM, a terminal sends SIGINT: both let the
	// command finish what is in flight.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// A second signal during the graceful stop ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "sandbox":
		if len(args) > 1 && args[1] == "serve" {
			return runSandboxServe(ctx, args[2:], stdout, stderr)
		}
	case "spec":
		if len(args) > 1 {
			switch args[1] {
			case "check":
				return runSpecCheck(ctx, args[2:], stdout, stderr)
			case "diff":
				return runSpecDiff(ctx, args[2:], stdout, stderr)
			}
		}
	case "webhook":
		return runWebhook(ctx, args[1:], stdout, stderr)
	case "conform":
		return runConform(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprint(stderr, usage)
	return 2
}
