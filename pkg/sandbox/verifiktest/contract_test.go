package verifiktest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/gen/verifik/smartenroll"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// world is a project with a full-KYC flow (names and criminal checks on) and two
// registrants, alice (email confirmed, document and selfie accepted) and bob (new).
type world struct {
	h                *harness
	project, flow    string
	alice, bob       reg
	aliceDoc         string
	livenessSkipFlow string
}

type reg struct{ id, info, token, email string }

func newWorld(h *harness) *world {
	settings := flowSettings(smartenroll.StepMandatory, smartenroll.StepMandatory)
	settings.Document = &smartenroll.DocumentSettings{VerifyNames: ptr(true), VerifyCriminalHistory: ptr(true)}
	w := &world{h: h}
	w.project, w.flow = h.setup("World", settings, false)
	w.alice = w.register("alice@example.com", "Alice Liddell")
	h.confirmEmail(w.project, w.alice.token, w.alice.email)
	doc, err := h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(w.alice.token))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, doc.StatusCode(), string(doc.Body))
	w.aliceDoc = doc.JSON200.Data.DocumentValidation.ID
	bio, err := h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("alice")), Os: smartenroll.OSDesktop}, bearer(w.alice.token))
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, bio.StatusCode(), string(bio.Body))
	w.bob = w.register("bob@example.com", "Bob Builder")
	return w
}

func (w *world) register(email, name string) reg {
	id, info, token := w.h.register(w.project, w.flow, email, name)
	return reg{id: id, info: info, token: token, email: email}
}

// otherProject is a second project whose only flow skips liveness and the document.
func (w *world) basicFlow() (project, flow string) {
	return w.h.setup("Basic "+strconv.Itoa(int(time.Now().UnixNano()%1e9)), flowSettings(smartenroll.StepSkip, smartenroll.StepSkip), false)
}

var (
	invalid   = bearer("not-a-token")
	noProject = "000000000000000000000000"
)

type statusCase struct {
	op     string
	status int
	key    string // the spec's response key it covers when not the status itself ("5XX")
	run    func(w *world) (int, error)
	opts   []verifiktest.Option // the emulator's options for this case
}

func sc(op string, status int, run func(w *world) (int, error)) statusCase {
	return statusCase{op: op, status: status, run: run}
}

// statusOf adapts a generated call to (status, error).
func statusOf[R interface{ StatusCode() int }](res R, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return res.StatusCode(), nil
}

func projectBody(name string) smartenroll.ProjectCreateRequest {
	return smartenroll.ProjectCreateRequest{Name: name, AllowedCountries: []string{"Panama"}, ContactEmail: "a@b.example",
		PrivacyUrl: "https://b.example/p", TermsAndConditionsUrl: "https://b.example/t"}
}

func syncReq(step smartenroll.SyncStep, status smartenroll.AppRegistrationStatus) smartenroll.SyncRequest {
	return smartenroll.SyncRequest{Step: step, Status: status}
}

func emailBody(w *world, email string) smartenroll.EmailValidationCreateRequest {
	return smartenroll.EmailValidationCreateRequest{Project: w.project, Email: email, Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode}
}

func phoneBody(w *world, cc string) smartenroll.PhoneValidationCreateRequest {
	return smartenroll.PhoneValidationCreateRequest{Project: w.project, Phone: "3001234567", CountryCode: cc, Type: smartenroll.ValidationTypeOnboarding, ValidationMethod: smartenroll.MethodVerificationCode}
}

func (w *world) emailValidation(r reg) string {
	v, err := w.h.api.CreateEmailValidationWithResponse(ctx, emailBody(w, r.email), bearer(r.token))
	require.NoError(w.h.t, err)
	require.Equal(w.h.t, http.StatusOK, v.StatusCode())
	return v.JSON200.Data.ID
}

func (w *world) phoneSent(r reg) string {
	v, err := w.h.api.CreatePhoneValidationWithResponse(ctx, phoneBody(w, "+57"), bearer(r.token))
	require.NoError(w.h.t, err)
	require.Equal(w.h.t, http.StatusOK, v.StatusCode())
	code, ok := w.h.emu.LastCode("+573001234567")
	require.True(w.h.t, ok)
	return code
}

func phoneConfirm(code smartenroll.OTPCode) smartenroll.PhoneValidationConfirmRequest {
	return smartenroll.PhoneValidationConfirmRequest{Phone: "3001234567", CountryCode: "+57", Otp: code}
}

// projectV3Body is a v3 create body, with a flat v3 flow when withFlow.
func projectV3Body(name string, withFlow bool) smartenroll.ProjectV3CreateRequest {
	b := smartenroll.ProjectV3CreateRequest{
		Name: name, AllowedCountries: []string{"All"}, ContactEmail: "support@acme.example",
		PrivacyUrl: "https://acme.example/privacy", TermsAndConditionsUrl: "https://acme.example/terms",
		DataProtection: smartenroll.DataProtection{Name: ptr("Dee Pio"), Email: ptr("dpo@acme.example"), Address: ptr("1 Main St"),
			City: ptr("Bogotá"), Country: ptr("Colombia"), PostalCode: ptr("110111")},
	}
	if withFlow {
		b.ProjectFlow = &smartenroll.ProjectFlowV3{
			Target: ptr("personal"), Type: smartenroll.FlowTypeOnboarding,
			SignUpForm:   &smartenroll.FlowV3Section{"email": true, "emailGateway": "mailgun", "showTermsAndConditions": true},
			Documents:    &smartenroll.FlowV3Section{"attemptLimit": 3, "verificationMethods": []string{"SCAN_PROMPT"}},
			Liveness:     &smartenroll.FlowV3Section{"minScore": 0.65, "searchMode": "FAST"},
			Steps:        &smartenroll.OnboardingSteps{Document: ptr(smartenroll.StepMandatory), Liveness: ptr(smartenroll.StepMandatory)},
			Integrations: &smartenroll.FlowV3Section{"redirectUrl": "https://acme.example/done"},
		}
		b.ProjectFlowType = ptr(smartenroll.FlowTypeOnboarding)
	}
	return b
}

// phoneConfirmString is the web SDK's body: the code as a JSON string.
func phoneConfirmString(code string) smartenroll.PhoneValidationConfirmRequest {
	return smartenroll.PhoneValidationConfirmRequest{Phone: "3001234567", CountryCode: "+57", Otp: code}
}

// aliceBiometric is the id of alice's selfie validation.
func (w *world) aliceBiometric() string {
	res, err := w.h.api.GetAppRegistrationWithResponse(ctx, w.alice.id, nil, w.h.client())
	require.NoError(w.h.t, err)
	require.Equal(w.h.t, http.StatusOK, res.StatusCode(), string(res.Body))
	id, err := res.JSON200.Data.BiometricValidation.AsNullableObjectId()
	require.NoError(w.h.t, err)
	return id
}

func (w *world) deleted(r reg) reg {
	res, err := w.h.api.DeleteAppRegistrationWithResponse(ctx, r.id, w.h.client())
	require.NoError(w.h.t, err)
	require.Equal(w.h.t, http.StatusOK, res.StatusCode())
	return r
}

