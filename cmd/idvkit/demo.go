package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// demoFlow is one verification journey the demo runs against an in-process emulator.
type demoFlow struct {
	// ID names a journey for -journey (e.g. "idv-uniqueness-verisoul"); optional.
	ID     string
	Vendor string
	Name   string
	Run    func(ctx context.Context, p *demoPrinter) error
}

var demoFlows []demoFlow

// registerDemo adds a journey; vendor files call it from init so each vendor's demo
// lives beside nothing but itself.
func registerDemo(f demoFlow) { demoFlows = append(demoFlows, f) }

// demoPrinter prints the steps of one journey readably. It never receives secrets,
// images or personal data: callers pass ids, decisions and codes only.
type demoPrinter struct {
	w     io.Writer
	steps int
	fails int
}

// Step prints a backend call or an end-user action.
func (p *demoPrinter) Step(format string, args ...any) {
	p.steps++
	fmt.Fprintf(p.w, "  %2d. %s\n", p.steps, fmt.Sprintf(format, args...))
}

// Outcome prints what the step returned.
func (p *demoPrinter) Outcome(format string, args ...any) {
	fmt.Fprintf(p.w, "      → %s\n", fmt.Sprintf(format, args...))
}

// Contract prints the contract verdict for the traffic of the step just run.
func (p *demoPrinter) Contract(err error) {
	if err != nil {
		p.fails++
		fmt.Fprintf(p.w, "      ✗ contract: %v\n", err)
		return
	}
	fmt.Fprintf(p.w, "      ✓ contract: request and response match the spec\n")
}

// demoOrder is the order vendors are shown in, whatever order their files registered in.
var demoOrder = map[string]int{"verisoul": 0, "iproov": 1, "verifik": 2}

// orderedDemos: each vendor's own journeys first, in vendor order, then the capability
// journeys through pkg/idv in the order they registered (capability, then vendor).
func orderedDemos() []demoFlow {
	out := append([]demoFlow(nil), demoFlows...)
	rank := func(f demoFlow) int {
		if strings.HasPrefix(f.ID, "idv-") {
			return len(demoOrder)
		}
		return demoOrder[f.Vendor]
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// title is what -journey matches and the demo prints.
func (f demoFlow) title() string {
	if f.ID == "" {
		return f.Name
	}
	return f.ID + ": " + f.Name
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vendor := fs.String("vendor", "", "run only this vendor's journeys (verisoul, iproov, verifik)")
	journey := fs.String("journey", "", `run only the journeys whose name contains this, e.g. "idv" or "idv-uniqueness-verisoul"`)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ran, failed := 0, 0
	for _, f := range orderedDemos() {
		if *vendor != "" && !strings.EqualFold(*vendor, f.Vendor) {
			continue
		}
		if *journey != "" && !strings.Contains(strings.ToLower(f.title()), strings.ToLower(*journey)) {
			continue
		}
		ran++
		fmt.Fprintf(stdout, "\n== %s: %s\n", f.Vendor, f.title())
		p := &demoPrinter{w: stdout}
		err := f.Run(ctx, p)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(stdout, "  FAILED: %v\n", err)
		case p.fails > 0:
			failed++
			fmt.Fprintf(stdout, "  FAILED: %d contract violation(s)\n", p.fails)
		default:
			fmt.Fprintf(stdout, "  ok\n")
		}
	}
	if ran == 0 {
		fmt.Fprintln(stderr, "demo: no journey matches", errors.New(strings.TrimSpace(*vendor+" "+*journey)))
		return 2
	}
	fmt.Fprintf(stdout, "\n%d journeys, %d failed\n", ran, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
