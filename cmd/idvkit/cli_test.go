package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHelpEveryCommand: -h and --help on every command and subcommand print its usage on
// stdout, nothing on stderr, and exit 0.
func TestHelpEveryCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string // a phrase of that command's own usage
	}{
		{[]string{"-h"}, "idvkit demo"},
		{[]string{"--help"}, "idvkit demo"},
		{[]string{"help"}, "idvkit version"},
		{[]string{"help", "demo"}, "Usage: idvkit demo"},
		{[]string{"help", "sandbox", "serve"}, "Usage: idvkit sandbox serve"},
		{[]string{"demo", "-h"}, "Usage: idvkit demo"},
		{[]string{"demo", "--help"}, "-journey"},
		{[]string{"sandbox", "-h"}, "idvkit sandbox serve [flags]"},
		{[]string{"sandbox", "--help"}, "idvkit sandbox serve [flags]"},
		{[]string{"sandbox", "serve", "-h"}, "Usage: idvkit sandbox serve"},
		{[]string{"sandbox", "serve", "--help"}, "-rate-limit"},
		{[]string{"spec", "-h"}, "idvkit spec check"},
		{[]string{"spec", "check", "-h"}, "usage: idvkit spec check"},
		{[]string{"spec", "check", "--help"}, "-format"},
		{[]string{"spec", "diff", "-h"}, "usage: idvkit spec diff -base"},
		{[]string{"webhook", "-h"}, "idvkit webhook trigger <event>"},
		{[]string{"webhook", "trigger", "-h"}, "idvkit webhook trigger <event>"},
		{[]string{"webhook", "trigger", "--help"}, "-to"},
		{[]string{"conform", "-h"}, "idvkit conform [--target"},
		{[]string{"conform", "promote", "-h"}, "Usage: idvkit conform promote"},
		{[]string{"version", "-h"}, "Usage: idvkit version"},
		{[]string{"version", "--help"}, "Usage: idvkit version"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, 0, run(context.Background(), tc.args, &out, &errOut), errOut.String())
			assert.Contains(t, out.String(), tc.want)
			assert.Empty(t, errOut.String(), "help is not an error")
		})
	}
}

// TestUsageErrors: an unknown command, flag or a stray argument exits 2 with the error and
// the usage on stderr, and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // on stderr
	}{
		{nil, "idvkit demo"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"-x"}, `unknown command "-x"`},
		{[]string{"demo", "-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"demo", "stray"}, `unexpected argument "stray"`},
		{[]string{"demo", "-json=maybe"}, "invalid boolean value"},
		{[]string{"sandbox"}, "idvkit sandbox serve [flags]"},
		{[]string{"sandbox", "start"}, `unknown command "start"`},
		{[]string{"sandbox", "serve", "-port", "1"}, "flag provided but not defined: -port"},
		{[]string{"sandbox", "serve", "now"}, `unexpected argument "now"`},
		{[]string{"sandbox", "serve", "-rate-limit", "sometimes"}, `-rate-limit is "sometimes"`},
		{[]string{"spec"}, "idvkit spec check"},
		{[]string{"spec", "lint"}, `unknown command "lint"`},
		{[]string{"spec", "check", "-frob"}, "flag provided but not defined: -frob"},
		{[]string{"spec", "diff"}, "-base is required"},
		{[]string{"webhook"}, "idvkit webhook trigger <event>"},
		{[]string{"webhook", "trigger", "-frob"}, "flag provided but not defined: -frob"},
		{[]string{"webhook", "trigger", "created", "extra", "--to", "http://127.0.0.1:1/"}, `unexpected argument "extra"`},
		{[]string{"webhook", "trigger", "--to", "http://127.0.0.1:1/", "created", "extra"}, `unexpected argument "extra"`},
		{[]string{"conform", "-frob"}, "flag provided but not defined: -frob"},
		{[]string{"conform", "stray"}, `unexpected argument "stray"`},
		{[]string{"conform", "promote", "--from", "a"}, "needs --from DIR and --out DIR"},
		{[]string{"conform", "promote", "--from", "a", "--out", "b", "c"}, `unexpected argument "c"`},
		{[]string{"version", "extra"}, `unexpected argument "extra"`},
		{[]string{"version", "-short"}, "flag provided but not defined: -short"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, 2, run(context.Background(), tc.args, &out, &errOut))
			assert.Contains(t, errOut.String(), tc.want)
			assert.Contains(t, strings.ToLower(errOut.String()), "usage", "a usage error shows the usage")
			assert.Empty(t, out.String())
		})
	}
}

func TestVersionLine(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install @version", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.4.0"}},
			"idvkit v0.4.0 go1.26.0"},
		{"built from a clean checkout", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "96e2ee1feb30577323c1770b3c893a21851bdd6b"},
				{Key: "vcs.time", Value: "2026-12-01T21:51:22Z"}, {Key: "vcs.modified", Value: "false"}}},
			"idvkit (devel) (revision 96e2ee1feb30577323c1770b3c893a21851bdd6b, 2026-12-01T21:51:22Z) go1.26.0"},
		{"built from a modified checkout", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "96e2ee1f"}, {Key: "vcs.modified", Value: "true"}}},
			"idvkit (devel) (revision 96e2ee1f, modified) go1.26.0"},
		{"go test or -buildvcs=false", debug.BuildInfo{GoVersion: "go1.26.0"}, "idvkit (devel) go1.26.0"},
		{"pseudo-version", debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201215122-96e2ee1feb30"}},
			"idvkit v0.0.0-20261201215122-96e2ee1feb30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionLine(&tc.info))
		})
	}

	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"version"}, &out, &errOut))
	assert.True(t, strings.HasPrefix(out.String(), "idvkit "), out.String())
	assert.Empty(t, errOut.String())
}
