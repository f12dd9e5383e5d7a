package iproovtest_test

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

func TestClaimTokenShape(t *testing.T) {
	h := newHarness(t)
	tok := h.enrolToken("u1")
	assert.Len(t, tok, 64)
	_, err := hex.DecodeString(tok)
	assert.NoError(t, err, "tokens are lowercase hex")
	assert.Equal(t, strings.ToLower(tok), tok)
}

func TestClaimWindow(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration
		start bool // the SDK claimed the token before the window closed
		want  error
	}{
		{"claimed in time", iproovtest.ClaimWindow - time.Second, false, nil},
		{"not claimed within 2 minutes", iproovtest.ClaimWindow, false, iproovtest.ErrClaimExpired},
		{"claimed in time, captured later", 10 * time.Minute, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.enrolToken("u1")
			if tt.start {
				require.NoError(t, h.emu.StartCapture(tok))
			}
			h.clock.Advance(tt.after)
			assert.ErrorIs(t, h.emu.CaptureFace(tok, "alice"), tt.want)
		})
	}
}

func TestPhotoEnrolTokenExpires(t *testing.T) {
	h := newHarness(t)
	tok := h.enrolToken("u1")
	h.clock.Advance(iproovtest.ClaimWindow)
	res := h.enrolImage(photoForm{token: tok, source: "eid", image: sandbox.FaceImage("alice")})
	require.Equal(t, 400, res.StatusCode())
	assert.Equal(t, claim.ClientErrorCodeInvalidToken, res.JSON400.Error)
}

func TestPhotoEnrolWithoutFaceFails(t *testing.T) {
	h := newHarness(t)
	tok := h.enrolToken("u1")
	res := h.enrolImage(photoForm{token: tok, source: "oid", image: sandbox.FaceImage(iproovtest.NoFace)})
	require.Equal(t, 200, res.StatusCode())
	assert.False(t, res.JSON200.Success)
	// The token is spent and the user was not enrolled.
	again := h.enrolImage(photoForm{token: tok, source: "oid", image: sandbox.FaceImage("alice")})
	assert.Equal(t, 400, again.StatusCode())
	vt, err := h.api.UserVerifyServerTokenWithResponse(ctx, h.tokenReq("u1"))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeNoUser, vt.JSON400.Error)
}

