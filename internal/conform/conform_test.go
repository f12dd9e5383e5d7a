package conform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/idvkit/idvkit/internal/conform"
	"github.com/idvkit/idvkit/internal/hostile"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
)

// standInCreds are distinctive so a leak is found by value.
var standInCreds = conform.Credentials{
	VerisoulAPIKey:     "vs-conform-key-SECRET-51d0a7",
	IProovAPIKey:       "ipconformkeysecret000000000000000000005",
	IProovSecret:       "ipconformsecretsecret0000000000000000006",
	IProovOAuthUser:    "ip-conform-oauth-user-SECRET",
	IProovOAuthPass:    "ip-conform-oauth-pass-SECRET-9c",
	VerifikClientToken: "vf-conform-client-token-SECRET-77",
}

func credentialSecrets(s *hostile.Secrets) {
	c := standInCreds
	for name, v := range map[string]string{"verisoul api key": c.VerisoulAPIKey, "iproov api key": c.IProovAPIKey,
		"iproov secret": c.IProovSecret, "iproov oauth user": c.IProovOAuthUser, "iproov oauth password": c.IProovOAuthPass,
		"verifik client token": c.VerifikClientToken} {
		s.Add(name, v)
	}
}

// standIn plays "the vendor": the emulators behind one URL, taking standInCreds, with
// faults injected through their own fault endpoints. It learns every token that goes
// over the wire, for the secret scan.
type standIn struct {
	srv     *httptest.Server
	secrets *hostile.Secrets
}

func newStandIn(t *testing.T) *standIn {
	t.Helper()
	s := &standIn{secrets: &hostile.Secrets{}}
	credentialSecrets(s.secrets)
	h := conform.EmulatorsAccepting(standInCreds)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/_sandbox/") {
			s.learn(r)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		s.learnBody(rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(s.srv.Close)
	return s
}

var tokenKeys = regexp.MustCompile(`"(token|session_id|sessionId|access_token)"\s*:\s*"([^"]{8,})"`)

// learn adds the bearer tokens and keys of a vendor request to the secrets.
func (s *standIn) learn(r *http.Request) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && len(tok) >= 8 {
		s.secrets.Add("bearer token", tok)
	}
	if r.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		r.Body = io.NopCloser(bytes.NewReader(data))
		s.learnBody(data)
	}
}

var longStrings = regexp.MustCompile(`"([A-Za-z_]+)"\s*:\s*"([^"]{200,})"`)

// learnBody adds the tokens, session ids and images (long strings: base64 and data
// URIs, whole and their middle) of a JSON body.
func (s *standIn) learnBody(data []byte) {
	for _, m := range tokenKeys.FindAllSubmatch(data, -1) {
		s.secrets.Add("token ("+string(m[1])+")", string(m[2]))
	}
	for _, m := range longStrings.FindAllSubmatch(data, -1) {
		v := string(m[2])
		s.secrets.Add("image ("+string(m[1])+")", v)
		s.secrets.Add("image middle ("+string(m[1])+")", v[len(v)/2-30:len(v)/2+30])
	}
}

func (s *standIn) faults(t *testing.T, vendor string, rules []sandbox.FaultRule) {
	t.Helper()
	data, err := json.Marshal(rules)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPut, s.srv.URL+"/"+vendor+sandbox.ControlPath, bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "fault rules for %s", vendor)
}

func (s *standIn) env() func(string) string {
	env := standInCreds.Env(s.srv.URL)
	return func(k string) string { return env[k] }
}

// iproovPerson plays the person a live run waits for: it reads the claim token from
// conform's prompt, completes the capture on the stand-in, and presses Enter.
type iproovPerson struct {
	t     *testing.T
	base  string
	mu    sync.Mutex
	out   bytes.Buffer
	lines chan []byte
	pend  []byte
}

func newIProovPerson(t *testing.T, base string) *iproovPerson {
	return &iproovPerson{t: t, base: base, lines: make(chan []byte, 16)}
}

