package idv_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/idv/idvtest"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// The adapters offer exactly their vendor's capabilities: these lines are the compile-time
// half of the promise (an iProov Uniqueness would not compile); TestCapabilityMatrix is the
// run-time half.
var (
	_ idv.Uniqueness           = (*idv.VerisoulAdapter)(nil)
	_ idv.Authentication       = (*idv.VerisoulAdapter)(nil)
	_ idv.FaceEnrolment        = (*idv.VerisoulAdapter)(nil)
	_ idv.DocumentVerification = (*idv.VerisoulAdapter)(nil)
	_ idv.Authentication       = (*idv.IProovAdapter)(nil)
	_ idv.FaceEnrolment        = (*idv.IProovAdapter)(nil)
	_ idv.Uniqueness           = (*idv.VerifikAdapter)(nil)
	_ idv.FaceEnrolment        = (*idv.VerifikAdapter)(nil)
	_ idv.DocumentVerification = (*idv.VerifikAdapter)(nil)
)

// offered is the capability × vendor table the README shows.
var offered = map[idv.Capability][]string{
	idv.CapabilityUniqueness:           {"verisoul", "verifik"},
	idv.CapabilityAuthentication:       {"verisoul", "iproov"},
	idv.CapabilityFaceEnrolment:        {"verisoul", "iproov", "verifik"},
	idv.CapabilityDocumentVerification: {"verisoul", "verifik"},
}

func TestCapabilityMatrix(t *testing.T) {
	ctx := context.Background()
	for _, vendor := range idvtest.Vendors {
		sb, err := idvtest.New(ctx, vendor, idvtest.Options{})
		require.NoError(t, err)
		for _, c := range idv.Capabilities {
			j, err := sb.Journey(c)
			if contains(offered[c], vendor) {
				require.NoError(t, err, "%s %s", vendor, c)
				assert.Equal(t, vendor, j.Vendor())
				assert.Equal(t, c, j.Capability())
				continue
			}
			var unsupported *idv.UnsupportedError
			require.ErrorAs(t, err, &unsupported, "%s %s", vendor, c)
			assert.ErrorIs(t, err, idv.ErrUnsupported)
			assert.Equal(t, vendor, unsupported.Vendor)
			assert.Nil(t, j, "never a fallback")
		}
		sb.Close()
	}
}

// journeyCase is one capability journey of one vendor ending one way. Adding a vendor is
// adding its rows.
type journeyCase struct {
	vendor string
	cap    idv.Capability
	name   string
	// given are journeys run first (for the same sandbox), each of which must pass.
	given []given
	// photo, when set, enrols from a trusted photo of that face.
	photo string
	act   idvtest.Act

	want    idv.Status
	reasons []idv.Reason
	// asked are the reasons of the pending steps on the way.
	asked []idv.Reason
	// startErr, when set, is NextStep's answer to the error Start must return.
	startErr idv.Action
}

type given struct {
	cap  idv.Capability
	user string
	face string
}

const user = "user-2"

var (
	enrolled      = []given{{idv.CapabilityFaceEnrolment, user, "alice"}}
	aliceSignedUp = []given{{idv.CapabilityUniqueness, "user-1", "alice"}}
)

