package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/dashboard"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// emulatorMount is one vendor emulator served under a path prefix.
type emulatorMount struct {
	prefix  string
	name    string // the vendor's short name: its controls spec is api/sandbox/<name>.yaml
	vendor  string
	handler http.Handler
	// emulator is the emulator value (*verisoultest.Emulator, …), for tests that
	// play the end user's part through its Go helpers.
	emulator any
	// state is the emulator itself when it reports its state to the dashboard.
	state sandbox.Inspector
	// basePath is what a client appends to the prefix to form its base URL.
	basePath string
	// pages are what the end user's browser opens (hosted pages, the SDK stand-in), with
	// paths under prefix.
	pages []dashboard.Link
	// controlPrefix is the emulator's own root of control endpoints, under prefix.
	controlPrefix string
	// credentials tells users which sandbox credentials the emulator accepts. They are
	// the emulators' fixed sandbox defaults, never real vendor credentials.
	credentials []dashboard.Credential
}

// controls and faults are the mounted control roots, as a client outside must call them.
func (m emulatorMount) controls() string { return m.prefix + m.controlPrefix }
func (m emulatorMount) faults() string   { return m.prefix + sandbox.ControlPath }

// credentialText is the credentials on one line, for the banner.
func (m emulatorMount) credentialText() string {
	parts := make([]string, len(m.credentials))
	for i, c := range m.credentials {
		parts[i] = c.Name + " " + c.Value
	}
	return strings.Join(parts, ", ")
}

// inspector is the emulator as the dashboard sees it: an emulator that does not report
// its state yet is shown without one.
func inspector(emu any) sandbox.Inspector {
	in, _ := emu.(sandbox.Inspector)
	return in
}

// sandboxMux serves every emulator under its own prefix (/verisoul, /iproov, /verifik)
// and the dashboard at "/". allowHosts are Host names, beyond loopback and the server's
// own address, allowed to reach the emulators' control endpoints and the dashboard.
func sandboxMux(logger *slog.Logger, allowHosts []string) (http.Handler, []emulatorMount) {
	return newSandboxMux(muxOptions{logger: logger, allowHosts: allowHosts})
}

// muxOptions are what serve's flags change in the mux.
type muxOptions struct {
	logger     *slog.Logger
	allowHosts []string
	// logCalls logs one line per emulated call at Info (-v).
	logCalls bool
	// noRateLimits turns the emulators' vendor rate limits off (-rate-limit off), so the
	// sandbox can be load-tested.
	noRateLimits bool
	// maxSessions caps the Verisoul sessions per project (-max-sessions); 0 keeps the
	// emulator's default.
	maxSessions int
}

