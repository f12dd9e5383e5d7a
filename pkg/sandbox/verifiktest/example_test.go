package verifiktest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// The emulator speaks the Smart Enroll API; its outbox stands in for the registrant's
// mailbox. This drives it with the generated client; package verifik's flows are the
// usual way in.
func ExampleEmulator_LastCode() {
	emu := verifiktest.New()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	ctx := context.Background()
	api, err := smartenroll.NewClientWithResponses(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	as := func(token string) smartenroll.RequestEditorFn {
		return func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		}
	}

	project, err := api.CreateProjectWithResponse(ctx, smartenroll.ProjectCreateRequest{
		Name: "Acme", AllowedCountries: []string{"Colombia"}, ContactEmail: "support@acme.example",
		PrivacyUrl: "https://acme.example/privacy", TermsAndConditionsUrl: "https://acme.example/terms",
	}, as(emu.ClientToken()))
	if err != nil {
		log.Fatal(err)
	}
	active := smartenroll.FlowActive
	flow, err := api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{
		Project: project.JSON200.Data.ID, Type: smartenroll.FlowTypeOnboarding, Status: &active,
		OnboardingSettings: &smartenroll.OnboardingSettings{},
	}, as(emu.ClientToken()))
	if err != nil {
		log.Fatal(err)
	}
	email := "bob@example.com"
	reg, err := api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{
		Project: project.JSON200.Data.ID, ProjectFlow: flow.JSON200.Data.ID, Email: &email,
	}, as(emu.ClientToken()))
	if err != nil {
		log.Fatal(err)
	}
	token := reg.JSON200.Data.Token
	sent, err := api.CreateEmailValidationWithResponse(ctx, smartenroll.EmailValidationCreateRequest{
		Project: project.JSON200.Data.ID, Email: email, Type: smartenroll.ValidationTypeOnboarding,
		ValidationMethod: smartenroll.MethodVerificationCode,
	}, as(token))
	if err != nil {
		log.Fatal(err)
	}

	code, _ := emu.LastCode(email) // what Bob finds in his mailbox: six digits, maybe a leading zero
	ok, err := api.ValidateEmailValidationWithResponse(ctx, sent.JSON200.Data.ID,
		smartenroll.EmailValidationConfirmRequest{Email: email, Otp: code}, as(token))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ok.StatusCode(), ok.JSON200.Data.Status)
	// Output: 200 validated
}