func journeyCases() []journeyCase {
	var (
		uniq = idv.CapabilityUniqueness
		auth = idv.CapabilityAuthentication
		enro = idv.CapabilityFaceEnrolment
		docs = idv.CapabilityDocumentVerification
		P, F = idv.StatusPassed, idv.StatusFailed
		R    = idv.StatusNeedsReview
	)
	return []journeyCase{
		// Uniqueness (1:N).
		{vendor: "verisoul", cap: uniq, name: "new face", want: P},
		{vendor: "verisoul", cap: uniq, name: "duplicate face", given: aliceSignedUp, want: F, reasons: []idv.Reason{idv.ReasonDuplicateFace}},
		{vendor: "verisoul", cap: uniq, name: "spoof", act: idvtest.Act{Spoof: true}, want: F, reasons: []idv.Reason{idv.ReasonLivenessFailed}},
		{vendor: "verisoul", cap: uniq, name: "camera refused", act: idvtest.Act{Abandon: true}, want: F, reasons: []idv.Reason{idv.ReasonUserAbandoned}},
		{vendor: "verisoul", cap: uniq, name: "redirect before the capture", act: idvtest.Act{RedirectEarly: true}, want: P,
			asked: []idv.Reason{idv.ReasonNotFinished}},
		{vendor: "verifik", cap: uniq, name: "new face", want: P},
		// Verifik's default policy (State.Recommend) sends a registrant without a person to review.
		{vendor: "verifik", cap: uniq, name: "duplicate face", given: aliceSignedUp, want: R, reasons: []idv.Reason{idv.ReasonDuplicateFace}},
		{vendor: "verifik", cap: uniq, name: "spoof until attempts run out", act: idvtest.Act{Spoof: true}, want: R,
			reasons: []idv.Reason{idv.ReasonLivenessFailed}, asked: []idv.Reason{idv.ReasonLivenessFailed, idv.ReasonLivenessFailed}},
		{vendor: "verifik", cap: uniq, name: "wrong code first", act: idvtest.Act{WrongCodeFirst: true}, want: P,
			asked: []idv.Reason{idv.ReasonCodeMismatch}},

		// Authentication (1:1).
		{vendor: "verisoul", cap: auth, name: "same person", given: enrolled, want: P},
		{vendor: "verisoul", cap: auth, name: "another person", given: enrolled, act: idvtest.Act{Face: "mallory"}, want: F, reasons: []idv.Reason{idv.ReasonFaceMismatch}},
		{vendor: "verisoul", cap: auth, name: "spoof", given: enrolled, act: idvtest.Act{Spoof: true}, want: F, reasons: []idv.Reason{idv.ReasonLivenessFailed}},
		{vendor: "verisoul", cap: auth, name: "never enrolled", want: F, reasons: []idv.Reason{idv.ReasonNotEnrolled}},
		{vendor: "iproov", cap: auth, name: "same person", given: enrolled, want: P},
		{vendor: "iproov", cap: auth, name: "another person", given: enrolled, act: idvtest.Act{Face: "mallory"}, want: F, reasons: []idv.Reason{idv.ReasonFaceMismatch}},
		{vendor: "iproov", cap: auth, name: "spoof", given: enrolled, act: idvtest.Act{Spoof: true}, want: F, reasons: []idv.Reason{idv.ReasonLivenessFailed}},
		{vendor: "iproov", cap: auth, name: "SDK never launched", given: enrolled, act: idvtest.Act{Abandon: true}, want: F, reasons: []idv.Reason{idv.ReasonUserAbandoned}},
		{vendor: "iproov", cap: auth, name: "never enrolled", startErr: idv.Declined},

		// Face enrolment.
		{vendor: "verisoul", cap: enro, name: "live capture", want: P},
		{vendor: "verisoul", cap: enro, name: "spoof", act: idvtest.Act{Spoof: true}, want: F, reasons: []idv.Reason{idv.ReasonLivenessFailed}},
		{vendor: "verisoul", cap: enro, name: "a photo is refused, not captured instead", photo: "alice", startErr: idv.FixRequest},
		{vendor: "iproov", cap: enro, name: "live capture", want: P},
		{vendor: "iproov", cap: enro, name: "spoof", act: idvtest.Act{Spoof: true}, want: F, reasons: []idv.Reason{idv.ReasonLivenessFailed}},
		{vendor: "iproov", cap: enro, name: "SDK never launched", act: idvtest.Act{Abandon: true}, want: F, reasons: []idv.Reason{idv.ReasonUserAbandoned}},
		{vendor: "iproov", cap: enro, name: "already enrolled", given: enrolled, startErr: idv.Declined},
		{vendor: "iproov", cap: enro, name: "photo, then the same face", photo: "alice", want: P},
		{vendor: "iproov", cap: enro, name: "photo, then another face", photo: "alice", act: idvtest.Act{Face: "bob"}, want: F, reasons: []idv.Reason{idv.ReasonFaceMismatch}},
		{vendor: "verifik", cap: enro, name: "selfie", want: P},
		{vendor: "verifik", cap: enro, name: "face already enrolled", given: aliceSignedUp, want: R, reasons: []idv.Reason{idv.ReasonDuplicateFace}},

		// Document verification with face match.
		{vendor: "verisoul", cap: docs, name: "valid document", want: P},
		{vendor: "verisoul", cap: docs, name: "forged document", act: idvtest.Act{Document: "fake"}, want: F, reasons: []idv.Reason{idv.ReasonDocumentInvalid}},
		{vendor: "verisoul", cap: docs, name: "expired document", act: idvtest.Act{Document: "expired"}, want: F, reasons: []idv.Reason{idv.ReasonDocumentExpired}},
		{vendor: "verisoul", cap: docs, name: "someone else's document", act: idvtest.Act{Document: "other_face"}, want: F, reasons: []idv.Reason{idv.ReasonFaceMismatch}},
		{vendor: "verisoul", cap: docs, name: "spoof", act: idvtest.Act{Spoof: true}, want: F, reasons: []idv.Reason{idv.ReasonLivenessFailed}},
		{vendor: "verifik", cap: docs, name: "valid document", want: P},
		{vendor: "verifik", cap: docs, name: "forged document", act: idvtest.Act{Document: "fake"}, want: F, reasons: []idv.Reason{idv.ReasonDocumentInvalid}},
		// Verifik's OCR answers FAILED without saying why: the shared reason is the general one.
		{vendor: "verifik", cap: docs, name: "expired document", act: idvtest.Act{Document: "expired"}, want: F, reasons: []idv.Reason{idv.ReasonDocumentInvalid}},
		{vendor: "verifik", cap: docs, name: "someone else's document", act: idvtest.Act{Document: "other_face"}, want: R, reasons: []idv.Reason{idv.ReasonFaceMismatch}},
	}
}

