package conform

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Summary is the report's view of a Result, for --json: the runs without their
// exchanges (those go to cassettes), and the findings.
type Summary struct {
	Runs     []RunSummary `json:"runs"`
	Findings []Finding    `json:"findings"`
	// Unacknowledged counts the findings that fail the run.
	Unacknowledged int `json:"unacknowledged"`
}

// RunSummary is one target's pass, without its exchanges.
type RunSummary struct {
	Role     string           `json:"role"`
	Target   string           `json:"target"`
	Kind     Kind             `json:"kind,omitempty"`
	Strategy Strategy         `json:"strategy,omitempty"`
	Journeys []JourneySummary `json:"journeys"`
}

// JourneySummary is one journey's outcome on one target.
type JourneySummary struct {
	ID      string `json:"id"`
	Calls   int    `json:"calls"`
	Error   string `json:"error,omitempty"`
	Stopped string `json:"stopped,omitempty"`
	Skipped string `json:"skipped,omitempty"`
}

// Summarize drops the exchanges of r.
func Summarize(r *Result) Summary {
	s := Summary{Findings: r.Findings}
	if s.Findings == nil {
		s.Findings = []Finding{}
	}
	for _, run := range r.Runs {
		rs := RunSummary{Role: run.Role, Target: run.Target, Kind: run.Kind, Strategy: run.Strategy}
		for _, j := range run.Journeys {
			rs.Journeys = append(rs.Journeys, JourneySummary{ID: j.ID, Calls: len(j.Exchanges), Error: j.Error, Stopped: j.Stopped, Skipped: j.Skipped})
		}
		s.Runs = append(s.Runs, rs)
	}
	for _, f := range r.Findings {
		if !f.Acknowledged {
			s.Unacknowledged++
		}
	}
	return s
}

// WriteJSON writes the summary as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Summarize(r))
}

// WriteText writes the report for people.
func WriteText(w io.Writer, r *Result) error {
	s := Summarize(r)
	var b strings.Builder
	for _, run := range s.Runs {
		fmt.Fprintf(&b, "%s: %s (%s", run.Role, run.Target, run.Kind)
		if run.Strategy != "" {
			fmt.Fprintf(&b, ", end user by %s", run.Strategy)
		}
		b.WriteString(")\n")
		for _, j := range run.Journeys {
			state := "ok"
			switch {
			case j.Skipped != "":
				state = "skipped: " + j.Skipped
			case j.Stopped != "":
				state = "stopped: " + j.Stopped
			case j.Error != "":
				state = "FAILED: " + j.Error
			}
			fmt.Fprintf(&b, "  %-26s %3d calls  %s\n", j.ID, j.Calls, state)
		}
	}
	if len(s.Findings) == 0 {
		b.WriteString("\nno findings: the targets agree with the specs")
		if len(s.Runs) == 2 && s.Runs[1].Role == "against" {
			b.WriteString(" and with each other")
		}
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "\n%d findings, %d not acknowledged:\n", len(s.Findings), s.Unacknowledged)
		for _, f := range s.Findings {
			mark := "✗"
			if f.Acknowledged {
				mark = "✓"
			}
			fmt.Fprintf(&b, "  %s %s\n", mark, describe(f))
			fmt.Fprintf(&b, "      key: %s\n", f.Key)
			if f.Acknowledged {
				fmt.Fprintf(&b, "      acknowledged: %s\n", f.Reason)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(f Finding) string {
	where := f.Journey
	if f.Step != "" {
		where += " (" + f.Step + ")"
	}
	what := f.Kind
	if f.Side != "diff" {
		what += " on " + f.Side
	} else {
		what = "difference (" + f.Kind + ")"
	}
	loc := ""
	if f.Location != "" {
		loc = f.Location + ": "
	}
	op := ""
	if f.Operation != "" {
		op = f.Operation + ": "
	}
	return fmt.Sprintf("%s in %s: %s%s%s", what, where, op, loc, f.Message)
}

// WriteGitHub writes one GitHub Actions workflow command per finding: an error for one
// nobody acknowledged, a notice for one acknowledged. A spec finding points at its spec
// file so the annotation lands on it in a pull request.
func WriteGitHub(w io.Writer, r *Result) error {
	var b strings.Builder
	for _, f := range r.Findings {
		level := "error"
		if f.Acknowledged {
			level = "notice"
		}
		props := []string{"title=" + escapeProperty("idvkit conform: "+f.Kind+" ("+f.Side+")")}
		if f.Spec != "" {
			props = append([]string{"file=" + escapeProperty("api/"+f.Spec+".yaml")}, props...)
		}
		msg := describe(f) + " [key: " + f.Key + "]"
		if f.Acknowledged {
			msg += " acknowledged: " + f.Reason
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", level, strings.Join(props, ","), escapeData(msg))
	}
	s := Summarize(r)
	fmt.Fprintf(&b, "idvkit conform: %d findings, %d not acknowledged\n", len(s.Findings), s.Unacknowledged)
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty follow GitHub's workflow command encoding, so a message
// can neither end the command early nor inject another.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