// TestValidation runs the decisions of both validate endpoints.
func TestValidation(t *testing.T) {
	tests := []struct {
		name       string
		opts       []iproovtest.Option
		kind       claim.ClaimType
		enrolFace  string // verify only: the enrolled face
		capture    iproovtest.Capture
		mutate     func(r *claim.ClaimValidateRequest)
		tokenRisk  string
		wantStatus int
		wantCode   claim.ClientErrorCode
		wantPassed bool
		wantReason string
	}{
		{name: "enrol passes", kind: claim.Enrol, capture: iproovtest.Capture{Face: "alice"}, wantStatus: 200, wantPassed: true},
		{name: "enrol fails liveness", kind: claim.Enrol, capture: iproovtest.Capture{Face: "alice", LivenessFailure: "Please Keep Still"}, wantStatus: 200, wantReason: "Please Keep Still"},
		{name: "verify passes", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Face: "alice"}, wantStatus: 200, wantPassed: true},
		{name: "verify by image bytes", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Image: sandbox.FaceJPEG("alice")}, wantStatus: 200, wantPassed: true},
		{name: "verify another face", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Face: "mallory"}, wantStatus: 200, wantReason: iproovtest.ReasonMismatch},
		{name: "verify fails liveness", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Face: "alice", LivenessFailure: "Too bright"}, wantStatus: 200, wantReason: "Too bright"},
		{name: "verify with another user_id", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Face: "alice"},
			mutate: func(r *claim.ClaimValidateRequest) { r.UserId = "someone-else" }, wantStatus: 400, wantCode: claim.ClientErrorCodeInvalidValidation},
		{name: "verify with another risk profile", opts: []iproovtest.Option{iproovtest.WithRiskProfiles("D_33_1A", "LOW")}, tokenRisk: "D_33_1A", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Face: "alice"},
			mutate: func(r *claim.ClaimValidateRequest) { r.RiskProfile = ptr("LOW") }, wantStatus: 400, wantCode: claim.ClientErrorCodeInvalidValidation},
		{name: "verify with the token's risk profile", opts: []iproovtest.Option{iproovtest.WithRiskProfiles("D_33_1A")}, tokenRisk: "D_33_1A", kind: claim.Verify, enrolFace: "alice", capture: iproovtest.Capture{Face: "alice"},
			mutate: func(r *claim.ClaimValidateRequest) { r.RiskProfile = ptr("D_33_1A") }, wantStatus: 200, wantPassed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts...)
			req := h.tokenReq("u1")
			if tt.tokenRisk != "" {
				req.RiskProfile = ptr(tt.tokenRisk)
			}
			var tok string
			if tt.kind == claim.Verify {
				enrolReq := h.tokenReq("u1")
				enrolReq.RiskProfile = req.RiskProfile
				res, err := h.api.UserEnrolServerTokenWithResponse(ctx, enrolReq)
				require.NoError(t, err)
				require.NoError(t, h.emu.CaptureFace(res.JSON200.Token, tt.enrolFace))
				vr := enrolValidateReq("u1", res.JSON200.Token)
				vr.RiskProfile = req.RiskProfile
				ev, err := h.api.UserEnrolValidateWithResponse(ctx, vr)
				require.NoError(t, err)
				require.True(t, ev.JSON200.Passed)
				vt, err := h.api.UserVerifyServerTokenWithResponse(ctx, req)
				require.NoError(t, err)
				tok = vt.JSON200.Token
			} else {
				res, err := h.api.UserEnrolServerTokenWithResponse(ctx, req)
				require.NoError(t, err)
				tok = res.JSON200.Token
			}
			require.NoError(t, h.emu.Capture(tok, tt.capture))
			vr := validateReq("u1", tok)
			vr.RiskProfile = req.RiskProfile
			if tt.mutate != nil {
				tt.mutate(&vr)
			}
			var status int
			var out *claim.ClaimValidateResponse
			var errBody *claim.ClientErrorResponse
			if tt.kind == claim.Enrol {
				res, err := h.api.UserEnrolValidateWithResponse(ctx, claim.EnrolValidateRequest{
					ApiKey: vr.ApiKey, Secret: vr.Secret, UserId: vr.UserId, Token: vr.Token, Client: vr.Client, RiskProfile: vr.RiskProfile})
				require.NoError(t, err)
				status, out = res.StatusCode(), res.JSON200
				if res.JSON400 != nil {
					errBody = (*claim.ClientErrorResponse)(res.JSON400)
				}
			} else {
				res, err := h.api.UserVerifyValidateWithResponse(ctx, vr)
				require.NoError(t, err)
				status, out = res.StatusCode(), res.JSON200
				if res.JSON400 != nil {
					errBody = (*claim.ClientErrorResponse)(res.JSON400)
				}
			}
			require.Equal(t, tt.wantStatus, status)
			if tt.wantStatus != 200 {
				assert.Equal(t, tt.wantCode, errBody.Error)
				return
			}
			assert.Equal(t, tt.wantPassed, out.Passed)
			assert.Equal(t, tt.kind, out.Type)
			assert.Equal(t, tok, out.Token)
			if tt.wantReason != "" {
				require.NotNil(t, out.Reason)
				assert.Equal(t, tt.wantReason, *out.Reason)
			}
			require.NotNil(t, out.Signals)
			if tt.kind == claim.Verify {
				require.NotNil(t, out.Signals.Matching)
			}
		})
	}
}

