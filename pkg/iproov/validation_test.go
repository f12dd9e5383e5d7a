package iproov_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
)

// TestClientSideValidation covers every check made before a request leaves: each must
// fail with a *transport.ValidationError naming the field, and send nothing.
func TestClientSideValidation(t *testing.T) {
	e := newEnv(t, nil)
	noOAuth := e.newClient(iproov.WithOAuth("", ""))
	enrol := func() *iproov.Claim {
		return &iproov.Claim{Type: iproov.Enrol, Token: strings.Repeat("a", 64), UserID: "u1", IssuedAt: t0}
	}
	verify := func() *iproov.Claim {
		return &iproov.Claim{Type: iproov.Verify, Token: strings.Repeat("b", 64), UserID: "u1", IssuedAt: t0}
	}
	png := sandbox.FaceImage("alice")
	ok := iproov.TokenRequest{UserID: "u1", Resource: "onboarding"}
	with := func(f func(r *iproov.TokenRequest)) iproov.TokenRequest { r := ok; f(&r); return r }

	tests := []struct {
		name     string
		call     func() error
		field    string
		sentinel error
	}{
		{"empty user_id", func() error {
			_, err := e.client.EnrolToken(ctx, with(func(r *iproov.TokenRequest) { r.UserID = "" }))
			return err
		}, "user_id", nil},
		{"user_id with a space", func() error {
			_, err := e.client.VerifyToken(ctx, with(func(r *iproov.TokenRequest) { r.UserID = "John Doe" }))
			return err
		}, "user_id", nil},
		{"user_id over 256", func() error {
			_, err := e.client.EnrolToken(ctx, with(func(r *iproov.TokenRequest) { r.UserID = strings.Repeat("x", 257) }))
			return err
		}, "user_id", nil},
		{"empty resource", func() error {
			_, err := e.client.EnrolToken(ctx, with(func(r *iproov.TokenRequest) { r.Resource = " " }))
			return err
		}, "resource", nil},
		{"unknown assurance type", func() error {
			_, err := e.client.VerifyToken(ctx, with(func(r *iproov.TokenRequest) { r.AssuranceType = "flash" }))
			return err
		}, "assurance_type", nil},
		{"malformed risk profile", func() error {
			_, err := e.client.EnrolToken(ctx, with(func(r *iproov.TokenRequest) { r.RiskProfile = "D 33" }))
			return err
		}, "risk_profile", nil},
		{"both recoveries", func() error {
			_, err := e.client.EnrolToken(ctx, with(func(r *iproov.TokenRequest) {
				r.IfEnrolled = iproov.IfEnrolled{DeleteUser: true, NewUserID: func() (string, error) { return "x", nil }}
			}))
			return err
		}, "if_enrolled", nil},
		{"delete recovery without OAuth", func() error {
			_, err := noOAuth.EnrolToken(ctx, with(func(r *iproov.TokenRequest) { r.IfEnrolled.DeleteUser = true }))
			return err
		}, "if_enrolled", nil},
		{"photo without source", func() error { _, err := e.client.EnrolImage(ctx, enrol(), iproov.Photo{Image: png}); return err }, "source", nil},
		{"photo with unknown source", func() error {
			_, err := e.client.EnrolImage(ctx, enrol(), iproov.Photo{Image: png, Source: "passport"})
			return err
		}, "source", nil},
		{"empty photo", func() error {
			_, err := e.client.EnrolImage(ctx, enrol(), iproov.Photo{Source: iproov.SourceEID})
			return err
		}, "image", nil},
		{"photo over 2 MB", func() error {
			_, err := e.client.EnrolImage(ctx, enrol(), iproov.Photo{Image: append(png, make([]byte, iproov.MaxImageBytes)...), Source: iproov.SourceEID})
			return err
		}, "image", nil},
		{"photo that is a PDF", func() error {
			_, err := e.client.EnrolImage(ctx, enrol(), iproov.Photo{Image: []byte("%PDF-1.7"), Source: iproov.SourceEID})
			return err
		}, "image", nil},
		{"photo enrol with a verify claim", func() error {
			_, err := e.client.EnrolImage(ctx, verify(), iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		}, "claim", iproov.ErrWrongClaim},
		{"photo enrol after the claim window", func() error {
			old := enrol()
			old.IssuedAt = t0.Add(-iproov.ClaimWindow)
			_, err := e.client.EnrolImage(ctx, old, iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		}, "claim", iproov.ErrClaimExpired},
		{"photo enrol with a used claim", func() error {
			used := enrol()
			used.Used = true
			_, err := e.client.EnrolImage(ctx, used, iproov.Photo{Image: png, Source: iproov.SourceEID})
			return err
		}, "claim", iproov.ErrClaimUsed},
		{"photo enrol flow without source", func() error {
			_, err := e.client.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: ok, Photo: iproov.Photo{Image: png}})
			return err
		}, "source", nil},
		{"nil claim", func() error { _, err := e.client.VerifyValidate(ctx, nil, iproov.ValidateOptions{}); return err }, "claim", nil},
		{"claim without token", func() error {
			_, err := e.client.VerifyValidate(ctx, &iproov.Claim{Type: iproov.Verify, UserID: "u1"}, iproov.ValidateOptions{})
			return err
		}, "claim", nil},
		{"verify validate with an enrol claim", func() error { _, err := e.client.VerifyValidate(ctx, enrol(), iproov.ValidateOptions{}); return err }, "claim", iproov.ErrWrongClaim},
		{"enrol validate with a verify claim", func() error { _, err := e.client.EnrolValidate(ctx, verify(), iproov.ValidateOptions{}); return err }, "claim", iproov.ErrWrongClaim},
		{"validate with a used claim", func() error {
			used := verify()
			used.Used = true
			_, err := e.client.VerifyValidate(ctx, used, iproov.ValidateOptions{})
			return err
		}, "claim", iproov.ErrClaimUsed},
		{"validate with a malformed stored user_id", func() error {
			bad := verify()
			bad.UserID = "a b"
			_, err := e.client.VerifyValidate(ctx, bad, iproov.ValidateOptions{})
			return err
		}, "user_id", nil},
		{"validate with an IPv6 ip", func() error {
			_, err := e.client.VerifyValidate(ctx, verify(), iproov.ValidateOptions{IP: "::1"})
			return err
		}, "ip", nil},
		{"leave suspended on verify", func() error {
			_, err := e.client.VerifyValidate(ctx, verify(), iproov.ValidateOptions{LeaveSuspended: true})
			return err
		}, "leave_suspended", nil},
		{"invalidate without reason", func() error { _, err := e.client.Invalidate(ctx, enrol(), ""); return err }, "reason", nil},
		{"invalidate with a disallowed reason", func() error { _, err := e.client.Invalidate(ctx, enrol(), "<b>no</b>"); return err }, "reason", nil},
		{"users without OAuth", func() error { _, err := noOAuth.GetUser(ctx, "u1"); return err }, "oauth", nil},
		{"users with a malformed user_id", func() error { _, err := e.client.DeleteUser(ctx, "a/b"); return err }, "user_id", nil},
		{"update with nothing to change", func() error { _, err := e.client.UpdateUser(ctx, "u1", iproov.UserUpdate{}); return err }, "update", nil},
		{"update to a malformed user_id", func() error {
			_, err := e.client.UpdateUser(ctx, "u1", iproov.UserUpdate{NewUserID: "new id"})
			return err
		}, "new_user_id", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.calls.Load()
			err := tt.call()
			require.Error(t, err)
			var verr *transport.ValidationError
			require.True(t, errors.As(err, &verr), "want a *transport.ValidationError, got %T: %v", err, err)
			assert.Equal(t, tt.field, verr.Field)
			assert.Equal(t, "iproov", verr.Vendor)
			assert.ErrorIs(t, err, transport.ErrValidation)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			assert.Equal(t, before, e.calls.Load(), "nothing was sent")
		})
	}
}

func TestNewValidatesCredentials(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		secret string
		opts   []iproov.Option
		field  string
	}{
		{"empty api key", "", "s", nil, "api_key"},
		{"empty secret", "k", " ", nil, "secret"},
		{"OAuth username without password", "k", "s", []iproov.Option{iproov.WithOAuth("user", "")}, "oauth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := iproov.New(tt.key, tt.secret, tt.opts...)
			var verr *transport.ValidationError
			require.True(t, errors.As(err, &verr))
			assert.Equal(t, tt.field, verr.Field)
		})
	}
	_, err := iproov.New("k", "s", iproov.WithRegion("mars"))
	assert.Error(t, err)
}
