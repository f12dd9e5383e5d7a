package soak

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

const (
	verisoulUniqueness = "uniqueness sign-up (1:N)"
	verisoulIDCheck    = "ID Check sign-up"
	verisoulOneToOne   = "sign-up then 1:1 sign-in"
)

type verisoulRig struct {
	w   *wire
	emu *verisoultest.Emulator
	c   *verisoul.Client
}

// verisoulJourney is one Verisoul journey's state: one account, one face, and the
// sign-up session that is enrolled.
type verisoulJourney struct {
	account, face string
	signup        verisoul.Session
	enrolled      bool // the client saw the enrolment confirmed
}

func newVerisoulRig(t *testing.T, seed uint64) *verisoulRig {
	// The per-key rate limit (300 a minute) would turn the soak into a rate-limit test.
	emu := verisoultest.New(verisoultest.WithRateLimit(0, 0), verisoultest.WithFaultSeed(seed))
	kit := contract.Default()
	w := newWire("verisoul", emu.Handler(), kit.Spec("verisoul/facematch"), kit.Spec("verisoul/idcheck"))
	c, err := verisoul.New(emu.APIKey(),
		verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(w.srv.URL),
		verisoul.WithContract(contract.ModeReport),
		verisoul.WithTransport(w.options()...))
	require.NoError(t, err)
	return &verisoulRig{w: w, emu: emu, c: c}
}

func (r *verisoulRig) name() string            { return "verisoul" }
func (r *verisoulRig) wire() *wire             { return r.w }
func (r *verisoulRig) faults() *sandbox.Faults { return r.emu.Faults() }
func (r *verisoulRig) kinds() []string {
	return []string{verisoulUniqueness, verisoulIDCheck, verisoulOneToOne}
}

func (r *verisoulRig) run(ctx context.Context, j *journey) error {
	d := &verisoulJourney{account: fmt.Sprintf("soak-account-%06d", j.n), face: fmt.Sprintf("soak-face-%06d", j.n)}
	j.data = d
	var (
		out *verisoul.Outcome
		err error
	)
	if j.kind == verisoulIDCheck {
		if d.signup, err = r.c.StartIDCheckSession(ctx, verisoul.SessionOptions{}); err != nil {
			return err
		}
		// The end user shows a valid document of their own on the hosted page.
		if err := harness("capture", r.emu.CompleteWithDocument(d.signup.ID, d.face, r.emu.DocumentFor(d.face))); err != nil {
			return err
		}
		out, err = r.c.CheckID(ctx, d.signup, d.account, nil)
	} else {
		if d.signup, err = r.c.StartSession(ctx, verisoul.SessionOptions{}); err != nil {
			return err
		}
		if err := harness("capture", r.emu.CompleteAs(d.signup.ID, d.face)); err != nil {
			return err
		}
		out, err = r.c.CheckUniqueness(ctx, d.signup, d.account, nil)
	}
	d.enrolled = out.Enrolled()
	if err != nil {
		return err
	}
	if !out.Enrolled() {
		j.reason = "sign-up refused: " + out.Verdict.String()
		return nil
	}
	if j.kind != verisoulOneToOne {
		return nil
	}
	// Later, the same person signs in: a new session, the same face, 1:1 against the account.
	s, err := r.c.StartSession(ctx, verisoul.SessionOptions{})
	if err != nil {
		return err
	}
	if err := harness("capture", r.emu.CompleteAs(s.ID, d.face)); err != nil {
		return err
	}
	res, err := r.c.VerifyIdentity(ctx, s, d.account)
	if err != nil {
		return err
	}
	if !res.Matched() {
		j.reason = "sign-in not matched: " + string(res.Outcome)
	}
	return nil
}

// reconcile asks Verisoul about each lost enrolment: verify on the sign-up session
// answers the account it is tied to (metadata.account_id) without changing anything.
// A lost verify changes nothing Verisoul shows, so there is nothing to reconcile.
func (r *verisoulRig) reconcile(ctx context.Context, t *testing.T, js []*journey) {
	for _, j := range js {
		if j.class != classReconcile {
			continue
		}
		d := j.data.(*verisoulJourney)
		switch j.step {
		case "enrollFaceMatch", "enrollIDCheck":
		case "verifyFace", "verifyID", "verifyIdentityFaceMatch":
			j.reconciled = reconciledNoState
			continue
		default:
			j.why = "unexpected step " + j.step
			continue
		}
		var (
			v   *verisoul.Verification
			err error
		)
		if d.signup.Product == verisoul.IDCheck {
			v, err = r.c.VerifyID(ctx, d.signup)
		} else {
			v, err = r.c.VerifyFace(ctx, d.signup)
		}
		switch {
		case err != nil:
			j.why = "verify failed: " + err.Error()
		case v.Metadata.AccountID == d.account:
			j.reconciled = reconciledDone
		case v.Metadata.AccountID == "":
			j.reconciled = reconciledNotDone
		default:
			j.why = "session tied to another account"
		}
	}
}

// check compares Verisoul's enrolments with the clients': every account at most once, and
// enrolled exactly when the client saw it enrolled or reconciliation found it so.
func (r *verisoulRig) check(_ context.Context, _ *testing.T, js []*journey) recordCheck {
	c := recordCheck{what: "enrolments"}
	recorded := map[string][]string{} // account → sessions
	for _, e := range r.emu.Enrollments() {
		recorded[e.AccountID] = append(recorded[e.AccountID], e.SessionID)
		c.recorded++
	}
	want := map[string]string{} // account → sign-up session
	for _, j := range js {
		d, ok := j.data.(*verisoulJourney)
		if !ok {
			continue
		}
		switch {
		case d.enrolled:
			c.reported++
		case j.reconciled == reconciledDone:
			c.reconciled++
		default:
			continue
		}
		want[d.account] = d.signup.ID
	}
	for account, sessions := range recorded {
		if len(sessions) > 1 {
			c.duplicated = append(c.duplicated, fmt.Sprintf("%s enrolled %d times", account, len(sessions)))
		}
		session, ok := want[account]
		switch {
		case !ok:
			c.lost = append(c.lost, account)
		case sessions[0] != session:
			c.lost = append(c.lost, account+" (another session)")
		}
	}
	for account := range want {
		if _, ok := recorded[account]; !ok {
			c.phantom = append(c.phantom, account)
		}
	}
	c.note = fmt.Sprintf("%d accounts enrolled, at most one session each", len(recorded))
	sort.Strings(c.duplicated)
	sort.Strings(c.lost)
	sort.Strings(c.phantom)
	return c
}
