package specgate_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/specgate"
)

const (
	widgetsDir = "gen/w/widgets"
	widgetsGen = widgetsDir + "/widgets.gen.go"
	shopGo     = "pkg/shop/shop.go"
)

// shopProject is a module as this repository is laid out: the widgets spec, its gen
// package generated and current, and a pkg/ package that reads the optional
// Widget.Shape; go.mod and go.sum are this repository's, so the oapi-codegen runtime
// resolves from the module cache. Committed and tagged "base" when commit is set.
func shopProject(t *testing.T, commit bool) string {
	t.Helper()
	files := map[string]string{
		"go.mod":                 strings.Replace(repoFile(t, "go.mod"), "module github.com/idvkit/idvkit", "module example.com/shop", 1),
		"go.sum":                 repoFile(t, "go.sum"),
		specRel:                  goodSpec(t),
		widgetsDir + "/cfg.yaml": "package: widgets\noutput: widgets.gen.go\ngenerate:\n  models: true\noutput-options:\n  skip-prune: true\n",
		widgetsDir + "/generate.go": "// Package widgets is generated from api/w/widgets.yaml.\npackage widgets\n\n" +
			"//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config cfg.yaml ../../../api/w/widgets.yaml\n",
		shopGo: "// Package shop uses the generated widgets models.\npackage shop\n\nimport \"example.com/shop/gen/w/widgets\"\n\n" +
			"// Round reports whether a widget is a circle.\nfunc Round(w widgets.Widget) bool {\n" +
			"\treturn w.Shape != nil // uses-shape\n}\n",
	}
	var root string
	if commit {
		root = repoWithBase(t, files)
	} else {
		root = project(t, files)
	}
	regenerate(t, root)
	if commit {
		gitRun(t, root, "add", ".")
		gitRun(t, root, "commit", "-q", "-m", "generated")
		gitRun(t, root, "tag", "-f", "base")
	}
	return root
}

// regenerate is `go generate ./gen/...` for the shop project.
func regenerate(t *testing.T, root string) {
	t.Helper()
	require.NoError(t, specgate.RegenerateForTest(root, widgetsDir))
}

// genLine is the line of the generated file holding s.
func genLine(t *testing.T, root, s string) int {
	t.Helper()
	return lineContaining(t, readFile(t, root, widgetsGen), s)
}

// lineContaining is the 1-based number of the first line of text containing s.
func lineContaining(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not found", s)
	return 0
}

// dropShape removes Widget's optional shape property, and the example showing it.
func dropShape(t *testing.T, spec string) string {
	t.Helper()
	spec = replace("        shape: # widget-shape\n          $ref: '#/components/schemas/Shape'\n", "")(t, spec)
	return replace("                shape:\n                  kind: circle\n                  radius: 2\n", "")(t, spec)
}

// The case: removing an optional response property is INFO for oasdiff, yet
// the regenerated package loses the field and Go code reading it no longer compiles.
func TestGoAPIDiff(t *testing.T) {
	shapeField := "\tShape *Shape "
	tests := []struct {
		name     string
		edit     func(t *testing.T, root, spec string)
		want     []string // kind: message
		atBase   string   // the Widget.Shape change is located in the base's file at this text
		atHead   string   // ... or in the working tree's file
		breaking bool
	}{
		{
			name:     "an optional response property removed",
			edit:     func(t *testing.T, root, spec string) { writeFile(t, root, specRel, dropShape(t, spec)) },
			want:     []string{"incompatible: Widget.Shape: removed"},
			atBase:   shapeField,
			breaking: true,
		},
		{
			name: "an optional property made required",
			edit: func(t *testing.T, root, spec string) {
				writeFile(t, root, specRel, replace("      required: [id, size]\n", "      required: [id, size, shape]\n")(t, spec))
			},
			// Shape is a union over json.RawMessage: a Widget holding one by value can no
			// longer be compared with ==.
			want:     []string{"incompatible: Widget: old is comparable, new is not", "incompatible: Widget.Shape: changed from *Shape to Shape"},
			atHead:   "\tShape Shape ",
			breaking: true,
		},
		{
			name: "an optional property added",
			edit: func(t *testing.T, root, spec string) {
				writeFile(t, root, specRel, replace(widgetSchema, widgetSchema+"        colour:\n          type: string\n")(t, spec))
			},
			want:   []string{"compatible: Widget.Colour: added"},
			atHead: "\tColour *string ",
		},
		{
			name: "a description changed",
			edit: func(t *testing.T, root, spec string) {
				writeFile(t, root, specRel, replace("      summary: Fetch a widget\n", "      summary: Fetch one widget\n")(t, spec))
			},
		},
		{
			name: "the spec and its package removed",
			edit: func(t *testing.T, root, _ string) {
				require.NoError(t, os.Remove(filepath.Join(root, filepath.FromSlash(specRel))))
				require.NoError(t, os.RemoveAll(filepath.Join(root, filepath.FromSlash(widgetsDir))))
			},
			want:     []string{"incompatible: package removed; Go code importing it breaks"},
			breaking: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := shopProject(t, true)
			baseLine := genLine(t, root, shapeField)
			tt.edit(t, root, goodSpec(t))
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(widgetsDir))); err == nil {
				regenerate(t, root)
			}

			report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
			require.NoError(t, err)
			assert.Empty(t, report.Notes)
			assert.Equal(t, []string{widgetsDir}, report.GoPackages)
			var got []string
			for _, g := range report.GoChanges {
				assert.Equal(t, widgetsDir, g.Package)
				assert.Equal(t, widgetsGen, g.File)
				got = append(got, g.Kind()+": "+g.Message)
			}
			assert.Equal(t, tt.want, got, "%v", report.GoChanges)
			assert.Equal(t, tt.breaking, report.Breaking())
			last := specgate.GoChange{}
			if n := len(report.GoChanges); n > 0 {
				last = report.GoChanges[n-1]
			}
			if tt.atBase != "" {
				assert.Zero(t, last.Line, "gone from the working tree")
				assert.Equal(t, baseLine, last.BaseLine)
			}
			if tt.atHead != "" {
				assert.Equal(t, genLine(t, root, tt.atHead), last.Line)
			}
		})
	}
}

