package verifik_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// emulated starts a Verifik emulator and a client against it, as a test suite would.
func emulated() (*verifik.Client, *verifiktest.Emulator, func()) {
	emu := verifiktest.New()
	srv := httptest.NewServer(emu.Handler())
	client, err := verifik.New(emu.ClientToken(),
		verifik.WithBaseURL(srv.URL),
		verifik.WithContract(contract.ModeEnforce))
	if err != nil {
		log.Fatal(err)
	}
	return client, emu, srv.Close
}

var acme = verifik.ProjectConfig{
	Name:             "Acme onboarding",
	AllowedCountries: []string{"Colombia", "United States"},
	ContactEmail:     "support@acme.example",
	PrivacyURL:       "https://acme.example/privacy",
	TermsURL:         "https://acme.example/terms",
}

// Setup is idempotent: run it at deploy time; it reuses the project and its active flow.
func ExampleClient_Setup() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.FullVerification("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	again, err := client.Setup(ctx, acme, verifik.FullVerification("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same flow:", again.FlowID == flow.FlowID)
	fmt.Println("document:", flow.Requirement(verifik.StepDocument))
	fmt.Println("liveness:", flow.Requirement(verifik.StepLiveness), "from", flow.LivenessMinScore)
	fmt.Println("faces must match from", flow.CompareMinScore)
	// Output:
	// same flow: true
	// document: mandatory
	// liveness: mandatory from 0.65
	// faces must match from 0.67
}

// The tutorial's basic enrolment: an email code, then KYC is skipped.
func ExampleClient_Register() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	registrant, err := client.Register(ctx, flow, verifik.Registration{Email: "bob@example.com", FullName: "Bob Builder"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := registrant.SendEmailCode(ctx); err != nil {
		log.Fatal(err)
	}
	code, _ := emu.LastCode("bob@example.com") // Bob reads his email
	if err := registrant.ConfirmEmailCode(ctx, code); err != nil {
		log.Fatal(err)
	}
	done, err := registrant.SkipKYC(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Status)
	fmt.Println("redirect with a token:", done.Token != "" && done.RedirectURL != "")
	// Output:
	// COMPLETED_WITHOUT_KYC
	// redirect with a token: true
}

// The tutorial's full verification, finished with the default policy.
func ExampleRegistrant_Finish() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.FullVerification("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	alice, err := client.Register(ctx, flow, verifik.Registration{Email: "alice@example.com", FullName: "Alice Liddell"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := alice.SendEmailCode(ctx); err != nil {
		log.Fatal(err)
	}
	code, _ := emu.LastCode("alice@example.com")
	if err := alice.ConfirmEmailCode(ctx, code); err != nil {
		log.Fatal(err)
	}

	// Alice's browser uploads her ID card and a selfie; the backend forwards them.
	id := sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050",
		FirstName: "Alice", LastName: "Liddell", DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: "alice"}
	doc, err := alice.SubmitDocument(ctx, verifik.Document{Front: verifiktest.DocumentPhoto(id)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("document:", doc.Status, doc.Type)
	if _, err := alice.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("alice"), OS: verifik.IOS}); err != nil {
		log.Fatal(err)
	}
	faces, err := alice.CompareFaces(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("faces: %.2f (match from %.2f): %t\n", faces.Score, faces.Threshold, faces.Match)

	done, err := alice.Finish(ctx, alice.State().Recommend())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Status)
	// Output:
	// document: VALIDATED CC
	// faces: 0.96 (match from 0.67): true
	// COMPLETED
}

// A selfie that fails liveness can be retried within the flow's attempts.
func ExampleRegistrant_SubmitSelfie() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.FullVerification("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	carol, err := client.Register(ctx, flow, verifik.Registration{Email: "carol@example.com", FullName: "Carol Danvers"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := carol.SendEmailCode(ctx); err != nil {
		log.Fatal(err)
	}
	code, _ := emu.LastCode("carol@example.com")
	if err := carol.ConfirmEmailCode(ctx, code); err != nil {
		log.Fatal(err)
	}

	_, err = carol.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("carol", 0.41), OS: verifik.Android})
	var live *verifik.LivenessError
	if errors.As(err, &live) {
		fmt.Printf("liveness failed at %.2f (needs %.2f), attempt %d of %d\n",
			live.Score, flow.LivenessMinScore, carol.State().SelfieAttempts, flow.SelfieAttempts)
	}
	if _, err := carol.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("carol"), OS: verifik.Android}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("selfie accepted on attempt", carol.State().SelfieAttempts)
	// Output:
	// liveness failed at 0.41 (needs 0.65), attempt 1 of 3
	// selfie accepted on attempt 2
}

// A journey spans requests: store the state with the user record and resume it.
func ExampleClient_Resume() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := client.Register(ctx, flow, verifik.Registration{Email: "quinn@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := r.SendEmailCode(ctx); err != nil {
		log.Fatal(err)
	}
	stored, _ := json.Marshal(r) // save with the user record (it holds the token)
	// Logs and prints never show the token.
	fmt.Println("printed without the token:", !strings.Contains(fmt.Sprint(r), r.State().Token))

	// Next request: the user typed the code.
	var st verifik.State
	if err := json.Unmarshal(stored, &st); err != nil {
		log.Fatal(err)
	}
	resumed, err := client.Resume(st)
	if err != nil {
		log.Fatal(err)
	}
	code, _ := emu.LastCode("quinn@example.com")
	fmt.Println("confirmed:", resumed.ConfirmEmailCode(ctx, code) == nil)
	// Output:
	// printed without the token: true
	// confirmed: true
}

// Store the state after every step, failures included: a refused selfie counted an
// attempt, and a journey resumed from the stored copy knows it.
func ExampleRegistrant_State() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()
	db := map[string][]byte{} // the integrator's user records
	save := func(r *verifik.Registrant) {
		b, err := json.Marshal(r.State())
		if err != nil {
			log.Fatal(err)
		}
		db["dana"] = b
	}
	load := func() *verifik.Registrant {
		var st verifik.State
		if err := json.Unmarshal(db["dana"], &st); err != nil {
			log.Fatal(err)
		}
		r, err := client.Resume(st)
		if err != nil {
			log.Fatal(err)
		}
		return r
	}

	flow, err := client.Setup(ctx, acme, verifik.FullVerification("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := client.Register(ctx, flow, verifik.Registration{Email: "dana@example.com", FullName: "Dana Scully"})
	if err != nil {
		log.Fatal(err)
	}
	save(r)
	if _, err := r.SendEmailCode(ctx); err != nil {
		log.Fatal(err)
	}
	save(r)
	code, _ := emu.LastCode("dana@example.com")
	r = load()
	if err := r.ConfirmEmailCode(ctx, code); err != nil {
		log.Fatal(err)
	}
	save(r)

	// A spoofed selfie is refused, and the refusal still changed the state: store it.
	r = load()
	_, err = r.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.SpoofSelfie("dana", 0.2), OS: verifik.IOS})
	save(r)
	fmt.Println("refused:", err != nil)

	fmt.Println("attempts after resuming:", load().State().SelfieAttempts)
	// Output:
	// refused: true
	// attempts after resuming: 1
}
