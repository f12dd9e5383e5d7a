package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func init() {
	registerDemo(demoFlow{ID: "verifik-full-kyc", Vendor: "verifik", Name: "Smart Enroll full KYC (tutorial: mandatory document and liveness)", Run: demoVerifikFullKYC})
	registerDemo(demoFlow{ID: "verifik-basic", Vendor: "verifik", Name: "Smart Enroll basic enrolment (optional KYC skipped)", Run: demoVerifikBasic})
	registerDemo(demoFlow{ID: "verifik-duplicate", Vendor: "verifik", Name: "Smart Enroll duplicate face and rules enforced", Run: demoVerifikDuplicate})
}

// verifikDemo is the emulator behind httptest and a client held to the spec (enforce) on
// both sides; problems of either side are collected per step.
type verifikDemo struct {
	emu    *verifiktest.Emulator
	srv    *httptest.Server
	client *verifik.Client

	mu       sync.Mutex
	problems []error
}

func newVerifikDemo() (*verifikDemo, error) {
	d := &verifikDemo{}
	collect := func(side string) func(*contract.Error) {
		return func(e *contract.Error) {
			d.mu.Lock()
			d.problems = append(d.problems, fmt.Errorf("%s: %w", side, e))
			d.mu.Unlock()
		}
	}
	d.emu = verifiktest.New(verifiktest.WithOnProblem(collect("emulator")))
	d.srv = httptest.NewServer(d.emu.Handler())
	var err error
	d.client, err = verifik.New(verifiktest.DefaultClientToken,
		verifik.WithBaseURL(d.srv.URL),
		verifik.WithContract(contract.ModeEnforce),
		verifik.WithTransport(transport.WithContractOptions(contract.RoundTripperOptions{OnProblem: collect("client")})),
	)
	if err != nil {
		d.srv.Close()
		return nil, err
	}
	return d, nil
}

func (d *verifikDemo) close() { d.srv.Close() }

// verdict returns (and clears) the contract problems seen since the last call.
func (d *verifikDemo) verdict() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := errors.Join(d.problems...)
	d.problems = nil
	return err
}

var demoVerifikProject = verifik.ProjectConfig{
	Name:             "Acme onboarding",
	AllowedCountries: []string{"Colombia", "United States"},
	ContactEmail:     "support@acme.example",
	PrivacyURL:       "https://acme.example/privacy",
	TermsURL:         "https://acme.example/terms",
}

const demoVerifikRedirect = "https://yourapp.example/verifik/done"

func (d *verifikDemo) setup(ctx context.Context, p *demoPrinter, cfg verifik.FlowConfig) (verifik.Flow, error) {
	p.Step("Setup: POST /v2/projects, POST /v2/project-flows (client token)")
	flow, err := d.client.Setup(ctx, demoVerifikProject, cfg)
	if err != nil {
		return verifik.Flow{}, err
	}
	p.Outcome("active onboarding flow: signUpForm=%s document=%s liveness=%s, liveness from %.2f, faces from %.2f",
		flow.Requirement(verifik.StepSignUpForm), flow.Requirement(verifik.StepDocument), flow.Requirement(verifik.StepLiveness),
		flow.LivenessMinScore, flow.CompareMinScore)
	p.Contract(d.verdict())
	return flow, nil
}

// signUp registers a person and confirms the email code the way the registrant would.
func (d *verifikDemo) signUp(ctx context.Context, p *demoPrinter, flow verifik.Flow, label, email, name string) (*verifik.Registrant, error) {
	p.Step("Register %s: POST /v2/app-registrations", label)
	r, err := d.client.Register(ctx, flow, verifik.Registration{Email: email, FullName: name})
	if err != nil {
		return nil, err
	}
	p.Outcome("app registration %s, status %s, %s", r.State().AppRegistrationID, r.State().Status, "token held in the state (redacted)")
	p.Contract(d.verdict())

	p.Step("SendEmailCode: POST /v2/email-validations/app-registration (registrant token)")
	sent, err := r.SendEmailCode(ctx)
	if err != nil {
		return nil, err
	}
	p.Outcome("6-digit code emailed, valid until %s", sent.ExpiresAt.Format("15:04:05"))
	p.Contract(d.verdict())

	code, ok := d.emu.LastCode(email)
	if !ok {
		return nil, errors.New("the emulator sent no code")
	}
	p.Step("%s reads the code and types it: ConfirmEmailCode, PUT /v2/email-validations/{id}", label)
	if err := r.ConfirmEmailCode(ctx, code); err != nil {
		return nil, err
	}
	p.Outcome("email verified")
	p.Contract(d.verdict())
	return r, nil
}

