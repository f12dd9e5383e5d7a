package specgate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// repoRoot is this repository's root (the tests run in internal/specgate).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	return root
}

// The first point, in this repository: a change that breaks pkg/ (here a
// go build overlay, so the tree is not touched) stops cmd/idvkit from building, while
// the gate's command still builds, runs and reports the break at its line.
func TestGateRunsWhenPkgDoesNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds this repository's packages")
	}
	root := repoRoot(t)
	const rel = "pkg/sandbox/verisoultest/results.go"
	orig, err := os.ReadFile(filepath.Join(root, rel))
	require.NoError(t, err)
	dir := t.TempDir()
	broken := filepath.Join(dir, "results.go")
	require.NoError(t, os.WriteFile(broken, append(orig, "\nvar _ = facematch.NoSuchRiskFlag\n"...), 0o644))
	overlay := filepath.Join(dir, "overlay.json")
	b, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, rel): broken}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(overlay, b, 0o644))

	goCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -overlay="+overlay))
		return cmd
	}
	out, err := goCmd("build", "-o", os.DevNull, "./cmd/idvkit").CombinedOutput()
	require.Error(t, err, "cmd/idvkit links the emulators, so the overlay must break it")
	assert.Contains(t, string(out), "undefined: facematch.NoSuchRiskFlag")

	gate := filepath.Join(dir, "idvkit-spec")
	out, err = goCmd("build", "-o", gate, "./cmd/idvkit-spec").CombinedOutput()
	require.NoError(t, err, "the gate must build when pkg/ does not: %s", out)

	cmd := exec.Command(gate, "check", "-skip-generated", "-format", "json")
	cmd.Dir = root
	cmd.Env = goCmd().Env // its go build sees the same overlay
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	assert.Equal(t, 1, exit.ExitCode())
	var report struct {
		Failed   bool
		Built    bool
		Problems []struct{ File, Rule, Message, Severity string }
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &report), stdout.String())
	assert.True(t, report.Failed)
	assert.True(t, report.Built)
	found := false
	for _, p := range report.Problems {
		if p.Rule == "go-build" && p.Message == "gen/ and pkg/ no longer compile: undefined: facematch.NoSuchRiskFlag" {
			found = true
			assert.Equal(t, "error", p.Severity)
		}
	}
	assert.True(t, found, "%+v", report.Problems)
	assert.Contains(t, stderr.String(), "specgate: go build ./...", "progress on stderr")
}

// The workflow users copy: it parses, fetches the history diff needs, and the gate
// commands it names run against this repository with HEAD as the base. (Whether this
// repository passes is make check's business; here every line of output must be a
// GitHub workflow command and the exit code a verdict, not a usage error.)
func TestWorkflow(t *testing.T) {
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "spec-gate.yml"))
	require.NoError(t, err)
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Name string
				Uses string
				Run  string
				With map[string]any
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(data, &wf))
	assert.Contains(t, wf.On, "pull_request")
	require.Len(t, wf.Jobs, 1)
	var runs []string
	depth := -1
	nodeLock := ""
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout@") {
				depth, _ = s.With["fetch-depth"].(int)
			}
			if strings.HasPrefix(s.Uses, "actions/setup-node@") && len(runs) == 0 {
				nodeLock, _ = s.With["cache-dependency-path"].(string)
			}
			if strings.Contains(s.Run, "idvkit-spec") {
				runs = append(runs, strings.TrimSpace(s.Run))
			}
		}
	}
	assert.Equal(t, 2, depth, "the merge commit and its parents: HEAD^1 is the base")
	assert.Equal(t, "tools/lint/package-lock.json", nodeLock, "Node.js for the standard ruleset, set up before check")
	assert.FileExists(t, filepath.Join(root, filepath.FromSlash(nodeLock)))
	require.Len(t, runs, 2)
	assert.True(t, strings.HasPrefix(runs[0], "go run ./cmd/idvkit-spec check "), runs[0])
	assert.True(t, strings.HasPrefix(runs[1], "go run ./cmd/idvkit-spec diff "), runs[1])
	assert.Contains(t, runs[1], "-base HEAD^1")

	if testing.Short() {
		t.Skip("runs the gate over this repository")
	}
	for _, run := range runs {
		run = strings.ReplaceAll(run, "HEAD^1", "HEAD")
		require.NotContains(t, run, "${{", "a command the test cannot run as written")
		t.Run(strings.Fields(run)[3], func(t *testing.T) {
			cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run) // GitHub's default shell
			cmd.Dir = root
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Contains(t, []int{0, 1}, code, "stderr: %s", stderr.String())
			for _, line := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
				if line != "" {
					assert.Regexp(t, `^::(error|warning|notice)( [a-z]+=[^:]*)?::`, line)
				}
			}
			assert.Regexp(t, `(?m)^spec (check|diff): `, stderr.String(), "the summary line") // go run adds "exit status 1"
			if code != 0 {
				t.Logf("the gate reports findings in this working tree:\n%s", stdout.String())
			}
		})
	}
}
