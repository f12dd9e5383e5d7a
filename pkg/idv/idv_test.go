package idv_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

func TestNextStep(t *testing.T) {
	apiErr := func(vendor, op string, status int, code string) *transport.APIError {
		return &transport.APIError{Vendor: vendor, Operation: op, StatusCode: status, Code: code,
			Retryable: status == 429 || (status >= 500 && status != 501)}
	}
	tests := []struct {
		name string
		err  error
		want idv.Action
		// wantVendor/wantOp/wantCode, when set, must be carried into the Decision.
		wantVendor, wantOp, wantCode string
		wantRetryAfter               time.Duration
	}{
		{"no error", nil, idv.Proceed, "", "", "", 0},
		{"client-side validation", transport.Invalid("verisoul", "enrollFaceMatch", "account_id", "must not be empty"),
			idv.FixRequest, "verisoul", "enrollFaceMatch", "", 0},
		{"rate limited with Retry-After", &transport.APIError{Vendor: "verisoul", Operation: "verifyFace", StatusCode: 429, Retryable: true, RetryAfter: 2 * time.Second},
			idv.RetryLater, "verisoul", "verifyFace", "", 2 * time.Second},
		{"503 on a safe call", apiErr("verifik", "listProjects", 503, ""), idv.RetryLater, "verifik", "listProjects", "", 0},
		{"500 on an unsafe call may have acted", &transport.APIError{Vendor: "verisoul", Operation: "enrollFaceMatch", StatusCode: 500, Retryable: true, OutcomeUnknown: true},
			idv.Reconcile, "verisoul", "enrollFaceMatch", "", 0},
		{"answer lost after sending", fmt.Errorf("enrol: %w", &transport.RequestError{Vendor: "verifik", Operation: "syncAppRegistration", Attempts: 1, OutcomeUnknown: true, Err: errors.New("EOF")}),
			idv.Reconcile, "verifik", "syncAppRegistration", "", 0},
		{"never reached the vendor", &transport.RequestError{Vendor: "iproov", Operation: "userEnrolServerToken", Attempts: 3, Err: errors.New("dial tcp: connection refused")},
			idv.RetryLater, "iproov", "userEnrolServerToken", "", 0},
		{"wrong API key", apiErr("verisoul", "createFaceMatchSession", 401, ""), idv.Escalate, "verisoul", "createFaceMatchSession", "", 0},
		{"iProov wrong region or secret", apiErr("iproov", "userEnrolServerToken", 401, "invalid_key"), idv.Escalate, "iproov", "userEnrolServerToken", "invalid_key", 0},
		{"Verisoul session too old", apiErr("verisoul", "enrollFaceMatch", 400, "session_older_than_30_days"), idv.RepeatUserStep, "verisoul", "enrollFaceMatch", "session_older_than_30_days", 0},
		{"Verisoul liveness failed", apiErr("verisoul", "verifyFace", 400, "liveness_check_failed"), idv.RepeatUserStep, "verisoul", "verifyFace", "liveness_check_failed", 0},
		// The user may still be on the hosted page: wait for them or send them back to the
		// same capture URL (verisoul.NeedsNewSession stays false).
		{"Verisoul capture still running", apiErr("verisoul", "verifyFace", 400, "session_not_complete"), idv.RepeatUserStep, "verisoul", "verifyFace", "session_not_complete", 0},
		{"Verisoul capture not started (forged redirect)", apiErr("verisoul", "verifyFace", 400, "session_not_started"), idv.RepeatUserStep, "verisoul", "verifyFace", "session_not_started", 0},
		{"Verisoul enrol before the capture", fmt.Errorf("sign-up: %w", apiErr("verisoul", "enrollFaceMatch", 400, "session_not_started")), idv.RepeatUserStep, "verisoul", "enrollFaceMatch", "session_not_started", 0},
		{"Verisoul unknown account", apiErr("verisoul", "verifyIdentityFaceMatch", 400, "account_not_found"), idv.Declined, "verisoul", "verifyIdentityFaceMatch", "account_not_found", 0},
		{"Verisoul enrolment not confirmed", fmt.Errorf("sign-up: %w", verisoul.ErrNotEnrolled), idv.Declined, "", "", "", 0},
		{"iProov token spent or expired", apiErr("iproov", "userVerifyValidate", 400, "invalid_token"), idv.RepeatUserStep, "iproov", "userVerifyValidate", "invalid_token", 0},
		{"iProov 503 on a validation: the claim is spent anyway", apiErr("iproov", "userVerifyValidate", 503, ""), idv.RepeatUserStep, "iproov", "userVerifyValidate", "", 0},
		{"iProov 503 on a token request: retry", apiErr("iproov", "userVerifyServerToken", 503, ""), idv.RetryLater, "iproov", "userVerifyServerToken", "", 0},
		{"iProov image refused before sending spends nothing", transport.Invalid("iproov", "userEnrolImage", "image", "larger than 2 MB"), idv.FixRequest, "iproov", "userEnrolImage", "", 0},
		{"iProov already enrolled", apiErr("iproov", "userEnrolServerToken", 400, "already_enrolled"), idv.Declined, "iproov", "userEnrolServerToken", "already_enrolled", 0},
		{"iProov photo not enrolled", fmt.Errorf("photo: %w", iproov.ErrPhotoNotEnrolled), idv.Declined, "", "", "", 0},
		{"Verifik duplicate face", fmt.Errorf("selfie: %w", verifik.ErrDuplicateFace), idv.Declined, "", "", "", 0},
		// A registration the user already has is theirs to resume; the same refusal of
		// ChangePhone names someone else's phone.
		{"Verifik email already registered", fmt.Errorf("start: %w", &verifik.AlreadyRegisteredError{Contact: "email", Err: apiErr("verifik", "createAppRegistration", 409, "email_is_registered_already")}),
			idv.ResumeExisting, "verifik", "createAppRegistration", "email_is_registered_already", 0},
		{"Verifik phone already registered (412 revision)", &verifik.AlreadyRegisteredError{Contact: "phone", Err: apiErr("verifik", "createAppRegistration", 412, "Conflict")},
			idv.ResumeExisting, "verifik", "createAppRegistration", "Conflict", 0},
		{"Verifik new phone held by another registrant", &verifik.AlreadyRegisteredError{Contact: "phone", Err: apiErr("verifik", "updateAppRegistration", 409, "phone_is_registered_already")},
			idv.Declined, "verifik", "updateAppRegistration", "phone_is_registered_already", 0},
		{"Verifik 409 that is not about registration", apiErr("verifik", "createAppRegistration", 409, "MissingParameter"),
			idv.Declined, "verifik", "createAppRegistration", "MissingParameter", 0},
		{"Verifik code expired", fmt.Errorf("confirm: %w", verifik.ErrCodeExpired), idv.RepeatUserStep, "", "", "", 0},
		{"Verifik liveness failed", fmt.Errorf("selfie: %w", verifik.ErrLivenessFailed), idv.RepeatUserStep, "", "", "", 0},
		{"malformed answer", &transport.DecodeError{Vendor: "verifik", Operation: "getAppRegistration", StatusCode: 200, Err: errors.New("bad json")},
			idv.Escalate, "verifik", "getAppRegistration", "", 0},
		{"answer too large", &transport.BodyTooLargeError{Vendor: "iproov", Operation: "userGet", Limit: 1 << 20}, idv.Escalate, "iproov", "userGet", "", 0},
		{"redirect not followed", &transport.RedirectError{Vendor: "verisoul", Operation: "verifyFace", StatusCode: 307, Host: "other:8443"}, idv.Escalate, "verisoul", "verifyFace", "", 0},
		{"iProov validation answered by a redirect", &transport.RedirectError{Vendor: "iproov", Operation: "userVerifyValidate", StatusCode: 302, Host: "other:8443"}, idv.Escalate, "iproov", "userVerifyValidate", "", 0},
		{"request outside the base origin", &transport.OriginError{Vendor: "verifik", Operation: "getAppRegistration", Host: "other"}, idv.Escalate, "verifik", "getAppRegistration", "", 0},
		{"contract violation", &contract.Error{Spec: "verisoul/facematch", Problems: []contract.Problem{{Operation: "verifyFace", Rule: "type"}}}, idv.Escalate, "", "", "", 0},
		{"501 not implemented", apiErr("verifik", "listProjects", 501, ""), idv.Escalate, "verifik", "listProjects", "", 0},
		{"caller's deadline", context.DeadlineExceeded, idv.RetryLater, "", "", "", 0},
		{"caller cancelled", context.Canceled, idv.Cancelled, "", "", "", 0},
		{"caller cancelled a safe call", &transport.RequestError{Vendor: "verisoul", Operation: "createFaceMatchSession", Attempts: 1, Err: context.Canceled},
			idv.Cancelled, "verisoul", "createFaceMatchSession", "", 0},
		{"caller cancelled an unsafe call before sending", fmt.Errorf("enrol: %w", &transport.RequestError{Vendor: "iproov", Operation: "userEnrolValidate", Attempts: 1, Err: context.Canceled}),
			idv.Cancelled, "iproov", "userEnrolValidate", "", 0},
		{"caller cancelled an unsafe call in flight", &transport.RequestError{Vendor: "verisoul", Operation: "enrollFaceMatch", Attempts: 1, OutcomeUnknown: true, Err: context.Canceled},
			idv.Reconcile, "verisoul", "enrollFaceMatch", "", 0},
		{"unrecognised error", errors.New("something else"), idv.Escalate, "", "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := idv.NextStep(tc.err)
			assert.Equal(t, tc.want, d.Action)
			assert.Equal(t, tc.wantVendor, d.Vendor)
			assert.Equal(t, tc.wantOp, d.Operation)
			assert.Equal(t, tc.wantCode, d.Code)
			assert.Equal(t, tc.wantRetryAfter, d.RetryAfter)
			if tc.want == idv.ResumeExisting {
				assert.Equal(t, idv.ReasonAlreadyRegistered, d.Reason)
			} else {
				assert.Empty(t, d.Reason)
			}
		})
	}
}

