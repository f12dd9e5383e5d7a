package verifik_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// TestRegisterAgain: both answers Verifik's pages give for an email or phone already
// registered become ErrAlreadyRegistered, saying which contact, never the contact itself;
// the tutorial's answer (the same registration) is still accepted.
func TestRegisterAgain(t *testing.T) {
	email := verifik.Registration{Email: "again@example.com", FullName: "Agatha Gain"}
	phone := verifik.Registration{Phone: "3001234567", CountryCode: "+57"}
	cases := []struct {
		name    string
		opts    []verifiktest.Option
		who     verifik.Registration
		status  int // 0: accepted
		contact string
	}{
		{"newest page: 409 for an email (the emulator's default)", nil, email, http.StatusConflict, "email"},
		{"newest page: 409 for a phone", nil, phone, http.StatusConflict, "phone"},
		{"older revision: 412 Conflict", []verifiktest.Option{verifiktest.WithReregistration(verifiktest.ReregisterPreconditionFailed)}, email, http.StatusPreconditionFailed, "email"},
		{"tutorial: the same registration", []verifiktest.Option{verifiktest.WithReregistration(verifiktest.ReregisterRestarts)}, email, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.opts...)
			flow := e.setup(verifik.FlowConfig{RedirectURL: "https://acme.example/welcome", Document: verifik.Optional, Liveness: verifik.Optional})
			first, err := e.client.Register(ctx, flow, c.who)
			require.NoError(t, err)

			again, err := e.client.Register(ctx, flow, c.who)
			if c.status == 0 {
				require.NoError(t, err)
				assert.Equal(t, first.State().AppRegistrationID, again.State().AppRegistrationID)
				return
			}
			require.ErrorIs(t, err, verifik.ErrAlreadyRegistered)
			var already *verifik.AlreadyRegisteredError
			require.ErrorAs(t, err, &already)
			assert.Equal(t, c.contact, already.Contact)
			var api *transport.APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, c.status, api.StatusCode)
			assert.Equal(t, "createAppRegistration", api.Operation)
			for _, personal := range []string{"again@example.com", "3001234567"} {
				assert.NotContains(t, err.Error(), personal)
			}

			// The documented way on: a fresh link for the stored registration.
			link, err := e.client.ResendLink(ctx, first.State().AppRegistrationID, false)
			require.NoError(t, err)
			assert.Equal(t, verifik.Started, link.Status)
		})
	}
}

// TestAlreadyRegisteredLeavesOtherErrors: a 409 or 412 for another reason is not taken
// for a registered contact.
func TestAlreadyRegisteredLeavesOtherErrors(t *testing.T) {
	e := newEnv(t, verifiktest.WithBlockedEmailDomains("blocked.example"))
	flow := e.setup(verifik.FlowConfig{RedirectURL: "https://acme.example/welcome", Document: verifik.Optional, Liveness: verifik.Optional})
	_, err := e.client.Register(ctx, flow, verifik.Registration{Email: "someone@blocked.example"})
	var api *transport.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusConflict, api.StatusCode)
	assert.NotErrorIs(t, err, verifik.ErrAlreadyRegistered)
}

// An end user who comes back registers again by mistake: Verifik refuses the email, and
// the registration stored the first time is resumed with a fresh link.
func ExampleClient_Register_alreadyRegistered() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	who := verifik.Registration{Email: "back@example.com", FullName: "Bea Back"}
	first, err := client.Register(ctx, flow, who)
	if err != nil {
		log.Fatal(err)
	}
	storedID := first.State().AppRegistrationID // kept with the user record

	_, err = client.Register(ctx, flow, who)
	var already *verifik.AlreadyRegisteredError
	if errors.As(err, &already) {
		fmt.Println("already registered:", already.Contact)
		link, err := client.ResendLink(ctx, storedID, false)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("resume at status:", link.Status)
	}
	// Output:
	// already registered: email
	// resume at status: STARTED
}
