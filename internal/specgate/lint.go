package specgate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The standard ruleset is Stoplight Spectral's spectral:oas, run as a subprocess from
// tools/lint (pinned by its package-lock.json), with the exceptions and project rules
// of tools/lint/.spectral.yaml. Spectral and not vacuum (its Go port, which the gate
// could link): vacuum v0.26.1 needs github.com/pb33f/doctor, which the Go module proxy
// does not serve. docs/SPEC-GATE.md lists every exception and why.

// RuleSpectral is the gate's own finding about the standard ruleset (it could not run,
// or failed); Spectral's findings are "spectral:<its rule>", e.g.
// "spectral:oas3-valid-media-example".
const RuleSpectral = "spectral"

// LintDir is where a project keeps the standard ruleset, relative to its root: the
// ruleset (.spectral.yaml), package.json and package-lock.json pinning Spectral, and,
// once installed, node_modules. A project without the ruleset file is not linted.
const LintDir = "tools/lint"

// LintNotRun is the start of the finding when Node.js is missing.
const LintNotRun = "standard ruleset not run: install Node.js 20 and npm (Debian: apt-get install nodejs npm)"

const (
	lintTimeout    = 3 * time.Minute  // Spectral over every spec takes seconds; a hang must not hold CI
	installTimeout = 10 * time.Minute // npm ci from a cold cache downloads about 250 packages
	maxLintOutput  = 32 << 20         // Spectral's JSON: thousands of findings fit, memory stays bounded
)

// spectralTwins are the Spectral rules that hold exactly what a Go rule of the gate
// holds: the project rules tools/lint/.spectral.yaml repeats for editors and standalone
// runs, and standard rules that are one of the gate's. In the gate the Go rule reports
// them, with or without Node, so the Spectral copy is dropped rather than reported twice.
var spectralTwins = map[string]string{
	"idvkit-x-idvkit-source": RuleSource,
	"idvkit-operation-id":    RuleOperationID,
	"idvkit-summary":         RuleSummary,
	"operation-operationId":  RuleOperationID, // present
	"operation-tags":         RuleTag,         // at least one
	"operation-singular-tag": RuleTag,         // at most one
	"operation-tag-defined":  RuleTag,         // declared in the top-level tags
}

// LintOptions select how Check runs the standard ruleset.
type LintOptions struct {
	// Skip turns the standard ruleset off.
	Skip bool
	// Require makes a ruleset that cannot run (no Node.js, npm ci failed) an error
	// rather than a warning. The CLI sets it under CI=true or -require-lint: a gate that
	// silently skips its linter in CI proves nothing.
	Require bool
	// Dir holds the ruleset and Spectral's package; "" means <Root>/tools/lint.
	Dir string
}

// spectralResult is one element of `spectral lint -f json`.
type spectralResult struct {
	Code     json.RawMessage `json:"code"` // a string, or a number for some parser errors
	Path     []any           `json:"path"`
	Message  string          `json:"message"`
	Severity int             `json:"severity"` // 0 error, 1 warn, 2 info, 3 hint
	Range    struct {
		Start struct {
			Line int `json:"line"` // 0-based
		} `json:"start"`
	} `json:"range"`
	Source string `json:"source"`
}

// startLint runs checkLint in the background on a checker of its own and returns a
// wait that adds its problems to c (once every other rule has run, so nothing races).
func (c *checker) startLint(ctx context.Context, opts LintOptions, specs []string) (wait func() error) {
	sub := &checker{root: c.root, progress: c.progress}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				sub.errorf(LintDir, 1, RuleSpectral, "running the standard ruleset crashed: %v", r)
				done <- nil
			}
		}()
		done <- sub.checkLint(ctx, opts, specs)
	}()
	return func() error {
		err := <-done
		for _, p := range sub.problems {
			c.add(p)
		}
		return err
	}
}

