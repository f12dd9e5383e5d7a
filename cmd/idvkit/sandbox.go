package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/idvkit/idvkit/pkg/sandbox"
	iproovsandbox "github.com/idvkit/idvkit/pkg/sandbox/iproov"
	verifiksandbox "github.com/idvkit/idvkit/pkg/sandbox/verifik"
	verisoulsandbox "github.com/idvkit/idvkit/pkg/sandbox/verisoul"
)

// emulatorMount is one vendor emulator served under a path prefix.
type emulatorMount struct {
	prefix  string
	vendor  string
	handler http.Handler
	// basePath is what a client appends to the prefix to form its base URL.
	basePath string
	// controlPrefix is the emulator's own root of control endpoints, under prefix.
	controlPrefix string
	// credentials tells users which sandbox credentials the emulator accepts. They are
	// the emulators' fixed sandbox defaults, never real vendor credentials.
	credentials string
}

// controls and faults are the mounted control roots, as a client outside must call them.
func (m emulatorMount) controls() string { return m.prefix + m.controlPrefix }
func (m emulatorMount) faults() string   { return m.prefix + sandbox.ControlPath }

// sandboxMux serves every emulator under its own prefix: /verisoul, /iproov, /verifik.
// allowHosts are Host names, beyond loopback and the server's own address, allowed to
// reach the emulators' control endpoints.
func sandboxMux(logger *slog.Logger, allowHosts []string) (http.Handler, []emulatorMount) {
	mounts := []emulatorMount{
		{prefix: "/verisoul", vendor: "Verisoul (Face Match, ID Check)", controlPrefix: verisoulsandbox.ControlPrefix,
			handler:     verisoulsandbox.New(verisoulsandbox.WithLogger(logger), verisoulsandbox.WithAllowedHosts(allowHosts...)).Handler(),
			credentials: "x-api-key " + verisoulsandbox.DefaultAPIKey + ", project " + verisoulsandbox.DefaultProjectID},
		{prefix: "/iproov", vendor: "iProov (claim API v2)", controlPrefix: iproovsandbox.ControlPrefix, basePath: iproovsandbox.BasePath,
			handler:     iproovsandbox.New(iproovsandbox.WithLogger(logger), iproovsandbox.WithAllowedHosts(allowHosts...)).Handler(),
			credentials: "api_key " + iproovsandbox.DefaultAPIKey + ", secret " + iproovsandbox.DefaultSecret + ", OAuth " + iproovsandbox.DefaultOAuthUsername + ":" + iproovsandbox.DefaultOAuthPassword},
		{prefix: "/verifik", vendor: "Verifik (Smart Enroll)", controlPrefix: verifiksandbox.ControlPrefix,
			handler:     verifiksandbox.New(verifiksandbox.WithLogger(logger), verifiksandbox.WithAllowedHosts(allowHosts...)).Handler(),
			credentials: "client token " + verifiksandbox.DefaultClientToken},
	}
	mux := http.NewServeMux()
	for _, m := range mounts {
		h := http.StripPrefix(m.prefix, m.handler)
		mux.Handle(m.prefix+"/", h)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, m := range mounts {
			fmt.Fprintf(w, "%-34s base URL %s%s\n", m.vendor, m.prefix, m.basePath)
			fmt.Fprintf(w, "%-34s controls %s, faults %s\n", "", m.controls(), m.faults())
		}
	})
	return mux, mounts
}

func runSandboxServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, stderr)
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
	handler, mounts := sandboxMux(logger, cfg.allowHosts)

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
	for _, m := range mounts {
		fmt.Fprintf(&banner, "  %-34s %s%s%s\n", m.vendor, base, m.prefix, m.basePath)
		fmt.Fprintf(&banner, "  %-34s sandbox credentials: %s\n", "", m.credentials)
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
