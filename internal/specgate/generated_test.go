package specgate_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/specgate"
)

const (
	fmSpec = "api/verisoul/facematch.yaml"
	fmDir  = "gen/verisoul/facematch"
	fmGen  = fmDir + "/facematch.gen.go"
)

// repoFile reads a file of this repository (the test runs in internal/specgate).
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(rel)))
	require.NoError(t, err)
	return string(b)
}

// facematchProject copies the committed facematch spec and its gen package, whose
// .gen.go was written by `go generate` (the oapi-codegen command), into a temp root.
func facematchProject(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, rel := range []string{fmSpec, fmDir + "/cfg.yaml", fmDir + "/generate.go", fmGen} {
		files[rel] = repoFile(t, rel)
	}
	return files
}

func generatedProblems(r specgate.Report) []specgate.Problem {
	return slices.DeleteFunc(slices.Clone(r.Problems), func(p specgate.Problem) bool {
		return p.Rule != specgate.RuleGeneratedCurrent
	})
}

func TestCheckGeneratedCurrent(t *testing.T) {
	lines := func(s string) []string { return strings.SplitAfter(s, "\n") }
	tests := []struct {
		name     string
		edit     func(files map[string]string)
		file     string
		line     func(files map[string]string) int
		msg      string
		severity specgate.Severity
	}{
		{
			name: "a line deleted from the generated file",
			edit: func(f map[string]string) {
				l := lines(f[fmGen])
				f[fmGen] = strings.Join(slices.Delete(l, 99, 100), "") // line 100
			},
			file: fmGen,
			line: func(map[string]string) int { return 100 },
			msg:  "differs from what api/verisoul/facematch.yaml generates; run go generate ./...",
		},
		{
			name: "a line added at the end of the generated file",
			edit: func(f map[string]string) { f[fmGen] += "// hand edit\n" },
			file: fmGen,
			line: func(f map[string]string) int { return len(lines(f[fmGen])) - 1 },
			msg:  "differs from what api/verisoul/facematch.yaml generates",
		},
		{
			name: "the config changed but the code was not regenerated",
			edit: func(f map[string]string) {
				cfg := fmDir + "/cfg.yaml"
				require.Contains(t, f[cfg], "response-type-suffix: Result")
				f[cfg] = strings.Replace(f[cfg], "response-type-suffix: Result", "response-type-suffix: Reply", 1)
			},
			file: fmGen,
			msg:  "differs from what api/verisoul/facematch.yaml generates",
		},
		{
			name: "the generated file is missing",
			edit: func(f map[string]string) { delete(f, fmGen) },
			file: fmGen,
			line: func(map[string]string) int { return 1 },
			msg:  "missing; api/verisoul/facematch.yaml generates it",
		},
		{
			name: "generate.go has no go:generate line",
			edit: func(f map[string]string) { f[fmDir+"/generate.go"] = "package facematch\n" },
			file: fmDir + "/generate.go",
			line: func(map[string]string) int { return 1 },
			msg:  "no //go:generate line runs oapi-codegen",
		},
		{
			name: "the go:generate line pins another generator version",
			edit: func(f map[string]string) {
				g := fmDir + "/generate.go"
				f[g] = strings.Replace(f[g], "cmd/oapi-codegen -config", "cmd/oapi-codegen@v2.0.0 -config", 1)
			},
			file: fmDir + "/generate.go",
			msg:  "runs oapi-codegen v2.0.0 but go.mod pins",
		},
		{
			name:     "a stray generated file nothing produces",
			edit:     func(f map[string]string) { f[fmDir+"/old.gen.go"] = "package facematch\n" },
			file:     fmDir + "/old.gen.go",
			line:     func(map[string]string) int { return 1 },
			msg:      "no //go:generate line in gen/verisoul/facematch produces this file",
			severity: specgate.Warning,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := facematchProject(t)
			tt.edit(files)
			report := check(t, project(t, files), fmDir)
			got := generatedProblems(report)
			require.Len(t, got, 1, "%v", got)
			assert.Equal(t, tt.file, got[0].File)
			assert.Contains(t, got[0].Message, tt.msg)
			assert.Equal(t, tt.severity, got[0].Severity)
			assert.Equal(t, tt.severity == specgate.Error, report.Failed())
			if tt.line != nil {
				assert.Equal(t, tt.line(files), got[0].Line)
			} else {
				assert.Positive(t, got[0].Line)
			}
		})
	}
}

// The committed code was written by the oapi-codegen command; the gate regenerates with
// the library. Equal bytes prove the two routes agree, header line included.
func TestCheckGeneratedCurrentAgreesWithGoGenerate(t *testing.T) {
	report := check(t, project(t, facematchProject(t)), fmDir)
	assert.Empty(t, generatedProblems(report))
	assert.Equal(t, []string{fmDir}, report.Generated)
}

// The repository's own facematch package is current.
func TestCheckRepositoryFacematchIsCurrent(t *testing.T) {
	report := check(t, filepath.Join("..", ".."), fmDir)
	assert.Empty(t, generatedProblems(report))
}
