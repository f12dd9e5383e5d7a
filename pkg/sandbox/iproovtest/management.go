package iproovtest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/iproov/claim"
)

var (
	errInvalidOAuth  = fail(401, "invalid_oauth", "The access token is invalid or has expired")
	errQuota         = fail(403, "token_quota_exceeded", "The access token has been used the maximum number of times")
	errScope         = fail(403, "invalid_oauth", "The access token does not have the scope this call needs")
	errInvalidClient = fail(400, "invalid_client", "Client authentication failed")
)

// authorize checks the bearer token of a Management API call, counts one use of it and
// returns the service provider it was issued to. scope "" needs no particular scope.
// Uses are counted on every call the token authenticates, as iProov's "50 requests"
// quota reads.
func (e *Emulator) authorize(r *http.Request, scope string) (string, *failure) {
	token, ok := bearer(r)
	if !ok {
		return "", errInvalidOAuth
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweepTokens()
	at := e.tokens[token]
	if at == nil || !e.now().Before(at.issued.Add(AccessTokenLife)) {
		return "", errInvalidOAuth
	}
	if at.uses >= AccessTokenUses {
		return "", errQuota
	}
	at.uses++
	if at.uses == AccessTokenUses {
		e.tq.usedUp.push(token, e.now(), 0) // first to forget at the cap
	}
	if scope != "" && !at.scopes[scope] {
		return "", errScope
	}
	return at.sp, nil
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// GenerateToken serves POST /{api_key}/access_token.
func (s *server) GenerateToken(ctx context.Context, req claim.GenerateTokenRequestObject) (claim.GenerateTokenResponseObject, error) {
	e := s.e
	sp, known := e.provider(req.ApiKey)
	if !known {
		// iProov documents an unknown api_key under 500.
		return claim.GenerateToken500JSONResponse{Error: claim.OAuthServerErrorCodeInvalidKey, ErrorDescription: errInvalidKey.desc}, nil
	}
	r := requestOf(ctx)
	user, pass, ok := r.BasicAuth()
	// The OAuth client is the api_key's own: another provider's username and password
	// do not open this one.
	if !ok || !equal(user, sp.OAuthUsername) || !equal(pass, sp.OAuthPassword) {
		return claim.GenerateToken400JSONResponse(errInvalidClient.client()), nil
	}
	switch req.Body.GrantType {
	case "":
		return claim.GenerateToken400JSONResponse(fail(400, "invalid_request", "grant_type is missing").client()), nil
	case "client_credentials":
	default:
		return claim.GenerateToken400JSONResponse(fail(400, "unsupported_grant_type", "Only client_credentials is supported").client()), nil
	}
	asked := formScopes(r)
	granted := e.cfg.scopes
	if len(asked) > 0 {
		for _, sc := range asked {
			if !slices.Contains(e.cfg.scopes, sc) {
				return claim.GenerateToken400JSONResponse(fail(400, "invalid_scope", "A requested scope is not available").client()), nil
			}
		}
		granted = asked
	}
	at := &accessRec{sp: sp.APIKey, scopes: map[string]bool{}, issued: e.now()}
	for _, sc := range granted {
		at.scopes[sc] = true
	}
	token := randomAlnum(60)
	e.mu.Lock()
	room := e.roomForToken()
	if room {
		e.storeToken(token, at)
	}
	e.mu.Unlock()
	if !room {
		return claim.GenerateToken500JSONResponse{Error: claim.OAuthServerErrorCodeServerError,
			ErrorDescription: "Too many access tokens are live; reuse the one you have"}, nil
	}
	scopes := append([]string(nil), granted...)
	var life claim.ExpiresIn
	// An int always marshals; the integer form is what OAuth servers send.
	_ = life.FromExpiresIn0(int(AccessTokenLife / time.Second))
	return claim.GenerateToken200JSONResponse{
		AccessToken: token,
		TokenType:   "Bearer",
		ExpiresIn:   life,
		Scope:       &scopes,
	}, nil
}

// formScopes reads scope form fields: one field per scope, and a space or comma separated
// list in one field too, since clients differ.
func formScopes(r *http.Request) []string {
	var out []string
	for _, v := range r.PostForm["scope"] {
		for _, sc := range strings.FieldsFunc(v, func(c rune) bool { return c == ' ' || c == ',' }) {
			if !slices.Contains(out, sc) {
				out = append(out, sc)
			}
		}
	}
	return out
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomAlnum(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("iproov sandbox: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// userCall runs a Management API call: authorization with scope, then fn on the user
// under e.mu. The answer is a user, or a failure to map to the operation's type. Another
// service provider's user does not exist for the token's provider.
func (e *Emulator) userCall(ctx context.Context, scope, id string, fn func(u *userRec) (*claim.UserResponse, *failure)) (*claim.UserResponse, *failure) {
	sp, f := e.authorize(requestOf(ctx), scope)
	if f != nil {
		return nil, f
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.users[userKey{sp, id}]
	if u == nil {
		return nil, errUnknownUser
	}
	return fn(u)
}

func userResponse(u *userRec) *claim.UserResponse {
	return &claim.UserResponse{
		UserId:         u.id,
		Name:           u.name,
		Status:         u.status,
		ActivationDate: u.activated,
		SuspensionDate: u.suspended,
	}
}

// UserGet serves GET /users/{user_id}.
func (s *server) UserGet(ctx context.Context, req claim.UserGetRequestObject) (claim.UserGetResponseObject, error) {
	u, f := s.e.userCall(ctx, ScopeUserRead, req.UserId, func(u *userRec) (*claim.UserResponse, *failure) {
		return userResponse(u), nil
	})
	switch {
	case f == nil:
		return claim.UserGet200JSONResponse{UserJSONResponse: claim.UserJSONResponse(*u)}, nil
	case f.status == 401:
		return claim.UserGet401JSONResponse{InvalidOAuthJSONResponse: claim.InvalidOAuthJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserGet403JSONResponse{OAuthForbiddenJSONResponse: claim.OAuthForbiddenJSONResponse(f.credential())}, nil
	}
	return claim.UserGet400JSONResponse{UserClientErrorJSONResponse: claim.UserClientErrorJSONResponse(f.client())}, nil
}

// UserUpdate serves PUT /users/{user_id}: a new user_id, a new display name, or both.
func (s *server) UserUpdate(ctx context.Context, req claim.UserUpdateRequestObject) (claim.UserUpdateResponseObject, error) {
	e := s.e
	b := req.Body
	u, f := e.userCall(ctx, ScopeUserWrite, req.UserId, func(u *userRec) (*claim.UserResponse, *failure) {
		if b.UserId == nil && b.Name == nil {
			return nil, errMissingData
		}
		if b.UserId != nil && *b.UserId != u.id {
			if !validUserID(*b.UserId) || e.users[userKey{u.sp, *b.UserId}] != nil {
				return nil, fail(400, "invalid_user_id", "The new user_id is malformed or taken")
			}
			delete(e.users, userKey{u.sp, u.id})
			u.id = *b.UserId
			e.users[userKey{u.sp, u.id}] = u
		}
		if b.Name != nil {
			u.name = *b.Name
		}
		return userResponse(u), nil
	})
	switch {
	case f == nil:
		return claim.UserUpdate200JSONResponse{UserJSONResponse: claim.UserJSONResponse(*u)}, nil
	case f.status == 401:
		return claim.UserUpdate401JSONResponse{InvalidOAuthJSONResponse: claim.InvalidOAuthJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserUpdate403JSONResponse{OAuthForbiddenJSONResponse: claim.OAuthForbiddenJSONResponse(f.credential())}, nil
	}
	return claim.UserUpdate400JSONResponse{UserClientErrorJSONResponse: claim.UserClientErrorJSONResponse(f.client())}, nil
}

// UserDelete serves DELETE /users/{user_id}. The id is free to enrol again afterwards.
func (s *server) UserDelete(ctx context.Context, req claim.UserDeleteRequestObject) (claim.UserDeleteResponseObject, error) {
	e := s.e
	u, f := e.userCall(ctx, ScopeUserWrite, req.UserId, func(u *userRec) (*claim.UserResponse, *failure) {
		delete(e.users, userKey{u.sp, u.id})
		u.status = claim.Deleted
		return userResponse(u), nil
	})
	switch {
	case f == nil:
		return claim.UserDelete200JSONResponse(*u), nil
	case f.status == 401:
		return claim.UserDelete401JSONResponse{InvalidOAuthJSONResponse: claim.InvalidOAuthJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserDelete403JSONResponse{OAuthForbiddenJSONResponse: claim.OAuthForbiddenJSONResponse(f.credential())}, nil
	}
	return claim.UserDelete400JSONResponse{UserClientErrorJSONResponse: claim.UserClientErrorJSONResponse(f.client())}, nil
}

// changeDate is the date of an activate/suspend: the one given, else now.
func (e *Emulator) changeDate(b *claim.ChangeStateRequest) *time.Time {
	t := e.now()
	if b != nil && b.DateTime != nil {
		t = b.DateTime.UTC()
	}
	return &t
}

// UserActivate serves POST /users/{user_id}/activate. The change applies at once; the date
// is recorded as given.
func (s *server) UserActivate(ctx context.Context, req claim.UserActivateRequestObject) (claim.UserActivateResponseObject, error) {
	e := s.e
	u, f := e.userCall(ctx, ScopeUserWriteStatus, req.UserId, func(u *userRec) (*claim.UserResponse, *failure) {
		u.status, u.activated = claim.Active, e.changeDate(req.Body)
		return userResponse(u), nil
	})
	switch {
	case f == nil:
		return claim.UserActivate200JSONResponse{UserJSONResponse: claim.UserJSONResponse(*u)}, nil
	case f.status == 401:
		return claim.UserActivate401JSONResponse{InvalidOAuthJSONResponse: claim.InvalidOAuthJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserActivate403JSONResponse{OAuthForbiddenJSONResponse: claim.OAuthForbiddenJSONResponse(f.credential())}, nil
	}
	return claim.UserActivate400JSONResponse{UserClientErrorJSONResponse: claim.UserClientErrorJSONResponse(f.client())}, nil
}

// UserSuspend serves POST /users/{user_id}/suspend.
func (s *server) UserSuspend(ctx context.Context, req claim.UserSuspendRequestObject) (claim.UserSuspendResponseObject, error) {
	e := s.e
	u, f := e.userCall(ctx, ScopeUserWriteStatus, req.UserId, func(u *userRec) (*claim.UserResponse, *failure) {
		u.status, u.suspended = claim.Suspended, e.changeDate(req.Body)
		return userResponse(u), nil
	})
	switch {
	case f == nil:
		return claim.UserSuspend200JSONResponse(*u), nil
	case f.status == 401:
		return claim.UserSuspend401JSONResponse{InvalidOAuthJSONResponse: claim.InvalidOAuthJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserSuspend403JSONResponse{OAuthForbiddenJSONResponse: claim.OAuthForbiddenJSONResponse(f.credential())}, nil
	}
	return claim.UserSuspend400JSONResponse{UserClientErrorJSONResponse: claim.UserClientErrorJSONResponse(f.client())}, nil
}

// PlatformAvailable serves GET /availability.
func (s *server) PlatformAvailable(ctx context.Context, req claim.PlatformAvailableRequestObject) (claim.PlatformAvailableResponseObject, error) {
	e := s.e
	if _, ok := e.provider(req.Params.ApiKey); !ok {
		return claim.PlatformAvailable400JSONResponse(fail(400, "invalid_key", errInvalidKey.desc).client()), nil
	}
	e.mu.Lock()
	up := !e.down
	e.mu.Unlock()
	return claim.PlatformAvailable200JSONResponse{Up: up}, nil
}

// SetAvailable sets what GET /availability answers (up by default).
func (e *Emulator) SetAvailable(up bool) {
	e.mu.Lock()
	e.down = !up
	e.mu.Unlock()
}
