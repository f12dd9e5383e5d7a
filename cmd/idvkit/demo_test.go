package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
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
	// The summary table: a header, then one line per journey.
	table := text[strings.Index(text, "\nJOURNEY "):]
	assert.Regexp(t, `JOURNEY +VENDOR +STEPS +CONTRACT +RESULT +TIME\n`, table)
	assert.Regexp(t, `\nverisoul-uniqueness +verisoul +\d+ +ok +ok +\S+\n`, table)
	assert.Regexp(t, `\nidv-document-verification-verifik +verifik +\d+ +ok +ok +\S+\n`, table)
	assert.Equal(t, 18+1, strings.Count(strings.TrimSpace(table[:strings.Index(table, "\n\n18 journeys")]), "\n")+1)
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
	for _, secret := range []string{verisoultest.DefaultAPIKey, iproovtest.DefaultAPIKey, iproovtest.DefaultSecret,
		iproovtest.DefaultOAuthPassword, verifiktest.DefaultClientToken} {
		assert.NotContains(t, text, secret)
	}
}

func TestDemoFilters(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		want     string // on stdout for 0, on stderr for 2
		dontWant string // on stdout
	}{
		{[]string{"demo", "-vendor", "verifik"}, 0, "6 journeys, 0 failed", "== verisoul:"},
		{[]string{"demo", "-vendor", "IPROOV"}, 0, "5 journeys, 0 failed", "== verifik:"},
		{[]string{"demo", "-vendor", "iproov,verifik", "-journey", "idv-face"}, 0, "\n2 journeys, 0 failed", "verisoul"},
		{[]string{"demo", "-vendor", " verisoul , iproov ", "-journey", "idv-authentication"}, 0, "\n2 journeys, 0 failed", "== verifik:"},
		{[]string{"demo", "-vendor", "onfido"}, 2, `no vendor "onfido"; the vendors are verisoul, iproov, verifik`, "journeys"},
		{[]string{"demo", "-vendor", "iproov,onfido"}, 2, `no vendor "onfido"`, "journeys"},
		{[]string{"demo", "-journey", "idv-uniqueness-verisoul"}, 0, "\n1 journeys, 0 failed", "idv-uniqueness-verifik"},
		{[]string{"demo", "-journey", "IDV-UNIQUENESS"}, 0, "\n2 journeys, 0 failed", "== iproov:"},
		{[]string{"demo", "-journey", "verisoul-uniqueness,iproov-photo-enrol"}, 0, "\n2 journeys, 0 failed", "== verifik:"},
		{[]string{"demo", "-journey", "idv", "-vendor", "iproov"}, 0, "\n2 journeys, 0 failed", "== verisoul:"},
		{[]string{"demo", "-journey", "ID Check"}, 0, "\n1 journeys, 0 failed", "idv-"},
		// A name that matches nothing names those that exist, so a typo is fixed in one go.
		{[]string{"demo", "-journey", "idv-uniqueness-iproov"}, 2,
			`no journey matches "idv-uniqueness-iproov"; the journeys are verisoul-uniqueness, `, "journeys"},
		{[]string{"demo", "-journey", "verisoul-uniqueness,iproov-photo-enrl"}, 2, `no journey matches "iproov-photo-enrl"`, "journeys"},
		{[]string{"demo", "-vendor", "iproov", "-journey", "verifik-basic"}, 2,
			`no journey of iproov matches "verifik-basic"; the journeys are iproov-photo-enrol, iproov-capture-enrol, iproov-management, idv-`, "journeys"},
		{[]string{"demo", "-journey"}, 2, "flag needs an argument: -journey", "journeys"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, tc.wantCode, run(context.Background(), tc.args, &out, &errOut), errOut.String())
			if tc.wantCode == 0 {
				assert.Contains(t, out.String(), tc.want)
			} else {
				assert.Contains(t, errOut.String(), tc.want)
			}
			assert.NotContains(t, out.String(), tc.dontWant)
		})
	}
}

