package iproov

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/transport"
)

// Scopes of the Management API, for WithScopes.
const (
	ScopeUserRead        = "user-read"
	ScopeUserWrite       = "user-write"
	ScopeUserWriteStatus = "user-write-status"
)

// An access token lives 1 hour or 50 requests, whichever comes first.
const (
	AccessTokenLife = time.Hour
	AccessTokenUses = 50
	// renewEarly renews a token this long before its hour is up, so a call in flight
	// never carries a token that expires on the way.
	renewEarly = 30 * time.Second
)

// UserStatus is a user's state, lower-cased (iProov has sent both "Active" and "active").
type UserStatus string

// User states. Unknown states are kept as sent (lower-cased); only StatusActive can verify.
const (
	StatusActive    UserStatus = "active"
	StatusInactive  UserStatus = "inactive"
	StatusSuspended UserStatus = "suspended"
	StatusDeleted   UserStatus = "deleted"
)

// User is an enrolled user as the Management API shows it. Name is the display name
// shown during the capture: String and LogValue leave it out.
type User struct {
	ID          string
	Name        string
	Status      UserStatus
	ActivatedAt *time.Time
	SuspendedAt *time.Time
}

// CanVerify reports whether verify tokens can be issued for the user.
func (u User) CanVerify() bool { return u.Status == StatusActive }

// String describes the user without the display name.
func (u User) String() string { return fmt.Sprintf("iproov.User{id=%s status=%s}", u.ID, u.Status) }

// GoString is String, so %#v cannot print the display name either.
func (u User) GoString() string { return u.String() }

// LogValue logs the user without the display name.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_id", u.ID), slog.String("status", string(u.Status)))
}

func userOf(v *claim.UserResponse) *User {
	u := &User{ID: v.UserId, Name: v.Name, Status: UserStatus(strings.ToLower(string(v.Status)))}
	u.ActivatedAt, u.SuspendedAt = v.ActivationDate, v.SuspensionDate
	return u
}

// tokenCache holds the Management API's access token and counts its uses. The lock
// guards the fields only: a token request runs outside it, once for all who need one
// (flight), so a slow token endpoint never holds a caller past its own context.
type tokenCache struct {
	mu      sync.Mutex
	token   string
	expires time.Time
	uses    int
	flight  singleflight.Group
}

// tokenFetchLimit bounds a token request: it runs on behalf of every caller waiting for
// it, so no one caller's context may end it, but it must end.
const tokenFetchLimit = 30 * time.Second

// accessToken returns a token with a use left, asking for a new one when the cached one
// is used up (50 requests) or about to expire (1 hour). Each call counts one use.
// Concurrent callers share one token request; each waits for it only as long as its own
// ctx allows.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.tokens.mu.Lock()
	if c.tokens.token != "" && c.tokens.uses < AccessTokenUses && c.now().Before(c.tokens.expires.Add(-renewEarly)) {
		c.tokens.uses++
		token := c.tokens.token
		c.tokens.mu.Unlock()
		return token, nil
	}
	c.tokens.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", &transport.RequestError{Vendor: vendor, Operation: "generateToken", Err: err}
	}
	ch := c.tokens.flight.DoChan("access_token", func() (any, error) {
		// Not the caller's cancellation: one impatient caller must not fail the others.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchLimit)
		defer cancel()
		asked := c.now() // the token's hour runs from about when it was asked for
		token, life, err := c.generateToken(fctx)
		if err != nil {
			return "", err
		}
		c.tokens.mu.Lock()
		c.tokens.token, c.tokens.expires, c.tokens.uses = token, asked.Add(life), 0
		c.tokens.mu.Unlock()
		return token, nil
	})
	select {
	case <-ctx.Done():
		return "", &transport.RequestError{Vendor: vendor, Operation: "generateToken", Err: ctx.Err()}
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		token := r.Val.(string)
		c.tokens.mu.Lock()
		if c.tokens.token == token {
			c.tokens.uses++
		}
		c.tokens.mu.Unlock()
		return token, nil
	}
}

