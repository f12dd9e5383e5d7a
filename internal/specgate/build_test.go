package specgate_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/specgate"
)

// A module with no dependencies: gen/ holds a plain package, pkg/ one using it.
var minimalModule = map[string]string{
	"go.mod":          "module example.com/m\n\ngo 1.22\n",
	"gen/b/b.go":      "package b\n\n// W is a model.\ntype W struct{ X int }\n",
	"pkg/a/a.go":      "package a\n\nimport \"example.com/m/gen/b\"\n\n// F reads X.\nfunc F() int { return b.W{}.X }\n",
	specRel:           "",
	"pkg/a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {\n\tif F() != 0 {\n\t\tt.Fail()\n\t}\n}\n",
}

func TestCheckBuild(t *testing.T) {
	tests := []struct {
		name  string
		edit  map[string]string // files to write over minimalModule; "" deletes
		opts  specgate.Options
		built bool
		want  []string // file:line: rule: message
	}{
		{name: "clean", built: true},
		{
			name:  "pkg/ does not compile",
			edit:  map[string]string{"pkg/a/a.go": "package a\n\nimport \"example.com/m/gen/b\"\n\n// F reads Y.\nfunc F() int { return b.W{}.Y }\n"},
			built: true,
			want:  []string{"pkg/a/a.go:6: go-build: gen/ and pkg/ no longer compile: b.W{}.Y undefined (type b.W has no field or method Y)"},
		},
		{
			name:  "gen/ changed under pkg/",
			edit:  map[string]string{"gen/b/b.go": "package b\n\n// W is a model.\ntype W struct{ X string }\n"},
			built: true,
			want:  []string{"pkg/a/a.go:6: go-build: gen/ and pkg/ no longer compile: cannot use b.W{}.X (value of type string) as int value in return statement"},
		},
		{
			name: "a diagnostic over several lines",
			edit: map[string]string{
				"gen/b/b.go": "package b\n\n// W is a model.\ntype W struct{ X int }\n\n// New makes a W.\nfunc New(x, y int) W { return W{X: x + y} }\n",
				"pkg/a/a.go": "package a\n\nimport \"example.com/m/gen/b\"\n\n// F makes a W.\nfunc F() int { return b.New(1).X }\n",
			},
			built: true,
			want: []string{"pkg/a/a.go:6: go-build: gen/ and pkg/ no longer compile: not enough arguments in call to b.New; " +
				"have (number); want (int, int)"},
		},
		{
			name:  "a test does not compile",
			edit:  map[string]string{"pkg/a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {\n\tundefinedThing()\n}\n"},
			built: true,
			want:  []string{"pkg/a/a_test.go:6: go-build: the tests no longer compile: undefined: undefinedThing"},
		},
		{
			name:  "a vet finding",
			edit:  map[string]string{"pkg/a/g.go": "package a\n\nimport \"fmt\"\n\n// G prints.\nfunc G() { fmt.Printf(\"%d\\n\", \"s\") }\n"},
			built: true,
			want:  []string{"pkg/a/g.go:6: go-vet: go vet: fmt.Printf format %d has arg \"s\" of wrong type string"},
		},
		{
			name:  "go.mod does not parse",
			edit:  map[string]string{"go.mod": "module example.com/m\n\ngo 1.22\n\nrequire (\n"},
			built: true,
			want:  []string{"go.mod:6: go-build: go build ./... failed: syntax error (unterminated block started at "},
		},
		{name: "no go.mod: nothing to build", edit: map[string]string{"go.mod": ""}},
		{
			name: "skipped",
			edit: map[string]string{"pkg/a/a.go": "package a\n\nfunc F() int { return nope }\n"},
			opts: specgate.Options{SkipBuild: true},
		},
		{
			name: "no go command",
			opts: specgate.Options{Go: filepath.Join("no", "such", "go")},
			want: []string{"go.mod:1: go-build: warning: cannot run no/such/go, so gen/ and pkg/ were not compiled: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range minimalModule {
				if k != specRel {
					files[k] = v
				}
			}
			for k, v := range tt.edit {
				files[k] = v
				if v == "" {
					delete(files, k)
				}
			}
			opts := tt.opts
			opts.Root = project(t, files)
			report, err := specgate.Check(context.Background(), opts)
			require.NoError(t, err)
			assert.Equal(t, tt.built, report.Built)
			require.Len(t, report.Problems, len(tt.want), "%v", report.Problems)
			for i, p := range report.Problems {
				assert.True(t, strings.HasPrefix(p.String(), tt.want[i]), "got  %s\nwant %s…", p, tt.want[i])
			}
		})
	}
}

// The gate's command links nothing it gates: not pkg/, not gen/, not the emulators,
// and no test library. So `go run ./cmd/idvkit-spec` builds when they do not.
func TestGateLinksNothingItGates(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/idvkit-spec").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	own := slices.DeleteFunc(slices.Clone(deps), func(p string) bool {
		return !strings.HasPrefix(p, "github.com/idvkit/idvkit/")
	})
	assert.Equal(t, []string{"github.com/idvkit/idvkit/internal/specgate", "github.com/idvkit/idvkit/cmd/idvkit-spec"}, own)
	for _, p := range deps {
		assert.NotContains(t, p, "testify", "a test library in the gate's binary")
	}
}
