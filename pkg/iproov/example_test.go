package iproov_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

// Photo enrol: enrol a user from a trusted photo (here the passport chip's), then verify
// that the person in front of the camera is that user.
func ExampleClient_PhotoEnrol() {
	// An iProov emulator stands in for https://eu.rp.secure.iproov.me.
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Backend: enrol token → enrol image → verify token.
	verify, err := client.PhotoEnrol(ctx, iproov.PhotoEnrolRequest{
		TokenRequest: iproov.TokenRequest{UserID: "user-7f3a", Resource: "onboarding"},
		Photo:        iproov.Photo{Image: sandbox.FaceImage("alice"), Source: iproov.SourceEID},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Browser or app: the iProov SDK runs with verify.Token; the emulator plays Alice.
	if err := emu.CaptureFace(verify.Token, "alice"); err != nil {
		log.Fatal(err)
	}

	// Backend: the outcome, asked for once.
	res, err := client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res)
	// Output: passed
}

// Capture enrol: the user enrols with the iProov SDK; the backend validates and activates.
func ExampleClient_EnrolToken() {
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	enrol, err := client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-51c0", Resource: "onboarding", AssuranceType: iproov.Liveness})
	if err != nil {
		log.Fatal(err)
	}
	// Store the claim with the user record between the steps.
	stored, _ := json.Marshal(enrol)

	// The SDK runs with enrol.Token; the user keeps moving and liveness fails once.
	if err := emu.FailLiveness(enrol.Token, "bob", "Please Keep Still"); err != nil {
		log.Fatal(err)
	}

	var claim iproov.Claim
	if err := json.Unmarshal(stored, &claim); err != nil {
		log.Fatal(err)
	}
	res, err := client.EnrolValidate(ctx, &claim, iproov.ValidateOptions{Client: "Mozilla/5.0 (iPhone)"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res)

	// A validation is one-shot: a second one fails before any call.
	_, err = client.EnrolValidate(ctx, &claim, iproov.ValidateOptions{})
	fmt.Println(errors.Is(err, iproov.ErrClaimUsed))
	// Output:
	// failed: Please Keep Still
	// true
}

// Verify an enrolled user; someone else in front of the camera fails.
func ExampleClient_VerifyToken() {
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// A user never enrolled cannot be verified.
	_, err = client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0c9e", Resource: "login"})
	fmt.Println(iproov.CodeOf(err))

	enrol, _ := client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0c9e", Resource: "onboarding"})
	_ = emu.CaptureFace(enrol.Token, "alice")
	if _, err := client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{}); err != nil {
		log.Fatal(err)
	}

	verify, err := client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-0c9e", Resource: "login"})
	if err != nil {
		log.Fatal(err)
	}
	_ = emu.CaptureFace(verify.Token, "mallory")
	res, err := client.VerifyValidate(ctx, verify, iproov.ValidateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Passed, *res.Signals.AntiSpoofing, *res.Signals.Matching)
	// Output:
	// no_user
	// false true false
}

// Re-enrol a user iProov already knows, by deleting it first through the Management API:
// an explicit choice, never made silently.
func ExampleIfEnrolled() {
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	user, pass := emu.OAuthCredentials()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL), iproov.WithOAuth(user, pass))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	first, _ := client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-a11e", Resource: "onboarding"})
	_ = emu.CaptureFace(first.Token, "alice")
	_, _ = client.EnrolValidate(ctx, first, iproov.ValidateOptions{})

	_, err = client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-a11e", Resource: "onboarding"})
	fmt.Println(iproov.CodeOf(err))

	again, err := client.EnrolToken(ctx, iproov.TokenRequest{
		UserID: "user-a11e", Resource: "onboarding",
		IfEnrolled: iproov.IfEnrolled{DeleteUser: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(again.Type, again.UserID)
	// Output:
	// already_enrolled
	// enrol user-a11e
}

// The Management API: the client gets and renews the OAuth access token by itself.
func ExampleClient_SuspendUser() {
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	user, pass := emu.OAuthCredentials()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL), iproov.WithOAuth(user, pass))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	enrol, _ := client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-5a5a", Resource: "onboarding"})
	_ = emu.CaptureFace(enrol.Token, "alice")
	_, _ = client.EnrolValidate(ctx, enrol, iproov.ValidateOptions{})

	u, err := client.SuspendUser(ctx, "user-5a5a", sandbox.SystemClock().Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Status, u.CanVerify())
	_, err = client.VerifyToken(ctx, iproov.TokenRequest{UserID: "user-5a5a", Resource: "login"})
	fmt.Println(iproov.CodeOf(err))
	// Output:
	// suspended false
	// inactive_user
}

// A claim lives in the user record between the steps, and the steps change it:
// EnrolValidate marks it Used. Storing it again after the call is what keeps another
// process (or a retry after a restart) from spending it twice.
func ExampleClient_EnrolValidate() {
	emu := iproovtest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	client, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// A stand-in for the user record in a database.
	records := map[string][]byte{}
	store := func(userID string, cl *iproov.Claim) {
		b, err := json.Marshal(cl)
		if err != nil {
			log.Fatal(err)
		}
		records[userID] = b
	}
	load := func(userID string) *iproov.Claim {
		var cl iproov.Claim
		if err := json.Unmarshal(records[userID], &cl); err != nil {
			log.Fatal(err)
		}
		return &cl
	}

	enrol, err := client.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-0b9e", Resource: "onboarding"})
	if err != nil {
		log.Fatal(err)
	}
	store("user-0b9e", enrol)
	if err := emu.CaptureFace(enrol.Token, "alice"); err != nil {
		log.Fatal(err)
	}

	cl := load("user-0b9e")
	res, err := client.EnrolValidate(ctx, cl, iproov.ValidateOptions{})
	store("user-0b9e", cl) // cl.Used changed: store it whatever the outcome
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res, cl.Used)

	// Another process, with a client of its own, reads the record: the claim says it is
	// spent, so the call fails before any network call.
	other, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	_, err = other.EnrolValidate(ctx, load("user-0b9e"), iproov.ValidateOptions{})
	fmt.Println(errors.Is(err, iproov.ErrClaimUsed))
	// Output:
	// passed true
	// true
}
