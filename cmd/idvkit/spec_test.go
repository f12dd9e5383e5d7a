package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pingSpec passes every rule of the spec gate.
const pingSpec = `openapi: 3.0.3
info:
  title: Ping
  version: 1.0.0
tags:
  - name: health
paths:
  /ping:
    get:
      operationId: ping
      summary: Check the service answers
      tags: [health]
      x-idvkit-source: https://ping.example/docs
      responses:
        '200':
          description: Alive
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pong'
              example:
                ok: true
        '503':
          description: Down
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pong'
              example:
                ok: false
components:
  schemas:
    Pong:
      type: object
      required: [ok]
      properties:
        ok:
          type: boolean
`

func writeSpec(t *testing.T, root, content string) {
	t.Helper()
	p := filepath.Join(root, "api", "ping", "ping.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
}

func TestSpecCheckCommand(t *testing.T) {
	tests := []struct {
		name   string
		spec   string
		args   []string
		code   int
		stdout string // exact
		stderr string // contained
	}{
		{
			name:   "clean",
			spec:   pingSpec,
			code:   0,
			stderr: "spec check: ok (1 spec(s), 0 gen package(s), 0 warning(s))",
		},
		{
			name:   "an example with a wrong type",
			spec:   strings.Replace(pingSpec, "ok: true", "ok: yes please", 1),
			code:   1,
			stdout: "api/ping/ping.yaml:22: examples-valid: example of GET /ping response 200 (application/json) does not match its schema at /ok: value must be a boolean\n",
			stderr: "spec check: 1 problem(s), 0 warning(s)",
		},
		{
			name: "a missing source and summary",
			spec: strings.Replace(strings.Replace(pingSpec, "      x-idvkit-source: https://ping.example/docs\n", "", 1),
				"      summary: Check the service answers\n", "", 1),
			code: 1,
			stdout: "api/ping/ping.yaml:9: summary: GET /ping has no summary\n" +
				"api/ping/ping.yaml:9: x-idvkit-source: GET /ping has no x-idvkit-source naming the URL or repo path of its facts\n",
		},
		{
			name:   "an unknown flag",
			spec:   pingSpec,
			args:   []string{"-nope"},
			code:   2,
			stderr: "usage: idvkit spec check",
		},
		{
			name:   "GitHub annotations",
			spec:   strings.Replace(pingSpec, "ok: true", "ok: yes please", 1),
			args:   []string{"-format", "github"},
			code:   1,
			stdout: "::error file=api/ping/ping.yaml,line=22,title=examples-valid::example of GET /ping response 200 (application/json) does not match its schema at /ok: value must be a boolean\n",
			stderr: "spec check: 1 problem(s)",
		},
		{
			name:   "progress on stderr",
			spec:   pingSpec,
			code:   0,
			stderr: "specgate: checking 1 spec file(s)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeSpec(t, root, tt.spec)
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"spec", "check", "-dir", root}, tt.args...), &out, &errOut)
			assert.Equal(t, tt.code, code, "stdout: %s\nstderr: %s", out.String(), errOut.String())
			assert.Equal(t, tt.stdout, out.String())
			assert.Contains(t, errOut.String(), tt.stderr)
		})
	}
}

// -h is help, not an error: usage on stdout, exit 0.
func TestSpecCommandsHelp(t *testing.T) {
	for _, args := range [][]string{{"spec", "check", "-h"}, {"spec", "diff", "--help"}} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut)
		assert.Equal(t, 0, code, "%v", args)
		assert.Contains(t, out.String(), "usage: idvkit "+strings.Join(args[:2], " "))
		assert.Empty(t, errOut.String())
	}
}

func TestSpecCheckCommandMissingRoot(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"spec", "check", "-dir", filepath.Join(t.TempDir(), "nope")}, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Empty(t, out.String())
	assert.NotEmpty(t, errOut.String())
}

func TestSpecDiffCommand(t *testing.T) {
	root := t.TempDir()
	writeSpec(t, root, pingSpec)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.invalid",
			"-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", b)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "base")

	diff := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"spec", "diff"}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, _ := diff("--base", "HEAD", "-dir", root) // the issue spells it --base
	assert.Equal(t, 0, code)
	assert.Empty(t, out)

	// The response's required field disappears: clients reading it break.
	writeSpec(t, root, strings.Replace(pingSpec, "      required: [ok]\n      properties:\n        ok:\n          type: boolean\n",
		"      properties:\n        up:\n          type: boolean\n", 1))
	code, out, errOut := diff("-base", "HEAD", "-dir", root)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "api/ping/ping.yaml:")
	assert.Contains(t, out, "ERR response-required-property-removed: GET /ping:")
	assert.Contains(t, errOut, "breaking changes against HEAD")

	code, out, _ = diff("-base", "HEAD", "-dir", root, "-format", "json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `"id": "response-required-property-removed"`)
	assert.Contains(t, out, `"breaking": true`)

	code, _, errOut = diff("-dir", root)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "usage: idvkit spec diff")

	code, _, errOut = diff("-base", "no-such-ref", "-dir", root)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `"no-such-ref" is not a commit`)
}
