package verifik

// Resuming a registrant who has not finished: Verifik's resend-link.

import (
	"context"
	"time"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/transport"
)

// ResumeLinkTTL is how long the token of a ResumeLink stays valid (Verifik: 30 minutes).
const ResumeLinkTTL = 30 * time.Minute

// ResumeLink is a fresh way back into an unfinished journey.
type ResumeLink struct {
	// URL opens Verifik's hosted Smart Enroll app at the registrant's current step;
	// redirect the end user to it. It carries Token.
	URL string
	// Token is the registrant's new app-registration token (a secret).
	Token     string
	ExpiresAt time.Time
	Status    Status
	// Emailed is true when Verifik emailed the link to the registrant.
	Emailed bool
}

// String never shows the token (nor the URL, which carries it).
func (l ResumeLink) String() string {
	return "verifik.ResumeLink{status: " + string(l.Status) + ", expires: " + l.ExpiresAt.UTC().Format(time.RFC3339) + ", token: " + redacted + "}"
}

// GoString never shows the token.
func (l ResumeLink) GoString() string { return l.String() }

// ResendLink mints a new link for a registrant who has not finished, the documented way
// to resume one (registering the same email again is refused by Verifik's newest
// API). With email, Verifik also emails the link to the registrant. A finished
// registrant is refused with 409 cannot_resend_link_for_this_status.
// Verifik: POST /v2/app-registrations/{id}/resend-link (client token).
func (c *Client) ResendLink(ctx context.Context, appRegistrationID string, email bool) (ResumeLink, error) {
	const op = "resendAppRegistrationLink"
	if err := c.ready(op); err != nil {
		return ResumeLink{}, err
	}
	if err := checkID(op, "app registration id", appRegistrationID); err != nil {
		return ResumeLink{}, err
	}
	ctx = transport.WithOperation(ctx, op)
	var send smartenroll.LooseBoolean = email
	res, err := c.api.ResendAppRegistrationLinkWithResponse(ctx, appRegistrationID, smartenroll.ResendLinkRequest{SendEmail: &send}, bearer(c.token))
	if err := c.finish(ctx, op, err, res, res != nil && res.JSON200 != nil); err != nil {
		return ResumeLink{}, err
	}
	d := res.JSON200.Data
	link := ResumeLink{URL: d.Link, Token: d.Token, Status: statusOf(d.Status), Emailed: d.EmailSent != nil && deref(d.EmailSent.Sent)}
	// expiresAt is "YYYY-MM-DD hh:mm:ss" in UTC; without it, issuedAt plus the documented
	// lifetime, and without that, the lifetime from now.
	switch at, perr := time.Parse(time.DateTime, deref(d.ExpiresAt)); {
	case perr == nil:
		link.ExpiresAt = at
	case d.IssuedAt != nil:
		link.ExpiresAt = time.Unix(*d.IssuedAt, 0).UTC().Add(ResumeLinkTTL)
	default:
		link.ExpiresAt = c.now().UTC().Add(ResumeLinkTTL)
	}
	return link, nil
}
