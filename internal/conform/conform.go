// Package conform tells a team whether a vendor, idvkit's specs and the sandbox still
// agree. It runs the demo's verification journeys through the real vendor clients against
// a target (the embedded emulators, the vendors' own sandbox environments, or any URL
// mounting the three APIs), records every exchange at the wire, redacted, and reports:
//
//   - drift and violations of each target against the specs (the contract kit's verdict
//     on the unredacted exchange, as the clients' report mode would give it);
//   - with two targets, the differences between them step by step: status, the vendor's
//     error code, the set of fields and their JSON types, and the values of enumerated
//     fields; never ids, times or other values, nor enums a spec marks variable
//     ([VariableExtension]);
//   - whether each finding is acknowledged in a checked-in file ([Ack]).
//
// Recordings ([WriteCassettes]) hold no credential, token, OTP, image, name, date of
// birth, document number, address, email or phone: they are redacted in memory as each
// exchange is captured, and scrubbed once more of every value learned during the run,
// before anything is written. [Replay] re-validates recordings against the specs of
// today; [Promote] turns them into spec examples and emulator fixtures.
//
// `idvkit conform` is the command line over this package; docs/CONFORM.md is its guide.
package conform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Options configure [Run].
type Options struct {
	// Target is "sandbox" (default), "live" or a URL; Against, when set, is the second
	// target of a differential run ("sandbox" by default in the command line).
	Target  string
	Against string
	// Vendor and Journey keep only matching journeys (a vendor name; a substring of the
	// journey id).
	Vendor  string
	Journey string
	// Timeout is how long a live run waits for a person at a step only a person can do
	// (the iProov SDK). Zero does not wait: such journeys stop there, reported.
	Timeout time.Duration
	// Getenv reads credentials and base URLs (os.Getenv in the command).
	Getenv func(string) string
	// Prompt receives the requests for a person; Input the Enter that says it is done.
	Prompt io.Writer
	Input  io.Reader
	// Kit holds the specs the exchanges are checked against (default contract.Default()).
	Kit *contract.Kit
}

// TargetRun is one target's pass over the journeys.
type TargetRun struct {
	// Role is "target" or "against".
	Role     string        `json:"role"`
	Target   string        `json:"target"`
	Kind     Kind          `json:"kind"`
	Strategy Strategy      `json:"strategy"`
	Journeys []*JourneyRun `json:"journeys"`
	secrets  []string      // the target's credentials, for the final scrub
	red      *redactor     // what the run learned to redact
}

// JourneyRun is what one journey did on one target.
type JourneyRun struct {
	ID     string `json:"id"`
	Vendor string `json:"vendor"`
	Name   string `json:"name"`
	// Error is why the journey stopped early (a typed client error, never values);
	// Stopped is set instead when it waited for a person in vain; Skipped when it could
	// not run on this target (no credentials, needs emulator controls).
	Error     string     `json:"error,omitempty"`
	Stopped   string     `json:"stopped,omitempty"`
	Skipped   string     `json:"skipped,omitempty"`
	Exchanges []Exchange `json:"exchanges"`
}

// Result is a whole conform run: the runs and what was found.
type Result struct {
	Runs     []*TargetRun `json:"runs"`
	Findings []Finding    `json:"findings"`
}

// Failed reports whether anything calls for attention: a finding nobody acknowledged.
func (r *Result) Failed() bool {
	for _, f := range r.Findings {
		if !f.Acknowledged {
			return true
		}
	}
	return false
}

// Run runs the journeys against opts.Target (and opts.Against), then checks and compares
// the exchanges. The error is for a run that could not start (a bad target, no
// credentials); what the journeys found is in the Result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Kit == nil {
		opts.Kit = contract.Default()
	}
	target, err := OpenTarget(opts.Target, opts.Getenv)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	targets := []*Target{target}
	if opts.Against != "" {
		other, err := OpenTarget(opts.Against, opts.Getenv)
		if err != nil {
			return nil, err
		}
		defer other.Close()
		targets = append(targets, other)
	}
	// Both sides of a diff play the person the same way; a live side can only use the
	// vendors' conventions.
	strategy := Controls
	for _, t := range targets {
		if t.Kind == KindLive {
			strategy = Conventions
		}
	}
	journeys, err := selectJourneys(opts.Vendor, opts.Journey)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	runID, otp := newRunID(), newDemoOTP()
	for i, t := range targets {
		role := "target"
		if i == 1 {
			role = "against"
		}
		run, err := runTarget(ctx, t, role, strategy, journeys, opts, runID, otp)
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, run)
	}
	res.Findings = Check(opts.Kit, res.Runs...)
	return res, nil
}

