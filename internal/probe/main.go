// Command probe measures how `idvkit sandbox serve` holds up against hostile clients, the
// figures docs/RELIABILITY.md quotes: 1 GiB request bodies (declared and chunked) on each
// route family, a body sent at 1 byte/s, an idle keep-alive, and 2,000 stalled
// connections. It builds idvkit, starts `idvkit sandbox serve` as a child on a free
// 127.0.0.1 port, sends traffic to that port only, prints a table and stops the child.
// Every case has a time bound, and a body case is abandoned if the child's RSS passes
// -rss-limit, so the probe cannot take the machine down with the server it measures.
//
//	make probe                      # or: go run ./internal/probe
//	go run ./internal/probe -bin ./idvkit -stalled 500
//
// Linux only (it reads /proc/<pid>). Not part of make test.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

type options struct {
	goCmd       string
	bin         string
	serveArgs   string
	bodyBytes   int64
	stalled     int
	caseTimeout time.Duration
	slowLimit   time.Duration
	rssLimit    int64
	maxTime     time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.goCmd, "go", "go", "the go command that builds idvkit")
	flag.StringVar(&o.bin, "bin", "", "an idvkit binary to probe (default: build one into a temporary directory)")
	flag.StringVar(&o.serveArgs, "serve-args", "", "extra flags for `idvkit sandbox serve`, space-separated")
	flag.Int64Var(&o.bodyBytes, "body-bytes", 1<<30, "size of the oversize bodies")
	flag.IntVar(&o.stalled, "stalled", 2000, "stalled connections to open")
	flag.DurationVar(&o.caseTimeout, "case-timeout", 30*time.Second, "bound of one body case")
	flag.DurationVar(&o.slowLimit, "slow-limit", 120*time.Second, "bound of the slow-body and idle keep-alive cases")
	flag.Int64Var(&o.rssLimit, "rss-limit", 2<<30, "abandon a body case when the child's RSS passes this many bytes")
	flag.DurationVar(&o.maxTime, "max-time", 6*time.Minute, "bound of the whole probe")
	flag.Parse()
	if runtime.GOOS != "linux" {
		fmt.Fprintln(os.Stderr, "probe: reads /proc; Linux only")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.maxTime)
	defer cancel()
	if err := probe(ctx, o, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "probe: %v\n", err)
		os.Exit(1)
	}
}

// child is the running `idvkit sandbox serve`.
type child struct {
	cmd    *exec.Cmd
	pid    int
	addr   string // 127.0.0.1:port
	exited chan struct{}
	stderr *tailBuffer
}

