// Command idvkit runs idvkit's verification journeys against the embedded sandbox
// (demo), serves the vendor emulators (sandbox serve) and gates spec changes in pull
// requests (spec check, spec diff).
//
// Every command and subcommand answers -h/--help with its usage on stdout and exit
// status 0; an unknown flag or argument prints the usage on stderr and exits 2.
//
// Install it with
//
//	go install github.com/idvkit/idvkit/cmd/idvkit@latest
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `idvkit — identity verification vendors, typed, checked and emulated

Usage:
  idvkit demo [-list] [-vendor a,b] [-journey a,b] [-json]
                                       run the verification journeys against the embedded sandbox
  idvkit sandbox serve [-addr 127.0.0.1:8080] [-v] [-rate-limit vendor|off]
                                       serve the vendor emulators (Verisoul, iProov, Verifik); the
                                       default address is loopback only, -addr :8080 exposes the
                                       sandbox to the network (see idvkit sandbox serve -h)
  idvkit spec check [-dir .]           validate the specs, their examples and the generated code
  idvkit spec diff -base <git-ref>     report breaking changes of each spec against a git revision
  idvkit webhook trigger <event> --to URL
                                       send one Verifik Smart Enroll event with a realistic payload
  idvkit conform [--target sandbox|live|URL]
                                       run the journeys against a target and report drift from the specs
  idvkit version                       print the module version and the revision it was built from
  idvkit help [command]                print this, or a command's usage

Every command takes -h. Exit status: 0 success, 1 failure or findings, 2 usage error.
`

const sandboxUsage = `Usage:
  idvkit sandbox serve [flags]   serve the Verisoul, iProov and Verifik emulators on one port

See idvkit sandbox serve -h for its flags.
`

const specUsage = `Usage:
  idvkit spec check [flags] [api/x/y.yaml|gen/x/y ...]
                          validate the specs, their examples, project rules and gen/
  idvkit spec diff -base <git-ref> [flags]
                          what changed against a git revision, for API callers and for Go code

See idvkit spec check -h and idvkit spec diff -h. CI should prefer cmd/idvkit-spec, which
runs the same code without linking the emulators.
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

// Exit statuses, as go and gh use them.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// run dispatches a command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "sandbox":
		return dispatch(ctx, "sandbox", sandboxUsage, args[1:], stdout, stderr, map[string]command{
			"serve": runSandboxServe,
		})
	case "spec":
		return dispatch(ctx, "spec", specUsage, args[1:], stdout, stderr, map[string]command{
			"check": runSpecCheck,
			"diff":  runSpecDiff,
		})
	case "webhook":
		return runWebhook(ctx, args[1:], stdout, stderr)
	case "conform":
		return runConform(ctx, args[1:], stdout, stderr)
	case "version":
		return runVersion(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			// `idvkit help sandbox serve` is `idvkit sandbox serve -h`.
			return run(ctx, append(append([]string(nil), args[1:]...), "-h"), stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "idvkit: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// command is a subcommand's entry point: it parses its own flags.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// dispatch runs the subcommand args[0] of group, or answers -h (usage on stdout, 0) and
// anything else (usage on stderr, 2).
func dispatch(ctx context.Context, group, groupUsage string, args []string, stdout, stderr io.Writer, cmds map[string]command) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, groupUsage)
		return exitUsage
	}
	if cmd, ok := cmds[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	if isHelpArg(args[0]) {
		fmt.Fprint(stdout, groupUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "idvkit %s: unknown command %q\n\n%s", group, args[0], groupUsage)
	return exitUsage
}

func isHelpArg(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// parseFlags parses args with the conventions of every idvkit command: -h prints the
// usage on stdout (exit 0); a bad flag prints the error and the usage on stderr (exit
// 2); with positional false, a stray argument is a usage error too. ok is false when the
// command should return code.
func parseFlags(fs *flag.FlagSet, args []string, positional bool, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard) // flag's own message comes out below, once, where it belongs
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK, false
	case err != nil:
		return usageError(fs, stderr, err), false
	case !positional && fs.NArg() > 0:
		return usageError(fs, stderr, fmt.Errorf("unexpected argument %q", fs.Arg(0))), false
	}
	fs.SetOutput(stderr)
	return 0, true
}

// usageError prints err and the usage on stderr and is exit status 2.
func usageError(fs *flag.FlagSet, stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "idvkit %s: %v\n", fs.Name(), err)
	fs.SetOutput(stderr)
	fs.Usage()
	return exitUsage
}
