package specgate

import "strings"

// Waiver turns one error of the gate into a warning until the spec is fixed. It names
// the file, the rule and the place (the slash pointer inside the file, e.g.
// components/schemas/ProjectRef/nullable) so it cannot hide anything else.
type Waiver struct {
	File, Rule, At string
	Reason         string // why it is waived, and what removes the need
}

// TemporaryWaivers are known defects in a spec that its owner is fixing in another
// change; the gate reports each as a warning saying it is waived. Remove an entry in the
// change that fixes its spec: TestTemporaryWaiversStillNeeded fails once an entry no
// longer matches a problem, so none outlives its defect. A Spectral finding is waived
// by its rule ("spectral:<rule>") and the pointer its message shows.
var TemporaryWaivers []Waiver

func waived(file, rule string, at pointer) (Waiver, bool) {
	where := at.String()
	for _, w := range TemporaryWaivers {
		if w.File == file && w.Rule == rule && strings.EqualFold(w.At, where) {
			return w, true
		}
	}
	return Waiver{}, false
}
