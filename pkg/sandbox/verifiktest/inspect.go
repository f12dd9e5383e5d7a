package verifiktest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

var _ sandbox.Inspector = (*Emulator)(nil)

// MaxInspectedRegistrations is how many registrations Inspect shows, the most recently
// updated first: enough to follow the journeys of a test run, and bounded however many
// registrations the emulator holds.
const MaxInspectedRegistrations = 100

// Inspect reports the emulator's registrants and recent calls for the sandbox dashboard:
// each registration with its status, its current step and what each step reached (codes
// sent or validated, the document's status, the selfie's face name, the face score) —
// never a token, a code, a contact or a name other than the face name typed into the
// sandbox.
func (e *Emulator) Inspect() sandbox.Inspection {
	e.mu.Lock()
	regs := make([]*registration, 0, len(e.regs))
	for _, r := range e.regs {
		regs = append(regs, r)
	}
	slices.SortFunc(regs, func(a, b *registration) int {
		if c := b.updated.Compare(a.updated); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	regs = regs[:min(len(regs), MaxInspectedRegistrations)]
	items := make([]sandbox.Item, 0, len(regs))
	for _, r := range regs {
		items = append(items, e.inspectRegistration(r))
	}
	e.mu.Unlock()
	return sandbox.Inspection{Vendor: "verifik", Items: items, Calls: e.calls.Calls()}
}

// inspectRegistration is one registration as the dashboard shows it. e.mu must be held.
func (e *Emulator) inspectRegistration(r *registration) sandbox.Item {
	detail := map[string]string{"project": r.project, "flow": r.flow}
	if r.currentStep != "" {
		detail["step"] = r.currentStep
	}
	if f := e.flows[r.flow]; f != nil {
		var steps []string
		for _, s := range stepTitles {
			if req := f.step(s.step); req != smartenroll.StepSkip {
				steps = append(steps, string(s.step)+" "+string(req))
			}
		}
		detail["flow_steps"] = strings.Join(steps, ", ")
	}
	if v := e.emailVals[r.emailVal]; v != nil {
		detail["email_code"] = string(v.status)
	}
	if v := e.phoneVals[r.phoneVal]; v != nil {
		detail["phone_code"] = string(v.status)
	}
	if d := e.docVals[r.docVal]; d != nil {
		detail["document"] = string(d.status)
		if d.readable && d.doc.Face != "" {
			detail["document_face"] = d.doc.Face
		}
	}
	if b := e.bioVals[r.bioVal]; b != nil {
		detail["selfie_face"] = b.face
		detail["liveness"] = strconv.FormatFloat(b.liveness, 'f', 2, 64)
	}
	if r.person != "" {
		detail["person"] = r.person
	}
	if c := e.comparisons[r.compare]; c != nil {
		detail["face_score"] = strconv.FormatFloat(c.score, 'f', 2, 64)
	}
	return sandbox.Item{
		Kind:    "registration",
		ID:      r.id,
		State:   cmp.Or(string(r.status), "STARTED"),
		Detail:  detail,
		Updated: r.updated,
	}
}
