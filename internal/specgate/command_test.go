package specgate_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/internal/specgate"
)

func runGate(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = specgate.Main(context.Background(), "idvkit-spec", args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandUsage(t *testing.T) {
	root := project(t, map[string]string{specRel: goodSpec(t)})
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string // contained; "" checks nothing
		emptyStdout    bool
	}{
		{name: "no command", code: 2, stderr: "usage: idvkit-spec <command>", emptyStdout: true},
		{name: "help", args: []string{"help"}, code: 0, stdout: "usage: idvkit-spec <command>"},
		{name: "--help", args: []string{"--help"}, code: 0, stdout: "usage: idvkit-spec <command>"},
		{name: "unknown command", args: []string{"lint"}, code: 2, stderr: `idvkit-spec: unknown command "lint"`, emptyStdout: true},
		{name: "check -h", args: []string{"check", "-h"}, code: 0, stdout: "usage: idvkit-spec check [flags]"},
		{name: "diff --help", args: []string{"diff", "--help"}, code: 0, stdout: "-fail-on"},
		{name: "check unknown flag", args: []string{"check", "-nope"}, code: 2, stderr: "idvkit-spec check: flag provided but not defined: -nope\nusage: idvkit-spec check", emptyStdout: true},
		{name: "check unknown format", args: []string{"check", "-dir", root, "-format", "xml"}, code: 2, stderr: `unknown format "xml"`, emptyStdout: true},
		{name: "diff without base", args: []string{"diff", "-dir", root}, code: 2, stderr: "idvkit-spec diff: -base is required", emptyStdout: true},
		{name: "diff bad fail-on", args: []string{"diff", "-dir", root, "-base", "HEAD", "-fail-on", "sometimes"}, code: 2, stderr: `-fail-on is "sometimes"`, emptyStdout: true},
		{name: "check clean", args: []string{"check", "-dir", root}, code: 0, stderr: "spec check: ok (1 spec(s), 0 gen package(s), 0 warning(s))", emptyStdout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runGate(tt.args...)
			assert.Equal(t, tt.code, code, "stdout: %s\nstderr: %s", stdout, stderr)
			assert.Contains(t, stdout, tt.stdout)
			assert.Contains(t, stderr, tt.stderr)
			if tt.emptyStdout {
				assert.Empty(t, stdout)
			}
		})
	}
}

func TestCommandCheckFormatAndProgress(t *testing.T) {
	spec := replace("      summary: Fetch a widget\n", "")(t, goodSpec(t))
	root := project(t, map[string]string{specRel: spec})
	line := strconv.Itoa(lineOf(t, spec, "get-op"))

	code, stdout, stderr := runGate("check", "-dir", root, "-format", "github")
	assert.Equal(t, 1, code)
	assert.Equal(t, "::error file="+specRel+",line="+line+",title=summary::GET /widgets/{id} has no summary\n", stdout)
	assert.Contains(t, stderr, "specgate: checking 1 spec file(s)\n")
	assert.Contains(t, stderr, "spec check: 1 problem(s), 0 warning(s)")

	_, _, stderr = runGate("check", "-dir", root, "-quiet")
	assert.NotContains(t, stderr, "specgate:")
}

func TestCommandDiffFailOn(t *testing.T) {
	spec := goodSpec(t)
	root := repoWithBase(t, map[string]string{specRel: spec})
	writeFile(t, root, specRel, replace(widgetSchema, widgetSchema+"        colour:\n          type: string\n")(t, spec))

	code, stdout, stderr := runGate("diff", "-dir", root, "-base", "base")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, ": INFO response-optional-property-added: ")
	assert.Contains(t, stderr, "spec diff: no breaking changes against base (0 breaking for API callers, 0 incompatible for Go code using gen/; 2 change(s) in all, 1 spec(s), 0 gen package(s))")

	code, stdout, stderr = runGate("diff", "-dir", root, "-base", "base", "-fail-on", "info", "-format", "json")
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(stdout, "{\n"), stdout)
	assert.Contains(t, stderr, "spec diff: changes at INFO or above against base")

	code, _, _ = runGate("diff", "-dir", root, "-base", "base", "-fail-on", "WARN")
	assert.Equal(t, 0, code)
}
