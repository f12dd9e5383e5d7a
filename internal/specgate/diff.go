package specgate

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
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
	// directories (and the Go API diff to the gen packages generated from them, or
	// gen directories named here).
	Only []string
	// SkipGoAPI turns the Go API diff of the generated packages off.
	SkipGoAPI bool
	// Progress, when set, receives a line before each step that may take a second or
	// more. The CLI passes stderr.
	Progress io.Writer
}

// Change is one backward-compatibility finding of oasdiff: what changed for callers of
// the vendor API.
type Change struct {
	Spec      string `json:"spec"`                // root-relative spec path
	File      string `json:"file,omitempty"`      // file holding the change's line when not Spec: a fragment Spec $refs
	Line      int    `json:"line,omitempty"`      // line in the working tree; 0 when the element no longer exists there
	BaseLine  int    `json:"baseLine,omitempty"`  // line in the base revision, when known
	Level     string `json:"level"`               // ERR, WARN or INFO (INFO: reported, never breaking)
	ID        string `json:"id"`                  // oasdiff's rule id, or spec-removed
	Operation string `json:"operation,omitempty"` // HTTP method, when the change is about an operation
	Path      string `json:"path,omitempty"`      // path template, when the change is about an operation
	Text      string `json:"text"`
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
	return fmt.Sprintf("%s:%d: %s %s: %s%s%s", cmp.Or(c.File, c.Spec), max(line, 1), c.Level, c.ID, op, c.Text, loc)
}

// DiffReport is the outcome of Diff, in the two views a reviewer reads: Changes for
// callers of the vendor API (oasdiff), GoChanges for Go code using gen/ (apidiff).
type DiffReport struct {
	Base       string     `json:"base"`
	Changes    []Change   `json:"api"`      // oasdiff, ERR, WARN and INFO; sorted by spec, line, id
	Specs      []string   `json:"specs"`    // specs compared (present on both sides)
	Added      []string   `json:"added"`    // specs new since the base: not breaking
	GoChanges  []GoChange `json:"go"`       // apidiff of the regenerated packages; sorted by package, incompatible first
	GoPackages []string   `json:"packages"` // gen packages compared
	Notes      []string   `json:"notes"`    // what could not be compared, and why
}

// Breaking reports whether any change breaks callers of the vendor API (oasdiff ERR) or
// Go code using gen/ (an incompatible Go API change).
func (r DiffReport) Breaking() bool { return r.Fails(levelErr) }

// Fails reports whether any change is at failOn or above, oasdiff's --fail-on levels:
// ERR, WARN or INFO. An incompatible Go API change counts as ERR, a compatible one as
// INFO.
func (r DiffReport) Fails(failOn string) bool {
	limit := levelRank(failOn)
	for _, c := range r.Changes {
		if levelRank(c.Level) >= limit {
			return true
		}
	}
	for _, g := range r.GoChanges {
		if levelRank(g.level()) >= limit {
			return true
		}
	}
	return false
}

// level maps a Go API change onto oasdiff's levels for --fail-on.
func (g GoChange) level() string {
	if g.Compatible {
		return "INFO"
	}
	return levelErr
}

func levelRank(level string) int {
	switch strings.ToUpper(level) {
	case "INFO":
		return 1
	case "WARN":
		return 2
	case levelErr:
		return 3
	}
	return 4 // unknown: nothing fails
}

// Write prints the report as a reviewer reads it: the changes for callers of the
// vendor API, then those for Go code using gen/, then new specs and notes, one
// "file:line: ..." line per change under a heading per view. Nothing at all when
// nothing changed.
func (r DiffReport) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	if len(r.Changes) > 0 {
		ew.printf("For callers of the vendor API (oasdiff; INFO is reported, never breaking):\n")
		for _, c := range r.Changes {
			ew.printf("%s\n", c)
		}
	}
	if len(r.GoChanges) > 0 {
		ew.printf("For Go code using gen/ (apidiff of the regenerated packages):\n")
		for _, g := range r.GoChanges {
			ew.printf("%s\n", g)
		}
	}
	for _, a := range r.Added {
		ew.printf("%s: new spec (not breaking)\n", a)
	}
	for _, n := range r.Notes {
		ew.printf("note: %s\n", n)
	}
	return ew.err
}

