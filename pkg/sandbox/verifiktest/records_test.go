package verifiktest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// TestRegistrationsRecord: the emulator's record holds one registration per registrant,
// registering the same email again included.
func TestRegistrationsRecord(t *testing.T) {
	h := newHarness(t)
	project, flow := h.setup("Records", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	assert.Empty(t, h.emu.Registrations())

	olive, _, _ := h.register(project, flow, "olive@example.com", "Olive Oyl")
	again, _, _ := h.register(project, flow, "Olive@Example.com", "Olive Oyl")
	require.Equal(t, olive, again, "the same email returns the same registration")
	h.clock.Advance(time.Second)
	bob, _, _ := h.register(project, flow, "bob@example.com", "Bob Builder")

	regs := h.emu.Registrations()
	require.Len(t, regs, 2)
	assert.Equal(t, []string{olive, bob}, []string{regs[0].ID, regs[1].ID}, "oldest first")
	for _, r := range regs {
		assert.Equal(t, project, r.Project)
		assert.Equal(t, flow, r.Flow)
		assert.Equal(t, smartenroll.AppRegistrationStarted, r.Status)
		assert.True(t, r.Completed.IsZero())
	}
}
