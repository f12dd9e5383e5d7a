// Package layout holds checks on the repository's shape that no single package owns.
package layout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/idvkit/idvkit/"

// TestNoAliasedImports: every package of the module can be imported under its own name —
// a client (pkg/verisoul) next to its emulator (pkg/sandbox/verisoultest) included — so
// the code and the docs never need an alias, and one that creeps back in fails here.
func TestNoAliasedImports(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			checked++
			if imp.Name != nil && imp.Name.Name != "_" {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s imports %s as %s: import it under its own name", rel, p, imp.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("saw only %d imports of the module's packages: is the walk rooted at the repository?", checked)
	}
	t.Logf("%d imports of the module's own packages, none aliased", checked)
}