// errWriter keeps the first write error, so a report is written without a check per line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// Diff compares every spec under api/ in the working tree with its version at
// opts.Base and returns oasdiff's changes (ERR, WARN and INFO levels), and the changes
// of the exported Go API of every gen package regenerated from both. A spec new since
// the base is not breaking; a spec removed since the base is.
func Diff(ctx context.Context, opts DiffOptions) (DiffReport, error) {
	root := cmp.Or(opts.Root, ".")
	if opts.Base == "" {
		return DiffReport{}, errors.New("spec diff: no base revision")
	}
	if _, err := git(ctx, root, "rev-parse", "--verify", "--quiet", opts.Base+"^{commit}"); err != nil {
		return DiffReport{}, fmt.Errorf("spec diff: %q is not a commit in %s", opts.Base, root)
	}
	c := &checker{root: root, only: cleanOnly(opts.Only), progress: opts.Progress}
	files, err := c.find("api", func(rel string, d fs.DirEntry) bool {
		return !d.IsDir() && strings.HasSuffix(rel, ".yaml")
	})
	if err != nil {
		return DiffReport{}, err
	}
	var current []string
	for _, rel := range files {
		data, err := os.ReadFile(c.abs(rel))
		if err != nil {
			return DiffReport{}, fmt.Errorf("spec diff: %w", err)
		}
		if isSpecData(data) {
			current = append(current, rel)
		}
	}
	out, err := git(ctx, root, "ls-tree", "-r", "--name-only", opts.Base, "--", "api")
	if err != nil {
		return DiffReport{}, fmt.Errorf("spec diff: list specs at %s: %w", opts.Base, err)
	}
	var base []string
	for _, rel := range strings.Fields(string(out)) {
		if !strings.HasSuffix(rel, ".yaml") || !c.selected(rel) {
			continue
		}
		data, err := git(ctx, root, "show", opts.Base+":./"+rel)
		if err != nil {
			return DiffReport{}, fmt.Errorf("spec diff: read %s at %s: %w", rel, opts.Base, err)
		}
		if isSpecData(data) {
			base = append(base, rel)
		}
	}

	report := DiffReport{Base: opts.Base}
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
		c.progressf("comparing %s with %s", rel, opts.Base)
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

	if !opts.SkipGoAPI {
		report.GoChanges, report.GoPackages, report.Notes, err = c.goAPIDiff(ctx, opts.Base)
		if err != nil {
			return DiffReport{}, err
		}
		slices.SortStableFunc(report.GoChanges, func(a, b GoChange) int {
			return cmp.Or(strings.Compare(a.Package, b.Package), cmpBool(a.Compatible, b.Compatible),
				cmp.Compare(cmp.Or(a.Line, a.BaseLine), cmp.Or(b.Line, b.BaseLine)), strings.Compare(a.Message, b.Message))
		})
	}
	return report, nil
}

// isSpecData tells a spec from a fragment specs $ref, as Check and pkg/contract do; what
// does not parse counts as a spec, so its error surfaces.
func isSpecData(data []byte) bool {
	src, err := parseSource(data)
	return err != nil || src.exists(pointer{"openapi"})
}

func (c *checker) diffSpec(ctx context.Context, base, rel string) ([]Change, error) {
	s1, err := c.loadAtRevision(ctx, base, rel)
	if err != nil {
		return nil, fmt.Errorf("spec diff: %s at %s does not load: %s", rel, base, firstLine(err.Error()))
	}
	s2, err := c.loadWorkTree(rel)
	if err != nil {
		return nil, fmt.Errorf("spec diff: %s does not load: %s", rel, firstLine(err.Error()))
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("spec diff: %s: %w", rel, err)
	}
	found := breaking.CheckBackwardCompatibilityUntilLevel(breaking.NewConfig(breaking.GetAllChecks()), d, sources, breaking.INFO)
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
		if src := ch.GetRevisionSource(); src != nil && src.Line > 0 {
			change.Line = src.Line
			change.File = c.sourceFile(src.File, base, rel)
		}
		if src := ch.GetBaseSource(); src != nil && src.Line > 0 {
			change.BaseLine = src.Line
			if change.Line == 0 {
				change.File = c.sourceFile(src.File, base, rel)
			}
		}
		if change.File == rel {
			change.File = ""
		}
		out = append(out, change)
	}
	return out, nil
}

// sourceFile makes a file oasdiff names for a change root-relative: a working-tree
// path, or a "<base>:path" of the base revision.
func (c *checker) sourceFile(file, base, rel string) string {
	f := strings.TrimPrefix(strings.TrimPrefix(file, "./"), base+":")
	if f == "" {
		return rel
	}
	if filepath.IsAbs(f) {
		return c.relFile(f, rel)
	}
	return path.Clean(filepath.ToSlash(f))
}

// loadAtRevision loads rel as it was at base, its relative $refs read from the same
// revision. oasdiff's own git source does the same but runs git in the process's
// working directory, and the root need not be that.
func (c *checker) loadAtRevision(ctx context.Context, base, rel string) (*load.SpecInfo, error) {
	prefix := base + ":"
	data, err := git(ctx, c.root, "show", prefix+"./"+rel)
	if err != nil {
		return nil, err
	}
	loader := newDiffLoader()
	loader.JoinFunc = func(basePath, relative *url.URL) *url.URL {
		if basePath == nil {
			return relative
		}
		joined := *basePath
		dir := strings.TrimPrefix(basePath.Path, prefix)
		joined.Path = prefix + path.Join(path.Dir(dir), relative.Path)
		return &joined
	}
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, location *url.URL) ([]byte, error) {
		p, ok := strings.CutPrefix(location.Path, prefix)
		if !ok || location.Scheme != "" || location.Host != "" {
			return nil, fmt.Errorf("ref %s leaves the revision", location.Redacted())
		}
		return git(ctx, c.root, "show", prefix+"./"+p)
	}
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: prefix + rel})
	if err != nil {
		return nil, err
	}
	return specInfo(doc, rel), nil
}

// loadWorkTree loads rel from the working tree, relative $refs from sibling files.
func (c *checker) loadWorkTree(rel string) (*load.SpecInfo, error) {
	loader := newDiffLoader()
	loader.ReadFromURIFunc = openapi3.ReadFromFile
	doc, err := loader.LoadFromFile(c.abs(rel))
	if err != nil {
		return nil, err
	}
	return specInfo(doc, rel), nil
}

// newDiffLoader is a fresh loader per side (oasdiff's advice: a shared loader's cache
// mixes up two documents of the same name), with origins on for line numbers.
func newDiffLoader() *openapi3.Loader {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	loader.IsExternalRefsAllowed = true
	return loader
}

func specInfo(doc *openapi3.T, rel string) *load.SpecInfo {
	info := &load.SpecInfo{Source: load.NewFileSource(rel), Spec: doc}
	if doc.Info != nil {
		info.Version = doc.Info.Version
	}
	return info
}

const levelErr = "ERR"

// cmpBool orders false before true: incompatible Go changes first.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

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
