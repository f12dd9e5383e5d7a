package verisoul_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// genPrefix is where the generated clients live: their types may change with any spec
// edit, so no vendor package hands them to its callers.
const genPrefix = "github.com/idvkit/idvkit/gen/"

// knownGenLeaks are offenders still to be removed, by "dir.Identifier[.Field]". Remove
// an entry when its type goes; the test fails on an entry that no longer leaks.
var knownGenLeaks = map[string]bool{}

// TestNoGeneratedTypesInPublicAPI walks the exported declarations of the vendor packages
// and fails where a gen/ type appears: in a signature, a field, a type or a var.
func TestNoGeneratedTypesInPublicAPI(t *testing.T) {
	dirs := []string{
		"../verisoul", "../iproov", "../verifik",
		"../sandbox/verisoultest", "../sandbox/iproovtest", "../sandbox/verifiktest",
	}
	var found []string
	for _, dir := range dirs {
		found = append(found, genLeaks(t, dir)...)
	}
	seen := map[string]bool{}
	for _, f := range found {
		seen[f] = true
		if !knownGenLeaks[f] {
			t.Errorf("exported API mentions a generated type: %s", f)
		}
	}
	for k := range knownGenLeaks {
		if !seen[k] {
			t.Errorf("known exception %s is gone: remove it from knownGenLeaks", k)
		}
	}
}

// genLeaks parses the non-test Go files of dir and returns "pkg.Ident" for every exported
// declaration whose type mentions a gen/ package.
func genLeaks(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		gen := map[string]bool{} // local names of gen/ imports
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, genPrefix) {
				continue
			}
			local := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			gen[local] = true
		}
		if len(gen) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(filepath.ToSlash(dir), "../")
		mentions := func(n ast.Node) bool {
			hit := false
			ast.Inspect(n, func(n ast.Node) bool {
				if s, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := s.X.(*ast.Ident); ok && gen[id.Name] {
						hit = true
					}
				}
				return !hit
			})
			return hit
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				name := d.Name.Name
				if d.Recv != nil {
					recv := receiverName(d.Recv.List[0].Type)
					if !ast.IsExported(recv) {
						continue
					}
					name = recv + "." + name
				}
				if mentions(d.Type) {
					set[pkg+"."+name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						for _, leak := range typeLeaks(s.Type, mentions) {
							set[pkg+"."+s.Name.Name+leak] = true
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Type != nil && mentions(s.Type) {
								set[pkg+"."+n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// typeLeaks looks only at what callers can reach: exported fields and interface
// methods, or the whole type when it is neither a struct nor an interface.
func typeLeaks(expr ast.Expr, mentions func(ast.Node) bool) []string {
	switch x := expr.(type) {
	case *ast.StructType:
		var out []string
		for _, f := range x.Fields.List {
			if len(f.Names) == 0 { // embedded: promoted fields reach callers
				if mentions(f.Type) {
					out = append(out, "."+receiverName(f.Type))
				}
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() && mentions(f.Type) {
					out = append(out, "."+n.Name)
				}
			}
		}
		return out
	case *ast.InterfaceType:
		var out []string
		for _, m := range x.Methods.List {
			for _, n := range m.Names {
				if n.IsExported() && mentions(m.Type) {
					out = append(out, "."+n.Name)
				}
			}
		}
		return out
	}
	if mentions(expr) {
		return []string{""}
	}
	return nil
}

func receiverName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return receiverName(x.X)
	case *ast.IndexExpr:
		return receiverName(x.X)
	case *ast.IndexListExpr:
		return receiverName(x.X)
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.Ident:
		return x.Name
	}
	return ""
}
