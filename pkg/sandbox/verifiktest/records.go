package verifiktest

import (
	"sort"
	"time"

	"github.com/idvkit/idvkit/pkg/verifik"
)

// RegistrationInfo is what the emulator holds about one app registration, without its
// personal data: what a client's own records should agree with.
type RegistrationInfo struct {
	ID      string
	Project string
	Flow    string
	// Status is the client's own type, so a test compares it with what its
	// verifik.Registrant reported without a conversion.
	Status    verifik.Status
	Created   time.Time
	Completed time.Time // zero until the registration ended
}

// Registrations lists every app registration the emulator holds, oldest first. Tests
// compare it with what their clients reported (one registration per registrant, completed
// exactly when the client saw Finish succeed).
func (e *Emulator) Registrations() []RegistrationInfo {
	e.mu.Lock()
	out := make([]RegistrationInfo, 0, len(e.regs))
	for _, r := range e.regs {
		out = append(out, RegistrationInfo{ID: r.id, Project: r.project, Flow: r.flow, Status: verifik.Status(r.status), Created: r.created, Completed: r.completed})
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}
