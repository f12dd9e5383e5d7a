package verifik_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func TestResendLink(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FlowConfig{RedirectURL: "https://acme.example/welcome", EmailCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	r := e.register(flow, "resume@example.com", "Rae Sume")

	link, err := e.client.ResendLink(ctx, r.State().AppRegistrationID, true)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(link.URL, e.srv.URL+verifiktest.AppPath+flow.ProjectID+"?token="), link.URL)
	assert.True(t, strings.HasSuffix(link.URL, link.Token))
	assert.Equal(t, e.clock.Now().UTC().Add(verifik.ResumeLinkTTL).Truncate(time.Second), link.ExpiresAt)
	assert.True(t, link.Emailed)
	assert.Equal(t, verifik.Started, link.Status)
	for _, s := range []string{link.String(), fmt.Sprintf("%v %+v %#v", link, link, link)} {
		assert.NotContains(t, s, link.Token, "the token never prints")
	}

	// The new token drives the journey on.
	st := r.State()
	st.Token = link.Token
	resumed, err := e.client.Resume(st)
	require.NoError(t, err)
	e.confirmEmail(resumed)

	// Its lifetime is resend-link's 30 minutes, not the registration token's.
	e.clock.Advance(verifik.ResumeLinkTTL)
	_, err = resumed.Refresh(ctx)
	var api *transport.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, http.StatusUnauthorized, api.StatusCode)
	_, err = r.Refresh(ctx)
	require.NoError(t, err, "the registration's own token still works")

	// A finished registrant cannot be resumed.
	_, err = r.Finish(ctx, verifik.Completed)
	require.NoError(t, err)
	_, err = e.client.ResendLink(ctx, r.State().AppRegistrationID, false)
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, http.StatusConflict, api.StatusCode)

	e.noCallsDuring(func() {
		_, err := e.client.ResendLink(ctx, "../projects", false)
		var inv *transport.ValidationError
		assert.True(t, errors.As(err, &inv), "%v", err)
	})
}
