// Package specgate is the pull-request gate for idvkit's OpenAPI specs: Check validates
// every api/**/*.yaml (kin-openapi, examples included), applies the project's spec
// rules and a standard ruleset (Spectral's spectral:oas, run from tools/lint), proves gen/ is what the specs generate and that the module still builds and
// vets; Diff reports what changed against a git revision for callers of the vendor API
// (oasdiff) and for Go code using gen/ (golang.org/x/exp/apidiff of the regenerated
// packages).
//
// The package depends only on the specs, the generator and the linters, never on pkg/,
// gen/ or the emulators, so its command (cmd/idvkit-spec) builds and reports when the
// code it gates does not compile. Keep it that way: TestGateLinksNothingItGates.
package specgate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Rule ids. They are stable: CI output, docs and tests refer to them.
const (
	RuleSpecValid        = "spec-valid"        // the document loads and passes kin-openapi validation
	RuleExamplesValid    = "examples-valid"    // every example validates against its schema
	RuleOperationID      = "operation-id"      // explicit lowerCamel operationId on every operation
	RuleSummary          = "summary"           // every operation has a summary
	RuleTag              = "tag"               // exactly one tag per operation, declared in top-level tags
	RuleSource           = "x-idvkit-source"   // every operation names the source of its facts
	RuleErrorResponses   = "error-responses"   // 4xx/5xx documented, each with a schema and an example
	RuleSuccessExample   = "success-example"   // every 2xx response with content has a schema and an example
	RuleNoInlineUnion    = "no-inline-union"   // oneOf/anyOf/allOf only in named components/schemas
	RuleGeneratedCurrent = "generated-current" // gen/**/*.gen.go is exactly what the specs generate
	RuleOpenResponse     = "open-response"     // warning: response schemas do not set additionalProperties: false
	RuleNullableType     = "nullable-type"     // nullable: true only beside a type (OpenAPI 3.0.3; Spectral, Redocly)
	RuleNullableEnum     = "nullable-enum"     // a nullable enum lists null (OpenAPI 3.0.3; Spectral, Redocly)
	RuleGoBuild          = "go-build"          // `go build ./...` and the type-check of `go vet ./...` pass: gen/ and pkg/ compile
	RuleGoVet            = "go-vet"            // `go vet ./...` reports nothing
	// RuleSpectral ("spectral", and "spectral:<rule>" for Spectral's findings) is in lint.go.
)

// Severity tells whether a problem fails the gate.
type Severity int

const (
	Error Severity = iota
	Warning
)

