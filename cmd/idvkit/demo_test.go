package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	iproovsandbox "github.com/idvkit/idvkit/pkg/sandbox/iproov"
	verifiksandbox "github.com/idvkit/idvkit/pkg/sandbox/verifik"
	verisoulsandbox "github.com/idvkit/idvkit/pkg/sandbox/verisoul"
)

// TestDemo runs the README's main command: every journey of every vendor against the
// embedded emulators, each step contract-checked.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"demo"}, &out, &errOut)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	text := out.String()

	assert.Contains(t, text, "\n9 journeys, 0 failed\n")
	assert.NotContains(t, text, "FAILED")
	assert.NotContains(t, text, "✗ contract")
	assert.Equal(t, 9, strings.Count(text, "\n  ok\n"), "every journey ends ok")
	assert.Greater(t, strings.Count(text, "✓ contract"), 20, "steps are contract-checked")

	// Vendors appear in a fixed order, whatever order their files registered in.
	v, i, f := strings.Index(text, "== verisoul:"), strings.Index(text, "== iproov:"), strings.Index(text, "== verifik:")
	require.True(t, v >= 0 && i >= 0 && f >= 0, text)
	assert.Less(t, v, i)
	assert.Less(t, i, f)

	// The demo prints ids, decisions and codes, never credentials.
	for _, secret := range []string{verisoulsandbox.DefaultAPIKey, iproovsandbox.DefaultAPIKey, iproovsandbox.DefaultSecret,
		iproovsandbox.DefaultOAuthPassword, verifiksandbox.DefaultClientToken} {
		assert.NotContains(t, text, secret)
	}
}

func TestDemoFilters(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		want     string
		dontWant string
	}{
		{[]string{"demo", "-vendor", "verifik"}, 0, "3 journeys, 0 failed", "== verisoul:"},
		{[]string{"demo", "-vendor", "IPROOV"}, 0, "3 journeys, 0 failed", "== verifik:"},
		{[]string{"demo", "-vendor", "onfido"}, 2, "", "journeys"},
		{[]string{"demo", "-no-such-flag"}, 2, "", "journeys"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, tc.wantCode, run(context.Background(), tc.args, &out, &errOut), errOut.String())
			assert.Contains(t, out.String(), tc.want)
			assert.NotContains(t, out.String(), tc.dontWant)
		})
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
	}{
		{nil, 2},
		{[]string{"help"}, 0},
		{[]string{"sandbox"}, 2},
		{[]string{"spec"}, 2},
		{[]string{"frobnicate"}, 2},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		assert.Equal(t, tc.wantCode, run(context.Background(), tc.args, &out, &errOut), "%v", tc.args)
		assert.Contains(t, out.String()+errOut.String(), "idvkit demo")
	}
}