var claimToken = regexp.MustCompile(`claim token (\S+)`)

func (p *iproovPerson) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.out.Write(b)
	p.mu.Unlock()
	if m := claimToken.FindSubmatch(b); m != nil {
		req, _ := http.NewRequest(http.MethodPost, p.base+"/iproov/_sandbox/iproov/claims/"+string(m[1])+"/capture",
			strings.NewReader(`{"face":"conform-face-bob"}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		p.lines <- []byte("\n")
	}
	return len(b), nil
}

func (p *iproovPerson) Read(b []byte) (int, error) {
	if len(p.pend) == 0 {
		line, ok := <-p.lines
		if !ok {
			return 0, io.EOF
		}
		p.pend = line
	}
	n := copy(b, p.pend)
	p.pend = p.pend[n:]
	return n, nil
}

func (p *iproovPerson) prompts() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func keys(fs []conform.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Key)
	}
	slices.Sort(out)
	return out
}

// injected is the drift the stand-in vendor plays: an unknown field on Verisoul's
// verifyFace, and an unknown field plus an enum value the spec does not list on
// Verifik's createEmailValidation. iProov is only slowed down: latency is no drift.
func injected(t *testing.T, s *standIn) {
	s.faults(t, "verisoul", []sandbox.FaultRule{{Operation: "verifyFace", Kind: sandbox.FaultDrift, Rate: 1}})
	s.faults(t, "verifik", []sandbox.FaultRule{{Operation: "createEmailValidation", Kind: sandbox.FaultDrift, Rate: 1,
		Set: map[string]any{"data.type": "carrier_pigeon"}}})
	s.faults(t, "iproov", []sandbox.FaultRule{{Kind: sandbox.FaultLatency, Rate: 1, LatencyMS: 2}})
}

// wantInjected are the keys of the findings of the injected drift, and nothing else:
// the stand-in's drift against the spec, and its differences from a clean emulator.
var wantInjected = []string{
	"drift target verifik-basic createEmailValidation body.data.type",
	"drift target verifik-basic createEmailValidation body." + sandbox.DriftField,
	"drift target verisoul-uniqueness verifyFace body." + sandbox.DriftField,
	"enum diff verifik-basic createEmailValidation body.data.type",
	"field diff verifik-basic createEmailValidation body." + sandbox.DriftField,
	"field diff verisoul-uniqueness verifyFace body." + sandbox.DriftField,
}

// TestLiveStandInReportsExactlyTheInjectedDrift runs `--target live --diff` against a
// stand-in vendor: the live path (credentials from the environment, Verisoul simulate,
// Verifik demoMode/demoOTP, a person for the iProov SDK) against emulators with drift and
// faults injected, compared with a clean emulator.
func TestLiveStandInReportsExactlyTheInjectedDrift(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(*testing.T, *standIn)
		want   []string
	}{
		{"clean vendor", func(*testing.T, *standIn) {}, nil},
		{"drifting, slow vendor", injected, wantInjected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStandIn(t)
			tc.inject(t, s)
			p := newIProovPerson(t, s.srv.URL)
			defer close(p.lines)
			res, err := conform.Run(context.Background(), conform.Options{
				Target: "live", Against: "sandbox", Getenv: s.env(), Timeout: 10 * time.Second, Prompt: p, Input: p,
			})
			require.NoError(t, err)
			for _, run := range res.Runs {
				require.Equal(t, conform.Conventions, run.Strategy, "both sides play the person by the vendors' conventions")
				for _, j := range run.Journeys {
					require.Empty(t, j.Error, "%s %s", run.Role, j.ID)
					require.Empty(t, j.Stopped, "%s %s", run.Role, j.ID)
					if j.ID == "verifik-full-kyc" {
						require.NotEmpty(t, j.Skipped, "controls-only journeys are skipped under conventions")
						continue
					}
					require.Empty(t, j.Skipped, "%s %s", run.Role, j.ID)
					require.NotEmpty(t, j.Exchanges, "%s %s", run.Role, j.ID)
				}
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			require.Equal(t, want, keys(res.Findings))
			require.Equal(t, len(tc.want) > 0, res.Failed())
			if tc.want != nil {
				require.Contains(t, p.prompts(), "complete an iProov capture", "the person was asked")
			}
		})
	}
}

// TestAckFile: drift acknowledged in the checked-in example file no longer fails the
// run; an entry past its date does, and so does drift no entry names.
func TestAckFile(t *testing.T) {
	s := newStandIn(t)
	injected(t, s)
	p := newIProovPerson(t, s.srv.URL)
	defer close(p.lines)
	res, err := conform.Run(context.Background(), conform.Options{Target: "live", Against: "sandbox", Getenv: s.env(),
		Timeout: 10 * time.Second, Prompt: p, Input: p})
	require.NoError(t, err)
	ack, err := conform.LoadAck(filepath.Join("..", "..", "testdata", "conform", "acknowledged.yaml"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		now      time.Time
		failed   bool
		acknowed int
	}{
		{"all acknowledged", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), false, 6},
		{"acknowledgements expired", time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC), true, 0},
		{"unacknowledged drift", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), true, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := slices.Clone(res.Findings)
			if tc.name == "unacknowledged drift" {
				fs = append(fs, conform.Finding{Kind: conform.KindDrift, Side: "target", Journey: "verisoul-authentication",
					Operation: "verifyIdentity", Location: "body.new_field", Key: "drift target verisoul-authentication verifyIdentity body.new_field"})
			}
			ack.Apply(fs, tc.now)
			r := &conform.Result{Findings: fs}
			n := 0
			for _, f := range fs {
				if f.Acknowledged {
					n++
				}
			}
			require.Equal(t, tc.acknowed, n)
			require.Equal(t, tc.failed, r.Failed())
		})
	}
}

// TestRecordingsHoldNoSecrets records a controls run against a URL target (documents,
// selfies and codes from the outbox) and a live run against the stand-in, then scans every
// file with the secrets tests' detector for credentials, tokens, session ids, OTPs,
// images, names, dates of birth, document numbers and emails.
func TestRecordingsHoldNoSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, target string
		diff         bool
	}{
		{"url target, controls", "", false},
		{"live target, conventions, diff", "live", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStandIn(t)
			target := tc.target
			if target == "" {
				target = s.srv.URL
			}
			opts := conform.Options{Target: target, Getenv: s.env(), Timeout: 10 * time.Second}
			p := newIProovPerson(t, s.srv.URL)
			defer close(p.lines)
			opts.Prompt, opts.Input = p, p
			if tc.diff {
				opts.Against = "sandbox"
			}
			res, err := conform.Run(context.Background(), opts)
			require.NoError(t, err)
			require.False(t, res.Failed(), "%+v", res.Findings)
			dir := t.TempDir()
			require.NoError(t, conform.WriteCassettes(dir, res))

			sec := s.secrets
			sec.Add("document number", "1020304050")
			sec.Add("date of birth", "1990-04-01")
			sec.Add("registrant name", "Conform Registrant")
			sec.Add("email", "conform.basic.")
			sec.Add("email", "conform.full.")
			sec.Add("face name", "conform-face-")
			outbox := fetchOutbox(t, s.srv.URL)
			for _, code := range outbox {
				sec.AddCode("OTP", code)
			}
			if !tc.diff {
				require.NotEmpty(t, outbox, "codes were sent and read from the outbox")
			}
			require.Greater(t, sec.Len(), 20, "tokens and session ids were learned from the wire")

			files := 0
			require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				require.NoError(t, err)
				if d.IsDir() {
					return nil
				}
				files++
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				if found := sec.Find(string(data)); len(found) > 0 {
					t.Errorf("%s holds %s", path, strings.Join(found, ", "))
				}
				return nil
			}))
			require.GreaterOrEqual(t, files, 6)

			// The report in every format holds none either.
			for name, write := range map[string]func(io.Writer, *conform.Result) error{
				"text": conform.WriteText, "json": conform.WriteJSON, "github": conform.WriteGitHub} {
				var out bytes.Buffer
				require.NoError(t, write(&out, res))
				require.Empty(t, sec.Find(out.String()), "%s report", name)
			}
		})
	}
}

func fetchOutbox(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/verifik" + verifiktest.ControlPrefix + "outbox")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Messages []verifiktest.Message `json:"messages"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	var out []string
	for _, m := range body.Messages {
		out = append(out, m.Code)
	}
	return out
}

// TestReplayFlagsASpecChange records a run, then replays it against a copy of the specs
// in which Verisoul's enroll answer requires a field the vendor never sent: the replay
// flags exactly that, as new; against the specs as they are, it flags nothing.
func TestReplayFlagsASpecChange(t *testing.T) {
	res, err := conform.Run(context.Background(), conform.Options{Journey: "verisoul-authentication"})
	require.NoError(t, err)
	require.False(t, res.Failed())
	dir := t.TempDir()
	require.NoError(t, conform.WriteCassettes(dir, res))
	cassettes, err := conform.ReadCassettes(dir)
	require.NoError(t, err)

	specs := copySpecs(t)
	path := filepath.Join(specs, "verisoul", "facematch.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	// The spec change: verify-identity no longer documents its 400 (say a reviewer
	// believed the vendor's JSON over its docs). Last run's traffic contradicts it.
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(data, &doc))
	op := doc["paths"].(map[string]any)["/liveness/verify-identity"].(map[string]any)["post"].(map[string]any)
	delete(op["responses"].(map[string]any), "400")
	changed, err := yaml.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, changed, 0o644))
	modified, err := contract.Load(os.DirFS(specs))
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		kit  *contract.Kit
		want []string
	}{
		{"specs as they are", contract.Default(), nil},
		{"verify-identity no longer documents 400", modified, []string{"violation recording verisoul-authentication verifyIdentityFaceMatch status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replayed, err := conform.Replay(tc.kit, cassettes)
			require.NoError(t, err)
			require.Equal(t, tc.want, keys(replayed.Findings))
			for _, f := range replayed.Findings {
				require.Contains(t, f.Message, "new: the recording passed here")
			}
		})
	}
}

