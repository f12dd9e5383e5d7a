package verisoul_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// published collects every verify-face and verify-id 200 body the vendor (or a third
// party copying it) published, plus the spec's own examples.
func published(t *testing.T) map[string]struct {
	path string
	body []byte
} {
	out := map[string]struct {
		path string
		body []byte
	}{}
	for _, fx := range loadFixtures(t) {
		if fx.Kind == "response" && fx.Status == 200 && strings.HasPrefix(fx.Path, "/liveness/verify-") && fx.Path != "/liveness/verify-identity" {
			out[fx.file] = struct {
				path string
				body []byte
			}{fx.Path, fx.Body}
		}
	}
	for _, name := range specNames {
		doc := loadSpec(t, name)
		for path, item := range doc.Paths.Map() {
			if item.Post == nil || (path != "/liveness/verify-face" && path != "/liveness/verify-id") {
				continue
			}
			for ex, ref := range item.Post.Responses.Value("200").Value.Content.Get("application/json").Examples {
				b, err := json.Marshal(ref.Value.Value)
				require.NoError(t, err)
				out[name+" example "+ex] = struct {
					path string
					body []byte
				}{path, b}
			}
		}
	}
	return out
}

// TestPublishedResultsDecode serves each published body to the real client, with the
// contract enforced, and checks what the flows read from it.
func TestPublishedResultsDecode(t *testing.T) {
	for name, p := range published(t) {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(p.body)
			}))
			defer srv.Close()
			c, err := verisoul.New("k", verisoul.WithBaseURL(srv.URL), verisoul.WithContract(contract.ModeEnforce))
			require.NoError(t, err)
			var v *verisoul.Verification
			if p.path == "/liveness/verify-id" {
				v, err = c.VerifyID(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
			} else {
				v, err = c.VerifyFace(ctx, verisoul.Session{ID: goodID})
			}
			require.NoError(t, err)
			assert.True(t, v.Decision.Known())
			assert.False(t, v.Metadata.Timestamp.IsZero())
			assert.NotEmpty(t, v.PhotoURLs.Face)
			assert.Len(t, v.LinkedAccounts, len(v.LinkedAccounts)) // decoded without error
			if p.path != "/liveness/verify-id" {
				assert.Nil(t, v.Document)
				return
			}
			require.NotNil(t, v.Document)
			d := v.Document
			assert.Contains(t, []string{"driver_license", "passport"}, d.Data.TemplateType, "older display names normalised")
			assert.False(t, d.Data.DateOfBirth.IsZero(), "both date formats parse")
			assert.False(t, d.Data.DateOfExpiry.IsZero())
			require.NotNil(t, d.Signals.Age)
			require.NotNil(t, d.Signals.FaceMatchScore)
			assert.True(t, d.Signals.LikelyAuthentic())
			assert.NotEqual(t, "no_barcode_specified_by_template", d.Signals.BarcodeStatus, "spellings folded")
		})
	}
}

func TestVendorDocsExampleReadsTheSame(t *testing.T) {
	// The current vendor example and the older one on the docs page describe the same
	// document in two formats; the client reads both the same way.
	bodies := published(t)
	read := func(name string) *verisoul.Verification {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(bodies[name].body)
		}))
		defer srv.Close()
		c, err := verisoul.New("k", verisoul.WithBaseURL(srv.URL))
		require.NoError(t, err)
		v, err := c.VerifyID(ctx, verisoul.Session{ID: goodID, Product: verisoul.IDCheck})
		require.NoError(t, err)
		return v
	}
	current, older := read("idc-verify-id-response-200.json"), read("docs-idc-verify-id-response-200.json")
	assert.Equal(t, current.Document.Data.DateOfBirth, older.Document.Data.DateOfBirth)
	assert.Equal(t, time.Date(1997, 2, 26, 0, 0, 0, 0, time.UTC), current.Document.Data.DateOfBirth)
	assert.Equal(t, current.Document.Data.TemplateType, older.Document.Data.TemplateType)
	assert.Equal(t, current.LinkedAccounts, older.LinkedAccounts)
	assert.Equal(t, "over21", current.Document.Signals.FaceAgeEstimate)
	assert.Equal(t, "", older.Document.Signals.FaceAgeEstimate, "absent in the older revision")
}

