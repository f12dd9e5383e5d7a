package soak

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/transport"
)

const (
	iproovPhoto   = "photo enrol then verify"
	iproovCapture = "capture enrol"
)

type iproovRig struct {
	w   *wire
	emu *iproovtest.Emulator
	c   *iproov.Client
}

// iproovJourney is one iProov journey's state: one user id, one face.
type iproovJourney struct {
	user, face string
	enrolled   bool // the client saw the user enrolled
}

func newIProovRig(t *testing.T, seed uint64) *iproovRig {
	emu := iproovtest.New(iproovtest.WithFaultSeed(seed))
	w := newWire("iproov", emu.Handler(), contract.Default().Spec("iproov/claim"))
	user, pass := emu.OAuthCredentials()
	c, err := iproov.New(emu.APIKey(), emu.Secret(),
		iproov.WithBaseURL(w.srv.URL),
		iproov.WithOAuth(user, pass),
		iproov.WithContract(contract.ModeReport),
		iproov.WithTransport(w.options()...))
	require.NoError(t, err)
	return &iproovRig{w: w, emu: emu, c: c}
}

func (r *iproovRig) name() string            { return "iproov" }
func (r *iproovRig) wire() *wire             { return r.w }
func (r *iproovRig) faults() *sandbox.Faults { return r.emu.Faults() }
func (r *iproovRig) kinds() []string         { return []string{iproovPhoto, iproovCapture} }

func (r *iproovRig) run(ctx context.Context, j *journey) error {
	d := &iproovJourney{user: fmt.Sprintf("soak-user-%06d", j.n), face: fmt.Sprintf("soak-face-%06d", j.n)}
	j.data = d
	req := iproov.TokenRequest{UserID: d.user, Resource: "soak"}
	if j.kind == iproovPhoto {
		verify, err := r.c.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{TokenRequest: req,
			Photo: iproov.Photo{Image: sandbox.FaceJPEG(d.face), Source: iproov.SourceOID}})
		if err != nil {
			// PhotoEnrol enrols, then asks for the verify token: failing at that last step
			// means the user is enrolled.
			d.enrolled = stepOf(err) == "userVerifyServerToken"
			return err
		}
		d.enrolled = true
		if err := harness("capture", r.emu.CaptureFace(verify.Token, d.face)); err != nil {
			return err
		}
		res, err := r.c.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
		if err != nil {
			return err
		}
		if !res.Passed {
			j.reason = "verification failed: " + res.String()
		}
		return nil
	}
	enrol, err := r.c.EnrolToken(ctx, req)
	if err != nil {
		return err
	}
	if err := harness("capture", r.emu.CaptureFace(enrol.Token, d.face)); err != nil {
		return err
	}
	res, err := r.c.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})
	if err != nil {
		return err
	}
	d.enrolled = res.Passed
	if !res.Passed {
		j.reason = "enrolment failed: " + res.String()
	}
	return nil
}

// reconcile reads each user whose enrolment was lost (GET /users/{user_id}): iProov's
// own record says whether the enrolment landed. A lost verify validation cannot be
// recovered: iProov answers a validation once per token and has no call that reads it
// back.
func (r *iproovRig) reconcile(ctx context.Context, t *testing.T, js []*journey) {
	for _, j := range js {
		if j.class != classReconcile {
			continue
		}
		d := j.data.(*iproovJourney)
		switch j.step {
		case "userEnrolImage", "userEnrolValidate":
			enrolled, err := r.userExists(ctx, d.user)
			switch {
			case err != nil:
				j.why = "reading the user failed: " + err.Error()
			case enrolled:
				j.reconciled = reconciledDone
			default:
				j.reconciled = reconciledNotDone
			}
		case "userVerifyValidate":
			j.why = "iProov answers a validation once per token and has no call that reads it back"
		default:
			j.why = "unexpected step " + j.step
		}
	}
}

// userExists reads a user through the Management API: iProov answers an unknown one
// 400 invalid_user_id.
func (r *iproovRig) userExists(ctx context.Context, id string) (bool, error) {
	u, err := r.c.GetUser(ctx, id)
	if iproov.CodeOf(err) == iproov.CodeInvalidUserID {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return u.Status == iproov.StatusActive, nil
}

// check compares iProov's users with the clients' enrolments: each journey's user is
// enrolled exactly when the client saw it or reconciliation found it, the emulator holds
// no other user, and no journey was ever told already_enrolled (which only a second
// enrolment of the same user id can cause).
func (r *iproovRig) check(ctx context.Context, t *testing.T, js []*journey) recordCheck {
	c := recordCheck{what: "enrolled users", recorded: r.emu.Stats().Users}
	found := 0
	for _, j := range js {
		d, ok := j.data.(*iproovJourney)
		if !ok {
			continue
		}
		var apiErr *transport.APIError
		if errors.As(j.err, &apiErr) && iproov.CodeOf(apiErr) == iproov.CodeAlreadyEnrolled {
			c.duplicated = append(c.duplicated, d.user+" answered already_enrolled")
		}
		want := d.enrolled || j.reconciled == reconciledDone
		switch {
		case d.enrolled:
			c.reported++
		case j.reconciled == reconciledDone:
			c.reconciled++
		}
		exists, err := r.userExists(ctx, d.user)
		require.NoError(t, err, "reading user %s", d.user)
		if exists {
			found++
		}
		switch {
		case exists && !want:
			c.lost = append(c.lost, d.user)
		case !exists && want:
			c.phantom = append(c.phantom, d.user)
		}
	}
	c.note = fmt.Sprintf("%d users in the emulator, %d of them the journeys' (read back with GET /users/{user_id})", c.recorded, found)
	if found != c.recorded {
		c.lost = append(c.lost, fmt.Sprintf("%d users outside the journeys", c.recorded-found))
	}
	sort.Strings(c.duplicated)
	sort.Strings(c.lost)
	sort.Strings(c.phantom)
	return c
}