func selectJourneys(vendor, journey string) ([]Journey, error) {
	var out []Journey
	for _, j := range Journeys() {
		if vendor != "" && !strings.EqualFold(vendor, j.Vendor) {
			continue
		}
		if journey != "" && !strings.Contains(j.ID, strings.ToLower(journey)) {
			continue
		}
		out = append(out, j)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("conform: no journey matches %q", strings.TrimSpace(vendor+" "+journey))
	}
	return out, nil
}

func runTarget(ctx context.Context, t *Target, role string, strategy Strategy, journeys []Journey, opts Options, runID, otp string) (*TargetRun, error) {
	red := newRedactor(t.creds.secrets()...)
	red.learn(otp)
	tp := &tape{red: red}
	cl, err := t.newClients(tp, opts.Kit)
	if err != nil {
		return nil, err
	}
	p := &person{
		hc:      &http.Client{Transport: transport.NewHTTPTransport(), Timeout: 30 * time.Second},
		prompt:  opts.Prompt,
		input:   opts.Input,
		timeout: opts.Timeout,
	}
	if t.Kind != KindLive {
		p.timeout = 0 // an emulator plays every person's step itself
	}
	run := &TargetRun{Role: role, Target: t.Name, Kind: t.Kind, Strategy: strategy, secrets: t.creds.secrets(), red: red}
	for _, j := range journeys {
		jr := &JourneyRun{ID: j.ID, Vendor: j.Vendor, Name: j.Name}
		run.Journeys = append(run.Journeys, jr)
		switch {
		case j.ControlsOnly && strategy != Controls:
			jr.Skipped = "needs an emulator's controls (documents and selfies made by name)"
			continue
		case !t.hasVendor(j.Vendor):
			jr.Skipped = "no credentials for " + j.Vendor + " in the environment"
			continue
		}
		env := &journeyEnv{clients: cl, strategy: strategy, creds: t.creds, tape: tp, run: runID, demoOTP: otp, person: p}
		tp.begin(j.ID)
		err := j.run(ctx, env)
		jr.Exchanges = tp.take()
		var skip errSkip
		switch {
		case err == nil:
		case errors.As(err, &skip):
			jr.Skipped = string(skip)
		case errors.Is(err, ErrNeedsPerson):
			jr.Stopped = "waited for a person in vain at: " + lastStep(jr, tp)
		default:
			msg, _ := red.scrub(err.Error())
			jr.Error = msg
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return run, nil
}

func lastStep(jr *JourneyRun, tp *tape) string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.step != "" {
		return tp.step
	}
	if n := len(jr.Exchanges); n > 0 {
		return jr.Exchanges[n-1].Step
	}
	return "the first step"
}

func (t *Target) hasVendor(v string) bool {
	switch v {
	case "verisoul":
		return t.creds.haveVerisoul
	case "iproov":
		return t.creds.haveIProov
	case "verifik":
		return t.creds.haveVerifik
	}
	return false
}

// journeysByID indexes a run's journeys.
func journeysByID(r *TargetRun) map[string]*JourneyRun {
	out := map[string]*JourneyRun{}
	for _, j := range r.Journeys {
		out[j.ID] = j
	}
	return out
}

// sortedIDs are the journey ids of runs, in first-seen order.
func sortedIDs(runs ...*TargetRun) []string {
	var ids []string
	for _, r := range runs {
		for _, j := range r.Journeys {
			if !slices.Contains(ids, j.ID) {
				ids = append(ids, j.ID)
			}
		}
	}
	return ids
}
