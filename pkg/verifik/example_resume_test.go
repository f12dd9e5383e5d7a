package verifik_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/idvkit/idvkit/pkg/verifik"
)

// A registrant who left half way is resumed with a fresh link (30 minutes), not by
// registering the same email again.
func ExampleClient_ResendLink() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := client.Register(ctx, flow, verifik.Registration{Email: "paused@example.com", FullName: "Paula Use"})
	if err != nil {
		log.Fatal(err)
	}
	link, err := client.ResendLink(ctx, r.State().AppRegistrationID, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", link.Status)
	fmt.Println("opens the hosted sign-up:", strings.Contains(link.URL, "/sign-up/"+flow.ProjectID+"?token="))
	fmt.Println("token in its String:", strings.Contains(link.String(), link.Token))
	// Output:
	// status: STARTED
	// opens the hosted sign-up: true
	// token in its String: false
}

// A back office lists the registrants still in progress.
func ExampleClient_Registrations() {
	client, _, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.BasicEnrollment("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	for _, email := range []string{"one@example.com", "two@example.com"} {
		if _, err := client.Register(ctx, flow, verifik.Registration{Email: email}); err != nil {
			log.Fatal(err)
		}
	}
	page, err := client.Registrations(ctx, verifik.RegistrationFilter{FlowID: flow.FlowID, Statuses: []verifik.Status{verifik.Started, verifik.Ongoing}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("in progress:", page.Total)
	// Output:
	// in progress: 2
}
