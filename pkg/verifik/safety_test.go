package verifik_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// syncBuffer is a log sink safe for the transport's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A whole journey logs one line per call and none of its secrets or personal data.
func TestJourneyLogsNoSecretsOrPersonalData(t *testing.T) {
	e := newEnv(t)
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := verifik.New(e.emu.ClientToken(), verifik.WithBaseURL(e.srv.URL), verifik.WithClock(e.clock.Now),
		verifik.WithTransport(transport.WithLogger(logger)))
	require.NoError(t, err)

	cfg := verifik.FullVerification(welcome)
	cfg.VerifyNames, cfg.VerifyCriminalHistory = true, true
	flow, err := client.Setup(ctx, project, cfg)
	require.NoError(t, err)
	r, err := client.Register(ctx, flow, verifik.Registration{Email: "zelda.secret@example.com", FullName: "Zelda Hyrule"})
	require.NoError(t, err)
	_, err = r.SendEmailCode(ctx)
	require.NoError(t, err)
	code, _ := e.emu.LastCode("zelda.secret@example.com")
	require.NoError(t, r.ConfirmEmailCode(ctx, code))
	id := sandbox.Document{Kind: "national_id", Country: "CO", Number: "9988776655", FirstName: "Zelda", LastName: "Hyrule",
		DateOfBirth: "1986-02-21", Expiry: "2031-01-01", Face: "zelda"}
	_, err = r.SubmitDocument(ctx, verifik.Document{Front: photo(id)})
	require.NoError(t, err)
	_, err = r.CheckNames(ctx)
	require.NoError(t, err)
	_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("zelda", 0.3), OS: verifik.IOS})
	require.ErrorIs(t, err, verifik.ErrLivenessFailed)
	_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("zelda"), OS: verifik.IOS})
	require.NoError(t, err)
	_, err = r.CompareFaces(ctx)
	require.NoError(t, err)
	_, err = r.CheckCriminalRecord(ctx)
	require.NoError(t, err)
	done, err := r.Finish(ctx, verifik.Completed)
	require.NoError(t, err)

	out := logs.String()
	require.NotEmpty(t, out)
	assert.Contains(t, out, "createBiometricValidation", "calls are logged by operation")
	for name, secret := range map[string]string{
		"client token": e.emu.ClientToken(), "registrant token": r.State().Token, "final token": done.Token,
		"email": "zelda.secret", "name": "Zelda", "otp": code, "document number": "9988776655",
		"date of birth": "1986-02-21", "app registration id": r.State().AppRegistrationID,
	} {
		assert.NotContains(t, out, secret, name)
	}
}

// Verifik grows its enums: an unknown status is drift, reported and decoded, and the
// journey treats it as still in progress.
func TestUnknownStatusIsDriftAndInProgress(t *testing.T) {
	e := newEnv(t)
	r := e.register(e.setup(verifik.BasicEnrollment(welcome)), "uma@example.com", "Uma Thurman")
	require.NoError(t, e.emu.Faults().Set(sandbox.FaultRule{
		Operation: "getCurrentAppRegistration", Kind: sandbox.FaultDrift, Rate: 1,
		Set: map[string]any{"data.status": "UNDER_REVIEW_BY_VENDOR"},
	}))
	review, err := r.Refresh(ctx)
	require.NoError(t, err)
	assert.Equal(t, verifik.Status("UNDER_REVIEW_BY_VENDOR"), review.Status)
	e.emu.Faults().Clear()

	e.mu.Lock()
	require.NotEmpty(t, e.problems, "the contract round tripper reports the drift")
	for _, p := range e.problems {
		assert.True(t, p.DriftOnly(), p.Error())
	}
	e.problems = nil
	e.mu.Unlock()

	_, err = r.SendEmailCode(ctx)
	require.NoError(t, err, "an unknown status does not end the journey")
}

// A Registrant not made by Register or Resume refuses every step instead of panicking.
func TestZeroRegistrantRefuses(t *testing.T) {
	var r verifik.Registrant
	_, err := r.SendEmailCode(ctx)
	assert.ErrorIs(t, err, verifik.ErrNotReady)
	_, err = r.Finish(ctx, verifik.Completed)
	assert.ErrorIs(t, err, verifik.ErrNotReady)
	_, err = r.Refresh(ctx)
	assert.ErrorIs(t, err, verifik.ErrNotReady)
	assert.True(t, strings.Contains(r.String(), "[redacted]"))
}

// Verifik's rate limits answer 429: a typed, retryable *transport.APIError.
func TestRateLimitedIsTyped(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.BasicEnrollment(welcome))
	r := e.register(flow, "rita@example.com", "Rita Moreno")
	client, err := verifik.New(e.emu.ClientToken(), verifik.WithBaseURL(e.srv.URL),
		verifik.WithTransport(transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})))
	require.NoError(t, err)
	require.NoError(t, e.emu.Faults().Set(sandbox.FaultRule{Operation: "getAppRegistration", Kind: sandbox.FaultRateLimit, Rate: 1, RetryAfter: 7}))
	defer e.emu.Faults().Clear()

	_, err = client.Review(ctx, r.State().AppRegistrationID)
	require.ErrorIs(t, err, transport.ErrRateLimited)
	var api *transport.APIError
	require.ErrorAs(t, err, &api)
	assert.True(t, api.Retryable)
	assert.Equal(t, 7*time.Second, api.RetryAfter)
}
