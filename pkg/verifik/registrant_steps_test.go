package verifik_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
)

const welcome2 = "https://acme.example/welcome"

// selfieDone is a registrant with an accepted document and selfie of face, compared.
func (e *env) selfieDone(flow verifik.Flow, email, face string) *verifik.Registrant {
	e.t.Helper()
	r := e.register(flow, email, "Alice Example")
	e.confirmEmail(r)
	_, err := r.SubmitDocument(ctx, verifik.Document{Front: photo(documentOf("Alice", "Example", face))})
	require.NoError(e.t, err)
	_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie(face), OS: verifik.IOS})
	require.NoError(e.t, err)
	_, err = r.CompareFaces(ctx)
	require.NoError(e.t, err)
	return r
}

func TestRetakeSelfie(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification(welcome2))
	r := e.selfieDone(flow, "retake@example.com", "alice")
	before := r.State()
	require.NotNil(t, before.FaceScore)

	res, err := r.RetakeSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.Android})
	require.NoError(t, err)
	st := r.State()
	assert.NotEmpty(t, res.PersonID)
	assert.NotEqual(t, before.PersonID, res.PersonID, "the old person went with its validation")
	assert.Equal(t, res.PersonID, st.PersonID)
	assert.Nil(t, st.FaceScore, "the comparison was of the old selfie")
	assert.Equal(t, before.SelfieAttempts+1, st.SelfieAttempts)
	assert.Equal(t, 1, e.emu.Stats().Biometrics, "the old biometric validation is gone")

	cmp, err := r.CompareFaces(ctx)
	require.NoError(t, err)
	assert.True(t, cmp.Match)
	done, err := r.Finish(ctx, r.State().Recommend())
	require.NoError(t, err)
	assert.Equal(t, verifik.Completed, done.Status)
}

// TestRetakeSelfieFails: a new selfie that fails liveness leaves the registrant without
// a selfie (the old one was deleted), as the state says.
func TestRetakeSelfieFails(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification(welcome2))
	r := e.selfieDone(flow, "spoof@example.com", "alice")
	_, err := r.RetakeSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("alice", 0.2), OS: verifik.IOS})
	require.ErrorIs(t, err, verifik.ErrLivenessFailed)
	assert.Empty(t, r.State().PersonID)
	_, err = r.RetakeSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS})
	require.ErrorIs(t, err, verifik.ErrNotReady, "nothing to retake: SubmitSelfie")
	_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS})
	require.NoError(t, err)
}

// TestRetakeSelfieRefused: a wrong step or bad input fails before any network call.
func TestRetakeSelfieRefused(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FullVerification(welcome2))
	good := verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS}

	fresh := e.register(flow, "fresh@example.com", "Fresh Start")
	done := e.selfieDone(flow, "done@example.com", "alice")
	_, err := done.Finish(ctx, verifik.Completed)
	require.NoError(t, err)
	used := e.selfieDone(flow, "used@example.com", "bob")
	st := used.State()
	st.SelfieAttempts = st.Flow.SelfieAttempts
	exhausted, err := e.client.Resume(st)
	require.NoError(t, err)
	st = used.State()
	st.Flow.Steps[verifik.StepLiveness] = verifik.Skip
	noLiveness, err := e.client.Resume(st)
	require.NoError(t, err)

	cases := []struct {
		name string
		r    *verifik.Registrant
		s    verifik.Selfie
		want error
	}{
		{"no selfie yet", fresh, good, verifik.ErrNotReady},
		{"finished", done, good, verifik.ErrFinished},
		{"attempts used up", exhausted, good, verifik.ErrAttemptsExhausted},
		{"flow skips liveness", noLiveness, good, verifik.ErrStepNotOffered},
		{"unknown OS", used, verifik.Selfie{Image: good.Image, OS: "WINDOWS"}, transport.ErrValidation},
		{"empty image", used, verifik.Selfie{OS: verifik.IOS}, transport.ErrValidation},
		{"not an image", used, verifik.Selfie{Image: verifik.ImageOf([]byte("hello")), OS: verifik.IOS}, transport.ErrValidation},
		{"not made by Register", &verifik.Registrant{}, good, verifik.ErrNotReady},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.noCallsDuring(func() {
				_, err := c.r.RetakeSelfie(ctx, c.s)
				require.ErrorIs(t, err, c.want)
				require.ErrorIs(t, err, transport.ErrValidation)
			})
		})
	}
	assert.NotEmpty(t, used.State().PersonID, "a refused retake deletes nothing")
}

