package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport"
)

func init() {
	registerDemo(demoFlow{ID: "iproov-photo-enrol", Vendor: "iproov", Name: "photo enrol from a passport chip, then Genuine Presence verify", Run: demoIProovPhotoEnrol})
	registerDemo(demoFlow{ID: "iproov-capture-enrol", Vendor: "iproov", Name: "capture enrol, then verify the user and an impostor", Run: demoIProovCaptureEnrol})
	registerDemo(demoFlow{ID: "iproov-management", Vendor: "iproov", Name: "re-enrol with already_enrolled recovery, suspend and reactivate (Management API)", Run: demoIProovManagement})
}

// iproovDemo is the emulator behind httptest and a client held to the spec (enforce) on
// both sides; problems of either side are collected per step.
type iproovDemo struct {
	emu    *iproovtest.Emulator
	srv    *httptest.Server
	client *iproov.Client

	mu       sync.Mutex
	problems []error
}

func newIProovDemo() (*iproovDemo, error) {
	d := &iproovDemo{}
	collect := func(side string) func(*contract.Error) {
		return func(e *contract.Error) {
			d.mu.Lock()
			d.problems = append(d.problems, fmt.Errorf("%s: %w", side, e))
			d.mu.Unlock()
		}
	}
	d.emu = iproovtest.New(iproovtest.WithOnProblem(collect("emulator")))
	d.srv = httptest.NewServer(d.emu.Handler())
	user, pass := d.emu.OAuthCredentials()
	var err error
	d.client, err = iproov.New(d.emu.APIKey(), d.emu.Secret(),
		iproov.WithBaseURL(d.srv.URL),
		iproov.WithOAuth(user, pass),
		iproov.WithContract(contract.ModeEnforce),
		iproov.WithClientName("idvkit-demo"),
		iproov.WithTransport(transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: collect("client")})),
	)
	if err != nil {
		d.srv.Close()
		return nil, err
	}
	return d, nil
}

func (d *iproovDemo) close() { d.srv.Close() }

// verdict returns (and clears) the contract problems seen since the last call.
func (d *iproovDemo) verdict() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := errors.Join(d.problems...)
	d.problems = nil
	return err
}

// expectCode checks a step failed with iProov's code want.
func expectCode(err error, want iproov.ErrorCode) error {
	if got := iproov.CodeOf(err); got != want {
		return fmt.Errorf("expected iProov error %s, got %v", want, err)
	}
	return nil
}

func demoIProovPhotoEnrol(ctx context.Context, p *demoPrinter) error {
	d, err := newIProovDemo()
	if err != nil {
		return err
	}
	defer d.close()
	const userID = "user-3b1f"

	p.Step("POST /claim/enrol/token (userEnrolServerToken) for %s, resource onboarding", userID)
	enrol, err := d.client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding"})
	if err != nil {
		return err
	}
	p.Outcome("%s", enrol)
	p.Contract(d.verdict())

	p.Step("POST /claim/enrol/image (userEnrolImage): the passport chip's photo (DG2), source eid")
	photo, err := d.client.EnrolImage(ctx, enrol, iproov.Photo{Image: sandbox.FaceJPEG("alice"), Source: iproov.SourceEID})
	if err != nil {
		return err
	}
	p.Outcome("enrolled=%v; user active without enrol/validate", photo.Enrolled)
	p.Contract(d.verdict())

	p.Step("POST /claim/verify/token (userVerifyServerToken), assurance genuine_presence")
	verify, err := d.client.VerifyToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding", AssuranceType: iproov.GenuinePresence})
	if err != nil {
		return err
	}
	p.Outcome("%s", verify)
	p.Contract(d.verdict())

	p.Step("user launches the iProov SDK with the token and completes the flash as alice")
	if err := d.emu.CaptureFace(verify.Token, "alice"); err != nil {
		return err
	}

	p.Step("POST /claim/verify/validate (userVerifyValidate)")
	res, err := d.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{Client: "Mozilla/5.0 (Android 14)"})
	if err != nil {
		return err
	}
	p.Outcome("%s (anti-spoofing %v, matching %v)", res, deref(res.Signals.AntiSpoofing), deref(res.Signals.Matching))
	p.Contract(d.verdict())
	if !res.Passed {
		return errors.New("expected alice to pass")
	}
	return nil
}

