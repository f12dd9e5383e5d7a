package iproovtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"math"
	"mime/multipart"

	"github.com/idvkit/idvkit/gen/iproov/claim"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// failure is an iProov error answer before it is given its operation's response type.
type failure struct {
	status     int
	code       string
	desc       string
	retryAfter int // seconds, for 429
}

func fail(status int, code, desc string) *failure {
	return &failure{status: status, code: code, desc: desc}
}

// iProov's error descriptions, as close to the vendor's words as its documents allow.
var (
	errInvalidKey        = fail(401, "invalid_key", "Invalid Public and/or Private Key")
	errAssuranceType     = fail(403, "invalid_assurance_type", "This assurance_type is not enabled for your service provider")
	errInvalidToken      = fail(400, "invalid_token", "The token is invalid or has already been used")
	errTokenExpired      = fail(400, "invalid_token", "The token has expired")
	errNotFinished       = fail(400, "invalid_token", "The claim has not been completed")
	errInvalidValidation = fail(400, "invalid_validation", "The user_id or risk_profile does not match the token")
	errAlreadyEnrolled   = fail(400, "already_enrolled", "The user_id is already enrolled")
	errNoUser            = fail(400, "no_user", "The user does not exist")
	errInactiveUser      = fail(400, "inactive_user", "The user is not active")
	errUnknownUser       = fail(400, "invalid_user_id", "The user_id does not exist")
	errRiskAppetite      = fail(400, "invalid_risk_appetite", "The risk_profile is not valid for your service provider")
	errEnrolImage        = fail(400, "invalid_enrol_image", "The image must be a PNG, JPEG or JPEG 2000 of at most 2 MB")
	errInvalidSource     = fail(400, "invalid_source", "source must be one of eid, oid, selfie")
	errMissingData       = fail(400, "missing_data", "A required field is missing")
)

func (f *failure) client() claim.ClientErrorResponse {
	return claim.ClientErrorResponse{Error: claim.ClientErrorCode(f.code), ErrorDescription: f.desc}
}

func (f *failure) credential() claim.InvalidCredentialErrorResponse {
	return claim.InvalidCredentialErrorResponse{Error: claim.CredentialErrorCode(f.code), ErrorDescription: f.desc}
}

func (f *failure) tooMany() claim.TooManyRequestsJSONResponse {
	n := f.retryAfter
	return claim.TooManyRequestsJSONResponse{
		Body:    claim.RateLimitExceededResponse{Error: claim.RateLimitCodeTooManyRequests, ErrorDescription: f.desc},
		Headers: claim.TooManyRequestsResponseHeaders{RetryAfter: &n},
	}
}

func (f *failure) assurance() claim.AssuranceTypeNotEnabledJSONResponse {
	return claim.AssuranceTypeNotEnabledJSONResponse{Error: claim.InvalidAssuranceType, ErrorDescription: f.desc}
}

// server implements the generated strict server interface over an Emulator.
type server struct{ e *Emulator }

var _ claim.StrictServerInterface = (*server)(nil)