// statusCases reach every documented status of every operation through the generated
// client, each in the situation Verifik documents for it.
var statusCases = []statusCase{
	// projects
	sc("createProject", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectWithResponse(ctx, projectBody("New"), w.h.client()))
	}),
	sc("createProject", 400, func(w *world) (int, error) {
		b := projectBody("Atlantis")
		b.AllowedCountries = []string{"Atlantis"}
		return statusOf(w.h.api.CreateProjectWithResponse(ctx, b, w.h.client()))
	}),
	sc("createProject", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectWithResponse(ctx, projectBody("X"), invalid))
	}),
	sc("createProject", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectWithResponse(ctx, projectBody("X"), bearer(w.bob.token)))
	}),
	sc("createProject", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectWithResponse(ctx, projectBody("World"), w.h.client()))
	}),
	sc("listProjects", 200, func(w *world) (int, error) {
		res, err := w.h.api.ListProjectsWithResponse(ctx, &smartenroll.ListProjectsParams{Sort: ptr("-createdAt")}, w.h.client())
		if err == nil && res.JSON200 != nil && len(res.JSON200.Data) != 1 {
			return 0, fmt.Errorf("want the one project, got %d", len(res.JSON200.Data))
		}
		return statusOf(res, err)
	}),
	sc("listProjects", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ListProjectsWithResponse(ctx, nil, invalid))
	}),
	sc("listProjects", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ListProjectsWithResponse(ctx, nil, bearer(w.alice.token)))
	}),
	sc("getProject", 200, func(w *world) (int, error) {
		res, err := w.h.api.GetProjectWithResponse(ctx, w.project, &smartenroll.GetProjectParams{With: &[]string{"projectFlows"}}, w.h.client())
		if err == nil && res.JSON200 != nil {
			flows, err := res.JSON200.Data.ProjectFlows.AsProjectFlowRefs()
			if err != nil || len(flows) != 1 {
				return 0, fmt.Errorf("want 1 embedded flow, got %d", len(flows))
			}
			if f, err := flows[0].AsProjectFlow(); err != nil || f.ID != w.flow {
				return 0, fmt.Errorf("flow not embedded: %v", err)
			}
		}
		return statusOf(res, err)
	}),
	sc("getProject", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectWithResponse(ctx, w.project, nil, invalid))
	}),
	sc("getProject", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectWithResponse(ctx, w.project, nil, bearer(w.alice.token)))
	}),
	sc("getProject", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectWithResponse(ctx, noProject, nil, w.h.client()))
	}),
	sc("updateProject", 200, func(w *world) (int, error) {
		res, err := w.h.api.UpdateProjectWithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{DemoMode: ptr(true)}, w.h.client())
		if err == nil && res.JSON200 != nil && len(deref(res.JSON200.Data.DemoOTP)) != 6 {
			return 0, fmt.Errorf("demo mode without a demo OTP")
		}
		return statusOf(res, err)
	}),
	sc("updateProject", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectWithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{}, invalid))
	}),
	sc("updateProject", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectWithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{}, bearer(w.alice.token)))
	}),
	sc("updateProject", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectWithResponse(ctx, noProject, smartenroll.ProjectUpdateRequest{}, w.h.client()))
	}),
	sc("updateProject", 409, func(w *world) (int, error) {
		other, _ := w.basicFlow()
		return statusOf(w.h.api.UpdateProjectWithResponse(ctx, other, smartenroll.ProjectUpdateRequest{Name: ptr("World")}, w.h.client()))
	}),

	// the v3 projects API
	sc("createProjectV3", 201, func(w *world) (int, error) {
		res, err := w.h.api.CreateProjectV3WithResponse(ctx, projectV3Body("Flat", true), w.h.client())
		if err == nil && res.JSON201 != nil {
			id, ferr := res.JSON201.Data.ProjectFlows.AsObjectId()
			if ferr != nil || id == "" {
				return 0, fmt.Errorf("the v3 answer names the new flow's id: %v", ferr)
			}
		}
		return statusOf(res, err)
	}),
	sc("createProjectV3", 400, func(w *world) (int, error) {
		b := projectV3Body("Atlantis", false)
		b.AllowedCountries = []string{"Atlantis"}
		return statusOf(w.h.api.CreateProjectV3WithResponse(ctx, b, w.h.client()))
	}),
	sc("createProjectV3", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectV3WithResponse(ctx, projectV3Body("X", false), invalid))
	}),
	sc("createProjectV3", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectV3WithResponse(ctx, projectV3Body("X", false), bearer(w.bob.token)))
	}),
	sc("createProjectV3", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectV3WithResponse(ctx, projectV3Body("World", false), w.h.client()))
	}),
	sc("listProjectsV3", 200, func(w *world) (int, error) {
		res, err := w.h.api.ListProjectsV3WithResponse(ctx, &smartenroll.ListProjectsV3Params{LikeName: ptr("worl"), InStatus: &[]smartenroll.ProjectStatus{smartenroll.ProjectActive}}, w.h.client())
		if err == nil && res.JSON200 != nil && len(res.JSON200.Data) != 1 {
			return 0, fmt.Errorf("want the one project, got %d", len(res.JSON200.Data))
		}
		return statusOf(res, err)
	}),
	sc("listProjectsV3", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ListProjectsV3WithResponse(ctx, nil, invalid))
	}),
	sc("listProjectsV3", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ListProjectsV3WithResponse(ctx, nil, bearer(w.bob.token)))
	}),
	sc("getProjectV3", 200, func(w *world) (int, error) {
		res, err := w.h.api.GetProjectV3WithResponse(ctx, w.project, w.h.client())
		if err == nil && res.JSON200 != nil {
			if flows, ferr := res.JSON200.Data.ProjectFlows.AsProjectFlowRefs(); ferr != nil || len(flows) != 1 {
				return 0, fmt.Errorf("v3 embeds the flows: %v", ferr)
			}
		}
		return statusOf(res, err)
	}),
	sc("getProjectV3", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectV3WithResponse(ctx, w.project, invalid))
	}),
	sc("getProjectV3", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectV3WithResponse(ctx, w.project, bearer(w.bob.token)))
	}),
	sc("getProjectV3", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectV3WithResponse(ctx, noProject, w.h.client()))
	}),
	sc("updateProjectV3", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectV3WithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{Branding: &smartenroll.Branding{BackgroundColor: ptr("#01236D")}}, w.h.client()))
	}),
	sc("updateProjectV3", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectV3WithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{}, invalid))
	}),
	sc("updateProjectV3", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectV3WithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{}, bearer(w.bob.token)))
	}),
	sc("updateProjectV3", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectV3WithResponse(ctx, noProject, smartenroll.ProjectUpdateRequest{}, w.h.client()))
	}),
	sc("updateProjectV3", 409, func(w *world) (int, error) {
		other, _ := w.basicFlow()
		return statusOf(w.h.api.UpdateProjectV3WithResponse(ctx, other, smartenroll.ProjectUpdateRequest{Name: ptr("World")}, w.h.client()))
	}),
	sc("deleteProjectV3", 200, func(w *world) (int, error) {
		other, _ := w.basicFlow()
		paused := smartenroll.ProjectPaused
		if _, err := w.h.api.UpdateProjectV3WithResponse(ctx, other, smartenroll.ProjectUpdateRequest{Status: &paused}, w.h.client()); err != nil {
			return 0, err
		}
		return statusOf(w.h.api.DeleteProjectV3WithResponse(ctx, other, w.h.client()))
	}),
	sc("deleteProjectV3", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectV3WithResponse(ctx, w.project, w.h.client())) // active
	}),
	sc("deleteProjectV3", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectV3WithResponse(ctx, w.project, invalid))
	}),
	sc("deleteProjectV3", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectV3WithResponse(ctx, w.project, bearer(w.bob.token)))
	}),
	sc("deleteProjectV3", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectV3WithResponse(ctx, noProject, w.h.client()))
	}),

	// project flows
	sc("createProjectFlow", 200, func(w *world) (int, error) {
		s := flowSettings(smartenroll.StepOptional, smartenroll.StepOptional)
		return statusOf(w.h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: w.project, Type: smartenroll.FlowTypeOnboarding, OnboardingSettings: &s}, w.h.client()))
	}),
	sc("createProjectFlow", 400, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: w.project, Type: smartenroll.FlowTypeOnboarding}, w.h.client()))
	}),
	sc("createProjectFlow", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: w.project, Type: smartenroll.FlowTypeOnboarding}, invalid))
	}),
	sc("createProjectFlow", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: w.project, Type: smartenroll.FlowTypeOnboarding}, bearer(w.bob.token)))
	}),
	sc("createProjectFlow", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: noProject, Type: smartenroll.FlowTypeOnboarding}, w.h.client()))
	}),
	sc("createProjectFlow", 409, func(w *world) (int, error) {
		s := smartenroll.OnboardingSettings{}
		return statusOf(w.h.api.CreateProjectFlowWithResponse(ctx, smartenroll.ProjectFlowCreateRequest{Project: w.project, Type: smartenroll.FlowTypeLogin, OnboardingSettings: &s}, w.h.client()))
	}),
	sc("listProjectFlows", 200, func(w *world) (int, error) {
		res, err := w.h.api.ListProjectFlowsWithResponse(ctx, &smartenroll.ListProjectFlowsParams{WhereProject: &w.project, WhereStatus: ptr("active")}, w.h.client())
		if err == nil && res.JSON200 != nil && (len(res.JSON200.Data) != 1 || res.JSON200.Data[0].ID != w.flow) {
			return 0, fmt.Errorf("want the project's one active flow")
		}
		return statusOf(res, err)
	}),
	sc("listProjectFlows", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ListProjectFlowsWithResponse(ctx, nil, invalid))
	}),
	sc("listProjectFlows", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ListProjectFlowsWithResponse(ctx, nil, bearer(w.alice.token)))
	}),
	sc("getProjectFlow", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectFlowWithResponse(ctx, w.flow, w.h.client()))
	}),
	sc("getProjectFlow", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectFlowWithResponse(ctx, w.flow, invalid))
	}),
	sc("getProjectFlow", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectFlowWithResponse(ctx, w.flow, bearer(w.alice.token)))
	}),
	sc("getProjectFlow", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetProjectFlowWithResponse(ctx, noProject, w.h.client()))
	}),
	sc("updateProjectFlow", 200, func(w *world) (int, error) {
		res, err := w.h.api.UpdateProjectFlowWithResponse(ctx, w.flow, smartenroll.ProjectFlowUpdateRequest{
			OnboardingSettings: &smartenroll.OnboardingSettings{Liveness: &smartenroll.LivenessSettings{LivenessMinScore: ptr(0.8)}},
		}, w.h.client())
		if err == nil && res.JSON200 != nil {
			s := res.JSON200.Data.OnboardingSettings
			if *s.Liveness.LivenessMinScore != 0.8 || *s.Steps.Document != smartenroll.StepMandatory {
				return 0, fmt.Errorf("partial update lost settings")
			}
		}
		return statusOf(res, err)
	}),
	sc("updateProjectFlow", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectFlowWithResponse(ctx, w.flow, smartenroll.ProjectFlowUpdateRequest{}, invalid))
	}),
	sc("updateProjectFlow", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectFlowWithResponse(ctx, w.flow, smartenroll.ProjectFlowUpdateRequest{}, bearer(w.alice.token)))
	}),
	sc("updateProjectFlow", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateProjectFlowWithResponse(ctx, noProject, smartenroll.ProjectFlowUpdateRequest{}, w.h.client()))
	}),
	sc("deleteProjectFlow", 200, func(w *world) (int, error) {
		_, flow := w.basicFlow()
		return statusOf(w.h.api.DeleteProjectFlowWithResponse(ctx, flow, w.h.client()))
	}),
	sc("deleteProjectFlow", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectFlowWithResponse(ctx, w.flow, w.h.client())) // alice and bob are mid-journey
	}),
	sc("deleteProjectFlow", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectFlowWithResponse(ctx, w.flow, invalid))
	}),
	sc("deleteProjectFlow", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectFlowWithResponse(ctx, w.flow, bearer(w.alice.token)))
	}),
	sc("deleteProjectFlow", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteProjectFlowWithResponse(ctx, noProject, w.h.client()))
	}),

	// app registrations
	sc("createAppRegistration", 200, func(w *world) (int, error) {
		// Verifik's hosted sign-up sends no token at all.
		return statusOf(w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{
			Project: w.project, ProjectFlow: w.flow, Phone: ptr("3001234567"), CountryCode: ptr("+57"), FirstName: ptr("Carl"), LastName: ptr("Sagan"),
		}, noAuth()))
	}),
	sc("createAppRegistration", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: w.project, ProjectFlow: w.flow, Email: ptr("x@example.com")}, invalid))
	}),
	sc("createAppRegistration", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: w.project, ProjectFlow: w.flow, Email: ptr("x@example.com")}, bearer(w.bob.token)))
	}),
	sc("createAppRegistration", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: w.project, ProjectFlow: noProject, Email: ptr("x@example.com")}, w.h.client()))
	}),
	sc("createAppRegistration", 409, func(w *world) (int, error) {
		res, err := w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: w.project, ProjectFlow: w.flow}, w.h.client())
		if err == nil && res.JSON409 != nil && deref(res.JSON409.Status) != 409 {
			return 0, fmt.Errorf("the MDX page's body repeats the status")
		}
		return statusOf(res, err)
	}),
	{op: "createAppRegistration", status: 412, opts: []verifiktest.Option{verifiktest.WithReregistration(verifiktest.ReregisterPreconditionFailed)},
		run: func(w *world) (int, error) {
			return statusOf(w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: w.project, ProjectFlow: w.flow, Email: ptr(w.bob.email)}, w.h.client()))
		}},
	sc("createAppRegistration", 422, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationCreateRequest{Project: w.project, ProjectFlow: w.flow, Phone: ptr("3001234567")}, w.h.client()))
	}),
	sc("getCurrentAppRegistration", 200, func(w *world) (int, error) {
		res, err := w.h.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{Populates: &[]smartenroll.Populate{smartenroll.PopulateDocumentValidation, smartenroll.PopulatePerson}}, bearer(w.alice.token))
		if err == nil && res.JSON200 != nil {
			if d, err := res.JSON200.Data.DocumentValidation.AsDocumentValidation(); err != nil || d.ID != w.aliceDoc {
				return 0, fmt.Errorf("document not populated: %v", err)
			}
		}
		return statusOf(res, err)
	}),
	sc("getCurrentAppRegistration", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{}, invalid))
	}),
	sc("getCurrentAppRegistration", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{}, w.h.client()))
	}),
	sc("getCurrentAppRegistration", 404, func(w *world) (int, error) {
		gone := w.deleted(w.bob)
		return statusOf(w.h.api.GetCurrentAppRegistrationWithResponse(ctx, smartenroll.AppRegistrationMeRequest{}, bearer(gone.token)))
	}),
	sc("getAppRegistration", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.GetAppRegistrationWithResponse(ctx, w.alice.id, nil, w.h.client()))
	}),
	sc("getAppRegistration", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetAppRegistrationWithResponse(ctx, w.alice.id, nil, invalid))
	}),
	sc("getAppRegistration", 403, func(w *world) (int, error) {
		// A registrant's token cannot read another registrant.
		return statusOf(w.h.api.GetAppRegistrationWithResponse(ctx, w.alice.id, nil, bearer(w.bob.token)))
	}),
	sc("getAppRegistration", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetAppRegistrationWithResponse(ctx, noProject, nil, w.h.client()))
	}),
	sc("deleteAppRegistration", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteAppRegistrationWithResponse(ctx, w.bob.id, w.h.client()))
	}),
	sc("deleteAppRegistration", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteAppRegistrationWithResponse(ctx, w.bob.id, invalid))
	}),
	sc("deleteAppRegistration", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteAppRegistrationWithResponse(ctx, w.bob.id, bearer(w.bob.token)))
	}),
	sc("deleteAppRegistration", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteAppRegistrationWithResponse(ctx, noProject, w.h.client()))
	}),
	sc("syncAppRegistration", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.SyncAppRegistrationWithResponse(ctx, w.alice.id, syncReq(smartenroll.StepEnd, smartenroll.AppRegistrationCompleted), bearer(w.alice.token)))
	}),
	sc("syncAppRegistration", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.SyncAppRegistrationWithResponse(ctx, w.alice.id, syncReq(smartenroll.StepInstructions, smartenroll.AppRegistrationOngoing), invalid))
	}),
	sc("syncAppRegistration", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.SyncAppRegistrationWithResponse(ctx, w.alice.id, syncReq(smartenroll.StepInstructions, smartenroll.AppRegistrationOngoing), bearer(w.bob.token)))
	}),
	sc("syncAppRegistration", 404, func(w *world) (int, error) {
		gone := w.deleted(w.bob)
		return statusOf(w.h.api.SyncAppRegistrationWithResponse(ctx, gone.id, syncReq(smartenroll.StepInstructions, smartenroll.AppRegistrationOngoing), bearer(gone.token)))
	}),
	sc("syncAppRegistration", 409, func(w *world) (int, error) {
		// Bob's email code is not confirmed: the sign-up form is not passed.
		return statusOf(w.h.api.SyncAppRegistrationWithResponse(ctx, w.bob.id, syncReq(smartenroll.StepSignUpForm, smartenroll.AppRegistrationOngoing), bearer(w.bob.token)))
	}),
	sc("syncAppRegistration", 500, func(w *world) (int, error) {
		// The flow skips basicInformation: Verifik answers step_not_supported.
		return statusOf(w.h.api.SyncAppRegistrationWithResponse(ctx, w.alice.id, syncReq(smartenroll.StepBasicInformation, smartenroll.AppRegistrationOngoing), bearer(w.alice.token)))
	}),

	// email codes
	sc("createEmailValidation", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationWithResponse(ctx, emailBody(w, w.bob.email), bearer(w.bob.token)))
	}),
	sc("createEmailValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationWithResponse(ctx, emailBody(w, w.bob.email), invalid))
	}),
	sc("createEmailValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationWithResponse(ctx, emailBody(w, w.bob.email), w.h.client()))
	}),
	sc("createEmailValidation", 404, func(w *world) (int, error) {
		b := emailBody(w, w.bob.email)
		b.Project = noProject
		return statusOf(w.h.api.CreateEmailValidationWithResponse(ctx, b, bearer(w.bob.token)))
	}),
	sc("createEmailValidation", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationWithResponse(ctx, emailBody(w, "not-an-email"), bearer(w.bob.token)))
	}),
	sc("validateEmailValidation", 200, func(w *world) (int, error) {
		id := w.emailValidation(w.bob)
		code, _ := w.h.emu.LastCode(w.bob.email)
		return statusOf(w.h.api.ValidateEmailValidationWithResponse(ctx, id, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: code}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidation", 401, func(w *world) (int, error) {
		id := w.emailValidation(w.bob)
		return statusOf(w.h.api.ValidateEmailValidationWithResponse(ctx, id, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: 123456}, invalid))
	}),
	sc("validateEmailValidation", 403, func(w *world) (int, error) {
		id := w.emailValidation(w.bob)
		code, _ := w.h.emu.LastCode(w.bob.email)
		return statusOf(w.h.api.ValidateEmailValidationWithResponse(ctx, id, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: otherCode(w.h.t, code)}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidation", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.ValidateEmailValidationWithResponse(ctx, noProject, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: 123456}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidation", 409, func(w *world) (int, error) {
		id := w.emailValidation(w.bob)
		return statusOf(w.h.api.ValidateEmailValidationWithResponse(ctx, id, smartenroll.EmailValidationConfirmRequest{Email: "", Otp: 123456}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidation", 412, func(w *world) (int, error) {
		id := w.emailValidation(w.bob)
		code, _ := w.h.emu.LastCode(w.bob.email)
		w.h.clock.Advance(verifiktest.DefaultOTPTTL)
		return statusOf(w.h.api.ValidateEmailValidationWithResponse(ctx, id, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: code}, bearer(w.bob.token)))
	}),

	// phone codes
	sc("createPhoneValidation", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationWithResponse(ctx, phoneBody(w, "+57"), bearer(w.bob.token)))
	}),
	sc("createPhoneValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationWithResponse(ctx, phoneBody(w, "+57"), invalid))
	}),
	sc("createPhoneValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationWithResponse(ctx, phoneBody(w, "+57"), w.h.client()))
	}),
	sc("createPhoneValidation", 404, func(w *world) (int, error) {
		b := phoneBody(w, "+57")
		b.ProjectFlow = ptr(noProject)
		return statusOf(w.h.api.CreatePhoneValidationWithResponse(ctx, b, bearer(w.bob.token)))
	}),
	sc("createPhoneValidation", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationWithResponse(ctx, phoneBody(w, "57"), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidation", 200, func(w *world) (int, error) {
		code := w.phoneSent(w.bob)
		return statusOf(w.h.api.ValidatePhoneValidationWithResponse(ctx, phoneConfirm(code), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ValidatePhoneValidationWithResponse(ctx, phoneConfirm(123456), invalid))
	}),
	sc("validatePhoneValidation", 403, func(w *world) (int, error) {
		code := w.phoneSent(w.bob)
		return statusOf(w.h.api.ValidatePhoneValidationWithResponse(ctx, phoneConfirm(otherCode(w.h.t, code)), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidation", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.ValidatePhoneValidationWithResponse(ctx, phoneConfirm(123456), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidation", 409, func(w *world) (int, error) {
		w.phoneSent(w.bob)
		return statusOf(w.h.api.ValidatePhoneValidationWithResponse(ctx, phoneConfirm(0), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidation", 412, func(w *world) (int, error) {
		code := w.phoneSent(w.bob)
		w.h.clock.Advance(verifiktest.DefaultOTPTTL + time.Minute)
		return statusOf(w.h.api.ValidatePhoneValidationWithResponse(ctx, phoneConfirm(code), bearer(w.bob.token)))
	}),

	// the web SDK's code routes, codes as JSON strings
	sc("createEmailValidationForProject", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationForProjectWithResponse(ctx, emailBody(w, w.bob.email), bearer(w.bob.token)))
	}),
	sc("createEmailValidationForProject", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationForProjectWithResponse(ctx, emailBody(w, w.bob.email), invalid))
	}),
	sc("createEmailValidationForProject", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationForProjectWithResponse(ctx, emailBody(w, w.bob.email), w.h.client()))
	}),
	sc("createEmailValidationForProject", 404, func(w *world) (int, error) {
		b := emailBody(w, w.bob.email)
		b.Project = noProject
		return statusOf(w.h.api.CreateEmailValidationForProjectWithResponse(ctx, b, bearer(w.bob.token)))
	}),
	sc("createEmailValidationForProject", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateEmailValidationForProjectWithResponse(ctx, emailBody(w, "not-an-email"), bearer(w.bob.token)))
	}),
	sc("validateEmailValidationByEmail", 200, func(w *world) (int, error) {
		w.emailValidation(w.bob)
		code, _ := w.h.emu.LastCode(w.bob.email)
		return statusOf(w.h.api.ValidateEmailValidationByEmailWithResponse(ctx, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: code}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidationByEmail", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ValidateEmailValidationByEmailWithResponse(ctx, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: "123456"}, invalid))
	}),
	sc("validateEmailValidationByEmail", 403, func(w *world) (int, error) {
		w.emailValidation(w.bob)
		code, _ := w.h.emu.LastCode(w.bob.email)
		return statusOf(w.h.api.ValidateEmailValidationByEmailWithResponse(ctx, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: otherCode(w.h.t, code)}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidationByEmail", 404, func(w *world) (int, error) {
		// No code was sent to bob yet.
		return statusOf(w.h.api.ValidateEmailValidationByEmailWithResponse(ctx, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: "123456"}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidationByEmail", 409, func(w *world) (int, error) {
		w.emailValidation(w.bob)
		return statusOf(w.h.api.ValidateEmailValidationByEmailWithResponse(ctx, smartenroll.EmailValidationConfirmRequest{Email: "", Otp: "123456"}, bearer(w.bob.token)))
	}),
	sc("validateEmailValidationByEmail", 412, func(w *world) (int, error) {
		w.emailValidation(w.bob)
		code, _ := w.h.emu.LastCode(w.bob.email)
		w.h.clock.Advance(verifiktest.DefaultOTPTTL)
		return statusOf(w.h.api.ValidateEmailValidationByEmailWithResponse(ctx, smartenroll.EmailValidationConfirmRequest{Email: w.bob.email, Otp: code}, bearer(w.bob.token)))
	}),
	sc("createPhoneValidationForProject", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationForProjectWithResponse(ctx, phoneBody(w, "+57"), bearer(w.bob.token)))
	}),
	sc("createPhoneValidationForProject", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationForProjectWithResponse(ctx, phoneBody(w, "+57"), invalid))
	}),
	sc("createPhoneValidationForProject", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationForProjectWithResponse(ctx, phoneBody(w, "+57"), w.h.client()))
	}),
	sc("createPhoneValidationForProject", 404, func(w *world) (int, error) {
		b := phoneBody(w, "+57")
		b.ProjectFlow = ptr(noProject)
		return statusOf(w.h.api.CreatePhoneValidationForProjectWithResponse(ctx, b, bearer(w.bob.token)))
	}),
	sc("createPhoneValidationForProject", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreatePhoneValidationForProjectWithResponse(ctx, phoneBody(w, "57"), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidationByPhone", 200, func(w *world) (int, error) {
		code := w.phoneSent(w.bob)
		return statusOf(w.h.api.ValidatePhoneValidationByPhoneWithResponse(ctx, phoneConfirmString(code), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidationByPhone", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ValidatePhoneValidationByPhoneWithResponse(ctx, phoneConfirmString("123456"), invalid))
	}),
	sc("validatePhoneValidationByPhone", 403, func(w *world) (int, error) {
		code := w.phoneSent(w.bob)
		return statusOf(w.h.api.ValidatePhoneValidationByPhoneWithResponse(ctx, phoneConfirmString(otherCode(w.h.t, code)), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidationByPhone", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.ValidatePhoneValidationByPhoneWithResponse(ctx, phoneConfirmString("123456"), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidationByPhone", 409, func(w *world) (int, error) {
		w.phoneSent(w.bob)
		return statusOf(w.h.api.ValidatePhoneValidationByPhoneWithResponse(ctx, phoneConfirm(0), bearer(w.bob.token)))
	}),
	sc("validatePhoneValidationByPhone", 412, func(w *world) (int, error) {
		code := w.phoneSent(w.bob)
		w.h.clock.Advance(verifiktest.DefaultOTPTTL + time.Minute)
		return statusOf(w.h.api.ValidatePhoneValidationByPhoneWithResponse(ctx, phoneConfirmString(code), bearer(w.bob.token)))
	}),

	// the web SDK's writes
	sc("updateAppRegistration", 200, func(w *world) (int, error) {
		id := w.emailValidation(w.bob)
		return statusOf(w.h.api.UpdateAppRegistrationWithResponse(ctx, w.bob.id, smartenroll.AppRegistrationUpdateRequest{EmailValidation: ptr(id)}, bearer(w.bob.token)))
	}),
	sc("updateAppRegistration", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateAppRegistrationWithResponse(ctx, w.bob.id, smartenroll.AppRegistrationUpdateRequest{FullName: ptr("Bob B")}, invalid))
	}),
	sc("updateAppRegistration", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateAppRegistrationWithResponse(ctx, w.alice.id, smartenroll.AppRegistrationUpdateRequest{FullName: ptr("Mallory")}, bearer(w.bob.token)))
	}),
	sc("updateAppRegistration", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateAppRegistrationWithResponse(ctx, noProject, smartenroll.AppRegistrationUpdateRequest{FullName: ptr("Nobody")}, w.h.client()))
	}),
	sc("updateAppRegistration", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.UpdateAppRegistrationWithResponse(ctx, w.bob.id, smartenroll.AppRegistrationUpdateRequest{Phone: ptr("3007654321"), ReplacePhone: ptr(true)}, bearer(w.bob.token)))
	}),
	sc("deleteBiometricValidation", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteBiometricValidationWithResponse(ctx, w.aliceBiometric(), bearer(w.alice.token)))
	}),
	sc("deleteBiometricValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteBiometricValidationWithResponse(ctx, w.aliceBiometric(), invalid))
	}),
	sc("deleteBiometricValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteBiometricValidationWithResponse(ctx, w.aliceBiometric(), w.h.client()))
	}),
	sc("deleteBiometricValidation", 404, func(w *world) (int, error) {
		// Another registrant's validation is as unknown as a made-up id.
		return statusOf(w.h.api.DeleteBiometricValidationWithResponse(ctx, w.aliceBiometric(), bearer(w.bob.token)))
	}),
	sc("deleteBiometricValidation", 409, func(w *world) (int, error) {
		bio := w.aliceBiometric()
		end, err := w.h.api.SyncAppRegistrationWithResponse(ctx, w.alice.id, syncReq(smartenroll.StepEnd, smartenroll.AppRegistrationFailed), bearer(w.alice.token))
		require.NoError(w.h.t, err)
		require.Equal(w.h.t, http.StatusOK, end.StatusCode(), string(end.Body))
		return statusOf(w.h.api.DeleteBiometricValidationWithResponse(ctx, bio, bearer(w.alice.token)))
	}),

	// listing registrants
	sc("listAppRegistrations", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.ListAppRegistrationsWithResponse(ctx, &smartenroll.ListAppRegistrationsParams{InStatus: &[]smartenroll.AppRegistrationStatus{smartenroll.AppRegistrationStarted}, Populates: &[]smartenroll.Populate{smartenroll.PopulateProject}}, w.h.client()))
	}),
	sc("listAppRegistrations", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ListAppRegistrationsWithResponse(ctx, nil, invalid))
	}),
	sc("listAppRegistrations", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ListAppRegistrationsWithResponse(ctx, nil, bearer(w.bob.token)))
	}),

	// resuming a registrant
	sc("resendAppRegistrationLink", 200, func(w *world) (int, error) {
		send := smartenroll.LooseBoolean("true")
		return statusOf(w.h.api.ResendAppRegistrationLinkWithResponse(ctx, w.bob.id, smartenroll.ResendLinkRequest{SendEmail: &send}, w.h.client()))
	}),
	sc("resendAppRegistrationLink", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ResendAppRegistrationLinkWithResponse(ctx, w.bob.id, smartenroll.ResendLinkRequest{}, invalid))
	}),
	sc("resendAppRegistrationLink", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ResendAppRegistrationLinkWithResponse(ctx, w.bob.id, smartenroll.ResendLinkRequest{RecipientEmail: ptr("someone@example.com")}, w.h.client()))
	}),
	sc("resendAppRegistrationLink", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.ResendAppRegistrationLinkWithResponse(ctx, noProject, smartenroll.ResendLinkRequest{}, w.h.client()))
	}),
	sc("resendAppRegistrationLink", 409, func(w *world) (int, error) {
		end, err := w.h.api.SyncAppRegistrationWithResponse(ctx, w.alice.id, syncReq(smartenroll.StepEnd, smartenroll.AppRegistrationFailed), bearer(w.alice.token))
		require.NoError(w.h.t, err)
		require.Equal(w.h.t, http.StatusOK, end.StatusCode(), string(end.Body))
		return statusOf(w.h.api.ResendAppRegistrationLinkWithResponse(ctx, w.alice.id, smartenroll.ResendLinkRequest{}, w.h.client()))
	}),

	// the hosted sign-up page's public read
	sc("getPublicProject", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.GetPublicProjectWithResponse(ctx, &smartenroll.GetPublicProjectParams{Id: w.project}, noAuth()))
	}),
	sc("getPublicProject", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetPublicProjectWithResponse(ctx, &smartenroll.GetPublicProjectParams{Id: noProject}, noAuth()))
	}),

	// the registrant's images
	sc("getIdentityImages", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.GetIdentityImagesWithResponse(ctx, bearer(w.alice.token)))
	}),
	sc("getIdentityImages", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetIdentityImagesWithResponse(ctx, invalid))
	}),
	sc("getIdentityImages", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetIdentityImagesWithResponse(ctx, w.h.client()))
	}),
	sc("getIdentityImages", 404, func(w *world) (int, error) {
		gone := w.deleted(w.bob)
		return statusOf(w.h.api.GetIdentityImagesWithResponse(ctx, bearer(gone.token)))
	}),

	// document validations read with the client token
	sc("listDocumentValidations", 200, func(w *world) (int, error) {
		res, err := w.h.api.ListDocumentValidationsWithResponse(ctx, &smartenroll.ListDocumentValidationsParams{
			WhereStatus: ptr(string(smartenroll.DocumentValidated)), Populates: &[]string{"appRegistration", "projectFlow"}}, w.h.client())
		if err == nil && res.JSON200 != nil {
			if len(res.JSON200.Data) != 1 {
				return 0, fmt.Errorf("want alice's document, got %d", len(res.JSON200.Data))
			}
			if r, rerr := res.JSON200.Data[0].AppRegistration.AsRecord(); rerr != nil || r.ID != w.alice.id {
				return 0, fmt.Errorf("appRegistration not populated: %v", rerr)
			}
		}
		return statusOf(res, err)
	}),
	sc("listDocumentValidations", 400, func(w *world) (int, error) {
		return statusOf(w.h.api.ListDocumentValidationsWithResponse(ctx, &smartenroll.ListDocumentValidationsParams{WhereStatus: ptr("DONE")}, w.h.client()))
	}),
	sc("listDocumentValidations", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.ListDocumentValidationsWithResponse(ctx, nil, invalid))
	}),
	sc("listDocumentValidations", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.ListDocumentValidationsWithResponse(ctx, nil, bearer(w.alice.token)))
	}),
	sc("getDocumentValidation", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.GetDocumentValidationWithResponse(ctx, w.aliceDoc, nil, w.h.client()))
	}),
	sc("getDocumentValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.GetDocumentValidationWithResponse(ctx, w.aliceDoc, nil, invalid))
	}),
	sc("getDocumentValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.GetDocumentValidationWithResponse(ctx, w.aliceDoc, nil, bearer(w.alice.token)))
	}),
	sc("getDocumentValidation", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.GetDocumentValidationWithResponse(ctx, noProject, nil, w.h.client()))
	}),
	sc("deleteDocumentValidation", 200, func(w *world) (int, error) {
		res, err := w.h.api.DeleteDocumentValidationWithResponse(ctx, w.aliceDoc, w.h.client())
		if err == nil && res.StatusCode() == http.StatusOK {
			again, gerr := w.h.api.GetDocumentValidationWithResponse(ctx, w.aliceDoc, nil, w.h.client())
			if gerr != nil || again.StatusCode() != http.StatusNotFound {
				return 0, fmt.Errorf("the deleted document is still there")
			}
		}
		return statusOf(res, err)
	}),
	sc("deleteDocumentValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteDocumentValidationWithResponse(ctx, w.aliceDoc, invalid))
	}),
	sc("deleteDocumentValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteDocumentValidationWithResponse(ctx, w.aliceDoc, bearer(w.alice.token)))
	}),
	sc("deleteDocumentValidation", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.DeleteDocumentValidationWithResponse(ctx, noProject, w.h.client()))
	}),

	// documents
	sc("createDocumentValidation", 200, func(w *world) (int, error) {
		res, err := w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{BackImage: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(w.bob.token))
		if err == nil && res.JSON200 != nil && deref(res.JSON200.Data.DocumentValidation.NamesMatch) {
			return 0, fmt.Errorf("bob's names must not match alice's document")
		}
		return statusOf(res, err)
	}),
	sc("createDocumentValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr("aGk=")}, invalid))
	}),
	sc("createDocumentValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr("aGk=")}, w.h.client()))
	}),
	sc("createDocumentValidation", 404, func(w *world) (int, error) {
		project, flow := w.basicFlow()
		_, _, token := w.h.register(project, flow, "dora@example.com", "Dora Explorer")
		return statusOf(w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr("aGk=")}, bearer(token)))
	}),
	sc("createDocumentValidation", 409, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(w.alice.token)))
	}),
	sc("createDocumentValidation", 422, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{}, bearer(w.bob.token)))
	}),
	sc("createNameValidation", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, w.aliceDoc, &smartenroll.CreateNameValidationParams{Force: ptr(true)}, smartenroll.NameValidationRequest{}, bearer(w.alice.token)))
	}),
	sc("createNameValidation", 400, func(w *world) (int, error) {
		// A photo the OCR cannot read.
		res, err := w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.Selfie("bob")))}, bearer(w.bob.token))
		require.NoError(w.h.t, err)
		require.Equal(w.h.t, http.StatusOK, res.StatusCode())
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, res.JSON200.Data.DocumentValidation.ID, nil, smartenroll.NameValidationRequest{}, bearer(w.bob.token)))
	}),
	sc("createNameValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, w.aliceDoc, nil, smartenroll.NameValidationRequest{}, invalid))
	}),
	sc("createNameValidation", 402, func(w *world) (int, error) {
		status, _ := w.h.control(http.MethodPut, verifiktest.ControlPrefix+"credits", `{"credits":0}`)
		require.Equal(w.h.t, http.StatusNoContent, status)
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, w.aliceDoc, nil, smartenroll.NameValidationRequest{}, w.h.client()))
	}),
	sc("createNameValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, w.aliceDoc, nil, smartenroll.NameValidationRequest{}, bearer(w.bob.token)))
	}),
	sc("createNameValidation", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, noProject, nil, smartenroll.NameValidationRequest{}, w.h.client()))
	}),
	sc("createNameValidation", 409, func(w *world) (int, error) {
		project, flow := w.basicFlow()
		settings := flowSettings(smartenroll.StepOptional, smartenroll.StepSkip) // verifyNames off
		res, err := w.h.api.UpdateProjectFlowWithResponse(ctx, flow, smartenroll.ProjectFlowUpdateRequest{OnboardingSettings: &settings}, w.h.client())
		require.NoError(w.h.t, err)
		require.Equal(w.h.t, http.StatusOK, res.StatusCode())
		_, _, token := w.h.register(project, flow, "eve@example.com", "Eve Moneypenny")
		doc, err := w.h.api.CreateDocumentValidationWithResponse(ctx, smartenroll.DocumentValidationCreateRequest{Image: ptr(string(verifiktest.DocumentPhoto(alice())))}, bearer(token))
		require.NoError(w.h.t, err)
		require.Equal(w.h.t, http.StatusOK, doc.StatusCode())
		return statusOf(w.h.api.CreateNameValidationWithResponse(ctx, doc.JSON200.Data.DocumentValidation.ID, nil, smartenroll.NameValidationRequest{}, bearer(token)))
	}),

	// biometrics
	sc("createBiometricValidation", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("bob")), Os: smartenroll.OSAndroid}, bearer(w.bob.token)))
	}),
	sc("createBiometricValidation", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("bob")), Os: smartenroll.OSAndroid}, invalid))
	}),
	sc("createBiometricValidation", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("bob")), Os: smartenroll.OSAndroid}, w.h.client()))
	}),
	sc("createBiometricValidation", 404, func(w *world) (int, error) {
		gone := w.deleted(w.bob)
		return statusOf(w.h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.Selfie("bob")), Os: smartenroll.OSAndroid}, bearer(gone.token)))
	}),
	sc("createBiometricValidation", 409, func(w *world) (int, error) {
		res, err := w.h.api.CreateBiometricValidationWithResponse(ctx, smartenroll.BiometricValidationCreateRequest{Image: string(verifiktest.SpoofSelfie("bob", 0.45)), Os: smartenroll.OSAndroid}, bearer(w.bob.token))
		if err == nil && res.JSON409 != nil && res.JSON409.Message != "409:liveness_failed@0.45" {
			return 0, fmt.Errorf("liveness message %q", res.JSON409.Message)
		}
		return statusOf(res, err)
	}),
	sc("compareAppRegistrationFaces", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(w.alice.token)))
	}),
	sc("compareAppRegistrationFaces", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, invalid))
	}),
	sc("compareAppRegistrationFaces", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, w.h.client()))
	}),
	sc("compareAppRegistrationFaces", 404, func(w *world) (int, error) {
		gone := w.deleted(w.bob)
		return statusOf(w.h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(gone.token)))
	}),
	sc("compareAppRegistrationFaces", 409, func(w *world) (int, error) {
		res, err := w.h.api.UpdateProjectWithResponse(ctx, w.project, smartenroll.ProjectUpdateRequest{Status: ptr(smartenroll.ProjectPaused)}, w.h.client())
		require.NoError(w.h.t, err)
		require.Equal(w.h.t, http.StatusOK, res.StatusCode())
		return statusOf(w.h.api.CompareAppRegistrationFacesWithResponse(ctx, smartenroll.FaceCompareRequest{}, bearer(w.alice.token)))
	}),

	// criminal check
	sc("requestCriminalCheck", 200, func(w *world) (int, error) {
		return statusOf(w.h.api.RequestCriminalCheckWithResponse(ctx, w.alice.info, smartenroll.CriminalCheckRequest{Force: ptr(true)}, bearer(w.alice.token)))
	}),
	sc("requestCriminalCheck", 401, func(w *world) (int, error) {
		return statusOf(w.h.api.RequestCriminalCheckWithResponse(ctx, w.alice.info, smartenroll.CriminalCheckRequest{}, invalid))
	}),
	sc("requestCriminalCheck", 403, func(w *world) (int, error) {
		return statusOf(w.h.api.RequestCriminalCheckWithResponse(ctx, w.alice.info, smartenroll.CriminalCheckRequest{}, bearer(w.bob.token)))
	}),
	sc("requestCriminalCheck", 404, func(w *world) (int, error) {
		return statusOf(w.h.api.RequestCriminalCheckWithResponse(ctx, noProject, smartenroll.CriminalCheckRequest{}, w.h.client()))
	}),
	sc("requestCriminalCheck", 409, func(w *world) (int, error) {
		// Bob has no document yet.
		return statusOf(w.h.api.RequestCriminalCheckWithResponse(ctx, w.bob.info, smartenroll.CriminalCheckRequest{}, w.h.client()))
	}),
}