func demoIProovCaptureEnrol(ctx context.Context, p *demoPrinter) error {
	d, err := newIProovDemo()
	if err != nil {
		return err
	}
	defer d.close()
	const userID = "user-8c27"

	p.Step("POST /claim/enrol/token (userEnrolServerToken), assurance liveness")
	enrol, err := d.client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding", AssuranceType: iproov.Liveness})
	if err != nil {
		return err
	}
	p.Outcome("%s", enrol)
	p.Contract(d.verdict())

	p.Step("user launches the iProov SDK and enrols as bob")
	if err := d.emu.CaptureFace(enrol.Token, "bob"); err != nil {
		return err
	}
	p.Step("POST /claim/enrol/validate (userEnrolValidate), activate")
	res, err := d.client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	if err != nil {
		return err
	}
	p.Outcome("%s; user activated", res)
	p.Contract(d.verdict())

	p.Step("POST /claim/enrol/validate again with the same claim")
	_, err = d.client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	if !errors.Is(err, iproov.ErrClaimUsed) {
		return fmt.Errorf("expected the second validation to be refused, got %v", err)
	}
	p.Outcome("refused before any call: validation is one-shot")

	for _, who := range []string{"bob", "mallory"} {
		p.Step("POST /claim/verify/token (userVerifyServerToken), assurance liveness")
		verify, err := d.client.VerifyToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "login", AssuranceType: iproov.Liveness})
		if err != nil {
			return err
		}
		p.Contract(d.verdict())
		p.Step("%s in front of the camera", who)
		if err := d.emu.CaptureFace(verify.Token, who); err != nil {
			return err
		}
		p.Step("POST /claim/verify/validate (userVerifyValidate)")
		res, err := d.client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
		if err != nil {
			return err
		}
		p.Outcome("%s", res)
		p.Contract(d.verdict())
		if res.Passed != (who == "bob") {
			return fmt.Errorf("unexpected outcome for %s: %s", who, res)
		}
	}
	return nil
}

func demoIProovManagement(ctx context.Context, p *demoPrinter) error {
	d, err := newIProovDemo()
	if err != nil {
		return err
	}
	defer d.close()
	const userID = "user-e410"
	enrolAs := func(face string, ifEnrolled iproov.IfEnrolled) error {
		p.Step("POST /claim/enrol/token (userEnrolServerToken) for %s", userID)
		enrol, err := d.client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding", IfEnrolled: ifEnrolled})
		if err != nil {
			return err
		}
		p.Contract(d.verdict())
		p.Step("user enrols as %s; POST /claim/enrol/validate (userEnrolValidate)", face)
		if err := d.emu.CaptureFace(enrol.Token, face); err != nil {
			return err
		}
		res, err := d.client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
		if err != nil {
			return err
		}
		p.Outcome("%s", res)
		p.Contract(d.verdict())
		return nil
	}
	if err := enrolAs("carol", iproov.IfEnrolled{}); err != nil {
		return err
	}

	p.Step("POST /claim/enrol/token for %s again, no recovery chosen", userID)
	_, err = d.client.EnrolToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "onboarding"})
	if err := expectCode(err, iproov.CodeAlreadyEnrolled); err != nil {
		return err
	}
	p.Outcome("HTTP 400 %s: nothing deleted silently", iproov.CodeOf(err))
	p.Contract(d.verdict())

	p.Step("the same with IfEnrolled{DeleteUser: true}: POST /{api_key}/access_token (Basic), DELETE /users/{user_id}, then the enrolment")
	if err := enrolAs("carol", iproov.IfEnrolled{DeleteUser: true}); err != nil {
		return err
	}

	p.Step("POST /users/{user_id}/suspend (userSuspend), reusing the cached access token")
	u, err := d.client.SuspendUser(ctx, userID, time.Time{})
	if err != nil {
		return err
	}
	p.Outcome("%s", u)
	p.Contract(d.verdict())

	p.Step("POST /claim/verify/token for the suspended user")
	_, err = d.client.VerifyToken(ctx, iproov.TokenRequest{UserID: userID, Resource: "login"})
	if err := expectCode(err, iproov.CodeInactiveUser); err != nil {
		return err
	}
	p.Outcome("HTTP 400 %s", iproov.CodeOf(err))
	p.Contract(d.verdict())

	p.Step("POST /users/{user_id}/activate (userActivate), then GET /users/{user_id} (userGet)")
	if _, err := d.client.ActivateUser(ctx, userID, time.Time{}); err != nil {
		return err
	}
	u, err = d.client.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	p.Outcome("%s; can verify: %v; access tokens issued so far: %d", u, u.CanVerify(), d.emu.Stats().AccessTokens)
	p.Contract(d.verdict())
	return nil
}

func deref(b *bool) any {
	if b == nil {
		return "n/a"
	}
	return *b
}
