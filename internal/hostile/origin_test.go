package hostile_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/idv"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// thief is a server on another port that records every request reaching it: the
// credentials a redirect would carry there.
type thief struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newThief(t *testing.T) *thief {
	t.Helper()
	th := &thief{}
	th.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		th.mu.Lock()
		th.seen = append(th.seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Api-Key")+" "+r.Header.Get("Authorization")+" "+string(b))
		th.mu.Unlock()
		// What made GetUser and Review succeed before: an empty object.
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(th.Close)
	return th
}

func (th *thief) Seen() []string {
	th.mu.Lock()
	defer th.mu.Unlock()
	return append([]string(nil), th.seen...)
}

// redirector is a fake vendor answering every request with status and a Location on
// the thief's port, except the requests pass answers itself.
func redirector(t *testing.T, status int, th *thief, pass func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pass != nil && pass(w, r) {
			return
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Location", th.URL+r.URL.Path)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// originStep is one backend step of a client built with opts, against a vendor at base.
type originStep struct {
	name string
	run  func(t *testing.T, base string, opts ...transport.Option) error
}

// TestCredentialsStayAtTheirOrigin: for each vendor, with a caller's http.Client that
// follows redirects (an empty one, and one whose CheckRedirect allows everything), a
// vendor answering 302 or 307 to another port gets the call a *transport.RedirectError —
// and the server on the other port receives nothing: no x-api-key, no api_key and
// secret in a re-sent body, no bearer, no OAuth Basic.
func TestCredentialsStayAtTheirOrigin(t *testing.T) {
	clients := map[string]func() *http.Client{
		"empty client": func() *http.Client { return &http.Client{} },
		"follows all": func() *http.Client {
			return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		},
	}
	vendors := []struct {
		vendor string
		steps  []originStep
		pass   func(w http.ResponseWriter, r *http.Request) bool
	}{
		{"verisoul", verisoulOriginSteps(), nil},
		{"iproov", iproovOriginSteps(), nil},
		// The token request answered well: the Management API call after it redirects.
		{"iproov with a token", iproovManagementSteps(), iproovAccessToken},
		{"verifik", verifikOriginSteps(), nil},
	}
	for cname, mk := range clients {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
			for _, v := range vendors {
				for _, s := range v.steps {
					t.Run(cname+"/"+http.StatusText(status)+"/"+v.vendor+"/"+s.name, func(t *testing.T) {
						th := newThief(t)
						srv := redirector(t, status, th, v.pass)
						err := s.run(t, srv.URL, transport.WithHTTPClient(mk()))
						assert.Empty(t, th.Seen(), "the other origin received a request")
						require.Error(t, err, "a redirect must not pass as a result")
						var re *transport.RedirectError
						require.ErrorAs(t, err, &re, "got %T: %v", err, err)
						assert.Equal(t, status, re.StatusCode)
						assert.Equal(t, strings.TrimPrefix(th.URL, "http://"), re.Host)
						assert.ErrorIs(t, err, transport.ErrRedirect)
						assert.Equal(t, idv.Escalate, idv.NextStep(err).Action, "configuration, not the journey")
					})
				}
			}
		}
	}
}

// TestPublicRedirectStillAnswers: Verisoul's public liveness redirect documents its
// 302, so the link comes back — never followed, whatever the caller's client does.
func TestPublicRedirectStillAnswers(t *testing.T) {
	for name, hc := range map[string]*http.Client{
		"default":      nil,
		"empty client": {},
		"follows all":  {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }},
	} {
		t.Run(name, func(t *testing.T) {
			hosted := newThief(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", hosted.URL+"/?session_id="+goodUUID)
				w.WriteHeader(http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			c, err := verisoul.New("origin-verisoul-key", verisoul.WithEnvironment(verisoul.Sandbox),
				verisoul.WithBaseURL(srv.URL), verisoul.WithTransport(noRetry, transport.WithHTTPClient(hc)))
			require.NoError(t, err)
			link, err := c.PublicRedirect(ctx, verisoul.PublicRedirectOptions{ProjectID: goodUUID})
			require.NoError(t, err)
			assert.Equal(t, hosted.URL+"/?session_id="+goodUUID, link.Location)
			assert.Equal(t, goodUUID, link.Session.ID)
			assert.Empty(t, hosted.Seen(), "the browser follows the link, not the backend")
		})
	}
}

// TestSilentVendorTimesOut: a vendor that accepts the connection and never answers ends
// each client's call in a typed timeout that NextStep can act on.
func TestSilentVendorTimesOut(t *testing.T) {
	silent := func(t *testing.T) *httptest.Server {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(func() { close(release); srv.Close() })
		return srv
	}
	short := transport.WithTimeout(100 * time.Millisecond)
	tests := []struct {
		name string
		run  func(base string) error
		// want is NextStep's action: a safe call may be sent again; an unsafe one that
		// reached the vendor must be reconciled first.
		want idv.Action
	}{
		{"verisoul start session", func(base string) error {
			c, err := verisoul.New("origin-verisoul-key", verisoul.WithEnvironment(verisoul.Sandbox),
				verisoul.WithBaseURL(base), verisoul.WithTransport(noRetry, short))
			if err != nil {
				return err
			}
			_, err = c.StartSession(ctx, verisoul.SessionOptions{})
			return err
		}, idv.RetryLater},
		{"iproov enrol token", func(base string) error {
			c, err := iproov.New(originAPIKey, originSecret, iproov.WithBaseURL(base), iproov.WithTransport(noRetry, short))
			if err != nil {
				return err
			}
			_, err = c.EnrolToken(ctx, iproov.TokenRequest{UserID: "origin-user", Resource: "onboarding"})
			return err
		}, idv.RetryLater},
		{"verifik review", func(base string) error {
			c, err := verifik.New("origin-verifik-token", verifik.WithBaseURL(base), verifik.WithTransport(noRetry, short))
			if err != nil {
				return err
			}
			_, err = c.Review(ctx, "65f0c0ffee000000000000b1")
			return err
		}, idv.RetryLater},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := silent(t)
			start := time.Now()
			err := tt.run(srv.URL)
			t.Logf("%s: silent vendor, 100ms timeout: returned after %v", tt.name, time.Since(start).Round(time.Millisecond))
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "got %T: %v", err, err)
			var reqErr *transport.RequestError
			assert.True(t, errors.As(err, &reqErr), "got %T", err)
			assert.Equal(t, tt.want, idv.NextStep(err).Action)
		})
	}
}

