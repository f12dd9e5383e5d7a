package iproovtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/browsertest"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write PNGs of the SDK stand-in's pages to docs/img/")

// shop is an example integrator: a tiny front end that runs iProov's Web SDK — here the
// emulator's stand-in, the only change being the script URL — and a backend that issues
// the claim token and validates the claim with pkg/iproov, as iProov's integration guide
// says: the SDK's passed event is never trusted, the backend validates. On the SDK's
// error or canceled, the backend invalidates the claim.
type shop struct {
	client *iproov.Client
	sdkURL string
	base   string

	mu       sync.Mutex
	claims   map[string]*iproov.Claim
	outcomes map[string]shopOutcome // by user id
}

// shopOutcome is what the backend ends up knowing of a user's claim.
type shopOutcome struct {
	Result       *iproov.Result
	Invalidation *iproov.Invalidation
	SDKEvent     string // the SDK's final event, as the front end reported it
	SDKFeedback  string
}

var shopPage = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop sign-up</title>
<script src="{{.SDK}}"></script>
</head><body>
<h1>Shop sign-up: show your face</h1>
<div id="iproov"></div>
<p id="outcome" role="status"></p>
<script>
(async () => {
  const mode = {{.Mode}}, user = {{.User}};
  const post = (path, body) => fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)}).then(r => r.json());
  const {token, base_url} = await post("/api/token", {mode, user});
  const sdk = document.createElement("iproov-me");
  sdk.setAttribute("token", token);
  sdk.setAttribute("base_url", base_url);
  sdk.innerHTML = '<div slot="ready"><h3>Ready to sign up</h3></div><div slot="button"><button id="scan" type="button">Scan my face</button></div>';
  const seen = [];
  const finish = async (ev, answer) => {
    document.body.dataset.detail = JSON.stringify(ev.detail);
    const out = document.getElementById("outcome");
    out.textContent = JSON.stringify(await answer);
    out.dataset.done = "1";
  };
  for (const name of ["connecting", "connected", "ready", "started", "streaming", "progress", "streamed", "passed", "failed", "error", "canceled"]) {
    sdk.addEventListener(name, () => { if (seen[seen.length - 1] !== name) seen.push(name); document.body.dataset.events = seen.join(","); });
  }
  for (const name of ["passed", "failed"]) {
    sdk.addEventListener(name, (ev) => finish(ev, post("/api/validate", {user, event: name, feedback: ev.detail.feedback})));
  }
  for (const name of ["error", "canceled"]) {
    sdk.addEventListener(name, (ev) => finish(ev, post("/api/abandon", {user, event: name, feedback: ev.detail.feedback})));
  }
  document.getElementById("iproov").appendChild(sdk);
})();
</script>
</body></html>`))

func (s *shop) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		_ = shopPage.Execute(w, map[string]string{"SDK": s.sdkURL, "Mode": r.URL.Query().Get("mode"), "User": r.URL.Query().Get("user")})
	})
	type request struct{ Mode, User, Event, Feedback string }
	read := func(r *http.Request) request {
		var q request
		_ = json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<10)).Decode(&q)
		return q
	}
	mux.HandleFunc("POST /api/token", func(w http.ResponseWriter, r *http.Request) {
		q := read(r)
		req := iproov.TokenRequest{UserID: q.User, Resource: "shop sign-up"}
		var cl *iproov.Claim
		var err error
		if q.Mode == "verify" {
			cl, err = s.client.VerifyToken(r.Context(), req)
		} else {
			cl, err = s.client.EnrolToken(r.Context(), req)
		}
		if err != nil {
			t.Errorf("token: %v", err)
			http.Error(w, "no token", http.StatusBadGateway)
			return
		}
		s.mu.Lock()
		s.claims[q.User] = cl
		s.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]string{"token": cl.Token, "base_url": s.base})
	})
	mux.HandleFunc("POST /api/validate", func(w http.ResponseWriter, r *http.Request) {
		q := read(r)
		s.mu.Lock()
		cl := s.claims[q.User]
		s.mu.Unlock()
		validate := s.client.VerifyValidate
		if cl.Type == iproov.Enrol {
			validate = s.client.EnrolValidate
		}
		res, err := validate(r.Context(), cl, iproov.ValidateOptions{})
		if err != nil {
			t.Errorf("validate: %v", err)
			http.Error(w, "not validated", http.StatusBadGateway)
			return
		}
		s.record(q.User, shopOutcome{Result: res, SDKEvent: q.Event, SDKFeedback: q.Feedback})
		_ = json.NewEncoder(w).Encode(map[string]any{"passed": res.Passed, "reason": res.Reason})
	})
	mux.HandleFunc("POST /api/abandon", func(w http.ResponseWriter, r *http.Request) {
		q := read(r)
		s.mu.Lock()
		cl := s.claims[q.User]
		s.mu.Unlock()
		inv, err := s.client.Invalidate(r.Context(), cl, "user left the capture")
		if err != nil {
			t.Errorf("invalidate: %v", err)
			http.Error(w, "not invalidated", http.StatusBadGateway)
			return
		}
		s.record(q.User, shopOutcome{Invalidation: inv, SDKEvent: q.Event, SDKFeedback: q.Feedback})
		_ = json.NewEncoder(w).Encode(map[string]any{"aborted": inv.ClaimAborted})
	})
	return mux
}

func (s *shop) record(user string, o shopOutcome) {
	s.mu.Lock()
	s.outcomes[user] = o
	s.mu.Unlock()
}

func (s *shop) outcome(user string) shopOutcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outcomes[user]
}

// shadow selects an element of <iproov-me>'s shadow root (the sandbox UI).
func shadow(id string) chromedp.JSPath {
	return chromedp.JSPath(`document.querySelector("iproov-me").shadowRoot.getElementById("` + id + `")`)
}

// TestWebSDKJourneys runs iProov journeys end to end in headless Chromium: the shop's
// page loads the stand-in <iproov-me> with its backend's token, the user plays the
// capture in the sandbox UI, and the shop's backend validates (or invalidates) the claim
// through pkg/iproov against the emulator.
func TestWebSDKJourneys(t *testing.T) {
	ctx := browsertest.New(t, 60*time.Second)

	e := iproovtest.New()
	api := httptest.NewServer(e.Handler())
	t.Cleanup(api.Close)
	client, err := iproov.New(e.APIKey(), e.Secret(), iproov.WithBaseURL(api.URL))
	require.NoError(t, err)
	s := &shop{client: client, sdkURL: api.URL + iproovtest.SDKScriptPath, base: api.URL, claims: map[string]*iproov.Claim{}, outcomes: map[string]shopOutcome{}}
	front := httptest.NewServer(s.handler(t))
	t.Cleanup(front.Close)

	// Bob is enrolled as face "bob" for the verify journeys.
	bg := context.Background()
	bob, err := client.EnrolToken(bg, iproov.TokenRequest{UserID: "bob", Resource: "setup"})
	require.NoError(t, err)
	require.NoError(t, e.CaptureFace(bob.Token, "bob"))
	res, err := client.EnrolValidate(bg, bob, iproov.ValidateOptions{})
	require.NoError(t, err)
	require.True(t, res.Passed)

	tests := []struct {
		name, mode, user, face string
		act                    func(ctx context.Context) error // in the sandbox UI, once it shows
		shot                   string                          // docs/img/iproov-<shot>.png of the capture UI

		wantEvents   string // the SDK's events, in order (repeats collapsed)
		wantDetail   map[string]any
		wantPassed   *bool
		wantReason   string
		wantAborted  bool
		wantInformed bool
	}{
		{
			name: "enrol passes", mode: "enrol", user: "alice", face: "alice",
			act:        func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Click(shadow("pass"))) },
			shot:       "sdk-capture",
			wantEvents: "connecting,connected,ready,started,streaming,streamed,progress,passed",
			wantDetail: map[string]any{"type": "enrol", "passed": true, "feedback": nil, "reason": nil, "is_native_bridge": false},
			wantPassed: ptr(true),
		},
		{
			name: "verify passes", mode: "verify", user: "bob", face: "bob",
			act:        func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Click(shadow("pass"))) },
			wantEvents: "connecting,connected,ready,started,streaming,streamed,progress,passed",
			wantDetail: map[string]any{"type": "verify", "passed": true},
			wantPassed: ptr(true),
		},
		{
			name: "liveness fails with a feedback code", mode: "verify", user: "bob", face: "bob",
			act: func(ctx context.Context) error {
				return chromedp.Do(ctx, chromedp.SetValue(shadow("failure"), "eyes_closed"), chromedp.Click(shadow("fail")))
			},
			shot:       "sdk-failed",
			wantEvents: "connecting,connected,ready,started,streaming,streamed,progress,failed",
			wantDetail: map[string]any{"type": "verify", "passed": false, "feedback": "eyes_closed", "reason": "Keep your eyes open"},
			wantPassed: ptr(false), wantReason: "Keep your eyes open",
		},
		{
			name: "another face fails the match", mode: "verify", user: "bob", face: "mallory",
			act:        func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Click(shadow("pass"))) },
			wantEvents: "connecting,connected,ready,started,streaming,streamed,progress,failed",
			wantDetail: map[string]any{"passed": false, "feedback": "unknown", "reason": "Try again"},
			wantPassed: ptr(false), wantReason: iproovtest.ReasonMismatch,
		},
		{
			name: "error", mode: "verify", user: "bob", face: "bob",
			act: func(ctx context.Context) error {
				return chromedp.Do(ctx, chromedp.SetValue(shadow("error-code"), "error_camera_in_use"), chromedp.Click(shadow("error")))
			},
			wantEvents:  "connecting,connected,ready,started,error",
			wantDetail:  map[string]any{"feedback": "error_camera_in_use", "reason": "The camera is already in use and cannot be accessed"},
			wantAborted: true, wantInformed: true,
		},
		{
			name: "canceled", mode: "verify", user: "bob", face: "bob",
			act:         func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Click(shadow("cancel"))) },
			wantEvents:  "connecting,connected,ready,started,canceled",
			wantDetail:  map[string]any{"feedback": iproovtest.Canceled.Code, "reason": iproovtest.Canceled.Reason},
			wantAborted: true, wantInformed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(front.URL+"/?mode="+tt.mode+"&user="+tt.user),
				chromedp.WaitVisible(chromedp.CSS("#scan")), // the shop's own slotted button
			))
			if tt.shot == "sdk-capture" {
				screenshot(t, ctx, "sdk-ready")
			}
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("#scan")),
				chromedp.WaitVisible(shadow("pass")),
				chromedp.SetValue(shadow("face"), tt.face),
			))
			if tt.shot == "sdk-capture" {
				screenshot(t, ctx, tt.shot)
			}
			require.NoError(t, tt.act(ctx))
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#outcome[data-done]"))))
			if tt.shot == "sdk-failed" {
				screenshot(t, ctx, tt.shot)
			}

			events, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.events`))
			require.NoError(t, err)
			assert.Equal(t, tt.wantEvents, events)
			raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.detail`))
			require.NoError(t, err)
			var detail map[string]any
			require.NoError(t, json.Unmarshal([]byte(raw), &detail))
			assert.Len(t, detail["token"], 64, "every event carries the token")
			for k, v := range tt.wantDetail {
				assert.Equal(t, v, detail[k], "detail.%s", k)
			}

			got := s.outcome(tt.user)
			if tt.wantPassed != nil {
				require.NotNil(t, got.Result, "the backend validated")
				assert.Equal(t, *tt.wantPassed, got.Result.Passed)
				assert.Equal(t, tt.wantReason, got.Result.Reason)
			} else {
				require.NotNil(t, got.Invalidation, "the backend invalidated")
				assert.Equal(t, tt.wantAborted, got.Invalidation.ClaimAborted)
				assert.Equal(t, tt.wantInformed, got.Invalidation.UserInformed)
			}

			// The dashboard's view: the claim by its fingerprint, in its final state.
			s.mu.Lock()
			token := s.claims[tt.user].Token
			s.mu.Unlock()
			found := false
			for _, it := range e.Inspect().Items {
				if it.Kind == "claim" && it.ID == fingerprintOf(token) {
					found = true
					want := "validated"
					if tt.wantPassed == nil {
						want = "invalidated"
					}
					assert.Equal(t, want, it.State)
				}
			}
			assert.True(t, found, "Inspect shows the claim")
			t.Logf("%s: %v in the browser", tt.name, time.Since(start).Round(time.Millisecond))
		})
	}
}

// The SDK reports a token it cannot use as iProov's does: an error event, before any
// capture, with the error's feedback code.
func TestWebSDKRefusesUnusableTokens(t *testing.T) {
	ctx := browsertest.New(t, 30*time.Second)
	clock := sandbox.NewFakeClock(time.Now())
	e := iproovtest.New(iproovtest.WithClock(clock.Now))
	api := httptest.NewServer(e.Handler())
	t.Cleanup(api.Close)
	client, err := iproov.New(e.APIKey(), e.Secret(), iproov.WithBaseURL(api.URL), iproov.WithClock(clock.Now))
	require.NoError(t, err)

	expired, err := client.EnrolToken(context.Background(), iproov.TokenRequest{UserID: "late", Resource: "test"})
	require.NoError(t, err)
	clock.Advance(iproovtest.ClaimWindow + time.Second)
	fresh, err := client.EnrolToken(context.Background(), iproov.TokenRequest{UserID: "used", Resource: "test"})
	require.NoError(t, err)
	require.NoError(t, e.CaptureFace(fresh.Token, "alice"))

	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = tokenPage.Execute(w, map[string]string{"SDK": api.URL + iproovtest.SDKScriptPath, "Token": r.URL.Query().Get("token")})
	}))
	t.Cleanup(page.Close)

	for _, tt := range []struct{ name, token, feedback string }{
		{"unknown", strings.Repeat("ab", 32), "error_invalid_token"},
		{"malformed", "not-a-token", "error_invalid_token"},
		{"expired", expired.Token, "error_token_timeout"},
		{"already captured", fresh.Token, "error_invalid_token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(page.URL+"/?token="+tt.token),
				chromedp.WaitVisible(chromedp.CSS("#outcome[data-done]")),
			))
			got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#outcome")))
			require.NoError(t, err)
			assert.Equal(t, "error "+tt.feedback, got)
		})
	}
}

// tokenPage loads the SDK with a token as a classic script, without base_url: the
// stand-in finds the emulator from its own script URL.
var tokenPage = template.Must(template.New("token").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>token</title>
<script src="{{.SDK}}"></script></head><body>
<iproov-me token="{{.Token}}"></iproov-me>
<p id="outcome"></p>
<script>
const sdk = document.querySelector("iproov-me");
for (const name of ["ready", "error"]) {
  sdk.addEventListener(name, (ev) => {
    const out = document.getElementById("outcome");
    out.textContent = name + " " + (ev.detail.feedback || "");
    out.dataset.done = "1";
  });
}
</script></body></html>`))

