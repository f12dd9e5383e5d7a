package iproovtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// coverageCase reaches one documented answer of one operation through the generated
// client. run returns the HTTP status it got.
type coverageCase struct {
	op     string
	status int
	opts   []iproovtest.Option
	run    func(h *harness) int
}

func failNext(op string, status int, call func(h *harness) int) func(h *harness) int {
	return func(h *harness) int {
		require.NoError(h.t, h.emu.FailNext(op, status))
		return call(h)
	}
}

// TestContractCoverage reaches every operation × documented status of api/iproov/claim.yaml
// through claim.ClientWithResponses against the emulator, with both sides checking the
// traffic against the spec; then checks nothing documented was left out.
func TestContractCoverage(t *testing.T) {
	getUser := func(token, id string) func(h *harness) int {
		return func(h *harness) int {
			res, err := h.api.UserGetWithResponse(ctx, id, bearer(token))
			require.NoError(h.t, err)
			return res.StatusCode()
		}
	}
	enrolTokenCall := func(h *harness, req claim.ServerClaimRequest) int {
		res, err := h.api.UserEnrolServerTokenWithResponse(ctx, req)
		require.NoError(h.t, err)
		return res.StatusCode()
	}
	verifyTokenCall := func(h *harness, req claim.ServerClaimRequest) int {
		res, err := h.api.UserVerifyServerTokenWithResponse(ctx, req)
		require.NoError(h.t, err)
		return res.StatusCode()
	}
	enrolValidate := func(h *harness, req claim.EnrolValidateRequest) int {
		res, err := h.api.UserEnrolValidateWithResponse(ctx, req)
		require.NoError(h.t, err)
		return res.StatusCode()
	}
	verifyValidate := func(h *harness, req claim.ClaimValidateRequest) int {
		res, err := h.api.UserVerifyValidateWithResponse(ctx, req)
		require.NoError(h.t, err)
		return res.StatusCode()
	}
	invalidate := func(h *harness, token string, editors ...claim.RequestEditorFn) int {
		res, err := h.api.InvalidateTokenWithResponse(ctx, token, claim.InvalidateClaimRequest{Reason: "Session cancelled"}, editors...)
		require.NoError(h.t, err)
		return res.StatusCode()
	}
	userCall := func(op string) func(h *harness, token, id string) int {
		return func(h *harness, token, id string) int {
			var status int
			switch op {
			case "userGet":
				res, err := h.api.UserGetWithResponse(ctx, id, bearer(token))
				require.NoError(h.t, err)
				status = res.StatusCode()
			case "userUpdate":
				res, err := h.api.UserUpdateWithResponse(ctx, id, claim.UpdateUserRequest{Name: ptr("Display Name")}, bearer(token))
				require.NoError(h.t, err)
				status = res.StatusCode()
			case "userDelete":
				res, err := h.api.UserDeleteWithResponse(ctx, id, bearer(token))
				require.NoError(h.t, err)
				status = res.StatusCode()
			case "userActivate":
				res, err := h.api.UserActivateWithResponse(ctx, id, claim.ChangeStateRequest{}, bearer(token))
				require.NoError(h.t, err)
				status = res.StatusCode()
			case "userSuspend":
				res, err := h.api.UserSuspendWithResponse(ctx, id, claim.ChangeStateRequest{DateTime: ptr(t0)}, bearer(token))
				require.NoError(h.t, err)
				status = res.StatusCode()
			}
			return status
		}
	}
	generate := func(h *harness, apiKey, user, pass string) int {
		body, ct := form()
		res, err := h.api.GenerateTokenWithBodyWithResponse(ctx, apiKey, ct, body, basicAuth(user, pass))
		require.NoError(h.t, err)
		return res.StatusCode()
	}

	cases := []coverageCase{
		{op: "platformAvailable", status: 200, run: func(h *harness) int {
			res, err := h.api.PlatformAvailableWithResponse(ctx, &claim.PlatformAvailableParams{ApiKey: iproovtest.DefaultAPIKey})
			require.NoError(h.t, err)
			assert.True(h.t, res.JSON200.Up)
			return res.StatusCode()
		}},
		{op: "platformAvailable", status: 400, run: func(h *harness) int {
			res, err := h.api.PlatformAvailableWithResponse(ctx, &claim.PlatformAvailableParams{ApiKey: "unknown"})
			require.NoError(h.t, err)
			return res.StatusCode()
		}},

		{op: "userEnrolServerToken", status: 200, run: func(h *harness) int { return enrolTokenCall(h, h.tokenReq("new-user")) }},
		{op: "userEnrolServerToken", status: 400, run: func(h *harness) int {
			h.enrol("alice-1", "alice")
			return enrolTokenCall(h, h.tokenReq("alice-1")) // already_enrolled
		}},
		{op: "userEnrolServerToken", status: 401, run: func(h *harness) int {
			req := h.tokenReq("u1")
			req.Secret = "wrong"
			return enrolTokenCall(h, req)
		}},
		{op: "userEnrolServerToken", status: 403, opts: []iproovtest.Option{iproovtest.WithAssuranceTypes(iproov.GenuinePresence)}, run: func(h *harness) int {
			req := h.tokenReq("u1")
			req.AssuranceType = ptr(claim.Liveness)
			return enrolTokenCall(h, req)
		}},
		{op: "userEnrolServerToken", status: 429, opts: []iproovtest.Option{iproovtest.WithRateLimit(1, time.Minute)}, run: func(h *harness) int {
			require.Equal(h.t, 200, enrolTokenCall(h, h.tokenReq("u1")))
			return enrolTokenCall(h, h.tokenReq("u2"))
		}},
		{op: "userEnrolServerToken", status: 500, run: failNext("userEnrolServerToken", 500, func(h *harness) int { return enrolTokenCall(h, h.tokenReq("u1")) })},

		{op: "userEnrolImage", status: 200, run: func(h *harness) int {
			res := h.enrolImage(photoForm{token: h.enrolToken("u1"), source: "eid", image: sandbox.FaceImage("alice")})
			require.NotNil(h.t, res.JSON200)
			assert.True(h.t, res.JSON200.Success)
			return res.StatusCode()
		}},
		{op: "userEnrolImage", status: 400, run: func(h *harness) int {
			tok := h.enrolToken("u1")
			require.Equal(h.t, 200, h.enrolImage(photoForm{token: tok, source: "oid", image: sandbox.FaceJPEG("alice"), imageType: "image/jpeg"}).StatusCode())
			return h.enrolImage(photoForm{token: tok, source: "oid", image: sandbox.FaceImage("alice")}).StatusCode() // token spent
		}},
		{op: "userEnrolImage", status: 401, run: func(h *harness) int {
			return h.enrolImage(photoForm{token: h.enrolToken("u1"), secret: "wrong", image: sandbox.FaceImage("alice")}).StatusCode()
		}},
		{op: "userEnrolImage", status: 500, run: failNext("userEnrolImage", 500, func(h *harness) int {
			return h.enrolImage(photoForm{token: h.enrolToken("u1"), source: "selfie", image: sandbox.FaceImage("alice")}).StatusCode()
		})},

		{op: "userEnrolValidate", status: 200, run: func(h *harness) int {
			tok := h.enrolToken("u1")
			require.NoError(h.t, h.emu.CaptureFace(tok, "alice"))
			return enrolValidate(h, enrolValidateReq("u1", tok))
		}},
		{op: "userEnrolValidate", status: 400, run: func(h *harness) int {
			return enrolValidate(h, enrolValidateReq("u1", h.enrolToken("u1"))) // SDK not finished
		}},
		{op: "userEnrolValidate", status: 401, run: func(h *harness) int {
			req := enrolValidateReq("u1", h.enrolToken("u1"))
			req.ApiKey = "wrong"
			return enrolValidate(h, req)
		}},
		{op: "userEnrolValidate", status: 404, run: failNext("userEnrolValidate", 404, func(h *harness) int { return enrolValidate(h, enrolValidateReq("u1", h.enrolToken("u1"))) })},
		{op: "userEnrolValidate", status: 500, run: failNext("userEnrolValidate", 500, func(h *harness) int { return enrolValidate(h, enrolValidateReq("u1", h.enrolToken("u1"))) })},

		{op: "userVerifyServerToken", status: 200, run: func(h *harness) int {
			h.enrol("u1", "alice")
			return verifyTokenCall(h, h.tokenReq("u1"))
		}},
		{op: "userVerifyServerToken", status: 400, run: func(h *harness) int { return verifyTokenCall(h, h.tokenReq("never-enrolled")) }},
		{op: "userVerifyServerToken", status: 401, run: func(h *harness) int {
			req := h.tokenReq("u1")
			req.ApiKey = "wrong"
			return verifyTokenCall(h, req)
		}},
		{op: "userVerifyServerToken", status: 403, opts: []iproovtest.Option{iproovtest.WithAssuranceTypes(iproov.Liveness)}, run: func(h *harness) int {
			return verifyTokenCall(h, h.tokenReq("u1")) // omitted means genuine_presence
		}},
		{op: "userVerifyServerToken", status: 429, opts: []iproovtest.Option{iproovtest.WithRateLimit(1, time.Minute)}, run: func(h *harness) int {
			require.Equal(h.t, 400, verifyTokenCall(h, h.tokenReq("u1")))
			return verifyTokenCall(h, h.tokenReq("u1"))
		}},
		{op: "userVerifyServerToken", status: 500, run: failNext("userVerifyServerToken", 500, func(h *harness) int { return verifyTokenCall(h, h.tokenReq("u1")) })},

		{op: "userVerifyValidate", status: 200, run: func(h *harness) int {
			h.enrol("u1", "alice")
			tok := h.verifyToken("u1")
			require.NoError(h.t, h.emu.CaptureFace(tok, "alice"))
			return verifyValidate(h, validateReq("u1", tok))
		}},
		{op: "userVerifyValidate", status: 400, run: func(h *harness) int {
			h.enrol("u1", "alice")
			tok := h.verifyToken("u1")
			require.NoError(h.t, h.emu.CaptureFace(tok, "alice"))
			require.Equal(h.t, 200, verifyValidate(h, validateReq("u1", tok)))
			return verifyValidate(h, validateReq("u1", tok)) // one-shot
		}},
		{op: "userVerifyValidate", status: 401, run: func(h *harness) int {
			req := validateReq("u1", "0000")
			req.Secret = "wrong"
			return verifyValidate(h, req)
		}},
		{op: "userVerifyValidate", status: 404, run: failNext("userVerifyValidate", 404, func(h *harness) int { return verifyValidate(h, validateReq("u1", "0000")) })},
		{op: "userVerifyValidate", status: 500, run: failNext("userVerifyValidate", 500, func(h *harness) int { return verifyValidate(h, validateReq("u1", "0000")) })},

		{op: "invalidateToken", status: 200, run: func(h *harness) int { return invalidate(h, h.enrolToken("u1")) }},
		{op: "invalidateToken", status: 400, run: func(h *harness) int { return invalidate(h, "unknown") }},
		{op: "invalidateToken", status: 401, run: func(h *harness) int { return invalidate(h, h.enrolToken("u1"), bearer("not-a-token")) }},
		{op: "invalidateToken", status: 403, run: func(h *harness) int {
			at := h.accessToken()
			for i := 0; i < iproovtest.AccessTokenUses; i++ {
				require.Equal(h.t, 400, getUser(at, "nobody")(h))
			}
			return invalidate(h, h.enrolToken("u1"), bearer(at))
		}},
		{op: "invalidateToken", status: 500, run: failNext("invalidateToken", 500, func(h *harness) int { return invalidate(h, "unknown") })},

		{op: "generateToken", status: 200, run: func(h *harness) int {
			return generate(h, iproovtest.DefaultAPIKey, iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword)
		}},
		{op: "generateToken", status: 400, run: func(h *harness) int {
			return generate(h, iproovtest.DefaultAPIKey, iproovtest.DefaultOAuthUsername, "wrong")
		}},
		{op: "generateToken", status: 404, run: failNext("generateToken", 404, func(h *harness) int {
			return generate(h, iproovtest.DefaultAPIKey, iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword)
		})},
		{op: "generateToken", status: 500, run: func(h *harness) int {
			return generate(h, "unknownapikey", iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword)
		}},
	}

	// Every Management API operation answers the same five statuses for the same reasons.
	scopeOf := map[string]string{"userGet": iproovtest.ScopeUserRead, "userUpdate": iproovtest.ScopeUserWrite, "userDelete": iproovtest.ScopeUserWrite,
		"userActivate": iproovtest.ScopeUserWriteStatus, "userSuspend": iproovtest.ScopeUserWriteStatus}
	for _, op := range []string{"userGet", "userUpdate", "userDelete", "userActivate", "userSuspend"} {
		call := userCall(op)
		other := iproovtest.ScopeUserRead
		if scopeOf[op] == iproovtest.ScopeUserRead {
			other = iproovtest.ScopeUserWrite
		}
		cases = append(cases,
			coverageCase{op: op, status: 200, run: func(h *harness) int { h.enrol("u1", "alice"); return call(h, h.accessToken(), "u1") }},
			coverageCase{op: op, status: 400, run: func(h *harness) int { return call(h, h.accessToken(), "nobody") }},
			coverageCase{op: op, status: 401, run: func(h *harness) int { return call(h, "expired-or-unknown", "u1") }},
			coverageCase{op: op, status: 403, run: func(h *harness) int { h.enrol("u1", "alice"); return call(h, h.accessToken(other), "u1") }},
			coverageCase{op: op, status: 500, run: failNext(op, 500, func(h *harness) int { return call(h, h.accessToken(), "u1") })},
		)
	}

	// Every operation refuses a body over its limit before reading it, in iProov's
	// envelope: 1 GiB declared, nothing sent.
	for _, op := range operationIDs() {
		cases = append(cases, coverageCase{op: op, status: 413, run: func(h *harness) int {
			req := opRequest(h.t, h.spec, op)
			req.Body, req.ContentLength = io.NopCloser(zeros{}), 1<<30
			req.Header.Set("Content-Type", "application/json")
			rec := h.serve(req)
			var e claim.ClientErrorResponse
			require.NoError(h.t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
			assert.Equal(h.t, claim.ClientErrorCodeInvalidRequest, e.Error)
			return rec.Code
		}})
	}
	// Every operation documents the other 5xx (5XX, inferred): the fault injector's 503
	// reaches each in iProov's envelope.
	for _, op := range operationIDs() {
		cases = append(cases, coverageCase{op: op, status: 503, run: func(h *harness) int {
			require.NoError(h.t, h.emu.Faults().Set(sandbox.FaultRule{Operation: op, Kind: sandbox.FaultError, Status: 503, Rate: 1}))
			rec := h.serve(opRequest(h.t, h.spec, op))
			var e claim.ServerErrorResponse
			require.NoError(h.t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
			assert.Equal(h.t, claim.ServerErrorCodeServerError, e.Error)
			return rec.Code
		}})
	}
	cases = append(cases, coverageCase{op: "platformAvailable", status: 500, run: failNext("platformAvailable", 500, func(h *harness) int {
		res, err := h.api.PlatformAvailableWithResponse(ctx, &claim.PlatformAvailableParams{ApiKey: iproovtest.DefaultAPIKey})
		require.NoError(h.t, err)
		return res.StatusCode()
	})})

	covered := map[string]map[int]bool{}
	for _, c := range cases {
		t.Run(c.op+"/"+strconv.Itoa(c.status), func(t *testing.T) {
			h := newHarness(t, c.opts...)
			assert.Equal(t, c.status, c.run(h))
			h.mu.Lock()
			defer h.mu.Unlock()
			require.True(t, h.seen[c.op][c.status], "the generated client saw %s answer %d", c.op, c.status)
			if covered[c.op] == nil {
				covered[c.op] = map[int]bool{}
			}
			covered[c.op][c.status] = true
		})
	}

	var missing []string
	spec := contract.Default().Spec("iproov/claim")
	for _, item := range spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status := range op.Responses.Map() {
				code, _ := strconv.Atoi(status)
				if status == "5XX" {
					code = 503
				}
				if !covered[op.OperationID][code] {
					missing = append(missing, op.OperationID+" "+status)
				}
			}
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "documented answers no test reaches")
}

// operationIDs lists the spec's operations, sorted.
func operationIDs() []string {
	var ids []string
	for _, item := range contract.Default().Spec("iproov/claim").Doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	sort.Strings(ids)
	return ids
}

// TestFailNextRefusesUndocumentedStatus keeps FailNext within the spec.
func TestFailNextRefusesUndocumentedStatus(t *testing.T) {
	e := iproovtest.New()
	assert.Error(t, e.FailNext("userVerifyValidate", http.StatusTeapot))
	assert.Error(t, e.FailNext("noSuchOperation", 500))
	assert.NoError(t, e.FailNext("userVerifyValidate", 404))
}
