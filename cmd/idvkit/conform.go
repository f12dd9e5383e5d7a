package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/idvkit/idvkit/internal/conform"
	"github.com/idvkit/idvkit/pkg/contract"
)

const conformUsage = `Usage:
  idvkit conform [--target sandbox|live|URL] [--diff [--against sandbox|live|URL]] [flags]
  idvkit conform --replay DIR [--specs DIR] [flags]
  idvkit conform promote --from DIR --out DIR

Runs the demo's journeys through the real vendor clients against a target and reports
where the target departs from the specs; with --diff, also where two targets differ,
step by step (status, error codes, fields and their types, enum values; never ids,
times or values). Exits 1 on any finding not acknowledged in the --ack file.

Targets: sandbox (the embedded emulators, default), live (the vendors' sandbox
environments), or the URL of a server mounting /verisoul, /iproov and /verifik (idvkit
sandbox serve, a recording proxy). Live credentials come from the environment and are
never printed, logged or recorded:
  ` + "IDVKIT_VERISOUL_API_KEY; IDVKIT_IPROOV_API_KEY, IDVKIT_IPROOV_SECRET (and for the\n" +
	"  Management API IDVKIT_IPROOV_OAUTH_USERNAME, IDVKIT_IPROOV_OAUTH_PASSWORD);\n" +
	"  IDVKIT_VERIFIK_CLIENT_TOKEN. IDVKIT_<VENDOR>_BASE_URL points a vendor elsewhere.\n" + `
A live run plays the end user with the vendors' sandbox conventions (Verisoul simulate,
Verifik demoMode/demoOTP); the iProov SDK needs a person: conform prints the claim token
on stderr and waits for Enter up to --timeout (0: the journey stops there, reported).
See docs/CONFORM.md.

Flags:
`

func runConform(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "promote" {
		return runConformPromote(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), conformUsage)
		fs.PrintDefaults()
	}
	target := fs.String("target", "sandbox", "sandbox, live or a URL")
	diff := fs.Bool("diff", false, "also run the journeys against --against and report the differences")
	against := fs.String("against", "sandbox", "the other target of --diff")
	vendor := fs.String("vendor", "", "run only this vendor's journeys (verisoul, iproov, verifik)")
	journey := fs.String("journey", "", "run only the journeys whose id contains this")
	asJSON := fs.Bool("json", false, "print the report as JSON (same as --format json)")
	format := fs.String("format", "text", "report format: text, json or github (workflow annotations)")
	ackFile := fs.String("ack", "", "YAML file of acknowledged findings (see docs/CONFORM.md)")
	record := fs.String("record", "", "write each journey's redacted exchanges to this directory")
	replay := fs.String("replay", "", "re-validate the recordings in this directory instead of running journeys")
	specs := fs.String("specs", "", "check against the specs in this directory (default: the embedded api/)")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long a live run waits for a person at a step only a person can do")
	if code, ok := parseFlags(fs, args, false, stdout, stderr); !ok {
		return code
	}
	if *asJSON {
		*format = "json"
	}
	if *format != "text" && *format != "json" && *format != "github" {
		fmt.Fprintf(stderr, "conform: --format must be text, json or github\n")
		return 2
	}
	if *timeout < 0 {
		fmt.Fprintf(stderr, "conform: --timeout must not be negative\n")
		return 2
	}
	if *replay != "" && (*record != "" || *diff) {
		fmt.Fprintf(stderr, "conform: --replay re-validates recordings; it takes neither --record nor --diff\n")
		return 2
	}
	kit := contract.Default()
	if *specs != "" {
		k, err := contract.Load(os.DirFS(*specs))
		if err != nil {
			fmt.Fprintf(stderr, "conform: specs in %s: %v\n", *specs, err)
			return 2
		}
		kit = k
	}
	var ack *conform.Ack
	if *ackFile != "" {
		a, err := conform.LoadAck(*ackFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		ack = a
	}

	var res *conform.Result
	if *replay != "" {
		cassettes, err := conform.ReadCassettes(*replay)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		if res, err = conform.Replay(kit, cassettes); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	} else {
		opts := conform.Options{Target: *target, Vendor: *vendor, Journey: *journey, Timeout: *timeout,
			Getenv: os.Getenv, Prompt: stderr, Input: os.Stdin, Kit: kit}
		if *diff {
			opts.Against = *against
		}
		what := opts.Target
		if opts.Against != "" {
			what += " against " + opts.Against
		}
		fmt.Fprintf(stderr, "conform: running the journeys on %s\n", safeTarget(what))
		var err error
		if res, err = conform.Run(ctx, opts); err != nil {
			fmt.Fprintln(stderr, err)
			if errors.Is(err, context.Canceled) {
				return 1
			}
			return 2
		}
		if *record != "" {
			if err := conform.WriteCassettes(*record, res); err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
			fmt.Fprintf(stderr, "conform: recordings written under %s\n", *record)
		}
	}
	ack.Apply(res.Findings, time.Now())
	var err error
	switch *format {
	case "json":
		err = conform.WriteJSON(stdout, res)
	case "github":
		err = conform.WriteGitHub(stdout, res)
	default:
		err = conform.WriteText(stdout, res)
	}
	if err != nil {
		fmt.Fprintln(stderr, "conform:", err)
		return 1
	}
	if res.Failed() {
		return 1
	}
	return 0
}

// safeTarget shows targets without a URL's user:password or query.
func safeTarget(s string) string {
	parts := strings.Fields(s)
	for i, p := range parts {
		if strings.Contains(p, "://") {
			parts[i] = conform.ShowURL(p)
		}
	}
	return strings.Join(parts, " ")
}

const conformPromoteUsage = `Usage: idvkit conform promote --from DIR --out DIR [--specs DIR]

Turns recordings (from conform --record) into spec examples and test fixtures under --out.

Flags:
`

func runConformPromote(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conform promote", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), conformPromoteUsage); fs.PrintDefaults() }
	from := fs.String("from", "", "directory of recordings (from conform --record)")
	out := fs.String("out", "", "directory to write examples/ and fixtures/ into")
	specs := fs.String("specs", "", "the specs the recordings belong to (default: the embedded api/)")
	if code, ok := parseFlags(fs, args, false, stdout, stderr); !ok {
		return code
	}
	if *from == "" || *out == "" {
		return usageError(fs, stderr, errors.New("needs --from DIR and --out DIR"))
	}
	kit := contract.Default()
	if *specs != "" {
		k, err := contract.Load(os.DirFS(*specs))
		if err != nil {
			fmt.Fprintf(stderr, "conform promote: specs in %s: %v\n", *specs, err)
			return 2
		}
		kit = k
	}
	cassettes, err := conform.ReadCassettes(*from)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	files, err := conform.Promote(kit, cassettes, *out)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return 0
}