// TestJourneys runs every capability journey — passing and each way of failing — against
// every vendor offering it, through package idv only, against the emulators with both
// sides held to the vendor's spec.
func TestJourneys(t *testing.T) {
	ctx := context.Background()
	covered := map[idv.Capability]map[string]bool{}
	for _, tc := range journeyCases() {
		t.Run(tc.vendor+"/"+string(tc.cap)+"/"+tc.name, func(t *testing.T) {
			var problems []error
			sb, err := idvtest.New(ctx, tc.vendor, idvtest.Options{OnProblem: func(e *contract.Error) { problems = append(problems, e) }})
			require.NoError(t, err)
			defer sb.Close()
			for _, g := range tc.given {
				j, err := sb.Journey(g.cap)
				require.NoError(t, err)
				out, _, err := sb.Run(ctx, j, idvtest.Request(g.user), idvtest.Act{Face: g.face})
				require.NoError(t, err)
				require.Equal(t, idv.StatusPassed, out.Status, "given %s: %s", g.cap, out)
			}
			j, err := sb.Journey(tc.cap)
			require.NoError(t, err)
			req := idvtest.Request(user)
			if tc.photo != "" {
				req.Photo = &idv.Photo{Image: sandbox.FaceJPEG(tc.photo), Source: "eid"}
			}
			out, asked, err := sb.Run(ctx, j, req, tc.act)
			if tc.startErr != "" {
				require.Error(t, err)
				assert.Equal(t, tc.startErr, idv.NextStep(err).Action, "%v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, out.Status, "%s", out)
			for _, r := range tc.reasons {
				assert.True(t, out.Has(r), "want reason %s in %s", r, out)
			}
			if tc.want == idv.StatusPassed {
				assert.Empty(t, out.Reasons)
				if covered[tc.cap] == nil {
					covered[tc.cap] = map[string]bool{}
				}
				covered[tc.cap][tc.vendor] = true
			} else {
				assert.NotEmpty(t, out.Reasons, "a refusal says why")
			}
			assert.Equal(t, tc.asked, asked)
			assert.Equal(t, tc.vendor, out.Vendor)
			assert.Equal(t, tc.cap, out.Capability)
			assert.Nil(t, out.Next)
			assert.False(t, out.StartedAt.IsZero())
			assert.False(t, out.DecidedAt.Before(out.StartedAt.Add(-1)), "decided %s, started %s", out.DecidedAt, out.StartedAt)
			assert.Equal(t, user, out.Refs.UserID)
			assert.NotEmpty(t, out.Refs.SessionID+out.Refs.Claim+out.Refs.RegistrationID, "a vendor reference for audit")
			assert.Empty(t, problems, "contract problems")
		})
	}
	// Every capability a vendor offers has a passing journey in the table.
	for c, vendors := range offered {
		for _, v := range vendors {
			assert.True(t, covered[c][v], "no passing row for %s %s", v, c)
		}
	}
}

// TestResumeRefusesAnotherJourney: a stored state is checked before any network call.
func TestResumeRefusesAnotherJourney(t *testing.T) {
	ctx := context.Background()
	sb, err := idvtest.New(ctx, "verisoul", idvtest.Options{})
	require.NoError(t, err)
	defer sb.Close()
	uniq, err := sb.Journey(idv.CapabilityUniqueness)
	require.NoError(t, err)
	auth, err := sb.Journey(idv.CapabilityAuthentication)
	require.NoError(t, err)
	p, err := uniq.Start(ctx, idvtest.Request(user))
	require.NoError(t, err)
	res, err := sb.Play(ctx, p, idvtest.Act{})
	require.NoError(t, err)

	old := p.State
	old.Version = 0
	wrongVendor := p.State
	wrongVendor.Vendor = "iproov"
	noVendorState := p.State
	noVendorState.Verisoul = nil
	tests := []struct {
		name string
		j    idv.Journey
		st   idv.State
	}{
		{"another capability", auth, p.State},
		{"another version", uniq, old},
		{"another vendor", uniq, wrongVendor},
		{"no vendor state", uniq, noVendorState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.j.Resume(ctx, tc.st, res)
			assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%v", err)
		})
	}
	// A redirect for another session is refused too.
	other, err := uniq.Start(ctx, idvtest.Request("user-3"))
	require.NoError(t, err)
	_, err = uniq.Resume(ctx, other.State, res)
	assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%v", err)
	// The right state still works afterwards: nothing was spent.
	out, err := uniq.Resume(ctx, p.State, res)
	require.NoError(t, err)
	assert.Equal(t, idv.StatusPassed, out.Status, "%s", out)
}

func TestStartRefusesBadRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		vendor string
		cap    idv.Capability
		mutate func(*idv.Request)
	}{
		{"verisoul", idv.CapabilityUniqueness, func(r *idv.Request) { r.UserID = "" }},
		{"verisoul", idv.CapabilityUniqueness, func(r *idv.Request) { r.RedirectURL = "" }},
		{"verisoul", idv.CapabilityUniqueness, func(r *idv.Request) { r.RedirectURL = "not a url" }},
		{"iproov", idv.CapabilityAuthentication, func(r *idv.Request) { r.UserID = "" }},
		{"iproov", idv.CapabilityAuthentication, func(r *idv.Request) { r.Photo = &idv.Photo{Image: sandbox.FaceJPEG("alice"), Source: "eid"} }},
		{"iproov", idv.CapabilityFaceEnrolment, func(r *idv.Request) { r.Photo = &idv.Photo{Image: []byte("GIF89a"), Source: "eid"} }},
		{"verifik", idv.CapabilityUniqueness, func(r *idv.Request) { r.UserID = "" }},
		{"verifik", idv.CapabilityUniqueness, func(r *idv.Request) { r.Email = "" }},
		{"verifik", idv.CapabilityFaceEnrolment, func(r *idv.Request) { r.Photo = &idv.Photo{Image: sandbox.FaceJPEG("alice"), Source: "eid"} }},
	}
	for _, tc := range tests {
		sb, err := idvtest.New(ctx, tc.vendor, idvtest.Options{})
		require.NoError(t, err)
		j, err := sb.Journey(tc.cap)
		require.NoError(t, err)
		req := idvtest.Request(user)
		tc.mutate(&req)
		_, err = j.Start(ctx, req)
		require.Error(t, err, "%s %s %s", tc.vendor, tc.cap, req)
		assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%s %s: %v", tc.vendor, tc.cap, err)
		sb.Close()
	}
}