// TestNextStepOnRealErrors reads errors the vendor clients really return from the
// emulators, so a vendor package renaming its codes or sentinels breaks this test.
func TestNextStepOnRealErrors(t *testing.T) {
	ctx := context.Background()

	t.Run("verisoul unknown account is declined", func(t *testing.T) {
		emu := verisoultest.New()
		srv := httptest.NewServer(emu.Handler())
		defer srv.Close()
		c, err := verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithEnvironment(verisoul.Sandbox),
			verisoul.WithBaseURL(srv.URL), verisoul.WithAppURL(srv.URL+verisoultest.AppPath))
		require.NoError(t, err)
		s, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		require.NoError(t, emu.CompleteAs(s.ID, "alice"))
		_, err = c.VerifyIdentity(ctx, s, "never-enrolled")
		d := idv.NextStep(err)
		assert.Equal(t, idv.Declined, d.Action)
		assert.Equal(t, "account_not_found", d.Code)

		failed, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		require.NoError(t, emu.Fail(failed.ID, verisoultest.FailLiveness))
		_, err = c.Enroll(ctx, failed, "account-1")
		assert.Equal(t, idv.RepeatUserStep, idv.NextStep(err).Action, "%v", err)

		_, err = c.Enroll(ctx, s, " ")
		assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%v", err)
	})

	t.Run("iproov second validation needs a new capture", func(t *testing.T) {
		emu := iproovtest.New()
		srv := httptest.NewServer(emu.Handler())
		defer srv.Close()
		c, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL))
		require.NoError(t, err)
		claim, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-1", Resource: "signup"})
		require.NoError(t, err)
		require.NoError(t, emu.CaptureFace(claim.Token, "alice"))
		_, err = c.EnrolValidate(ctx, claim, iproov.ValidateOptions{})
		require.NoError(t, err)
		_, err = c.EnrolValidate(ctx, claim, iproov.ValidateOptions{})
		assert.Equal(t, idv.RepeatUserStep, idv.NextStep(err).Action, "%v", err)

		_, err = c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-1", Resource: "signup"})
		d := idv.NextStep(err)
		assert.Equal(t, idv.Declined, d.Action, "%v", err)
		assert.Equal(t, "already_enrolled", d.Code)

		wrong, err := iproov.New(iproovtest.DefaultAPIKey, "not-the-secret", iproov.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = wrong.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-2", Resource: "signup"})
		assert.Equal(t, idv.Escalate, idv.NextStep(err).Action, "%v", err)

		fresh, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-3", Resource: "signup"})
		require.NoError(t, err)
		_, err = c.EnrolImage(ctx, fresh, iproov.Photo{Image: []byte("GIF89a not a photo"), Source: iproov.SourceEID})
		assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%v", err)
		// The spent claim, on the other hand, needs a new token and capture.
		_, err = c.EnrolImage(ctx, claim, iproov.Photo{Image: []byte("GIF89a not a photo"), Source: iproov.SourceEID})
		assert.Equal(t, idv.RepeatUserStep, idv.NextStep(err).Action, "%v", err)
	})

	t.Run("verifik wrong code is the registrant's to retype", func(t *testing.T) {
		emu := verifiktest.New()
		srv := httptest.NewServer(emu.Handler())
		defer srv.Close()
		c, err := verifik.New(emu.ClientToken(), verifik.WithBaseURL(srv.URL))
		require.NoError(t, err)
		flow, err := c.Setup(ctx, verifik.ProjectConfig{Name: "Acme", AllowedCountries: []string{"Colombia"},
			ContactEmail: "support@acme.example", PrivacyURL: "https://acme.example/privacy", TermsURL: "https://acme.example/terms"},
			verifik.BasicEnrollment("https://acme.example/welcome"))
		require.NoError(t, err)
		r, err := c.Register(ctx, flow, verifik.Registration{Email: "dana@example.com", FullName: "Dana Scully"})
		require.NoError(t, err)
		_, err = r.SendEmailCode(ctx)
		require.NoError(t, err)
		code, ok := emu.LastCode("dana@example.com")
		require.True(t, ok)
		wrong := "111111"
		if code == wrong {
			wrong = "222222"
		}
		err = r.ConfirmEmailCode(ctx, wrong)
		assert.Equal(t, idv.RepeatUserStep, idv.NextStep(err).Action, "%v", err)

		err = r.ConfirmEmailCode(ctx, "12ab")
		assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%v", err)
	})
}