// TestDemoList: -list prints every journey id (what -journey takes), its vendor and what
// it shows, and runs nothing.
func TestDemoList(t *testing.T) {
	tests := []struct {
		args  []string
		lines int
		want  []string
	}{
		{[]string{"demo", "-list"}, 18, []string{"verisoul-uniqueness", "iproov-management", "verifik-duplicate", "idv-uniqueness-verifik"}},
		{[]string{"demo", "-list", "-vendor", "verisoul"}, 7, []string{"verisoul-id-check", "idv-document-verification-verisoul"}},
		{[]string{"demo", "-list", "-journey", "idv-face"}, 3, []string{"idv-face-enrolment-iproov"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, 0, run(context.Background(), tc.args, &out, &errOut), errOut.String())
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			assert.Len(t, lines, tc.lines)
			for _, w := range tc.want {
				assert.Regexp(t, "(?m)^"+w+" ", out.String())
			}
			assert.NotContains(t, out.String(), "✓ contract", "-list runs nothing")
		})
	}
	// Every journey has an id, and ids are unique.
	seen := map[string]bool{}
	for _, f := range demoFlows {
		require.NotEmpty(t, f.ID, f.Name)
		require.False(t, seen[f.ID], "duplicate id %s", f.ID)
		seen[f.ID] = true
	}
}

// TestDemoJSON: -json prints only JSON lines: one object per step, then one summary;
// a failing journey is in the summary and the exit status is 1.
func TestDemoJSON(t *testing.T) {
	failing := demoFlow{ID: "test-failing", Vendor: "iproov", Name: "a journey that fails", Run: func(_ context.Context, p *demoPrinter) error {
		p.Step("call something")
		p.Outcome("answered %d", 200)
		p.Contract(nil)
		p.Step("call something else")
		p.Contract(errors.New("response: body: missing required property"))
		return nil
	}}
	saved := demoFlows
	demoFlows = append(append([]demoFlow(nil), demoFlows...), failing)
	t.Cleanup(func() { demoFlows = saved })

	tests := []struct {
		args      []string
		wantCode  int
		journeys  []string
		wantSteps map[string]int
	}{
		{[]string{"demo", "-json", "-journey", "iproov-photo-enrol,idv-authentication-iproov"}, 0,
			[]string{"iproov-photo-enrol", "idv-authentication-iproov"}, nil},
		{[]string{"demo", "-json", "-journey", "test-failing"}, 1, []string{"test-failing"}, map[string]int{"test-failing": 2}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, tc.wantCode, run(context.Background(), tc.args, &out, &errOut), errOut.String())
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			require.GreaterOrEqual(t, len(lines), 2)
			steps := map[string]int{}
			for i, line := range lines[:len(lines)-1] {
				var st demoStep
				dec := json.NewDecoder(strings.NewReader(line))
				dec.DisallowUnknownFields()
				require.NoError(t, dec.Decode(&st), "line %d is a step object: %s", i, line)
				assert.Equal(t, "step", st.Type)
				assert.Contains(t, tc.journeys, st.Journey)
				steps[st.Journey]++
				assert.Equal(t, steps[st.Journey], st.Step, "steps are numbered from 1 in each journey")
				assert.NotEmpty(t, st.Action)
				assert.Contains(t, []string{"", "ok", "violation"}, st.Contract)
				assert.Equal(t, st.Contract == "violation", len(st.Violations) > 0)
			}
			var sum demoSummary
			dec := json.NewDecoder(strings.NewReader(lines[len(lines)-1]))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&sum))
			assert.Equal(t, "summary", sum.Type)
			assert.Equal(t, len(tc.journeys), sum.Total)
			assert.Equal(t, sum.Total, sum.Passed+sum.Failed)
			require.Len(t, sum.Journeys, len(tc.journeys))
			for i, j := range sum.Journeys {
				assert.Equal(t, tc.journeys[i], j.Journey)
				assert.Equal(t, steps[j.Journey], j.Steps)
				if tc.wantCode == 0 {
					assert.Equal(t, "ok", j.Result)
					assert.Zero(t, j.ContractViolations)
				} else {
					assert.Equal(t, "failed", j.Result)
					assert.Equal(t, 1, j.ContractViolations)
					assert.Equal(t, "1 contract violation(s)", j.Error)
				}
			}
			for j, n := range tc.wantSteps {
				assert.Equal(t, n, steps[j])
			}
			assert.Equal(t, tc.wantCode == 1, sum.Failed == 1)
		})
	}
}
