package verisoultest_test

import (
	"context"
	"flag"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/internal/browsertest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write a PNG of each page the browser tests visit to docs/img/")

// integrator is an example integrator: a sign-up page and a backend that starts a
// Verisoul session, sends the browser to the hosted capture page, and on the way back
// checks the session (CheckUniqueness or CheckID, which enrol only when the policy
// accepts) and shows the outcome — all through package verisoul against the emulator,
// exactly as it would run against Verisoul with the URLs swapped.
type integrator struct {
	site   *httptest.Server
	client *verisoul.Client

	mu      sync.Mutex
	pending map[string]signup // by session id
}

type signup struct {
	account string
	session verisoul.Session
}

var outcomePage = template.Must(template.New("outcome").Parse(`<!doctype html><html lang="en"><meta charset="utf-8">
<title>Acme sign-up</title><h1>Acme sign-up</h1><p id="outcome" data-result="{{.Result}}">{{.Text}}</p>`))

func newIntegrator(t *testing.T, sandboxURL string) *integrator {
	t.Helper()
	client, err := verisoul.New(verisoultest.DefaultAPIKey, verisoul.WithBaseURL(sandboxURL), verisoul.WithAppURL(sandboxURL+verisoultest.AppPath))
	require.NoError(t, err)
	in := &integrator{client: client, pending: map[string]signup{}}
	mux := http.NewServeMux()
	// GET /signup?account=…&product=face_match|id_check: start a session, go capture.
	mux.HandleFunc("GET /signup", func(w http.ResponseWriter, r *http.Request) {
		start := client.StartSession
		if r.URL.Query().Get("product") == "id_check" {
			start = client.StartIDCheckSession
		}
		s, err := start(r.Context(), verisoul.SessionOptions{})
		if err != nil {
			http.Error(w, "could not start the verification", http.StatusBadGateway)
			return
		}
		in.mu.Lock()
		in.pending[s.ID] = signup{account: r.URL.Query().Get("account"), session: s}
		in.mu.Unlock()
		page, err := client.CaptureURL(s, verisoul.CaptureOptions{RedirectURL: in.site.URL + "/verisoul/done", Language: "en"})
		if err != nil {
			http.Error(w, "could not build the capture URL", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, page, http.StatusSeeOther)
	})
	// GET /verisoul/done?session_id=…&success=…[&error_message=…]: the hosted page's way back.
	mux.HandleFunc("GET /verisoul/done", func(w http.ResponseWriter, r *http.Request) {
		show := func(result, text string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = outcomePage.Execute(w, struct{ Result, Text string }{result, text})
		}
		back, err := verisoul.ParseRedirect(r.URL)
		if err != nil {
			show("error", "bad redirect")
			return
		}
		in.mu.Lock()
		su, ok := in.pending[back.SessionID]
		delete(in.pending, back.SessionID)
		in.mu.Unlock()
		switch {
		case !ok:
			show("error", "unknown session")
			return
		case !back.Success:
			show("capture_failed", string(back.ErrorMessage))
			return
		}
		check := client.CheckUniqueness
		if su.session.Product == verisoul.IDCheck {
			check = client.CheckID
		}
		out, err := check(r.Context(), su.session, su.account, nil)
		switch {
		case err != nil:
			show("error", string(verisoul.CodeOf(err)))
		case out.Verdict.Accept:
			show("passed", "welcome "+su.account)
		default:
			show("refused", strings.Join(out.Verdict.Reasons, "; "))
		}
	})
	in.site = httptest.NewServer(mux)
	t.Cleanup(in.site.Close)
	return in
}

// journey is what the user does on the hosted page.
type journey struct {
	product  string // face_match or id_check
	face     string // complete as this face …
	document string // … showing this document preset (ID Check)
	fail     string // or fail with this error_message
	shot     string // docs/img/verisoul-<shot>.png, with -update-screenshots
}

// run walks one sign-up in the browser and returns the outcome page's result and text.
func (in *integrator) run(t *testing.T, ctx context.Context, account string, j journey) (result, text string) {
	t.Helper()
	q := url.Values{"account": {account}, "product": {j.product}}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(in.site.URL+"/signup?"+q.Encode()),
		chromedp.WaitVisible(chromedp.CSS("#complete")),
	))
	if j.shot != "" {
		screenshot(t, ctx, j.shot)
	}
	switch {
	case j.fail != "":
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#error-message"), j.fail),
			chromedp.Click(chromedp.CSS("#fail")),
		))
	default:
		steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS("#face"), j.face)}
		if j.document != "" {
			steps = append(steps, chromedp.Click(chromedp.CSS("#document-"+j.document)))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS("#complete")))
		require.NoError(t, chromedp.Do(ctx, steps...))
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#outcome"))))
	res, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#outcome"), "data-result"))
	require.NoError(t, err)
	text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#outcome")))
	require.NoError(t, err)
	return res.Value, text
}

