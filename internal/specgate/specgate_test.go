package specgate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/specgate"
)

const specRel = "api/w/widgets.yaml"

// goodSpec is a spec that passes every rule; each case breaks it one way.
func goodSpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "widgets.yaml"))
	require.NoError(t, err)
	return string(b)
}

// project writes files (root-relative slash paths) into a fresh temporary root.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

// replace replaces old, which must occur exactly once, so a case cannot silently stop
// breaking the spec when the spec changes.
func replace(old, new string) func(t *testing.T, s string) string {
	return func(t *testing.T, s string) string {
		t.Helper()
		require.Equal(t, 1, strings.Count(s, old), "edit target must occur once: %q", old)
		return strings.Replace(s, old, new, 1)
	}
}

// lineOf is the 1-based line of the only line ending in the comment "# marker".
func lineOf(t *testing.T, text, marker string) int {
	t.Helper()
	found := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), "# "+marker) {
			require.Zero(t, found, "marker %q occurs more than once", marker)
			found = i + 1
		}
	}
	require.NotZero(t, found, "marker %q not found", marker)
	return found
}

func check(t *testing.T, root string, only ...string) specgate.Report {
	t.Helper()
	report, err := specgate.Check(context.Background(), specgate.Options{Root: root, Only: only})
	require.NoError(t, err)
	return report
}

// located renders problems as "file:line: rule" for comparison.
func located(ps []specgate.Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Rule))
	}
	return out
}

func TestCheckGoodSpecIsClean(t *testing.T) {
	root := project(t, map[string]string{specRel: goodSpec(t)})
	report := check(t, root)
	assert.Empty(t, report.Problems)
	assert.False(t, report.Failed())
	assert.Equal(t, []string{specRel}, report.Specs)
}

