package verifik_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// A reconciliation job pages through the account's national ids (Verifik's "CC"), two
// to a page. What the OCR read is in Read; printing it shows none of it.
func ExampleClient_Documents() {
	client, emu, stop := emulated()
	defer stop()
	ctx := context.Background()

	flow, err := client.Setup(ctx, acme, verifik.FullVerification("https://acme.example/welcome"))
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"Ana", "Ben", "Cleo"} {
		email := strings.ToLower(name) + "@example.com"
		r, err := client.Register(ctx, flow, verifik.Registration{Email: email, FullName: name + " Doe"})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := r.SendEmailCode(ctx); err != nil {
			log.Fatal(err)
		}
		code, _ := emu.LastCode(email) // the registrant reads the email
		if err := r.ConfirmEmailCode(ctx, code); err != nil {
			log.Fatal(err)
		}
		id := sandbox.Document{Kind: "national_id", Country: "CO", Number: "1020304050", FirstName: name, LastName: "Doe",
			DateOfBirth: "1990-04-01", Expiry: "2031-01-01", Face: name}
		if _, err := r.SubmitDocument(ctx, verifik.Document{Front: verifik.Image(verifiktest.DocumentPhoto(id))}); err != nil {
			log.Fatal(err)
		}
	}

	filter := verifik.DocumentFilter{Type: "CC", Limit: 2}
	for filter.Page = 1; ; filter.Page++ {
		page, err := client.Documents(ctx, filter)
		if err != nil {
			log.Fatal(err)
		}
		for _, d := range page.Documents {
			fmt.Printf("page %d of %d: %s, accepted: %t, names read: %t, printed: %v\n",
				page.Page, page.Pages, d.Status, d.Accepted, d.Read.FirstName != "", d.Read)
		}
		if page.Page >= page.Pages {
			break
		}
	}
	// Output:
	// page 1 of 2: VALIDATED, accepted: true, names read: true, printed: verifik.DocumentData{[redacted]}
	// page 1 of 2: VALIDATED, accepted: true, names read: true, printed: verifik.DocumentData{[redacted]}
	// page 2 of 2: VALIDATED, accepted: true, names read: true, printed: verifik.DocumentData{[redacted]}
}