// dropToken forgets token if it is still the cached one, after iProov refused it.
func (c *Client) dropToken(token string) {
	c.tokens.mu.Lock()
	if c.tokens.token == token {
		c.tokens.token = ""
	}
	c.tokens.mu.Unlock()
}

// generateToken asks for an access token (POST /{api_key}/access_token) with the OAuth
// username and password over HTTP Basic.
func (c *Client) generateToken(ctx context.Context) (string, time.Duration, error) {
	const op = "generateToken"
	form := url.Values{"grant_type": {"client_credentials"}}
	for _, s := range c.scopes {
		form.Add("scope", s)
	}
	ctx = transport.WithOperation(ctx, op)
	basic := func(_ context.Context, r *http.Request) error {
		r.SetBasicAuth(c.oauthUser, c.oauthPass)
		return nil
	}
	res, err := c.api.GenerateTokenWithBodyWithResponse(ctx, c.apiKey, "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), basic)
	if err != nil {
		return "", 0, c.tc.Wrap(ctx, op, err)
	}
	if err := c.check(ctx, op, res.HTTPResponse, res.Body, res.JSON200 != nil, tokenFields...); err != nil {
		return "", 0, err
	}
	life := time.Duration(expiresIn(res.JSON200.ExpiresIn)) * time.Second
	if life <= 0 || life > AccessTokenLife {
		life = AccessTokenLife
	}
	return res.JSON200.AccessToken, life, nil
}

// manage runs a Management API call with the cached access token. When iProov refuses the
// token (expired early, or its quota counted differently) it is renewed and the call made
// once more: iProov refused it before acting, so the repeat cannot act twice.
func manage[R any](ctx context.Context, c *Client, op, userID string, call func(ctx context.Context, bearer claim.RequestEditorFn) (*R, *http.Response, []byte, bool, error)) (*R, error) {
	if err := c.ready(op); err != nil {
		return nil, err
	}
	if c.oauthUser == "" {
		return nil, transport.Invalid(vendor, op, "oauth", "the Management API needs WithOAuth")
	}
	if err := checkUserID(op, "user_id", userID); err != nil {
		return nil, err
	}
	ctx = transport.WithOperation(ctx, op)
	for attempt := 1; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		bearer := func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		}
		out, resp, body, decoded, err := call(ctx, bearer)
		if err != nil {
			return nil, c.tc.Wrap(ctx, op, err)
		}
		err = c.check(ctx, op, resp, body, decoded, userFields...)
		if code := CodeOf(err); attempt == 1 && (code == CodeInvalidOAuth && resp.StatusCode == http.StatusUnauthorized || code == CodeTokenQuotaExceeded) {
			c.dropToken(token)
			continue
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// GetUser reads a user (GET /users/{user_id}, scope user-read). A user that does not
// exist answers invalid_user_id (see Code).
func (c *Client) GetUser(ctx context.Context, userID string) (*User, error) {
	return manage(ctx, c, "userGet", userID, func(ctx context.Context, b claim.RequestEditorFn) (*User, *http.Response, []byte, bool, error) {
		res, err := c.api.UserGetWithResponse(ctx, userID, b)
		if err != nil {
			return nil, nil, nil, false, err
		}
		if res.JSON200 == nil {
			return nil, res.HTTPResponse, res.Body, false, nil
		}
		return userOf(res.JSON200), res.HTTPResponse, res.Body, true, nil
	})
}

// UserUpdate changes a user's id, display name or both.
type UserUpdate struct {
	NewUserID string
	Name      string
}

// UpdateUser renames a user or sets its display name (PUT /users/{user_id}, scope
// user-write).
func (c *Client) UpdateUser(ctx context.Context, userID string, upd UserUpdate) (*User, error) {
	const op = "userUpdate"
	if err := c.ready(op); err != nil {
		return nil, err
	}
	body := claim.UpdateUserRequest{}
	if upd.NewUserID != "" {
		if err := checkUserID(op, "new_user_id", upd.NewUserID); err != nil {
			return nil, err
		}
		body.UserId = &upd.NewUserID
	}
	if upd.Name != "" {
		body.Name = &upd.Name
	}
	if body.UserId == nil && body.Name == nil {
		return nil, transport.Invalid(vendor, op, "update", "names neither a new user id nor a name")
	}
	return manage(ctx, c, op, userID, func(ctx context.Context, b claim.RequestEditorFn) (*User, *http.Response, []byte, bool, error) {
		res, err := c.api.UserUpdateWithResponse(ctx, userID, body, b)
		if err != nil {
			return nil, nil, nil, false, err
		}
		if res.JSON200 == nil {
			return nil, res.HTTPResponse, res.Body, false, nil
		}
		return userOf(res.JSON200), res.HTTPResponse, res.Body, true, nil
	})
}

// DeleteUser deletes a user (DELETE /users/{user_id}, scope user-write). A deleted user
// can no longer verify, iProov can no longer investigate fraud on it, and its user id can
// be enrolled again.
func (c *Client) DeleteUser(ctx context.Context, userID string) (*User, error) {
	return manage(ctx, c, "userDelete", userID, func(ctx context.Context, b claim.RequestEditorFn) (*User, *http.Response, []byte, bool, error) {
		res, err := c.api.UserDeleteWithResponse(ctx, userID, b)
		if err != nil {
			return nil, nil, nil, false, err
		}
		if res.JSON200 == nil {
			return nil, res.HTTPResponse, res.Body, false, nil
		}
		return userOf(res.JSON200), res.HTTPResponse, res.Body, true, nil
	})
}

func changeState(at time.Time) claim.ChangeStateRequest {
	if at.IsZero() {
		return claim.ChangeStateRequest{}
	}
	t := at.UTC()
	return claim.ChangeStateRequest{DateTime: &t}
}

// ActivateUser activates a user (POST /users/{user_id}/activate, scope
// user-write-status); at zero means now.
func (c *Client) ActivateUser(ctx context.Context, userID string, at time.Time) (*User, error) {
	return manage(ctx, c, "userActivate", userID, func(ctx context.Context, b claim.RequestEditorFn) (*User, *http.Response, []byte, bool, error) {
		res, err := c.api.UserActivateWithResponse(ctx, userID, changeState(at), b)
		if err != nil {
			return nil, nil, nil, false, err
		}
		if res.JSON200 == nil {
			return nil, res.HTTPResponse, res.Body, false, nil
		}
		return userOf(res.JSON200), res.HTTPResponse, res.Body, true, nil
	})
}

// SuspendUser suspends a user (POST /users/{user_id}/suspend, scope user-write-status);
// at zero means now. No verify token is issued for a suspended user (inactive_user).
func (c *Client) SuspendUser(ctx context.Context, userID string, at time.Time) (*User, error) {
	return manage(ctx, c, "userSuspend", userID, func(ctx context.Context, b claim.RequestEditorFn) (*User, *http.Response, []byte, bool, error) {
		res, err := c.api.UserSuspendWithResponse(ctx, userID, changeState(at), b)
		if err != nil {
			return nil, nil, nil, false, err
		}
		if res.JSON200 == nil {
			return nil, res.HTTPResponse, res.Body, false, nil
		}
		return userOf(res.JSON200), res.HTTPResponse, res.Body, true, nil
	})
}

// expiresIn reads expires_in as a number of seconds, written as a JSON integer (RFC 6749)
// or as a string of digits (iProov's own Swagger example, "3600"). Anything else reads as
// 0, which the caller replaces by the documented hour.
func expiresIn(v claim.ExpiresIn) int {
	if n, err := v.AsExpiresIn0(); err == nil {
		return n
	}
	if s, err := v.AsExpiresIn1(); err == nil {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return 0
}