// TestEveryOperationAndStatus reaches each documented (operation, status) through the
// generated client, with both sides of the contract enforced, and checks that the table
// covers everything the spec documents.
func TestEveryOperationAndStatus(t *testing.T) {
	h := newHarness(t)
	cases := append(append([]statusCase(nil), statusCases...), rateLimited(statusCases)...)
	cases = append(cases, serverErrors(statusCases)...)
	cases = append(cases, invalidParameterCases...)
	cases = append(cases, tooLargeCases(h.spec)...)
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.op, c.status), func(t *testing.T) {
			t.Parallel()
			// A fresh emulator per case keeps the cases independent.
			hc := newHarness(t, c.opts...)
			w := newWorld(hc)
			got, err := c.run(w)
			require.NoError(t, err)
			assert.Equal(t, c.status, got)
			hc.mu.Lock()
			seen := hc.statuses[c.op][c.status]
			hc.mu.Unlock()
			assert.True(t, seen, "the answer went through the recorded client")
		})
	}

	covered := map[string]bool{}
	for _, c := range cases {
		key := c.key
		if key == "" {
			key = strconv.Itoa(c.status)
		}
		covered[c.op+"/"+key] = true
	}
	var missing []string
	for _, item := range h.spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code := range op.Responses.Map() {
				if key := op.OperationID + "/" + code; !covered[key] {
					missing = append(missing, key)
				}
			}
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "documented statuses no case reaches")
}

