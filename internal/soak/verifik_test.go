package soak

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

const verifikFull = "registration to Finish (email code, document, selfie, faces)"

type verifikRig struct {
	w    *wire
	emu  *verifiktest.Emulator
	c    *verifik.Client
	flow verifik.Flow
}

// verifikJourney is one registrant: one email, one face, one document.
type verifikJourney struct {
	email, face string
	id          string // app registration id, once the client has it
	completed   bool   // the client saw Finish answer COMPLETED
}

func newVerifikRig(t *testing.T, seed uint64) rig {
	emu := verifiktest.New(verifiktest.WithFaultSeed(seed))
	w := newWire("verifik", emu.Handler(), contract.Default().Spec("verifik/smartenroll"))
	c, err := verifik.New(emu.ClientToken(),
		verifik.WithBaseURL(w.srv.URL),
		verifik.WithContract(contract.ModeReport),
		verifik.WithTransport(w.options()...))
	require.NoError(t, err)
	// The project and its flow are set up once, at deploy time, before any fault.
	flow, err := c.Setup(t.Context(), verifik.ProjectConfig{
		Name:             "Soak onboarding",
		AllowedCountries: []string{"Colombia"},
		ContactEmail:     "support@soak.example",
		PrivacyURL:       "https://soak.example/privacy",
		TermsURL:         "https://soak.example/terms",
	}, verifik.FullVerification("https://soak.example/welcome"))
	require.NoError(t, err)
	return &verifikRig{w: w, emu: emu, c: c, flow: flow}
}

func (r *verifikRig) name() string            { return "verifik" }
func (r *verifikRig) wire() *wire             { return r.w }
func (r *verifikRig) faults() *sandbox.Faults { return r.emu.Faults() }
func (r *verifikRig) kinds() []string         { return []string{verifikFull} }

func (r *verifikRig) run(ctx context.Context, j *journey) error {
	d := &verifikJourney{email: fmt.Sprintf("soak-%06d@example.com", j.n), face: fmt.Sprintf("soak-face-%06d", j.n)}
	j.data = d
	reg, err := r.c.Register(ctx, r.flow, verifik.Registration{Email: d.email, FullName: "Soak Registrant"})
	if err != nil {
		return err
	}
	d.id = reg.State().AppRegistrationID
	if _, err := reg.SendEmailCode(ctx); err != nil {
		return err
	}
	code, ok := r.emu.LastCode(d.email) // the registrant reads the email
	if !ok {
		return harness("read the code", errors.New("no code in the outbox"))
	}
	if err := reg.ConfirmEmailCode(ctx, code); err != nil {
		return err
	}
	doc := sandbox.Document{Kind: "national_id", Country: "CO", Number: fmt.Sprintf("10%08d", j.n),
		FirstName: "Soak", LastName: "Registrant", DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: d.face}
	if _, err := reg.SubmitDocument(ctx, verifik.Document{Front: verifiktest.DocumentPhoto(doc)}); err != nil {
		return err
	}
	if _, err := reg.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie(d.face), OS: verifik.IOS}); err != nil {
		return err
	}
	if _, err := reg.CompareFaces(ctx); err != nil {
		return err
	}
	done, err := reg.Finish(ctx, reg.State().Recommend())
	if err != nil {
		return err
	}
	d.completed = done.Status == verifik.Completed
	if !d.completed {
		j.reason = "finished as " + string(done.Status)
	}
	return nil
}

// reconcile reads each registration whose step was lost (GET /v2/app-registrations/{id}
// with the client token) and says whether that step landed. A lost creation leaves no id
// to read and Verifik has no lookup by email; registering the same email again would tell
// (ErrAlreadyRegistered when it landed), but the soak leaves it unreconciled.
func (r *verifikRig) reconcile(ctx context.Context, t *testing.T, js []*journey) {
	for _, j := range js {
		if j.class != classReconcile {
			continue
		}
		d := j.data.(*verifikJourney)
		if d.id == "" {
			j.why = "creation lost: no id to read; registering the same email again answers already registered if it landed"
			continue
		}
		rev, err := r.c.Review(ctx, d.id)
		if err != nil {
			j.why = "review failed: " + err.Error()
			continue
		}
		var landed bool
		switch j.step {
		case "createEmailValidation":
			_, landed = r.emu.LastCode(d.email)
		case "validateEmailValidation":
			landed = rev.EmailVerified
		case "createDocumentValidation":
			landed = rev.DocumentStatus != ""
		case "createBiometricValidation":
			landed = rev.LivenessScore != nil || rev.PersonID != ""
		case "compareAppRegistrationFaces":
			landed = rev.FaceScore != nil
		case "syncAppRegistration":
			landed = rev.Status == verifik.Completed
		default:
			j.why = "unexpected step " + j.step
			continue
		}
		if landed {
			j.reconciled = reconciledDone
		} else {
			j.reconciled = reconciledNotDone
		}
	}
}

// check compares the emulator's registrations with the clients': one registration per
// journey, and COMPLETED exactly when the client saw Finish answer so or reconciliation
// found the lost Finish landed. Registrations the clients hold no id for may only come
// from lost creations, and none of them can have progressed.
func (r *verifikRig) check(_ context.Context, _ *testing.T, js []*journey) recordCheck {
	c := recordCheck{what: "completed registrations"}
	status := map[string]verifik.Status{}
	for _, reg := range r.emu.Registrations() {
		st := reg.Status
		status[reg.ID] = st
		if st == verifik.Completed {
			c.recorded++
		}
	}
	known, lostCreations := map[string]bool{}, 0
	for _, j := range js {
		d, ok := j.data.(*verifikJourney)
		if !ok {
			continue
		}
		if d.id == "" {
			if j.class == classReconcile && j.step == "createAppRegistration" {
				lostCreations++
			}
			continue
		}
		if known[d.id] {
			c.duplicated = append(c.duplicated, d.id+" shared by two journeys")
		}
		known[d.id] = true
		want := d.completed || (j.step == "syncAppRegistration" && j.reconciled == reconciledDone)
		switch {
		case d.completed:
			c.reported++
		case want:
			c.reconciled++
		}
		st, exists := status[d.id]
		done := st == verifik.Completed
		switch {
		case !exists:
			c.phantom = append(c.phantom, d.email+" (no registration)")
		case done && !want:
			c.lost = append(c.lost, d.email)
		case !done && want:
			c.phantom = append(c.phantom, d.email)
		}
	}
	unknown := 0
	for id, st := range status {
		if known[id] {
			continue
		}
		unknown++
		if st != verifik.Started {
			c.lost = append(c.lost, fmt.Sprintf("registration %s unknown to the clients is %s", id, st))
		}
	}
	c.note = fmt.Sprintf("%d registrations for %d journeys; %d without an id on the client side, from %d lost creations, none past STARTED",
		len(status), len(js), unknown, lostCreations)
	if unknown > lostCreations {
		c.duplicated = append(c.duplicated, fmt.Sprintf("%d registrations unknown to the clients, %d creations lost", unknown, lostCreations))
	}
	sort.Strings(c.duplicated)
	sort.Strings(c.lost)
	sort.Strings(c.phantom)
	return c
}
