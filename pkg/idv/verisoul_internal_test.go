package idv

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/idvkit/idvkit/pkg/verisoul"
)

// TestVerisoulCheckOutcome reads sign-up checks the emulator does not produce on demand.
func TestVerisoulCheckOutcome(t *testing.T) {
	score := func(f float64) *float64 { return &f }
	tests := []struct {
		name    string
		v       *verisoul.Verification
		policy  verisoul.Policy
		want    Status
		reasons []Reason
	}{
		{"accepted", &verisoul.Verification{Decision: verisoul.Real}, verisoul.UniquenessRules(), StatusPassed, nil},
		{"suspicious alone is for a person to look at", &verisoul.Verification{Decision: verisoul.Suspicious, RiskScore: 0.6},
			verisoul.UniquenessRules(), StatusNeedsReview, []Reason{ReasonHighRisk}},
		{"fake with a repeat face is a duplicate", &verisoul.Verification{Decision: verisoul.Fake, RiskFlags: []verisoul.RiskFlag{verisoul.FlagRepeatFace}},
			verisoul.UniquenessRules(), StatusFailed, []Reason{ReasonDuplicateFace}},
		{"linked by document number", &verisoul.Verification{Decision: verisoul.Real,
			LinkedAccounts: []verisoul.LinkedAccount{{AccountID: "user-1", MatchTypes: []verisoul.MatchType{verisoul.MatchDocumentNumber}}}},
			verisoul.UniquenessRules(), StatusFailed, []Reason{ReasonDuplicateDocument}},
		{"the policy's own threshold names the mismatch", &verisoul.Verification{Decision: verisoul.Real,
			Document: &verisoul.Document{Signals: verisoul.DocumentSignals{Validity: verisoul.ValidityLikelyAuthentic, FaceMatchScore: score(0.85)}}},
			verisoul.Rules{RequireAuthenticID: true, MinIDFaceMatchScore: 0.9, MaxLinkedAccounts: -1}, StatusFailed, []Reason{ReasonFaceMismatch}},
		{"a custom policy's refusal without a known signal", &verisoul.Verification{Decision: verisoul.Real},
			verisoul.PolicyFunc(func(*verisoul.Verification) verisoul.Verdict { return verisoul.Verdict{Reasons: []string{"not today"}} }),
			StatusFailed, []Reason{ReasonRefused}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &VerisoulAdapter{opt: VerisoulOptions{UniquenessPolicy: tc.policy, IDPolicy: tc.policy}}
			j := &verisoulJourney{a: a, cap: CapabilityDocumentVerification}
			out := j.fromCheck(&Outcome{}, &verisoul.Outcome{Verification: tc.v, Verdict: tc.policy.Decide(tc.v)})
			assert.Equal(t, tc.want, out.Status)
			assert.Equal(t, tc.reasons, out.Reasons)
		})
	}
}