// rateLimited derives the 429 case of every operation from its 200 case: Verifik's limits
// are reached with the emulator's fault injector, and the answer must still be Verifik's
// error body.
func rateLimited(cases []statusCase) []statusCase {
	var out []statusCase
	for _, c := range cases {
		if c.status != http.StatusOK && c.status != http.StatusCreated {
			continue
		}
		ok := c
		out = append(out, sc(ok.op, http.StatusTooManyRequests, func(w *world) (int, error) {
			require.NoError(w.h.t, w.h.emu.Faults().Set(sandbox.FaultRule{Operation: ok.op, Kind: sandbox.FaultRateLimit, Rate: 1}))
			defer w.h.emu.Faults().Clear()
			return ok.run(w)
		}))
	}
	return out
}

// serverErrors derives a 5XX case of every operation from its 200 case: the fault
// injector's 503 stands for the gateway's, in Verifik's error body.
func serverErrors(cases []statusCase) []statusCase {
	var out []statusCase
	for _, c := range cases {
		if c.status != http.StatusOK && c.status != http.StatusCreated {
			continue
		}
		ok := c
		out = append(out, statusCase{op: ok.op, status: http.StatusServiceUnavailable, key: "5XX", run: func(w *world) (int, error) {
			require.NoError(w.h.t, w.h.emu.Faults().Set(sandbox.FaultRule{Operation: ok.op, Kind: sandbox.FaultError, Rate: 1}))
			defer w.h.emu.Faults().Clear()
			return ok.run(w)
		}})
	}
	return out
}