func TestValidateBeforeCaptureAndTwice(t *testing.T) {
	h := newHarness(t)
	h.enrol("u1", "alice")
	tok := h.verifyToken("u1")
	require.NoError(t, h.emu.StartCapture(tok))
	res, err := h.api.UserVerifyValidateWithResponse(ctx, validateReq("u1", tok))
	require.NoError(t, err)
	require.Equal(t, 400, res.StatusCode(), "the SDK has not finished")
	assert.Equal(t, claim.ClientErrorCodeInvalidToken, res.JSON400.Error)

	require.NoError(t, h.emu.CaptureFace(tok, "alice"))
	res, err = h.api.UserVerifyValidateWithResponse(ctx, validateReq("u1", tok))
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode())
	res, err = h.api.UserVerifyValidateWithResponse(ctx, validateReq("u1", tok))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeInvalidToken, res.JSON400.Error, "validate is one-shot")
	assert.ErrorIs(t, h.emu.CaptureFace(tok, "alice"), iproovtest.ErrClaimUsed)
}

func TestTokenOfTheOtherTypeIsInvalid(t *testing.T) {
	h := newHarness(t)
	tok := h.enrolToken("u1")
	require.NoError(t, h.emu.CaptureFace(tok, "alice"))
	res, err := h.api.UserVerifyValidateWithResponse(ctx, validateReq("u1", tok))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeInvalidToken, res.JSON400.Error)
}

func TestEnrolLeftSuspendedThenActivated(t *testing.T) {
	h := newHarness(t)
	tok := h.enrolToken("u1")
	require.NoError(t, h.emu.CaptureFace(tok, "alice"))
	req := enrolValidateReq("u1", tok)
	req.Activate = ptr(false)
	res, err := h.api.UserEnrolValidateWithResponse(ctx, req)
	require.NoError(t, err)
	require.True(t, res.JSON200.Passed)

	vt, err := h.api.UserVerifyServerTokenWithResponse(ctx, h.tokenReq("u1"))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeInactiveUser, vt.JSON400.Error)
	en, err := h.api.UserEnrolServerTokenWithResponse(ctx, h.tokenReq("u1"))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeAlreadyEnrolled, en.JSON400.Error)

	at := h.accessToken(iproovtest.ScopeUserRead, iproovtest.ScopeUserWriteStatus)
	got, err := h.api.UserGetWithResponse(ctx, "u1", bearer(at))
	require.NoError(t, err)
	assert.Equal(t, claim.Suspended, got.JSON200.Status)
	act, err := h.api.UserActivateWithResponse(ctx, "u1", claim.ChangeStateRequest{}, bearer(at))
	require.NoError(t, err)
	assert.Equal(t, claim.Active, act.JSON200.Status)
	h.verifyToken("u1")
}

func TestDeleteFreesTheUserID(t *testing.T) {
	h := newHarness(t)
	h.enrol("u1", "alice")
	at := h.accessToken()
	del, err := h.api.UserDeleteWithResponse(ctx, "u1", bearer(at))
	require.NoError(t, err)
	assert.Equal(t, claim.Deleted, del.JSON200.Status)
	got, err := h.api.UserGetWithResponse(ctx, "u1", bearer(at))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeInvalidUserId, got.JSON400.Error)
	h.enrol("u1", "bob")
}

func TestRenameUser(t *testing.T) {
	h := newHarness(t)
	h.enrol("u1", "alice")
	h.enrol("u2", "bob")
	at := h.accessToken()
	res, err := h.api.UserUpdateWithResponse(ctx, "u1", claim.UpdateUserRequest{UserId: ptr("u1-new"), Name: ptr("Alice")}, bearer(at))
	require.NoError(t, err)
	assert.Equal(t, "u1-new", res.JSON200.UserId)
	assert.Equal(t, "Alice", res.JSON200.Name)
	taken, err := h.api.UserUpdateWithResponse(ctx, "u1-new", claim.UpdateUserRequest{UserId: ptr("u2")}, bearer(at))
	require.NoError(t, err)
	assert.Equal(t, 400, taken.StatusCode())
	h.verifyToken("u1-new")
}

