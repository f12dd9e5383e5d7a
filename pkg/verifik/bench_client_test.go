package verifik_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/idvkit/idvkit/internal/payload"

	"github.com/idvkit/idvkit/internal/benchcpu"
	"github.com/idvkit/idvkit/internal/raceflag"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verifik"
)

// registrationBody is Verifik's published create app registration answer, compacted.
func registrationBody(tb testing.TB) []byte {
	return payload.Body(tb, "../../testdata/verifik/app-registration-create-response-200-2.json")
}

// handRegistration is what a careful integrator writes by hand for the same answer.
type handRegistration struct {
	Data struct {
		AppRegistration struct {
			ID          string `json:"_id"`
			Client      string `json:"client"`
			Project     string `json:"project"`
			ProjectFlow string `json:"projectFlow"`
			Status      string `json:"status"`
			Email       string `json:"email"`
			CountryCode string `json:"countryCode"`
			Phone       string `json:"phone"`
			FullName    string `json:"fullName"`
			Language    string `json:"language"`
			CurrentStep string `json:"currentStep"`
			CreatedAt   string `json:"createdAt"`
			UpdatedAt   string `json:"updatedAt"`
		} `json:"appRegistration"`
		InformationValidation struct {
			ID string `json:"_id"`
		} `json:"informationValidation"`
		Token string `json:"token"`
	} `json:"data"`
}

type handRegistrationRequest struct {
	Project     string `json:"project"`
	ProjectFlow string `json:"projectFlow"`
	Email       string `json:"email"`
}

// handRegister is the same exchange with net/http and encoding/json only.
func handRegister(ctx context.Context, hc *http.Client, base, token string) (*handRegistration, error) {
	req, err := json.Marshal(handRegistrationRequest{Project: fuzzProjectID, ProjectFlow: fuzzFlowID, Email: "user@example.com"})
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v2/app-registrations", bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("create app registration: " + resp.Status)
	}
	var v handRegistration
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	if v.Data.AppRegistration.ID == "" || v.Data.Token == "" {
		return nil, errors.New("create app registration: incomplete answer")
	}
	return &v, nil
}

// BenchmarkClientCreateAppRegistration is the idvkit client next to the same exchange
// written by hand (net/http + encoding/json), in one binary, against one loopback server
// answering Verifik's published create app registration result: hand, then idvkit with
// the contract off, report and enforce.
func BenchmarkClientCreateAppRegistration(b *testing.B) {
	body := registrationBody(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	flow := verifik.Flow{ProjectID: fuzzProjectID, FlowID: fuzzFlowID,
		Steps: map[string]verifik.Requirement{verifik.StepSignUpForm: verifik.Mandatory}}
	const token = "bench-client-token"

	b.Run("hand", func(b *testing.B) {
		hc := srv.Client()
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for b.Loop() {
			if _, err := handRegister(ctx, hc, srv.URL, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []contract.Mode{contract.ModeOff, contract.ModeReport, contract.ModeEnforce} {
		b.Run("idvkit-"+mode.String(), func(b *testing.B) {
			c, err := verifik.New(token, verifik.WithBaseURL(srv.URL), verifik.WithContract(mode))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for b.Loop() {
				if _, err := c.Register(ctx, flow, verifik.Registration{Email: "user@example.com"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestClientCreateAppRegistrationAllocs holds what the idvkit call with the contract off
// allocates beyond the same exchange written by hand, both against one loopback server
// (whose own allocations count in both): 66 since the required-member check stopped
// decoding and the shared pipeline's allocations were cut (it was 160).
func TestClientCreateAppRegistrationAllocs(t *testing.T) {
	body := registrationBody(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	flow := verifik.Flow{ProjectID: fuzzProjectID, FlowID: fuzzFlowID,
		Steps: map[string]verifik.Requirement{verifik.StepSignUpForm: verifik.Mandatory}}
	const token = "bench-client-token"
	hc := srv.Client()
	c, err := verifik.New(token, verifik.WithBaseURL(srv.URL), verifik.WithContract(contract.ModeOff))
	if err != nil {
		t.Fatal(err)
	}
	hand := testing.AllocsPerRun(50, func() {
		if _, err := handRegister(ctx, hc, srv.URL, token); err != nil {
			t.Fatal(err)
		}
	})
	idvkit := testing.AllocsPerRun(50, func() {
		if _, err := c.Register(ctx, flow, verifik.Registration{Email: "user@example.com"}); err != nil {
			t.Fatal(err)
		}
	})
	raceflag.ExtraAllocs(t, hand, idvkit, 70, 80)
}
