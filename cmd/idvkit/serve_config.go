package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"

	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Defaults of `idvkit sandbox serve`. The sandbox serves tests on this machine or a CI
// network, where a request body of a few MiB arrives in milliseconds; the bounds are there
// so a stalled or hostile client cannot hold a connection, a descriptor or memory for long.
const (
	defaultServeAddr = "127.0.0.1:8080"
	// defaultReadHeaderTimeout bounds reading a request's line and headers.
	defaultReadHeaderTimeout = 5 * time.Second
	// defaultReadTimeout bounds reading a whole request, body included: a body sent at
	// 1 byte/s is cut off after this long, however steadily it trickles.
	defaultReadTimeout = 30 * time.Second
	// defaultWriteTimeout bounds a request from its headers to the end of its answer. It
	// exceeds the longest latency fault (sandbox.MaxLatencyMS) so an injected delay still
	// ends in the emulator's real answer.
	defaultWriteTimeout = time.Duration(sandbox.MaxLatencyMS)*time.Millisecond + 30*time.Second
	// defaultIdleTimeout closes a keep-alive connection that sends no new request.
	defaultIdleTimeout = 30 * time.Second
	// defaultShutdownTimeout is how long SIGTERM or Ctrl-C waits for requests in flight;
	// under docker stop's 10 s grace period.
	defaultShutdownTimeout = 8 * time.Second
	// defaultMaxHeaderBytes bounds a request's headers (net/http allows 4 KiB more); the
	// vendors' requests carry a key or a bearer token, never kilobytes of headers.
	defaultMaxHeaderBytes = 64 << 10
	// defaultMaxConns bounds connections served at once; the next one waits in the
	// kernel's accept queue, holding no descriptor of the server's.
	defaultMaxConns = 256
)

// serveConfig is what `idvkit sandbox serve` takes from its command line.
type serveConfig struct {
	addr              string
	verbose           bool
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	maxHeaderBytes    int
	maxConns          int
	allowHosts        []string
	// rateLimit is rateLimitVendor (the emulators' vendor limits) or rateLimitOff.
	rateLimit string
	// maxSessions caps the Verisoul sessions held per project (-max-sessions).
	maxSessions int
}

// Values of -rate-limit.
const (
	rateLimitVendor = "vendor"
	rateLimitOff    = "off"
)

// hostList is a repeatable flag that also takes comma-separated names.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }

func (h *hostList) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			*h = append(*h, name)
		}
	}
	return nil
}

const serveUsage = `Usage: idvkit sandbox serve [flags]

Serves the Verisoul, iProov and Verifik emulators under /verisoul, /iproov and /verifik.
The default address, 127.0.0.1:8080, is reachable from this machine only. An address
without a host, such as -addr :8080, exposes the sandbox to the network: anyone who can
reach the port can use its fixed sandbox credentials, read the OTPs it "sent" and drive
its control endpoints. Control endpoints (/<vendor>/_sandbox/...) answer only requests
whose Host is loopback, the server's own address or an -allow-host name, and take
Content-Type application/json. On SIGTERM or an interrupt the server stops accepting
connections and lets requests in flight finish (up to -shutdown-timeout); a second
signal stops it at once.

-v logs one line per emulated call on stderr: vendor, method, operation, status, duration
and contract verdict (ok, drift, violation); never paths, queries, headers or bodies,
which can carry keys and tokens. -rate-limit off lifts the vendors' rate limits (Verisoul:
300 requests a minute per key) so the sandbox can be load-tested; they are on by default.
A load test that opens more Verisoul sessions than -max-sessions holds gets 429s once all
of them are still usable: raise it with the memory to match (about a kilobyte a session).

Flags:
`

