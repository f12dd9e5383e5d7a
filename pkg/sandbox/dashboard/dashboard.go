// Package dashboard is the sandbox's page for people: for each emulator its URLs,
// its published sandbox credentials, every control endpoint of its controls spec with
// method and body, its live state (sessions, claims, registrants with their step) and its
// recent calls with the contract kit's verdict. `idvkit sandbox serve` serves it at "/";
// a test server that mounts the emulators itself can serve it too:
//
//	d := dashboard.New(dashboard.Emulator{
//		Name:     "verisoul",
//		Title:    "Verisoul",
//		Root:     verisoulSrv.URL,
//		URLs:     []dashboard.Link{{Label: "base URL", URL: verisoulSrv.URL}},
//		Controls: contract.Default().Spec("sandbox/verisoul"),
//		State:    verisoulEmu,
//	})
//	mux.Handle("/{$}", d)
//
// It answers HTML, or JSON for Accept: application/json, and is read-only: it answers
// GET and HEAD only, so no page can change the sandbox through it. The HTML refreshes its
// live part with a small inline script (no external assets; a CSP nonce allows it).
package dashboard

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
)

// Emulator is one emulator as the dashboard shows it.
type Emulator struct {
	// Name is the vendor's short name: "verisoul", "iproov", "verifik".
	Name string
	// Title is the heading people read: "Verisoul (Face Match, ID Check)".
	Title string
	// Root is where the emulator is served: a path on the dashboard's own server
	// ("/verisoul", "" for its root) or an absolute URL. The control paths of its spec
	// are shown under it.
	Root string
	// URLs are what a client or a person needs to reach the emulator: the vendor API's
	// base URL, the control roots, the hosted pages; each an absolute URL or a path on
	// the dashboard's server.
	URLs []Link
	// Credentials are the emulator's published sandbox credentials, shown so a person can
	// copy them. Never put a real vendor credential here: the page shows them to anyone
	// who can reach it.
	Credentials []Credential
	// Controls is the emulator's controls spec, e.g.
	// contract.Default().Spec("sandbox/verisoul"); nil shows no control endpoints.
	Controls *contract.Spec
	// State reports the live state and the recent calls; nil shows none.
	State sandbox.Inspector
}

// Link is a labelled URL.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Credential is one published sandbox credential: what it is and its value.
type Credential struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Dashboard is the dashboard's http.Handler. Its zero value shows no emulator; set the
// fields before serving and leave them alone after.
type Dashboard struct {
	Emulators []Emulator
	// Refresh is how often the page refreshes its live part: 0 means every 2 seconds, a
	// negative value never.
	Refresh time.Duration
	// MaxCalls is how many recent calls of each emulator the HTML shows (the JSON has all
	// an emulator keeps): 0 means 50.
	MaxCalls int
	// AllowedHosts are Host names, beyond loopback and the server's own address, the
	// dashboard answers (see sandbox.GuardControl): it shows what testers typed in, which a
	// DNS-rebinding page must not read.
	AllowedHosts []string
}

// New returns a dashboard of emulators with the default settings.
func New(emulators ...Emulator) *Dashboard { return &Dashboard{Emulators: emulators} }

// View is the dashboard's JSON answer.
type View struct {
	Emulators []EmulatorView `json:"emulators"`
}

// EmulatorView is one emulator in the JSON answer. Paths of the sandbox server are made
// absolute with the origin the request was addressed to.
type EmulatorView struct {
	Name        string       `json:"name"`
	Title       string       `json:"title"`
	Root        string       `json:"root"`
	URLs        []Link       `json:"urls"`
	Credentials []Credential `json:"credentials"`
	// Spec is the URL of the emulator's controls spec (OpenAPI), "" without one.
	Spec     string         `json:"spec,omitempty"`
	Controls []Control      `json:"controls"`
	Items    []sandbox.Item `json:"items"`
	Calls    []sandbox.Call `json:"calls"`
	// Inspected tells whether the emulator reports its state at all.
	Inspected bool `json:"inspected"`
}

