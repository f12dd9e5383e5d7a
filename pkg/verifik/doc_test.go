package verifik_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackageDocNamesEveryStep: the package comment is where a reader finds the journey,
// so it names every Registrant step and the Client's project administration and resume
// calls; a new step missing from it fails here.
func TestPackageDocNamesEveryStep(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	require.NoError(t, err)
	files := []*ast.File{}
	for _, f := range pkgs["verifik"].Files {
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/idvkit/idvkit/pkg/verifik")
	require.NoError(t, err)

	// Methods that are not journey steps (accessors, formatting).
	notSteps := map[string]bool{"State": true, "MarshalJSON": true, "String": true, "GoString": true, "LogValue": true}
	var want []string
	for _, typ := range p.Types {
		if typ.Name != "Registrant" {
			continue
		}
		for _, m := range typ.Methods {
			if !notSteps[m.Name] {
				want = append(want, m.Name)
			}
		}
	}
	require.NotEmpty(t, want)
	want = append(want, "Projects", "Project", "UpdateProject", "DeleteProject", "ErrAlreadyRegistered", "ResendLink")
	for _, name := range want {
		assert.Contains(t, p.Doc, name, "the package comment does not name %s", name)
	}
}