func TestAccessTokenLife(t *testing.T) {
	tests := []struct {
		name  string
		uses  int
		after time.Duration
		want  int
		code  claim.CredentialErrorCode
	}{
		{"fresh", 0, 0, 200, ""},
		{"50th use", iproovtest.AccessTokenUses - 1, 0, 200, ""},
		{"51st use", iproovtest.AccessTokenUses, 0, 403, claim.CredentialErrorCodeTokenQuotaExceeded},
		{"just before an hour", 0, iproovtest.AccessTokenLife - time.Second, 200, ""},
		{"after an hour", 0, iproovtest.AccessTokenLife, 401, claim.CredentialErrorCodeInvalidOauth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.enrol("u1", "alice")
			at := h.accessToken()
			for i := 0; i < tt.uses; i++ {
				res, err := h.api.UserGetWithResponse(ctx, "u1", bearer(at))
				require.NoError(t, err)
				require.Equal(t, 200, res.StatusCode())
			}
			h.clock.Advance(tt.after)
			res, err := h.api.UserGetWithResponse(ctx, "u1", bearer(at))
			require.NoError(t, err)
			require.Equal(t, tt.want, res.StatusCode())
			switch tt.want {
			case 401:
				assert.Equal(t, tt.code, res.JSON401.Error)
			case 403:
				assert.Equal(t, tt.code, res.JSON403.Error)
			}
		})
	}
}

func TestAccessTokenScopes(t *testing.T) {
	h := newHarness(t, iproovtest.WithOAuthScopes(iproovtest.ScopeUserRead))
	body, ct := form()
	res, err := h.api.GenerateTokenWithBodyWithResponse(ctx, iproovtest.DefaultAPIKey, ct, body, basicAuth(iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword))
	require.NoError(t, err)
	require.NotNil(t, res.JSON200.Scope)
	assert.Equal(t, []string{iproovtest.ScopeUserRead}, *res.JSON200.Scope, "omitted scope grants what the service provider has")
	life, err := res.JSON200.ExpiresIn.AsExpiresIn0()
	require.NoError(t, err, "the emulator writes expires_in as an integer, as OAuth servers do")
	assert.Equal(t, 3600, life)
	assert.Equal(t, "Bearer", res.JSON200.TokenType)

	body, ct = form(iproovtest.ScopeUserWrite)
	res, err = h.api.GenerateTokenWithBodyWithResponse(ctx, iproovtest.DefaultAPIKey, ct, body, basicAuth(iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword))
	require.NoError(t, err)
	assert.Equal(t, claim.ClientErrorCodeInvalidScope, res.JSON400.Error)
}

func TestRateLimitWindow(t *testing.T) {
	h := newHarness(t, iproovtest.WithRateLimit(2, time.Minute))
	h.enrolToken("u1")
	h.clock.Advance(20 * time.Second)
	h.enrolToken("u2")
	res, err := h.api.UserVerifyServerTokenWithResponse(ctx, h.tokenReq("u1"))
	require.NoError(t, err)
	require.Equal(t, 429, res.StatusCode())
	assert.Equal(t, "40", res.HTTPResponse.Header.Get("Retry-After"))
	assert.Equal(t, claim.RateLimitCodeTooManyRequests, res.JSON429.Error)
	h.clock.Advance(40 * time.Second)
	h.enrolToken("u3")
}

func TestInvalidate(t *testing.T) {
	tests := []struct {
		name          string
		prepare       func(h *harness, tok string)
		aborted       bool
		informed      bool
		captureAfter  error
		validateAfter claim.ClientErrorCode
	}{
		{"issued", func(h *harness, tok string) {}, true, false, iproovtest.ErrClaimAborted, claim.ClientErrorCodeInvalidToken},
		{"in progress", func(h *harness, tok string) { require.NoError(h.t, h.emu.StartCapture(tok)) }, true, true, iproovtest.ErrClaimAborted, claim.ClientErrorCodeInvalidToken},
		{"captured", func(h *harness, tok string) { require.NoError(h.t, h.emu.CaptureFace(tok, "alice")) }, false, false, iproovtest.ErrClaimUsed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.enrolToken("u1")
			tt.prepare(h, tok)
			res, err := h.api.InvalidateTokenWithResponse(ctx, tok, claim.InvalidateClaimRequest{Reason: "Cancelled by the bank (fraud check)"})
			require.NoError(t, err)
			require.Equal(t, 200, res.StatusCode())
			assert.Equal(t, tt.aborted, res.JSON200.ClaimAborted)
			assert.Equal(t, tt.informed, res.JSON200.UserInformed)
			assert.ErrorIs(t, h.emu.CaptureFace(tok, "alice"), tt.captureAfter)
			v, err := h.api.UserEnrolValidateWithResponse(ctx, enrolValidateReq("u1", tok))
			require.NoError(t, err)
			if tt.validateAfter != "" {
				assert.Equal(t, tt.validateAfter, v.JSON400.Error)
			} else {
				assert.Equal(t, 200, v.StatusCode())
			}
		})
	}
}

