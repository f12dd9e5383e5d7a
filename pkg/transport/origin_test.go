package transport

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/contract"
)

// recordingServer records every request it receives: the credentials it must
// never see arrive in its headers and bodies.
type recordingServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // "METHOD path api-key=… authorization=… body"
}

func newRecordingServer(t *testing.T, h http.HandlerFunc) *recordingServer {
	t.Helper()
	s := &recordingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.seen = append(s.seen, fmt.Sprintf("%s %s x-api-key=%s authorization=%s %s",
			r.Method, r.URL.Path, r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"), b))
		s.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *recordingServer) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// followAll is a caller's client that follows every redirect (net/http's
// default does too; this one has no limit of its own either).
func followAll() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
}

// sendWithCredentials posts a JSON body carrying a secret with a key header
// and a bearer, as the three vendors' calls do.
func sendWithCredentials(c *Client, u, op string) (*http.Response, error) {
	ctx := WithOperation(context.Background(), op)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(`{"api_key":"k-123","secret":"s-456"}`))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", "k-123")
	req.Header.Set("Authorization", "Bearer b-789")
	return c.Do(req)
}

// TestRedirects: whatever client the caller gives, a redirect to another
// origin is never followed and a same-origin one only under
// FollowSameOrigin; what is not followed is a *RedirectError naming the
// status and the target host.
func TestRedirects(t *testing.T) {
	clients := []struct {
		name string
		mk   func() *http.Client
		// refuses: the client's own CheckRedirect follows nothing, which
		// FollowSameOrigin honours.
		refuses bool
	}{
		{name: "default", mk: func() *http.Client { return nil }},
		{name: "empty client", mk: func() *http.Client { return &http.Client{} }},
		{name: "follows all", mk: followAll},
		{name: "own transport", mk: func() *http.Client { return &http.Client{Transport: NewHTTPTransport()} }},
		{name: "returns all", mk: noRedirectClient, refuses: true},
	}
	tests := []struct {
		name       string
		status     int
		sameOrigin bool
		policy     RedirectPolicy
		wantFollow bool
	}{
		{name: "302 other port", status: http.StatusFound},
		{name: "301 other port", status: http.StatusMovedPermanently},
		{name: "303 other port", status: http.StatusSeeOther},
		{name: "307 other port re-sends the body", status: http.StatusTemporaryRedirect},
		{name: "308 other port", status: http.StatusPermanentRedirect},
		{name: "307 other port under FollowSameOrigin", status: http.StatusTemporaryRedirect, policy: FollowSameOrigin},
		{name: "302 same origin refused by default", status: http.StatusFound, sameOrigin: true},
		{name: "307 same origin refused by default", status: http.StatusTemporaryRedirect, sameOrigin: true},
		{name: "302 same origin followed under FollowSameOrigin", status: http.StatusFound, sameOrigin: true, policy: FollowSameOrigin, wantFollow: true},
		{name: "307 same origin followed under FollowSameOrigin", status: http.StatusTemporaryRedirect, sameOrigin: true, policy: FollowSameOrigin, wantFollow: true},
	}
	for _, cl := range clients {
		for _, tt := range tests {
			t.Run(cl.name+"/"+tt.name, func(t *testing.T) {
				other := newRecordingServer(t, nil)
				var vendor *recordingServer
				vendor = newRecordingServer(t, func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/landing" {
						w.Header().Set("Content-Type", "application/json")
						_, _ = io.WriteString(w, `{"ok":true}`)
						return
					}
					target := other.URL + "/steal?token=t-000"
					if tt.sameOrigin {
						target = "/landing?token=t-000"
					}
					w.Header().Set("Location", target)
					w.WriteHeader(tt.status)
				})
				c, err := New("verisoul", vendor.URL, WithHTTPClient(cl.mk()), WithRedirects(tt.policy),
					WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
				require.NoError(t, err)

				resp, err := sendWithCredentials(c, vendor.URL+"/api/op", "getUser")

				assert.Empty(t, other.Seen(), "another origin received a request")
				if tt.wantFollow && !cl.refuses {
					require.NoError(t, err)
					b, _ := io.ReadAll(resp.Body)
					require.NoError(t, resp.Body.Close())
					assert.Equal(t, http.StatusOK, resp.StatusCode)
					assert.JSONEq(t, `{"ok":true}`, string(b))
					require.Len(t, vendor.Seen(), 2)
					return
				}
				require.Error(t, err)
				assert.Nil(t, resp)
				var re *RedirectError
				require.ErrorAs(t, err, &re)
				assert.ErrorIs(t, err, ErrRedirect)
				assert.Equal(t, tt.status, re.StatusCode)
				assert.Equal(t, "verisoul", re.Vendor)
				assert.Equal(t, "getUser", re.Operation)
				wantHost := strings.TrimPrefix(other.URL, "http://")
				if tt.sameOrigin {
					wantHost = strings.TrimPrefix(vendor.URL, "http://")
				}
				assert.Equal(t, wantHost, re.Host)
				assert.Contains(t, err.Error(), wantHost)
				assert.NotContains(t, err.Error(), "t-000", "the Location's query may hold a token")
				assert.NotContains(t, err.Error(), "steal", "host only, not the path")
				assert.Len(t, vendor.Seen(), 1, "nothing followed, nothing retried")
			})
		}
	}
}

