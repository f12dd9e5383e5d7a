// Package browsertest starts a headless Chromium for tests, through chromedp.
//
// The browser comes from Debian's packages (`apt-get install chromium`); .ci/run installs
// it. Without one a test skips with a message saying how to install it, except under CI
// (CI=true), where a missing browser fails the test: a browser test that silently skips in
// CI proves nothing.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// candidates are the names Debian and other distributions give the browser.
var candidates = []string{"chromium", "chromium-browser", "chromium-headless-shell", "google-chrome", "google-chrome-stable"}

// Find returns the path of a Chromium-like browser: $IDVKIT_CHROMIUM if set, else the
// first of the usual names on PATH, else "".
func Find() string {
	if p := os.Getenv("IDVKIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser for t and returns a chromedp context for one tab; the
// browser stops when the test ends. timeout bounds everything done with the context.
// chromedp v0.23's actions are typed: chromedp.Do runs actions that return nothing
// (Navigate, Click, WaitVisible), chromedp.Run one that returns a value
// (Text(chromedp.CSS("#id")), Evaluate[T], Title()).
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Find()
	if path == "" {
		const how = "no Chromium found: install Debian's chromium (apt-get install chromium) or set IDVKIT_CHROMIUM"
		if os.Getenv("CI") == "true" {
			t.Fatal(how + " — CI must run the browser tests")
		}
		t.Skip(how)
	}
	// The flags keep the browser off the network it cannot reach here and out of the
	// way of root and containers.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}
