package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/idvkit/idvkit/internal/specgate"
)

// runSpecCheck is `idvkit spec check [-dir .] [path...]`: the pull-request spec gate.
// Exit 0 when clean, 1 when any error-level problem is found, 2 on usage or I/O errors.
func runSpecCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".", "project root holding api/ and gen/")
	skipGen := fs.Bool("skip-generated", false, "do not check that gen/ is current")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: idvkit spec check [-dir .] [-skip-generated] [api/x/y.yaml|gen/x/y ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	report, err := specgate.Check(ctx, specgate.Options{Root: *dir, Only: fs.Args(), SkipGenerated: *skipGen})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := report.Write(stdout); err != nil {
		return 2
	}
	errs, warns := 0, 0
	for _, p := range report.Problems {
		if p.Severity == specgate.Warning {
			warns++
		} else {
			errs++
		}
	}
	if errs > 0 {
		fmt.Fprintf(stderr, "spec check: %d problem(s), %d warning(s) in %d spec(s) and %d gen package(s)\n",
			errs, warns, len(report.Specs), len(report.Generated))
		return 1
	}
	fmt.Fprintf(stderr, "spec check: ok (%d spec(s), %d gen package(s), %d warning(s))\n",
		len(report.Specs), len(report.Generated), warns)
	return 0
}

// runSpecDiff is `idvkit spec diff -base <git-ref> [-dir .] [path...]`: breaking changes
// of each spec against a git revision. Exit 1 when any change is ERR level, 2 on usage or I/O.
func runSpecDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spec diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "git revision to compare against (for example origin/main)")
	dir := fs.String("dir", ".", "project root holding api/")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: idvkit spec diff -base <git-ref> [-dir .] [api/x/y.yaml ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *base == "" {
		fs.Usage()
		return 2
	}
	report, err := specgate.Diff(ctx, specgate.DiffOptions{Root: *dir, Base: *base, Only: fs.Args()})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := report.Write(stdout); err != nil {
		return 2
	}
	if report.Breaking() {
		fmt.Fprintf(stderr, "spec diff: breaking changes against %s\n", *base)
		return 1
	}
	fmt.Fprintf(stderr, "spec diff: no breaking changes against %s (%d spec(s))\n", *base, len(report.Specs))
	return 0
}
