package specgate

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	breaking "github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// DiffOptions select what Diff compares.
type DiffOptions struct {
	// Root is the project root holding api/, inside a git work tree; "" means ".".
	Root string
	// Base is the git revision the working tree's specs are compared against.
	Base string
	// Only, when set, limits the comparison to these root-relative spec files or
	// directories.
	Only []string
}

// Change is one backward-compatibility finding of oasdiff.
type Change struct {
	Spec      string // root-relative spec path
	Line      int    // line in the working-tree spec; 0 when the element no longer exists there
	BaseLine  int    // line in the base revision's spec, when known
	Level     string // ERR or WARN
	ID        string // oasdiff's rule id, or spec-removed
	Operation string // HTTP method, when the change is about an operation
	Path      string // path template, when the change is about an operation
	Text      string
}

// String renders "spec:line: LEVEL id: METHOD /path: text".
func (c Change) String() string {
	line := c.Line
	loc := ""
	if line == 0 && c.BaseLine > 0 {
		line, loc = c.BaseLine, " (line in base)"
	}
	op := ""
	if c.Operation != "" || c.Path != "" {
		op = strings.TrimSpace(c.Operation+" "+c.Path) + ": "
	}
	return fmt.Sprintf("%s:%d: %s %s: %s%s%s", c.Spec, max(line, 1), c.Level, c.ID, op, c.Text, loc)
}

// DiffReport is the outcome of Diff.
type DiffReport struct {
	Changes []Change // sorted by spec, line, id
	Specs   []string // specs compared (present on both sides)
	Added   []string // specs new since the base: not breaking
}

// Breaking reports whether any change is ERR level.
func (r DiffReport) Breaking() bool {
	return slices.ContainsFunc(r.Changes, func(c Change) bool { return c.Level == levelErr })
}

// Write prints one line per change and one per added spec.
func (r DiffReport) Write(w io.Writer) error {
	for _, c := range r.Changes {
		if _, err := fmt.Fprintln(w, c.String()); err != nil {
			return err
		}
	}
	for _, a := range r.Added {
		if _, err := fmt.Fprintf(w, "%s: new spec (not breaking)\n", a); err != nil {
			return err
		}
	}
	return nil
}

// Diff compares every spec under api/ in the working tree with its version at
// opts.Base and returns oasdiff's breaking changes (ERR and WARN levels). A spec new
// since the base is not breaking; a spec removed since the base is.
func Diff(ctx context.Context, opts DiffOptions) (DiffReport, error) {
	root := cmp.Or(opts.Root, ".")
	if opts.Base == "" {
		return DiffReport{}, errors.New("spec diff: no base revision")
	}
	if _, err := git(ctx, root, "rev-parse", "--verify", "--quiet", opts.Base+"^{commit}"); err != nil {
		return DiffReport{}, fmt.Errorf("spec diff: %q is not a commit in %s", opts.Base, root)
	}
	c := &checker{root: root, only: cleanOnly(opts.Only)}
	current, err := c.find("api", func(rel string, d fs.DirEntry) bool {
		return !d.IsDir() && strings.HasSuffix(rel, ".yaml")
	})
	if err != nil {
		return DiffReport{}, err
	}
	out, err := git(ctx, root, "ls-tree", "-r", "--name-only", opts.Base, "--", "api")
	if err != nil {
		return DiffReport{}, fmt.Errorf("spec diff: list specs at %s: %w", opts.Base, err)
	}
	var base []string
	for _, rel := range strings.Fields(string(out)) {
		if strings.HasSuffix(rel, ".yaml") && c.selected(rel) {
			base = append(base, rel)
		}
	}

	var report DiffReport
	for _, rel := range base {
		if !slices.Contains(current, rel) {
			report.Changes = append(report.Changes, Change{Spec: rel, Level: levelErr, ID: "spec-removed",
				Text: "the spec was removed; every client generated from it breaks"})
		}
	}
	for _, rel := range current {
		if err := ctx.Err(); err != nil {
			return DiffReport{}, err
		}
		if !slices.Contains(base, rel) {
			report.Added = append(report.Added, rel)
			continue
		}
		changes, err := c.diffSpec(ctx, opts.Base, rel)
		if err != nil {
			return DiffReport{}, err
		}
		report.Specs = append(report.Specs, rel)
		report.Changes = append(report.Changes, changes...)
	}
	slices.SortStableFunc(report.Changes, func(a, b Change) int {
		return cmp.Or(strings.Compare(a.Spec, b.Spec), cmp.Compare(a.Line, b.Line), strings.Compare(a.ID, b.ID))
	})
	return report, nil
}

func (c *checker) diffSpec(ctx context.Context, base, rel string) ([]Change, error) {
	// ./ makes the path relative to the root even when the root is not the repo's top.
	old, err := git(ctx, c.root, "show", base+":./"+rel)
	if err != nil {
		return nil, fmt.Errorf("spec diff: read %s at %s: %w", rel, base, err)
	}
	s1, err := loadSpecInfo(old, rel)
	if err != nil {
		return nil, fmt.Errorf("spec diff: %s at %s does not load: %s", rel, base, firstLine(err.Error()))
	}
	cur, err := os.ReadFile(c.abs(rel))
	if err != nil {
		return nil, fmt.Errorf("spec diff: %w", err)
	}
	s2, err := loadSpecInfo(cur, rel)
	if err != nil {
		return nil, fmt.Errorf("spec diff: %s does not load: %s", rel, firstLine(err.Error()))
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("spec diff: %s: %w", rel, err)
	}
	found := breaking.CheckBackwardCompatibility(breaking.NewConfig(breaking.GetAllChecks()), d, sources)
	l := breaking.NewDefaultLocalizer()
	out := make([]Change, 0, len(found))
	for _, ch := range found {
		change := Change{
			Spec:      rel,
			Level:     levelName(ch.GetLevel()),
			ID:        ch.GetId(),
			Operation: ch.GetOperation(),
			Path:      ch.GetPath(),
			Text:      ch.GetUncolorizedText(l),
		}
		if src := ch.GetRevisionSource(); src != nil {
			change.Line = src.Line
		}
		if src := ch.GetBaseSource(); src != nil {
			change.BaseLine = src.Line
		}
		out = append(out, change)
	}
	return out, nil
}

const levelErr = "ERR"

// levelName uses the names of oasdiff's --fail-on flag, which CI configs know.
func levelName(l breaking.Level) string {
	switch l {
	case breaking.ERR:
		return levelErr
	case breaking.WARN:
		return "WARN"
	case breaking.INFO:
		return "INFO"
	}
	return l.String()
}

// loadSpecInfo loads one side of a diff with a fresh loader (oasdiff's advice: a shared
// loader's cache mixes up two documents of the same name) and origins on, for lines.
func loadSpecInfo(data []byte, name string) (*load.SpecInfo, error) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	return load.NewSpecInfoFromData(loader, data, name)
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := firstLine(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}