func TestCheckRules(t *testing.T) {
	type want struct {
		rule   string
		marker string // the problem is on the line holding this marker
		msg    string // and its message contains this
	}
	tests := []struct {
		name string
		edit func(t *testing.T, s string) string
		want []want
	}{
		{
			name: "missing operationId",
			edit: replace("      operationId: getWidget # get-operationId\n", ""),
			want: []want{{specgate.RuleOperationID, "get-op", "GET /widgets/{id} has no operationId"}},
		},
		{
			name: "operationId not lowerCamel",
			edit: replace("operationId: getWidget", "operationId: Get_Widget"),
			want: []want{{specgate.RuleOperationID, "get-operationId", `"Get_Widget" is not lowerCamel`}},
		},
		{
			name: "missing summary",
			edit: replace("      summary: Fetch a widget\n", ""),
			want: []want{{specgate.RuleSummary, "get-op", "GET /widgets/{id} has no summary"}},
		},
		{
			name: "missing x-idvkit-source",
			edit: replace("      x-idvkit-source: https://widgets.example/docs/get\n", ""),
			want: []want{{specgate.RuleSource, "get-op", "GET /widgets/{id} has no x-idvkit-source"}},
		},
		{
			name: "no tag",
			edit: replace("      tags: [widgets] # get-tags\n", ""),
			want: []want{{specgate.RuleTag, "get-op", "has no tag"}},
		},
		{
			name: "two tags",
			edit: replace("tags: [widgets] # get-tags", "tags: [widgets, extra] # get-tags"),
			want: []want{{specgate.RuleTag, "get-tags", "has 2 tags"}},
		},
		{
			name: "undeclared tag",
			edit: replace("tags: [widgets] # get-tags", "tags: [gadgets] # get-tags"),
			want: []want{{specgate.RuleTag, "get-tags", `tag "gadgets" is not declared`}},
		},
		{
			name: "missing error response",
			edit: replace("        '404':\n          $ref: '#/components/responses/NotFound'\n  /widgets:\n", "  /widgets:\n"),
			want: []want{{specgate.RuleErrorResponses, "get-responses", "GET /widgets/{id} documents no 4xx/5xx response"}},
		},
		{
			name: "error response without example",
			edit: replace("              examples:\n                tooSmall:\n                  value:\n                    code: invalid_size # create-400-code\n", ""),
			want: []want{{specgate.RuleErrorResponses, "create-400-json", "POST /widgets response 400 (application/json) has no example"}},
		},
		{
			name: "error response without schema",
			edit: replace("              schema:\n                $ref: '#/components/schemas/Error'\n              examples:\n", "              examples:\n"),
			want: []want{{specgate.RuleErrorResponses, "create-400-json", "POST /widgets response 400 (application/json) has no schema"}},
		},
		{
			name: "error response without content",
			edit: replace(`        '400':
          description: Invalid widget
          content:
            application/json: # create-400-json
              schema:
                $ref: '#/components/schemas/Error'
              examples:
                tooSmall:
                  value:
                    code: invalid_size # create-400-code
`, "        '400': # create-400\n          description: Invalid widget\n"),
			want: []want{{specgate.RuleErrorResponses, "create-400", "POST /widgets response 400 has no content"}},
		},
		{
			name: "shared error response without example is reported once, where it is defined",
			edit: replace("          example:\n            code: not_found\n", ""),
			want: []want{{specgate.RuleErrorResponses, "notfound-json", "response components/responses/NotFound (application/json) has no example"}},
		},
		{
			name: "2xx without example",
			edit: replace("              example: # create-201-example\n                id: w-2\n                size: 3\n", ""),
			want: []want{{specgate.RuleSuccessExample, "create-201-json", "POST /widgets response 201 (application/json) has no example"}},
		},
		{
			name: "inline oneOf in a response",
			edit: replace("              schema: # get-200-schema\n                $ref: '#/components/schemas/Widget'\n",
				"              schema: # get-200-schema\n                oneOf: # inline-union\n"+
					"                  - $ref: '#/components/schemas/Widget'\n                  - $ref: '#/components/schemas/Error'\n"),
			want: []want{{specgate.RuleNoInlineUnion, "inline-union", "GET /widgets/{id} response 200 (application/json): inline oneOf"}},
		},
		{
			name: "inline anyOf in a property of a named schema",
			edit: replace("        shape: # widget-shape\n          $ref: '#/components/schemas/Shape'\n",
				"        shape: # widget-shape\n          anyOf: # inline-anyof\n"+
					"            - $ref: '#/components/schemas/Circle'\n            - $ref: '#/components/schemas/Square'\n"),
			want: []want{{specgate.RuleNoInlineUnion, "inline-anyof", "schema Widget property shape: inline anyOf"}},
		},
		{
			name: "inline allOf with branches in a request body",
			edit: replace("            schema:\n              $ref: '#/components/schemas/NewWidget'\n",
				"            schema:\n              allOf: # inline-allof\n"+
					"                - $ref: '#/components/schemas/NewWidget'\n                - type: object\n"),
			want: []want{{specgate.RuleNoInlineUnion, "inline-allof", "POST /widgets request body (application/json): inline allOf"}},
		},
		{
			name: "request example with a field additionalProperties: false forbids",
			edit: replace("              size: 3 # create-request-size\n", "              size: 3 # create-request-size\n              colour: red # extra-field\n"),
			want: []want{{specgate.RuleExamplesValid, "extra-field", `example of POST /widgets request body (application/json) does not match its schema at /colour: property "colour" is unsupported`}},
		},
		{
			name: "response example with a field its open schema does not document",
			edit: replace("                id: w-2\n", "                id: w-2\n                colour: red # open-extra\n"),
			want: []want{{specgate.RuleExamplesValid, "open-extra", `shows field "colour" at /colour, which its schema does not document`}},
		},
		{
			name: "undocumented field inside a union branch",
			edit: replace("                  radius: 2\n", "                  radius: 2\n                  side: 4 # branch-extra\n"),
			want: []want{{specgate.RuleExamplesValid, "branch-extra", `field "side" at /shape/side`}},
		},
		{
			name: "wrong-type example",
			edit: replace("size: 3 # get-200-size", "size: three # get-200-size"),
			want: []want{{specgate.RuleExamplesValid, "get-200-size", "at /size: value must be an integer"}},
		},
		{
			name: "example missing a required field",
			edit: replace("                id: w-2\n", ""),
			want: []want{{specgate.RuleExamplesValid, "create-201-example", `property "id" is missing`}},
		},
		{
			name: "named example violating its schema",
			edit: replace("code: invalid_size # create-400-code", "code: 42 # create-400-code"),
			want: []want{{specgate.RuleExamplesValid, "create-400-code", `example "tooSmall" of POST /widgets response 400 (application/json) does not match its schema at /code`}},
		},
		{
			name: "parameter example violating its schema",
			edit: replace("example: w-1 # param-example", "example: w # param-example"),
			want: []want{{specgate.RuleExamplesValid, "param-example", `example of GET /widgets/{id} parameter "id" does not match its schema: minimum string length is 2`}},
		},
		{
			name: "schema example violating its schema",
			edit: replace("          type: integer\n          minimum: 1\n", "          type: integer\n          minimum: 1\n          example: 0 # schema-example\n"),
			want: []want{{specgate.RuleExamplesValid, "schema-example", "schema example of schema NewWidget property size"}},
		},
		{
			name: "invalid spec: response without description",
			edit: replace("          description: Created\n", ""),
			want: []want{{specgate.RuleSpecValid, "create-201", "description"}},
		},
		{
			name: "invalid spec: openapi 3.1",
			edit: replace("openapi: 3.0.3", "openapi: 3.1.0 # version"),
			want: []want{{specgate.RuleSpecValid, "version", "idvkit specs are OpenAPI 3.0.3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.edit(t, goodSpec(t))
			report := check(t, project(t, map[string]string{specRel: spec}))
			require.True(t, report.Failed())

			var expected []string
			for _, w := range tt.want {
				expected = append(expected, fmt.Sprintf("%s:%d: %s", specRel, lineOf(t, spec, w.marker), w.rule))
			}
			assert.Equal(t, expected, located(report.Problems))
			for i, w := range tt.want {
				if i < len(report.Problems) {
					assert.Contains(t, report.Problems[i].Message, w.msg)
				}
			}
		})
	}
}

func TestCheckWarnsAboutClosedResponses(t *testing.T) {
	spec := replace("    Error:\n      type: object\n", "    Error:\n      type: object\n      additionalProperties: false # closed\n")(t, goodSpec(t))
	report := check(t, project(t, map[string]string{specRel: spec}))
	require.Len(t, report.Problems, 1)
	p := report.Problems[0]
	assert.Equal(t, specgate.Warning, p.Severity)
	assert.Equal(t, fmt.Sprintf("%s:%d: %s", specRel, lineOf(t, spec, "closed"), specgate.RuleOpenResponse), located(report.Problems)[0])
	assert.Contains(t, p.String(), "open-response: warning: components/schemas/Error is part of a response")
	assert.False(t, report.Failed(), "warnings do not fail the gate")

	// The same keyword on a request schema (NewWidget) is fine: the good spec has it.
	assert.Contains(t, goodSpec(t), "additionalProperties: false")
}

func TestCheckSpecsThatDoNotLoad(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, s string) string
		line int // 0: any line; -1: the line marked missing-ref
		msg  string
	}{
		{
			name: "YAML syntax error",
			edit: replace("      summary: Create a widget\n", "      summary: [unclosed\n"),
			msg:  "not valid YAML",
		},
		{
			name: "unresolvable $ref",
			edit: replace("$ref: '#/components/schemas/NewWidget'", "$ref: '#/components/schemas/Missing' # missing-ref"),
			line: -1,
			msg:  "$ref #/components/schemas/Missing points at nothing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.edit(t, goodSpec(t))
			report := check(t, project(t, map[string]string{specRel: spec}))
			require.True(t, report.Failed())
			require.NotEmpty(t, report.Problems)
			for _, p := range report.Problems {
				assert.Equal(t, specRel, p.File)
				assert.Equal(t, specgate.RuleSpecValid, p.Rule, p.String())
				assert.Positive(t, p.Line)
				switch {
				case tt.line == -1:
					assert.Equal(t, lineOf(t, spec, "missing-ref"), p.Line)
				case tt.line > 0:
					assert.Equal(t, tt.line, p.Line)
				}
			}
			assert.Contains(t, report.Problems[0].Message, tt.msg)
		})
	}
}

