package verifiktest

// Resend-link: the documented way to resume a registrant, with a token of its own
// lifetime.

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
)

// ResumeLinkTTL is how long the token resendAppRegistrationLink issues stays valid
// (Verifik: 30 minutes).
const ResumeLinkTTL = 30 * time.Minute

// publicURLKey holds where the caller reached the emulator: scheme, host and any prefix
// a mux stripped (sandbox serve mounts the emulator under /verifik), so that the links
// the emulator answers open its own hosted app.
type publicURLKey struct{}

func publicURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if path, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasSuffix(path, r.URL.Path) {
		prefix = strings.TrimSuffix(path, r.URL.Path)
		if strings.Contains(prefix, "://") { // an absolute-form request target
			prefix = ""
		}
	}
	return scheme + "://" + r.Host + prefix
}

func (s *server) ResendAppRegistrationLink(ctx context.Context, req smartenroll.ResendAppRegistrationLinkRequestObject) (smartenroll.ResendAppRegistrationLinkResponseObject, error) {
	v, fail := s.e.resendLink(ctx, req.Id, req.Body)
	if fail == nil {
		return smartenroll.ResendAppRegistrationLink200JSONResponse{Data: v}, nil
	}
	switch fail.status {
	case http.StatusUnauthorized:
		return smartenroll.ResendAppRegistrationLink401JSONResponse{UnauthorizedJSONResponse: smartenroll.UnauthorizedJSONResponse(fail.body)}, nil
	case http.StatusForbidden:
		return smartenroll.ResendAppRegistrationLink403JSONResponse(fail.body), nil
	case http.StatusNotFound:
		return smartenroll.ResendAppRegistrationLink404JSONResponse(fail.body), nil
	case http.StatusConflict:
		return smartenroll.ResendAppRegistrationLink409JSONResponse(fail.body), nil
	}
	return nil, fail
}

// looseTrue reads Verifik's loose booleans: true or "true".
func looseTrue(v *smartenroll.LooseBoolean) bool {
	if v == nil {
		return false
	}
	switch b := (*v).(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return false
}

func (e *Emulator) resendLink(ctx context.Context, id string, body *smartenroll.ResendLinkRequest) (smartenroll.ResendLink, *apiError) {
	acct, fail := needClient(e.callerOf(ctx))
	if fail != nil {
		return smartenroll.ResendLink{}, fail
	}
	if body == nil {
		body = &smartenroll.ResendLinkRequest{}
	}
	if body.RecipientEmail != nil {
		// Verifik's super-admins only; the emulator has none.
		return smartenroll.ResendLink{}, reason(http.StatusForbidden, smartenroll.ErrorCodeAccessDenied)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.regs[id]
	f := e.flows[r.flowID()]
	if !ok || r.client != acct.id || f == nil {
		return smartenroll.ResendLink{}, reason(http.StatusNotFound, smartenroll.ErrorCodeAppRegistrationNotFoundOnSync)
	}
	switch r.status {
	case smartenroll.AppRegistrationCompleted, smartenroll.AppRegistrationCompletedWithoutKYC, smartenroll.AppRegistrationFailed:
		return smartenroll.ResendLink{}, reason(http.StatusConflict, smartenroll.ErrorCodeCannotResendLinkForThisStatus)
	}
	sendEmail := looseTrue(body.SendEmail)
	if sendEmail && r.email == "" {
		return smartenroll.ResendLink{}, classic(http.StatusConflict, smartenroll.ErrorCodeMissingParameter, "missing email")
	}
	now := e.clock.Now()
	expires := now.Add(ResumeLinkTTL)
	token := e.issueTokenFor(claims{Type: tokenAppRegistration, AppRegistrationID: r.id, Client: r.client, Project: r.project}, ResumeLinkTTL)
	base, _ := ctx.Value(publicURLKey{}).(string)
	full, first, last := r.declaredName()
	out := smartenroll.ResendLink{
		Token: token, Link: AppURL(base, r.project, token),
		FullName: nonEmpty(full), FirstName: nonEmpty(first), LastName: nonEmpty(last), Email: nonEmpty(r.email),
		Step: ptr(resumeStep(r)), Steps: f.settings.Steps, AppRegistrationId: ptr(r.id), Status: ptr(r.status),
		ExpiresAt: ptr(expires.UTC().Format(time.DateTime)), AccessType: ptr("app_registration_initiated"), IssuedAt: ptr(now.Unix()),
	}
	if sendEmail {
		// The link goes out as Verifik's would; the outbox keeps codes, not links, so
		// the emulator only reports it sent.
		out.EmailSent = &smartenroll.LinkEmail{Sent: ptr(true), Email: ptr(r.email), MailgunId: ptr("<" + e.newID() + "@sandbox.verifik.invalid>")}
	}
	return out, nil
}

// resumeStep is the step a resumed journey opens at: the last one synced, or the sign-up
// form.
func resumeStep(r *registration) string {
	for _, s := range []smartenroll.SyncStep{smartenroll.StepForm, smartenroll.StepLiveness, smartenroll.StepDocument, smartenroll.StepBasicInformation, smartenroll.StepSignUpForm} {
		if r.synced[s] {
			return string(s)
		}
	}
	return string(smartenroll.StepSignUpForm)
}