func probe(ctx context.Context, o options, out io.Writer) error {
	bin := o.bin
	if bin == "" {
		dir, err := os.MkdirTemp("", "idvkit-probe-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "idvkit")
		logf("building idvkit")
		build := exec.CommandContext(ctx, o.goCmd, "build", "-o", bin, "github.com/idvkit/idvkit/cmd/idvkit")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	c, err := start(ctx, bin, strings.Fields(o.serveArgs))
	if err != nil {
		return err
	}
	defer func() { c.stop() }()

	rss, _ := procStatus(c.pid, "VmRSS")
	fds, _ := openFDs(c.pid)
	fmt.Fprintf(out, "idvkit sandbox serve %s, pid %d: RSS %s, %d fds at rest\n\n", strings.TrimSpace("-addr 127.0.0.1:0 "+o.serveArgs), c.pid, mib(rss), fds)

	fmt.Fprintf(out, "Oversize bodies (%s each)\n\n", mib(o.bodyBytes))
	fmt.Fprintln(out, "| route | body | answer | time to answer | body bytes sent | peak RSS before | peak RSS after |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|")
	for _, rt := range routes() {
		for _, chunked := range []bool{false, true} {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r := c.bodyCase(ctx, o, rt, chunked)
			kind := "Content-Length"
			if chunked {
				kind = "chunked"
			}
			fmt.Fprintf(out, "| %s %s | %s | %s | %s | %s | %s | %s |\n", rt.method, rt.path, kind, r.answer,
				ms(r.elapsed), mib(r.sent), mib(r.hwmBefore), mib(r.hwmAfter))
			if r.abandoned || c.dead() {
				// A Go process keeps memory it grew into for minutes: the next case gets a
				// fresh child, so it is not abandoned for its predecessor's RSS.
				logf("restarting idvkit")
				c.stop()
				if c, err = start(ctx, bin, strings.Fields(o.serveArgs)); err != nil {
					return err
				}
			}
		}
	}
	fmt.Fprintln(out)

	var wg sync.WaitGroup
	var slow, idle timedResult
	wg.Add(2)
	go func() { defer wg.Done(); slow = c.slowBody(ctx, o.slowLimit) }()
	go func() { defer wg.Done(); idle = c.idleKeepAlive(ctx, o.slowLimit) }()
	logf("slow body and idle keep-alive (up to %v)", o.slowLimit)
	wg.Wait()
	fmt.Fprintln(out, "| slow and idle clients | figure |")
	fmt.Fprintln(out, "|---|---|")
	fmt.Fprintf(out, "| body sent at 1 byte/s: cut off after | %s |\n", slow)
	fmt.Fprintf(out, "| idle keep-alive: closed after | %s |\n", idle)
	fmt.Fprintln(out)

	st := c.stalledConns(ctx, o.stalled)
	fmt.Fprintln(out, "| stalled connections | figure |")
	fmt.Fprintln(out, "|---|---|")
	fmt.Fprintf(out, "| connections opened (headers sent, body stalled) | %d of %d (%d dials failed) |\n", st.opened, o.stalled, st.failed)
	fmt.Fprintf(out, "| child fds at rest | %d |\n", st.fdsBefore)
	fmt.Fprintf(out, "| child fds with them open | %d |\n", st.fdsOpen)
	fmt.Fprintf(out, "| child fds after they closed | %d (settled in %s) |\n", st.fdsAfter, st.settle.Round(time.Millisecond))
	fmt.Fprintf(out, "| child RSS with them open | %s |\n", mib(st.rssOpen))

	if c.dead() {
		return fmt.Errorf("idvkit exited during the probe; its stderr ends:\n%s", c.stderr)
	}
	return nil
}

// route is one route family the oversize bodies are sent to.
type route struct {
	method, path string
	header       map[string]string
	prefix       string // the start of a plausible body
}

func routes() []route {
	json := map[string]string{"Content-Type": "application/json"}
	with := func(k, v string) map[string]string {
		return map[string]string{"Content-Type": "application/json", k: v}
	}
	return []route{
		{"POST", "/verisoul/liveness/enroll", with("x-api-key", verisoultest.DefaultAPIKey), `{"session_id":"`},
		{"POST", "/verifik/v2/app-registrations", with("Authorization", "Bearer "+verifiktest.DefaultClientToken), `{"project":"`},
		{"POST", "/iproov/api/v2/claim/enrol/token", json, `{"api_key":"` + iproovtest.DefaultAPIKey + `","resource":"`},
		{"POST", "/iproov/api/v2/claim/enrol/image", map[string]string{"Content-Type": "multipart/form-data; boundary=probe"},
			"--probe\r\nContent-Disposition: form-data; name=\"image\"; filename=\"face.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"},
		{"PUT", "/verisoul" + sandbox.ControlPath, json, `[{"kind":"`},
	}
}

func start(ctx context.Context, bin string, extra []string) (*child, error) {
	cmd := exec.Command(bin, append([]string{"sandbox", "serve", "-addr", "127.0.0.1:0"}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, exited: make(chan struct{}), stderr: &tailBuffer{max: 16 << 10}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c.pid = cmd.Process.Pid
	go func() { _ = cmd.Wait(); close(c.exited) }()

	first := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			first <- s.Text()
		}
		close(first)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line, ok := <-first:
		base, found := strings.CutPrefix(line, "idvkit sandbox listening on http://")
		if !ok || !found {
			c.stop()
			return nil, fmt.Errorf("idvkit did not start: %q; stderr:\n%s", line, c.stderr)
		}
		c.addr = base
	case <-time.After(30 * time.Second):
		c.stop()
		return nil, errors.New("idvkit did not start within 30s")
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
	return c, nil
}

func (c *child) dead() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// stop ends the child as docker stop would: SIGTERM, then SIGKILL after a grace period.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

type bodyResult struct {
	answer              string
	abandoned           bool
	elapsed             time.Duration
	sent                int64
	hwmBefore, hwmAfter int64
}

// bodyCase sends one oversize body and waits for the answer, the connection's end, the
// case's time bound or the RSS limit, whichever comes first.
func (c *child) bodyCase(ctx context.Context, o options, rt route, chunked bool) bodyResult {
	logf("%s %s chunked=%v", rt.method, rt.path, chunked)
	var r bodyResult
	resetPeakRSS(c.pid)
	r.hwmBefore, _ = procStatus(c.pid, "VmHWM")

	conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		r.answer = "dial: " + err.Error()
		return r
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(o.caseTimeout))

	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\n", rt.method, rt.path, c.addr)
	for k, v := range rt.header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", o.bodyBytes)
	}
	head.WriteString("Connection: close\r\n\r\n")

	begin := time.Now()
	sent := make(chan int64, 1)
	go func() {
		if _, err := io.WriteString(conn, head.String()); err != nil {
			sent <- 0
			return
		}
		n, _ := writeBody(conn, []byte(rt.prefix), o.bodyBytes, chunked)
		sent <- n
	}()

	// Abandon the case if the child's memory runs away.
	done := make(chan struct{})
	overLimit := make(chan int64, 1)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				_ = conn.Close()
				return
			case <-tick.C:
				if rss, err := procStatus(c.pid, "VmRSS"); err == nil && rss > o.rssLimit {
					overLimit <- rss
					_ = conn.Close()
					return
				}
			}
		}
	}()

	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	r.elapsed = time.Since(begin)
	close(done)
	switch {
	case err == nil:
		r.answer = res.Status
		if body, _ := io.ReadAll(io.LimitReader(res.Body, 200)); len(body) > 0 {
			r.answer += " " + strings.ReplaceAll(strings.TrimSpace(string(body)), "|", "/")
		}
	default:
		r.answer = "no answer: " + err.Error()
	}
	select {
	case rss := <-overLimit:
		r.answer = fmt.Sprintf("abandoned: RSS reached %s (limit %s)", mib(rss), mib(o.rssLimit))
		r.abandoned = true
	default:
	}
	_ = conn.Close()
	r.sent = <-sent
	// Let the child finish with the connection before reading its peak.
	time.Sleep(100 * time.Millisecond)
	r.hwmAfter, _ = procStatus(c.pid, "VmHWM")
	return r
}

