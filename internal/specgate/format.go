package specgate

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
)

// Format is how a report is written: for people, for programs or for GitHub Actions.
type Format string

const (
	FormatText   Format = "text"   // file:line: ... lines, the default
	FormatJSON   Format = "json"   // one JSON document
	FormatGitHub Format = "github" // workflow commands (::error file=…,line=…::…) GitHub shows as annotations
)

// Formats lists the formats in the order usage text shows them.
var Formats = []Format{FormatText, FormatJSON, FormatGitHub}

// ParseFormat accepts the names of Formats.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q; use text, json or github", s)
}

// WriteFormat writes the report in format f. For FormatGitHub, prefix is the root's
// path inside the repository ("" at its top), since GitHub resolves annotation files
// from the repository root.
func (r Report) WriteFormat(w io.Writer, f Format, prefix string) error {
	switch f {
	case FormatJSON:
		out := struct {
			Report
			Failed bool `json:"failed"`
		}{r, r.Failed()}
		out.Problems, out.Specs, out.Generated = nonNil(out.Problems), nonNil(out.Specs), nonNil(out.Generated)
		return writeJSON(w, out)
	case FormatGitHub:
		ew := &errWriter{w: w}
		for _, p := range r.Problems {
			ew.printf("%s\n", annotation(p.Severity.String(), path.Join(prefix, p.File), p.Line, p.Rule, p.Message))
		}
		return ew.err
	}
	return r.Write(w)
}

// WriteFormat writes the report in format f; prefix as for Report.WriteFormat. In
// FormatGitHub, oasdiff's ERR and incompatible Go changes are errors, WARN warnings,
// INFO and compatible Go changes notices.
func (r DiffReport) WriteFormat(w io.Writer, f Format, prefix string) error {
	switch f {
	case FormatJSON:
		out := struct {
			DiffReport
			Breaking bool `json:"breaking"`
		}{r, r.Breaking()}
		out.Changes, out.Specs, out.Added = nonNil(out.Changes), nonNil(out.Specs), nonNil(out.Added)
		out.GoChanges, out.GoPackages, out.Notes = nonNil(out.GoChanges), nonNil(out.GoPackages), nonNil(out.Notes)
		return writeJSON(w, out)
	case FormatGitHub:
		ew := &errWriter{w: w}
		for _, c := range r.Changes {
			kind := map[string]string{levelErr: "error", "WARN": "warning"}[c.Level]
			msg := c.Text
			if c.Operation != "" || c.Path != "" {
				msg = strings.TrimSpace(c.Operation+" "+c.Path) + ": " + msg
			}
			if c.Line == 0 && c.BaseLine > 0 {
				msg += fmt.Sprintf(" (line %d in %s)", c.BaseLine, r.Base)
			}
			title := fmt.Sprintf("API callers: %s %s", c.Level, c.ID)
			ew.printf("%s\n", annotation(cmpOr(kind, "notice"), path.Join(prefix, cmpOr(c.File, c.Spec)), c.Line, title, msg))
		}
		for _, g := range r.GoChanges {
			kind, msg := "error", g.Message
			if g.Compatible {
				kind = "notice"
			}
			if g.Line == 0 && g.BaseLine > 0 {
				msg += fmt.Sprintf(" (line %d in %s)", g.BaseLine, r.Base)
			}
			title := fmt.Sprintf("Go code using %s: %s", g.Package, g.Kind())
			ew.printf("%s\n", annotation(kind, path.Join(prefix, g.File), g.Line, title, msg))
		}
		for _, a := range r.Added {
			ew.printf("%s\n", annotation("notice", path.Join(prefix, a), 0, "new spec", "new spec (not breaking)"))
		}
		for _, n := range r.Notes {
			ew.printf("%s\n", annotation("warning", "", 0, "spec diff", n))
		}
		return ew.err
	}
	return r.Write(w)
}

// annotation renders a GitHub Actions workflow command; line 0 and file "" are left out.
// https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
func annotation(kind, file string, line int, title, msg string) string {
	var props []string
	if file != "" {
		props = append(props, "file="+escapeProperty(file))
		if line > 0 {
			props = append(props, fmt.Sprintf("line=%d", line))
		}
	}
	if title != "" {
		props = append(props, "title="+escapeProperty(title))
	}
	if len(props) == 0 {
		return "::" + kind + "::" + escapeData(msg)
	}
	return "::" + kind + " " + strings.Join(props, ",") + "::" + escapeData(msg)
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nonNil makes JSON show an empty list as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