// TestBrowserSignUp runs an integrator's whole sign-up in headless Chromium: the
// integrator's page, the emulator's hosted capture page, the redirect back, and the
// backend's checks. Each row is one journey; the backend's outcome is asserted.
func TestBrowserSignUp(t *testing.T) {
	emu := verisoultest.New()
	sbx := httptest.NewServer(emu.Handler())
	t.Cleanup(sbx.Close)
	in := newIntegrator(t, sbx.URL)
	ctx := browsertest.New(t, 90*time.Second)

	// dana is enrolled before the browser runs: a second sign-up with her face is a duplicate.
	first, err := in.client.StartSession(context.Background(), verisoul.SessionOptions{})
	require.NoError(t, err)
	require.NoError(t, emu.CompleteAs(first.ID, "dana"))
	out, err := in.client.CheckUniqueness(context.Background(), first, "acct-dana", nil)
	require.NoError(t, err)
	require.True(t, out.Enrolled())

	tests := []struct {
		name    string
		journey journey
		result  string
		text    string // contained in the outcome text
	}{
		{"face match passed", journey{product: "face_match", face: "alice", shot: "capture-face-match"}, "passed", "welcome acct-alice"},
		{"duplicate face", journey{product: "face_match", face: "dana"}, "refused", "repeat_face"},
		{"ID check passed", journey{product: "id_check", face: "erin", document: verisoultest.DocumentValid, shot: "capture-id-check"}, "passed", "welcome acct-erin"},
		{"fake document", journey{product: "id_check", face: "fay", document: verisoultest.DocumentFake}, "refused", "likely_fake_id"},
		{"expired document", journey{product: "id_check", face: "gus", document: verisoultest.DocumentExpired}, "refused", "document expired"},
		{"a minor's document", journey{product: "id_check", face: "hal", document: verisoultest.DocumentMinor}, "refused", "under 18"},
		{"another face on the document", journey{product: "id_check", face: "ivy", document: verisoultest.DocumentOtherFace}, "refused", "face-to-document match score"},
		{"no document", journey{product: "id_check", face: "jon", document: verisoultest.DocumentNone}, "error", "id_scan_not_complete"},
		{"ID scan failed", journey{product: "id_check", fail: verisoultest.FailIDScan}, "capture_failed", verisoultest.FailIDScan},
	}
	// Every documented error of the hosted page, on a Face Match capture.
	for _, code := range []string{verisoultest.FailLiveness, verisoultest.FailFaceScan, verisoultest.FailCameraPermission, verisoultest.FailDeviceData, verisoultest.FailInvalidSessionID, verisoultest.FailSessionIDNotFound} {
		tests = append(tests, struct {
			name    string
			journey journey
			result  string
			text    string
		}{"capture failed " + code, journey{product: "face_match", fail: code}, "capture_failed", code})
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			account := fmt.Sprintf("acct-%d", i)
			if tt.journey.face != "" {
				account = "acct-" + tt.journey.face
			}
			start := time.Now()
			result, text := in.run(t, ctx, account, tt.journey)
			t.Logf("journey took %v", time.Since(start).Round(time.Millisecond))
			assert.Equal(t, tt.result, result, "outcome: %s", text)
			assert.Contains(t, text, tt.text)
		})
	}

	// The dashboard shows the journeys: every session with its face and account.
	insp := emu.Inspect()
	byFace := map[string]map[string]string{}
	states := map[string]int{}
	for _, it := range insp.Items {
		states[it.State]++
		if f := it.Detail["face"]; f != "" {
			byFace[f] = it.Detail
		}
	}
	assert.Equal(t, "acct-alice", byFace["alice"]["account_id"])
	assert.Equal(t, "face_match", byFace["alice"]["product"])
	assert.Equal(t, "acct-erin", byFace["erin"]["account_id"])
	assert.Empty(t, byFace["fay"]["account_id"], "a refused sign-up is not enrolled")
	assert.Equal(t, 7, states["failed"], "one failed session per capture error")
	var ops []string
	for _, c := range insp.Calls {
		ops = append(ops, c.Operation)
		assert.Equal(t, "ok", c.Verdict, "%+v", c)
	}
	assert.Contains(t, ops, "verifyFace")
	assert.Contains(t, ops, "enrollIDCheck")
}

// TestBrowserPageRefusesAnEmptyFace: the page itself asks for a face name before calling
// the sandbox, and the session stays open.
func TestBrowserPageRefusesAnEmptyFace(t *testing.T) {
	emu := verisoultest.New()
	sbx := httptest.NewServer(emu.Handler())
	t.Cleanup(sbx.Close)
	in := newIntegrator(t, sbx.URL)
	ctx := browsertest.New(t, 30*time.Second)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(in.site.URL+"/signup?account=acct-x&product=face_match"),
		chromedp.WaitVisible(chromedp.CSS("#complete")),
		chromedp.Click(chromedp.CSS("#complete")),
		chromedp.WaitVisible(chromedp.CSS("#status.error")),
	))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status")))
	require.NoError(t, err)
	assert.Contains(t, msg, "face name")
	id, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#session-id")))
	require.NoError(t, err)
	info, ok := emu.Session(id)
	require.True(t, ok)
	assert.Equal(t, verisoultest.Started, info.State)
}

// screenshot writes the current page to docs/img/verisoul-<name>.png when the tests run
// with -update-screenshots.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	require.NoError(t, err)
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "docs", "img")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, "verisoul-"+name+".png")
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("wrote %s", path)
}