// timedResult is how long the server took to end a connection, or why it was not measured.
type timedResult struct {
	after time.Duration
	note  string
}

func (t timedResult) String() string {
	if t.note != "" {
		return t.note
	}
	return t.after.Round(10 * time.Millisecond).String()
}

// slowBody sends a body at 1 byte/s and measures when the server lets go of it.
func (c *child) slowBody(ctx context.Context, limit time.Duration) timedResult {
	conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return timedResult{note: "dial: " + err.Error()}
	}
	defer conn.Close()
	begin := time.Now()
	_, err = fmt.Fprintf(conn, "POST /verifik/v2/app-registrations HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Authorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n", c.addr, verifiktest.DefaultClientToken)
	if err != nil {
		return timedResult{note: "write: " + err.Error()}
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				_ = conn.Close()
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	return waitEnd(conn, conn, begin, limit)
}

// idleKeepAlive makes one request on a keep-alive connection and measures how long the
// server keeps the idle connection open after answering.
func (c *child) idleKeepAlive(ctx context.Context, limit time.Duration) timedResult {
	conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return timedResult{note: "dial: " + err.Error()}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", c.addr); err != nil {
		return timedResult{note: "write: " + err.Error()}
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return timedResult{note: "no answer: " + err.Error()}
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return waitEnd(br, conn, time.Now(), limit)
}

// waitEnd reads r (conn, or a reader buffering it) until the server closes conn and
// returns the time since begin; a connection still open at limit is reported as such.
func waitEnd(r io.Reader, conn net.Conn, begin time.Time, limit time.Duration) timedResult {
	_ = conn.SetReadDeadline(begin.Add(limit))
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return timedResult{note: fmt.Sprintf("still open at the probe's %v bound", limit)}
	}
	return timedResult{after: time.Since(begin)}
}

type stalledResult struct {
	opened, failed               int
	fdsBefore, fdsOpen, fdsAfter int
	rssOpen                      int64
	settle                       time.Duration
}

// stalledConns opens n connections that send a request's headers and the first bytes of
// its body, then stall; it counts the child's fds while they are open and after they close.
func (c *child) stalledConns(ctx context.Context, n int) stalledResult {
	logf("%d stalled connections", n)
	var r stalledResult
	r.fdsBefore, _ = openFDs(c.pid)
	head := fmt.Sprintf("POST /verifik/v2/app-registrations HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Authorization: Bearer %s\r\nContent-Length: 1024\r\n\r\n{\"project\":", c.addr, verifiktest.DefaultClientToken)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, conn := range conns {
			_ = conn.Close()
		}
	}()
	for range n {
		if ctx.Err() != nil {
			break
		}
		conn, err := net.DialTimeout("tcp", c.addr, 2*time.Second)
		if err != nil {
			r.failed++
			continue
		}
		conns = append(conns, conn)
		_, _ = io.WriteString(conn, head)
	}
	r.opened = len(conns)
	r.fdsOpen = settledFDs(c.pid, 5*time.Second)
	r.rssOpen, _ = procStatus(c.pid, "VmRSS")

	for _, conn := range conns {
		_ = conn.Close()
	}
	conns = nil
	begin := time.Now()
	r.fdsAfter = settledFDs(c.pid, 10*time.Second)
	r.settle = time.Since(begin)
	return r
}

// settledFDs samples the child's fd count until it holds still for half a second, or
// until limit.
func settledFDs(pid int, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	last, same := -1, 0
	for time.Now().Before(deadline) {
		n, _ := openFDs(pid)
		if n == last {
			same++
			if same >= 5 {
				return n
			}
		} else {
			last, same = n, 0
		}
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

// tailBuffer keeps the last max bytes written to it: the child's stderr, for errors.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// ms formats a short duration to the millisecond, saying "<1ms" rather than "0s".
func ms(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "probe: "+format+"\n", args...)
}
