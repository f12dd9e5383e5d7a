package conform

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/iproov"
	"github.com/idvkit/idvkit/pkg/sandbox/iproovtest"
	"github.com/idvkit/idvkit/pkg/sandbox/verifiktest"
	"github.com/idvkit/idvkit/pkg/sandbox/verisoultest"
	"github.com/idvkit/idvkit/pkg/transport"
	"github.com/idvkit/idvkit/pkg/verifik"
	"github.com/idvkit/idvkit/pkg/verisoul"
)

// Kind is what a target is.
type Kind string

const (
	// KindSandbox is the embedded emulators, started in this process.
	KindSandbox Kind = "sandbox"
	// KindLive is the vendors' own sandbox or test environments, with credentials from
	// the environment (see [Env]).
	KindLive Kind = "live"
	// KindURL is any server that mounts the three vendor APIs the way `idvkit sandbox
	// serve` does: /verisoul, /iproov (with /api/v2) and /verifik.
	KindURL Kind = "url"
)

// Environment variables conform reads. Credentials are read, used and never printed,
// logged or recorded. The base URLs point a vendor at another host: a regional iProov
// platform, a recording proxy, or a stand-in in tests.
const (
	EnvVerisoulAPIKey     = "IDVKIT_VERISOUL_API_KEY"
	EnvVerisoulBaseURL    = "IDVKIT_VERISOUL_BASE_URL"
	EnvIProovAPIKey       = "IDVKIT_IPROOV_API_KEY"
	EnvIProovSecret       = "IDVKIT_IPROOV_SECRET"
	EnvIProovOAuthUser    = "IDVKIT_IPROOV_OAUTH_USERNAME"
	EnvIProovOAuthPass    = "IDVKIT_IPROOV_OAUTH_PASSWORD"
	EnvIProovBaseURL      = "IDVKIT_IPROOV_BASE_URL"
	EnvVerifikClientToken = "IDVKIT_VERIFIK_CLIENT_TOKEN"
	EnvVerifikBaseURL     = "IDVKIT_VERIFIK_BASE_URL"
)

// Env lists the variables conform reads, for usage texts and docs.
var Env = []string{
	EnvVerisoulAPIKey, EnvVerisoulBaseURL,
	EnvIProovAPIKey, EnvIProovSecret, EnvIProovOAuthUser, EnvIProovOAuthPass, EnvIProovBaseURL,
	EnvVerifikClientToken, EnvVerifikBaseURL,
}

// Live defaults: Verisoul's sandbox environment (where simulate works), iProov's EU
// platform, Verifik's API (which has no separate sandbox host; journeys use demo-mode
// projects there).
var (
	defaultVerisoulLive = verisoul.Sandbox.APIURL()
	defaultIProovLive   = iproov.RegionEU.BaseURL()
	defaultVerifikLive  = string(verifik.Production)
)

// credentials of one target; String never shows them.
type credentials struct {
	verisoulKey               string
	iproovKey, iproovSecret   string
	iproovUser, iproovPass    string
	verifikToken              string
	verisoulURL, iproovURL    string
	verifikURL                string
	verisoulCtl, iproovCtl    string // control roots of an emulator; empty on live
	verifikCtl                string
	haveVerisoul, haveIProov  bool
	haveVerifik, haveIProovMg bool
}

func (credentials) String() string   { return "credentials{[redacted]}" }
func (credentials) GoString() string { return "credentials{[redacted]}" }

// secrets are the values a recording, an output or a log must never hold.
func (c credentials) secrets() []string {
	return []string{c.verisoulKey, c.iproovKey, c.iproovSecret, c.iproovUser, c.iproovPass, c.verifikToken}
}

// Target is a place the journeys run against.
type Target struct {
	// Name is how reports show the target: "sandbox", "live" or the URL (without any
	// user:password).
	Name string
	Kind Kind

	creds credentials
	stop  func()
}

// Close stops what the target started (the embedded emulators).
func (t *Target) Close() {
	if t.stop != nil {
		t.stop()
	}
}

// OpenTarget reads a --target value: "sandbox", "live" or an http(s) URL. getenv reads
// the environment (os.Getenv; tests pass their own). A sandbox target is started here;
// Close stops it.
func OpenTarget(spec string, getenv func(string) string) (*Target, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	switch spec {
	case "", string(KindSandbox):
		srv := httptest.NewServer(Emulators())
		t := urlTarget(srv.URL, getenv, false)
		t.Name, t.Kind, t.stop = string(KindSandbox), KindSandbox, srv.Close
		return t, nil
	case string(KindLive):
		return liveTarget(getenv)
	}
	u, err := url.Parse(spec)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("conform: target %q is not sandbox, live or an http(s) URL", redactURL(spec))
	}
	return urlTarget(strings.TrimSuffix(spec, "/"), getenv, true), nil
}

