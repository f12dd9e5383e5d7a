// Command benchpeers measures `idvkit sandbox serve` next to its peers on this machine:
// Stoplight Prism's mock server on the same spec (api/verisoul/facematch.yaml) and a bare
// net/http handler writing the same bytes idvkit answers. The same load generator (this
// program: c keep-alive connections, one request at a time each) drives each target on
// loopback, in interleaved rounds, and the medians of the rounds are printed with
// startup time, RSS and the ratios. Run it with `make bench-peers` (scripts/bench-peers.sh
// installs Prism into a temporary directory first); see docs/BENCHMARKS.md.
//
// With -ratios FILE it instead reads `go test -bench` output and prints, for every
// benchmark with sub-benchmarks, the median ns/op of each variant as a ratio to the
// first ("hand" in the BenchmarkClient… pairs).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
)

func main() {
	var (
		goBin       = flag.String("go", "go", "the go command, to build idvkit")
		prism       = flag.String("prism", "", "the prism command (node_modules/.bin/prism); empty skips Prism")
		spec        = flag.String("spec", "api/verisoul/facematch.yaml", "the spec Prism mocks")
		conns       = flag.Int("c", 16, "connections per target")
		rounds      = flag.Int("rounds", 5, "interleaved rounds")
		duration    = flag.Duration("d", 3*time.Second, "load per target, route and round")
		serveBareAt = flag.String("serve-bare", "", "internal: serve the captured answers (-answers) on this address")
		answersFile = flag.String("answers", "", "internal: the answers -serve-bare replays")
		serveIdvAt  = flag.String("serve-idvkit", "", "internal: serve the Verisoul emulator with its rate limit off on this address")
		ratios      = flag.String("ratios", "", "print ratios of `go test -bench` output in this file (- for stdin) and exit")
	)
	flag.Parse()
	var err error
	switch {
	case *serveBareAt != "":
		err = serveBare(*serveBareAt, *answersFile)
	case *serveIdvAt != "":
		err = serveIdvkit(*serveIdvAt)
	case *ratios != "":
		err = printRatios(os.Stdout, *ratios)
	default:
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		err = run(ctx, config{goBin: *goBin, prism: *prism, spec: *spec, conns: *conns, rounds: *rounds, duration: *duration})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpeers:", err)
		os.Exit(1)
	}
}

type config struct {
	goBin, prism, spec string
	conns, rounds      int
	duration           time.Duration
}

// route is one measured exchange; prefix is where the target serves the spec's paths.
type route struct {
	name   string
	method string
	path   string
	body   func(sessionID string) []byte
}

var routes = []route{
	{"GET /liveness/session", http.MethodGet, "/liveness/session", func(string) []byte { return nil }},
	{"POST /liveness/verify-face (completed session)", http.MethodPost, "/liveness/verify-face",
		func(id string) []byte { return []byte(`{"session_id":"` + id + `"}`) }},
}

// target is a server under load and how to reach the spec's paths on it.
type target struct {
	*server
	label     string
	prefix    string
	sessionID string
}

