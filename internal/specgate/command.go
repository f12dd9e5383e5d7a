package specgate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes of the gate's commands.
const (
	ExitOK       = 0 // clean
	ExitFindings = 1 // a problem (check) or a change at -fail-on or above (diff)
	ExitUsage    = 2 // bad flags or arguments, or a root or revision that cannot be read
)

// Main is the gate's command line, `<prog> check|diff [flags]`: cmd/idvkit-spec runs it,
// and `idvkit spec check|diff` fronts RunCheck and RunDiff, so both accept the same
// flags and print the same reports.
func Main(ctx context.Context, prog string, args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, `usage: %[1]s <command> [flags]

The spec gate for pull requests. It links only the specs' linters and the generator,
never pkg/ or gen/, so it runs and reports when the code it gates does not compile.

commands:
  check   validate the specs and their examples, apply the project's rules, prove gen/
          is what the specs generate, and build and vet the module
  diff    what changed against a git revision: for callers of the vendor API (oasdiff)
          and for Go code using gen/ (apidiff of the regenerated packages)

Run '%[1]s <command> -h' for a command's flags.
`, prog)
	}
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	switch args[0] {
	case "check":
		return RunCheck(ctx, prog+" check", args[1:], stdout, stderr)
	case "diff":
		return RunDiff(ctx, prog+" diff", args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return ExitOK
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n", prog, args[0])
	usage(stderr)
	return ExitUsage
}

// RunCheck is `<prog> [flags] [api/x/y.yaml|gen/x/y ...]`: Check, written in -format.
// prog names the command in usage text ("idvkit-spec check").
func RunCheck(ctx context.Context, prog string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	dir := fs.String("dir", ".", "project root holding api/ and gen/ (and go.mod)")
	format := fs.String("format", "text", "output: text, json or github (GitHub Actions annotations)")
	skipGen := fs.Bool("skip-generated", false, "do not check that gen/ is current")
	skipBuild := fs.Bool("skip-build", false, "do not run go build ./... and go vet ./...")
	goCmd := fs.String("go", "go", "the go command the build rules run")
	lint := fs.Bool("lint", true, "run the standard ruleset (Spectral, from "+LintDir+"; runs npm ci there when needed)")
	requireLint := fs.Bool("require-lint", false, "fail when the standard ruleset cannot run (no Node.js); implied by CI=true")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags] [api/x/y.yaml|gen/x/y ...]\n\n"+
			"Checks the specs under api/ (the project's rules and Spectral's standard ruleset)\n"+
			"and the packages under gen/, or only those named, then builds and vets the\n"+
			"module when it checks everything. Exit 0 when clean,\n"+
			"1 on any problem, 2 on usage errors.\n\nflags:\n", prog)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	f, err := ParseFormat(*format)
	if err != nil {
		return usageError(fs, stderr, err)
	}
	opts := Options{Root: *dir, Only: fs.Args(), SkipGenerated: *skipGen, SkipBuild: *skipBuild, Go: *goCmd,
		Lint: LintOptions{Skip: !*lint, Require: *requireLint || os.Getenv("CI") == "true"}}
	if !*quiet {
		opts.Progress = stderr
	}
	report, err := Check(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	if err := report.WriteFormat(stdout, f, repoPrefix(ctx, *dir, f)); err != nil {
		return ExitUsage
	}
	errs, warns := 0, 0
	for _, p := range report.Problems {
		if p.Severity == Warning {
			warns++
		} else {
			errs++
		}
	}
	if errs > 0 {
		fmt.Fprintf(stderr, "spec check: %d problem(s), %d warning(s) in %d spec(s) and %d gen package(s)\n",
			errs, warns, len(report.Specs), len(report.Generated))
		return ExitFindings
	}
	fmt.Fprintf(stderr, "spec check: ok (%d spec(s), %d gen package(s), %d warning(s))\n",
		len(report.Specs), len(report.Generated), warns)
	return ExitOK
}

