package iproov_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport"
)

// userStep is what the end user does in the SDK with a claim token.
type userStep struct {
	face     string
	liveFail string
}

func (e *env) user(token string, s userStep) {
	e.t.Helper()
	if s.liveFail != "" {
		require.NoError(e.t, e.emu.FailLiveness(token, s.face, s.liveFail))
		return
	}
	require.NoError(e.t, e.emu.CaptureFace(token, s.face))
}

// TestPhotoEnrolJourney: enrol token → enrol image → verify token → (SDK) → verify validate.
func TestPhotoEnrolJourney(t *testing.T) {
	tests := []struct {
		name       string
		photo      []byte
		source     iproov.Source
		user       userStep
		wantErr    error
		wantPassed bool
		wantReason string
	}{
		{name: "passport chip photo, same person", photo: sandbox.FaceImage("alice"), source: iproov.SourceEID, user: userStep{face: "alice"}, wantPassed: true},
		{name: "document photo as JPEG, same person", photo: sandbox.FaceJPEG("alice"), source: iproov.SourceOID, user: userStep{face: "alice"}, wantPassed: true},
		{name: "someone else in front of the camera", photo: sandbox.FaceImage("alice"), source: iproov.SourceSelfie, user: userStep{face: "mallory"}, wantReason: iproovtest.ReasonMismatch},
		{name: "liveness fails", photo: sandbox.FaceImage("alice"), source: iproov.SourceEID, user: userStep{face: "alice", liveFail: "Please Keep Still"}, wantReason: "Please Keep Still"},
		{name: "photo without a usable face", photo: sandbox.FaceImage(iproovtest.NoFace), source: iproov.SourceOID, wantErr: iproov.ErrPhotoNotEnrolled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			verify, err := e.client.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{
				TokenRequest: iproov.TokenRequest{UserID: "user-0001", Resource: "onboarding", AssuranceType: iproov.GenuinePresence},
				Photo:        iproov.Photo{Image: tt.photo, Source: tt.source},
			})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, []string{"userEnrolServerToken", "userEnrolImage"}, e.opsSeen())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, iproov.Verify, verify.Type)
			assert.Equal(t, "user-0001", verify.UserID)
			assert.Equal(t, t0, verify.IssuedAt)

			e.user(verify.Token, tt.user)
			res, err := e.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{Client: "Mozilla/5.0"})
			require.NoError(t, err)
			assert.Equal(t, tt.wantPassed, res.Passed)
			assert.Equal(t, tt.wantReason, res.Reason)
			assert.Equal(t, iproov.Verify, res.Type)
			assert.Equal(t, iproov.GenuinePresence, res.AssuranceType)
			assert.True(t, verify.Used)
			assert.Equal(t, []string{"userEnrolServerToken", "userEnrolImage", "userVerifyServerToken", "userVerifyValidate"}, e.opsSeen())
		})
	}
}

// TestCaptureEnrolJourney: enrol token → (SDK) → enrol validate, activating or not.
func TestCaptureEnrolJourney(t *testing.T) {
	tests := []struct {
		name           string
		user           userStep
		leaveSuspended bool
		wantPassed     bool
		wantReason     string
		thenVerify     iproov.ErrorCode // what a verify token for the user answers next
	}{
		{name: "enrolled and active", user: userStep{face: "alice"}, wantPassed: true},
		{name: "enrolled, left suspended", user: userStep{face: "alice"}, leaveSuspended: true, wantPassed: true, thenVerify: iproov.CodeInactiveUser},
		{name: "liveness fails", user: userStep{face: "alice", liveFail: "Too dark"}, wantReason: "Too dark", thenVerify: iproov.CodeNoUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			enrol, err := e.client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0002", Resource: "onboarding"})
			require.NoError(t, err)
			assert.Equal(t, iproov.GenuinePresence, enrol.AssuranceType, "iProov's default")
			e.user(enrol.Token, tt.user)
			res, err := e.client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{LeaveSuspended: tt.leaveSuspended})
			require.NoError(t, err)
			assert.Equal(t, tt.wantPassed, res.Passed)
			assert.Equal(t, tt.wantReason, res.Reason)
			assert.Equal(t, iproov.Enrol, res.Type)

			_, err = e.client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0002", Resource: "login"})
			assert.Equal(t, tt.thenVerify, iproov.CodeOf(err))
			if tt.leaveSuspended {
				u, err := e.client.ActivateUser(ctx, "user-0002", t0)
				require.NoError(t, err)
				assert.True(t, u.CanVerify())
				_, err = e.client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0002", Resource: "login"})
				require.NoError(t, err)
			}
		})
	}
}