func TestFramesReturnTheCapturedFace(t *testing.T) {
	h := newHarness(t, iproovtest.WithFrames())
	h.enrol("u1", "alice")
	tok := h.verifyToken("u1")
	require.NoError(t, h.emu.Capture(tok, iproovtest.Capture{Image: sandbox.FaceImage("alice")}))
	res, err := h.api.UserVerifyValidateWithResponse(ctx, validateReq("u1", tok))
	require.NoError(t, err)
	require.True(t, *res.JSON200.FrameAvailable)
	img, err := base64.StdEncoding.DecodeString(*res.JSON200.Frame)
	require.NoError(t, err)
	assert.Equal(t, "alice", sandbox.FaceOf(img))
	assert.Equal(t, claim.Good, *res.JSON200.ReturnFrameQuality.Blur)
}

func TestAvailability(t *testing.T) {
	h := newHarness(t)
	h.emu.SetAvailable(false)
	res, err := h.api.PlatformAvailableWithResponse(ctx, &claim.PlatformAvailableParams{ApiKey: iproovtest.DefaultAPIKey})
	require.NoError(t, err)
	assert.False(t, res.JSON200.Up)
}

// TestControlEndpoints drives the end user's step over HTTP, as a browser test or another
// language would.
func TestControlEndpoints(t *testing.T) {
	h := newHarness(t)
	post := func(path, body string) (int, string) {
		resp, err := http.Post(h.srv.URL+iproovtest.ControlPrefix+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	tok := h.enrolToken("u1")
	status, _ := post("claims/"+tok+"/start", "")
	assert.Equal(t, http.StatusNoContent, status)
	status, _ = post("claims/"+tok+"/capture", `{"face":"alice"}`)
	assert.Equal(t, http.StatusNoContent, status)
	status, _ = post("claims/"+tok+"/capture", `{"face":"alice"}`)
	assert.Equal(t, http.StatusConflict, status)
	status, _ = post("claims/unknown/capture", `{"face":"alice"}`)
	assert.Equal(t, http.StatusNotFound, status)

	tok2 := h.enrolToken("u2")
	img := base64.StdEncoding.EncodeToString(sandbox.FaceImage("bob"))
	status, _ = post("claims/"+tok2+"/capture", `{"image":"`+img+`","liveness_failure":"Too dark"}`)
	assert.Equal(t, http.StatusNoContent, status)
	res, err := h.api.UserEnrolValidateWithResponse(ctx, enrolValidateReq("u2", tok2))
	require.NoError(t, err)
	assert.False(t, res.JSON200.Passed)
	assert.Equal(t, "Too dark", *res.JSON200.Reason)

	status, body := post("fail-next", `{"operation":"userGet","status":418}`)
	assert.Equal(t, http.StatusBadRequest, status, body)
	status, _ = post("fail-next", `{"operation":"platformAvailable","status":400}`)
	assert.Equal(t, http.StatusNoContent, status)
	av, err := h.api.PlatformAvailableWithResponse(ctx, &claim.PlatformAvailableParams{ApiKey: iproovtest.DefaultAPIKey})
	require.NoError(t, err)
	assert.Equal(t, 400, av.StatusCode())

	resp, err := http.Get(h.srv.URL + iproovtest.ControlPrefix + "stats")
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"claim_tokens":2,"access_tokens":0,"users":0,"held_claims":2,"held_access_tokens":0}`, string(data))

	status, _ = post("reset", "")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Equal(t, iproovtest.Stats{}, h.emu.Stats())
}
