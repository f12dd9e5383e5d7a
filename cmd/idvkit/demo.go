package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// demoFlow is one verification journey the demo runs against an in-process emulator.
type demoFlow struct {
	// ID names a journey for -journey and -list (e.g. "verisoul-uniqueness",
	// "idv-uniqueness-verisoul").
	ID     string
	Vendor string
	Name   string
	Run    func(ctx context.Context, p *demoPrinter) error
}

var demoFlows []demoFlow

// registerDemo adds a journey; vendor files call it from init so each vendor's demo
// lives beside nothing but itself.
func registerDemo(f demoFlow) { demoFlows = append(demoFlows, f) }

// demoStep is one step of a journey as -json prints it: a backend call or an end-user
// action, what it returned and the contract verdict on its traffic.
type demoStep struct {
	Type    string `json:"type"` // "step"
	Journey string `json:"journey"`
	Vendor  string `json:"vendor"`
	Step    int    `json:"step"`
	Action  string `json:"action"`
	// Outcomes are what the step returned: ids, decisions and codes, never personal data.
	Outcomes []string `json:"outcomes,omitempty"`
	// Contract is "ok" or "violation" when the step's traffic was checked, empty for an
	// end-user action that sends no backend call.
	Contract   string   `json:"contract,omitempty"`
	Violations []string `json:"violations,omitempty"`
}

// demoPrinter records the steps of one journey and prints them: readably, or as one JSON
// object per step. It never receives secrets, images or personal data: callers pass ids,
// decisions and codes only.
type demoPrinter struct {
	w       io.Writer
	json    bool
	journey demoFlow
	cur     *demoStep
	steps   int
	fails   int
}

// Step prints a backend call or an end-user action.
func (p *demoPrinter) Step(format string, args ...any) {
	p.flush()
	p.steps++
	p.cur = &demoStep{Type: "step", Journey: p.journey.ID, Vendor: p.journey.Vendor, Step: p.steps, Action: fmt.Sprintf(format, args...)}
	if !p.json {
		fmt.Fprintf(p.w, "  %2d. %s\n", p.steps, p.cur.Action)
	}
}

// Outcome prints what the step returned.
func (p *demoPrinter) Outcome(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	p.current().Outcomes = append(p.current().Outcomes, s)
	if !p.json {
		fmt.Fprintf(p.w, "      → %s\n", s)
	}
}

// Contract prints the contract verdict for the traffic of the step just run.
func (p *demoPrinter) Contract(err error) {
	st := p.current()
	if err != nil {
		p.fails++
		st.Contract = "violation"
		st.Violations = append(st.Violations, err.Error())
		if !p.json {
			fmt.Fprintf(p.w, "      ✗ contract: %v\n", err)
		}
		return
	}
	if st.Contract == "" {
		st.Contract = "ok"
	}
	if !p.json {
		fmt.Fprintf(p.w, "      ✓ contract: request and response match the spec\n")
	}
}

// current is the step being recorded; an outcome before any step gets a step of its own.
func (p *demoPrinter) current() *demoStep {
	if p.cur == nil {
		p.Step("(setup)")
	}
	return p.cur
}

// flush writes the finished step as a JSON line.
func (p *demoPrinter) flush() {
	if p.cur != nil && p.json {
		writeJSONLine(p.w, p.cur)
	}
	p.cur = nil
}

func writeJSONLine(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"type": "error", "error": err.Error()})
	}
	_, _ = w.Write(append(b, '\n'))
}

// demoResult is one journey's line in the summary.
type demoResult struct {
	Journey string `json:"journey"`
	Vendor  string `json:"vendor"`
	Name    string `json:"name"`
	// Result is "ok" or "failed".
	Result             string `json:"result"`
	Steps              int    `json:"steps"`
	ContractViolations int    `json:"contract_violations"`
	Error              string `json:"error,omitempty"`
	DurationMS         int64  `json:"duration_ms"`
	duration           time.Duration
}

// demoSummary is the last object -json prints: what CI checks.
type demoSummary struct {
	Type     string       `json:"type"` // "summary"
	Total    int          `json:"total"`
	Passed   int          `json:"passed"`
	Failed   int          `json:"failed"`
	Journeys []demoResult `json:"journeys"`
}

// demoVendors are the vendors, in the order they are shown whatever order their files
// registered in.
var demoVendors = []string{"verisoul", "iproov", "verifik"}