// TestWebSDKDemoPage walks the emulator's own demo page: a person issues an enrolment,
// passes it in the sandbox UI and sees the validation.
func TestWebSDKDemoPage(t *testing.T) {
	ctx := browsertest.New(t, 30*time.Second)
	e := iproovtest.New()
	api := httptest.NewServer(e.Handler())
	t.Cleanup(api.Close)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(api.URL+iproovtest.SDKDemoPath),
		chromedp.WaitVisible(chromedp.CSS("#create")),
	))
	screenshot(t, ctx, "demo")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#create")),
		chromedp.WaitVisible(shadow("scan")),
		chromedp.Click(shadow("scan")),
		chromedp.WaitVisible(shadow("pass")),
		chromedp.Click(shadow("pass")),
		chromedp.WaitVisible(chromedp.CSS("#outcome:not([hidden])")),
	))
	screenshot(t, ctx, "demo-passed")
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#validation")))
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(got), &v))
	assert.Equal(t, true, v["passed"])
	assert.Equal(t, "enrol", v["type"])
	assert.Equal(t, 1, e.Stats().Users, "the demo enrolled its user")
}

// screenshot writes docs/img/iproov-<name>.png when -update-screenshots is given.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
	require.NoError(t, err)
	dir := filepath.Join(repoRoot(t), "docs", "img")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "iproov-"+name+".png"), png, 0o644))
}

// repoRoot walks up from the package directory to go.mod.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the package")
		dir = parent
	}
}

// fingerprintOf is how Inspect names a token: sha256, first 4 bytes, hex.
func fingerprintOf(token string) string {
	d := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(d[:4])
}