func run(ctx context.Context, cfg config) error {
	tmp, err := os.MkdirTemp("", "benchpeers")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bin := filepath.Join(tmp, "idvkit")
	progress("building idvkit")
	if out, err := exec.Command(cfg.goBin, "build", "-o", bin, "./cmd/idvkit").CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/idvkit: %v: %s", err, out)
	}

	var targets []*target
	defer func() {
		for _, t := range targets {
			t.stop()
		}
	}()

	// idvkit: sandbox serve with the rate limit off when it has the flag; else the same
	// emulator mounted the same way by this program (see serveIdvkit).
	addr, err := freePort()
	if err != nil {
		return err
	}
	help, _ := exec.Command(bin, "sandbox", "serve", "-h").CombinedOutput()
	argv := []string{bin, "sandbox", "serve", "-addr", addr, "-rate-limit=off"}
	label := "idvkit sandbox serve -rate-limit=off"
	if bytes.Contains(help, []byte("-max-sessions")) {
		// A run opens far more sessions than the default cap holds; at the cap every
		// answer would be 429, not the emulator's work (Prism keeps no state to bound).
		argv = append(argv, "-max-sessions", "4194304")
		label += " -max-sessions 4194304"
	}
	if !bytes.Contains(help, []byte("-rate-limit")) {
		argv = []string{self, "-serve-idvkit", addr}
		label = "idvkit Verisoul emulator (sandbox serve's mount, rate limit off; stand-in until sandbox serve -rate-limit=off)"
	}
	progress("starting " + label)
	idv, err := start(ctx, "idvkit", addr, "/verisoul/liveness/session", argv...)
	if err != nil {
		return err
	}
	it := &target{server: idv, label: label, prefix: "/verisoul"}
	targets = append(targets, it)
	if it.sessionID, err = completedSession(ctx, idv.addr); err != nil {
		return err
	}

	// bare: the bytes idvkit answers, replayed.
	answers, err := capture(ctx, it)
	if err != nil {
		return err
	}
	af := filepath.Join(tmp, "answers.json")
	b, _ := json.Marshal(answers)
	if err := os.WriteFile(af, b, 0o600); err != nil {
		return err
	}
	if addr, err = freePort(); err != nil {
		return err
	}
	progress("starting the bare net/http handler")
	bare, err := start(ctx, "bare", addr, "/verisoul/liveness/session", self, "-serve-bare", addr, "-answers", af)
	if err != nil {
		return err
	}
	targets = append(targets, &target{server: bare, label: "bare net/http handler, same bytes", prefix: "/verisoul", sessionID: it.sessionID})

	if cfg.prism != "" {
		if addr, err = freePort(); err != nil {
			return err
		}
		host, port, _ := strings.Cut(addr, ":")
		progress("starting Prism")
		p, err := start(ctx, "prism", addr, "/liveness/session", cfg.prism, "mock", "-h", host, "-p", port, cfg.spec)
		if err != nil {
			return err
		}
		targets = append(targets, &target{server: p, label: "Prism 5.14.2 mock (" + cfg.spec + ")", sessionID: it.sessionID})
	}

	// Warm up (Node's JIT, Go's pools), then interleaved rounds: each round rotates the
	// order of the targets so none always runs first or last.
	res := map[string]map[string][]result{} // route → target → rounds
	for _, rt := range routes {
		res[rt.name] = map[string][]result{}
		for _, t := range targets {
			load(ctx, t.request(rt), cfg.conns, 500*time.Millisecond)
		}
	}
	for r := range cfg.rounds {
		for _, rt := range routes {
			for i := range targets {
				t := targets[(i+r)%len(targets)]
				progress(fmt.Sprintf("round %d/%d: %s: %s", r+1, cfg.rounds, rt.name, t.name))
				res[rt.name][t.name] = append(res[rt.name][t.name], load(ctx, t.request(rt), cfg.conns, cfg.duration))
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}
	report(os.Stdout, cfg, targets, res)
	return nil
}

func (t *target) request(rt route) request {
	h := http.Header{"X-Api-Key": {verisoultest.DefaultAPIKey}}
	body := rt.body(t.sessionID)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return request{method: rt.method, url: "http://" + t.addr + t.prefix + rt.path, header: h, body: body}
}

// completedSession creates a Face Match session on idvkit and completes it as "alice"
// through the emulator's control endpoint.
func completedSession(ctx context.Context, addr string) (string, error) {
	body, err := call(ctx, http.MethodGet, "http://"+addr+"/verisoul/liveness/session", nil, http.StatusOK)
	if err != nil {
		return "", err
	}
	var s struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(body, &s); err != nil || s.SessionID == "" {
		return "", fmt.Errorf("idvkit: no session id in %q", body)
	}
	_, err = call(ctx, http.MethodPost, "http://"+addr+"/verisoul"+verisoultest.ControlPrefix+"/sessions/"+s.SessionID+"/complete", []byte(`{"face":"alice"}`), http.StatusOK)
	return s.SessionID, err
}

// capture records idvkit's answer to each route, for the bare handler to replay.
func capture(ctx context.Context, t *target) ([]answer, error) {
	var out []answer
	for _, rt := range routes {
		req := t.request(rt)
		r, err := http.NewRequestWithContext(ctx, req.method, req.url, bytes.NewReader(req.body))
		if err != nil {
			return nil, err
		}
		r.Header = req.header
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("idvkit answered %s with %d: %s", rt.name, resp.StatusCode, body)
		}
		out = append(out, answer{Path: t.prefix + rt.path, Method: rt.method, Status: resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"), Body: body})
	}
	return out, nil
}

func call(ctx context.Context, method, url string, body []byte, want int) ([]byte, error) {
	r, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("x-api-key", verisoultest.DefaultAPIKey)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, errors.New(method + " " + url + ": " + resp.Status + ": " + string(b))
	}
	return b, nil
}

func progress(s string) { fmt.Fprintln(os.Stderr, "benchpeers:", s) }