// What the reviewer reads for the case: the API view says INFO, the Go view
// says incompatible, and the diff fails.
func TestGoAPIDiffOutput(t *testing.T) {
	root := shopProject(t, true)
	baseLine := genLine(t, root, "\tShape *Shape ")
	writeFile(t, root, specRel, dropShape(t, goodSpec(t)))
	regenerate(t, root)

	report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base", Only: []string{specRel}})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, report.Write(&out))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 5, out.String())
	assert.Equal(t, "For callers of the vendor API (oasdiff; INFO is reported, never breaking):", lines[0])
	assert.Contains(t, lines[1], ": INFO response-optional-property-removed: ")
	assert.Contains(t, lines[2], ": INFO response-optional-property-removed: ")
	assert.Equal(t, "For Go code using gen/ (apidiff of the regenerated packages):", lines[3])
	assert.Equal(t, widgetsGen+":"+strconv.Itoa(baseLine)+": incompatible: Widget.Shape: removed (line in base)", lines[4])
	assert.True(t, report.Breaking())

	// An Only naming another spec leaves the package out.
	report, err = specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base", Only: []string{"api/other"}})
	require.NoError(t, err)
	assert.Empty(t, report.GoChanges)
	assert.False(t, report.Breaking())

	report, err = specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base", SkipGoAPI: true})
	require.NoError(t, err)
	assert.Empty(t, report.GoChanges)
	assert.False(t, report.Breaking(), "oasdiff alone rates it INFO")
	assert.True(t, report.Fails("INFO"))
}

// The same spec edit, seen by check: the gate reports that pkg/ no longer compiles,
// at the line that reads the removed field.
func TestCheckReportsCodeBrokenBySpecChange(t *testing.T) {
	root := shopProject(t, false)
	report := check(t, root)
	assert.Empty(t, report.Problems)
	assert.True(t, report.Built)

	writeFile(t, root, specRel, dropShape(t, goodSpec(t)))
	regenerate(t, root)
	report = check(t, root)
	require.Len(t, report.Problems, 1, "%v", report.Problems)
	p := report.Problems[0]
	assert.Equal(t, shopGo, p.File)
	assert.Equal(t, lineContaining(t, readFile(t, root, shopGo), "// uses-shape"), p.Line)
	assert.Equal(t, specgate.RuleGoBuild, p.Rule)
	assert.Equal(t, "gen/ and pkg/ no longer compile: w.Shape undefined (type widgets.Widget has no field or method Shape)", p.Message)
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	require.NoError(t, err)
	return string(b)
}

// A package one side cannot regenerate is not compared, and the report says so rather
// than calling it removed.
func TestGoAPIDiffNotesWhatItCannotCompare(t *testing.T) {
	root := shopProject(t, true)
	writeFile(t, root, widgetsDir+"/generate.go", "package widgets\n")

	report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
	require.NoError(t, err)
	assert.Empty(t, report.GoChanges)
	assert.Empty(t, report.GoPackages)
	assert.Equal(t, []string{widgetsDir + " in the working tree does not regenerate, so its Go API was not compared: " +
		"no //go:generate line runs oapi-codegen -config cfg.yaml <spec>"}, report.Notes)
	assert.False(t, report.Breaking())
}
