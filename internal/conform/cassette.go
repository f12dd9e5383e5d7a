package conform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/idvkit/idvkit/pkg/contract"
)

// CassetteFormat names the cassette format, so a future change can be told apart.
const CassetteFormat = "idvkit-conform/1"

// Cassette is one journey's exchanges on one target, as written to disk.
//
// Why not gopkg.in/dnaeon/go-vcr.v4: its recorder replays HTTP for tests, while conform
// needs the contract verdict, the journey step and the redacted locations beside each
// exchange (go-vcr's interactions have no room for them), records under the contract
// round tripper it already owns, and "replays" by re-validating against the specs, not
// by serving answers. A small JSON file per journey does all of that and diffs well in a
// pull request.
type Cassette struct {
	Format   string      `json:"format"`
	Role     string      `json:"role"`
	Target   string      `json:"target"`
	Kind     Kind        `json:"kind,omitempty"`
	Strategy Strategy    `json:"strategy,omitempty"`
	Journey  *JourneyRun `json:"journey"`
}

// maxCassetteBytes bounds reading a cassette: a journey's redacted exchanges are small.
const maxCassetteBytes = 64 << 20

// WriteCassettes writes one cassette per journey that made calls: dir/<role>/<journey>.json.
// Everything is redacted already; each file is scrubbed once more, in memory, of every
// value the run learned (a token seen in an answer after it was first sent, say) and of
// the target's credentials, and written only then.
func WriteCassettes(dir string, r *Result) error {
	for _, run := range r.Runs {
		sub := filepath.Join(dir, run.Role)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return fmt.Errorf("conform: record: %w", err)
		}
		red := run.red
		if red == nil {
			red = newRedactor()
		}
		for _, s := range run.secrets {
			red.learn(s)
		}
		for _, j := range run.Journeys {
			if len(j.Exchanges) == 0 {
				continue
			}
			for i := range j.Exchanges {
				red.rescrub(&j.Exchanges[i])
			}
			data, err := json.MarshalIndent(Cassette{Format: CassetteFormat, Role: run.Role, Target: run.Target, Kind: run.Kind,
				Strategy: run.Strategy, Journey: j}, "", "  ")
			if err != nil {
				return fmt.Errorf("conform: record: %w", err)
			}
			if err := os.WriteFile(filepath.Join(sub, j.ID+".json"), append(data, '\n'), 0o644); err != nil {
				return fmt.Errorf("conform: record: %w", err)
			}
		}
	}
	return nil
}

// ReadCassettes reads every cassette under dir, in path order.
func ReadCassettes(dir string) ([]Cassette, error) {
	var out []Cassette
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxCassetteBytes+1))
		if err != nil {
			return err
		}
		if len(data) > maxCassetteBytes {
			return fmt.Errorf("%s is over %d bytes", p, maxCassetteBytes)
		}
		var c Cassette
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if c.Format != CassetteFormat || c.Journey == nil {
			return nil // another JSON file
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("conform: read recordings: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("conform: no recordings under %s", dir)
	}
	return out, nil
}

// Replay re-validates recorded exchanges against the specs in kit and returns the runs,
// their exchanges carrying today's verdicts, and the findings. A problem at a redacted
// location about the value itself (format, pattern, length, range) is the placeholder's,
// not the vendor's, and is dropped. A finding's message says when the recording's own
// verdict did not have it: that is what a spec change broke.
func Replay(kit *contract.Kit, cassettes []Cassette) (*Result, error) {
	runs := map[string]*TargetRun{}
	var order []string
	for _, c := range cassettes {
		role := "recording"
		if c.Role != "" && c.Role != "target" {
			role = "recording-" + c.Role
		}
		run := runs[role]
		if run == nil {
			run = &TargetRun{Role: role, Target: c.Target, Kind: c.Kind, Strategy: c.Strategy}
			runs[role] = run
			order = append(order, role)
		}
		j := *c.Journey
		j.Exchanges = slices.Clone(j.Exchanges)
		for i := range j.Exchanges {
			j.Exchanges[i].Problems = revalidate(kit, j.Exchanges[i])
		}
		run.Journeys = append(run.Journeys, &j)
	}
	res := &Result{}
	for _, role := range order {
		res.Runs = append(res.Runs, runs[role])
	}
	var findings []Finding
	for _, run := range res.Runs {
		findings = append(findings, Check(kit, run)...)
	}
	recorded := map[string]bool{}
	for _, c := range cassettes {
		for _, ex := range c.Journey.Exchanges {
			for _, p := range ex.Problems {
				recorded[c.Journey.ID+"|"+ex.Operation+"|"+p.Location+"|"+p.Rule] = true
			}
		}
	}
	for i, f := range findings {
		if f.Kind == KindJourney {
			continue
		}
		if !recorded[f.Journey+"|"+f.Operation+"|"+f.Location+"|"+f.Rule] {
			findings[i].Message += " (new: the recording passed here when it was made)"
		}
	}
	res.Findings = dedupe(findings)
	return res, nil
}

