package hostile_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/verifik"
)

func verifikTenancy(t *testing.T) (map[string]tenancyCase, []string) {
	const tokenB = "tenant-b-verifik-client-token"
	emu := verifiktest.New(verifiktest.WithAccount(tokenB))
	h := emu.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := func(token string) *verifik.Client {
		c, err := verifik.New(token, verifik.WithBaseURL(srv.URL), verifik.WithTransport(noRetry))
		require.NoError(t, err)
		return c
	}
	a, b := client(emu.ClientToken()), client(tokenB)
	const welcomeA = "https://tenant-a.example/welcome"
	projectCfg := func(name string) verifik.ProjectConfig {
		return verifik.ProjectConfig{Name: name, AllowedCountries: []string{"Colombia"}, ContactEmail: "support@tenant.example",
			PrivacyURL: "https://tenant.example/privacy", TermsURL: "https://tenant.example/terms"}
	}
	full := verifik.FullVerification(welcomeA)
	full.VerifyNames, full.VerifyCriminalHistory = true, true
	flowA, err := a.Setup(ctx, projectCfg("Tenant A project"), full)
	require.NoError(t, err)
	codesA, err := a.Setup(ctx, projectCfg("Tenant A codes"), verifik.FlowConfig{RedirectURL: welcomeA, EmailCode: true, PhoneCode: true,
		Document: verifik.Optional, Liveness: verifik.Optional})
	require.NoError(t, err)
	flowB, err := b.Setup(ctx, projectCfg("Tenant B project"), verifik.FullVerification("https://tenant-b.example/welcome"))
	require.NoError(t, err)

	register := func(c *verifik.Client, flow verifik.Flow, who verifik.Registration) *verifik.Registrant {
		r, err := c.Register(ctx, flow, who)
		require.NoError(t, err)
		return r
	}
	confirm := func(r *verifik.Registrant) {
		_, err := r.SendEmailCode(ctx)
		require.NoError(t, err)
		code, ok := emu.LastCode(r.State().Email)
		require.True(t, ok)
		require.NoError(t, r.ConfirmEmailCode(ctx, code))
	}
	// Tenant A: a registrant with a document, a second registrant (the attacker's token
	// within the same account), a third with codes sent and not yet typed.
	docA := sandbox.Document{Kind: "national_id", Country: "CO", Number: "7766554433", FirstName: "Tenantia", LastName: "Alphonse",
		DateOfBirth: "1988-08-08", Expiry: "2031-01-01", Face: "tenant-a-face"}
	rA1 := register(a, flowA, verifik.Registration{Email: "tenant-a-one@example.com", FullName: "Tenantia Alphonse"})
	confirm(rA1)
	_, err = rA1.SubmitDocument(ctx, verifik.Document{Front: verifiktest.DocumentPhoto(docA)})
	require.NoError(t, err)
	_, err = rA1.SubmitSelfie(ctx, verifik.Selfie{Image: verifiktest.Selfie("tenant-a-face"), OS: verifik.IOS})
	require.NoError(t, err)
	stA1 := rA1.State()
	rA2 := register(a, flowA, verifik.Registration{Email: "tenant-a-two@example.com", FullName: "Second Registrant"})
	tA2 := rA2.State().Token
	rA3 := register(a, codesA, verifik.Registration{Email: "tenant-a-three@example.com", Phone: "3005550101", CountryCode: "+57", FullName: "Tenantia Third"})
	_, err = rA3.SendEmailCode(ctx)
	require.NoError(t, err)
	_, err = rA3.SendPhoneCode(ctx, verifik.SMS)
	require.NoError(t, err)
	stA3 := rA3.State()
	emailCodeA3, _ := emu.LastCode("tenant-a-three@example.com")
	phoneCodeA3, _ := emu.LastCode("+573005550101")
	// Tenant B: a registrant of its own.
	rB := register(b, flowB, verifik.Registration{Email: "tenant-b@example.com", FullName: "Bertha Bravo"})
	confirm(rB)
	tB := rB.State().Token
	// Tenant A's webhook, linked to its flow: its URL carries the receiver's secret.
	hookA, err := a.CreateWebhook(ctx, verifik.WebhookConfig{URL: "https://tenant-a.example/hooks/s3cr3t-path", Name: "Tenant A hook", Flows: []string{flowA.FlowID}})
	require.NoError(t, err)
	markers := []string{"tenant-a-one@example.com", "tenant-a-three@example.com", "Tenantia", "Alphonse", "Tenant A project",
		"Tenant A codes", welcomeA, docA.Number, stA1.Token, stA3.Token, "3005550101", "s3cr3t-path", "Tenant A hook"}

	do := func(build func() (*http.Request, error), auth ...func(*http.Request)) func(t *testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			r, err := build()
			return send(t, h, r, err, auth...)
		}
	}
	clientA, clientB := bearerHeader(emu.ClientToken()), bearerHeader(tokenB)
	get := func(build func() (*http.Request, error), auth func(*http.Request)) (int, string) {
		r, err := build()
		return send(t, h, r, err, auth)
	}
	projectBody := smartenroll.ProjectCreateRequest{Name: "Tenant B extra", AllowedCountries: []string{"Colombia"}, ContactEmail: "b@tenant.example",
		PrivacyUrl: "https://tenant-b.example/privacy", TermsAndConditionsUrl: "https://tenant-b.example/terms"}
	hijack := "Hijacked"
	projectV3Body := func(name string) smartenroll.ProjectV3CreateRequest {
		return smartenroll.ProjectV3CreateRequest{Name: name, AllowedCountries: []string{"Colombia"}, ContactEmail: "b@tenant.example",
			PrivacyUrl: "https://tenant-b.example/privacy", TermsAndConditionsUrl: "https://tenant-b.example/terms",
			DataProtection: smartenroll.DataProtection{Name: &hijack}}
	}
	hijackURL := "https://attacker.example/welcome"
	regOf := func(id string) func() (*http.Request, error) {
		return func() (*http.Request, error) { return smartenroll.NewGetAppRegistrationRequest(rawServer, id, nil) }
	}
	regIntact := func(t *testing.T) {
		status, body := get(regOf(stA1.AppRegistrationID), clientA)
		require.Equal(t, 200, status, "the first account's registrant still exists: %s", body)
		assert.Contains(t, body, "tenant-a-one@example.com")
	}
	flowIntact := func(t *testing.T) {
		f, err := a.Flow(ctx, flowA.FlowID)
		require.NoError(t, err, "the first account's flow still exists")
		assert.Equal(t, welcomeA, f.RedirectURL)
		status, body := get(func() (*http.Request, error) {
			return smartenroll.NewGetProjectRequest(rawServer, flowA.ProjectID, nil)
		}, clientA)
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Tenant A project")
	}
	stillPending := func(t *testing.T) {
		r3, err := a.Resume(stA3)
		require.NoError(t, err)
		require.NoError(t, r3.ConfirmEmailCode(ctx, emailCodeA3), "the first registrant's email code still works")
		require.NoError(t, r3.ConfirmPhoneCode(ctx, phoneCodeA3), "the first registrant's phone code still works")
	}
	// Without a token the contract middleware refuses first: the spec's security is a
	// required credential, so the answer is its 400 contract_violation naming the rule.
	noAuth := []int{400, 401}
	// The id of the first registrant's selfie validation, as its registration names it.
	var bioA1 string
	{
		status, body := get(regOf(stA1.AppRegistrationID), clientA)
		require.Equal(t, 200, status, body)
		var reg struct {
			Data struct {
				BiometricValidation string `json:"biometricValidation"`
			} `json:"data"`
		}
		js, _, _ := strings.Cut(body, "\nLocation: ")
		require.NoError(t, json.Unmarshal([]byte(js), &reg))
		bioA1 = reg.Data.BiometricValidation
		require.NotEmpty(t, bioA1)
	}
	selfieB := smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("tenant-a-face")), Os: smartenroll.OSIOS}

	hookIntact := func(t *testing.T) {
		w, err := a.Webhook(ctx, hookA.ID)
		require.NoError(t, err, "the first account's webhook still exists")
		assert.Equal(t, "https://tenant-a.example/hooks/s3cr3t-path", w.URL, "and still points where it did")
	}
	attackerHook := smartenroll.WebhookCreateRequest{Name: "mine", Url: "https://attacker.example/hook", IsActive: true, Link: &[]smartenroll.ObjectId{flowA.FlowID}}

	return map[string]tenancyCase{
		"verifik/smartenroll/createWebhook": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewCreateWebhookRequest(rawServer, attackerHook) })},
			cross: []attempt{{name: "other account links its webhook to the first's flow", want: []int{403, 404, 409},
				send: do(func() (*http.Request, error) { return smartenroll.NewCreateWebhookRequest(rawServer, attackerHook) }, clientB)}},
			after: func(t *testing.T) {
				status, body := get(func() (*http.Request, error) { return smartenroll.NewGetProjectFlowRequest(rawServer, flowA.FlowID) }, clientA)
				require.Equal(t, 200, status, body)
				assert.Contains(t, body, `"webhook":"`+hookA.ID+`"`, "the first account's flow still sends its events to its own webhook")
				hookIntact(t)
			},
		},
		"verifik/smartenroll/listWebhooks": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewListWebhooksRequest(rawServer, nil) })},
			cross: []attempt{{name: "other account lists its own", want: []int{200}, send: do(func() (*http.Request, error) { return smartenroll.NewListWebhooksRequest(rawServer, nil) }, clientB)}},
		},
		"verifik/smartenroll/getWebhook": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewGetWebhookRequest(rawServer, hookA.ID) })},
			cross: []attempt{{name: "other account reads the first's webhook", want: []int{403, 404}, send: do(func() (*http.Request, error) { return smartenroll.NewGetWebhookRequest(rawServer, hookA.ID) }, clientB)}},
		},
		"verifik/smartenroll/updateWebhook": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateWebhookRequest(rawServer, hookA.ID, smartenroll.WebhookUpdateRequest{Url: &hijackURL})
			})},
			cross: []attempt{{name: "other account redirects the first's webhook", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateWebhookRequest(rawServer, hookA.ID, smartenroll.WebhookUpdateRequest{Url: &hijackURL})
			}, clientB)}},
			after: hookIntact,
		},
		"verifik/smartenroll/deleteWebhook": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewDeleteWebhookRequest(rawServer, hookA.ID) })},
			cross: []attempt{{name: "other account deletes the first's webhook", want: []int{403, 404}, send: do(func() (*http.Request, error) { return smartenroll.NewDeleteWebhookRequest(rawServer, hookA.ID) }, clientB)}},
			after: hookIntact,
		},
		"verifik/smartenroll/createProject": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewCreateProjectRequest(rawServer, projectBody) })},
			cross: []attempt{{name: "other account creates in its own account", want: []int{200},
				send: do(func() (*http.Request, error) { return smartenroll.NewCreateProjectRequest(rawServer, projectBody) }, clientB),
				check: func(t *testing.T, _ int, _ string) {
					_, body := get(func() (*http.Request, error) { return smartenroll.NewListProjectsRequest(rawServer, nil) }, clientA)
					assert.NotContains(t, body, "Tenant B extra", "the first account does not see it")
				}}},
		},
		"verifik/smartenroll/listAppRegistrations": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewListAppRegistrationsRequest(rawServer, nil) })},
			cross: []attempt{
				{name: "other account lists its own", want: []int{200}, send: do(func() (*http.Request, error) { return smartenroll.NewListAppRegistrationsRequest(rawServer, nil) }, clientB)},
				{name: "other account filters on the first's project", want: []int{200}, send: do(func() (*http.Request, error) {
					return smartenroll.NewListAppRegistrationsRequest(rawServer, &smartenroll.ListAppRegistrationsParams{WhereProject: &flowA.ProjectID})
				}, clientB)},
				{name: "a registrant's token", want: []int{403}, send: do(func() (*http.Request, error) { return smartenroll.NewListAppRegistrationsRequest(rawServer, nil) }, bearerHeader(tA2))},
			},
		},
		"verifik/smartenroll/resendAppRegistrationLink": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewResendAppRegistrationLinkRequest(rawServer, stA1.AppRegistrationID, smartenroll.ResendLinkRequest{})
			})},
			cross: []attempt{
				{name: "the other account mints a link into the first's registrant", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewResendAppRegistrationLinkRequest(rawServer, stA1.AppRegistrationID, smartenroll.ResendLinkRequest{})
				}, clientB)},
				{name: "another registrant mints one", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewResendAppRegistrationLinkRequest(rawServer, stA1.AppRegistrationID, smartenroll.ResendLinkRequest{})
				}, bearerHeader(tA2))},
				{name: "the other account redirects the first's link to its own inbox", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					to := "attacker@tenant-b.example"
					return smartenroll.NewResendAppRegistrationLinkRequest(rawServer, stA1.AppRegistrationID, smartenroll.ResendLinkRequest{RecipientEmail: &to})
				}, clientB)},
			},
			after: regIntact,
		},
		"verifik/smartenroll/getPublicProject": {
			public: "Verifik's hosted sign-up page reads the project with no token: its id is public in the page's links; the answer holds what the page shows (no name, account, demo code, redirect or webhook)",
			anon: attempt{name: "no token, the first's project", want: []int{200}, send: do(func() (*http.Request, error) {
				return smartenroll.NewGetPublicProjectRequest(rawServer, &smartenroll.GetPublicProjectParams{Id: flowA.ProjectID})
			})},
			cross: []attempt{{name: "the other account reads the first's project", want: []int{200}, send: do(func() (*http.Request, error) {
				return smartenroll.NewGetPublicProjectRequest(rawServer, &smartenroll.GetPublicProjectParams{Id: flowA.ProjectID})
			}, clientB)}},
		},
		"verifik/smartenroll/createProjectV3": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateProjectV3Request(rawServer, projectV3Body("Anon v3"))
			})},
			cross: []attempt{{name: "other account creates its own", want: []int{201}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateProjectV3Request(rawServer, projectV3Body("Tenant B v3"))
			}, clientB)}},
			after: flowIntact,
		},
		"verifik/smartenroll/listProjectsV3": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewListProjectsV3Request(rawServer, nil) })},
			cross: []attempt{{name: "other account lists its own", want: []int{200}, send: do(func() (*http.Request, error) { return smartenroll.NewListProjectsV3Request(rawServer, nil) }, clientB)}},
		},
		"verifik/smartenroll/getProjectV3": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewGetProjectV3Request(rawServer, flowA.ProjectID) })},
			cross: []attempt{
				{name: "other account on the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) { return smartenroll.NewGetProjectV3Request(rawServer, flowA.ProjectID) }, clientB)},
				{name: "a registrant's token", want: []int{403}, send: do(func() (*http.Request, error) { return smartenroll.NewGetProjectV3Request(rawServer, flowA.ProjectID) }, bearerHeader(tA2))},
			},
		},
		"verifik/smartenroll/updateProjectV3": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateProjectV3Request(rawServer, flowA.ProjectID, smartenroll.ProjectUpdateRequest{Name: &hijack})
			})},
			cross: []attempt{{name: "other account renames the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateProjectV3Request(rawServer, flowA.ProjectID, smartenroll.ProjectUpdateRequest{Name: &hijack})
			}, clientB)}},
			after: flowIntact,
		},
		"verifik/smartenroll/deleteProjectV3": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewDeleteProjectV3Request(rawServer, flowA.ProjectID)
			})},
			cross: []attempt{
				{name: "other account deletes the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteProjectV3Request(rawServer, flowA.ProjectID)
				}, clientB)},
				{name: "a registrant's token", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteProjectV3Request(rawServer, flowA.ProjectID)
				}, bearerHeader(tA2))},
			},
			after: flowIntact,
		},
		"verifik/smartenroll/listProjects": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewListProjectsRequest(rawServer, nil) })},
			cross: []attempt{{name: "other account lists its own", want: []int{200}, send: do(func() (*http.Request, error) { return smartenroll.NewListProjectsRequest(rawServer, nil) }, clientB)}},
		},
		"verifik/smartenroll/getProject": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewGetProjectRequest(rawServer, flowA.ProjectID, nil)
			})},
			cross: []attempt{
				{name: "other account on the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewGetProjectRequest(rawServer, flowA.ProjectID, nil)
				}, clientB)},
				{name: "a registrant's token", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewGetProjectRequest(rawServer, flowA.ProjectID, nil)
				}, bearerHeader(tA2))},
			},
		},
		"verifik/smartenroll/updateProject": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateProjectRequest(rawServer, flowA.ProjectID, smartenroll.ProjectUpdateRequest{Name: &hijack})
			})},
			cross: []attempt{{name: "other account renames the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateProjectRequest(rawServer, flowA.ProjectID, smartenroll.ProjectUpdateRequest{Name: &hijack})
			}, clientB)}},
			after: flowIntact,
		},
		"verifik/smartenroll/createProjectFlow": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateProjectFlowRequest(rawServer, smartenroll.ProjectFlowCreateRequest{Project: flowA.ProjectID, Type: smartenroll.FlowTypeOnboarding, RedirectUrl: &hijackURL})
			})},
			cross: []attempt{{name: "other account adds a flow to the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateProjectFlowRequest(rawServer, smartenroll.ProjectFlowCreateRequest{Project: flowA.ProjectID, Type: smartenroll.FlowTypeOnboarding, RedirectUrl: &hijackURL})
			}, clientB)}},
			after: func(t *testing.T) {
				_, body := get(func() (*http.Request, error) {
					return smartenroll.NewListProjectFlowsRequest(rawServer, &smartenroll.ListProjectFlowsParams{WhereProject: &flowA.ProjectID})
				}, clientA)
				assert.NotContains(t, body, hijackURL)
			},
		},
		"verifik/smartenroll/listProjectFlows": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewListProjectFlowsRequest(rawServer, &smartenroll.ListProjectFlowsParams{WhereProject: &flowA.ProjectID})
			})},
			cross: []attempt{{name: "other account lists the first's project", send: do(func() (*http.Request, error) {
				return smartenroll.NewListProjectFlowsRequest(rawServer, &smartenroll.ListProjectFlowsParams{WhereProject: &flowA.ProjectID})
			}, clientB), check: func(t *testing.T, _ int, body string) { assert.NotContains(t, body, flowA.FlowID) }}},
		},
		"verifik/smartenroll/getProjectFlow": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewGetProjectFlowRequest(rawServer, flowA.FlowID) })},
			cross: []attempt{{name: "other account on the first's flow", want: []int{403, 404}, send: do(func() (*http.Request, error) { return smartenroll.NewGetProjectFlowRequest(rawServer, flowA.FlowID) }, clientB)}},
		},
		"verifik/smartenroll/updateProjectFlow": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateProjectFlowRequest(rawServer, flowA.FlowID, smartenroll.ProjectFlowUpdateRequest{RedirectUrl: &hijackURL})
			})},
			cross: []attempt{{name: "other account redirects the first's flow", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateProjectFlowRequest(rawServer, flowA.FlowID, smartenroll.ProjectFlowUpdateRequest{RedirectUrl: &hijackURL})
			}, clientB)}},
			after: flowIntact,
		},
		"verifik/smartenroll/deleteProjectFlow": {
			anon:  attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewDeleteProjectFlowRequest(rawServer, flowA.FlowID) })},
			cross: []attempt{{name: "other account deletes the first's flow", want: []int{403, 404}, send: do(func() (*http.Request, error) { return smartenroll.NewDeleteProjectFlowRequest(rawServer, flowA.FlowID) }, clientB)}},
			after: flowIntact,
		},
		// Not covered, on purpose: an anonymous registration repeating an existing
		// registrant's email is refused by default (409 email_is_registered_already, the
		// newest pages); only with verifiktest.ReregisterRestarts (the tutorial's older
		// text) does it get that registration back with a new token, hence its phone,
		// names and, through /me, its document data.
		"verifik/smartenroll/createAppRegistration": {
			public: "Verifik's hosted sign-up registers end users without a token: the project and flow ids are public in its links (a token that is sent must be valid)",
			anon: attempt{name: "no token, a new end user", send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateAppRegistrationRequest(rawServer, smartenroll.AppRegistrationCreateRequest{Project: flowA.ProjectID, ProjectFlow: flowA.FlowID, Email: ptrTo("newcomer@example.com")})
			}), check: func(t *testing.T, status int, body string) { assert.Equal(t, 200, status, body) }},
			cross: []attempt{
				{name: "other account registers into the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewCreateAppRegistrationRequest(rawServer, smartenroll.AppRegistrationCreateRequest{Project: flowA.ProjectID, ProjectFlow: flowA.FlowID, Email: ptrTo("intruder@example.com")})
				}, clientB)},
				{name: "a registrant's token registers someone", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewCreateAppRegistrationRequest(rawServer, smartenroll.AppRegistrationCreateRequest{Project: flowA.ProjectID, ProjectFlow: flowA.FlowID, Email: ptrTo("intruder@example.com")})
				}, bearerHeader(tA2))},
			},
		},
		"verifik/smartenroll/getCurrentAppRegistration": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewGetCurrentAppRegistrationRequest(rawServer, smartenroll.AppRegistrationMeRequest{})
			})},
			cross: []attempt{
				{name: "another registrant's token reads its own registration only", want: []int{200}, send: do(func() (*http.Request, error) {
					return smartenroll.NewGetCurrentAppRegistrationRequest(rawServer, smartenroll.AppRegistrationMeRequest{})
				}, bearerHeader(tA2)), check: func(t *testing.T, _ int, body string) { assert.Contains(t, body, "tenant-a-two@example.com") }},
				{name: "the other account's client token", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewGetCurrentAppRegistrationRequest(rawServer, smartenroll.AppRegistrationMeRequest{})
				}, clientB)},
			},
		},
		"verifik/smartenroll/getAppRegistration": {
			anon: attempt{name: "no token", want: noAuth, send: do(regOf(stA1.AppRegistrationID))},
			cross: []attempt{
				{name: "other account on the first's registrant", want: []int{403, 404}, send: do(regOf(stA1.AppRegistrationID), clientB)},
				{name: "another registrant's token", want: []int{403, 404}, send: do(regOf(stA1.AppRegistrationID), bearerHeader(tA2))},
				{name: "the other account's registrant token", want: []int{403, 404}, send: do(regOf(stA1.AppRegistrationID), bearerHeader(tB))},
			},
		},
		"verifik/smartenroll/deleteAppRegistration": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewDeleteAppRegistrationRequest(rawServer, stA1.AppRegistrationID)
			})},
			cross: []attempt{
				{name: "other account deletes the first's registrant", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteAppRegistrationRequest(rawServer, stA1.AppRegistrationID)
				}, clientB)},
				{name: "another registrant's token", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteAppRegistrationRequest(rawServer, stA1.AppRegistrationID)
				}, bearerHeader(tA2))},
			},
			after: regIntact,
		},
		"verifik/smartenroll/syncAppRegistration": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewSyncAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationFailed})
			})},
			cross: []attempt{
				{name: "another registrant ends the first's journey", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewSyncAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationFailed})
				}, bearerHeader(tA2))},
				{name: "the other account's registrant", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewSyncAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationFailed})
				}, bearerHeader(tB))},
				{name: "a client token", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewSyncAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.SyncRequest{Step: smartenroll.StepEnd, Status: smartenroll.AppRegistrationFailed})
				}, clientB)},
			},
			after: func(t *testing.T) {
				r, err := a.Resume(stA1)
				require.NoError(t, err)
				rev, err := r.Refresh(ctx)
				require.NoError(t, err)
				assert.NotEqual(t, verifik.Failed, rev.Status, "the first registrant's journey was not ended")
			},
		},
		"verifik/smartenroll/createEmailValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateEmailValidationRequest(rawServer, emailBody(flowA.ProjectID, "tenant-a-one@example.com"))
			})},
			cross: []attempt{{name: "the other account's registrant in the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateEmailValidationRequest(rawServer, emailBody(flowA.ProjectID, "tenant-b@example.com"))
			}, bearerHeader(tB))}},
		},
		"verifik/smartenroll/validateEmailValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewValidateEmailValidationRequest(rawServer, stA3.EmailValidationID, smartenroll.EmailValidationConfirmRequest{Email: stA3.Email, Otp: emailCodeA3})
			})},
			cross: []attempt{
				{name: "another registrant types the first's code", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewValidateEmailValidationRequest(rawServer, stA3.EmailValidationID, smartenroll.EmailValidationConfirmRequest{Email: stA3.Email, Otp: emailCodeA3})
				}, bearerHeader(tA2))},
				{name: "the other account's registrant types it", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewValidateEmailValidationRequest(rawServer, stA3.EmailValidationID, smartenroll.EmailValidationConfirmRequest{Email: stA3.Email, Otp: emailCodeA3})
				}, bearerHeader(tB))},
			},
			after: stillPending,
		},
		"verifik/smartenroll/createPhoneValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreatePhoneValidationRequest(rawServer, phoneBody(codesA.ProjectID, "3005550101"))
			})},
			cross: []attempt{{name: "the other account's registrant in the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreatePhoneValidationRequest(rawServer, phoneBody(codesA.ProjectID, "3005550199"))
			}, bearerHeader(tB))}},
		},
		"verifik/smartenroll/validatePhoneValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewValidatePhoneValidationRequest(rawServer, smartenroll.PhoneValidationConfirmRequest{Phone: "3005550101", CountryCode: "+57", Otp: phoneCodeA3})
			})},
			cross: []attempt{{name: "another registrant types the first's phone code", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewValidatePhoneValidationRequest(rawServer, smartenroll.PhoneValidationConfirmRequest{Phone: "3005550101", CountryCode: "+57", Otp: phoneCodeA3})
			}, bearerHeader(tA2))}},
			after: stillPending,
		},
		"verifik/smartenroll/createEmailValidationForProject": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateEmailValidationForProjectRequest(rawServer, emailBody(flowA.ProjectID, "tenant-a-one@example.com"))
			})},
			cross: []attempt{{name: "the other account's registrant in the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateEmailValidationForProjectRequest(rawServer, emailBody(flowA.ProjectID, "tenant-b@example.com"))
			}, bearerHeader(tB))}},
		},
		"verifik/smartenroll/validateEmailValidationByEmail": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewValidateEmailValidationByEmailRequest(rawServer, smartenroll.EmailValidationConfirmRequest{Email: stA3.Email, Otp: emailCodeA3})
			})},
			cross: []attempt{
				{name: "another registrant types the first's code and email", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewValidateEmailValidationByEmailRequest(rawServer, smartenroll.EmailValidationConfirmRequest{Email: stA3.Email, Otp: emailCodeA3})
				}, bearerHeader(tA2))},
				{name: "the other account's registrant types them", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewValidateEmailValidationByEmailRequest(rawServer, smartenroll.EmailValidationConfirmRequest{Email: stA3.Email, Otp: emailCodeA3})
				}, bearerHeader(tB))},
			},
			after: stillPending,
		},
		"verifik/smartenroll/createPhoneValidationForProject": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreatePhoneValidationForProjectRequest(rawServer, phoneBody(codesA.ProjectID, "3005550101"))
			})},
			cross: []attempt{{name: "the other account's registrant in the first's project", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreatePhoneValidationForProjectRequest(rawServer, phoneBody(codesA.ProjectID, "3005550199"))
			}, bearerHeader(tB))}},
		},
		"verifik/smartenroll/validatePhoneValidationByPhone": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewValidatePhoneValidationByPhoneRequest(rawServer, smartenroll.PhoneValidationConfirmRequest{Phone: "3005550101", CountryCode: "+57", Otp: phoneCodeA3})
			})},
			cross: []attempt{{name: "another registrant types the first's phone code", want: []int{403, 404}, send: do(func() (*http.Request, error) {
				return smartenroll.NewValidatePhoneValidationByPhoneRequest(rawServer, smartenroll.PhoneValidationConfirmRequest{Phone: "3005550101", CountryCode: "+57", Otp: phoneCodeA3})
			}, bearerHeader(tA2))}},
			after: stillPending,
		},
		"verifik/smartenroll/updateAppRegistration": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewUpdateAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.AppRegistrationUpdateRequest{FullName: &hijack})
			})},
			cross: []attempt{
				{name: "another registrant renames the first", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewUpdateAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.AppRegistrationUpdateRequest{FullName: &hijack})
				}, bearerHeader(tA2))},
				{name: "the other account's client token", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewUpdateAppRegistrationRequest(rawServer, stA1.AppRegistrationID, smartenroll.AppRegistrationUpdateRequest{FullName: &hijack})
				}, clientB)},
				{name: "the other account's registrant links the first's email validation to itself", want: []int{409}, send: do(func() (*http.Request, error) {
					return smartenroll.NewUpdateAppRegistrationRequest(rawServer, rB.State().AppRegistrationID, smartenroll.AppRegistrationUpdateRequest{EmailValidation: &stA1.EmailValidationID})
				}, bearerHeader(tB))},
			},
			after: func(t *testing.T) {
				regIntact(t)
				_, body := get(regOf(stA1.AppRegistrationID), clientA)
				assert.NotContains(t, body, hijack)
			},
		},
		"verifik/smartenroll/deleteBiometricValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewDeleteBiometricValidationRequest(rawServer, bioA1)
			})},
			cross: []attempt{
				{name: "another registrant deletes the first's selfie", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteBiometricValidationRequest(rawServer, bioA1)
				}, bearerHeader(tA2))},
				{name: "the other account's registrant deletes it", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteBiometricValidationRequest(rawServer, bioA1)
				}, bearerHeader(tB))},
			},
			after: func(t *testing.T) {
				_, body := get(regOf(stA1.AppRegistrationID), clientA)
				assert.Contains(t, body, bioA1, "the first registrant's selfie validation is still there")
			},
		},
		"verifik/smartenroll/getIdentityImages": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewGetIdentityImagesRequest(rawServer) })},
			cross: []attempt{
				{name: "another registrant reads its own, nothing of the first's", want: []int{200}, send: do(func() (*http.Request, error) { return smartenroll.NewGetIdentityImagesRequest(rawServer) }, bearerHeader(tA2)),
					check: func(t *testing.T, status int, body string) { assert.NotContains(t, body, bioA1) }},
				{name: "the other account's client token", want: []int{403}, send: do(func() (*http.Request, error) { return smartenroll.NewGetIdentityImagesRequest(rawServer) }, clientB)},
			},
		},
		"verifik/smartenroll/listDocumentValidations": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) { return smartenroll.NewListDocumentValidationsRequest(rawServer, nil) })},
			cross: []attempt{
				{name: "other account lists its own", want: []int{200}, send: do(func() (*http.Request, error) { return smartenroll.NewListDocumentValidationsRequest(rawServer, nil) }, clientB)},
				{name: "a registrant's token", want: []int{403}, send: do(func() (*http.Request, error) { return smartenroll.NewListDocumentValidationsRequest(rawServer, nil) }, bearerHeader(tA2))},
			},
		},
		"verifik/smartenroll/getDocumentValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewGetDocumentValidationRequest(rawServer, stA1.DocumentValidationID, nil)
			})},
			cross: []attempt{
				{name: "the other account's client token", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewGetDocumentValidationRequest(rawServer, stA1.DocumentValidationID, nil)
				}, clientB)},
				{name: "another registrant's token", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewGetDocumentValidationRequest(rawServer, stA1.DocumentValidationID, nil)
				}, bearerHeader(tA2))},
			},
		},
		"verifik/smartenroll/deleteDocumentValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewDeleteDocumentValidationRequest(rawServer, stA1.DocumentValidationID)
			})},
			cross: []attempt{
				{name: "the other account deletes the first's document", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteDocumentValidationRequest(rawServer, stA1.DocumentValidationID)
				}, clientB)},
				{name: "another registrant deletes it", want: []int{403}, send: do(func() (*http.Request, error) {
					return smartenroll.NewDeleteDocumentValidationRequest(rawServer, stA1.DocumentValidationID)
				}, bearerHeader(tA2))},
			},
			after: func(t *testing.T) {
				status, body := get(func() (*http.Request, error) {
					return smartenroll.NewGetDocumentValidationRequest(rawServer, stA1.DocumentValidationID, nil)
				}, clientA)
				assert.Equal(t, 200, status, "the first registrant's document is still there: %s", body)
			},
		},
		"verifik/smartenroll/createDocumentValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateDocumentValidationRequest(rawServer, smartenroll.DocumentValidationCreateRequest{Image: ptrTo(string(verifiktest.DocumentPhoto(docA)))})
			})},
			cross: []attempt{{name: "the other account's registrant submits the first's document to its own registration", send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateDocumentValidationRequest(rawServer, smartenroll.DocumentValidationCreateRequest{Image: ptrTo(string(verifiktest.DocumentPhoto(sandbox.Document{
					Kind: "national_id", Country: "CO", Number: "1000000009", FirstName: "Bertha", LastName: "Bravo", DateOfBirth: "1990-01-01", Expiry: "2031-01-01", Face: "tenant-b-face"})))})
			}, bearerHeader(tB))}},
			after: regIntact,
		},
		"verifik/smartenroll/createNameValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateNameValidationRequest(rawServer, stA1.DocumentValidationID, nil, smartenroll.NameValidationRequest{})
			})},
			cross: []attempt{
				{name: "another registrant on the first's document", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewCreateNameValidationRequest(rawServer, stA1.DocumentValidationID, nil, smartenroll.NameValidationRequest{})
				}, bearerHeader(tA2))},
				{name: "the other account's client token", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewCreateNameValidationRequest(rawServer, stA1.DocumentValidationID, nil, smartenroll.NameValidationRequest{})
				}, clientB)},
			},
		},
		"verifik/smartenroll/createBiometricValidation": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateBiometricValidationRequest(rawServer, selfieB)
			})},
			cross: []attempt{{name: "the other account's registrant shows the first's face: no duplicate across accounts", want: []int{200}, send: do(func() (*http.Request, error) {
				return smartenroll.NewCreateBiometricValidationRequest(rawServer, selfieB)
			}, bearerHeader(tB))}},
		},
		"verifik/smartenroll/compareAppRegistrationFaces": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewCompareAppRegistrationFacesRequest(rawServer, smartenroll.FaceCompareRequest{})
			})},
			cross: []attempt{{name: "another registrant compares its own (no document): nothing of the first's", send: do(func() (*http.Request, error) {
				return smartenroll.NewCompareAppRegistrationFacesRequest(rawServer, smartenroll.FaceCompareRequest{})
			}, bearerHeader(tA2)), check: func(t *testing.T, status int, body string) { assert.NotEqual(t, 200, status, body) }}},
		},
		"verifik/smartenroll/requestCriminalCheck": {
			anon: attempt{name: "no token", want: noAuth, send: do(func() (*http.Request, error) {
				return smartenroll.NewRequestCriminalCheckRequest(rawServer, stA1.InformationValidationID, smartenroll.CriminalCheckRequest{})
			})},
			cross: []attempt{
				{name: "another registrant on the first's check", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewRequestCriminalCheckRequest(rawServer, stA1.InformationValidationID, smartenroll.CriminalCheckRequest{})
				}, bearerHeader(tA2))},
				{name: "the other account's client token", want: []int{403, 404}, send: do(func() (*http.Request, error) {
					return smartenroll.NewRequestCriminalCheckRequest(rawServer, stA1.InformationValidationID, smartenroll.CriminalCheckRequest{})
				}, clientB)},
			},
		},
	}, markers
}