// String is "error" or "warning", the names JSON output and GitHub annotations use.
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// MarshalText makes JSON output carry the name rather than the number.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Problem is one finding, located in a file relative to the project root.
type Problem struct {
	File     string   `json:"file"` // slash-separated, relative to Options.Root
	Line     int      `json:"line"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// String renders the problem as "file:line: rule: message" (warnings add "warning: ").
func (p Problem) String() string {
	if p.Severity == Warning {
		return fmt.Sprintf("%s:%d: %s: warning: %s", p.File, p.Line, p.Rule, p.Message)
	}
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Rule, p.Message)
}

// Options select what Check looks at.
type Options struct {
	// Root is the project root holding api/ and gen/; "" means ".".
	Root string
	// Only, when set, limits the check to these root-relative spec files and gen
	// directories (a directory selects everything under it).
	Only []string
	// SkipGenerated turns the generated-current rule off.
	SkipGenerated bool
	// SkipBuild turns the go-build and go-vet rules off. They run only when Root holds
	// a go.mod, and only without an Only selection: they are about the whole module.
	SkipBuild bool
	// Go is the go command the build rules run; "" means "go" from PATH.
	Go string
	// Lint selects how the standard ruleset (Spectral, from tools/lint) runs over the
	// specs; its findings are rules "spectral:<rule>".
	Lint LintOptions
	// Progress, when set, receives a line before each step that may take a second or
	// more (regenerating a package, building the module), so a person or a CI log sees
	// what the gate is doing. The CLI passes stderr.
	Progress io.Writer
}

// Report is the outcome of Check.
type Report struct {
	Problems  []Problem `json:"problems"`  // sorted by file, line, rule, message
	Specs     []string  `json:"specs"`     // spec files checked, relative to the root
	Generated []string  `json:"generated"` // gen directories checked, relative to the root
	Built     bool      `json:"built"`     // the go-build and go-vet rules ran
}

// Failed reports whether any problem is an error.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Severity == Error })
}

// Write prints one line per problem.
func (r Report) Write(w io.Writer) error {
	for _, p := range r.Problems {
		if _, err := fmt.Fprintln(w, p.String()); err != nil {
			return err
		}
	}
	return nil
}

// Check runs every rule over the specs and generated code under opts.Root. The error is
// for a root that cannot be read at all; everything else is a Problem.
func Check(ctx context.Context, opts Options) (Report, error) {
	root := cmp.Or(opts.Root, ".")
	if fi, err := os.Stat(root); err != nil {
		return Report{}, fmt.Errorf("spec check: %w", err)
	} else if !fi.IsDir() {
		return Report{}, fmt.Errorf("spec check: %s is not a directory", root)
	}
	c := &checker{root: root, only: cleanOnly(opts.Only), progress: lockedWriter(opts.Progress)}

	specs, err := c.find("api", func(rel string, d fs.DirEntry) bool {
		return !d.IsDir() && strings.HasSuffix(rel, ".yaml")
	})
	if err != nil {
		return Report{}, err
	}
	var report Report
	if len(specs) > 0 {
		c.progressf("checking %d spec file(s)", len(specs))
	}
	for _, rel := range specs {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		if c.checkSpec(ctx, rel) {
			report.Specs = append(report.Specs, rel)
		}
	}
	if len(c.only) == 0 { // with a selection, the specs that use a fragment may be left out
		c.strayFragments()
	}
	// Spectral takes seconds; it runs while gen/ is regenerated and the module builds.
	lintCtx, stopLint := context.WithCancel(ctx)
	defer stopLint()
	lintDone := c.startLint(lintCtx, opts.Lint, report.Specs)

	if !opts.SkipGenerated {
		cfgs, err := c.find("gen", func(rel string, d fs.DirEntry) bool {
			return !d.IsDir() && d.Name() == "cfg.yaml"
		})
		if err != nil {
			return Report{}, err
		}
		for _, cfg := range cfgs {
			if err := ctx.Err(); err != nil {
				return Report{}, err
			}
			dir := path.Dir(cfg)
			c.checkGenerated(dir)
			report.Generated = append(report.Generated, dir)
		}
	}

	if !opts.SkipBuild && len(c.only) == 0 {
		ran, err := c.checkBuild(ctx, cmp.Or(opts.Go, "go"))
		if err != nil {
			return Report{}, err
		}
		report.Built = ran
	}

	if err := lintDone(); err != nil {
		return Report{}, err
	}
	report.Problems = c.sorted()
	return report, nil
}

// lockedWriter serialises progress lines written from the lint goroutine and the rest.
func lockedWriter(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	return &syncWriter{w: w}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// checker collects problems across files.
type checker struct {
	root       string
	progress   io.Writer
	only       []string
	problems   []Problem
	seen       map[Problem]bool
	fragments  []string        // api/ YAML files without an openapi key
	referenced map[string]bool // files the specs $ref into, root-relative
}

func (c *checker) add(p Problem) {
	if p.Line < 1 {
		p.Line = 1
	}
	if c.seen == nil {
		c.seen = map[Problem]bool{}
	}
	if c.seen[p] {
		return // a shared component reached from several places is reported once
	}
	c.seen[p] = true
	c.problems = append(c.problems, p)
}

// progressf writes one progress line, prefixed like the CLI's own messages.
func (c *checker) progressf(format string, args ...any) {
	if c.progress != nil {
		fmt.Fprintf(c.progress, "specgate: "+format+"\n", args...)
	}
}

func (c *checker) errorf(file string, line int, rule, format string, args ...any) {
	c.add(Problem{File: file, Line: line, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnf(file string, line int, rule, format string, args ...any) {
	c.add(Problem{File: file, Line: line, Rule: rule, Message: fmt.Sprintf(format, args...), Severity: Warning})
}

func (c *checker) sorted() []Problem {
	out := slices.Clone(c.problems)
	slices.SortFunc(out, func(a, b Problem) int {
		return cmp.Or(
			strings.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Message, b.Message),
		)
	})
	return out
}

// abs turns a root-relative slash path into a filesystem path.
func (c *checker) abs(rel string) string { return filepath.Join(c.root, filepath.FromSlash(rel)) }

// find walks root/top and returns the root-relative slash paths accepted by keep and
// selected by Only. A missing top directory is not an error: a project may have no gen/.
func (c *checker) find(top string, keep func(rel string, d fs.DirEntry) bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(c.abs(top), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == c.abs(top) {
				return fs.SkipDir
			}
			return err
		}
		rel, err := filepath.Rel(c.root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if keep(rel, d) && c.selected(rel) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("spec check: %w", err)
	}
	return out, nil
}

func (c *checker) selected(rel string) bool {
	if len(c.only) == 0 {
		return true
	}
	for _, o := range c.only {
		if rel == o || strings.HasPrefix(rel, o+"/") {
			return true
		}
	}
	return false
}

func cleanOnly(only []string) []string {
	var out []string
	for _, o := range only {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, path.Clean(filepath.ToSlash(o)))
		}
	}
	return out
}