// RunDiff is `<prog> -base <git-ref> [flags] [api/x/y.yaml|gen/x/y ...]`: Diff, written
// in -format. prog names the command in usage text ("idvkit-spec diff").
func RunDiff(ctx context.Context, prog string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	base := fs.String("base", "", "git revision to compare against (for example origin/main); required")
	dir := fs.String("dir", ".", "project root holding api/ and gen/, inside a git work tree")
	format := fs.String("format", "text", "output: text, json or github (GitHub Actions annotations)")
	failOn := fs.String("fail-on", "ERR", "exit 1 on a change at this level or above: ERR, WARN or INFO\n"+
		"(an incompatible Go API change counts as ERR, a compatible one as INFO)")
	skipGo := fs.Bool("skip-go-api", false, "do not compare the Go API of the regenerated gen/ packages")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s -base <git-ref> [flags] [api/x/y.yaml|gen/x/y ...]\n\n"+
			"Reports what changed since the base revision for callers of the vendor API\n"+
			"(oasdiff: ERR, WARN and INFO) and for Go code using gen/ (apidiff of the packages\n"+
			"regenerated from both revisions: incompatible, compatible). Exit 0 when nothing\n"+
			"is at -fail-on or above, 1 when something is, 2 on usage errors.\n\nflags:\n", prog)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if *base == "" {
		return usageError(fs, stderr, errors.New("-base is required"))
	}
	f, err := ParseFormat(*format)
	if err != nil {
		return usageError(fs, stderr, err)
	}
	level := strings.ToUpper(*failOn)
	if level != levelErr && level != "WARN" && level != "INFO" {
		return usageError(fs, stderr, fmt.Errorf("-fail-on is %q; use ERR, WARN or INFO", *failOn))
	}
	opts := DiffOptions{Root: *dir, Base: *base, Only: fs.Args(), SkipGoAPI: *skipGo}
	if !*quiet {
		opts.Progress = stderr
	}
	report, err := Diff(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	if err := report.WriteFormat(stdout, f, repoPrefix(ctx, *dir, f)); err != nil {
		return ExitUsage
	}
	apiErr, goErr := 0, 0
	for _, c := range report.Changes {
		if c.Level == levelErr {
			apiErr++
		}
	}
	for _, g := range report.GoChanges {
		if !g.Compatible {
			goErr++
		}
	}
	counts := fmt.Sprintf("%d breaking for API callers, %d incompatible for Go code using gen/; %d change(s) in all, %d spec(s), %d gen package(s)",
		apiErr, goErr, len(report.Changes)+len(report.GoChanges), len(report.Specs), len(report.GoPackages))
	switch {
	case report.Fails(level) && level == levelErr:
		fmt.Fprintf(stderr, "spec diff: breaking changes against %s (%s)\n", *base, counts)
		return ExitFindings
	case report.Fails(level):
		fmt.Fprintf(stderr, "spec diff: changes at %s or above against %s (%s)\n", level, *base, counts)
		return ExitFindings
	}
	fmt.Fprintf(stderr, "spec diff: no breaking changes against %s (%s)\n", *base, counts)
	return ExitOK
}

// parseFlags parses args; -h prints the usage on stdout (exit 0), a bad flag the error
// and the usage on stderr (exit 2). ok is false when the command should exit with code.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return ExitOK, false
	case err != nil:
		return usageError(fs, stderr, err), false
	}
	fs.SetOutput(stderr)
	return 0, true
}

func usageError(fs *flag.FlagSet, stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	fs.SetOutput(stderr)
	fs.Usage()
	return ExitUsage
}

// repoPrefix is the root's path inside its git repository, for GitHub annotations,
// which name files from the repository's top; "" when not needed or not in git.
func repoPrefix(ctx context.Context, root string, f Format) string {
	if f != FormatGitHub {
		return ""
	}
	out, err := git(ctx, root, "rev-parse", "--show-prefix")
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.TrimSpace(string(out)), "/")
}