func newSandboxMux(o muxOptions) (http.Handler, []emulatorMount) {
	logger, allowHosts := o.logger, o.allowHosts
	if o.logCalls {
		// The emulators' contract middleware logs problems with the request's context:
		// verdictHandler notes them on the call for its log line.
		logger = slog.New(verdictHandler{next: logger.Handler()})
	}
	vsOpts := []verisoultest.Option{verisoultest.WithLogger(logger), verisoultest.WithAllowedHosts(allowHosts...)}
	ipOpts := []iproovtest.Option{iproovtest.WithLogger(logger), iproovtest.WithAllowedHosts(allowHosts...)}
	if o.noRateLimits {
		// Verisoul's documented 300 a minute per key; iProov's emulator limits only when
		// asked to, and Verifik's has no limit to turn off.
		vsOpts = append(vsOpts, verisoultest.WithRateLimit(0, time.Minute))
		ipOpts = append(ipOpts, iproovtest.WithRateLimit(0, time.Minute))
	}
	if o.maxSessions > 0 {
		vsOpts = append(vsOpts, verisoultest.WithMaxSessions(o.maxSessions))
	}
	vs := verisoultest.New(vsOpts...)
	ip := iproovtest.New(ipOpts...)
	vf := verifiktest.New(verifiktest.WithLogger(logger), verifiktest.WithAllowedHosts(allowHosts...))
	mounts := []emulatorMount{
		{prefix: "/verisoul", name: "verisoul", vendor: "Verisoul (Face Match, ID Check)", controlPrefix: verisoultest.ControlPrefix,
			pages: []dashboard.Link{{Label: "hosted capture page", URL: verisoultest.AppPath + "?session_id=…&redirect_url=…"},
				// The public redirect creates a session and opens the page: a journey a person
				// can start by clicking, with no backend of their own.
				{Label: "try a Face Match journey", URL: "/public/liveness-redirect?project_id=" + verisoultest.DefaultProjectID},
				{Label: "try an ID Check journey", URL: "/public/liveness-redirect?id=true&project_id=" + verisoultest.DefaultProjectID}},
			handler: vs.Handler(), emulator: vs, state: inspector(vs),
			credentials: []dashboard.Credential{{Name: "x-api-key", Value: verisoultest.DefaultAPIKey}, {Name: "project", Value: verisoultest.DefaultProjectID}}},
		{prefix: "/iproov", name: "iproov", vendor: "iProov (claim API v2)", controlPrefix: iproovtest.ControlPrefix, basePath: iproovtest.BasePath,
			pages:   []dashboard.Link{{Label: "Web SDK (<iproov-me>)", URL: iproovtest.SDKScriptPath}, {Label: "SDK demo page", URL: iproovtest.SDKDemoPath}},
			handler: ip.Handler(), emulator: ip, state: inspector(ip),
			credentials: []dashboard.Credential{{Name: "api_key", Value: iproovtest.DefaultAPIKey}, {Name: "secret", Value: iproovtest.DefaultSecret},
				{Name: "OAuth", Value: iproovtest.DefaultOAuthUsername + ":" + iproovtest.DefaultOAuthPassword}}},
		{prefix: "/verifik", name: "verifik", vendor: "Verifik (Smart Enroll)", controlPrefix: verifiktest.ControlPrefix,
			pages: []dashboard.Link{{Label: "hosted sign-up", URL: verifiktest.AppPath + "{projectId}?token=…"},
				{Label: "try a journey", URL: verifiktest.AppStartPath}},
			handler: vf.Handler(), emulator: vf, state: inspector(vf),
			credentials: []dashboard.Credential{{Name: "client token", Value: verifiktest.DefaultClientToken}}},
	}
	mux := http.NewServeMux()
	for _, m := range mounts {
		h := m.handler
		if o.logCalls {
			h = logCalls(o.logger, m.name, newCallNamer(m.name), h)
		}
		mux.Handle(m.prefix+"/", http.StripPrefix(m.prefix, h))
	}
	mux.Handle("/{$}", newDashboard(mounts, allowHosts, logger))
	return mux, mounts
}

func runSandboxServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, stdout, stderr)
	if err != nil {
		if isHelp(err) {
			return 0
		}
		return 2
	}
	level := slog.LevelWarn
	if cfg.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	handler, mounts := newSandboxMux(muxOptions{logger: logger, allowHosts: cfg.allowHosts,
		logCalls: cfg.verbose, noRateLimits: cfg.rateLimit == rateLimitOff, maxSessions: cfg.maxSessions})

	ln, err := listen(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sandbox serve: %v\n", err)
		return 1
	}
	srv := newHTTPServer(cfg, handler, logger)
	// The banner is one write, so a reader that has its first line has all of it.
	base := "http://" + ln.Addr().String()
	var banner strings.Builder
	fmt.Fprintf(&banner, "idvkit sandbox listening on %s\n", base)
	fmt.Fprintf(&banner, "  %-34s %s/ (open it in a browser: base URLs, credentials, controls, live state, calls)\n", "dashboard", base)
	for _, m := range mounts {
		fmt.Fprintf(&banner, "  %-34s %s%s%s\n", m.vendor, base, m.prefix, m.basePath)
		fmt.Fprintf(&banner, "  %-34s sandbox credentials: %s\n", "", m.credentialText())
		fmt.Fprintf(&banner, "  %-34s controls under %s%s, faults at %s%s\n", "", base, m.controls(), base, m.faults())
	}
	fmt.Fprintf(&banner, "  control requests take Content-Type application/json and a loopback Host, this address or an -allow-host name\n")
	_, _ = io.WriteString(stdout, banner.String())
	if warning := exposureWarning(ln.Addr()); warning != "" {
		fmt.Fprintln(stderr, warning)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		// Requests in flight finish with their real answers; new connections are refused.
		fmt.Fprintf(stderr, "sandbox serve: shutting down, letting requests in flight finish (up to %v)\n", cfg.shutdownTimeout)
		shutdown, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
		defer cancel()
		// Emulators with work of their own (Verifik's webhook deliveries) stop with the server.
		defer func() {
			for _, m := range mounts {
				if c, ok := m.emulator.(io.Closer); ok {
					_ = c.Close()
				}
			}
		}()
		if err := srv.Shutdown(shutdown); err != nil {
			_ = srv.Close()
			fmt.Fprintf(stderr, "sandbox serve: requests still in flight after %v were cut off\n", cfg.shutdownTimeout)
			return 1
		}
		return 0
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return 0
		}
		fmt.Fprintf(stderr, "sandbox serve: %v\n", strings.TrimSpace(err.Error()))
		return 1
	}
}
