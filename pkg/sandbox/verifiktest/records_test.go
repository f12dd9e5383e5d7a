package verifiktest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// TestRegistrationsRecord: the emulator's record holds one registration per registrant,
// registering the same email again included (by default refused; in the tutorial's mode
// the same registration).
func TestRegistrationsRecord(t *testing.T) {
	for _, c := range []struct {
		name string
		mode verifiktest.Reregistration
	}{
		{"newest pages: refused", verifiktest.ReregisterConflict},
		{"tutorial: the same registration", verifiktest.ReregisterRestarts},
	} {
		t.Run(c.name, func(t *testing.T) { registrationsRecord(t, c.mode) })
	}
}

func registrationsRecord(t *testing.T, mode verifiktest.Reregistration) {
	h := newHarness(t, verifiktest.WithReregistration(mode))
	project, flow := h.setup("Records", flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
	assert.Empty(t, h.emu.Registrations())

	olive, _, _ := h.register(project, flow, "olive@example.com", "Olive Oyl")
	res, err := h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: project, ProjectFlow: flow, Email: ptr("Olive@Example.com")}, h.client())
	require.NoError(t, err)
	if mode == verifiktest.ReregisterConflict {
		require.Equal(t, http.StatusConflict, res.StatusCode(), string(res.Body))
		assert.Equal(t, smartenroll.ErrorCodeEmailIsRegisteredAlready, deref(res.JSON409.Code))
	} else {
		require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
		require.Equal(t, olive, res.JSON200.Data.AppRegistration.ID, "the same email returns the same registration")
	}
	h.clock.Advance(time.Second)
	bob, _, _ := h.register(project, flow, "bob@example.com", "Bob Builder")

	regs := h.emu.Registrations()
	require.Len(t, regs, 2)
	assert.Equal(t, []string{olive, bob}, []string{regs[0].ID, regs[1].ID}, "oldest first")
	for _, r := range regs {
		assert.Equal(t, project, r.Project)
		assert.Equal(t, flow, r.Flow)
		assert.Equal(t, verifik.Started, r.Status)
		assert.True(t, r.Completed.IsZero())
	}
}