func demoVerifikFullKYC(ctx context.Context, p *demoPrinter) error {
	d, err := newVerifikDemo()
	if err != nil {
		return err
	}
	defer d.close()
	cfg := verifik.FullVerification(demoVerifikRedirect)
	cfg.VerifyNames, cfg.VerifyCriminalHistory = true, true
	flow, err := d.setup(ctx, p, cfg)
	if err != nil {
		return err
	}

	r, err := d.signUp(ctx, p, flow, "registrant A", "alice@example.com", "Alice Liddell")
	if err != nil {
		return err
	}
	p.Step("Finish before the mandatory document and selfie (client-side rule, no call)")
	_, err = r.Finish(ctx, verifik.Completed)
	if !errors.Is(err, verifik.ErrStepsIncomplete) {
		return fmt.Errorf("Finish before the mandatory steps: want ErrStepsIncomplete, got %v", err)
	}
	p.Outcome("refused before any call: %s", ruleDetail(err))

	p.Step("SubmitDocument: POST /v2/document-validations/app-registration (Colombian ID card, front)")
	doc, err := r.SubmitDocument(ctx, verifik.Document{Front: verifiktest.DocumentPhoto(demoVerifikID("Alice", "Liddell", "alice"))})
	if err != nil {
		return err
	}
	p.Outcome("OCR: %s, type %s, category %s, names match the sign-up: %t", doc.Status, doc.Type, doc.Category, doc.NamesMatch)
	p.Contract(d.verdict())

	p.Step("CheckNames (add-on): PUT /v2/document-validations/{id}/validate")
	names, err := r.CheckNames(ctx)
	if err != nil {
		return err
	}
	p.Outcome("registry comparison: full name %.0f%%, match %t", names.FullName, names.Match)
	p.Contract(d.verdict())

	p.Step("SubmitSelfie: POST /v2/biometric-validations/app-registration — a photo held up to the camera")
	_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("alice", 0.41), OS: verifik.IOS})
	var live *verifik.LivenessError
	if !errors.As(err, &live) {
		return fmt.Errorf("want a liveness failure, got %v", err)
	}
	p.Outcome("409 liveness_failed at %.2f (flow needs %.2f); attempt %d of %d", live.Score, flow.LivenessMinScore, r.State().SelfieAttempts, flow.SelfieAttempts)
	p.Contract(d.verdict())

	p.Step("SubmitSelfie again, the registrant in person")
	selfie, err := r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS})
	if err != nil {
		return err
	}
	p.Outcome("liveness passed, no duplicate in the project, person %s created", selfie.PersonID)
	p.Contract(d.verdict())

	p.Step("CompareFaces: POST /v2/face-recognition/compare/app-registration")
	faces, err := r.CompareFaces(ctx)
	if err != nil {
		return err
	}
	p.Outcome("document face vs selfie: %.2f (flow's compareMinScore %.2f) → match %t", faces.Score, faces.Threshold, faces.Match)
	p.Contract(d.verdict())

	p.Step("CheckCriminalRecord (add-on): PUT /v2/information-validations/{id}/background-check")
	record, err := r.CheckCriminalRecord(ctx)
	if err != nil {
		return err
	}
	p.Outcome("clear: %t (%s)", record.Clear, record.Status)
	p.Contract(d.verdict())

	p.Step("Review: GET /v2/app-registrations/{id}?populates[]=… (client token)")
	review, err := d.client.Review(ctx, r.State().AppRegistrationID)
	if err != nil {
		return err
	}
	p.Outcome("status %s, email verified %t, document %s, criminal check %s", review.Status, review.EmailVerified, review.DocumentStatus, review.CriminalStatus)
	p.Contract(d.verdict())

	outcome := r.State().Recommend()
	p.Step("Finish with the policy's outcome %s: PUT /v2/app-registrations/{id}/sync {step: end}", outcome)
	done, err := r.Finish(ctx, outcome)
	if err != nil {
		return err
	}
	p.Outcome("%s; redirect to %s?type=onboarding&token=[redacted]", done.Status, demoVerifikRedirect)
	p.Contract(d.verdict())
	return nil
}