// Emulators serves the three emulators the way `idvkit sandbox serve` mounts them, quiet,
// with their fixed sandbox credentials.
func Emulators() http.Handler { return EmulatorsAccepting(Credentials{}) }

// Credentials are the vendor credentials of a stand-in (see [EmulatorsAccepting]); an
// empty field keeps the emulator's sandbox default. String never shows them.
type Credentials struct {
	VerisoulAPIKey                   string
	IProovAPIKey, IProovSecret       string
	IProovOAuthUser, IProovOAuthPass string
	VerifikClientToken               string
}

func (Credentials) String() string   { return "conform.Credentials{[redacted]}" }
func (Credentials) GoString() string { return "conform.Credentials{[redacted]}" }

// Env is the environment that points a live target at a stand-in served at base with
// these credentials: how tests exercise the live path without the network.
func (c Credentials) Env(base string) map[string]string {
	return map[string]string{
		EnvVerisoulAPIKey: c.VerisoulAPIKey, EnvVerisoulBaseURL: base + "/verisoul",
		EnvIProovAPIKey: c.IProovAPIKey, EnvIProovSecret: c.IProovSecret,
		EnvIProovOAuthUser: c.IProovOAuthUser, EnvIProovOAuthPass: c.IProovOAuthPass,
		EnvIProovBaseURL:      base + "/iproov" + iproovtest.BasePath,
		EnvVerifikClientToken: c.VerifikClientToken, EnvVerifikBaseURL: base + "/verifik",
	}
}

// EmulatorsAccepting is [Emulators] taking the given credentials: a stand-in for the
// vendors, which a test can drift and fault through each emulator's fault endpoint
// (/<vendor>/_sandbox/faults).
func EmulatorsAccepting(c Credentials) http.Handler {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	vs := []verisoultest.Option{verisoultest.WithLogger(quiet)}
	if c.VerisoulAPIKey != "" {
		vs = append(vs, verisoultest.WithAPIKey(c.VerisoulAPIKey))
	}
	is := []iproovtest.Option{iproovtest.WithLogger(quiet)}
	if c.IProovAPIKey != "" {
		is = append(is, iproovtest.WithCredentials(c.IProovAPIKey, c.IProovSecret))
	}
	if c.IProovOAuthUser != "" {
		is = append(is, iproovtest.WithOAuthCredentials(c.IProovOAuthUser, c.IProovOAuthPass))
	}
	fs := []verifiktest.Option{verifiktest.WithLogger(quiet)}
	if c.VerifikClientToken != "" {
		fs = append(fs, verifiktest.WithClientToken(c.VerifikClientToken))
	}
	mux := http.NewServeMux()
	mux.Handle("/verisoul/", http.StripPrefix("/verisoul", verisoultest.New(vs...).Handler()))
	mux.Handle("/iproov/", http.StripPrefix("/iproov", iproovtest.New(is...).Handler()))
	mux.Handle("/verifik/", http.StripPrefix("/verifik", verifiktest.New(fs...).Handler()))
	return mux
}

// urlTarget is a server mounting the emulators. Credentials are the emulators' fixed
// sandbox ones unless the environment names others (useEnv).
func urlTarget(base string, getenv func(string) string, useEnv bool) *Target {
	pick := func(env, def string) string {
		if v := getenv(env); useEnv && v != "" {
			return v
		}
		return def
	}
	c := credentials{
		verisoulKey:  pick(EnvVerisoulAPIKey, verisoultest.DefaultAPIKey),
		iproovKey:    pick(EnvIProovAPIKey, iproovtest.DefaultAPIKey),
		iproovSecret: pick(EnvIProovSecret, iproovtest.DefaultSecret),
		iproovUser:   pick(EnvIProovOAuthUser, iproovtest.DefaultOAuthUsername),
		iproovPass:   pick(EnvIProovOAuthPass, iproovtest.DefaultOAuthPassword),
		verifikToken: pick(EnvVerifikClientToken, verifiktest.DefaultClientToken),
		verisoulURL:  base + "/verisoul",
		iproovURL:    base + "/iproov" + iproovtest.BasePath,
		verifikURL:   base + "/verifik",
		verisoulCtl:  base + "/verisoul",
		iproovCtl:    base + "/iproov",
		verifikCtl:   base + "/verifik",
		haveVerisoul: true, haveIProov: true, haveVerifik: true, haveIProovMg: true,
	}
	return &Target{Name: redactURL(base), Kind: KindURL, creds: c}
}