// TestVerifyJourney: verify token → (SDK) → validate, and what cannot happen.
func TestVerifyJourney(t *testing.T) {
	tests := []struct {
		name       string
		enrolled   string // face enrolled; "" = never enrolled
		assurance  iproov.AssuranceType
		user       userStep
		wantCode   iproov.ErrorCode // from the verify token
		wantPassed bool
		wantReason string
	}{
		{name: "genuine presence passes", enrolled: "alice", user: userStep{face: "alice"}, wantPassed: true},
		{name: "liveness assurance passes", enrolled: "alice", assurance: iproov.Liveness, user: userStep{face: "alice"}, wantPassed: true},
		{name: "another face fails", enrolled: "alice", user: userStep{face: "bob"}, wantReason: iproovtest.ReasonMismatch},
		{name: "a spoof fails liveness", enrolled: "alice", user: userStep{face: "alice", liveFail: "Please Keep Still"}, wantReason: "Please Keep Still"},
		{name: "never enrolled", user: userStep{face: "alice"}, wantCode: iproov.CodeNoUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			if tt.enrolled != "" {
				e.enrolled("user-0003", tt.enrolled)
			}
			verify, err := e.client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0003", Resource: "login", AssuranceType: tt.assurance})
			if tt.wantCode != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantCode, iproov.CodeOf(err))
				var apiErr *transport.APIError
				require.True(t, errors.As(err, &apiErr))
				assert.Equal(t, "userVerifyServerToken", apiErr.Operation)
				assert.ErrorIs(t, err, transport.ErrInvalidRequest)
				return
			}
			require.NoError(t, err)
			e.user(verify.Token, tt.user)
			res, err := e.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
			require.NoError(t, err)
			assert.Equal(t, tt.wantPassed, res.Passed)
			assert.Equal(t, tt.wantReason, res.Reason)
			require.NotNil(t, res.Signals.Matching)
			if tt.wantReason == iproovtest.ReasonMismatch {
				assert.False(t, *res.Signals.Matching)
				assert.True(t, *res.Signals.AntiSpoofing)
			}

			// Validate is one-shot: the second call fails before any network call, with
			// the same claim or with a copy made before the first call.
			before := e.calls.Load()
			_, err = e.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
			assert.ErrorIs(t, err, iproov.ErrClaimUsed)
			assert.ErrorIs(t, err, transport.ErrValidation)
			stale := *verify
			stale.Used = false
			_, err = e.client.VerifyValidate(ctx, &stale, iproov.ValidateOptions{})
			assert.ErrorIs(t, err, iproov.ErrClaimUsed)
			assert.Equal(t, before, e.calls.Load(), "no request was sent")

			// Another client (another process) is stopped by iProov itself.
			_, err = e.newClient().VerifyValidate(ctx, &stale, iproov.ValidateOptions{})
			assert.Equal(t, iproov.CodeInvalidToken, iproov.CodeOf(err))
		})
	}
}

func TestValidateBeforeTheUserFinished(t *testing.T) {
	e := newEnv(t, nil)
	e.enrolled("user-0004", "alice")
	verify, err := e.client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0004", Resource: "login"})
	require.NoError(t, err)
	require.NoError(t, e.emu.StartCapture(verify.Token))
	_, err = e.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
	assert.Equal(t, iproov.CodeInvalidToken, iproov.CodeOf(err), "iProov refuses, and the token is spent for this client")
	assert.True(t, verify.Used)
}

func TestPhotoEnrolAfterTheClaimWindow(t *testing.T) {
	e := newEnv(t, nil)
	enrol, err := e.client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0005", Resource: "onboarding"})
	require.NoError(t, err)
	e.clock.Advance(iproov.ClaimWindow)
	before := e.calls.Load()
	_, err = e.client.EnrolImage(ctx, enrol, iproov.Photo{Image: sandbox.FaceImage("alice"), Source: iproov.SourceEID})
	assert.ErrorIs(t, err, iproov.ErrClaimExpired)
	assert.Equal(t, before, e.calls.Load())
	assert.False(t, enrol.Used)
}

