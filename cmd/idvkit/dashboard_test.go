package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/browsertest"
	"github.com/idvkit/idvkit/internal/hostile"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/dashboard"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write a PNG of each page the browser tests open to docs/img/")

// sandboxServer is `sandbox serve`'s handler behind httptest, with its mounts.
type sandboxServer struct {
	*httptest.Server
	mounts map[string]emulatorMount
}

func newSandboxServer(t *testing.T) *sandboxServer {
	t.Helper()
	h, mounts := sandboxMux(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	s := &sandboxServer{Server: httptest.NewServer(h), mounts: map[string]emulatorMount{}}
	t.Cleanup(s.Close)
	for _, m := range mounts {
		s.mounts[m.name] = m
	}
	return s
}

// journeySecrets are the values one journey of each vendor handles that the dashboard
// must never show: tokens, the one-time code, the registrant's email and name.
type journeySecrets struct {
	hostile.Secrets
	verisoulSession verisoul.Session
	verisoulClient  *verisoul.Client
}

// runJourneys runs one journey of each vendor through the Go clients against the
// server's mounts, playing the end user through the emulators' Go helpers.
func runJourneys(t *testing.T, ctx context.Context, s *sandboxServer) *journeySecrets {
	t.Helper()
	sec := &journeySecrets{}

	// Verisoul: Face Match uniqueness at sign-up, the face typed in as "alice".
	vs := s.mounts["verisoul"].emulator.(*verisoultest.Emulator)
	vc, err := verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithEnvironment(verisoul.Sandbox),
		verisoul.WithBaseURL(s.URL+"/verisoul"), verisoul.WithAppURL(s.URL+"/verisoul"+verisoultest.AppPath))
	require.NoError(t, err)
	session, err := vc.StartSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	require.NoError(t, vs.CompleteAs(session.ID, "alice"))
	out, err := vc.CheckUniqueness(ctx, session, "user-1", verisoul.UniquenessRules())
	require.NoError(t, err)
	require.NotNil(t, out)
	sec.verisoulSession, sec.verisoulClient = session, vc

	// iProov: enrol with the SDK's flash as "bob".
	ip := s.mounts["iproov"].emulator.(*iproovtest.Emulator)
	ic, err := iproov.New(iproovtest.DefaultAPIKey, iproovtest.DefaultSecret, iproov.WithBaseURL(s.URL+"/iproov"))
	require.NoError(t, err)
	claim, err := ic.EnrolToken(ctx, iproov.TokenRequest{UserID: "user-dash-1", Resource: "onboarding"})
	require.NoError(t, err)
	sec.Add("iProov token", claim.Token)
	require.NoError(t, ip.CaptureFace(claim.Token, "bob"))
	res, err := ic.EnrolValidate(ctx, claim, iproov.ValidateOptions{Client: "dashboard test"})
	require.NoError(t, err)
	require.True(t, res.Passed)

	// Verifik: basic Smart Enroll with an email code, KYC skipped.
	vf := s.mounts["verifik"].emulator.(*verifiktest.Emulator)
	fc, err := verifik.New(verifiktest.DefaultClientToken, verifik.WithBaseURL(s.URL+"/verifik"))
	require.NoError(t, err)
	flow, err := fc.Setup(ctx, verifik.ProjectConfig{Name: "Dashboard test", AllowedCountries: []string{"Colombia"},
		ContactEmail: "support@yourapp.example", PrivacyURL: "https://yourapp.example/privacy", TermsURL: "https://yourapp.example/terms"},
		verifik.BasicEnrollment("https://yourapp.example/verifik/done"))
	require.NoError(t, err)
	const email, name = "dana.dashboard@example.com", "Dana Dashboardsdottir"
	sec.Add("email", email)
	sec.Add("full name", name)
	r, err := fc.Register(ctx, flow, verifik.Registration{Email: email, FullName: name})
	require.NoError(t, err)
	sec.Add("registrant token", r.State().Token)
	_, err = r.SendEmailCode(ctx)
	require.NoError(t, err)
	code, ok := vf.LastCode(email)
	require.True(t, ok)
	sec.AddCode("one-time code", code)
	require.NoError(t, r.ConfirmEmailCode(ctx, code))
	done, err := r.SkipKYC(ctx)
	require.NoError(t, err)
	sec.Add("final token", done.Token)
	return sec
}

// credentialLike are shapes of credentials the dashboard must not show besides the
// published sandbox ones: bearer headers, JWTs, long random-looking strings.
var credentialLike = regexp.MustCompile(`(?i)bearer\s+[a-z0-9._~+/-]{8,}|eyJ[a-zA-Z0-9_-]{10,}\.|[A-Za-z0-9_-]{40,}`)

