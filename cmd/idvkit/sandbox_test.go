package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

// runMainEnv makes the test binary run idvkit's main instead of the tests, so a test can
// start the real command as a child process and send it signals.
const runMainEnv = "IDVKIT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// guard bounds every wait on the server in these tests. It is a hang detector, never a
// figure under test: reaching it means the bound under test did not work.
const guard = 10 * time.Second

// TestSandboxServeMountsEveryEmulator calls each vendor through its prefix, with and
// without the sandbox credentials, as a user of `idvkit sandbox serve` would.
func TestSandboxServeMountsEveryEmulator(t *testing.T) {
	h, mounts := sandboxMux(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	require.Len(t, mounts, 3)
	srv := httptest.NewServer(h)
	defer srv.Close()

	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"index lists base URLs", "GET", "/", nil, "", 200, "/iproov/api/v2"},
		{"index lists controls", "GET", "/", nil, "", 200, "/verifik/_sandbox/verifik/"},
		{"verisoul session with key", "GET", "/verisoul/liveness/session",
			map[string]string{"x-api-key": verisoultest.DefaultAPIKey}, "", 200, `"session_id"`},
		{"verisoul session with wrong key", "GET", "/verisoul/liveness/session",
			map[string]string{"x-api-key": "wrong"}, "", 401, ""},
		{"iproov availability", "GET", "/iproov/api/v2/availability?api_key=" + iproovtest.DefaultAPIKey, nil, "", 200, `"up"`},
		{"iproov token with bad credentials", "POST", "/iproov/api/v2/claim/enrol/token",
			map[string]string{"Content-Type": "application/json"},
			`{"api_key":"` + iproovtest.DefaultAPIKey + `","secret":"wrong","resource":"idvkit","user_id":"alice@example.com"}`, 401, "invalid_key"},
		{"verifik projects with client token", "GET", "/verifik/v2/projects",
			map[string]string{"Authorization": "Bearer " + verifiktest.DefaultClientToken}, "", 200, `"data"`},
		{"verifik projects with wrong token", "GET", "/verifik/v2/projects",
			map[string]string{"Authorization": "Bearer wrong"}, "", 401, ""},
		{"unknown vendor", "GET", "/onfido/v3/applicants", nil, "", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, res.StatusCode, string(body))
			assert.Contains(t, string(body), tc.wantBody)
		})
	}
}

