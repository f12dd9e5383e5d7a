package verisoul

import (
	"fmt"
	"slices"
	"strings"
)

// Verdict is a policy's decision on a verification, with its reasons.
type Verdict struct {
	Accept bool
	// Reasons say why the verification was refused; empty when accepted.
	Reasons []string
}

func (v Verdict) String() string {
	if v.Accept {
		return "accepted"
	}
	return "refused: " + strings.Join(v.Reasons, "; ")
}

// Policy decides whether a verified session is good enough to enrol.
type Policy interface {
	Decide(v *Verification) Verdict
}

// PolicyFunc lets a function be a Policy.
type PolicyFunc func(v *Verification) Verdict

// Decide calls f.
func (f PolicyFunc) Decide(v *Verification) Verdict { return f(v) }

// Rules is a Policy made of thresholds; a verification must pass every rule. The zero
// value accepts only a Real decision with no linked account.
type Rules struct {
	// AcceptDecisions are the acceptable decisions; empty means Real only. Unknown
	// decisions are refused unless listed.
	AcceptDecisions []Decision
	// MaxRiskScore refuses a risk score above it (0 to 1); 0 switches the rule off.
	MaxRiskScore float64
	// RejectFlags refuses a verification that raised any of these risk flags.
	RejectFlags []RiskFlag
	// MaxLinkedAccounts refuses more linked enrolled accounts than this; 0 allows none,
	// a negative value switches the rule off.
	MaxLinkedAccounts int
	// LinkTypes are the match types that count as a link; empty means all. List face and
	// document_number to ignore accounts that merely share a network or browser.
	LinkTypes []MatchType

	// ID Check rules. A verification without a document fails any rule set here.

	// RequireAuthenticID refuses a document Verisoul did not judge likely authentic.
	RequireAuthenticID bool
	// MinIDFaceMatchScore refuses a selfie-to-document score below it; 0 switches it off.
	MinIDFaceMatchScore float64
	// MinAge refuses a holder younger than this, or of unknown age; 0 switches it off.
	MinAge int
	// RejectExpiredID refuses an expired document (expiry date or the id_expired flag).
	RejectExpiredID bool
}

// UniquenessRules is a starting policy for 1:N sign-up: a Real decision, risk score at
// most 0.5, none of the repeat or known-fraud flags, and no account linked by face or
// document.
func UniquenessRules() Rules {
	return Rules{
		AcceptDecisions: []Decision{Real},
		MaxRiskScore:    0.5,
		RejectFlags:     []RiskFlag{FlagRepeatFace, FlagRepeatID, FlagKnownFraudFace, FlagKnownFraudID},
		LinkTypes:       []MatchType{MatchFace, MatchDocumentNumber},
	}
}

// IDRules is UniquenessRules plus a likely authentic, unexpired document of an adult
// whose face matches the selfie (score at least 0.8).
func IDRules() Rules {
	r := UniquenessRules()
	r.RejectFlags = append(r.RejectFlags, FlagLikelyFakeID)
	r.RequireAuthenticID = true
	r.MinIDFaceMatchScore = 0.8
	r.MinAge = 18
	r.RejectExpiredID = true
	return r
}

// Decide applies every rule and lists each one that fails.
func (r Rules) Decide(v *Verification) Verdict {
	if v == nil {
		return Verdict{Reasons: []string{"no verification"}}
	}
	var why []string
	accept := r.AcceptDecisions
	if len(accept) == 0 {
		accept = []Decision{Real}
	}
	if !slices.Contains(accept, v.Decision) {
		why = append(why, fmt.Sprintf("decision %s is not accepted", v.Decision))
	}
	if r.MaxRiskScore > 0 && v.RiskScore > r.MaxRiskScore {
		why = append(why, fmt.Sprintf("risk score %.2f is above %.2f", v.RiskScore, r.MaxRiskScore))
	}
	for _, f := range r.RejectFlags {
		if v.HasFlag(f) {
			why = append(why, "risk flag "+string(f))
		}
	}
	if r.MaxLinkedAccounts >= 0 {
		if linked := r.linked(v); len(linked) > r.MaxLinkedAccounts {
			why = append(why, fmt.Sprintf("linked to enrolled account(s) %s", strings.Join(linked, ", ")))
		}
	}
	why = append(why, r.documentReasons(v)...)
	return Verdict{Accept: len(why) == 0, Reasons: why}
}

// linked lists the accounts linked by a counted match type.
func (r Rules) linked(v *Verification) []string {
	var out []string
	for _, l := range v.LinkedAccounts {
		counted := len(r.LinkTypes) == 0
		for _, t := range r.LinkTypes {
			counted = counted || l.Has(t)
		}
		if counted {
			out = append(out, l.AccountID)
		}
	}
	return out
}

func (r Rules) documentReasons(v *Verification) []string {
	if !r.RequireAuthenticID && r.MinIDFaceMatchScore == 0 && r.MinAge == 0 && !r.RejectExpiredID {
		return nil
	}
	d := v.Document
	if d == nil {
		return []string{"no document (not an ID Check verification)"}
	}
	var why []string
	if r.RequireAuthenticID && !d.Signals.LikelyAuthentic() {
		why = append(why, fmt.Sprintf("document validity %s", orUnknown(d.Signals.Validity)))
	}
	if r.MinIDFaceMatchScore > 0 {
		switch s := d.Signals.FaceMatchScore; {
		case s == nil:
			why = append(why, "no face-to-document match score")
		case *s < r.MinIDFaceMatchScore:
			why = append(why, fmt.Sprintf("face-to-document match score %.2f is below %.2f", *s, r.MinIDFaceMatchScore))
		}
	}
	if r.MinAge > 0 {
		switch a := d.Signals.Age; {
		case a == nil:
			why = append(why, "holder's age unknown")
		case *a < r.MinAge:
			why = append(why, fmt.Sprintf("holder is under %d", r.MinAge))
		}
	}
	if r.RejectExpiredID && (d.Data.Expired() || v.HasFlag(FlagIDExpired)) {
		why = append(why, "document expired")
	}
	return why
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