// errNoCredentials: live mode with no vendor's credentials set.
var errNoCredentials = errors.New("conform: --target live needs credentials of at least one vendor in the environment: " +
	EnvVerisoulAPIKey + ", " + EnvIProovAPIKey + " and " + EnvIProovSecret + ", or " + EnvVerifikClientToken)

func liveTarget(getenv func(string) string) (*Target, error) {
	or := func(env, def string) string {
		if v := strings.TrimSpace(getenv(env)); v != "" {
			return v
		}
		return def
	}
	c := credentials{
		verisoulKey:  strings.TrimSpace(getenv(EnvVerisoulAPIKey)),
		iproovKey:    strings.TrimSpace(getenv(EnvIProovAPIKey)),
		iproovSecret: strings.TrimSpace(getenv(EnvIProovSecret)),
		iproovUser:   strings.TrimSpace(getenv(EnvIProovOAuthUser)),
		iproovPass:   strings.TrimSpace(getenv(EnvIProovOAuthPass)),
		verifikToken: strings.TrimSpace(getenv(EnvVerifikClientToken)),
		verisoulURL:  or(EnvVerisoulBaseURL, defaultVerisoulLive),
		iproovURL:    or(EnvIProovBaseURL, defaultIProovLive),
		verifikURL:   or(EnvVerifikBaseURL, defaultVerifikLive),
	}
	c.haveVerisoul = c.verisoulKey != ""
	c.haveIProov = c.iproovKey != "" && c.iproovSecret != ""
	c.haveIProovMg = c.haveIProov && c.iproovUser != "" && c.iproovPass != ""
	c.haveVerifik = c.verifikToken != ""
	if !c.haveVerisoul && !c.haveIProov && !c.haveVerifik {
		return nil, errNoCredentials
	}
	for _, u := range []string{c.verisoulURL, c.iproovURL, c.verifikURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("conform: a vendor base URL from the environment is not an http(s) URL: %q", redactURL(u))
		}
	}
	return &Target{Name: string(KindLive), Kind: KindLive, creds: c}, nil
}

// ShowURL is a URL as conform shows it: without user:password, query or fragment.
func ShowURL(s string) string { return redactURL(s) }

// redactURL drops user:password and the query from a URL before it is shown.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "[unparsable URL]"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// clients are the three vendor clients of one run, recording into a tape.
type clients struct {
	verisoul *verisoul.Client
	iproov   *iproov.Client
	verifik  *verifik.Client
}

// newClients builds the real clients for t, in contract report mode (a drifting or
// violating vendor must not stop the journey before its answer is recorded), each
// sending through the tape. A vendor without credentials has a nil client.
func (t *Target) newClients(tp *tape, kit *contract.Kit) (*clients, error) {
	c := t.creds
	quiet := transport.WithContractOptions(contract.RoundTripperOptions{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	hc := func(vendor string, specs ...*contract.Spec) transport.Option {
		return transport.WithHTTPClient(&http.Client{Transport: tp.roundTripper(vendor, specs, transport.NewHTTPTransport())})
	}
	out := &clients{}
	var err error
	if c.haveVerisoul {
		opts := []verisoul.Option{
			verisoul.WithEnvironment(verisoul.Sandbox), verisoul.WithBaseURL(c.verisoulURL),
			verisoul.WithContract(contract.ModeReport),
			verisoul.WithTransport(quiet, hc("verisoul", kit.Spec("verisoul/facematch"), kit.Spec("verisoul/idcheck"))),
		}
		if c.verisoulCtl != "" {
			opts = append(opts, verisoul.WithAppURL(c.verisoulCtl+verisoultest.AppPath))
		}
		if out.verisoul, err = verisoul.New(c.verisoulKey, opts...); err != nil {
			return nil, err
		}
	}
	if c.haveIProov {
		opts := []iproov.Option{
			iproov.WithBaseURL(c.iproovURL), iproov.WithContract(contract.ModeReport), iproov.WithClientName("idvkit-conform"),
			iproov.WithTransport(quiet, hc("iproov", kit.Spec("iproov/claim"))),
		}
		if c.haveIProovMg {
			opts = append(opts, iproov.WithOAuth(c.iproovUser, c.iproovPass))
		}
		if out.iproov, err = iproov.New(c.iproovKey, c.iproovSecret, opts...); err != nil {
			return nil, err
		}
	}
	if c.haveVerifik {
		if out.verifik, err = verifik.New(c.verifikToken, verifik.WithBaseURL(c.verifikURL), verifik.WithContract(contract.ModeReport),
			verifik.WithTransport(quiet, hc("verifik", kit.Spec("verifik/smartenroll")))); err != nil {
			return nil, err
		}
	}
	return out, nil
}
