package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

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
	// credentials tells users which sandbox credentials the emulator accepts. They are
	// the emulators' fixed sandbox defaults, never real vendor credentials.
	credentials string
}

// sandboxMux serves every emulator under its own prefix: /verisoul, /iproov, /verifik.
func sandboxMux(logger *slog.Logger) (http.Handler, []emulatorMount) {
	mounts := []emulatorMount{
		{prefix: "/verisoul", vendor: "Verisoul (Face Match, ID Check)", handler: verisoulsandbox.New(verisoulsandbox.WithLogger(logger)).Handler(),
			credentials: "x-api-key " + verisoulsandbox.DefaultAPIKey + ", project " + verisoulsandbox.DefaultProjectID},
		{prefix: "/iproov", vendor: "iProov (claim API v2)", handler: iproovsandbox.New(iproovsandbox.WithLogger(logger)).Handler(), basePath: iproovsandbox.BasePath,
			credentials: "api_key " + iproovsandbox.DefaultAPIKey + ", secret " + iproovsandbox.DefaultSecret + ", OAuth " + iproovsandbox.DefaultOAuthUsername + ":" + iproovsandbox.DefaultOAuthPassword},
		{prefix: "/verifik", vendor: "Verifik (Smart Enroll)", handler: verifiksandbox.New(verifiksandbox.WithLogger(logger)).Handler(),
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
		}
	})
	return mux, mounts
}

func runSandboxServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	verbose := fs.Bool("v", false, "log every emulated call (no secrets, images or personal data)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	handler, mounts := sandboxMux(logger)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "sandbox serve: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "idvkit sandbox listening on %s\n", base)
	for _, m := range mounts {
		fmt.Fprintf(stdout, "  %-34s %s%s%s\n", m.vendor, base, m.prefix, m.basePath)
		fmt.Fprintf(stdout, "  %-34s sandbox credentials: %s\n", "", m.credentials)
	}
	fmt.Fprintf(stdout, "  control endpoints under <base>/_sandbox/…; faults at <base>/_sandbox/faults\n")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		return 0
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return 0
		}
		fmt.Fprintf(stderr, "sandbox serve: %v\n", strings.TrimSpace(err.Error()))
		return 1
	}
}