// orderedDemos: each vendor's own journeys first, in vendor order, then the capability
// journeys through pkg/idv in the order they registered (capability, then vendor).
func orderedDemos() []demoFlow {
	out := append([]demoFlow(nil), demoFlows...)
	rank := func(f demoFlow) int {
		if strings.HasPrefix(f.ID, "idv-") {
			return len(demoVendors)
		}
		return slices.Index(demoVendors, f.Vendor)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// title is what -journey matches and the demo prints.
func (f demoFlow) title() string { return f.ID + ": " + f.Name }

const demoUsage = `Usage: idvkit demo [-list] [-vendor a,b] [-journey a,b] [-json]

Runs the verification journeys of each vendor, and the capability journeys through
pkg/idv, against emulators embedded in the binary, checking every call against the specs.
Prints each step and a summary table; with -json, one JSON object per line: one per step
({"type":"step",…}), then a summary ({"type":"summary","total":…,"failed":…,"journeys":[…]}).
Exit status: 0 when every journey passed, 1 when one failed, 2 for a usage error (such as
a vendor or journey that matches nothing: the message names those that exist).

Flags:
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), demoUsage); fs.PrintDefaults() }
	list := fs.Bool("list", false, "list the journeys (id, vendor, what it shows) and exit")
	vendor := fs.String("vendor", "", "run only these vendors' journeys, comma-separated: "+strings.Join(demoVendors, ", "))
	journey := fs.String("journey", "", `run only the journeys whose id or name contains one of these, comma-separated, e.g. "idv" or "verisoul-uniqueness,iproov-photo-enrol"`)
	asJSON := fs.Bool("json", false, "print one JSON object per step, then a summary object (for CI)")
	if code, ok := parseFlags(fs, args, false, stdout, stderr); !ok {
		return code
	}
	flows, err := selectDemos(orderedDemos(), *vendor, *journey)
	if err != nil {
		return usageError(fs, stderr, err)
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, f := range flows {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.ID, f.Vendor, f.Name)
		}
		_ = tw.Flush()
		return exitOK
	}

	sum := demoSummary{Type: "summary"}
	for _, f := range flows {
		if !*asJSON {
			fmt.Fprintf(stdout, "\n== %s: %s\n", f.Vendor, f.title())
		}
		p := &demoPrinter{w: stdout, json: *asJSON, journey: f}
		start := time.Now()
		err := f.Run(ctx, p)
		p.flush()
		r := demoResult{Journey: f.ID, Vendor: f.Vendor, Name: f.Name, Result: "ok", Steps: p.steps,
			ContractViolations: p.fails, duration: time.Since(start)}
		r.DurationMS = r.duration.Milliseconds()
		switch {
		case err != nil:
			r.Result, r.Error = "failed", err.Error()
		case p.fails > 0:
			r.Result, r.Error = "failed", fmt.Sprintf("%d contract violation(s)", p.fails)
		}
		if !*asJSON {
			if r.Result == "ok" {
				fmt.Fprintf(stdout, "  ok\n")
			} else {
				fmt.Fprintf(stdout, "  FAILED: %s\n", r.Error)
			}
		}
		sum.Journeys = append(sum.Journeys, r)
		sum.Total++
		if r.Result == "ok" {
			sum.Passed++
		} else {
			sum.Failed++
		}
	}
	if *asJSON {
		writeJSONLine(stdout, sum)
	} else {
		printDemoTable(stdout, sum)
	}
	if sum.Failed > 0 {
		return exitFailure
	}
	return exitOK
}

// printDemoTable is the summary for people: one line per journey, then the totals.
func printDemoTable(w io.Writer, sum demoSummary) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOURNEY\tVENDOR\tSTEPS\tCONTRACT\tRESULT\tTIME")
	for _, r := range sum.Journeys {
		contract := "ok"
		if r.ContractViolations > 0 {
			contract = fmt.Sprintf("%d violation(s)", r.ContractViolations)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%v\n", r.Journey, r.Vendor, r.Steps, contract, r.Result,
			r.duration.Round(100*time.Microsecond))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d journeys, %d failed\n", sum.Total, sum.Failed)
}

// selectDemos keeps the journeys of the listed vendors whose title contains one of the
// listed journey names (case-insensitive; empty lists keep all). A name that matches
// nothing is an error that lists the names that exist, so a typo is fixed in one go.
func selectDemos(flows []demoFlow, vendors, journeys string) ([]demoFlow, error) {
	if vs := splitList(vendors); len(vs) > 0 {
		for _, v := range vs {
			if !slices.Contains(demoVendors, v) {
				return nil, fmt.Errorf("no vendor %q; the vendors are %s", v, strings.Join(demoVendors, ", "))
			}
		}
		flows = slices.DeleteFunc(slices.Clone(flows), func(f demoFlow) bool { return !slices.Contains(vs, f.Vendor) })
	}
	js := splitList(journeys)
	if len(js) == 0 {
		return flows, nil
	}
	matched := make([]bool, len(flows))
	for _, j := range js {
		found := false
		for i, f := range flows {
			if strings.Contains(strings.ToLower(f.title()), j) {
				matched[i], found = true, true
			}
		}
		if !found {
			ids := make([]string, len(flows))
			for i, f := range flows {
				ids[i] = f.ID
			}
			scope := ""
			if vendors != "" {
				scope = " of " + vendors
			}
			return nil, fmt.Errorf("no journey%s matches %q; the journeys are %s (idvkit demo -list)", scope, j, strings.Join(ids, ", "))
		}
	}
	var out []demoFlow
	for i, f := range flows {
		if matched[i] {
			out = append(out, f)
		}
	}
	return out, nil
}

// splitList reads a comma-separated flag value: trimmed, lower-cased, empties dropped.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.ToLower(strings.TrimSpace(part)); part != "" {
			out = append(out, part)
		}
	}
	return out
}
