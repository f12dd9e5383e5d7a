package specgate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/specgate"
)

func TestCheckFormats(t *testing.T) {
	spec := replace("      summary: Fetch a widget\n", "")(t, goodSpec(t))
	line := strconv.Itoa(lineOf(t, spec, "get-op"))
	report := check(t, project(t, map[string]string{specRel: spec}))
	tests := []struct {
		format specgate.Format
		prefix string
		want   string
	}{
		{specgate.FormatText, "", specRel + ":" + line + ": summary: GET /widgets/{id} has no summary\n"},
		{specgate.FormatGitHub, "", "::error file=" + specRel + ",line=" + line + ",title=summary::GET /widgets/{id} has no summary\n"},
		{specgate.FormatGitHub, "svc", "::error file=svc/" + specRel + ",line=" + line + ",title=summary::GET /widgets/{id} has no summary\n"},
		{specgate.FormatJSON, "", `{
  "problems": [
    {
      "file": "` + specRel + `",
      "line": ` + line + `,
      "rule": "summary",
      "message": "GET /widgets/{id} has no summary",
      "severity": "error"
    }
  ],
  "specs": [
    "` + specRel + `"
  ],
  "generated": [],
  "built": false,
  "failed": true
}
`},
	}
	for _, tt := range tests {
		t.Run(string(tt.format)+tt.prefix, func(t *testing.T) {
			var out strings.Builder
			require.NoError(t, report.WriteFormat(&out, tt.format, tt.prefix))
			assert.Equal(t, tt.want, out.String())
		})
	}
}

// GitHub reads "::kind props::message" up to the first "::" and a line per command:
// what a message or file name carries must not end or split it.
func TestGitHubAnnotationsEscape(t *testing.T) {
	report := specgate.Report{Problems: []specgate.Problem{
		{File: "api/a,b:c.yaml", Line: 3, Rule: "r", Message: "100% sure\nsecond line", Severity: specgate.Warning},
	}}
	var out strings.Builder
	require.NoError(t, report.WriteFormat(&out, specgate.FormatGitHub, ""))
	assert.Equal(t, "::warning file=api/a%2Cb%3Ac.yaml,line=3,title=r::100%25 sure%0Asecond line\n", out.String())
}

func TestDiffFormats(t *testing.T) {
	report := specgate.DiffReport{
		Base: "origin/main",
		Changes: []specgate.Change{
			{Spec: "api/w/w.yaml", Line: 9, Level: "ERR", ID: "new-required-request-property", Operation: "POST", Path: "/widgets", Text: "added the new required request property `name`"},
			{Spec: "api/w/w.yaml", BaseLine: 40, Level: "INFO", ID: "response-optional-property-removed", Operation: "GET", Path: "/widgets/{id}", Text: "removed the optional property `shape`"},
		},
		Specs: []string{"api/w/w.yaml"},
		GoChanges: []specgate.GoChange{
			{Package: "gen/w", File: "gen/w/w.gen.go", BaseLine: 79, Message: "Widget.Shape: removed"},
			{Package: "gen/w", File: "gen/w/w.gen.go", Line: 80, Compatible: true, Message: "Widget.Colour: added"},
		},
		GoPackages: []string{"gen/w"},
		Added:      []string{"api/x/new.yaml"},
		Notes:      []string{"gen/z in the base does not regenerate, so its Go API was not compared"},
	}
	tests := []struct {
		format specgate.Format
		want   string
	}{
		{specgate.FormatText, `For callers of the vendor API (oasdiff; INFO is reported, never breaking):
api/w/w.yaml:9: ERR new-required-request-property: POST /widgets: added the new required request property ` + "`name`" + `
api/w/w.yaml:40: INFO response-optional-property-removed: GET /widgets/{id}: removed the optional property ` + "`shape`" + ` (line in base)
For Go code using gen/ (apidiff of the regenerated packages):
gen/w/w.gen.go:79: incompatible: Widget.Shape: removed (line in base)
gen/w/w.gen.go:80: compatible: Widget.Colour: added
api/x/new.yaml: new spec (not breaking)
note: gen/z in the base does not regenerate, so its Go API was not compared
`},
		{specgate.FormatGitHub, `::error file=api/w/w.yaml,line=9,title=API callers%3A ERR new-required-request-property::POST /widgets: added the new required request property ` + "`name`" + `
::notice file=api/w/w.yaml,title=API callers%3A INFO response-optional-property-removed::GET /widgets/{id}: removed the optional property ` + "`shape`" + ` (line 40 in origin/main)
::error file=gen/w/w.gen.go,title=Go code using gen/w%3A incompatible::Widget.Shape: removed (line 79 in origin/main)
::notice file=gen/w/w.gen.go,line=80,title=Go code using gen/w%3A compatible::Widget.Colour: added
::notice file=api/x/new.yaml,title=new spec::new spec (not breaking)
::warning title=spec diff::gen/z in the base does not regenerate, so its Go API was not compared
`},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var out strings.Builder
			require.NoError(t, report.WriteFormat(&out, tt.format, ""))
			assert.Equal(t, tt.want, out.String())
		})
	}

	t.Run("json", func(t *testing.T) {
		var out strings.Builder
		require.NoError(t, report.WriteFormat(&out, specgate.FormatJSON, ""))
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(out.String()), &got))
		assert.Equal(t, true, got["breaking"])
		assert.Equal(t, "origin/main", got["base"])
		assert.Len(t, got["api"], 2)
		require.Len(t, got["go"], 2)
		assert.Equal(t, map[string]any{"package": "gen/w", "file": "gen/w/w.gen.go", "baseLine": 79.0, "compatible": false,
			"message": "Widget.Shape: removed"}, got["go"].([]any)[0])

		var empty strings.Builder
		require.NoError(t, specgate.DiffReport{Base: "HEAD"}.WriteFormat(&empty, specgate.FormatJSON, ""))
		assert.JSONEq(t, `{"base":"HEAD","api":[],"specs":[],"added":[],"go":[],"packages":[],"notes":[],"breaking":false}`, empty.String())
	})
}

