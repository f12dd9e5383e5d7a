package hostile_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

func iproovCatalogue(w *iproovWorld) []badInput {
	c := w.client
	// A fresh token per claim: a case that wrongly sends its claim cannot spend another's.
	enrolClaim := func() *iproov.Claim {
		return &iproov.Claim{Type: iproov.Enrol, Token: sandbox.RandomHex(32), UserID: "hostile-user", IssuedAt: w.clock.Now()}
	}
	verifyClaim := func() *iproov.Claim {
		return &iproov.Claim{Type: iproov.Verify, Token: sandbox.RandomHex(32), UserID: "hostile-user", IssuedAt: w.clock.Now()}
	}
	ok := iproov.TokenRequest{UserID: "hostile-user", Resource: "onboarding"}
	req := func(f func(r *iproov.TokenRequest)) iproov.TokenRequest { r := ok; f(&r); return r }
	png := sandbox.FaceImage("hostile-photo")
	photo := func(img []byte) func() error {
		return func() error {
			_, err := c.EnrolImage(ctx, enrolClaim(), iproov.Photo{Image: img, Source: iproov.SourceOID})
			return err
		}
	}
	var n int
	fresh := func(prefix string) string { n++; return prefix + "-" + strings.Repeat("x", n) }
	enrolToken := func(t *testing.T, user string) *iproov.Claim {
		t.Helper()
		cl, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding"})
		require.NoError(t, err)
		return cl
	}
	// validated returns a capture-enrol claim already validated.
	validated := func(t *testing.T) *iproov.Claim {
		t.Helper()
		cl := enrolToken(t, fresh("validated"))
		require.NoError(t, w.emu.CaptureFace(cl.Token, "hostile-face"))
		_, err := c.EnrolValidate(ctx, cl, iproov.ValidateOptions{})
		require.NoError(t, err)
		return cl
	}

	return []badInput{
		// Construction.
		{name: "new: empty api key", field: "api_key", bad: call(func() error { _, err := iproov.New("", "secret-0123456789"); return err })},
		{name: "new: whitespace secret", field: "secret", bad: call(func() error { _, err := iproov.New("key-0123456789", "  "); return err })},
		{name: "new: OAuth username without password", field: "oauth", bad: call(func() error {
			_, err := iproov.New("key-0123456789", "secret-0123456789", iproov.WithOAuth("user", ""))
			return err
		})},
		{name: "new: unknown region", field: "region", bad: call(func() error {
			_, err := iproov.New("key-0123456789", "secret-0123456789", iproov.WithRegion("mars"))
			return err
		})},

		// Token requests: user_id pattern, resource, enums.
		{name: "enrol token: empty user_id", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "" }))
			return err
		})},
		{name: "enrol token: user_id with a space", field: "user_id", leak: "John SECRET Doe", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "John SECRET Doe" }))
			return err
		})},
		{name: "enrol token: user_id with a path", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "../users/admin" }))
			return err
		})},
		{name: "enrol token: user_id over 256 characters", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = strings.Repeat("u", 257) }))
			return err
		})},
		{name: "enrol token: user_id with non-ASCII letters", field: "user_id", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "jöhn" }))
			return err
		})},
		{name: "verify token: user_id with a newline", field: "user_id", bad: call(func() error {
			_, err := c.VerifyToken(ctx, req(func(r *iproov.TokenRequest) { r.UserID = "user\n1" }))
			return err
		})},
		{name: "verify token: whitespace resource", field: "resource", bad: call(func() error {
			_, err := c.VerifyToken(ctx, req(func(r *iproov.TokenRequest) { r.Resource = " \t" }))
			return err
		})},
		{name: "verify token: unknown assurance type", field: "assurance_type", bad: call(func() error {
			_, err := c.VerifyToken(ctx, req(func(r *iproov.TokenRequest) { r.AssuranceType = "flash" }))
			return err
		})},
		{name: "enrol token: malformed risk profile", field: "risk_profile", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) { r.RiskProfile = "high risk!" }))
			return err
		})},
		{name: "enrol token: both already-enrolled recoveries", field: "if_enrolled", bad: call(func() error {
			_, err := c.EnrolToken(ctx, req(func(r *iproov.TokenRequest) {
				r.IfEnrolled = iproov.IfEnrolled{DeleteUser: true, NewUserID: func() (string, error) { return "other", nil }}
			}))
			return err
		})},

		// Photo enrol: image size and type, source enum.
		{name: "photo: image over 2 MB", field: "image", bad: call(photo(append(append([]byte{}, png...), make([]byte, iproov.MaxImageBytes)...)))},
		{name: "photo: GIF bytes", field: "image", bad: call(photo([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")))},
		{name: "photo: text bytes", field: "image", bad: call(photo([]byte("this is a passport photo, honest")))},
		{name: "photo: empty image", field: "image", bad: call(photo(nil))},
		{name: "photo: PNG signature followed by text", field: "image", bad: call(photo(append([]byte("\x89PNG\r\n\x1a\n"), "not really a png at all"...)))},
		{name: "photo: JPEG marker followed by text", field: "image", bad: call(photo(append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "not really a jpeg at all"...)))},
		{name: "photo: image given as base64 text", field: "image", bad: call(photo([]byte(base64.StdEncoding.EncodeToString(png))))},
		{name: "photo: unknown source", field: "source", bad: call(func() error {
			_, err := c.EnrolImage(ctx, enrolClaim(), iproov.Photo{Image: png, Source: "passport"})
			return err
		})},
		{name: "photo: no source", field: "source", bad: call(func() error {
			_, err := c.EnrolImage(ctx, enrolClaim(), iproov.Photo{Image: png})
			return err
		})},
		{name: "photo: nil claim", field: "claim", bad: call(func() error {
			_, err := c.EnrolImage(ctx, nil, iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		})},
		{name: "photo: verify claim", field: "claim", is: iproov.ErrWrongClaim, bad: call(func() error {
			_, err := c.EnrolImage(ctx, verifyClaim(), iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		})},
		{name: "photo: claim older than the claim window", field: "claim", is: iproov.ErrClaimExpired, bad: call(func() error {
			old := enrolClaim()
			old.IssuedAt = w.clock.Now().Add(-iproov.ClaimWindow - time.Second)
			_, err := c.EnrolImage(ctx, old, iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		})},
		{name: "photo flow: bad image before the enrol token", field: "image", bad: call(func() error {
			_, err := c.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: ok, Photo: iproov.Photo{Image: []byte("GIF87a"), Source: iproov.SourceEID}})
			return err
		})},

		// Validation: order, reuse, nil, zero and tampered claims.
		{name: "validate: nil claim", field: "claim", bad: call(func() error { _, err := c.VerifyValidate(ctx, nil, iproov.ValidateOptions{}); return err })},
		{name: "validate: zero claim (no token yet)", field: "claim", bad: call(func() error {
			_, err := c.EnrolValidate(ctx, &iproov.Claim{}, iproov.ValidateOptions{})
			return err
		})},
		{name: "validate: enrol claim on verify validate", field: "claim", is: iproov.ErrWrongClaim, bad: call(func() error {
			_, err := c.VerifyValidate(ctx, enrolClaim(), iproov.ValidateOptions{})
			return err
		})},
		{name: "validate: verify claim on enrol validate", field: "claim", is: iproov.ErrWrongClaim, bad: call(func() error {
			_, err := c.EnrolValidate(ctx, verifyClaim(), iproov.ValidateOptions{})
			return err
		})},
		{name: "validate: second validation of a token", field: "claim", is: iproov.ErrClaimUsed, bad: func(t *testing.T) func() error {
			cl := validated(t)
			return func() error { _, err := c.EnrolValidate(ctx, cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: second validation with the used flag cleared in storage", field: "claim", is: iproov.ErrClaimUsed, bad: func(t *testing.T) func() error {
			cl := tamper(t, *validated(t), func(m map[string]any) { delete(m, "used") })
			require.False(t, cl.Used)
			return func() error { _, err := c.EnrolValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: token tampered to a path", field: "claim", bad: func(t *testing.T) func() error {
			cl := tamper(t, *enrolClaim(), func(m map[string]any) { m["token"] = "../../users/hostile-user" })
			return func() error { _, err := c.EnrolValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: user_id tampered to a malformed one", field: "user_id", bad: func(t *testing.T) func() error {
			cl := tamper(t, *verifyClaim(), func(m map[string]any) { m["user_id"] = "a b" })
			return func() error { _, err := c.VerifyValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: type tampered to an unknown one", field: "claim", is: iproov.ErrWrongClaim, bad: func(t *testing.T) func() error {
			cl := tamper(t, *verifyClaim(), func(m map[string]any) { m["type"] = "admin" })
			return func() error { _, err := c.VerifyValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: risk profile tampered to a malformed one", field: "risk_profile", bad: func(t *testing.T) func() error {
			cl := tamper(t, *verifyClaim(), func(m map[string]any) { m["risk_profile"] = "x' OR 1=1" })
			return func() error { _, err := c.VerifyValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate: IPv6 end-user address", field: "ip", bad: call(func() error {
			_, err := c.VerifyValidate(ctx, verifyClaim(), iproov.ValidateOptions{IP: "2001:db8::1"})
			return err
		})},
		{name: "validate: not an IP address", field: "ip", bad: call(func() error {
			_, err := c.VerifyValidate(ctx, verifyClaim(), iproov.ValidateOptions{IP: "localhost"})
			return err
		})},
		{name: "validate: leave suspended on a verification", field: "leave_suspended", bad: call(func() error {
			_, err := c.VerifyValidate(ctx, verifyClaim(), iproov.ValidateOptions{LeaveSuspended: true})
			return err
		})},
		{name: "photo: token already spent by a photo enrol", field: "claim", is: iproov.ErrClaimUsed, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("photo-twice"))
			_, err := c.EnrolImage(ctx, cl, iproov.Photo{Image: png, Source: iproov.SourceOID})
			require.NoError(t, err)
			return func() error {
				_, err := c.EnrolImage(ctx, cl, iproov.Photo{Image: png, Source: iproov.SourceOID})
				return err
			}
		}},

		// Invalidation.
		{name: "invalidate: empty reason", field: "reason", bad: call(func() error { _, err := c.Invalidate(ctx, enrolClaim(), ""); return err })},
		{name: "invalidate: reason with markup", field: "reason", bad: call(func() error {
			_, err := c.Invalidate(ctx, enrolClaim(), "<script>alert(1)</script>")
			return err
		})},
		{name: "invalidate: nil claim", field: "claim", bad: call(func() error { _, err := c.Invalidate(ctx, nil, "user left"); return err })},
		{name: "invalidate: token tampered to a dot segment", field: "claim", bad: func(t *testing.T) func() error {
			cl := tamper(t, *enrolClaim(), func(m map[string]any) { m["token"] = ".." })
			return func() error { _, err := c.Invalidate(ctx, &cl, "user left"); return err }
		}},

		// Management API.
		{name: "users: no OAuth credentials", field: "oauth", bad: func(t *testing.T) func() error {
			noOAuth := w.newClient(t, w.emu.APIKey(), w.emu.Secret())
			return func() error { _, err := noOAuth.GetUser(ctx, "hostile-user"); return err }
		}},
		{name: "users: empty user_id", field: "user_id", bad: call(func() error { _, err := c.DeleteUser(ctx, ""); return err })},
		{name: "users: user_id with a path", field: "user_id", bad: call(func() error { _, err := c.GetUser(ctx, "a/../../b"); return err })},
		{name: "users: update with nothing to change", field: "update", bad: call(func() error {
			_, err := c.UpdateUser(ctx, "hostile-user", iproov.UserUpdate{})
			return err
		})},
		{name: "users: update to a malformed user_id", field: "new_user_id", bad: call(func() error {
			_, err := c.UpdateUser(ctx, "hostile-user", iproov.UserUpdate{NewUserID: "new id"})
			return err
		})},

		// Rules only iProov can judge.
		{name: "validate before the user's capture (vendor-side)", code: "invalid_token", status: 400, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("early"))
			return func() error { _, err := c.EnrolValidate(ctx, cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "verify token before the user was enrolled (vendor-side)", code: "no_user", status: 400, bad: call(func() error {
			_, err := c.VerifyToken(ctx, iproov.TokenRequest{UserID: "never-enrolled", Resource: "login"})
			return err
		})},
		{name: "enrol token for an enrolled user (vendor-side)", code: "already_enrolled", status: 400, bad: func(t *testing.T) func() error {
			user := fresh("enrolled")
			w.enrolled(t, user, "hostile-face")
			return func() error {
				_, err := c.EnrolToken(ctx, iproov.TokenRequest{UserID: user, Resource: "onboarding"})
				return err
			}
		}},
		{name: "second validation from another client instance (vendor-side)", code: "invalid_token", status: 400, bad: func(t *testing.T) func() error {
			cl := tamper(t, *validated(t), func(m map[string]any) { delete(m, "used") })
			user, pass := w.emu.OAuthCredentials()
			other := w.newClient(t, w.emu.APIKey(), w.emu.Secret(), iproov.WithOAuth(user, pass))
			return func() error { _, err := other.EnrolValidate(ctx, &cl, iproov.ValidateOptions{}); return err }
		}},
		{name: "validate a claim whose user_id was changed in storage (vendor-side)", code: "invalid_validation", status: 400, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("swapped"))
			require.NoError(t, w.emu.CaptureFace(cl.Token, "hostile-face"))
			swapped := tamper(t, *cl, func(m map[string]any) { m["user_id"] = "someone-else" })
			return func() error { _, err := c.EnrolValidate(ctx, &swapped, iproov.ValidateOptions{}); return err }
		}},
		{name: "photo with a claim whose issue time was moved forward in storage (vendor-side)", code: "invalid_token", status: 400, bad: func(t *testing.T) func() error {
			cl := enrolToken(t, fresh("late-photo"))
			w.clock.Advance(iproov.ClaimWindow + time.Second)
			moved := tamper(t, *cl, func(m map[string]any) { m["issued_at"] = w.clock.Now() })
			return func() error {
				_, err := c.EnrolImage(ctx, &moved, iproov.Photo{Image: png, Source: iproov.SourceOID})
				return err
			}
		}},
		{name: "wrong api key (vendor-side)", code: "invalid_key", status: 401, bad: func(t *testing.T) func() error {
			wrong := w.newClient(t, "wrongkey0000000000000000000000000000000", w.emu.Secret())
			return func() error { _, err := wrong.EnrolToken(ctx, ok); return err }
		}},
		{name: "wrong secret (vendor-side)", code: "invalid_key", status: 401, bad: func(t *testing.T) func() error {
			wrong := w.newClient(t, w.emu.APIKey(), "wrongsecret00000000000000000000000000000")
			return func() error { _, err := wrong.VerifyToken(ctx, ok); return err }
		}},
		{name: "wrong OAuth password (vendor-side)", code: "invalid_client", status: 400, bad: func(t *testing.T) func() error {
			user, _ := w.emu.OAuthCredentials()
			wrong := w.newClient(t, w.emu.APIKey(), w.emu.Secret(), iproov.WithOAuth(user, "wrong-oauth-password"))
			return func() error { _, err := wrong.GetUser(ctx, "hostile-user"); return err }
		}},
		{name: "user never enrolled (vendor-side)", code: "invalid_user_id", status: 400, bad: func(t *testing.T) func() error {
			user := fresh("managed")
			w.enrolled(t, user, "hostile-face")
			_, err := c.GetUser(ctx, user) // the access token is cached from here on
			require.NoError(t, err)
			return func() error { _, err := c.GetUser(ctx, "ghost-user"); return err }
		}},
	}
}
