package conform

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/idvkit/idvkit/pkg/contract"
)

// Kinds of [Finding].
const (
	// KindDrift: a target answered with something the spec does not list yet (a
	// property, an enum value) but nothing it forbids.
	KindDrift = "drift"
	// KindViolation: a request or answer the spec forbids.
	KindViolation = "violation"
	// KindJourney: a journey stopped with an unexpected error.
	KindJourney = "journey"
	// The differences between two targets at the same step:
	KindStatus    = "status"     // different HTTP statuses
	KindErrorCode = "error-code" // different vendor error codes
	KindField     = "field"      // a field present on one side only
	KindType      = "type"       // a field of different JSON types
	KindEnum      = "enum"       // different values of an enumerated field
	KindSequence  = "sequence"   // different calls, or a different number of calls
)

// Finding is one thing conform found. Its Key identifies it across runs (no ids, no
// times, no values), so a team can acknowledge it in a checked-in file.
type Finding struct {
	Kind string `json:"kind"`
	// Side is "target" or "against" for a finding of one target against the spec,
	// "diff" for a difference between the two.
	Side      string `json:"side"`
	Journey   string `json:"journey"`
	Step      string `json:"step,omitempty"`
	Seq       int    `json:"seq"`
	Spec      string `json:"spec,omitempty"`
	Operation string `json:"operation,omitempty"`
	Location  string `json:"location,omitempty"`
	Rule      string `json:"rule,omitempty"`
	Message   string `json:"message"`
	Key       string `json:"key"`
	// Acknowledged is set by [Ack.Apply]; Reason is the acknowledgement's.
	Acknowledged bool   `json:"acknowledged,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

func (f *Finding) setKey() {
	parts := []string{f.Kind, f.Side, f.Journey, orDash(f.Operation), orDash(f.Location)}
	f.Key = strings.Join(parts, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Check returns what the runs found: each run's drift and violations against the specs
// and its journeys that failed, then, for two runs, their differences step by step.
// Findings are in a stable order and each key appears once (the first occurrence).
func Check(kit *contract.Kit, runs ...*TargetRun) []Finding {
	var out []Finding
	for _, r := range runs {
		for _, j := range r.Journeys {
			out = append(out, specFindings(r.Role, j)...)
			if j.Error != "" {
				out = append(out, Finding{Kind: KindJourney, Side: r.Role, Journey: j.ID, Seq: len(j.Exchanges),
					Message: "the journey stopped: " + j.Error})
			}
		}
	}
	if len(runs) == 2 {
		out = append(out, Diff(kit, runs[0], runs[1])...)
	}
	return dedupe(out)
}

func specFindings(side string, j *JourneyRun) []Finding {
	var out []Finding
	for _, ex := range j.Exchanges {
		for _, p := range ex.Problems {
			kind := KindViolation
			if p.Drift {
				kind = KindDrift
			}
			out = append(out, Finding{Kind: kind, Side: side, Journey: j.ID, Step: ex.Step, Seq: ex.Seq, Spec: ex.Spec,
				Operation: orOp(ex, p), Location: p.Location, Rule: p.Rule, Message: p.Message})
		}
	}
	return out
}

func orOp(ex Exchange, p contract.Problem) string {
	if p.Operation != "" {
		return p.Operation
	}
	return ex.Operation
}

// Diff compares two runs journey by journey and call by call.
func Diff(kit *contract.Kit, a, b *TargetRun) []Finding {
	var out []Finding
	ja, jb := journeysByID(a), journeysByID(b)
	for _, id := range sortedIDs(a, b) {
		x, y := ja[id], jb[id]
		if x == nil || y == nil || x.Skipped != "" || y.Skipped != "" || x.Stopped != "" || y.Stopped != "" {
			continue // nothing comparable: the journey did not run on both sides
		}
		out = append(out, diffJourney(kit, a, b, x, y)...)
	}
	return out
}

func diffJourney(kit *contract.Kit, a, b *TargetRun, x, y *JourneyRun) []Finding {
	var out []Finding
	add := func(f Finding) {
		f.Side, f.Journey = "diff", x.ID
		out = append(out, f)
	}
	n := min(len(x.Exchanges), len(y.Exchanges))
	for i := 0; i < n; i++ {
		ex, ey := x.Exchanges[i], y.Exchanges[i]
		base := Finding{Step: ex.Step, Seq: i, Spec: ex.Spec, Operation: ex.Operation}
		if ex.Operation != ey.Operation || ex.Request.Method != ey.Request.Method {
			f := base
			f.Kind, f.Location = KindSequence, "call"
			f.Message = fmt.Sprintf("call %d is %s on %s but %s on %s; the rest of the journey is not compared",
				i+1, orDash(ex.Operation), a.Target, orDash(ey.Operation), b.Target)
			add(f)
			return out
		}
		for _, f := range diffShapes(shapeOf(kit, ex), shapeOf(kit, ey), a.Target, b.Target) {
			g := base
			g.Kind, g.Location, g.Message = f.Kind, f.Location, f.Message
			add(g)
		}
	}
	if len(x.Exchanges) != len(y.Exchanges) {
		f := Finding{Kind: KindSequence, Seq: n, Location: "calls",
			Message: fmt.Sprintf("the journey made %d calls on %s and %d on %s", len(x.Exchanges), a.Target, len(y.Exchanges), b.Target)}
		add(f)
	}
	return out
}

// diffShapes lists how two answers to the same call differ.
func diffShapes(x, y *Shape, nx, ny string) []Finding {
	var out []Finding
	switch {
	case x == nil && y == nil:
		return nil
	case x == nil || y == nil:
		side := nx
		if x != nil {
			side = ny
		}
		return []Finding{{Kind: KindStatus, Location: "status", Message: "no answer on " + side}}
	}
	if x.Status != y.Status {
		out = append(out, Finding{Kind: KindStatus, Location: "status",
			Message: fmt.Sprintf("status %d on %s, %d on %s", x.Status, nx, y.Status, ny)})
		return out // a different answer: its fields are not comparable
	}
	if x.ErrorCode != y.ErrorCode {
		out = append(out, Finding{Kind: KindErrorCode, Location: "error",
			Message: fmt.Sprintf("error code %s on %s, %s on %s", orDash(x.ErrorCode), nx, orDash(y.ErrorCode), ny)})
	}
	locs := slices.Sorted(maps.Keys(x.Fields))
	for _, l := range slices.Sorted(maps.Keys(y.Fields)) {
		if _, ok := x.Fields[l]; !ok {
			locs = append(locs, l)
		}
	}
	slices.Sort(locs)
	for _, l := range locs {
		tx, okx := x.Fields[l]
		ty, oky := y.Fields[l]
		switch {
		case !oky:
			out = append(out, Finding{Kind: KindField, Location: l, Message: fmt.Sprintf("only on %s (%s)", nx, tx)})
		case !okx:
			out = append(out, Finding{Kind: KindField, Location: l, Message: fmt.Sprintf("only on %s (%s)", ny, ty)})
		case tx != ty && tx != "null" && ty != "null":
			out = append(out, Finding{Kind: KindType, Location: l, Message: fmt.Sprintf("%s on %s, %s on %s", tx, nx, ty, ny)})
		}
	}
	for _, l := range slices.Sorted(maps.Keys(x.Enums)) {
		if vy, ok := y.Enums[l]; ok && !slices.Equal(x.Enums[l], vy) {
			out = append(out, Finding{Kind: KindEnum, Location: l,
				Message: fmt.Sprintf("%s on %s, %s on %s", strings.Join(x.Enums[l], "|"), nx, strings.Join(vy, "|"), ny)})
		}
	}
	return out
}

// dedupe keys the findings and keeps the first of each key: a drift repeated on every
// call of an operation is one thing to fix.
func dedupe(fs []Finding) []Finding {
	seen := map[string]bool{}
	out := fs[:0:0]
	for _, f := range fs {
		f.setKey()
		if seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		out = append(out, f)
	}
	return out
}
