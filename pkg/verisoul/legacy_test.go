package verisoul_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// TestLegacyEndpoints: the deprecated verify-uniqueness and verify-document are typed
// through the emulator, in their own shapes, and their refusals are the usual APIError.
func TestLegacyEndpoints(t *testing.T) {
	w := newWorld(t)
	c := w.client
	start := func(t *testing.T, face string) verisoul.Session {
		s, err := c.StartSession(ctx, verisoul.SessionOptions{})
		require.NoError(t, err)
		require.NoError(t, w.emu.CompleteAs(s.ID, face))
		return s
	}

	first := start(t, "gina")
	r, err := c.VerifyUniqueness(ctx, first)
	require.NoError(t, err)
	assert.True(t, r.Unique(), "%v", r)
	_, err = c.Enroll(ctx, first, "acct-gina")
	require.NoError(t, err)

	again := start(t, "gina")
	r, err = c.VerifyUniqueness(ctx, again)
	require.NoError(t, err)
	assert.False(t, r.Unique())
	require.Len(t, r.Matches, 1)
	assert.Equal(t, "acct-gina", r.Matches[0].AccountID)
	assert.InDelta(t, 100, r.Matches[0].Score, 0)
	assert.NotContains(t, r.String(), "acct-gina", "String shows counts, not accounts")

	notStarted, err := c.StartSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	_, err = c.VerifyUniqueness(ctx, notStarted)
	assert.Equal(t, verisoul.CodeSessionNotStarted, verisoul.CodeOf(err))

	idc, err := c.StartIDCheckSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	require.NoError(t, w.emu.CompleteWithDocument(idc.ID, "gina", w.emu.DocumentFor("gina")))
	d, err := c.VerifyDocument(ctx, idc)
	require.NoError(t, err)
	assert.Equal(t, verisoul.Fake, d.Decision, "repeat_face on the 0-100 scale")
	assert.InDelta(t, 80, d.RiskScore, 0.001)
	require.NotNil(t, d.Document)
	require.NotNil(t, d.Document.Signals.FaceMatchScore)
	assert.Greater(t, *d.Document.Signals.FaceMatchScore, float64(1), "the legacy 0-100 scale, kept")
	for _, s := range []string{d.String(), fmt.Sprintf("%#v", d)} {
		assert.NotContains(t, s, "Gina", "no document data in its text")
	}
}

// TestLegacyDocumentFromVendorExample: the vendor's own example of the legacy answer
// (testdata/real, the older verify-document page) reads into the package's types with
// its legacy shapes kept: booleans for signals, a referring session id that is no UUID,
// scores on the 0-100 scale, document data behind a redacting String.
func TestLegacyDocumentFromVendorExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "real", "verisoul", "legacy-verify-document.json"))
	require.NoError(t, err)
	var exchange struct {
		Response struct {
			JSON json.RawMessage `json:"json"`
		} `json:"response"`
	}
	require.NoError(t, json.Unmarshal(raw, &exchange))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(exchange.Response.JSON)
	}))
	defer srv.Close()
	c, err := verisoul.New("key-0123456789", verisoul.WithBaseURL(srv.URL))
	require.NoError(t, err)

	d, err := c.VerifyDocument(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
	require.NoError(t, err)
	assert.Equal(t, verisoul.Fake, d.Decision)
	assert.InDelta(t, 100, d.RiskScore, 0)
	assert.Equal(t, []verisoul.RiskFlag{"proxy_detected", "datacenter_detected", "low_id_face_match_score", "repeat_id"}, d.RiskFlags)
	assert.Equal(t, "example-referring-session-id", d.Metadata.ReferringSessionID)
	assert.Equal(t, "c702ef50-6d8e-4276-ac68-69940d9ec002", d.Metadata.RequestID)
	yes, no := true, false
	assert.Equal(t, verisoul.LegacyDeviceNetworkSignals{
		IPDocumentCountryMismatch: &no, DeviceRisk: &no, Proxy: &yes, VPN: &no, Datacenter: &yes,
		Tor: &no, SpoofedIP: &no, RecentFraudIP: &no, DeviceNetworkMismatch: &yes,
	}, d.DeviceNetworkSignals)
	require.NotNil(t, d.ReferringSessionSignals)
	assert.Equal(t, &no, d.ReferringSessionSignals.ImpossibleTravel)
	require.NotNil(t, d.Document)
	assert.True(t, d.Document.Signals.LikelyAuthentic())
	require.NotNil(t, d.Document.Signals.Age)
	assert.Equal(t, 28, *d.Document.Signals.Age)
	assert.Equal(t, "passport", d.Document.Data.TemplateType)
	assert.Equal(t, "David", d.Document.Data.FirstName)
	for _, s := range []string{d.String(), fmt.Sprintf("%#v", d), fmt.Sprint(d.Document)} {
		assert.NotContains(t, s, "David", "no document data in its text")
	}
}

// TestLegacyAnswersChecked: a legacy answer without the fields its result rests on is a
// typed error, not an invented "not completed" or "unique".
func TestLegacyAnswersChecked(t *testing.T) {
	cases := []struct {
		name, body string
		call       func(c *verisoul.Client) error
	}{
		{"uniqueness without success", `{"request_id":"r","matches":[]}`, func(c *verisoul.Client) error {
			_, err := c.VerifyUniqueness(ctx, verisoul.Session{ID: goodID, Product: verisoul.FaceMatch})
			return err
		}},
		{"uniqueness without matches", `{"request_id":"r","success":true}`, func(c *verisoul.Client) error {
			_, err := c.VerifyUniqueness(ctx, verisoul.Session{ID: goodID, Product: verisoul.FaceMatch})
			return err
		}},
		{"document without decision", `{"risk_score":10}`, func(c *verisoul.Client) error {
			_, err := c.VerifyDocument(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
			return err
		}},
		{"document without risk score", `{"decision":"Real"}`, func(c *verisoul.Client) error {
			_, err := c.VerifyDocument(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
			return err
		}},
		{"document with a request id that is no UUID", `{"decision":"Real","risk_score":1,"metadata":{"request_id":"nope"}}`, func(c *verisoul.Client) error {
			_, err := c.VerifyDocument(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := verisoul.New("key-0123456789", verisoul.WithBaseURL(srv.URL))
			require.NoError(t, err)
			err = tc.call(c)
			require.Error(t, err)
			var de *transport.DecodeError
			assert.ErrorAs(t, err, &de)
		})
	}
}

// TestUndocumentedSimulateIsSent: the vendor types simulate as a plain string, so the
// client sends an undocumented value instead of refusing it (the emulator then leaves the
// session to the hosted page).
func TestUndocumentedSimulateIsSent(t *testing.T) {
	w := newWorld(t)
	s, err := w.client.StartSession(ctx, verisoul.SessionOptions{Simulate: "a_new_outcome"})
	require.NoError(t, err)
	assert.False(t, verisoul.Simulate("a_new_outcome").Known())
	assert.True(t, verisoul.SimulateSuccess.Known())
	_, err = w.client.VerifyFace(ctx, s)
	assert.Equal(t, verisoul.CodeSessionNotStarted, verisoul.CodeOf(err))
}