func TestAlreadyEnrolledRecovery(t *testing.T) {
	tests := []struct {
		name     string
		recovery iproov.IfEnrolled
		wantCode iproov.ErrorCode
		wantUser string
		wantOps  []string
	}{
		{name: "default: the error, nothing else", wantCode: iproov.CodeAlreadyEnrolled,
			wantOps: []string{"userEnrolServerToken"}},
		{name: "delete the enrolled user", recovery: iproov.IfEnrolled{DeleteUser: true}, wantUser: "user-0006",
			wantOps: []string{"userEnrolServerToken", "generateToken", "userDelete", "userEnrolServerToken"}},
		{name: "enrol under a new user id", recovery: iproov.IfEnrolled{NewUserID: func() (string, error) { return "user-0006-b", nil }}, wantUser: "user-0006-b",
			wantOps: []string{"userEnrolServerToken", "userEnrolServerToken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.enrolled("user-0006", "alice")
			e.mu.Lock()
			e.ops = nil
			e.mu.Unlock()
			cl, err := e.client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0006", Resource: "onboarding", IfEnrolled: tt.recovery})
			assert.Equal(t, tt.wantOps, e.opsSeen())
			if tt.wantCode != "" {
				assert.Equal(t, tt.wantCode, iproov.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantUser, cl.UserID)
		})
	}
}

func TestInvalidateAClaim(t *testing.T) {
	e := newEnv(t, nil)
	enrol, err := e.client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0007", Resource: "onboarding"})
	require.NoError(t, err)
	require.NoError(t, e.emu.StartCapture(enrol.Token))
	inv, err := e.client.Invalidate(ctx, enrol, "Cancelled by the service")
	require.NoError(t, err)
	assert.Equal(t, iproov.Invalidation{ClaimAborted: true, UserInformed: true}, *inv)
	assert.True(t, enrol.Used)
	assert.ErrorIs(t, e.emu.CaptureFace(enrol.Token, "alice"), iproovtest.ErrClaimAborted)
	_, err = e.client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	assert.ErrorIs(t, err, iproov.ErrClaimUsed)
}

func TestUserManagement(t *testing.T) {
	e := newEnv(t, nil)
	e.enrolled("user-0008", "alice")
	u, err := e.client.GetUser(ctx, "user-0008")
	require.NoError(t, err)
	assert.Equal(t, iproov.StatusActive, u.Status, "iProov's \"Active\" is lower-cased")
	require.NotNil(t, u.ActivatedAt)

	u, err = e.client.UpdateUser(ctx, "user-0008", iproov.UserUpdate{NewUserID: "user-0008-x", Name: "Alice"})
	require.NoError(t, err)
	assert.Equal(t, "user-0008-x", u.ID)
	assert.Equal(t, "Alice", u.Name)
	assert.NotContains(t, u.String(), "Alice", "display names stay out of logs")

	u, err = e.client.SuspendUser(ctx, "user-0008-x", t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, iproov.StatusSuspended, u.Status)
	assert.Equal(t, t0.Add(-time.Hour), *u.SuspendedAt)
	assert.False(t, u.CanVerify())

	u, err = e.client.DeleteUser(ctx, "user-0008-x")
	require.NoError(t, err)
	assert.Equal(t, iproov.StatusDeleted, u.Status)
	_, err = e.client.GetUser(ctx, "user-0008-x")
	assert.Equal(t, iproov.CodeInvalidUserID, iproov.CodeOf(err))

	up, err := e.client.Available(ctx)
	require.NoError(t, err)
	assert.True(t, up)
}

func TestVendorErrorsAreTyped(t *testing.T) {
	e := newEnv(t, []iproovtest.Option{iproovtest.WithAssuranceTypes(iproov.GenuinePresence)})
	_, err := e.client.VerifyToken(ctx, iproov.TokenRequest{UserID: "u", Resource: "r", AssuranceType: iproov.Liveness})
	assert.Equal(t, iproov.CodeInvalidAssuranceType, iproov.CodeOf(err))
	assert.ErrorIs(t, err, transport.ErrForbidden)

	wrong, err := iproov.New("wrongkey", "wrongsecret", iproov.WithBaseURL(e.srv.URL), iproov.WithTransport(transport.WithHTTPClient(e.srv.Client())))
	require.NoError(t, err)
	_, err = wrong.EnrolToken(ctx, iproov.TokenRequest{UserID: "u", Resource: "r"})
	assert.Equal(t, iproov.CodeInvalidKey, iproov.CodeOf(err))
	assert.ErrorIs(t, err, transport.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrongsecret")
	assert.NotContains(t, err.Error(), "wrongkey")

	require.NoError(t, e.emu.FailNext("userVerifyValidate", 500))
	e.enrolled("u", "alice")
	verify, err := e.client.VerifyToken(ctx, iproov.TokenRequest{UserID: "u", Resource: "r"})
	require.NoError(t, err)
	require.NoError(t, e.emu.CaptureFace(verify.Token, "alice"))
	_, err = e.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
	assert.Equal(t, iproov.CodeServerError, iproov.CodeOf(err))
	assert.ErrorIs(t, err, transport.ErrServer)
}