// valueRules are the problems a placeholder can cause by itself.
var valueRules = map[string]bool{
	contract.RuleFormat: true, "pattern": true, "minLength": true, "maxLength": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true, contract.RuleEnum: true,
}

var indexSeg = regexp.MustCompile(`\.[0-9]+(\.|$)`)

// redactedLoc maps a problem location of one side to a cassette's redacted location:
// "body.items.0.email" of a response is "response.body.items[].email".
func redactedLoc(side, loc string) string {
	for indexSeg.MatchString(loc) {
		loc = indexSeg.ReplaceAllString(loc, "[]$1")
	}
	return side + "." + loc
}

func revalidate(kit *contract.Kit, ex Exchange) []contract.Problem {
	if ex.Spec == "" {
		return ex.Problems // no spec knew it when recorded; nothing new to say
	}
	spec, err := kit.Lookup(ex.Spec)
	if err != nil {
		return []contract.Problem{{Operation: ex.Operation, Location: "spec", Rule: "missing-spec", Message: "the spec of this recording no longer loads"}}
	}
	redacted := map[string]bool{}
	for _, l := range ex.Redacted {
		redacted[l] = true
	}
	keep := func(side string, ps []contract.Problem) []contract.Problem {
		var out []contract.Problem
		for _, p := range ps {
			if valueRules[p.Rule] && redacted[redactedLoc(side, p.Location)] {
				continue
			}
			out = append(out, p)
		}
		return out
	}
	req, ok := rebuildRequest(ex.Request)
	if req == nil {
		return nil
	}
	var out []contract.Problem
	if ok {
		check := req.Clone(req.Context())
		out = append(out, keep("request", problemsOf(spec.ValidateRequest(check)))...)
	}
	if r := ex.Response; r != nil && r.Omitted == "" {
		body := []byte(r.Body)
		if r.Form != "" {
			body = []byte(r.Form)
		}
		out = append(out, keep("response", problemsOf(spec.ValidateResponse(req, r.Status, r.Header, body)))...)
	}
	return out
}

// rebuildRequest makes an *http.Request of a recorded one; ok is false when its body
// was not recorded (an upload), so only its answer can be checked.
func rebuildRequest(m Message) (*http.Request, bool) {
	u := "http://recording.invalid" + m.Path
	if m.Query != "" {
		u += "?" + m.Query
	}
	var body []byte
	switch {
	case len(m.Body) > 0:
		body = m.Body
	case m.Form != "":
		body = []byte(m.Form)
	}
	req, err := http.NewRequest(m.Method, u, bytes.NewReader(body))
	if err != nil {
		return nil, false
	}
	if len(body) == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	}
	for k, vs := range m.Header {
		req.Header[k] = vs
	}
	return req, m.Omitted == ""
}