// TestDashboardShowsJourneysAndNoSecrets: after one journey of each vendor, the dashboard
// (JSON and HTML) shows each emulator's state and calls with their verdicts, and no token,
// code, email, name or credential but the published sandbox ones.
func TestDashboardShowsJourneysAndNoSecrets(t *testing.T) {
	s := newSandboxServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	sec := runJourneys(t, ctx, s)

	html := fetch(t, s.URL+"/", "text/html")
	body := fetch(t, s.URL+"/", "application/json")
	var view dashboard.View
	require.NoError(t, json.Unmarshal([]byte(body), &view))
	require.Len(t, view.Emulators, 3)

	wantOps := map[string]string{"verisoul": "createFaceMatchSession", "iproov": "userEnrolServerToken", "verifik": "createAppRegistration"}
	for _, e := range view.Emulators {
		t.Run(e.Name, func(t *testing.T) {
			assert.NotEmpty(t, e.Credentials)
			assert.Contains(t, e.URLs, dashboard.Link{Label: "base URL", URL: s.URL + s.mounts[e.Name].prefix + s.mounts[e.Name].basePath})
			require.True(t, e.Inspected, "%s reports its state (sandbox.Inspector)", e.Name)
			assert.NotEmpty(t, e.Items, "the journey shows")
			var ops []string
			for _, c := range e.Calls {
				ops = append(ops, c.Operation)
				if c.Operation != "" {
					assert.Equal(t, "ok", c.Verdict, "%s %d: %v", c.Operation, c.Status, c.Problems)
				}
			}
			assert.Contains(t, ops, wantOps[e.Name])
			require.NotNil(t, s.mounts[e.Name].state)
			if _, err := os.Stat(filepath.Join(repoRoot(t), "api", "sandbox", e.Name+".yaml")); err == nil {
				assert.NotEmpty(t, e.Controls, "the controls of api/sandbox/%s.yaml", e.Name)
				assert.Equal(t, s.URL+s.mounts[e.Name].prefix+dashboard.SpecPath, e.Spec)
			}
		})
	}

	published := []string{verisoultest.DefaultAPIKey, verisoultest.DefaultProjectID, iproovtest.DefaultAPIKey,
		iproovtest.DefaultSecret, iproovtest.DefaultOAuthUsername, iproovtest.DefaultOAuthPassword, verifiktest.DefaultClientToken}
	for name, page := range map[string]string{"html": html, "json": body} {
		assert.Empty(t, sec.Find(page), "%s shows a secret", name)
		for _, m := range credentialLike.FindAllString(page, -1) {
			known := false
			for _, p := range published {
				known = known || strings.Contains(m, p) || strings.Contains(p, m)
			}
			assert.True(t, known, "%s shows %q, which looks like a credential and is none of the published sandbox ones", name, m)
		}
	}
}

// TestDashboardInBrowser opens the dashboard of `sandbox serve` in Chromium after one
// journey of each vendor, sees each journey and its calls, then sees a new session
// appear without reloading (the page's live refresh).
func TestDashboardInBrowser(t *testing.T) {
	s := newSandboxServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	sec := runJourneys(t, ctx, s)

	start := time.Now()
	b := browsertest.New(t, 30*time.Second)
	require.NoError(t, chromedp.Do(b, chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#state-verisoul tr.item")),
		chromedp.WaitVisible(chromedp.CSS("#state-iproov tr.item")),
		chromedp.WaitVisible(chromedp.CSS("#state-verifik tr.item")),
	))
	for vendor, op := range map[string]string{"verisoul": "verifyFace", "iproov": "userEnrolValidate", "verifik": "createAppRegistration"} {
		text, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#state-"+vendor)))
		require.NoError(t, err)
		assert.Contains(t, text, op, "%s's calls show", vendor)
		assert.Contains(t, text, "ok", "with their verdict")
	}
	require.NoError(t, chromedp.Do(b, chromedp.Click(chromedp.CSS("#controls-verisoul summary")),
		chromedp.WaitVisible(chromedp.CSS("#controls-verisoul .ctl[data-operation]"))), "a person opens an emulator's control endpoints")
	controls, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#controls-verisoul")))
	require.NoError(t, err)
	assert.Contains(t, controls, "/verisoul/_sandbox/faults", "the control endpoints show")
	whole, err := chromedp.Run(b, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	require.NoError(t, err)
	assert.Empty(t, sec.Find(whole))
	loaded := time.Since(start)

	if *updateScreenshots {
		png, err := chromedp.Run(b, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		writeScreenshot(t, "dashboard.png", png)
	}

	// A second session appears on the open page by itself.
	before, err := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#state-verisoul tr.item").length`))
	require.NoError(t, err)
	_, err = sec.verisoulClient.StartSession(ctx, verisoul.SessionOptions{})
	require.NoError(t, err)
	refreshed := time.Now()
	_, err = chromedp.Run(b, chromedp.Poll[bool](`document.querySelectorAll("#state-verisoul tr.item").length > `+strconv.Itoa(before)))
	require.NoError(t, err, "the new session shows without a reload")
	t.Logf("browser start and dashboard load %v; new session shown after %v", loaded.Round(time.Millisecond), time.Since(refreshed).Round(time.Millisecond))
}

// TestServeBannerPointsAtDashboard: the banner's second line is the dashboard's URL and
// the dashboard answers there.
func TestServeBannerPointsAtDashboard(t *testing.T) {
	s := startServe(t)
	lines := strings.Split(s.stdout.String(), "\n")
	require.Greater(t, len(lines), 1)
	assert.Regexp(t, `^\s+dashboard\s+`+regexp.QuoteMeta(s.base)+`/ `, lines[1])
	body := fetch(t, s.base+"/", "text/html")
	assert.Contains(t, body, "<title>idvkit sandbox</title>")
}

func fetch(t *testing.T, url, accept string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", accept)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	require.NoError(t, err)
	return string(data)
}

// repoRoot is the directory holding go.mod, found from this file's path.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		require.NotEqual(t, dir, filepath.Dir(dir), "no go.mod above %s", file)
	}
}

// writeScreenshot writes png to docs/img/name (the README shows them).
func writeScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	path := filepath.Join(repoRoot(t), "docs", "img", name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("wrote %s (%d bytes)", path, len(png))
}