// rawRequest builds a request that the generated client would refuse to send.
func rawRequest(t *testing.T, method, target, token, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://sandbox.test"+target, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// invalidParameterCases break the spec of the operations that document no 409 of
// their own: the middleware refuses them as restify does, 409 InvalidArgument or
// MissingParameter, and says which field — never its value.
var invalidParameterCases = []statusCase{
	sc("listProjects", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/projects?page=abc", w.h.emu.ClientToken(), ""), "InvalidArgument", "query.page")
	}),
	sc("listAppRegistrations", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/app-registrations?limit=101", w.h.emu.ClientToken(), ""), "InvalidArgument", "query.limit")
	}),
	sc("getPublicProject", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/projects/kyc?type=onboarding", "", ""), "MissingParameter", "query.id")
	}),
	sc("listProjectsV3", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v3/projects?limit=101", w.h.emu.ClientToken(), ""), "InvalidArgument", "query.limit")
	}),
	sc("listDocumentValidations", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/document-validations?page=abc", w.h.emu.ClientToken(), ""), "InvalidArgument", "query.page")
	}),
	sc("getDocumentValidation", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/document-validations/"+w.aliceDoc+"?populates[]=everything", w.h.emu.ClientToken(), ""), "InvalidArgument", "populates")
	}),
	sc("listProjectFlows", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/project-flows?page=abc", w.h.emu.ClientToken(), ""), "InvalidArgument", "query.page")
	}),
	sc("getAppRegistration", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "GET", "/v2/app-registrations/"+w.alice.id+"?populates[]=everything", w.h.emu.ClientToken(), ""), "InvalidArgument", "populates")
	}),
	sc("getCurrentAppRegistration", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "POST", "/v2/app-registrations/me", w.alice.token, `{"populates":"person"}`), "InvalidArgument", "body.populates")
	}),
	sc("updateProjectFlow", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "PUT", "/v2/project-flows/"+w.flow, w.h.emu.ClientToken(), `{"status":"bogus"}`), "InvalidArgument", "body.status")
	}),
	sc("createProject", 409, func(w *world) (int, error) {
		return rawStatus(w, rawRequest(w.h.t, "POST", "/v2/projects", w.h.emu.ClientToken(), `{"allowedCountries":["Panama"]}`), "MissingParameter", "missing body.name")
	}),
}

