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

func orderedDemos() []demoFlow {
	out := append([]demoFlow(nil), demoFlows...)
	sort.SliceStable(out, func(i, j int) bool { return demoOrder[out[i].Vendor] < demoOrder[out[j].Vendor] })
	return out
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vendor := fs.String("vendor", "", "run only this vendor's journeys (verisoul, iproov, verifik)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ran, failed := 0, 0
	for _, f := range orderedDemos() {
		if *vendor != "" && !strings.EqualFold(*vendor, f.Vendor) {
			continue
		}
		ran++
		fmt.Fprintf(stdout, "\n== %s: %s\n", f.Vendor, f.Name)
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
		fmt.Fprintln(stderr, "demo: no journey matches", errors.New(*vendor))
		return 2
	}
	fmt.Fprintf(stdout, "\n%d journeys, %d failed\n", ran, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