// parseServeFlags reads the command line of `sandbox serve`. A usage error is reported
// on stderr; flag.ErrHelp means -h was asked for and usage was printed on stdout.
func parseServeFlags(args []string, stdout, stderr io.Writer) (serveConfig, error) {
	cfg := serveConfig{}
	var hosts hostList
	fs := flag.NewFlagSet("sandbox serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", defaultServeAddr,
		"listen address; the default is loopback only, -addr :8080 exposes the sandbox to the network")
	fs.BoolVar(&cfg.verbose, "v", false, "log every emulated call: method, operation, status, duration, contract verdict (no paths, secrets or personal data)")
	fs.StringVar(&cfg.rateLimit, "rate-limit", rateLimitVendor, "vendor: the vendors' rate limits (default); off: none, for load tests")
	fs.DurationVar(&cfg.readHeaderTimeout, "read-header-timeout", defaultReadHeaderTimeout, "longest time to read a request's headers")
	fs.DurationVar(&cfg.readTimeout, "read-timeout", defaultReadTimeout, "longest time to read a whole request, body included")
	fs.DurationVar(&cfg.writeTimeout, "write-timeout", defaultWriteTimeout,
		"longest time from a request's headers to the end of its answer (above the longest latency fault)")
	fs.DurationVar(&cfg.idleTimeout, "idle-timeout", defaultIdleTimeout, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", defaultShutdownTimeout,
		"on SIGTERM or interrupt, how long to let requests in flight finish")
	fs.IntVar(&cfg.maxHeaderBytes, "max-header-bytes", defaultMaxHeaderBytes, "largest request header block, in bytes (larger: 431)")
	fs.IntVar(&cfg.maxConns, "max-conns", defaultMaxConns, "connections served at once; more wait to be accepted")
	fs.IntVar(&cfg.maxSessions, "max-sessions", verisoultest.DefaultMaxSessions,
		"Verisoul sessions held per project, unenrolled ones expiring first; past it, 429 (a bound on memory)")
	fs.Var(&hosts, "allow-host", "a Host name also allowed to reach the control endpoints, e.g. a docker service name (repeatable, or comma-separated)")
	if code, ok := parseFlags(fs, args, false, stdout, stderr); !ok {
		if code == exitOK {
			return cfg, flag.ErrHelp
		}
		return cfg, errUsage
	}
	cfg.allowHosts = hosts
	if err := cfg.validate(); err != nil {
		usageError(fs, stderr, err)
		return cfg, err
	}
	return cfg, nil
}

// validate refuses a zero or negative bound: net/http reads those as "no limit", which
// is what these flags exist to prevent.
func (c serveConfig) validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"-read-header-timeout", c.readHeaderTimeout}, {"-read-timeout", c.readTimeout},
		{"-write-timeout", c.writeTimeout}, {"-idle-timeout", c.idleTimeout}, {"-shutdown-timeout", c.shutdownTimeout},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s must be positive, got %v", d.name, d.v)
		}
	}
	if c.maxHeaderBytes <= 0 {
		return fmt.Errorf("-max-header-bytes must be positive, got %d", c.maxHeaderBytes)
	}
	if c.rateLimit != rateLimitVendor && c.rateLimit != rateLimitOff {
		return fmt.Errorf("-rate-limit is %q; use %s or %s", c.rateLimit, rateLimitVendor, rateLimitOff)
	}
	if c.maxSessions <= 0 {
		return fmt.Errorf("-max-sessions must be positive, got %d", c.maxSessions)
	}
	if c.maxConns <= 0 {
		return fmt.Errorf("-max-conns must be positive, got %d", c.maxConns)
	}
	return nil
}

// newHTTPServer is the sandbox's server with every bound of cfg set.
func newHTTPServer(cfg serveConfig, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    cfg.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// listen opens cfg.addr with at most cfg.maxConns connections served at once.
func listen(cfg serveConfig) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	return limitListener(ln, cfg.maxConns), nil
}

// exposureWarning is the line printed on stderr when the sandbox listens beyond loopback,
// or "" when it does not.
func exposureWarning(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("sandbox serve: warning: listening on %s, which is not loopback: the sandbox is exposed to the network "+
		"(fixed sandbox credentials, OTP outbox, control endpoints); use -addr 127.0.0.1:PORT to keep it on this machine", a)
}

// errUsage is a usage error already reported on stderr.
var errUsage = errors.New("usage error")

// isHelp tells a -h request from a usage error.
func isHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }
