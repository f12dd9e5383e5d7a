package specgate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/exp/apidiff"
)

// GoChange is one change to the exported Go API of a generated package, as
// golang.org/x/exp/apidiff sees it between the package regenerated from the base
// revision's specs and from the working tree's. An incompatible change is one that can
// stop Go code using the package from compiling, even when oasdiff rates the spec
// change INFO (an optional response property removed takes its struct field along).
type GoChange struct {
	Package    string `json:"package"`            // gen directory, root-relative
	File       string `json:"file"`               // the generated file, root-relative
	Line       int    `json:"line,omitempty"`     // in the working tree's generated file; 0 when the element is gone
	BaseLine   int    `json:"baseLine,omitempty"` // in the base revision's generated file, when known
	Compatible bool   `json:"compatible"`
	Message    string `json:"message"` // apidiff's, e.g. "Widget.Shape: removed"
}

// Kind is "incompatible" or "compatible", apidiff's words.
func (g GoChange) Kind() string {
	if g.Compatible {
		return "compatible"
	}
	return "incompatible"
}

// String renders "file:line: incompatible: message".
func (g GoChange) String() string {
	line, loc := g.Line, ""
	if line == 0 && g.BaseLine > 0 {
		line, loc = g.BaseLine, " (line in base)"
	}
	return fmt.Sprintf("%s:%d: %s: %s%s", g.File, max(line, 1), g.Kind(), g.Message, loc)
}

// sideSource says where one side of the Go API diff reads api/ and gen/ from.
type sideSource struct {
	name string // "base" or "working tree", for messages
	c    *checker
}

// goAPIDiff regenerates every gen package from the base revision's specs and from the
// working tree's, type-checks both in memory and compares their exported APIs.
// Regeneration uses the oapi-codegen linked into the gate for both sides, so only the
// specs' changes show, not a generator upgrade. What cannot be compared is said in
// notes, never silently skipped.
func (c *checker) goAPIDiff(ctx context.Context, base string) (changes []GoChange, compared, notes []string, err error) {
	baseRoot, err := os.MkdirTemp("", "specgate-base-")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("spec diff: %w", err)
	}
	defer os.RemoveAll(baseRoot)
	if err := c.extractAt(ctx, base, baseRoot, "api", "gen"); err != nil {
		return nil, nil, nil, err
	}
	headGen, notes := c.regenerateAll(sideSource{"working tree", &checker{root: c.root}}, notes)
	baseGen, notes := c.regenerateAll(sideSource{"base", &checker{root: baseRoot}}, notes)
	var dirs []string
	for _, gens := range []map[string]generation{headGen, baseGen} {
		for d, g := range gens {
			if !slices.Contains(dirs, d) && (c.selected(d) || c.selected(g.specRel)) {
				dirs = append(dirs, d)
			}
		}
	}
	slices.Sort(dirs)
	if len(dirs) == 0 {
		return nil, nil, notes, nil
	}

	c.progressf("type-checking %d generated package(s) at %s and in the working tree", len(dirs), base)
	exports, err := c.exportsFor(ctx, headGen, baseGen)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, nil, ctx.Err()
		}
		return nil, nil, append(notes, "the Go API of gen/ was not compared: "+err.Error()), nil
	}
	headPkgs, notes := typeCheck("the working tree", headGen, dirs, exports, notes)
	basePkgs, notes := typeCheck(base, baseGen, dirs, exports, notes)
	for _, dir := range dirs {
		hp, inHead := headPkgs[dir]
		bp, inBase := basePkgs[dir]
		_, genHead := headGen[dir]
		_, genBase := baseGen[dir]
		file := cmpOr(headGen[dir].outRel, baseGen[dir].outRel)
		switch {
		case inHead && !genBase: // new since the base
			changes = append(changes, GoChange{Package: dir, File: file, Line: 1, Compatible: true, Message: "new package"})
		case inBase && !genHead: // gone since the base
			changes = append(changes, GoChange{Package: dir, File: file, Message: "package removed; Go code importing it breaks"})
		case !inHead || !inBase:
			continue // a side that did not regenerate or type-check is in the notes
		default:
			for _, ch := range apidiff.Changes(bp.pkg, hp.pkg).Changes {
				name, _, _ := strings.Cut(ch.Message, ":")
				changes = append(changes, GoChange{
					Package: dir, File: file, Compatible: ch.Compatible, Message: ch.Message,
					Line: objectLine(hp, name), BaseLine: objectLine(bp, name),
				})
			}
		}
		compared = append(compared, dir)
	}
	return changes, compared, notes, nil
}

// regenerateAll regenerates every gen directory of one side; what stops a directory is
// a note (the check gate reports the working tree's own problems in detail).
func (c *checker) regenerateAll(side sideSource, notes []string) (map[string]generation, []string) {
	out := map[string]generation{}
	cfgs, err := side.c.find("gen", func(rel string, d fs.DirEntry) bool {
		return !d.IsDir() && d.Name() == "cfg.yaml"
	})
	if err != nil {
		return out, append(notes, fmt.Sprintf("gen/ in the %s cannot be listed: %v", side.name, err))
	}
	for _, cfg := range cfgs {
		dir := path.Dir(cfg)
		c.progressf("regenerating %s (%s)", dir, side.name)
		before := len(side.c.problems)
		g, ok := side.c.safeRegenerate(dir)
		if !ok {
			for _, p := range side.c.problems[before:] {
				notes = append(notes, fmt.Sprintf("%s in the %s does not regenerate, so its Go API was not compared: %s", dir, side.name, p.Message))
			}
			if len(side.c.problems) == before {
				notes = append(notes, fmt.Sprintf("%s in the %s does not regenerate, so its Go API was not compared", dir, side.name))
			}
			// Keep the directory known (no code), so a failure is not taken for a removal.
			out[dir] = generation{outRel: g.outRel, specRel: g.specRel}
			continue
		}
		out[dir] = g
	}
	return out, notes
}

// safeRegenerate is regenerate with a generator panic turned into a problem.
func (c *checker) safeRegenerate(dir string) (g generation, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.errorf(path.Join(dir, "cfg.yaml"), 1, RuleGeneratedCurrent, "regenerating it crashed: %v", r)
			ok = false
		}
	}()
	return c.regenerate(dir)
}

// extractAt writes the files under tops at revision rev into dst, leaving out *.gen.go
// (regenerated, never read).
func (c *checker) extractAt(ctx context.Context, rev, dst string, tops ...string) error {
	out, err := git(ctx, c.root, append([]string{"ls-tree", "-r", "-z", "--name-only", rev, "--"}, tops...)...)
	if err != nil {
		return fmt.Errorf("spec diff: list files at %s: %w", rev, err)
	}
	for _, rel := range strings.Split(string(out), "\x00") {
		if rel == "" || strings.HasSuffix(rel, ".gen.go") {
			continue
		}
		data, err := git(ctx, c.root, "show", rev+":./"+rel)
		if err != nil {
			return fmt.Errorf("spec diff: read %s at %s: %w", rel, rev, err)
		}
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("spec diff: %w", err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("spec diff: %w", err)
		}
	}
	return nil
}

// typed is one generated package, type-checked.
type typed struct {
	pkg  *types.Package
	fset *token.FileSet
}

// typeCheck type-checks one side's generated code from memory with go/types, its
// imports read from export data (exportsFor). Packages with errors are left out and
// noted.
func typeCheck(side string, gens map[string]generation, dirs []string, exports exportData, notes []string) (map[string]typed, []string) {
	out := map[string]typed{}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", exports.lookup)
	for _, d := range dirs {
		g, ok := gens[d]
		if !ok || g.code == nil {
			continue
		}
		file, err := parser.ParseFile(fset, g.outRel, g.code, parser.SkipObjectResolution)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s in %s does not parse, so its Go API was not compared: %s", d, side, firstLine(err.Error())))
			continue
		}
		var first error
		conf := types.Config{Importer: imp, Error: func(err error) {
			if first == nil {
				first = err
			}
		}}
		pkg, _ := conf.Check(d, fset, []*ast.File{file}, nil)
		if first != nil {
			notes = append(notes, fmt.Sprintf("%s in %s does not type-check, so its Go API was not compared: %s", d, side, firstLine(first.Error())))
			continue
		}
		out[d] = typed{pkg: pkg, fset: fset}
	}
	return out, notes
}

// exportData maps import paths to the gc export data files the go command built.
type exportData map[string]string

func (e exportData) lookup(path string) (io.ReadCloser, error) {
	f, ok := e[path]
	if !ok || f == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	return os.Open(f)
}

// exportsFor runs `go list -export -deps` in the project root for the packages the
// generated code imports (the oapi-codegen runtime and the rest go.mod pins; compiled
// once, then cached), so only the generated code itself is type-checked here. It builds
// nothing of the project's own: the gate works when pkg/ does not compile.
func (c *checker) exportsFor(ctx context.Context, gens ...map[string]generation) (exportData, error) {
	imports := map[string]bool{}
	fset := token.NewFileSet()
	for _, side := range gens {
		for _, g := range side {
			if g.code == nil {
				continue
			}
			f, err := parser.ParseFile(fset, g.outRel, g.code, parser.ImportsOnly)
			if err != nil {
				continue // noted when the package is type-checked
			}
			for _, spec := range f.Imports {
				if p, err := strconv.Unquote(spec.Path.Value); err == nil && p != "C" && p != "unsafe" {
					imports[p] = true
				}
			}
		}
	}
	exports := exportData{}
	if len(imports) == 0 {
		return exports, nil
	}
	args := append([]string{"list", "-e", "-export", "-deps", "-json=ImportPath,Export,Error"}, slices.Sorted(maps.Keys(imports))...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = c.root
	stdout, stderr := &capped{max: 16 << 20}, &capped{max: maxToolOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("go list of the generated code's imports: %s", cmpOr(firstLine(stderr.String()), err.Error()))
	}
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	for {
		var p struct {
			ImportPath, Export string
			Error              *struct{ Err string }
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list of the generated code's imports: %w", err)
		}
		if p.Error != nil && imports[p.ImportPath] {
			return nil, fmt.Errorf("go list %s: %s", p.ImportPath, firstLine(p.Error.Err))
		}
		exports[p.ImportPath] = p.Export
	}
	return exports, nil
}

// objectLine finds the line of the object an apidiff message names ("T", "T.Field",
// "(*T).Method", "T.Method") in a checked package; 0 when it does not exist there.
func objectLine(t typed, name string) int {
	if t.pkg == nil {
		return 0
	}
	name = strings.TrimSpace(name)
	typ, member, _ := strings.Cut(strings.NewReplacer("(", "", ")", "", "*", "").Replace(name), ".")
	obj := t.pkg.Scope().Lookup(typ)
	if obj == nil {
		return 0
	}
	pos := obj.Pos()
	if member != "" {
		m, _, _ := types.LookupFieldOrMethod(obj.Type(), true, t.pkg, member)
		if m == nil {
			return 0
		}
		pos = m.Pos()
	}
	if !pos.IsValid() {
		return 0
	}
	return t.fset.Position(pos).Line
}