// TestServeFlags checks the server's bounds come from the flags, with safe defaults, and
// that a bound of zero (net/http's "no limit") is a usage error.
func TestServeFlags(t *testing.T) {
	defaults := serveConfig{
		addr: "127.0.0.1:8080", readHeaderTimeout: 5 * time.Second, readTimeout: 30 * time.Second,
		writeTimeout: 90 * time.Second, idleTimeout: 30 * time.Second, shutdownTimeout: 8 * time.Second,
		maxHeaderBytes: 64 << 10, maxConns: 256, rateLimit: "vendor", maxSessions: 10_000,
	}
	with := func(f func(*serveConfig)) serveConfig { c := defaults; f(&c); return c }
	tests := []struct {
		name    string
		args    []string
		want    serveConfig
		wantErr string
	}{
		{"defaults", nil, defaults, ""},
		{"every bound from its flag", []string{"-addr", "127.0.0.1:9", "-read-header-timeout", "1s", "-read-timeout", "2s",
			"-write-timeout", "3s", "-idle-timeout", "4s", "-shutdown-timeout", "5s", "-max-header-bytes", "2048", "-max-conns", "7"},
			serveConfig{addr: "127.0.0.1:9", readHeaderTimeout: time.Second, readTimeout: 2 * time.Second, writeTimeout: 3 * time.Second,
				idleTimeout: 4 * time.Second, shutdownTimeout: 5 * time.Second, maxHeaderBytes: 2048, maxConns: 7, rateLimit: "vendor", maxSessions: 10_000}, ""},
		{"max sessions", []string{"-max-sessions", "4194304"}, with(func(c *serveConfig) { c.maxSessions = 1 << 22 }), ""},
		{"zero max sessions", []string{"-max-sessions", "0"}, serveConfig{}, "-max-sessions must be positive"},
		{"rate limits off", []string{"-rate-limit", "off"}, with(func(c *serveConfig) { c.rateLimit = "off" }), ""},
		{"rate limit neither vendor nor off", []string{"-rate-limit", "none"}, serveConfig{}, `-rate-limit is "none"; use vendor or off`},
		{"allow-host repeated and comma-separated", []string{"-allow-host", "sandbox", "-allow-host", "idv.test, other"},
			with(func(c *serveConfig) { c.allowHosts = []string{"sandbox", "idv.test", "other"} }), ""},
		{"zero read timeout", []string{"-read-timeout", "0"}, serveConfig{}, "-read-timeout must be positive"},
		{"negative idle timeout", []string{"-idle-timeout", "-1s"}, serveConfig{}, "-idle-timeout must be positive"},
		{"zero write timeout", []string{"-write-timeout", "0s"}, serveConfig{}, "-write-timeout must be positive"},
		{"zero header timeout", []string{"-read-header-timeout", "0s"}, serveConfig{}, "-read-header-timeout must be positive"},
		{"zero max conns", []string{"-max-conns", "0"}, serveConfig{}, "-max-conns must be positive"},
		{"zero max header bytes", []string{"-max-header-bytes", "0"}, serveConfig{}, "-max-header-bytes must be positive"},
		{"stray argument", []string{"now"}, serveConfig{}, `unexpected argument "now"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cfg, err := parseServeFlags(tc.args, io.Discard, &stderr)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, stderr.String(), tc.wantErr)
				assert.Equal(t, 2, runSandboxServe(context.Background(), tc.args, io.Discard, io.Discard), "a usage error exits 2")
				return
			}
			require.NoError(t, err, stderr.String())
			assert.Equal(t, tc.want, cfg)

			srv := newHTTPServer(cfg, http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
			assert.Equal(t, tc.want.readHeaderTimeout, srv.ReadHeaderTimeout)
			assert.Equal(t, tc.want.readTimeout, srv.ReadTimeout)
			assert.Equal(t, tc.want.writeTimeout, srv.WriteTimeout)
			assert.Equal(t, tc.want.idleTimeout, srv.IdleTimeout)
			assert.Equal(t, tc.want.maxHeaderBytes, srv.MaxHeaderBytes)
			assert.NotNil(t, srv.ErrorLog, "server errors go to the command's logger")
		})
	}
	// An injected latency fault must still end in the emulator's answer.
	assert.Greater(t, defaults.writeTimeout, time.Duration(sandbox.MaxLatencyMS)*time.Millisecond)
}

// TestServeUsageSaysWhatIsExposed: the default is loopback and the usage says so; an
// address without a host is named as exposing the sandbox to the network.
func TestServeUsageSaysWhatIsExposed(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"help"}, &out, io.Discard))
	assert.Contains(t, out.String(), "sandbox serve [-addr 127.0.0.1:8080]")
	assert.Contains(t, out.String(), "-addr :8080 exposes the\n")
	assert.NotContains(t, out.String(), "serve [-addr :8080]")

	var serveHelp bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"sandbox", "serve", "-h"}, &serveHelp, io.Discard), "-h is not an error")
	for _, want := range []string{"127.0.0.1:8080, is reachable from this machine only", "-addr :8080 exposes the sandbox to the network",
		"-read-timeout", "-write-timeout", "-idle-timeout", "-read-header-timeout", "-max-header-bytes", "-max-conns", "-allow-host", "-rate-limit", "-v"} {
		assert.Contains(t, serveHelp.String(), want)
	}
}

// TestServeExposureWarning: anything but a loopback listener is warned about at start.
func TestServeExposureWarning(t *testing.T) {
	tests := []struct {
		addr net.Addr
		warn bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, false},
		{&net.TCPAddr{IP: net.IPv4(127, 1, 2, 3), Port: 8080}, false},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, false},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, true}, // -addr :8080
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, true},        // -addr 0.0.0.0:8080
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 8080}, true},
	}
	for _, tc := range tests {
		t.Run(tc.addr.String(), func(t *testing.T) {
			w := exposureWarning(tc.addr)
			if !tc.warn {
				assert.Empty(t, w)
				return
			}
			assert.Contains(t, w, "exposed to the network")
			assert.Contains(t, w, tc.addr.String())
		})
	}
}

// served is an in-process `idvkit sandbox serve`.
type served struct {
	base   string // http://127.0.0.1:port
	addr   string // 127.0.0.1:port
	stdout *syncBuffer
	stderr *syncBuffer
	stop   context.CancelFunc
	code   chan int
}

// startServe runs `idvkit sandbox serve` on a free loopback port with extra flags, and
// stops it when the test ends.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: newSyncBuffer(), stderr: newSyncBuffer(), stop: cancel, code: make(chan int, 1)}
	go func() {
		s.code <- runSandboxServe(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), s.stdout, s.stderr)
	}()
	select {
	case <-s.stdout.firstLine:
	case code := <-s.code:
		t.Fatalf("serve exited %d: %s", code, s.stderr.String())
	case <-time.After(guard):
		t.Fatal("serve did not start")
	}
	line := strings.SplitN(s.stdout.String(), "\n", 2)[0]
	s.base = strings.TrimPrefix(line, "idvkit sandbox listening on ")
	require.True(t, strings.HasPrefix(s.base, "http://127.0.0.1:"), line)
	s.addr = strings.TrimPrefix(s.base, "http://")
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.code:
		case <-time.After(guard):
			t.Error("serve did not stop")
		}
	})
	return s
}

// syncBuffer collects a command's output from another goroutine and tells when its
// first line is complete.
type syncBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	firstLine chan struct{}
	once      sync.Once
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{firstLine: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if bytes.IndexByte(b.buf.Bytes(), '\n') >= 0 {
		b.once.Do(func() { close(b.firstLine) })
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dial opens a raw connection to the server, closed when the test ends.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, guard)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitClosed reads until the server closes the connection and returns what it sent. It
// fails the test if the server is still holding the connection open after guard.
func waitClosed(t *testing.T, c net.Conn) string {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(guard)))
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still held the connection after %v; it had sent %q", guard, got)
	}
	// A reset instead of a FIN is as good: the server let go.
	return string(got)
}

// TestServeCutsOffSlowBody: a body trickling in at a steady pace is cut off by
// -read-timeout, not kept open for as long as the client keeps sending.
func TestServeCutsOffSlowBody(t *testing.T) {
	s := startServe(t, "-read-timeout", "300ms")
	c := dial(t, s.addr)
	_, err := fmt.Fprintf(c, "POST /verifik/v2/app-registrations HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Authorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n{", s.addr, verifiktest.DefaultClientToken)
	require.NoError(t, err)
	done := make(chan struct{})
	defer close(done)
	go func() { // one byte every 20 ms, far longer than the read timeout if it were allowed
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range 100_000 {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	got := waitClosed(t, c)
	if got != "" {
		assert.NotContains(t, got, "HTTP/1.1 2", "a cut-off body is never served as a success")
	}
}

// TestServeClosesIdleKeepAlive: a keep-alive connection that sends nothing after its
// answer is closed after -idle-timeout.
func TestServeClosesIdleKeepAlive(t *testing.T) {
	s := startServe(t, "-idle-timeout", "200ms")
	c := dial(t, s.addr)
	_, err := fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", s.addr)
	require.NoError(t, err)
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	assert.False(t, res.Close, "the connection is kept alive")

	require.NoError(t, c.SetReadDeadline(time.Now().Add(guard)))
	rest, err := io.ReadAll(br)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the idle connection was still open after %v", guard)
	assert.Empty(t, rest)
}

// TestServeMaxConns: with -max-conns 1, a second connection is not served while the first
// is open, and is served once the first closes.
func TestServeMaxConns(t *testing.T) {
	s := startServe(t, "-max-conns", "1")
	get := func(c net.Conn) (*http.Response, error) {
		if _, err := fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", s.addr); err != nil {
			return nil, err
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		return res, err
	}

	first := dial(t, s.addr)
	require.NoError(t, first.SetReadDeadline(time.Now().Add(guard)))
	res, err := get(first) // served, then held open as an idle keep-alive
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)

	second := dial(t, s.addr) // the kernel completes the handshake; the server does not accept it
	// How long "not served" is watched for is arbitrary; a served request answers in
	// well under a millisecond on loopback.
	require.NoError(t, second.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err = get(second)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "the second connection was served while the first was open: %v", err)

	require.NoError(t, first.Close())
	require.NoError(t, second.SetReadDeadline(time.Now().Add(guard)))
	res, err = http.ReadResponse(bufio.NewReader(second), nil) // the request sent above
	require.NoError(t, err, "the second connection is served once the first closes")
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
}

// TestLimitListenerCloseWakesAccept: a full server still shuts down.
func TestLimitListenerCloseWakesAccept(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := limitListener(inner, 1)
	c, err := net.Dial("tcp", inner.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	held, err := ln.Accept()
	require.NoError(t, err)
	defer held.Close()

	accepted := make(chan error, 1)
	go func() {
		c, err := ln.Accept() // waits for a slot
		if c != nil {
			_ = c.Close()
		}
		accepted <- err
	}()
	require.NoError(t, ln.Close())
	select {
	case err := <-accepted:
		assert.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(guard):
		t.Fatal("Accept still waiting after Close")
	}
}

// TestServeOversizeHeaders: a header block beyond -max-header-bytes is answered 431.
// net/http allows 4 KiB over the bound, so the sizes below clear it by more than that.
func TestServeOversizeHeaders(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		headerSize int
		wantStatus int
	}{
		{"default bound, small header", nil, 1 << 10, 200},
		{"default bound, 128 KiB header", nil, 128 << 10, 431},
		{"-max-header-bytes 1024, 2 KiB header", []string{"-max-header-bytes", "1024"}, 2 << 10, 200},
		{"-max-header-bytes 1024, 16 KiB header", []string{"-max-header-bytes", "1024"}, 16 << 10, 431},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServe(t, tc.args...)
			req, err := http.NewRequest(http.MethodGet, s.base+"/", nil)
			require.NoError(t, err)
			req.Header.Set("X-Padding", strings.Repeat("a", tc.headerSize))
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, tc.wantStatus, res.StatusCode)
		})
	}
}

// TestServeBannerNamesMountedControls: the banner's control and fault URLs include the
// vendor's mount prefix, and each of them answers.
func TestServeBannerNamesMountedControls(t *testing.T) {
	s := startServe(t)
	out := s.stdout.String()
	for _, want := range []struct{ controls, faults string }{
		{"/verisoul/_sandbox/verisoul/", "/verisoul/_sandbox/faults"},
		{"/iproov/_sandbox/iproov/", "/iproov/_sandbox/faults"},
		{"/verifik/_sandbox/verifik/", "/verifik/_sandbox/faults"},
	} {
		assert.Contains(t, out, "controls under "+s.base+want.controls)
		assert.Contains(t, out, "faults at "+s.base+want.faults)
		res, err := http.Get(s.base + want.faults)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode, want.faults)
	}
	for _, control := range []string{"/verisoul/_sandbox/verisoul/enrollments", "/iproov/_sandbox/iproov/stats", "/verifik/_sandbox/verifik/outbox"} {
		res, err := http.Get(s.base + control)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode, control)
	}
	assert.NotContains(t, out, "<base>/_sandbox/", "no control path without its mount")
	assert.Empty(t, s.stderr.String(), "no exposure warning on loopback")
}

// TestServeAllowHost: the control endpoints of every emulator answer a Host named by
// -allow-host (a docker service name, say) and refuse any other non-loopback name.
func TestServeAllowHost(t *testing.T) {
	paths := []string{
		"/verisoul/_sandbox/verisoul/enrollments", "/iproov/_sandbox/iproov/stats", "/verifik/_sandbox/verifik/outbox",
		"/verisoul/_sandbox/faults", "/iproov/_sandbox/faults", "/verifik/_sandbox/faults",
	}
	tests := []struct {
		name       string
		args       []string
		host       string
		wantStatus int
	}{
		{"loopback host", nil, "", 200},
		{"service name, not allowed", nil, "sandbox:8080", 403},
		{"service name allowed", []string{"-allow-host", "sandbox"}, "sandbox:8080", 200},
		{"one of a comma list", []string{"-allow-host", "other,sandbox"}, "sandbox:8080", 200},
		{"another name while one is allowed", []string{"-allow-host", "sandbox"}, "attacker.example:8080", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServe(t, tc.args...)
			for _, path := range paths {
				req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
				require.NoError(t, err)
				if tc.host != "" {
					req.Host = tc.host
				}
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				res.Body.Close()
				assert.Equal(t, tc.wantStatus, res.StatusCode, path)
			}
		})
	}
}

// TestServeGracefulOnSIGTERM runs the real command as a child process, holds a request in
// flight with a latency fault, sends SIGTERM (what docker stop and Kubernetes send) and
// expects the request to get its real answer and the process to exit 0.
func TestServeGracefulOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	cmd := exec.Command(os.Args[0], "sandbox", "serve", "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := newSyncBuffer()
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "no banner; stderr: %s", stderr.String())
	base := strings.TrimPrefix(lines.Text(), "idvkit sandbox listening on ")
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), lines.Text())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	client := &http.Client{Timeout: guard}
	faults := base + "/verisoul" + sandbox.ControlPath
	req, err := http.NewRequest(http.MethodPut, faults, strings.NewReader(`[{"kind":"latency","rate":1,"latency_ms":1000}]`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNoContent, res.StatusCode)

	type answer struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, base+"/verisoul/liveness/session", nil)
		req.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
		res, err := client.Do(req)
		if err != nil {
			inflight <- answer{err: err}
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		inflight <- answer{status: res.StatusCode, body: string(body), err: err}
	}()
	// The request is in flight once the injector has picked its latency fault.
	require.Eventually(t, func() bool {
		res, err := client.Get(faults)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var state struct{ Counts map[string]int }
		return json.NewDecoder(res.Body).Decode(&state) == nil && state.Counts["latency"] == 1
	}, guard, 5*time.Millisecond)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	got := <-inflight
	require.NoError(t, got.err, "the request in flight was dropped; stderr: %s", stderr.String())
	assert.Equal(t, 200, got.status)
	assert.Contains(t, got.body, `"session_id"`)

	select {
	case <-exited:
		assert.NoError(t, waitErr, "exit status; stderr: %s", stderr.String())
	case <-time.After(guard):
		t.Fatal("serve did not exit after SIGTERM")
	}
	assert.Contains(t, stderr.String(), "shutting down")
}
