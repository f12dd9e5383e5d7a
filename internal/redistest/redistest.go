// Package redistest starts a real Redis server for a test: Debian's
// redis-server (`apt-get install redis-server`; .ci/run installs it), on a
// free loopback port, with its data in the test's temp dir, stopped when the
// test ends. Tests of the fleet's shared state run against it rather than a
// mock, since what they prove (atomic claims, scripts, the server going
// away) is the server's behaviour.
//
// Without the binary a test skips saying how to install it, except under CI
// (CI=true), where it fails: a Redis test that silently skips in CI proves
// nothing.
package redistest

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// readyTimeout bounds how long a server may take to answer PING.
const readyTimeout = 10 * time.Second

// Find returns the path of redis-server: $IDVKIT_REDIS_SERVER if set, else
// the one on PATH, else "".
func Find() string {
	if p := os.Getenv("IDVKIT_REDIS_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p
	}
	return ""
}

// Server is one redis-server process a test owns.
type Server struct {
	// Addr is the server's host:port on 127.0.0.1.
	Addr string

	t    testing.TB
	bin  string
	dir  string
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan error // receives the process's end once
}

// Start starts a redis-server for t, or skips t (fails it under CI=true)
// when none is installed. The server keeps an append-only file in a temp
// dir, so Restart brings its data back, as a production Redis with
// persistence would. Redis writes the file before it answers and fsyncs it
// every second (its default), so a killed process loses nothing it
// answered; only a lost machine would. It stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Find()
	if bin == "" {
		const how = "no redis-server found: install Debian's redis-server (apt-get install redis-server) or set IDVKIT_REDIS_SERVER"
		if os.Getenv("CI") == "true" {
			t.Fatal(how + " — CI must run the Redis tests")
		}
		t.Skip(how)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	var err error
	// A free port can be taken between asking and binding: try a few.
	for range 5 {
		if s.port, err = freePort(); err != nil {
			continue
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	s.Addr = "127.0.0.1:" + strconv.Itoa(s.port)
	t.Cleanup(s.Kill)
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) start() error {
	addr := "127.0.0.1:" + strconv.Itoa(s.port)
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		// Every write reaches the append-only file before Redis answers, so a SIGKILL
		// (Kill) loses nothing that was acknowledged: with everysec a lease could survive
		// a crash while the "done" written just after it did not.
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--save", "",
		"--daemonize", "no",
		"--logfile", "redis.log",
	)
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(readyTimeout)
	for {
		if ping(addr) {
			s.mu.Lock()
			s.cmd, s.exited = cmd, exited
			s.mu.Unlock()
			return nil
		}
		select {
		case err := <-exited:
			return &startError{err: err, log: s.log()}
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return &startError{err: os.ErrDeadlineExceeded, log: s.log()}
		}
	}
}

type startError struct {
	err error
	log string
}

func (e *startError) Error() string {
	return "redis-server did not start: " + e.err.Error() + "; its log ends:\n" + e.log
}

// log returns the end of the server's log, for a failure message.
func (s *Server) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// ping reports whether a Redis server answers PING at addr.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// Kill stops the server at once (SIGKILL), as a crash or a lost host would:
// clients see connections refused from now on. Killing a stopped server does
// nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd, s.exited = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited // the port is free once the process is gone
}

// Restart starts the server again on the same port and data dir (killing
// it first if it runs); everything it had answered is back. Call it from the
// test's goroutine.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.start(); err != nil {
		s.t.Fatalf("redistest: restart: %v", err)
	}
}
