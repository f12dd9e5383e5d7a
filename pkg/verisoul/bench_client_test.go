package verisoul_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/idvkit/idvkit/internal/payload"

	"github.com/idvkit/idvkit/internal/benchcpu"
	"github.com/idvkit/idvkit/internal/raceflag"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// verifyIDBody is the vendor's published verify-id answer, compacted: 3 KB.
func verifyIDBody(tb testing.TB) []byte {
	return payload.Body(tb, "../../testdata/verisoul/idc-verify-id-response-200.json")
}

// handVerification is what a careful integrator writes by hand for the same answer.
type handVerification struct {
	Metadata struct {
		ProjectID          string `json:"project_id"`
		SessionID          string `json:"session_id"`
		AccountID          string `json:"account_id"`
		ReferringSessionID string `json:"referring_session_id"`
		RequestID          string `json:"request_id"`
		Timestamp          time.Time
	}
	Decision        string
	RiskScore       float64  `json:"risk_score"`
	RiskFlags       []string `json:"risk_flags"`
	DocumentSignals struct {
		IDAge            int     `json:"id_age"`
		FaceAgeEstimate  string  `json:"face_age_estimate"`
		IDFaceMatchScore float64 `json:"id_face_match_score"`
		IDBarcodeStatus  string  `json:"id_barcode_status"`
		IDFaceStatus     string  `json:"id_face_status"`
		IDTextStatus     string  `json:"id_text_status"`
		IsIDDigitalSpoof string  `json:"is_id_digital_spoof"`
		IsFullIDCaptured string  `json:"is_full_id_captured"`
		IDValidity       string  `json:"id_validity"`
	} `json:"document_signals"`
	DocumentData struct {
		TemplateInfo struct {
			DocumentCountryCode string `json:"document_country_code"`
			DocumentState       string `json:"document_state"`
			TemplateType        string `json:"template_type"`
		} `json:"template_info"`
		UserData struct {
			FirstName, LastName string
			DateOfBirth         string `json:"date_of_birth"`
			DateOfExpiration    string `json:"date_of_expiration"`
			DateOfIssue         string `json:"date_of_issue"`
			IDNumber            string `json:"id_number"`
			IDNumber2           string `json:"id_number2"`
			Address             struct {
				City, Country, State, Street string
				PostalCode                   string `json:"postal_code"`
			}
		} `json:"user_data"`
	} `json:"document_data"`
	DeviceNetworkSignals struct {
		DeviceRisk            float64 `json:"device_risk"`
		Proxy, VPN, Tor       float64
		Datacenter            float64
		SpoofedIP             float64 `json:"spoofed_ip"`
		RecentFraudIP         float64 `json:"recent_fraud_ip"`
		DeviceNetworkMismatch float64 `json:"device_network_mismatch"`
		LocationSpoofing      float64 `json:"location_spoofing"`
	} `json:"device_network_signals"`
	ReferringSessionSignals struct {
		ImpossibleTravel       float64 `json:"impossible_travel"`
		IPMismatch             float64 `json:"ip_mismatch"`
		UserAgentMismatch      float64 `json:"user_agent_mismatch"`
		DeviceTimezoneMismatch float64 `json:"device_timezone_mismatch"`
		IPTimezoneMismatch     float64 `json:"ip_timezone_mismatch"`
	} `json:"referring_session_signals"`
	PhotoURLs struct {
		Face        string
		IDScanFront string `json:"id_scan_front"`
		IDScanBack  string `json:"id_scan_back"`
	} `json:"photo_urls"`
	VideoURLs   []string `json:"video_urls"`
	SessionData struct {
		TrueCountryCode string `json:"true_country_code"`
		Network         struct {
			IPAddress       string `json:"ip_address"`
			ServiceProvider string `json:"service_provider"`
			ConnectionType  string `json:"connection_type"`
		}
		Location struct {
			Continent, State, City, Timezone string
			CountryCode                      string `json:"country_code"`
			ZipCode                          string `json:"zip_code"`
			Latitude, Longitude              float64
		}
		Browser struct {
			Type, Version, Language, Timezone string
			UserAgent                         string `json:"user_agent"`
		}
		Device struct {
			Category, Type, OS, GPU string
			CPUCores                int `json:"cpu_cores"`
			Memory                  int
		}
	} `json:"session_data"`
	Matches struct {
		NumAccountsLinked int `json:"num_accounts_linked"`
		AccountsLinked    []struct {
			AccountID  string   `json:"account_id"`
			MatchTypes []string `json:"match_types"`
		} `json:"accounts_linked"`
	}
}

// handVerifyID is the same exchange with net/http and encoding/json only.
func handVerifyID(ctx context.Context, hc *http.Client, base, key, sessionID string) (*handVerification, error) {
	req, err := json.Marshal(map[string]string{"session_id": sessionID})
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/liveness/verify-id", bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("x-api-key", key)
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
		return nil, errors.New("verify-id: " + resp.Status)
	}
	var v handVerification
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	if v.Decision == "" {
		return nil, errors.New("verify-id: no decision")
	}
	return &v, nil
}

// BenchmarkClientVerifyID is the idvkit client next to the same exchange written by hand
// (net/http + encoding/json), in one binary, against one loopback server answering the
// vendor's 3 KB verify-id result: hand, then idvkit with the contract off, report and
// enforce. Read the ratios to hand (docs/BENCHMARKS.md); go run ./internal/benchpeers
// -ratios prints them.
func BenchmarkClientVerifyID(b *testing.B) {
	body := verifyIDBody(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	const key = "bench-key"
	session := verisoul.Session{ID: goodID, Product: verisoul.IDCheck}

	b.Run("hand", func(b *testing.B) {
		hc := srv.Client()
		b.ReportAllocs()
		defer benchcpu.Start(b)()
		for b.Loop() {
			if _, err := handVerifyID(ctx, hc, srv.URL, key, session.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []contract.Mode{contract.ModeOff, contract.ModeReport, contract.ModeEnforce} {
		b.Run("idvkit-"+mode.String(), func(b *testing.B) {
			c, err := verisoul.New(key, verisoul.WithBaseURL(srv.URL), verisoul.WithContract(mode))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			defer benchcpu.Start(b)()
			for b.Loop() {
				v, err := c.VerifyID(ctx, session)
				if err != nil {
					b.Fatal(err)
				}
				if v.Document == nil {
					b.Fatal("no document")
				}
			}
		})
	}
}

// TestClientVerifyIDAllocs holds what the idvkit call with the contract off allocates
// beyond the same exchange written by hand, both against one loopback server (whose own
// allocations count in both): 62 since the shared pipeline's were cut (it was 84).
func TestClientVerifyIDAllocs(t *testing.T) {
	body := verifyIDBody(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	const key = "bench-key"
	session := verisoul.Session{ID: goodID, Product: verisoul.IDCheck}
	hc := srv.Client()
	c, err := verisoul.New(key, verisoul.WithBaseURL(srv.URL), verisoul.WithContract(contract.ModeOff))
	if err != nil {
		t.Fatal(err)
	}
	hand := testing.AllocsPerRun(50, func() {
		if _, err := handVerifyID(ctx, hc, srv.URL, key, session.ID); err != nil {
			t.Fatal(err)
		}
	})
	idvkit := testing.AllocsPerRun(50, func() {
		if _, err := c.VerifyID(ctx, session); err != nil {
			t.Fatal(err)
		}
	})
	raceflag.ExtraAllocs(t, hand, idvkit, 64, 70)
}