// rawStatus serves req and checks the refusal's Verifik code and that its message names
// the field.
func rawStatus(w *world, req *http.Request, code, names string) (int, error) {
	rec := w.h.serve(req)
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		return 0, err
	}
	if body.Code != code || !strings.Contains(body.Message, names) {
		return 0, fmt.Errorf("refusal %d %s: want code %s naming %s", rec.Code, rec.Body.String(), code, names)
	}
	return rec.Code, nil
}

// tooLargeCases send every operation a body that claims 1 GiB: it is refused with 413
// PayloadTooLarge before a byte of it is read.
func tooLargeCases(spec *contract.Spec) []statusCase {
	var out []statusCase
	for p, item := range spec.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			target := strings.ReplaceAll(p, "{id}", noProject)
			out = append(out, sc(op.OperationID, http.StatusRequestEntityTooLarge, func(w *world) (int, error) {
				body := &countingReader{}
				req := rawRequest(w.h.t, method, target, w.h.emu.ClientToken(), "")
				req.Header.Set("Content-Type", "application/json")
				req.Body, req.ContentLength = io.NopCloser(body), 1<<30
				rec := w.h.serve(req)
				if body.n > 0 {
					return 0, fmt.Errorf("%d bytes of the oversize body were read", body.n)
				}
				if !strings.Contains(rec.Body.String(), `"code":"PayloadTooLarge"`) {
					return 0, fmt.Errorf("not Verifik's 413: %s", rec.Body.String())
				}
				return rec.Code, nil
			}))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op < out[j].op })
	return out
}

// countingReader is an endless body that counts what is read of it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	c.n += int64(len(p))
	return len(p), nil
}

// TestHarnessCatchesDrift proves the harness would notice the emulator drifting from
// the spec: an injected unknown field reaches the problem list.
func TestHarnessCatchesDrift(t *testing.T) {
	h := newHarness(t)
	require.NoError(t, h.emu.Faults().Set(sandbox.FaultRule{Operation: "listProjects", Kind: sandbox.FaultDrift, Rate: 1}))
	_, err := h.api.ListProjectsWithResponse(ctx, nil, h.client())
	require.NoError(t, err, "drift is reported, not enforced")
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(t, h.problems)
	assert.True(t, h.problems[0].DriftOnly())
	h.problems = nil // expected: do not fail the cleanup check
}

// otherCode is a six-digit code that is not code.
func otherCode(t *testing.T, code string) string {
	n := atoi(t, code)
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