// Promote turns recordings into material for the specs and the emulators' tests:
//
//   - dir/examples/<spec>.yaml holds, for each operation and status recorded, a named
//     example laid out as in the spec (paths → method → responses → status → content →
//     application/json → examples), to merge by hand into api/<spec>.yaml; placeholders
//     where the schema names a format become a valid value of that format;
//   - dir/fixtures/<spec>/<operation>.<status>.json holds the first recorded exchange of
//     each operation and status, redacted, for an emulator's tests to compare against.
//
// It returns the files written.
func Promote(kit *contract.Kit, cassettes []Cassette, dir string) ([]string, error) {
	examples := map[string]map[string]any{} // spec → the paths tree
	fixtures := map[string]Exchange{}
	for _, c := range cassettes {
		for _, ex := range c.Journey.Exchanges {
			if ex.Spec == "" || ex.Operation == "" || ex.Response == nil || len(ex.Response.Body) == 0 {
				continue
			}
			op, tmpl := operationOf(kit, ex.Spec, ex.Operation)
			if op == nil {
				continue
			}
			fx := ex.Spec + "/" + ex.Operation + "." + strconv.Itoa(ex.Response.Status)
			if _, ok := fixtures[fx]; !ok {
				fixtures[fx] = ex
			}
			var v any
			if err := json.Unmarshal(ex.Response.Body, &v); err != nil {
				continue
			}
			if schema := responseSchema(kit, ex.Spec, ex.Operation, ex.Response.Status); schema != nil {
				v = validPlaceholders(v, expand([]*openapi3.Schema{schema}))
			}
			name := fmt.Sprintf("conform-%s-%d", c.Journey.ID, ex.Seq)
			tree := examples[ex.Spec]
			if tree == nil {
				tree = map[string]any{}
				examples[ex.Spec] = tree
			}
			byStatus := nested(tree, tmpl, strings.ToLower(ex.Request.Method), "responses", strconv.Itoa(ex.Response.Status),
				"content", "application/json", "examples")
			if len(byStatus) == 0 { // one example per operation and status: the first
				byStatus[name] = map[string]any{"summary": "Recorded by idvkit conform from " + c.Target + " (" + c.Journey.ID + ", redacted)", "value": v}
			}
		}
	}
	var written []string
	for _, spec := range sortedKeys(examples) {
		data, err := yaml.Marshal(map[string]any{"paths": examples[spec]})
		if err != nil {
			return written, fmt.Errorf("conform: promote: %w", err)
		}
		p := filepath.Join(dir, "examples", filepath.FromSlash(spec)+".yaml")
		head := "# Examples promoted by `idvkit conform promote` from redacted recordings.\n# Merge each into api/" + spec +
			".yaml at the same place, then run `idvkit spec check`.\n"
		if err := writeFile(p, append([]byte(head), data...)); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	for _, fx := range sortedKeys(fixtures) {
		data, err := json.MarshalIndent(fixtures[fx], "", "  ")
		if err != nil {
			return written, fmt.Errorf("conform: promote: %w", err)
		}
		p := filepath.Join(dir, "fixtures", filepath.FromSlash(fx)+".json")
		if err := writeFile(p, append(data, '\n')); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("conform: promote: %w", err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("conform: promote: %w", err)
	}
	return nil
}

// nested walks (creating) maps along keys and returns the last.
func nested(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// formatPlaceholders are valid stand-ins for a redacted value of a format, so a promoted
// example passes the spec's own example validation.
var formatPlaceholders = map[string]string{
	"uuid":      "00000000-0000-4000-8000-000000000000",
	"date-time": "2026-01-01T00:00:00Z",
	"date":      "2000-01-01",
	"email":     "person@example.com",
	"uri":       "https://example.com/redacted",
	"url":       "https://example.com/redacted",
	"byte":      "UkVEQUNURUQ=",
	"ipv4":      "192.0.2.1",
	"ipv6":      "2001:db8::1",
}

func validPlaceholders(v any, cands []*openapi3.Schema) any {
	switch t := v.(type) {
	case string:
		if t != Placeholder {
			return t
		}
		for _, c := range cands {
			if p, ok := formatPlaceholders[c.Format]; ok {
				return p
			}
		}
		return t
	case map[string]any:
		for k, item := range t {
			next, _ := property(cands, k)
			t[k] = validPlaceholders(item, expand(next))
		}
		return t
	case []any:
		var items []*openapi3.Schema
		for _, c := range cands {
			if c.Items != nil && c.Items.Value != nil {
				items = append(items, c.Items.Value)
			}
		}
		items = expand(items)
		for i, item := range t {
			t[i] = validPlaceholders(item, items)
		}
		return t
	}
	return v
}