func TestParseFormat(t *testing.T) {
	for _, f := range specgate.Formats {
		got, err := specgate.ParseFormat(string(f))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := specgate.ParseFormat("xml")
	require.EqualError(t, err, `unknown format "xml"; use text, json or github`)
}

// TestCheckFormatsNullable: the nullable findings in the three formats, an error and a
// temporarily waived warning.
func TestCheckFormatsNullable(t *testing.T) {
	w := sampleWaiver(t)
	name := strings.TrimSuffix(strings.TrimPrefix(w.At, "components/schemas/"), "/nullable")
	b, err := os.ReadFile(filepath.Join("testdata", "nullable.yaml"))
	require.NoError(t, err)
	spec := strings.ReplaceAll(string(b), "OwnerRef", name)
	own, enum := strconv.Itoa(lineOf(t, spec, "owner-nullable")), strconv.Itoa(lineOf(t, spec, "age-enum"))
	report := check(t, project(t, map[string]string{w.File: spec}))
	require.Len(t, report.Problems, 2)
	typeMsg, enumMsg := report.Problems[0].Message, report.Problems[1].Message
	require.Contains(t, typeMsg, "[temporarily waived: ")
	require.Contains(t, enumMsg, "schema AgeBracket: nullable enum does not list null")

	tests := []struct {
		format specgate.Format
		want   func(out string)
	}{
		{specgate.FormatText, func(out string) {
			assert.Equal(t, w.File+":"+own+": nullable-type: warning: "+typeMsg+"\n"+
				w.File+":"+enum+": nullable-enum: "+enumMsg+"\n", out)
		}},
		{specgate.FormatGitHub, func(out string) {
			assert.Contains(t, out, "::warning file="+w.File+",line="+own+",title=nullable-type::schema "+name+": nullable: true without type")
			assert.Contains(t, out, "::error file="+w.File+",line="+enum+",title=nullable-enum::schema AgeBracket: nullable enum")
		}},
		{specgate.FormatJSON, func(out string) {
			var got struct {
				Problems []map[string]any `json:"problems"`
				Failed   bool             `json:"failed"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &got))
			require.Len(t, got.Problems, 2)
			assert.Equal(t, "nullable-type", got.Problems[0]["rule"])
			assert.Equal(t, "warning", got.Problems[0]["severity"])
			assert.Equal(t, "nullable-enum", got.Problems[1]["rule"])
			assert.Equal(t, "error", got.Problems[1]["severity"])
			assert.True(t, got.Failed)
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var out strings.Builder
			require.NoError(t, report.WriteFormat(&out, tt.format, ""))
			tt.want(out.String())
		})
	}
}