// checkLint runs Spectral over the specs (never the fragments: Spectral reads those
// through the specs' $refs, as the gate does) and adds its findings.
func (c *checker) checkLint(ctx context.Context, opts LintOptions, specs []string) error {
	if opts.Skip || len(specs) == 0 {
		return nil
	}
	dir := opts.Dir
	if dir == "" {
		dir = c.abs(LintDir)
	}
	// Spectral runs in the root, so a relative root (-dir ../x) must not stay in its paths.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("spec check: %w", err)
	}
	ruleset := filepath.Join(dir, ".spectral.yaml")
	if _, err := os.Stat(ruleset); err != nil {
		return nil // the project has not adopted the standard ruleset
	}
	where := c.lintFile(ruleset)
	notRun := func(format string, args ...any) {
		p := Problem{File: where, Line: 1, Rule: RuleSpectral, Message: fmt.Sprintf(format, args...), Severity: Warning}
		if opts.Require {
			p.Severity = Error
			p.Message += " (required: CI=true or -require-lint)"
		}
		c.add(p)
	}
	if _, err := exec.LookPath("node"); err != nil {
		notRun("%s", LintNotRun)
		return nil
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "spectral")
	if _, err := os.Stat(bin); err != nil {
		if _, err := exec.LookPath("npm"); err != nil {
			notRun("%s", LintNotRun)
			return nil
		}
		c.progressf("installing Spectral: npm ci --prefix %s", c.lintFile(dir))
		out, err := runBounded(ctx, installTimeout, "", maxToolOutput, "npm", "ci", "--prefix", dir,
			"--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			notRun("standard ruleset not run: npm ci --prefix %s failed: %v: %s", c.lintFile(dir), err, lastLines(out, 3))
			return nil
		}
	}

	c.progressf("spectral lint (standard ruleset, %s) on %d spec(s)", c.lintFile(ruleset), len(specs))
	args := append([]string{"lint", "-q", "-f", "json", "-r", ruleset}, specs...)
	out, err := runBounded(ctx, lintTimeout, c.root, maxLintOutput, bin, args...)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var results []spectralResult
	if jerr := json.Unmarshal(out.stdout, &results); jerr != nil {
		// Exit 2 with no JSON: a broken ruleset, a spec Spectral cannot read, Node too old.
		c.errorf(where, 1, RuleSpectral, "spectral lint failed (%v): %s", cmpOr(errString(err), jerr.Error()), lastLines(out, 3))
		return nil
	}
	for _, r := range results {
		c.spectralProblem(r, specs[0])
	}
	return nil
}

// spectralProblem maps one Spectral result to a gate problem: root-relative file,
// 1-based line, "spectral:<rule>", Spectral's error as an error and the rest as
// warnings. A temporary waiver for the rule at the result's pointer makes it a warning.
func (c *checker) spectralProblem(r spectralResult, fallback string) {
	var code string
	if json.Unmarshal(r.Code, &code) != nil {
		code = strings.Trim(string(r.Code), `"`)
	}
	if _, twin := spectralTwins[code]; twin {
		return
	}
	p := Problem{
		File:    c.relFile(r.Source, fallback),
		Line:    r.Range.Start.Line + 1,
		Rule:    "spectral:" + code,
		Message: r.Message,
	}
	if r.Severity != 0 {
		p.Severity = Warning
	}
	at := make(pointer, 0, len(r.Path))
	for _, tok := range r.Path {
		at = append(at, fmt.Sprint(tok))
	}
	if len(at) > 0 { // as a Spectral override names the place: file#pointer
		p.Message += " (at " + jsonPointer(at) + ")"
	}
	if w, ok := waived(p.File, p.Rule, at); ok {
		p.Severity = Warning
		p.Message += " [temporarily waived: " + w.Reason + "]"
	}
	c.add(p)
}

// lintFile names a file of the lint directory for findings: root-relative when it is
// under the root, else as given.
func (c *checker) lintFile(abs string) string {
	return c.relFile(abs, filepath.ToSlash(abs))
}

// toolOutput is what a bounded subprocess printed.
type toolOutput struct {
	stdout, stderr []byte
	truncated      bool
}

// runBounded runs name with args in dir under a timeout, keeping at most max bytes of
// stdout and maxToolOutput of stderr. err is a failure to start or a non-zero exit.
func runBounded(ctx context.Context, timeout time.Duration, dir string, max int, name string, args ...string) (toolOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second // a child holding the pipes open must not hold the gate
	// No telemetry or update checks from npm or the packages it installs.
	cmd.Env = append(os.Environ(), "SCARF_ANALYTICS=false", "DO_NOT_TRACK=1",
		"NO_UPDATE_NOTIFIER=1", "npm_config_update_notifier=false")
	stdout, stderr := &capped{max: max}, &capped{max: maxToolOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	out := toolOutput{stdout: stdout.Bytes(), stderr: stderr.Bytes(), truncated: stdout.Len() >= max}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %v", timeout)
	}
	return out, err
}

// lastLines is the last n non-empty lines of stderr (else stdout), joined with "; ".
func lastLines(out toolOutput, n int) string {
	text := out.stderr
	if len(strings.TrimSpace(string(text))) == 0 {
		text = out.stdout
	}
	var lines []string
	for _, l := range strings.Split(string(text), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if out.truncated {
		lines = append(lines, fmt.Sprintf("(output cut at %d MiB)", maxLintOutput>>20))
	}
	if len(lines) == 0 {
		return "it printed nothing"
	}
	return strings.Join(lines, "; ")
}

// jsonPointer renders p as a URI fragment, "#/paths/~1users/get".
func jsonPointer(p pointer) string {
	var b strings.Builder
	b.WriteString("#")
	for _, tok := range p {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	return b.String()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