// tokenRequest is what both token endpoints check before issuing a claim.
func (e *Emulator) tokenRequest(kind claim.ClaimType, b *claim.ServerClaimRequest) (*claimRec, *failure) {
	sp, ok := e.credentials(b.ApiKey, b.Secret)
	if !ok {
		return nil, errInvalidKey
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if f := e.rateLimit(); f != nil {
		return nil, f
	}
	if trimmed(b.Resource) == "" {
		return nil, errMissingData
	}
	if !validUserID(b.UserId) {
		return nil, fail(400, "invalid_user_id", "The user_id is missing or malformed")
	}
	assurance := claim.GenuinePresence
	if b.AssuranceType != nil {
		assurance = *b.AssuranceType
	}
	if !e.cfg.assurance[assurance] {
		return nil, errAssuranceType
	}
	profile := ""
	if b.RiskProfile != nil {
		profile = *b.RiskProfile
	}
	if f := e.checkRiskProfile(profile); f != nil {
		return nil, f
	}
	u := e.users[userKey{sp, b.UserId}]
	switch kind {
	case claim.Enrol:
		if u != nil {
			return nil, errAlreadyEnrolled
		}
	case claim.Verify:
		if u == nil {
			return nil, errNoUser
		}
		if u.status != claim.Active {
			return nil, errInactiveUser
		}
	}
	rec := &claimRec{
		sp:          sp,
		token:       sandbox.RandomHex(32),
		kind:        kind,
		userID:      b.UserId,
		assurance:   assurance,
		riskProfile: profile,
		issued:      e.now(),
	}
	if f := e.roomForClaim(); f != nil {
		return nil, f
	}
	e.issueClaim(rec)
	return rec, nil
}

// profileNamed maps the risk_profile a validate call names to the profile a token holds.
// "default" names the profile in effect when none was asked for: iProov's Retrofit client
// sends it on every validate (its ValidationRequest default) after token requests that
// name no profile, and iProov's token response model defaults to it too. It means a
// configured profile only when the service provider has one of that name.
func (e *Emulator) profileNamed(p string) string {
	if p == defaultProfile && !e.cfg.profiles[defaultProfile] {
		return ""
	}
	return p
}

// defaultProfile is the name iProov's Android client gives the profile in effect when none
// was asked for.
const defaultProfile = "default"

func (e *Emulator) checkRiskProfile(profile string) *failure {
	if e.cfg.profiles == nil {
		if profile != "" {
			return errRiskAppetite
		}
		return nil
	}
	if !e.cfg.profiles[profile] {
		return errRiskAppetite
	}
	return nil
}

// rateLimit counts a token request in the current window; e.mu is held.
func (e *Emulator) rateLimit() *failure {
	if e.cfg.rateN <= 0 {
		return nil
	}
	now := e.now()
	if e.window.start.IsZero() || !now.Before(e.window.start.Add(e.cfg.ratePer)) {
		e.window = rateWindow{start: now}
	}
	if e.window.n >= e.cfg.rateN {
		wait := e.window.start.Add(e.cfg.ratePer).Sub(now)
		f := fail(429, "too_many_requests", "Too many requests")
		f.retryAfter = int(math.Ceil(wait.Seconds()))
		return f
	}
	e.window.n++
	return nil
}

func claimResponse(rec *claimRec) claim.ClaimResponse {
	uid := rec.userID
	resp := claim.ClaimResponse{
		Token:    rec.token,
		UserId:   &uid,
		Pod:      "sandbox.eu1",
		Fallback: []claim.FallbackDefinition{},
	}
	if rec.riskProfile != "" {
		p := rec.riskProfile
		resp.RiskProfile = &p
	}
	return resp
}

// UserEnrolServerToken serves POST /claim/enrol/token.
func (s *server) UserEnrolServerToken(ctx context.Context, req claim.UserEnrolServerTokenRequestObject) (claim.UserEnrolServerTokenResponseObject, error) {
	rec, f := s.e.tokenRequest(claim.Enrol, req.Body)
	switch {
	case f == nil:
		return claim.UserEnrolServerToken200JSONResponse{ClaimTokenJSONResponse: claim.ClaimTokenJSONResponse(claimResponse(rec))}, nil
	case f.status == 401:
		return claim.UserEnrolServerToken401JSONResponse{InvalidKeyJSONResponse: claim.InvalidKeyJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserEnrolServerToken403JSONResponse{AssuranceTypeNotEnabledJSONResponse: f.assurance()}, nil
	case f.status == 429:
		return claim.UserEnrolServerToken429JSONResponse{TooManyRequestsJSONResponse: f.tooMany()}, nil
	}
	return claim.UserEnrolServerToken400JSONResponse(f.client()), nil
}

// UserVerifyServerToken serves POST /claim/verify/token.
func (s *server) UserVerifyServerToken(ctx context.Context, req claim.UserVerifyServerTokenRequestObject) (claim.UserVerifyServerTokenResponseObject, error) {
	rec, f := s.e.tokenRequest(claim.Verify, req.Body)
	switch {
	case f == nil:
		return claim.UserVerifyServerToken200JSONResponse{ClaimTokenJSONResponse: claim.ClaimTokenJSONResponse(claimResponse(rec))}, nil
	case f.status == 401:
		return claim.UserVerifyServerToken401JSONResponse{InvalidKeyJSONResponse: claim.InvalidKeyJSONResponse(f.credential())}, nil
	case f.status == 403:
		return claim.UserVerifyServerToken403JSONResponse{AssuranceTypeNotEnabledJSONResponse: f.assurance()}, nil
	case f.status == 429:
		return claim.UserVerifyServerToken429JSONResponse{TooManyRequestsJSONResponse: f.tooMany()}, nil
	}
	return claim.UserVerifyServerToken400JSONResponse(f.client()), nil
}

// claimFor finds a usable claim of kind issued to service provider sp; e.mu is held.
// Another provider's token is as unknown as a made-up one. Expiry is judged here,
// lazily: a token not claimed within ClaimWindow is dead.
func (e *Emulator) claimFor(sp, token string, kind claim.ClaimType) (*claimRec, *failure) {
	e.sweepClaims()
	rec := e.claims[token]
	if rec == nil || rec.kind != kind || rec.sp != sp {
		return nil, errInvalidToken
	}
	switch rec.state {
	case claimSpent, claimAborted:
		return nil, errInvalidToken
	case claimIssued:
		if e.expired(rec) {
			return nil, errTokenExpired
		}
	}
	return rec, nil
}

func (e *Emulator) expired(rec *claimRec) bool {
	return rec.state == claimIssued && !e.now().Before(rec.issued.Add(ClaimWindow))
}

// enrolImageForm is the multipart form of POST /claim/enrol/image.
type enrolImageForm struct {
	apiKey, secret, token, rotation, source string
	hasSource                               bool
	image                                   []byte
	imageType                               string
	hasImage                                bool
	tooLarge                                bool
}

// UserEnrolImage serves POST /claim/enrol/image (photo enrol).
func (s *server) UserEnrolImage(ctx context.Context, req claim.UserEnrolImageRequestObject) (claim.UserEnrolImageResponseObject, error) {
	e := s.e
	form, err := parseEnrolImage(req.Body)
	if err != nil {
		return claim.UserEnrolImage400JSONResponse(errMissingData.client()), nil
	}
	resp, f := e.enrolImage(form)
	switch {
	case f == nil:
		return claim.UserEnrolImage200JSONResponse(*resp), nil
	case f.status == 401:
		return claim.UserEnrolImage401JSONResponse{InvalidKeyJSONResponse: claim.InvalidKeyJSONResponse(f.credential())}, nil
	}
	return claim.UserEnrolImage400JSONResponse(f.client()), nil
}

// enrolImage applies a photo enrol. The token is spent whether or not the image holds a
// usable face.
func (e *Emulator) enrolImage(form *enrolImageForm) (*claim.EnrolResponse, *failure) {
	sp, ok := e.credentials(form.apiKey, form.secret)
	if !ok {
		return nil, errInvalidKey
	}
	if form.token == "" {
		return nil, errMissingData
	}
	if form.hasSource && !claim.ImageSource(form.source).Valid() {
		return nil, errInvalidSource
	}
	if !form.hasImage || form.tooLarge || !isEnrolImage(form.image) {
		return nil, errEnrolImage
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rec, f := e.claimFor(sp, form.token, claim.Enrol)
	if f != nil {
		return nil, f
	}
	if rec.state != claimIssued {
		// A token handed to the SDK belongs to a capture enrol.
		return nil, errInvalidToken
	}
	if e.users[userKey{sp, rec.userID}] != nil {
		return nil, errAlreadyEnrolled
	}
	e.endClaim(rec, claimSpent)
	resp := &claim.EnrolResponse{Token: rec.token, UserId: rec.userID}
	face := sandbox.FaceOf(form.image)
	if face == NoFace {
		return resp, nil
	}
	now := e.now()
	e.users[userKey{sp, rec.userID}] = &userRec{sp: sp, id: rec.userID, name: rec.userID, status: claim.Active, face: face, activated: &now}
	resp.Success = true
	return resp, nil
}

// isEnrolImage tells PNG, JPEG and JPEG 2000 (JP2 box or raw codestream) by magic bytes.
func isEnrolImage(b []byte) bool {
	jp2 := []byte{0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', '\r', '\n', 0x87, '\n'}
	j2k := []byte{0xff, 0x4f, 0xff, 0x51}
	return sandbox.IsPNG(b) || sandbox.IsJPEG(b) || bytes.HasPrefix(b, jp2) || bytes.HasPrefix(b, j2k)
}

// validation is the shared body of both validate endpoints.
func (e *Emulator) validation(kind claim.ClaimType, b claim.ClaimValidateRequest, activate *bool) (*claim.ClaimValidateResponse, *failure) {
	sp, ok := e.credentials(b.ApiKey, b.Secret)
	if !ok {
		return nil, errInvalidKey
	}
	if b.Token == "" {
		return nil, errMissingData
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rec, f := e.claimFor(sp, b.Token, kind)
	if f != nil {
		return nil, f
	}
	profile := ""
	if b.RiskProfile != nil {
		profile = e.profileNamed(*b.RiskProfile)
	}
	if b.UserId != rec.userID || profile != rec.riskProfile {
		return nil, errInvalidValidation
	}
	if rec.state != claimCaptured {
		return nil, errNotFinished
	}
	img := rec.image
	e.endClaim(rec, claimSpent)

	live := rec.liveFail == "" && rec.face != NoFace
	reason := rec.liveFail
	if !live && reason == "" {
		reason = ReasonNoFace
	}
	resp := &claim.ClaimValidateResponse{
		Token:         rec.token,
		Type:          kind,
		AssuranceType: &rec.assurance,
		Signals: &claim.Signals{
			AntiSpoofing:       &claim.SignalOutcome{Passed: &live},
			MultipleFacesFound: new(bool),
		},
	}
	if rec.riskProfile != "" {
		p := rec.riskProfile
		resp.RiskProfile = &p
	}
	passed := live
	now := e.now()
	switch kind {
	case claim.Enrol:
		if live {
			if e.users[userKey{sp, rec.userID}] != nil {
				// Enrolled meanwhile by another claim: this enrolment cannot land.
				return nil, errAlreadyEnrolled
			}
			u := &userRec{sp: sp, id: rec.userID, name: rec.userID, status: claim.Active, face: rec.face, activated: &now}
			if activate != nil && !*activate {
				u.status, u.activated, u.suspended = claim.Suspended, nil, &now
			}
			e.users[userKey{sp, rec.userID}] = u
		}
	case claim.Verify:
		u := e.users[userKey{sp, rec.userID}]
		if u == nil {
			return nil, errNoUser
		}
		match := live && rec.face == u.face
		resp.Signals.Matching = &claim.SignalOutcome{Passed: &match}
		passed = match
		if live && !match {
			reason = ReasonMismatch
		}
	}
	resp.Passed = passed
	if reason != "" {
		resp.Reason = &reason
	}
	if e.cfg.frames {
		if img == nil {
			img = sandbox.FaceImage(rec.face)
		}
		frame := base64.StdEncoding.EncodeToString(img)
		avail := true
		good := claim.Good
		resp.FrameAvailable, resp.Frame = &avail, &frame
		resp.ReturnFrameQuality = &claim.ReturnFrameQuality{Blur: &good, Pose: &good, Lighting: &good}
	}
	return resp, nil
}

// Reasons the emulator gives for failed validations. iProov's reasons are human text set
// per service provider; these are the sandbox's.
const (
	ReasonLiveness = "Please Keep Still"
	ReasonMismatch = "The face does not match the enrolled user"
	ReasonNoFace   = "No face found"
)

// UserEnrolValidate serves POST /claim/enrol/validate.
func (s *server) UserEnrolValidate(ctx context.Context, req claim.UserEnrolValidateRequestObject) (claim.UserEnrolValidateResponseObject, error) {
	b := req.Body
	resp, f := s.e.validation(claim.Enrol, claim.ClaimValidateRequest{
		ApiKey: b.ApiKey, Secret: b.Secret, UserId: b.UserId, Token: b.Token, Client: b.Client, RiskProfile: b.RiskProfile, Ip: b.Ip,
	}, b.Activate)
	switch {
	case f == nil:
		return claim.UserEnrolValidate200JSONResponse{ValidationJSONResponse: claim.ValidationJSONResponse(*resp)}, nil
	case f.status == 401:
		return claim.UserEnrolValidate401JSONResponse{InvalidKeyJSONResponse: claim.InvalidKeyJSONResponse(f.credential())}, nil
	}
	return claim.UserEnrolValidate400JSONResponse{ValidateClientErrorJSONResponse: claim.ValidateClientErrorJSONResponse(f.client())}, nil
}

// UserVerifyValidate serves POST /claim/verify/validate.
func (s *server) UserVerifyValidate(ctx context.Context, req claim.UserVerifyValidateRequestObject) (claim.UserVerifyValidateResponseObject, error) {
	resp, f := s.e.validation(claim.Verify, *req.Body, nil)
	switch {
	case f == nil:
		return claim.UserVerifyValidate200JSONResponse{ValidationJSONResponse: claim.ValidationJSONResponse(*resp)}, nil
	case f.status == 401:
		return claim.UserVerifyValidate401JSONResponse{InvalidKeyJSONResponse: claim.InvalidKeyJSONResponse(f.credential())}, nil
	}
	return claim.UserVerifyValidate400JSONResponse{ValidateClientErrorJSONResponse: claim.ValidateClientErrorJSONResponse(f.client())}, nil
}

// InvalidateToken serves POST /claim/{token}/invalidate. No credentials are needed (see
// the spec); a bearer token, when sent, must be valid.
func (s *server) InvalidateToken(ctx context.Context, req claim.InvalidateTokenRequestObject) (claim.InvalidateTokenResponseObject, error) {
	e := s.e
	if r := requestOf(ctx); r != nil && r.Header.Get("Authorization") != "" {
		if _, f := e.authorize(r, ""); f != nil {
			if f.status == 401 {
				return claim.InvalidateToken401JSONResponse{InvalidOAuthJSONResponse: claim.InvalidOAuthJSONResponse(f.credential())}, nil
			}
			return claim.InvalidateToken403JSONResponse{OAuthForbiddenJSONResponse: claim.OAuthForbiddenJSONResponse(f.credential())}, nil
		}
	}
	if trimmed(req.Body.Reason) == "" {
		return claim.InvalidateToken400JSONResponse(errMissingData.client()), nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweepClaims()
	rec := e.claims[req.Token]
	if rec == nil {
		return claim.InvalidateToken400JSONResponse(errInvalidToken.client()), nil
	}
	out := claim.InvalidateToken200JSONResponse{}
	switch {
	case rec.state == claimIssued && !e.expired(rec):
		out.ClaimAborted = true
	case rec.state == claimStreaming:
		out.ClaimAborted, out.UserInformed = true, true
	}
	if out.ClaimAborted {
		rec.abortText = req.Body.Reason
		e.endClaim(rec, claimAborted)
	}
	return out, nil
}

// parseEnrolImage reads the photo-enrol form; the image is read up to one byte past the
// 2 MB cap, never further.
func parseEnrolImage(mr *multipart.Reader) (*enrolImageForm, error) {
	form := &enrolImageForm{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return nil, err
		}
		name := part.FormName()
		if name == "image" {
			data, err := io.ReadAll(io.LimitReader(part, MaxImageBytes+1))
			if err != nil {
				return nil, err
			}
			form.hasImage = true
			form.imageType = part.Header.Get("Content-Type")
			form.tooLarge = len(data) > MaxImageBytes
			if !form.tooLarge {
				form.image = data
			}
			_, _ = io.Copy(io.Discard, part)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, 4<<10))
		if err != nil {
			return nil, err
		}
		v := string(data)
		switch name {
		case "api_key":
			form.apiKey = v
		case "secret":
			form.secret = v
		case "token":
			form.token = v
		case "rotation":
			form.rotation = v
		case "source":
			form.source, form.hasSource = v, true
		}
	}
}