// copySpecs copies api/verisoul (the specs the recording needs; loading fewer keeps the
// test fast) under a temporary api/ root.
func copySpecs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dst := filepath.Join(root, "verisoul")
	src := filepath.Join("..", "..", "api", "verisoul")
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	}))
	return root
}

// TestPromote turns a recording into spec examples the specs accept and fixtures.
func TestPromote(t *testing.T) {
	res, err := conform.Run(context.Background(), conform.Options{Vendor: "verisoul"})
	require.NoError(t, err)
	dir, out := t.TempDir(), t.TempDir()
	require.NoError(t, conform.WriteCassettes(dir, res))
	cassettes, err := conform.ReadCassettes(dir)
	require.NoError(t, err)
	files, err := conform.Promote(contract.Default(), cassettes, out)
	require.NoError(t, err)
	require.Contains(t, files, filepath.Join(out, "examples", "verisoul", "facematch.yaml"))
	require.Contains(t, files, filepath.Join(out, "fixtures", "verisoul", "facematch", "verifyIdentityFaceMatch.400.json"))
	example, err := os.ReadFile(filepath.Join(out, "examples", "verisoul", "facematch.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(example), "/liveness/verify-face:")
	require.Contains(t, string(example), "conform-verisoul-uniqueness-")
	require.NotContains(t, string(example), "session_id: "+conform.Placeholder, "a uuid placeholder is a valid uuid")
}
