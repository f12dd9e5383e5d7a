package hostile_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

func iproovTenancy(t *testing.T) (map[string]tenancyCase, []string) {
	spB := iproovtest.ServiceProvider{APIKey: "tenantbkey000000000000000000000000000000", Secret: "tenantbsecret000000000000000000000000000",
		OAuthUsername: "tenant-b-oauth", OAuthPassword: "tenant-b-oauth-password"}
	emu := iproovtest.New(iproovtest.WithServiceProvider(spB))
	h := emu.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	keyA, secretA := emu.APIKey(), emu.Secret()
	userA, passA := emu.OAuthCredentials()
	client := func(key, secret, user, pass string) *iproov.Client {
		c, err := iproov.New(key, secret, iproov.WithBaseURL(srv.URL), iproov.WithOAuth(user, pass), iproov.WithTransport(noRetry))
		require.NoError(t, err)
		return c
	}
	a := client(keyA, secretA, userA, passA)

	// Tenant A: an enrolled user with a display name, a captured enrol claim and verify
	// claim waiting for validation, an unclaimed enrol claim for a photo.
	const userIDA, nameA = "tenant-a-user", "Tenantia Alphonse"
	enrol, err := a.EnrolToken(ctx, iproov.TokenRequest{UserID: userIDA, Resource: "onboarding"})
	require.NoError(t, err)
	require.NoError(t, emu.CaptureFace(enrol.Token, "tenant-a-face"))
	_, err = a.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	require.NoError(t, err)
	_, err = a.UpdateUser(ctx, userIDA, iproov.UserUpdate{Name: nameA})
	require.NoError(t, err)
	pendingA, err := a.EnrolToken(ctx, iproov.TokenRequest{UserID: "tenant-a-pending", Resource: "onboarding"})
	require.NoError(t, err)
	require.NoError(t, emu.CaptureFace(pendingA.Token, "tenant-a-pending-face"))
	verifyA, err := a.VerifyToken(ctx, iproov.TokenRequest{UserID: userIDA, Resource: "login"})
	require.NoError(t, err)
	require.NoError(t, emu.CaptureFace(verifyA.Token, "tenant-a-face"))
	photoA, err := a.EnrolToken(ctx, iproov.TokenRequest{UserID: "tenant-a-photo", Resource: "onboarding"})
	require.NoError(t, err)
	abortA, err := a.EnrolToken(ctx, iproov.TokenRequest{UserID: "tenant-a-aborted", Resource: "onboarding"})
	require.NoError(t, err)

	base := rawServer + iproovtest.BasePath + "/" // the builders resolve paths relative to it
	accessToken := func(key, user, pass string) string {
		r, err := claim.NewGenerateTokenRequestWithBody(base, key, "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
		require.NoError(t, err)
		r.SetBasicAuth(user, pass)
		status, body := send(t, h, r, nil)
		require.Equal(t, 200, status, body)
		var v struct {
			AccessToken string `json:"access_token"`
		}
		require.NoError(t, json.Unmarshal([]byte(strings.SplitN(body, "\n", 2)[0]), &v))
		return v.AccessToken
	}
	atA := accessToken(keyA, userA, passA)
	atB := accessToken(spB.APIKey, spB.OAuthUsername, spB.OAuthPassword)
	markers := []string{nameA, enrol.Token, pendingA.Token, verifyA.Token, photoA.Token, atA, "already_enrolled"}

	tokenReq := func(kind claim.ClaimType, key, secret, user string) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			body := claim.ServerClaimRequest{ApiKey: key, Secret: secret, Resource: "onboarding", UserId: user}
			r, err := claim.NewUserEnrolServerTokenRequest(base, body)
			if kind == claim.Verify {
				r, err = claim.NewUserVerifyServerTokenRequest(base, body)
			}
			return send(t, h, r, err)
		}
	}
	validate := func(kind claim.ClaimType, key, secret string, cl *iproov.Claim) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			if kind == claim.Enrol {
				r, err := claim.NewUserEnrolValidateRequest(base, claim.EnrolValidateRequest{ApiKey: key, Secret: secret, UserId: cl.UserID, Token: cl.Token, Client: "raw"})
				return send(t, h, r, err)
			}
			r, err := claim.NewUserVerifyValidateRequest(base, claim.ClaimValidateRequest{ApiKey: key, Secret: secret, UserId: cl.UserID, Token: cl.Token, Client: "raw"})
			return send(t, h, r, err)
		}
	}
	image := func(key, secret, token string) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, v := range map[string]string{"api_key": key, "secret": secret, "rotation": "0", "token": token, "source": "oid"} {
				if v != "" {
					require.NoError(t, mw.WriteField(k, v))
				}
			}
			part, err := mw.CreatePart(map[string][]string{"Content-Disposition": {`form-data; name="image"; filename="image.png"`}, "Content-Type": {"image/png"}})
			require.NoError(t, err)
			_, _ = part.Write(sandbox.FaceImage("tenant-b-face"))
			require.NoError(t, mw.Close())
			r, err := claim.NewUserEnrolImageRequestWithBody(base, mw.FormDataContentType(), &buf)
			return send(t, h, r, err)
		}
	}
	generate := func(key string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := claim.NewGenerateTokenRequestWithBody(base, key, "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
			return send(t, h, r, err, auth...)
		}
	}
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	users := func(op string, auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			var (
				r   *http.Request
				err error
			)
			switch op {
			case "userGet":
				r, err = claim.NewUserGetRequest(base, userIDA)
			case "userUpdate":
				name := "Hijacked Name"
				r, err = claim.NewUserUpdateRequest(base, userIDA, claim.UpdateUserRequest{Name: &name})
			case "userDelete":
				r, err = claim.NewUserDeleteRequest(base, userIDA)
			case "userActivate":
				r, err = claim.NewUserActivateRequest(base, userIDA, claim.ChangeStateRequest{})
			case "userSuspend":
				r, err = claim.NewUserSuspendRequest(base, userIDA, claim.ChangeStateRequest{})
			}
			return send(t, h, r, err, auth...)
		}
	}
	userIntact := func(t *testing.T) {
		u, err := a.GetUser(ctx, userIDA)
		require.NoError(t, err, "the first provider's user still exists")
		assert.Equal(t, nameA, u.Name)
		assert.Equal(t, iproov.StatusActive, u.Status)
	}
	userCase := func(op string) tenancyCase {
		return tenancyCase{
			anon: attempt{name: "no bearer token", want: []int{401}, send: users(op)},
			cross: []attempt{{name: "other provider's access token on the first's user", want: []int{400}, send: users(op, bearerHeader(atB)),
				check: func(t *testing.T, _ int, body string) {
					assert.Contains(t, body, "invalid_user_id", "the user does not exist for it")
				}}},
			after: userIntact,
		}
	}
	// bClaim checks that a claim issued to B is B's: A's credentials cannot validate it.
	bClaim := func(t *testing.T, _ int, body string) {
		var v struct {
			Token string `json:"token"`
		}
		require.NoError(t, json.Unmarshal([]byte(strings.SplitN(body, "\n", 2)[0]), &v))
		require.NotEmpty(t, v.Token)
		require.NoError(t, emu.CaptureFace(v.Token, "tenant-b-face"))
		status, out := validate(claim.Enrol, keyA, secretA, &iproov.Claim{Token: v.Token, UserID: userIDA})(t)
		assert.Equal(t, 400, status, "the first provider cannot validate the other's claim: %s", out)
	}

	return map[string]tenancyCase{
		"iproov/claim/userEnrolServerToken": {
			anon: attempt{name: "no api_key or secret", want: []int{400, 401}, send: tokenReq(claim.Enrol, "", "", userIDA)},
			cross: []attempt{{name: "other provider enrols the same user id in its own namespace", want: []int{200}, check: bClaim,
				send: tokenReq(claim.Enrol, spB.APIKey, spB.Secret, userIDA)}},
		},
		"iproov/claim/userVerifyServerToken": {
			anon:  attempt{name: "no api_key or secret", want: []int{400, 401}, send: tokenReq(claim.Verify, "", "", userIDA)},
			cross: []attempt{{name: "other provider asks to verify the first's user", want: []int{400}, send: tokenReq(claim.Verify, spB.APIKey, spB.Secret, userIDA)}},
		},
		"iproov/claim/userEnrolImage": {
			anon:  attempt{name: "no api_key or secret", want: []int{400, 401}, send: image("", "", photoA.Token)},
			cross: []attempt{{name: "other provider spends the first's token", want: []int{400}, send: image(spB.APIKey, spB.Secret, photoA.Token)}},
			after: func(t *testing.T) {
				res, err := a.EnrolImage(ctx, photoA, iproov.Photo{Image: sandbox.FaceImage("tenant-a-photo-face"), Source: iproov.SourceOID})
				require.NoError(t, err, "the first provider's token was not spent")
				assert.True(t, res.Enrolled)
			},
		},
		"iproov/claim/userEnrolValidate": {
			anon:  attempt{name: "no api_key or secret", want: []int{400, 401}, send: validate(claim.Enrol, "", "", pendingA)},
			cross: []attempt{{name: "other provider validates the first's claim", want: []int{400}, send: validate(claim.Enrol, spB.APIKey, spB.Secret, pendingA)}},
			after: func(t *testing.T) {
				res, err := a.EnrolValidate(ctx, pendingA, iproov.ValidateOptions{})
				require.NoError(t, err, "the first provider's claim was not spent")
				assert.True(t, res.Passed)
			},
		},
		"iproov/claim/userVerifyValidate": {
			anon:  attempt{name: "no api_key or secret", want: []int{400, 401}, send: validate(claim.Verify, "", "", verifyA)},
			cross: []attempt{{name: "other provider validates the first's claim", want: []int{400}, send: validate(claim.Verify, spB.APIKey, spB.Secret, verifyA)}},
			after: func(t *testing.T) {
				res, err := a.VerifyValidate(ctx, verifyA, iproov.ValidateOptions{})
				require.NoError(t, err, "the first provider's claim was not spent")
				assert.True(t, res.Passed)
			},
		},
		"iproov/claim/invalidateToken": {
			public: "iProov documents no credentials for invalidate: the unguessable claim token is the capability, and the call can only abort an unfinished claim, never read it",
			anon: attempt{name: "no credentials", check: func(t *testing.T, status int, body string) {
				assert.Equal(t, 200, status, body)
				assert.NotContains(t, body, "tenant-a", "nothing of the claim is revealed")
			}, send: func(t *testing.T) (int, string) {
				r, err := claim.NewInvalidateTokenRequest(base, abortA.Token, claim.InvalidateClaimRequest{Reason: "left"})
				return send(t, h, r, err)
			}},
			cross: []attempt{{name: "an invalid bearer token sent anyway", want: []int{401}, send: func(t *testing.T) (int, string) {
				r, err := claim.NewInvalidateTokenRequest(base, abortA.Token, claim.InvalidateClaimRequest{Reason: "left"})
				return send(t, h, r, err, bearerHeader("not-a-token"))
			}}},
		},
		"iproov/claim/generateToken": {
			anon:  attempt{name: "no Basic credentials", want: []int{400}, send: generate(keyA)},
			cross: []attempt{{name: "other provider's OAuth client on the first's api_key", want: []int{400}, send: generate(keyA, basic(spB.OAuthUsername, spB.OAuthPassword))}},
		},
		"iproov/claim/userGet":      userCase("userGet"),
		"iproov/claim/userUpdate":   userCase("userUpdate"),
		"iproov/claim/userDelete":   userCase("userDelete"),
		"iproov/claim/userActivate": userCase("userActivate"),
		"iproov/claim/userSuspend":  userCase("userSuspend"),
		"iproov/claim/platformAvailable": {
			public: "availability is a platform status: the api_key in the query names the service provider, no secret is asked, and the answer is up or down only",
			anon: attempt{name: "no api_key", send: func(t *testing.T) (int, string) {
				r, err := claim.NewPlatformAvailableRequest(base, &claim.PlatformAvailableParams{})
				return send(t, h, r, err)
			}},
			cross: []attempt{{name: "other provider's api_key", want: []int{200}, send: func(t *testing.T) (int, string) {
				r, err := claim.NewPlatformAvailableRequest(base, &claim.PlatformAvailableParams{ApiKey: spB.APIKey})
				return send(t, h, r, err)
			}, check: func(t *testing.T, _ int, body string) {
				var v map[string]any
				require.NoError(t, json.Unmarshal([]byte(strings.SplitN(body, "\n", 2)[0]), &v))
				assert.Equal(t, []string{"up"}, keys(v), "up or down, nothing else")
			}}},
		},
	}, markers
}