// A YAML file without an openapi key is a fragment specs $ref (pkg/contract skips them
// too): checked through the specs using it, and a warning when nothing uses it.
func TestCheckFragments(t *testing.T) {
	const fragment = `components:
  schemas:
    Error:
      type: object
      required: [code]
      properties:
        code:
          type: string
`
	spec := goodSpec(t)
	for range 3 {
		spec = strings.Replace(spec, "$ref: '#/components/schemas/Error'", "$ref: './shared.yaml#/components/schemas/Error'", 1)
	}
	require.NotContains(t, spec, "$ref: '#/components/schemas/Error'")
	root := project(t, map[string]string{specRel: spec, "api/w/shared.yaml": fragment, "api/w/notes.yaml": "just: text\n"})

	report := check(t, root)
	assert.Equal(t, []string{specRel}, report.Specs)
	assert.Equal(t, []string{"api/w/notes.yaml:1: spec-valid"}, located(report.Problems))
	assert.Equal(t, specgate.Warning, report.Problems[0].Severity)
	assert.False(t, report.Failed())

	// An example is still validated against a schema that lives in the fragment.
	broken := replace("code: invalid_size # create-400-code", "code: 42 # create-400-code")(t, spec)
	root = project(t, map[string]string{specRel: broken, "api/w/shared.yaml": fragment})
	report = check(t, root)
	assert.Equal(t, []string{fmt.Sprintf("%s:%d: examples-valid", specRel, lineOf(t, broken, "create-400-code"))}, located(report.Problems))
}