// TestNextStepOnCancellation cancels real calls: before sending and while an unsafe call
// is at the vendor. Only the second may have acted.
func TestNextStepOnCancellation(t *testing.T) {
	received := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received <- struct{}{}
		<-r.Context().Done() // the vendor is slow; the caller gives up meanwhile
	}))
	defer srv.Close()
	c, err := verisoul.New("key", verisoul.WithBaseURL(srv.URL))
	require.NoError(t, err)
	s := verisoul.Session{ID: "3f2c1a9e-5b7d-4c8e-9a1b-2d3e4f5a6b7c", Product: verisoul.FaceMatch}

	t.Run("cancelled before the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.Error(t, err)
		assert.Equal(t, idv.Cancelled, idv.NextStep(err).Action, "%v", err)
		_, err = c.Enroll(ctx, s, "account-1")
		require.Error(t, err)
		assert.Equal(t, idv.Cancelled, idv.NextStep(err).Action, "%v", err)
	})
	t.Run("cancelled while an enrolment is at the vendor", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-received
			cancel()
		}()
		_, err := c.Enroll(ctx, s, "account-1")
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, idv.Reconcile, idv.NextStep(err).Action, "%v", err)
	})
}

// TestNextStepOnForgedRedirect: a redirect claiming success before the user captured
// gives session_not_started, and the user may still be on the hosted page.
func TestNextStepOnForgedRedirect(t *testing.T) {
	ctx := context.Background()
	emu := verisoultest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	c, err := verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(srv.URL), verisoul.WithAppURL(srv.URL+verisoultest.AppPath))
	require.NoError(t, err)
	for _, opened := range []bool{false, true} {
		s, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		if opened {
			require.NoError(t, emu.Start(s.ID)) // on the page, not finished
		}
		_, err = c.VerifyFace(ctx, s)
		require.Error(t, err)
		d := idv.NextStep(err)
		assert.Equal(t, idv.RepeatUserStep, d.Action, "%v", err)
		assert.False(t, verisoul.NeedsNewSession(err), "the same session stays good")
		// And it does: the user finishes on the same session.
		require.NoError(t, emu.CompleteAs(s.ID, "alice"))
		_, err = c.VerifyFace(ctx, s)
		assert.NoError(t, err)
	}
}
