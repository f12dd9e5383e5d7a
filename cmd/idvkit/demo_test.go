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

	// 9 vendor journeys and 9 capability × vendor journeys through pkg/idv.
	assert.Contains(t, text, "\n18 journeys, 0 failed\n")
	assert.NotContains(t, text, "  FAILED:") // Verifik's own statuses (status:FAILED) may appear
	assert.NotContains(t, text, "✗ contract")
	assert.Equal(t, 18, strings.Count(text, "\n  ok\n"), "every journey ends ok")
	assert.Greater(t, strings.Count(text, "✓ contract"), 20, "steps are contract-checked")

	// Vendors appear in a fixed order, whatever order their files registered in.
	v, i, f := strings.Index(text, "== verisoul:"), strings.Index(text, "== iproov:"), strings.Index(text, "== verifik:")
	require.True(t, v >= 0 && i >= 0 && f >= 0, text)
	assert.Less(t, v, i)
	assert.Less(t, i, f)
	// The capability journeys come after the vendors' own, each printing the normalised
	// outcome beside the vendor's.
	first := strings.Index(text, ": idv-")
	assert.Greater(t, first, f)
	for _, name := range []string{"idv-uniqueness-verisoul", "idv-uniqueness-verifik", "idv-authentication-verisoul",
		"idv-authentication-iproov", "idv-face-enrolment-verisoul", "idv-face-enrolment-iproov", "idv-face-enrolment-verifik",
		"idv-document-verification-verisoul", "idv-document-verification-verifik"} {
		assert.Contains(t, text, ": "+name+":")
	}
	assert.NotContains(t, text, "idv-uniqueness-iproov", "iProov offers no 1:N search")
	assert.Contains(t, text, "→ idv:    failed [duplicate_face]")
	assert.Contains(t, text, "→ verisoul: decision:Fake flag:repeat_face")

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
		{[]string{"demo", "-vendor", "verifik"}, 0, "6 journeys, 0 failed", "== verisoul:"},
		{[]string{"demo", "-vendor", "IPROOV"}, 0, "5 journeys, 0 failed", "== verifik:"},
		{[]string{"demo", "-vendor", "onfido"}, 2, "", "journeys"},
		{[]string{"demo", "-no-such-flag"}, 2, "", "journeys"},
		{[]string{"demo", "-journey", "idv-uniqueness-verisoul"}, 0, "\n1 journeys, 0 failed", "idv-uniqueness-verifik"},
		{[]string{"demo", "-journey", "IDV-UNIQUENESS"}, 0, "\n2 journeys, 0 failed", "== iproov:"},
		{[]string{"demo", "-journey", "idv", "-vendor", "iproov"}, 0, "\n2 journeys, 0 failed", "== verisoul:"},
		{[]string{"demo", "-journey", "ID Check"}, 0, "\n1 journeys, 0 failed", "idv-"},
		{[]string{"demo", "-journey", "idv-uniqueness-iproov"}, 2, "", "journeys"},
		{[]string{"demo", "-journey"}, 2, "", "journeys"},
		{[]string{"demo", "stray"}, 2, "", "journeys"},
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
