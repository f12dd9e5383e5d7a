package verisoul_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

const projectID = "00000000-0000-0000-0000-0000000000aa"

// TestPublicRedirectRefusesUnsafeLocations: the Location is handed to a browser as a
// link, so only an absolute http or https URL passes; anything else is the vendor's
// unusable answer (a *transport.DecodeError), not a link.
func TestPublicRedirectRefusesUnsafeLocations(t *testing.T) {
	tests := []struct {
		location string
		ok       bool
	}{
		{"https://app.sandbox.verisoul.ai/?session_id=" + goodID, true},
		{"http://127.0.0.1:8080/verisoul/_sandbox/verisoul/app?session_id=" + goodID, true},
		{"HTTPS://APP.SANDBOX.VERISOUL.AI/", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(document.cookie)//https://app.verisoul.ai/", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"file:///etc/passwd", false},
		{"vbscript:msgbox(1)", false},
		{"/relative/path?session_id=" + goodID, false},
		{"//evil.example/?session_id=" + goodID, false},
		{"https:///no-host", false},
		{"ftp://files.example/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.location, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", tt.location)
				w.WriteHeader(http.StatusFound)
			}))
			defer srv.Close()
			c, err := verisoul.New("k", verisoul.WithEnvironment(verisoul.Sandbox), verisoul.WithBaseURL(srv.URL))
			require.NoError(t, err)
			for _, idCheck := range []bool{false, true} {
				link, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: projectID, IDCheck: idCheck})
				if tt.ok {
					require.NoError(t, err)
					assert.Equal(t, tt.location, link.Location)
					continue
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, transport.ErrDecode)
				assert.Empty(t, link.Location)
				assert.NotContains(t, err.Error(), "alert", "the error does not quote the vendor's link")
			}
		})
	}
}

// TestEnrollRefusalIsTyped: Verisoul's 200 with success=false comes back as a
// *verisoul.NotEnrolledError matching ErrNotEnrolled, with the enrolment it refused.
func TestEnrollRefusalIsTyped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"request_id":"00000000-0000-0000-0000-0000000000bb","success":false}`))
	}))
	defer srv.Close()
	c, err := verisoul.New("k", verisoul.WithBaseURL(srv.URL))
	require.NoError(t, err)
	for _, p := range []verisoul.Product{verisoul.FaceMatch, verisoul.IDCheck} {
		e, err := c.Enroll(ctx, verisoul.Session{ID: goodID, Product: p}, "acct-1")
		require.Error(t, err)
		var typed *verisoul.NotEnrolledError
		require.True(t, errors.As(err, &typed), "got %T", err)
		assert.ErrorIs(t, err, verisoul.ErrNotEnrolled)
		assert.Equal(t, "00000000-0000-0000-0000-0000000000bb", typed.RequestID)
		require.NotNil(t, e)
		assert.Equal(t, "acct-1", e.AccountID)
	}
}

// TestVerifyIdentityNeedsTheAnswer: the spec marks nothing required, but the outcome is
// read from success and match; without them it would be invented.
func TestVerifyIdentityNeedsTheAnswer(t *testing.T) {
	tests := []struct {
		body string
		want verisoul.IdentityOutcome // "" for a *transport.DecodeError
	}{
		{`{"request_id":"00000000-0000-0000-0000-0000000000bb","success":true,"match":true}`, verisoul.SamePerson},
		{`{"success":true,"match":false}`, verisoul.DifferentPerson},
		{`{"success":false}`, verisoul.NotCompleted},
		{`{"success":false,"match":false}`, verisoul.NotCompleted},
		{`{}`, ""},
		{`{"match":true}`, ""},
		{`{"success":true}`, ""},
		{`{"success":null,"match":true}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := verisoul.New("k", verisoul.WithBaseURL(srv.URL))
			require.NoError(t, err)
			r, err := c.VerifyIdentity(ctx, verisoul.Session{ID: goodID, Product: verisoul.FaceMatch}, "acct-1")
			if tt.want == "" {
				assert.ErrorIs(t, err, transport.ErrDecode)
				assert.Nil(t, r)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Outcome)
		})
	}
}

// TestClientPrintsNoCredentials: however a client is printed or logged, its API key and
// a user:password in its base URL stay out.
func TestClientPrintsNoCredentials(t *testing.T) {
	c, err := verisoul.New("verisoul-api-key-secret", verisoul.WithBaseURL("https://someuser:hunter2pass@api.example.test"))
	require.NoError(t, err)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("c", "client", c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("c", "client", c)
	for name, out := range map[string]string{
		"String": c.String(), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"slog text": text.String(), "slog JSON": js.String(),
	} {
		t.Run(name, func(t *testing.T) {
			for _, secret := range []string{"hunter2pass", "someuser", "verisoul-api-key-secret"} {
				assert.NotContains(t, out, secret)
			}
		})
	}
}