func demoVerifikBasic(ctx context.Context, p *demoPrinter) error {
	d, err := newVerifikDemo()
	if err != nil {
		return err
	}
	defer d.close()
	flow, err := d.setup(ctx, p, verifik.BasicEnrollment(demoVerifikRedirect))
	if err != nil {
		return err
	}
	r, err := d.signUp(ctx, p, flow, "registrant B", "bob@example.com", "Bob Builder")
	if err != nil {
		return err
	}

	p.Step("The registrant types a stale code: ConfirmEmailCode with a wrong code")
	wrong := "111111"
	if code, _ := d.emu.LastCode("bob@example.com"); code == wrong {
		wrong = "222222"
	}
	err = r.ConfirmEmailCode(ctx, wrong)
	if !errors.Is(err, verifik.ErrCodeMismatch) {
		return fmt.Errorf("want ErrCodeMismatch, got %v", err)
	}
	p.Outcome("403 otp_does_not_match (the email stays verified from before)")
	p.Contract(d.verdict())

	p.Step("SkipKYC: PUT /v2/app-registrations/{id}/sync {step: skipKYC} — no KYC step is mandatory")
	done, err := r.SkipKYC(ctx)
	if err != nil {
		return err
	}
	p.Outcome("%s; redirect to %s?type=onboarding&token=[redacted]", done.Status, demoVerifikRedirect)
	p.Contract(d.verdict())
	return nil
}

func demoVerifikDuplicate(ctx context.Context, p *demoPrinter) error {
	d, err := newVerifikDemo()
	if err != nil {
		return err
	}
	defer d.close()
	flow, err := d.setup(ctx, p, verifik.FullVerification(demoVerifikRedirect))
	if err != nil {
		return err
	}
	first, err := d.signUp(ctx, p, flow, "registrant C", "erin@example.com", "Erin Hart")
	if err != nil {
		return err
	}
	p.Step("SubmitSelfie for registrant C")
	if _, err := first.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("erin"), OS: verifik.Android}); err != nil {
		return err
	}
	p.Outcome("accepted; the face joins the project's collection")
	p.Contract(d.verdict())

	second, err := d.signUp(ctx, p, flow, "registrant D (same person, another email)", "erin.again@example.com", "Erin Hart")
	if err != nil {
		return err
	}
	p.Step("SkipKYC on a flow with mandatory KYC (client-side rule, no call)")
	_, err = second.SkipKYC(ctx)
	if !errors.Is(err, verifik.ErrSkipNotAllowed) {
		return fmt.Errorf("want ErrSkipNotAllowed, got %v", err)
	}
	p.Outcome("refused: %s", ruleDetail(err))

	p.Step("SubmitSelfie for registrant D: POST /v2/biometric-validations/app-registration")
	_, err = second.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("erin"), OS: verifik.Android})
	if !errors.Is(err, verifik.ErrDuplicateFace) {
		return fmt.Errorf("want ErrDuplicateFace, got %v", err)
	}
	p.Outcome("409 person_already_set: the duplicate search found the face already enrolled")
	p.Contract(d.verdict())

	p.Step("Finish registrant D for manual review: PUT /v2/app-registrations/{id}/sync {step: end}")
	done, err := second.Finish(ctx, verifik.NeedsManualVerification)
	if err != nil {
		return err
	}
	p.Outcome("%s (token issued, redacted)", done.Status)
	p.Contract(d.verdict())
	return nil
}

func demoVerifikID(first, last, face string) sandbox.Document {
	return sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: first, LastName: last,
		DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: face}
}

// ruleDetail is the rule part of a client-side refusal.
func ruleDetail(err error) string {
	var re *verifik.RuleError
	if errors.As(err, &re) {
		return strings.TrimPrefix(re.Kind.Error(), "verifik: ") + " (" + re.Detail + ")"
	}
	return err.Error()
}