func TestAdapterConstruction(t *testing.T) {
	_, err := idv.Verisoul(nil, idv.VerisoulOptions{})
	assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action)
	_, err = idv.IProov(nil, idv.IProovOptions{})
	assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action)
	_, err = idv.Verifik(nil, idv.VerifikOptions{})
	assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action)
	c, err := verifik.New("client-token")
	require.NoError(t, err)
	for name, o := range map[string]idv.VerifikOptions{
		"no flow":                 {},
		"flow skips the selfie":   {Flow: verifik.Flow{FlowID: "f1", Steps: map[string]verifik.Requirement{verifik.StepLiveness: verifik.Skip}}},
		"document flow skips ocr": {DocumentFlow: verifik.Flow{FlowID: "f2", Steps: map[string]verifik.Requirement{verifik.StepDocument: verifik.Skip}}},
	} {
		_, err = idv.Verifik(c, o)
		assert.Equal(t, idv.FixRequest, idv.NextStep(err).Action, "%s: %v", name, err)
	}
	_, err = idv.JourneyOf(struct{}{}, idv.CapabilityUniqueness)
	assert.True(t, errors.Is(err, idv.ErrUnsupported))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestVerifikStartAgainResumes: a user who starts a Verifik journey again (a second
// sign-up with the same email) is not failed: Verifik refuses the second registration,
// NextStep says ResumeExisting with ReasonAlreadyRegistered, and the State stored from
// the first Start carries the journey to its end. The same holds after it ended.
func TestVerifikStartAgainResumes(t *testing.T) {
	ctx := context.Background()
	sb, err := idvtest.New(ctx, "verifik", idvtest.Options{})
	require.NoError(t, err)
	defer sb.Close()
	j, err := sb.Journey(idv.CapabilityUniqueness)
	require.NoError(t, err)
	req := idvtest.Request("dana")

	first, err := j.Start(ctx, req)
	require.NoError(t, err)
	startAgain := func(t *testing.T) {
		t.Helper()
		_, err := j.Start(ctx, req)
		require.Error(t, err)
		assert.ErrorIs(t, err, verifik.ErrAlreadyRegistered)
		d := idv.NextStep(err)
		assert.Equal(t, idv.ResumeExisting, d.Action, "%v", err)
		assert.Equal(t, idv.ReasonAlreadyRegistered, d.Reason)
		assert.Equal(t, "email_is_registered_already", d.Code)
	}
	startAgain(t)

	p := first
	var out *idv.Outcome
	for range idvtest.MaxSteps {
		res, err := sb.Play(ctx, p, idvtest.Act{})
		require.NoError(t, err)
		out, err = j.Resume(ctx, p.State, res)
		require.NoError(t, err)
		if out.Final() {
			break
		}
		p = out.Next
	}
	require.NotNil(t, out)
	assert.Equal(t, idv.StatusPassed, out.Status, "%s", out)
	startAgain(t)
}