// noRedirectClient is the client integrators were told to pass before: it
// returns every redirect.
func noRedirectClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestCallersClientUntouched: the caller's client keeps its own fields; the
// transport sends with a copy.
func TestCallersClientUntouched(t *testing.T) {
	var called int
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { called++; return nil }}
	_, err := New("verifik", "https://x.test", WithHTTPClient(hc), WithRedirects(FollowSameOrigin))
	require.NoError(t, err)
	assert.Nil(t, hc.Transport, "no transport installed on the caller's client")
	require.NotNil(t, hc.CheckRedirect)
	require.NoError(t, hc.CheckRedirect(nil, nil), "still the caller's own function")
	assert.Equal(t, 1, called)

	empty := &http.Client{}
	_, err = New("verifik", "https://x.test", WithHTTPClient(empty))
	require.NoError(t, err)
	assert.Equal(t, http.Client{}, *empty)
}

// TestFollowSameOriginHonoursCallersPolicy: under FollowSameOrigin the
// caller's CheckRedirect may still refuse; the 3xx then ends the call.
func TestFollowSameOriginHonoursCallersPolicy(t *testing.T) {
	vendor := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/landing" {
			return
		}
		http.Redirect(w, r, "/landing", http.StatusFound)
	})
	c, err := New("iproov", vendor.URL, WithHTTPClient(noRedirectClient()), WithRedirects(FollowSameOrigin))
	require.NoError(t, err)
	_, err = sendWithCredentials(c, vendor.URL+"/x", "userGet")
	var re *RedirectError
	require.ErrorAs(t, err, &re)
	assert.Len(t, vendor.Seen(), 1)
}

// TestFollowSameOriginStopsAtTen: a same-origin redirect loop ends in a
// *RedirectError, not a url.Error.
func TestFollowSameOriginStopsAtTen(t *testing.T) {
	vendor := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	c, err := New("iproov", vendor.URL, WithRedirects(FollowSameOrigin))
	require.NoError(t, err)
	_, err = sendWithCredentials(c, vendor.URL+"/x", "userGet")
	var re *RedirectError
	require.ErrorAs(t, err, &re)
	assert.Len(t, vendor.Seen(), maxRedirects, "net/http's limit: the first request and 9 redirects")
}

// TestDocumentedRedirectIsAnAnswer: a 3xx the operation's spec documents
// (Verisoul's public liveness redirect) comes back to the caller, never
// followed, under either policy and whatever the caller's client does.
func TestDocumentedRedirectIsAnAnswer(t *testing.T) {
	for _, policy := range []RedirectPolicy{RefuseRedirects, FollowSameOrigin} {
		for _, sameOrigin := range []bool{false, true} {
			t.Run(fmt.Sprintf("policy %d same origin %v", policy, sameOrigin), func(t *testing.T) {
				hosted := newRecordingServer(t, nil)
				vendor := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request) {
					loc := hosted.URL + "/hosted?session_id=s-1"
					if sameOrigin {
						loc = "/hosted?session_id=s-1"
					}
					if r.URL.Path == "/public/redirect" {
						w.Header().Set("Location", loc)
						w.WriteHeader(http.StatusFound)
					}
				})
				c, err := New("verisoul", vendor.URL, WithHTTPClient(followAll()), WithRedirects(policy),
					WithContract(contract.ModeOff, acmeSpec(t)))
				require.NoError(t, err)
				// Not named with WithOperation: the spec names it.
				req, err := http.NewRequest(http.MethodGet, vendor.URL+"/public/redirect", nil)
				require.NoError(t, err)
				resp, err := c.Do(req)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				assert.Equal(t, http.StatusFound, resp.StatusCode)
				assert.Contains(t, resp.Header.Get("Location"), "/hosted?session_id=s-1")
				assert.Empty(t, hosted.Seen())
				assert.Len(t, vendor.Seen(), 1)
				assert.NoError(t, c.Check(context.Background(), "publicRedirect", resp, nil))
			})
		}
	}
}

// TestUndocumentedRedirectWithSpec: the spec documents a 302 for one
// operation only; another operation's 302 is refused.
func TestUndocumentedRedirectWithSpec(t *testing.T) {
	vendor := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://elsewhere.test:8443/x")
		w.WriteHeader(http.StatusFound)
	})
	c, err := New("verisoul", vendor.URL, WithContract(contract.ModeOff, acmeSpec(t)))
	require.NoError(t, err)
	_, err = sendWithCredentials(c, vendor.URL+"/liveness/enroll", "")
	var re *RedirectError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "enroll", re.Operation, "named by the spec")
	assert.Equal(t, "elsewhere.test:8443", re.Host)
	assert.False(t, errors.Is(err, ErrOutcomeUnknown))
}

