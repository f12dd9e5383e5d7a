package iproov_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/idvkit/idvkit/internal/payload"

	"github.com/idvkit/idvkit/internal/benchcpu"
	"github.com/idvkit/idvkit/internal/raceflag"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
)

// validateBody is iProov's published verify validate answer, compacted.
func validateBody(tb testing.TB) []byte {
	return payload.Body(tb, "../../testdata/iproov/verify-validate-response-200.json")
}

// handValidation is what a careful integrator writes by hand for the same answer.
type handValidation struct {
	Passed         *bool  `json:"passed"`
	Token          string `json:"token"`
	Type           string `json:"type"`
	FrameAvailable bool   `json:"frame_available"`
	Reason         string `json:"reason"`
}

type handValidateRequest struct {
	APIKey string `json:"api_key"`
	Secret string `json:"secret"`
	UserID string `json:"user_id"`
	Token  string `json:"token"`
	Client string `json:"client"`
}

// handVerifyValidate is the same exchange with net/http and encoding/json only.
func handVerifyValidate(ctx context.Context, hc *http.Client, base, userID, token string) (*handValidation, error) {
	req, err := json.Marshal(handValidateRequest{APIKey: "bench-key", Secret: "bench-secret", UserID: userID, Token: token, Client: "bench"})
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v2/claim/verify/validate", bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
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
		return nil, errors.New("validate: " + resp.Status)
	}
	var v handValidation
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	if v.Passed == nil || v.Token == "" || v.Type == "" {
		return nil, errors.New("validate: incomplete answer")
	}
	return &v, nil
}

// BenchmarkClientVerifyValidate is the idvkit client next to the same exchange written
// by hand (net/http + encoding/json), in one binary, against one loopback server
// answering iProov's published verify validate result: hand, then idvkit with the
// contract off, report and enforce. Each call spends a fresh claim token, in both.
func BenchmarkClientVerifyValidate(b *testing.B) {
	body := validateBody(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("hand", func(b *testing.B) {
		hc := srv.Client()
		i := 0
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for b.Loop() {
			i++
			if _, err := handVerifyValidate(ctx, hc, srv.URL, "user-1", "t"+strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []contract.Mode{contract.ModeOff, contract.ModeReport, contract.ModeEnforce} {
		b.Run("idvkit-"+mode.String(), func(b *testing.B) {
			c, err := iproov.New("bench-key", "bench-secret", iproov.WithBaseURL(srv.URL), iproov.WithContract(mode), iproov.WithClientName("bench"))
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for b.Loop() {
				i++
				cl := &iproov.Claim{Type: iproov.Verify, UserID: "user-1", Token: "t" + strconv.Itoa(i)}
				if _, err := c.VerifyValidate(ctx, cl, iproov.ValidateOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestClientVerifyValidateAllocs holds what the idvkit call with the contract off
// allocates beyond the same exchange written by hand, both against one loopback server
// (whose own allocations count in both): 30 since the shared pipeline's were cut and a
// validation is read by the generated parser with transport's allocation-free presence
// scan (it was 56).
func TestClientVerifyValidateAllocs(t *testing.T) {
	body := validateBody(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	hc := srv.Client()
	c, err := iproov.New("bench-key", "bench-secret", iproov.WithBaseURL(srv.URL), iproov.WithContract(contract.ModeOff), iproov.WithClientName("bench"))
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	hand := testing.AllocsPerRun(50, func() {
		i++
		if _, err := handVerifyValidate(ctx, hc, srv.URL, "user-1", "t"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	})
	idvkit := testing.AllocsPerRun(50, func() {
		i++
		cl := &iproov.Claim{Type: iproov.Verify, UserID: "user-1", Token: "t" + strconv.Itoa(i)}
		if _, err := c.VerifyValidate(ctx, cl, iproov.ValidateOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	raceflag.ExtraAllocs(t, hand, idvkit, 32, 36)
}
