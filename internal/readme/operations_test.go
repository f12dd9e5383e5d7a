package readme

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// vendorSpecs are the vendor API specs whose every operation the README's table lists.
var vendorSpecs = map[string][]string{
	"Verisoul": {"verisoul/facematch.yaml", "verisoul/idcheck.yaml"},
	"iProov":   {"iproov/claim.yaml"},
	"Verifik":  {"verifik/smartenroll.yaml"},
}

// TestVendorOperationsTable: the README's "Vendor operations and their sources" names
// every operation of the three vendor specs (callbacks included) with a source, and
// names none the specs no longer have — so a spec edit that adds or drops an operation
// fails here until the table says so.
func TestVendorOperationsTable(t *testing.T) {
	root := filepath.Join("..", "..")
	want := map[string]string{} // vendor/operationId → "vendor"
	for vendor, files := range vendorSpecs {
		for _, f := range files {
			doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(root, "api", f))
			require.NoError(t, err, f)
			for _, item := range doc.Paths.Map() {
				addOps(want, vendor, item)
			}
			for _, cbs := range doc.Components.Callbacks {
				for _, item := range cbs.Value.Map() {
					addOps(want, vendor, item)
				}
			}
			for _, item := range doc.Paths.Map() {
				for _, op := range item.Operations() {
					for _, cb := range op.Callbacks {
						for _, cbItem := range cb.Value.Map() {
							addOps(want, vendor, cbItem)
						}
					}
				}
			}
		}
	}
	require.Greater(t, len(want), 60, "the specs hold the vendors' operations")

	rows := operationsTable(t, filepath.Join(root, "README.md"))
	require.NotEmpty(t, rows, `README.md has no "Vendor operations and their sources" table`)
	listed := map[string]bool{}
	ident := regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*`)
	for _, r := range rows {
		if strings.TrimSpace(r.source) == "" {
			t.Errorf("README line %d: %s %s has no source", r.line, r.vendor, r.operations)
		}
		for _, id := range ident.FindAllString(r.operations, -1) {
			if id == "deprecated" || id == "callback" { // notes beside an id
				continue
			}
			key := r.vendor + "/" + id
			if _, ok := want[key]; !ok {
				t.Errorf("README line %d names %s, which no %s spec has", r.line, id, r.vendor)
			}
			listed[key] = true
		}
	}
	checkGoColumn(t, root, rows)

	var missing []string
	for k := range want {
		if !listed[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("README's vendor operations table does not list %s", k)
	}
	t.Logf("%d operations of three vendors, each listed with its source", len(want))
}

func addOps(want map[string]string, vendor string, item *openapi3.PathItem) {
	for _, op := range item.Operations() {
		if op.OperationID != "" {
			want[vendor+"/"+op.OperationID] = vendor
		}
	}
}

type opRow struct {
	line                              int
	vendor, operations, gocol, source string
}

// operationsTable reads the rows of the table under "## Vendor operations and their sources".
func operationsTable(t *testing.T, readme string) []opRow {
	t.Helper()
	f, err := os.Open(readme)
	require.NoError(t, err)
	defer f.Close()
	var rows []opRow
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## Vendor operations and their sources"
		case in && strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			if len(cells) < 4 || strings.TrimSpace(cells[0]) == "vendor" || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") {
				continue
			}
			r := opRow{line: n, vendor: strings.TrimSpace(cells[0]), operations: cells[1], source: cells[len(cells)-1]}
			if len(cells) >= 5 {
				r.gocol = cells[3]
			}
			rows = append(rows, r)
		}
	}
	require.NoError(t, sc.Err())
	return rows
}

// checkGoColumn: every function or method the table's Go column names (`Name` or
// `Type.Name`) is exported by that vendor's package, so a rename fails here.
func checkGoColumn(t *testing.T, root string, rows []opRow) {
	t.Helper()
	pkgs := map[string]string{"Verisoul": "verisoul", "iProov": "iproov", "Verifik": "verifik"}
	decls := map[string]map[string]bool{}
	for vendor, dir := range pkgs {
		decls[vendor] = exportedFuncs(t, filepath.Join(root, "pkg", dir))
	}
	code := regexp.MustCompile("`([^`]+)`")
	named := 0
	for _, r := range rows {
		if strings.TrimSpace(r.gocol) == "" {
			t.Errorf("README line %d: %s %s has no Go column", r.line, r.vendor, r.operations)
			continue
		}
		for _, m := range code.FindAllStringSubmatch(r.gocol, -1) {
			name := strings.TrimPrefix(m[1], pkgs[r.vendor]+".")
			if strings.HasPrefix(name, "pkg/") || strings.HasPrefix(name, "ErrAlready") {
				continue // a package path; a sentinel error
			}
			named++
			if !decls[r.vendor][name] && !decls[r.vendor][lastPart(name)] {
				t.Errorf("README line %d names %s, which package %s does not export", r.line, m[1], pkgs[r.vendor])
			}
		}
	}
	require.Greater(t, named, 40, "the Go column names the client's methods")
}

func lastPart(s string) string { return s[strings.LastIndex(s, ".")+1:] }

// exportedFuncs returns the exported functions ("Name") and methods ("Type.Name" and
// "Name") declared in dir's non-test files.
func exportedFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	require.NoError(t, err)
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || !fn.Name.IsExported() {
					continue
				}
				out[fn.Name.Name] = true
				if fn.Recv != nil && len(fn.Recv.List) == 1 {
					typ := fn.Recv.List[0].Type
					if st, ok := typ.(*ast.StarExpr); ok {
						typ = st.X
					}
					if id, ok := typ.(*ast.Ident); ok {
						out[id.Name+"."+fn.Name.Name] = true
					}
				}
			}
		}
	}
	return out
}