// TestRequestOutsideOrigin: a request whose URL leaves the base URL's origin
// is refused before it is sent.
func TestRequestOutsideOrigin(t *testing.T) {
	vendor := newRecordingServer(t, nil)
	other := newRecordingServer(t, nil)
	u, err := url.Parse(vendor.URL)
	require.NoError(t, err)
	tests := []struct {
		name    string
		url     string
		refused bool
	}{
		{name: "same origin", url: vendor.URL + "/x"},
		{name: "same origin, upper-case host", url: "http://" + strings.ToUpper(u.Host) + "/x"},
		{name: "other port", url: other.URL + "/x", refused: true},
		{name: "other scheme", url: "https://" + u.Host + "/x", refused: true},
		{name: "other host", url: "http://localhost:" + u.Port() + "/x", refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New("verifik", vendor.URL+"/v2")
			require.NoError(t, err)
			before := len(vendor.Seen())
			resp, err := sendWithCredentials(c, tt.url, "getAppRegistration")
			if !tt.refused {
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				return
			}
			var oe *OriginError
			require.ErrorAs(t, err, &oe)
			assert.ErrorIs(t, err, ErrForeignOrigin)
			assert.Equal(t, "getAppRegistration", oe.Operation)
			assert.Empty(t, other.Seen())
			assert.Len(t, vendor.Seen(), before)
		})
	}
}

func TestOriginOf(t *testing.T) {
	tests := []struct{ a, b string }{
		{"https://x.test", "https://x.test:443/api"},
		{"http://x.test", "http://X.TEST:80"},
		{"http://[::1]:8080/a", "http://[::1]:8080/b?q=1"},
		{"https://u:p@x.test", "https://x.test"},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		assert.Equal(t, originOf(a), originOf(b), "%s vs %s", tt.a, tt.b)
	}
	for _, pair := range [][2]string{{"https://x.test", "http://x.test"}, {"https://x.test", "https://x.test:8443"}, {"https://x.test", "https://y.test"}} {
		a, _ := url.Parse(pair[0])
		b, _ := url.Parse(pair[1])
		assert.NotEqual(t, originOf(a), originOf(b), "%s vs %s", pair[0], pair[1])
	}
}

func TestUnknownRedirectPolicy(t *testing.T) {
	_, err := New("verifik", "https://x.test", WithRedirects(RedirectPolicy(7)))
	require.ErrorContains(t, err, "unknown redirect policy")
}

// TestAPIErrorMarshalsWithoutBody: json.Marshal of an error (as structured
// loggers and error reporters do) never carries the vendor's raw body.
func TestAPIErrorMarshalsWithoutBody(t *testing.T) {
	const secret = "DOC-NUMBER-83921044"
	err := callAndCheck(t, "verifik", "createDocumentValidation", 422, http.Header{"Content-Type": {"application/json"}},
		`{"code":"Invalid","message":"bad document","echo":{"documentNumber":"`+secret+`"}}`)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	js, mErr := json.Marshal(apiErr)
	require.NoError(t, mErr)
	assert.NotContains(t, string(js), secret)
	// encoding/json writes []byte as base64: look for that too.
	assert.NotContains(t, string(js), base64.StdEncoding.EncodeToString(apiErr.RawBody()))
	var fields map[string]any
	require.NoError(t, json.Unmarshal(js, &fields))
	assert.NotContains(t, fields, "Body")
	assert.Equal(t, "Invalid", fields["Code"], "the rest is still marshalled")
	assert.Contains(t, string(apiErr.RawBody()), secret, "the raw body stays reachable")
}

// TestClientPrintsNoUserInfo: a base URL's user:password (and query) never
// show in the transport's String, GoString or LogValue.
func TestClientPrintsNoUserInfo(t *testing.T) {
	c, err := New("verifik", "https://acme:pa55w0rd-xyz@api.verifik.test/v2?token=qtok-123")
	require.NoError(t, err)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("client", "c", c)
	for _, s := range []string{c.String(), c.GoString(), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), logged.String()} {
		assert.NotContains(t, s, "pa55w0rd-xyz")
		assert.NotContains(t, s, "acme:")
		assert.NotContains(t, s, "qtok-123")
		assert.Contains(t, s, "api.verifik.test/v2")
	}
	assert.Equal(t, "https://acme:pa55w0rd-xyz@api.verifik.test/v2?token=qtok-123", c.BaseURL(), "the generated client still needs it")
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://u:p@x.test/v2?k=1#frag", "https://x.test/v2"},
		{"https://u@x.test", "https://x.test"},
		{"http://x.test:8080/a", "http://x.test:8080/a"},
		{"http://[::1", "[unparsable URL]"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RedactURL(tt.in), tt.in)
	}
}

// TestRedirectWithoutLocation: a 3xx that names no target cannot be followed
// anywhere; it comes back for the vendor package to judge as an undocumented
// status.
func TestRedirectWithoutLocation(t *testing.T) {
	vendor := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusMultipleChoices) })
	c, err := New("verifik", vendor.URL)
	require.NoError(t, err)
	resp, err := sendWithCredentials(c, vendor.URL+"/v2/x", "getProject")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusMultipleChoices, resp.StatusCode)
}
