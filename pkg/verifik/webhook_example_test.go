package verifik_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// A webhook receiver with the protections Verifik's missing signature leaves to the
// integrator: a secret path registered as the webhook URL, dedup, validation against the
// spec, and a re-read of the registration through the API before acting on an event.
func ExampleNewReceiver() {
	client, emu, stop := emulated()
	defer stop()
	defer emu.Close()
	ctx := context.Background()

	done := make(chan string, 1)
	receiver := verifik.NewReceiver(func(ctx context.Context, ev verifik.Event) error {
		e, ok := ev.(*verifik.AppRegistrationEvent)
		if !ok || !strings.HasSuffix(e.Type, "_completed_without_kyc") {
			return nil
		}
		// Act on what the API says, not on what the request says: a forged event names
		// a registration the API does not know, or one that is not finished.
		review, err := client.Review(ctx, e.RegistrationID())
		if err != nil {
			return err // 500: Verifik retries, the key is released
		}
		done <- string(review.Status)
		return nil
	}, verifik.ReceiverOptions{
		PathSecret: "3f6c1e0b9a7d44e1",
		Mode:       contract.ModeReport,
	})
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/verifik/", receiver)
	app := httptest.NewServer(mux)
	defer app.Close()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.CreateWebhook(ctx, verifik.WebhookConfig{
		URL: app.URL + "/hooks/verifik/3f6c1e0b9a7d44e1", Name: "onboarding", Flows: []string{flow.FlowID},
	}); err != nil {
		log.Fatal(err)
	}

	// A forged delivery without the secret is refused before it is read.
	forged, err := http.Post(app.URL+"/hooks/verifik/guess", "application/json",
		strings.NewReader(`{"type":"onboarding_app_registration_completed","object":{"_id":"66e1a2b3c4d5e6f708192a3b"}}`))
	if err != nil {
		log.Fatal(err)
	}
	forged.Body.Close()
	fmt.Println("forged:", forged.StatusCode)

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
	if _, err := alice.SkipKYC(ctx); err != nil {
		log.Fatal(err)
	}
	select {
	case status := <-done:
		fmt.Println("confirmed through the API:", status)
	case <-time.After(10 * time.Second):
		fmt.Println("no event")
	}
	// Output:
	// forged: 404
	// confirmed through the API: COMPLETED_WITHOUT_KYC
}

// A delivery read into its family's struct: ids, statuses and scores in the package's own
// types, the object as delivered in Raw (it holds personal data: never log it).
func ExampleDecodeEvent() {
	body := []byte(`{"type":"onboarding_document_validation_created","object":{
		"_id":"66e1a2b3c4d5e6f708192a42","appRegistration":"66e1a2b3c4d5e6f708192a3b",
		"status":"VALIDATED","documentType":"CC","documentNumber":"1023456789",
		"updatedAt":"2024-09-10T15:06:00.000Z"}}`)
	ev, err := verifik.DecodeEvent(body)
	if err != nil {
		log.Fatal(err)
	}
	switch e := ev.(type) {
	case *verifik.DocumentValidationEvent:
		d := e.DocumentValidation
		fmt.Println(e.Type, "for", e.RegistrationID())
		fmt.Println(d.Status, d.Accepted, d.Type, d.Status == verifik.DocumentValidated)
	}
	// Output:
	// onboarding_document_validation_created for 66e1a2b3c4d5e6f708192a3b
	// VALIDATED true CC true
}