// TestMalformedAnswers: undocumented or broken answers are typed errors, never panics.
func TestMalformedAnswers(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		ctype   string
		body    string
		target  error
		apiCode string
	}{
		{"not JSON", 200, "application/json", "{", transport.ErrDecode, ""},
		{"wrong type", 200, "application/json", `{"risk_score":"high"}`, transport.ErrDecode, ""},
		{"HTML success", 200, "text/html", "<html>", transport.ErrDecode, ""},
		{"HTML gateway error", 502, "text/html", "<html>bad gateway</html>", transport.ErrServer, ""},
		{"vendor 400", 400, "application/json", `{"request_id":"8e3c7dd6-73e3-4e46-bbd2-a10c322f59d5","success":false,"error":"session_not_found"}`, transport.ErrInvalidRequest, "session_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", c.ctype)
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			cl, err := verisoul.New("k", verisoul.WithBaseURL(srv.URL), verisoul.WithTransport(transport.WithRetryPolicy(transport.RetryPolicy{MaxAttempts: 1})))
			require.NoError(t, err)
			_, err = cl.VerifyFace(ctx, verisoul.Session{ID: goodID})
			require.Error(t, err)
			assert.ErrorIs(t, err, c.target)
			assert.Equal(t, verisoul.ErrorCode(c.apiCode), verisoul.CodeOf(err))
		})
	}
}

// TestNoSecretsOrPersonalData runs the three flows with debug logging and checks that no
// key, full session id, name, date of birth, document number or photo link appears in
// logs, errors or printed state.
func TestNoSecretsOrPersonalData(t *testing.T) {
	w := newWorld(t)
	var printed []string
	s, err := w.client.StartIDCheckSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	doc := w.emu.DocumentFor("alice")
	require.NoError(t, w.emu.CompleteWithDocument(s.ID, "alice", doc))
	out, err := w.client.CheckID(ctx, s, "acct-alice", nil)
	require.NoError(t, err)
	require.True(t, out.Enrolled())
	v := out.Verification

	var logged strings.Builder
	l := slog.New(slog.NewTextHandler(&logged, nil))
	l.Info("state", "session", s, "verification", v, "data", v.Document.Data)
	printed = append(printed, logged.String(),
		fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s),
		fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v),
		fmt.Sprint(v.Document), fmt.Sprintf("%#v", v.Document), fmt.Sprintf("%+v", v.Document.Data),
		fmt.Sprint(w.client), fmt.Sprintf("%#v", w.client), out.Verdict.String())

	// Errors of every kind.
	_, err = w.client.Enroll(ctx, s, "acct-other") // already tied
	printed = append(printed, err.Error())
	_, err = w.client.VerifyFace(ctx, verisoul.Session{ID: "bad-" + doc.Number})
	printed = append(printed, err.Error())

	printed = append(printed, w.logs.String())
	require.NotEmpty(t, w.logs.String(), "the transport logged the calls")
	secrets := map[string]string{
		"api key":             w.emu.APIKey(),
		"session id":          s.ID,
		"first name":          doc.FirstName,
		"document number":     doc.Number,
		"date of birth":       "01/01/1990",
		"date of birth (ISO)": doc.DateOfBirth,
		"photo link":          v.PhotoURLs.Face,
		"ip address":          v.SessionData.Network.IPAddress,
	}
	for _, text := range printed {
		for what, secret := range secrets {
			require.NotEmpty(t, secret, what)
			assert.NotContains(t, text, secret, "%s leaked into: %.200s", what, text)
		}
	}
	// State still round-trips in full through JSON, for storage.
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var back verisoul.Session
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s.ID, back.ID)
	assert.True(t, s.CreatedAt.Equal(back.CreatedAt))
	assert.Equal(t, s.Product, back.Product)
}