func TestCheckOutputFormatAndOrder(t *testing.T) {
	spec := goodSpec(t)
	spec = replace("      summary: Create a widget\n", "")(t, spec)
	spec = replace("      operationId: getWidget # get-operationId\n", "")(t, spec)
	root := project(t, map[string]string{
		specRel:            spec,
		"api/a/first.yaml": goodSpec(t),
		"api/w/notes.txt":  "not a spec",
	})
	report := check(t, root)
	var out strings.Builder
	require.NoError(t, report.Write(&out))
	assert.Equal(t, fmt.Sprintf(
		"%[1]s:%[2]d: operation-id: GET /widgets/{id} has no operationId; give it an explicit lowerCamel one\n"+
			"%[1]s:%[3]d: summary: POST /widgets has no summary\n",
		specRel, lineOf(t, spec, "get-op"), lineOf(t, spec, "create-op")), out.String())
	assert.Equal(t, []string{"api/a/first.yaml", specRel}, report.Specs)
}

func TestCheckOnlySelectsSpecs(t *testing.T) {
	broken := replace("      summary: Create a widget\n", "")(t, goodSpec(t))
	root := project(t, map[string]string{specRel: goodSpec(t), "api/x/broken.yaml": broken})
	assert.False(t, check(t, root, specRel).Failed())
	assert.True(t, check(t, root, "api/x").Failed())
	assert.True(t, check(t, root).Failed())
}

func TestCheckRootMustExist(t *testing.T) {
	_, err := specgate.Check(context.Background(), specgate.Options{Root: filepath.Join(t.TempDir(), "nope")})
	require.Error(t, err)
}

// TestCheckNullableDefects: the two OpenAPI 3.0.3 nullable defects of issue #10 each
// fail the gate at their line, and each documented fix passes it.
func TestCheckNullableDefects(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "nullable.yaml"))
	require.NoError(t, err)
	defects := string(b)
	type want struct{ rule, marker, msg string }
	tests := []struct {
		name string
		edit func(t *testing.T, s string) string
		want []want
	}{
		{
			name: "both defects",
			edit: func(_ *testing.T, s string) string { return s },
			want: []want{
				{specgate.RuleNullableType, "owner-nullable", "schema OwnerRef: nullable: true without type"},
				{specgate.RuleNullableEnum, "age-enum", "schema AgeBracket: nullable enum does not list null"},
			},
		},
		{
			name: "fixed: type beside nullable, null in the enum",
			edit: func(t *testing.T, s string) string {
				s = replace("      nullable: true # owner-nullable\n", "      type: object\n      nullable: true\n")(t, s)
				s = replace("        - type: string\n", "        - type: object\n")(t, s)
				return replace("enum: [under18, over18]", "enum: [under18, over18, null]")(t, s)
			},
		},
		{
			name: "fixed: nullable inside each branch",
			edit: func(t *testing.T, s string) string {
				s = replace("      nullable: true # owner-nullable\n", "")(t, s)
				s = replace("        - type: string\n", "        - type: string\n          nullable: true\n")(t, s)
				return replace("enum: [under18, over18]", "enum: [under18, over18, null]")(t, s)
			},
		},
		{
			name: "inline nullable without type",
			edit: func(t *testing.T, s string) string {
				s = replace("      nullable: true # owner-nullable\n", "      type: object\n      nullable: true\n")(t, s)
				s = replace("        - type: string\n", "        - type: object\n")(t, s)
				s = replace("enum: [under18, over18]", "enum: [under18, over18, null]")(t, s)
				return replace("                  code:\n                    type: string\n",
					"                  code:\n                    nullable: true # code-nullable\n")(t, s)
			},
			want: []want{{specgate.RuleNullableType, "code-nullable", "property code: nullable: true without type"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.edit(t, defects)
			report := check(t, project(t, map[string]string{specRel: spec}))
			require.Len(t, report.Problems, len(tt.want), "%v", report.Problems)
			for i, w := range tt.want {
				p := report.Problems[i]
				assert.Equal(t, w.rule, p.Rule)
				assert.Equal(t, specgate.Error, p.Severity)
				assert.Equal(t, lineOf(t, spec, w.marker), p.Line, p.Message)
				assert.Contains(t, p.Message, w.msg)
			}
			assert.Equal(t, len(tt.want) > 0, report.Failed())
		})
	}
}