const (
	originAPIKey = "originapikey000000000000000000000000000"
	originSecret = "originsecret00000000000000000000000000"
)

func verisoulOriginSteps() []originStep {
	client := func(t *testing.T, base string, opts ...transport.Option) *verisoul.Client {
		c, err := verisoul.New("origin-verisoul-key", verisoul.WithEnvironment(verisoul.Sandbox),
			verisoul.WithBaseURL(base), verisoul.WithTransport(append([]transport.Option{noRetry}, opts...)...))
		require.NoError(t, err)
		return c
	}
	fm := verisoul.Session{ID: goodUUID, Product: verisoul.FaceMatch, CreatedAt: time.Now()}
	return []originStep{
		{"start session", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := client(t, b, o...).StartSession(ctx, verisoul.SessionOptions{})
			return err
		}},
		{"verify face", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := client(t, b, o...).VerifyFace(ctx, fm)
			return err
		}},
		{"enroll", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := client(t, b, o...).Enroll(ctx, fm, "acct-1")
			return err
		}},
	}
}

func iproovClient(t *testing.T, base string, opts ...transport.Option) *iproov.Client {
	c, err := iproov.New(originAPIKey, originSecret, iproov.WithBaseURL(base),
		iproov.WithOAuth("origin-oauth-user", "origin-oauth-pass"),
		iproov.WithTransport(append([]transport.Option{noRetry}, opts...)...))
	require.NoError(t, err)
	return c
}

// iproovOriginSteps: calls with the api_key and secret in the JSON body (re-sent by a
// followed 307), and a Management API call whose token request (OAuth Basic) redirects.
func iproovOriginSteps() []originStep {
	req := iproov.TokenRequest{UserID: "origin-user", Resource: "onboarding"}
	return []originStep{
		{"enrol token", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := iproovClient(t, b, o...).EnrolToken(ctx, req)
			return err
		}},
		{"verify validate", func(t *testing.T, b string, o ...transport.Option) error {
			// A new claim each run: a sent validation spends it.
			claim := &iproov.Claim{Type: iproov.Verify, Token: sandbox.RandomHex(32), UserID: "origin-user", IssuedAt: time.Now()}
			_, err := iproovClient(t, b, o...).VerifyValidate(ctx, claim, iproov.ValidateOptions{})
			return err
		}},
		{"get user (token request redirects)", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := iproovClient(t, b, o...).GetUser(ctx, "origin-user")
			return err
		}},
	}
}

// iproovManagementSteps: the access token is granted, then the bearer call redirects.
func iproovManagementSteps() []originStep {
	return []originStep{
		{"get user", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := iproovClient(t, b, o...).GetUser(ctx, "origin-user")
			return err
		}},
		{"delete user", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := iproovClient(t, b, o...).DeleteUser(ctx, "origin-user")
			return err
		}},
	}
}

func verifikOriginSteps() []originStep {
	client := func(t *testing.T, base string, opts ...transport.Option) *verifik.Client {
		c, err := verifik.New("origin-verifik-token", verifik.WithBaseURL(base),
			verifik.WithTransport(append([]transport.Option{noRetry}, opts...)...))
		require.NoError(t, err)
		return c
	}
	flow := verifik.Flow{
		ProjectID: "65f0c0ffee000000000000a1", FlowID: "65f0c0ffee000000000000a2", RedirectURL: "https://acme.example/welcome",
		Steps:     map[string]verifik.Requirement{verifik.StepSignUpForm: verifik.Mandatory},
		EmailCode: true,
	}
	return []originStep{
		{"review", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := client(t, b, o...).Review(ctx, "65f0c0ffee000000000000b1")
			return err
		}},
		{"register", func(t *testing.T, b string, o ...transport.Option) error {
			_, err := client(t, b, o...).Register(ctx, flow, verifik.Registration{Email: "origin@example.com", Phone: "3001234567", CountryCode: "+57"})
			return err
		}},
		{"send email code (registrant token)", func(t *testing.T, b string, o ...transport.Option) error {
			r, err := client(t, b, o...).Resume(verifik.State{
				AppRegistrationID: "65f0c0ffee000000000000b1", InformationValidationID: "65f0c0ffee000000000000b2",
				Token: "origin-registrant-token", Flow: flow, Email: "origin@example.com", Status: verifik.Ongoing,
			})
			require.NoError(t, err)
			_, err = r.SendEmailCode(ctx)
			return err
		}},
	}
}