// ServeHTTP answers GET and HEAD: the HTML page, its live part (?part=live, what the
// page's script fetches), or JSON for Accept: application/json.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		sandbox.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{
			"error":   "method_not_allowed",
			"message": "the dashboard is read-only: it answers GET and HEAD; change the sandbox through its control endpoints",
		})
		return
	}
	// A navigation from another site is harmless here (nothing changes and that site
	// cannot read the answer), so only the guard's Host check applies to it: a link to
	// the dashboard from a README works, a DNS-rebinding page's fetch does not.
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" {
		r = r.Clone(r.Context())
		r.Header.Del("Sec-Fetch-Site")
		r.Header.Del("Origin")
	}
	sandbox.GuardControl(http.HandlerFunc(d.serve), d.AllowedHosts...).ServeHTTP(w, r)
}

func (d *Dashboard) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Vary", "Accept")
	view := d.view(origin(r))
	if wantsJSON(r.Header.Values("Accept")) || r.URL.Query().Get("format") == "json" {
		data, err := json.MarshalIndent(view, "", "  ")
		if err != nil {
			http.Error(w, "dashboard: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(data)+1))
		_, _ = w.Write(append(data, '\n'))
		return
	}
	nonce := newNonce()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+
		"'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	data := pageData{View: view, Nonce: nonce, RefreshMS: d.refreshMS(), MaxCalls: cmp.Or(d.MaxCalls, 50)}
	name := "page"
	if r.URL.Query().Get("part") == "live" {
		name = "live"
	}
	if err := pageTemplate.ExecuteTemplate(w, name, data); err != nil {
		// The header is gone; the page ends short, which a person sees.
		return
	}
}

func (d *Dashboard) refreshMS() int64 {
	switch {
	case d.Refresh < 0:
		return 0
	case d.Refresh == 0:
		return 2000
	}
	return max(d.Refresh.Milliseconds(), 250)
}

// view builds what both answers show; origin makes the server's own paths absolute.
func (d *Dashboard) view(origin string) View {
	v := View{Emulators: make([]EmulatorView, 0, len(d.Emulators))}
	for _, e := range d.Emulators {
		root := absolute(origin, e.Root)
		ev := EmulatorView{
			Name: e.Name, Title: cmp.Or(e.Title, e.Name), Root: root,
			URLs: make([]Link, 0, len(e.URLs)), Credentials: slices.Clone(e.Credentials),
			Controls: controls(e.Controls, root), Items: []sandbox.Item{}, Calls: []sandbox.Call{},
		}
		if ev.Credentials == nil {
			ev.Credentials = []Credential{}
		}
		for _, l := range e.URLs {
			ev.URLs = append(ev.URLs, Link{Label: l.Label, URL: absolute(origin, l.URL)})
		}
		if e.Controls != nil {
			ev.Spec = strings.TrimSuffix(root, "/") + SpecPath
		}
		if e.State != nil {
			in := e.State.Inspect()
			ev.Inspected = true
			if in.Items != nil {
				ev.Items = in.Items
			}
			if in.Calls != nil {
				ev.Calls = in.Calls
			}
		}
		v.Emulators = append(v.Emulators, ev)
	}
	return v
}

// SpecPath is where each emulator serves its controls spec, under its root.
const SpecPath = "/_sandbox/openapi.yaml"

// origin is the scheme and host the request was addressed to.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if r.Host == "" {
		return ""
	}
	return scheme + "://" + r.Host
}

// absolute prefixes a path on this server with origin; absolute URLs stay as they are.
func absolute(origin, p string) string {
	if strings.HasPrefix(p, "/") || p == "" {
		return origin + p
	}
	return p
}

// wantsJSON reports whether the client prefers application/json to HTML: the type with
// the highest q among the two wins, HTML on a tie (*/* of curl included).
func wantsJSON(accept []string) bool {
	bestJSON, bestHTML := -1.0, -1.0
	for _, field := range accept {
		for _, part := range strings.Split(field, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					q = f
				}
			}
			switch mt {
			case "application/json":
				bestJSON = max(bestJSON, q)
			case "text/html":
				bestHTML = max(bestHTML, q)
			}
		}
	}
	return bestJSON > 0 && bestJSON > bestHTML
}

func newNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
