package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/idv/idvtest"
)

// The capability journeys: the same backend code through pkg/idv for every vendor that
// offers the capability, named idv-<capability>-<vendor> for the -journey filter.
func init() {
	for _, c := range idv.Capabilities {
		for _, vendor := range idvtest.Vendors {
			c, vendor := c, vendor
			if !offers(vendor, c) {
				continue
			}
			registerDemo(demoFlow{
				ID:     "idv-" + string(c) + "-" + vendor,
				Vendor: vendor,
				Name:   string(c) + " through pkg/idv (normalised outcome beside the vendor's own)",
				Run:    func(ctx context.Context, p *demoPrinter) error { return demoIDV(ctx, p, vendor, c) },
			})
		}
	}
}

// offers asks the adapter type itself, so the demo lists exactly what compiles.
func offers(vendor string, c idv.Capability) bool {
	var adapter any
	switch vendor {
	case "verisoul":
		adapter = (*idv.VerisoulAdapter)(nil)
	case "iproov":
		adapter = (*idv.IProovAdapter)(nil)
	case "verifik":
		adapter = (*idv.VerifikAdapter)(nil)
	}
	switch c {
	case idv.CapabilityUniqueness:
		_, ok := adapter.(idv.Uniqueness)
		return ok
	case idv.CapabilityAuthentication:
		_, ok := adapter.(idv.Authentication)
		return ok
	case idv.CapabilityFaceEnrolment:
		_, ok := adapter.(idv.FaceEnrolment)
		return ok
	case idv.CapabilityDocumentVerification:
		_, ok := adapter.(idv.DocumentVerification)
		return ok
	}
	return false
}

// idvScene is one user's journey in a capability demo.
type idvScene struct {
	user, what string
	act        idvtest.Act
	// setup runs the journey as a precondition (e.g. enrolment before authentication).
	setup idv.Capability
	want  idv.Status
}

var idvScenes = map[idv.Capability][]idvScene{
	idv.CapabilityUniqueness: {
		{user: "user-1", what: "alice signs up", act: idvtest.Act{Face: "alice"}, want: idv.StatusPassed},
		{user: "user-2", what: "alice signs up again under another account", act: idvtest.Act{Face: "alice"}},
	},
	idv.CapabilityAuthentication: {
		{user: "user-1", what: "alice enrols", act: idvtest.Act{Face: "alice"}, setup: idv.CapabilityFaceEnrolment, want: idv.StatusPassed},
		{user: "user-1", what: "alice signs in", act: idvtest.Act{Face: "alice"}, want: idv.StatusPassed},
		{user: "user-1", what: "mallory tries alice's account", act: idvtest.Act{Face: "mallory"}, want: idv.StatusFailed},
	},
	idv.CapabilityFaceEnrolment: {
		{user: "user-1", what: "bob enrols", act: idvtest.Act{Face: "bob"}, want: idv.StatusPassed},
		{user: "user-2", what: "a photo held up to the camera", act: idvtest.Act{Face: "carol", Spoof: true}},
	},
	idv.CapabilityDocumentVerification: {
		{user: "user-1", what: "carol with her valid ID", act: idvtest.Act{Face: "carol"}, want: idv.StatusPassed},
		{user: "user-2", what: "dave with a forged ID", act: idvtest.Act{Face: "dave", Document: "fake"}, want: idv.StatusFailed},
	},
}

func demoIDV(ctx context.Context, p *demoPrinter, vendor string, c idv.Capability) error {
	var (
		mu       sync.Mutex
		problems []error
	)
	sb, err := idvtest.New(ctx, vendor, idvtest.Options{OnProblem: func(e *contract.Error) {
		mu.Lock()
		problems = append(problems, e)
		mu.Unlock()
	}})
	if err != nil {
		return err
	}
	defer sb.Close()
	verdict := func() error {
		mu.Lock()
		defer mu.Unlock()
		err := errors.Join(problems...)
		problems = nil
		return err
	}
	for _, sc := range idvScenes[c] {
		capability := c
		if sc.setup != "" {
			capability = sc.setup
		}
		j, err := sb.Journey(capability)
		if err != nil {
			return err
		}
		p.Step("%s.Start for %s (%s)", capability, sc.user, sc.what)
		pending, err := j.Start(ctx, idvtest.Request(sc.user))
		if err != nil {
			return fmt.Errorf("start: %w (next: %s)", err, idv.NextStep(err).Action)
		}
		var out *idv.Outcome
		for i := 0; pending != nil; i++ {
			if i == idvtest.MaxSteps {
				return errors.New("journey still pending")
			}
			p.Outcome("pending: the user must %s%s", describeStep(pending), because(pending.Reason))
			res, err := sb.Play(ctx, pending, sc.act)
			if err != nil {
				return err
			}
			p.Step("the user does it; Resume")
			if out, err = j.Resume(ctx, pending.State, res); err != nil {
				return fmt.Errorf("resume: %w (next: %s)", err, idv.NextStep(err).Action)
			}
			pending = out.Next
		}
		p.Outcome("idv:    %s%s", out.Status, reasons(out.Reasons))
		p.Outcome("%-7s %s", vendor+":", vendorSide(out))
		p.Outcome("refs:   %s", out.Refs)
		p.Contract(verdict())
		if sc.want != "" && out.Status != sc.want {
			return fmt.Errorf("%s: got %s, want %s", sc.what, out.Status, sc.want)
		}
	}
	return nil
}

// describeStep says what the user must do, without the URL or the token.
func describeStep(p *idv.Pending) string {
	switch p.Step {
	case idv.StepRedirect:
		return "open the hosted page (URL held, not shown)"
	case idv.StepClientSDK:
		return "launch the client SDK with the token (held, not shown)"
	case idv.StepEnterCode:
		return "type the code sent by " + p.Channel
	case idv.StepCapture:
		return "take " + strings.Join(p.Capture, " and ")
	}
	return string(p.Step)
}

func because(r idv.Reason) string {
	if r == "" {
		return ""
	}
	return " again (" + string(r) + ")"
}

func reasons(rs []idv.Reason) string {
	if len(rs) == 0 {
		return ""
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return " [" + strings.Join(s, ", ") + "]"
}

// vendorSide is the vendor's own account of the outcome: its codes and words.
func vendorSide(o *idv.Outcome) string {
	var parts []string
	if len(o.Codes) > 0 {
		parts = append(parts, strings.Join(o.Codes, " "))
	}
	if len(o.VendorReasons) > 0 {
		parts = append(parts, "\""+strings.Join(o.VendorReasons, "; ")+"\"")
	}
	if len(parts) == 0 {
		return "(nothing beyond the answer)"
	}
	return strings.Join(parts, " — ")
}
