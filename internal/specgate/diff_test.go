package specgate_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/specgate"
)

// gitRun runs git in dir with a fixed identity, independent of the machine's config.
func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=specgate", "-c", "user.email=specgate@example.invalid",
		"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

// repoWithBase commits files as the base revision "base" and returns the work tree.
func repoWithBase(t *testing.T, files map[string]string) string {
	t.Helper()
	root := project(t, files)
	gitRun(t, root, "init", "-q")
	gitRun(t, root, "add", ".")
	gitRun(t, root, "commit", "-q", "-m", "base")
	gitRun(t, root, "tag", "base")
	return root
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
}

const widgetSchema = `    Widget:
      type: object
      required: [id, size]
      properties:
        id:
          type: string
        size:
          type: integer
`

func TestDiff(t *testing.T) {
	type want struct {
		id, level, operation, path string
	}
	tests := []struct {
		name     string
		change   func(t *testing.T, root string, spec string)
		commit   bool // commit the change before diffing (a PR branch) or leave it in the work tree
		want     []want
		breaking bool
		added    []string
	}{
		{
			name: "a required response field removed",
			change: func(t *testing.T, root, spec string) {
				noSize := "    Widget:\n      type: object\n      required: [id]\n      properties:\n        id:\n          type: string\n"
				writeFile(t, root, specRel, replace(widgetSchema, noSize)(t, spec))
			},
			commit: true,
			want: []want{
				{"response-required-property-removed", "ERR", "GET", "/widgets/{id}"},
				{"response-required-property-removed", "ERR", "POST", "/widgets"},
			},
			breaking: true,
		},
		{
			name: "a required request field added",
			change: func(t *testing.T, root, spec string) {
				writeFile(t, root, specRel, replace("      required: [size]\n      properties:\n",
					"      required: [size, name]\n      properties:\n        name:\n          type: string\n")(t, spec))
			},
			want:     []want{{"new-required-request-property", "ERR", "POST", "/widgets"}},
			breaking: true,
		},
		{
			name: "an operation removed",
			change: func(t *testing.T, root, spec string) {
				i, j := strings.Index(spec, "  /widgets:\n"), strings.Index(spec, "components:\n")
				writeFile(t, root, specRel, spec[:i]+spec[j:])
			},
			want:     []want{{"api-path-removed-without-deprecation", "ERR", "POST", "/widgets"}},
			breaking: true,
		},
		{
			// oasdiff rates this INFO: an optional field may be absent anyway. It is
			// reported, marked INFO; TestGoAPIDiff shows the Go side breaking.
			name: "an optional response field removed",
			change: func(t *testing.T, root, spec string) {
				writeFile(t, root, specRel, replace("        shape: # widget-shape\n          $ref: '#/components/schemas/Shape'\n", "")(t, spec))
			},
			want: []want{
				{"response-optional-property-removed", "INFO", "GET", "/widgets/{id}"},
				{"response-optional-property-removed", "INFO", "POST", "/widgets"},
			},
			breaking: false,
		},
		{
			name: "an optional response field added",
			change: func(t *testing.T, root, spec string) {
				writeFile(t, root, specRel, replace(widgetSchema, widgetSchema+"        colour:\n          type: string\n")(t, spec))
			},
			want: []want{
				{"response-optional-property-added", "INFO", "GET", "/widgets/{id}"},
				{"response-optional-property-added", "INFO", "POST", "/widgets"},
			},
			breaking: false,
		},
		{
			name: "the spec removed",
			change: func(t *testing.T, root, _ string) {
				require.NoError(t, os.Remove(filepath.Join(root, filepath.FromSlash(specRel))))
			},
			want:     []want{{"spec-removed", "ERR", "", ""}},
			breaking: true,
		},
		{
			name: "a new spec",
			change: func(t *testing.T, root, spec string) {
				writeFile(t, root, "api/x/new.yaml", spec)
			},
			breaking: false,
			added:    []string{"api/x/new.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := goodSpec(t)
			root := repoWithBase(t, map[string]string{specRel: spec})
			tt.change(t, root, spec)
			if tt.commit {
				gitRun(t, root, "commit", "-q", "-a", "-m", "change")
			}
			report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
			require.NoError(t, err)

			var got []want
			for _, c := range report.Changes {
				assert.NotEmpty(t, c.Text)
				got = append(got, want{c.ID, c.Level, c.Operation, c.Path})
			}
			assert.ElementsMatch(t, tt.want, got, "%v", report.Changes)
			assert.Equal(t, tt.breaking, report.Breaking())
			assert.Equal(t, tt.added, report.Added)
		})
	}
}

func TestDiffOutput(t *testing.T) {
	spec := goodSpec(t)
	root := repoWithBase(t, map[string]string{specRel: spec})
	changed := replace("      required: [size]\n      properties:\n",
		"      required: [size, name]\n      properties:\n        name: # new-required\n          type: string\n")(t, spec)
	writeFile(t, root, specRel, changed)

	report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, report.Write(&out))
	assert.Equal(t, strings.Join([]string{
		"For callers of the vendor API (oasdiff; INFO is reported, never breaking):",
		specRel + ":" + strconv.Itoa(lineOf(t, changed, "new-required")) +
			": ERR new-required-request-property: POST /widgets: added the new required request property `name`",
		"",
	}, "\n"), out.String())
}

func TestDiffErrors(t *testing.T) {
	spec := goodSpec(t)
	root := repoWithBase(t, map[string]string{specRel: spec})

	_, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "no-such-ref"})
	require.ErrorContains(t, err, `"no-such-ref" is not a commit`)

	_, err = specgate.Diff(context.Background(), specgate.DiffOptions{Root: t.TempDir(), Base: "HEAD"})
	require.Error(t, err, "not a git work tree")

	writeFile(t, root, specRel, "openapi: [broken\n")
	_, err = specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
	require.ErrorContains(t, err, specRel)
}

// A spec split into a fragment: the base side's $refs are read from the same revision,
// and the project root may be a subdirectory of the repository.
func TestDiffFollowsRefsIntoFragmentsAtTheBase(t *testing.T) {
	const fragment = `components:
  schemas:
    Error:
      type: object
      required: [code]
      properties:
        code:
          type: string
`
	spec := strings.ReplaceAll(goodSpec(t), "$ref: '#/components/schemas/Error'", "$ref: './shared.yaml#/components/schemas/Error'")
	top := repoWithBase(t, map[string]string{"svc/" + specRel: spec, "svc/api/w/shared.yaml": fragment})
	root := filepath.Join(top, "svc")

	report, err := specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
	require.NoError(t, err)
	assert.Empty(t, report.Changes)
	assert.Equal(t, []string{specRel}, report.Specs, "the fragment is not a spec of its own")

	writeFile(t, root, "api/w/shared.yaml", strings.Replace(fragment, "      required: [code]\n", "", 1))
	report, err = specgate.Diff(context.Background(), specgate.DiffOptions{Root: root, Base: "base"})
	require.NoError(t, err)
	require.NotEmpty(t, report.Changes)
	for _, c := range report.Changes {
		assert.Equal(t, specRel, c.Spec)
		assert.Equal(t, "response-property-became-optional", c.ID, c.String())
		assert.Equal(t, "ERR", c.Level)
		assert.Equal(t, "api/w/shared.yaml", c.File, "%+v", c)
	}
}