// sampleWaiver installs one waiver for the test's duration (the list is empty once every
// spec is fixed, and the mechanism must still work).
func sampleWaiver(t *testing.T) specgate.Waiver {
	t.Helper()
	w := specgate.Waiver{File: "api/verifik/smartenroll.yaml", Rule: specgate.RuleNullableType,
		At: "components/schemas/ProjectRef/nullable", Reason: "a waiver the test installs"}
	old := specgate.TemporaryWaivers
	specgate.TemporaryWaivers = []specgate.Waiver{w}
	t.Cleanup(func() { specgate.TemporaryWaivers = old })
	return w
}

// TestCheckTemporaryWaiver: a waived problem is a warning naming its waiver, so the gate
// passes; the same defect elsewhere in the file still fails.
func TestCheckTemporaryWaiver(t *testing.T) {
	w := sampleWaiver(t)
	name := strings.TrimSuffix(strings.TrimPrefix(w.At, "components/schemas/"), "/nullable")
	b, err := os.ReadFile(filepath.Join("testdata", "nullable.yaml"))
	require.NoError(t, err)
	spec := replace("enum: [under18, over18]", "enum: [under18, over18, null]")(t, string(b))
	spec = strings.ReplaceAll(spec, "OwnerRef", name)

	report := check(t, project(t, map[string]string{w.File: spec}))
	require.Len(t, report.Problems, 1)
	assert.Equal(t, specgate.Warning, report.Problems[0].Severity)
	assert.Contains(t, report.Problems[0].Message, "[temporarily waived: ")
	assert.False(t, report.Failed())

	spec = strings.ReplaceAll(spec, name, "UnwaivedRef")
	assert.True(t, check(t, project(t, map[string]string{w.File: spec})).Failed())
}

// TestTemporaryWaiversStillNeeded fails once the spec a waiver covers is fixed: remove
// the waiver then (internal/specgate/waivers.go).
func TestTemporaryWaiversStillNeeded(t *testing.T) {
	root := filepath.Join("..", "..")
	files := map[string]bool{}
	for _, w := range specgate.TemporaryWaivers {
		files[w.File] = true
		if strings.HasPrefix(w.Rule, specgate.RuleSpectral+":") {
			needSpectral(t)
		}
	}
	var only []string
	for f := range files {
		only = append(only, f)
	}
	report, err := specgate.Check(context.Background(), specgate.Options{Root: root, Only: only, SkipGenerated: true, SkipBuild: true})
	require.NoError(t, err)
	for _, w := range specgate.TemporaryWaivers {
		found := false
		for _, p := range report.Problems {
			found = found || (p.File == w.File && p.Rule == w.Rule && p.Severity == specgate.Warning &&
				strings.HasSuffix(p.Message, "[temporarily waived: "+w.Reason+"]"))
		}
		assert.True(t, found, "waiver %s %s %s matches no problem: the spec is fixed, remove the waiver", w.File, w.Rule, w.At)
	}
}