func TestChangePhone(t *testing.T) {
	e := newEnv(t)
	flow := e.setup(verifik.FlowConfig{RedirectURL: welcome2, PhoneCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	r, err := e.client.Register(ctx, flow, verifik.Registration{Phone: "3001234567", CountryCode: "+57"})
	require.NoError(t, err)
	_, err = r.SendPhoneCode(ctx, "")
	require.NoError(t, err)
	old, ok := e.emu.LastCode("+573001234567")
	require.True(t, ok)

	sent, err := r.ChangePhone(ctx, "300 765 4321", " +57 ", verifik.WhatsApp)
	require.NoError(t, err)
	st := r.State()
	assert.Equal(t, "3007654321", st.Phone)
	assert.Equal(t, "+57", st.CountryCode)
	assert.False(t, st.PhoneVerified)
	assert.Equal(t, sent.ValidationID, st.PhoneValidationID)
	assert.False(t, sent.ExpiresAt.IsZero())

	code, ok := e.emu.LastCode("+573007654321")
	require.True(t, ok, "a code went to the new phone")
	if code != old {
		require.ErrorIs(t, r.ConfirmPhoneCode(ctx, old), verifik.ErrCodeMismatch, "the old phone's code proves nothing")
	}
	require.NoError(t, r.ConfirmPhoneCode(ctx, code))
	assert.True(t, r.State().PhoneVerified)
	rev, err := e.client.Review(ctx, st.AppRegistrationID)
	require.NoError(t, err)
	assert.True(t, rev.PhoneVerified)

	// A phone another registrant of the flow holds.
	other, err := e.client.Register(ctx, flow, verifik.Registration{Phone: "3009998888", CountryCode: "+57"})
	require.NoError(t, err)
	_, err = other.ChangePhone(ctx, "3007654321", "+57", "")
	require.ErrorIs(t, err, verifik.ErrAlreadyRegistered)
	var already *verifik.AlreadyRegisteredError
	require.ErrorAs(t, err, &already)
	assert.Equal(t, "phone", already.Contact)
	assert.NotContains(t, err.Error(), "7654321")
	assert.Equal(t, "3009998888", other.State().Phone, "a refused change keeps the phone")
}

// TestChangePhoneRefused: a wrong step or bad input fails before any network call.
func TestChangePhoneRefused(t *testing.T) {
	e := newEnv(t)
	phoneFlow := e.setup(verifik.FlowConfig{RedirectURL: welcome2, PhoneCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	r, err := e.client.Register(ctx, phoneFlow, verifik.Registration{Phone: "3001234567", CountryCode: "+57"})
	require.NoError(t, err)
	st := r.State()
	st.Flow.PhoneCode = false
	emailOnly, err := e.client.Resume(st)
	require.NoError(t, err)
	st = r.State()
	st.Status = verifik.Completed
	finished, err := e.client.Resume(st)
	require.NoError(t, err)

	cases := []struct {
		name        string
		r           *verifik.Registrant
		phone, cc   string
		via         verifik.PhoneGateway
		want, field string
	}{
		{"flow asks no phone code", emailOnly, "3007654321", "+57", "", "", ""},
		{"finished", finished, "3007654321", "+57", "", "", ""},
		{"phone too short", r, "12", "+57", "", "", "phone"},
		{"phone with letters", r, "300CALLME", "+57", "", "", "phone"},
		{"country code without +", r, "3007654321", "57", "", "", "country code"},
		{"unknown gateway", r, "3007654321", "+57", "email", "", "gateway"},
	}
	wants := map[string]error{"flow asks no phone code": verifik.ErrStepNotOffered, "finished": verifik.ErrFinished}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.noCallsDuring(func() {
				_, err := c.r.ChangePhone(ctx, c.phone, c.cc, c.via)
				require.ErrorIs(t, err, transport.ErrValidation)
				if want := wants[c.name]; want != nil {
					require.ErrorIs(t, err, want)
				}
				if c.field != "" {
					var inv *transport.ValidationError
					require.ErrorAs(t, err, &inv)
					assert.Equal(t, c.field, inv.Field)
					assert.NotContains(t, err.Error(), c.phone)
				}
			})
		})
	}
}

// A registrant who mistyped the phone replaces it on the code screen; the code goes to
// the new phone.
func ExampleRegistrant_ChangePhone() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.FlowConfig{RedirectURL: welcome2, PhoneCode: true, Document: verifik.Optional, Liveness: verifik.Optional})
	if err != nil {
		log.Fatal(err)
	}
	r, err := client.Register(ctx, flow, verifik.Registration{Phone: "3001234567", CountryCode: "+57"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := r.ChangePhone(ctx, "3007654321", "+57", verifik.SMS); err != nil {
		log.Fatal(err)
	}
	code, _ := emu.LastCode("+573007654321") // the registrant reads the text
	if err := r.ConfirmPhoneCode(ctx, code); err != nil {
		log.Fatal(err)
	}
	fmt.Println("phone verified:", r.State().PhoneVerified)
	// Output:
	// phone verified: true
}

// A registrant unhappy with the selfie takes it again; the faces are compared anew.
func ExampleRegistrant_RetakeSelfie() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.FlowConfig{RedirectURL: welcome2, Liveness: verifik.Mandatory, Document: verifik.Skip})
	if err != nil {
		log.Fatal(err)
	}
	r, err := client.Register(ctx, flow, verifik.Registration{Email: "selfie@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	selfie := verifik.Selfie{Image: verifiktest.Selfie("carol"), OS: verifik.IOS}
	first, err := r.SubmitSelfie(ctx, selfie)
	if err != nil {
		log.Fatal(err)
	}
	again, err := r.RetakeSelfie(ctx, selfie)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("a new person:", again.PersonID != first.PersonID)
	fmt.Println("selfie attempts:", r.State().SelfieAttempts)
	// Output:
	// a new person: true
	// selfie attempts: 2
}
