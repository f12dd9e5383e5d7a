package dashboard_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idvkit/idvkit/api"
	"github.com/idvkit/idvkit/pkg/contract"
	"github.com/idvkit/idvkit/pkg/sandbox"
	"github.com/idvkit/idvkit/pkg/sandbox/dashboard"
)

// fakeState is an emulator's Inspect with whatever a test puts in it.
type fakeState sandbox.Inspection

func (f fakeState) Inspect() sandbox.Inspection { return sandbox.Inspection(f) }

// hostile strings a tester may type into the sandbox (a face name) or an id may carry.
const (
	hostileFace = `<script>alert("face")</script>`
	hostileID   = `"><img src=x onerror=alert(1)>`
)

func hostileState() fakeState {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return fakeState{
		Vendor: "verisoul",
		Items: []sandbox.Item{{Kind: "session", ID: hostileID, State: "completed</td><td>x",
			Detail: map[string]string{"face": hostileFace}, Updated: at}},
		Calls: []sandbox.Call{{Time: at, Method: "POST", Operation: "verifyFace", Status: 200, Verdict: "violation",
			Problems: []string{`response.body.<b>x</b>: required`}}},
	}
}

// controlsSpec is a controls spec that takes the fault endpoint from the shared fragment,
// as each emulator's api/sandbox/<vendor>.yaml does.
func controlsSpec(t *testing.T) *contract.Spec {
	t.Helper()
	fragment, err := fs.ReadFile(api.FS, "sandbox/faults.yaml")
	require.NoError(t, err)
	kit, err := contract.Load(fstest.MapFS{
		"sandbox/faults.yaml": {Data: fragment},
		"sandbox/demo.yaml": {Data: []byte(`openapi: 3.0.3
info: {title: "idvkit sandbox controls: Demo", version: "1"}
tags: [{name: faults}, {name: sessions}]
paths:
  /_sandbox/faults:
    $ref: './faults.yaml#/paths/~1_sandbox~1faults'
  /_sandbox/demo/sessions/{id}/complete:
    post:
      operationId: completeSession
      summary: Complete a session as a named face
      tags: [sessions]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {face: {type: string}}}
            example: {face: alice}
      responses:
        '204': {description: done}
        '403': {$ref: './faults.yaml#/components/responses/ControlForbidden'}
`)},
	})
	require.NoError(t, err)
	return kit.Spec("sandbox/demo")
}

func newDashboard(t *testing.T) *httptest.Server {
	t.Helper()
	d := dashboard.New(dashboard.Emulator{
		Name: "verisoul", Title: "Verisoul <sandbox>", Root: "/verisoul",
		URLs:        []dashboard.Link{{Label: "base URL", URL: "/verisoul"}},
		Credentials: []dashboard.Credential{{Name: "x-api-key", Value: "sandbox-verisoul-api-key"}},
		Controls:    controlsSpec(t),
		State:       hostileState(),
	}, dashboard.Emulator{Name: "quiet", Title: "No state"})
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	require.NoError(t, err)
	return res, string(body)
}

// TestHTMLEscapesEverything: what testers type (a face name) and what ids carry is shown
// as text, never as markup, in the page and in its live part.
func TestHTMLEscapesEverything(t *testing.T) {
	srv := newDashboard(t)
	for _, path := range []string{"/", "/?part=live"} {
		t.Run(path, func(t *testing.T) {
			res, body := get(t, srv.URL+path, map[string]string{"Accept": "text/html"})
			require.Equal(t, 200, res.StatusCode)
			assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
			for _, raw := range []string{hostileFace, hostileID, "<img", "<b>x</b>", "completed</td>", "Verisoul <sandbox>"} {
				assert.NotContains(t, body, raw)
			}
			assert.Contains(t, body, "&lt;script&gt;alert(&#34;face&#34;)&lt;/script&gt;", "the face name is shown as text")
			assert.Contains(t, body, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "the id is shown as text")
		})
	}
}

// TestHTMLHeaders: the page runs no script but its own (a nonce per answer), loads nothing
// from elsewhere and cannot be framed.
func TestHTMLHeaders(t *testing.T) {
	srv := newDashboard(t)
	var nonces []string
	for range 2 {
		res, body := get(t, srv.URL, nil)
		csp := res.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]{20,})'`).FindStringSubmatch(csp)
		require.NotNil(t, m, csp)
		assert.Contains(t, csp, "default-src 'self'")
		assert.Contains(t, csp, "frame-ancestors 'none'")
		assert.Contains(t, body, `<script nonce="`+m[1]+`">`)
		assert.Equal(t, 1, strings.Count(body, "<script"), "one script, the page's own")
		for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			assert.True(t, strings.HasPrefix(m[1], srv.URL+"/"), "%s: only links to this server, no external assets", m[1])
		}
		assert.NotContains(t, body, "<link", "no stylesheet to fetch")
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		nonces = append(nonces, m[1])
	}
	assert.NotEqual(t, nonces[0], nonces[1], "a fresh nonce per answer")
}

// TestJSONShape: tools get the same view as JSON, paths made absolute with the origin
// the request was addressed to.
func TestJSONShape(t *testing.T) {
	srv := newDashboard(t)
	res, body := get(t, srv.URL, map[string]string{"Accept": "application/json"})
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	var v dashboard.View
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	require.Len(t, v.Emulators, 2)

	e := v.Emulators[0]
	assert.Equal(t, "verisoul", e.Name)
	assert.Equal(t, srv.URL+"/verisoul", e.Root)
	assert.Equal(t, []dashboard.Link{{Label: "base URL", URL: srv.URL + "/verisoul"}}, e.URLs)
	assert.Equal(t, srv.URL+"/verisoul/_sandbox/openapi.yaml", e.Spec)
	assert.True(t, e.Inspected)
	require.Len(t, e.Items, 1)
	assert.Equal(t, hostileFace, e.Items[0].Detail["face"], "JSON carries the value; escaping is the reader's job")
	require.Len(t, e.Calls, 1)
	assert.Equal(t, "violation", e.Calls[0].Verdict)

	ops := map[string]dashboard.Control{}
	for _, c := range e.Controls {
		ops[c.Operation] = c
	}
	assert.ElementsMatch(t, []string{"getFaults", "setFaults", "postFaults", "clearFaults", "completeSession"}, keys(ops))
	complete := ops["completeSession"]
	assert.Equal(t, "POST", complete.Method)
	assert.Equal(t, srv.URL+"/verisoul/_sandbox/demo/sessions/{id}/complete", complete.Path)
	assert.Equal(t, "application/json", complete.ContentType)
	require.Len(t, complete.Examples, 1)
	assert.JSONEq(t, `{"face":"alice"}`, string(complete.Examples[0].Value))
	assert.Equal(t, []string{"204", "403"}, complete.Statuses)
	set := ops["setFaults"]
	assert.Equal(t, "PUT", set.Method)
	assert.GreaterOrEqual(t, len(set.Examples), 3, "every named example of the fragment")
	assert.Empty(t, ops["getFaults"].Examples, "a GET has no body")

	quiet := v.Emulators[1]
	assert.False(t, quiet.Inspected)
	assert.Equal(t, "", quiet.Spec)
	assert.NotNil(t, quiet.Items)
	assert.NotNil(t, quiet.Calls)
	assert.NotNil(t, quiet.Controls, "empty lists are [] in JSON, not null")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestContentNegotiation: JSON only when the client prefers it; browsers and curl get HTML.
func TestContentNegotiation(t *testing.T) {
	srv := newDashboard(t)
	tests := []struct {
		accept, query string
		wantJSON      bool
	}{
		{"", "", false},
		{"*/*", "", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", false},
		{"application/json", "", true},
		{"application/json, text/html;q=0.5", "", true},
		{"text/html, application/json", "", false},
		{"text/html;q=0.1, application/json;q=0.9", "", true},
		{"application/json;q=0", "", false},
		{"", "?format=json", true},
	}
	for _, tc := range tests {
		t.Run(tc.accept+tc.query, func(t *testing.T) {
			res, _ := get(t, srv.URL+"/"+tc.query, map[string]string{"Accept": tc.accept})
			assert.Equal(t, tc.wantJSON, res.Header.Get("Content-Type") == "application/json", res.Header.Get("Content-Type"))
		})
	}
}

// TestReadOnlyAndGuarded: the dashboard changes nothing, a link from another site opens
// it, but another site's script and a DNS-rebinding name cannot read it.
func TestReadOnlyAndGuarded(t *testing.T) {
	srv := newDashboard(t)
	tests := []struct {
		name   string
		method string
		header map[string]string
		host   string
		want   int
	}{
		{"typed URL", "GET", map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"}, "", 200},
		{"link from another site", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, "", 200},
		{"own refresh", "GET", map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}, "", 200},
		{"HEAD", "HEAD", nil, "", 200},
		{"another site's fetch", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Origin": "https://evil.example"}, "", 403},
		{"rebinding name", "GET", map[string]string{"Sec-Fetch-Site": "same-origin"}, "evil.example:80", 403},
		{"rebinding navigation", "GET", map[string]string{"Sec-Fetch-Mode": "navigate"}, "evil.example", 403},
		{"POST", "POST", map[string]string{"Content-Type": "application/json"}, "", 405},
		{"DELETE", "DELETE", nil, "", 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+"/", nil)
			require.NoError(t, err)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tc.want, res.StatusCode)
			if tc.want == 405 {
				assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
			}
		})
	}
}

// TestAllowedHosts: a Host the operator allowed (a docker service name) reaches the
// dashboard, as it reaches the control endpoints.
func TestAllowedHosts(t *testing.T) {
	d := dashboard.New()
	d.AllowedHosts = []string{"sandbox"}
	srv := httptest.NewServer(d)
	defer srv.Close()
	for host, want := range map[string]int{"sandbox:8080": 200, "other:8080": 403} {
		req, err := http.NewRequest("GET", srv.URL, nil)
		require.NoError(t, err)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, res.StatusCode, host)
	}
}

// TestRefresh: the page refreshes its live part by default, at the interval asked for,
// and not at all when told so (no script then).
func TestRefresh(t *testing.T) {
	tests := []struct {
		refresh time.Duration
		want    string // "" for no script
	}{
		{0, "2000"},
		{500 * time.Millisecond, "500"},
		{time.Millisecond, "250"},
		{-1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.refresh.String(), func(t *testing.T) {
			srv := httptest.NewServer(&dashboard.Dashboard{Refresh: tc.refresh})
			defer srv.Close()
			_, body := get(t, srv.URL, nil)
			if tc.want == "" {
				assert.NotContains(t, body, "<script")
				return
			}
			assert.Regexp(t, `var every = +`+tc.want+` *;`, body)
		})
	}
}

// TestMaxCalls: the page shows the most recent calls and says where the rest are.
func TestMaxCalls(t *testing.T) {
	calls := make([]sandbox.Call, 7)
	for i := range calls {
		calls[i] = sandbox.Call{Method: "GET", Operation: "op" + string(rune('a'+i)), Status: 200, Verdict: "ok"}
	}
	d := &dashboard.Dashboard{MaxCalls: 3, Emulators: []dashboard.Emulator{{Name: "x", State: fakeState{Calls: calls}}}}
	srv := httptest.NewServer(d)
	defer srv.Close()
	_, body := get(t, srv.URL+"/?part=live", nil)
	assert.Equal(t, 3, strings.Count(body, `<tr class="call"`))
	assert.Contains(t, body, "opa")
	assert.NotContains(t, body, "opd")
	assert.Contains(t, body, "4 older call(s)")
}

// TestPagesAreLinks: a page a person can open as it is is a link; a URL template with
// placeholders is text to copy, and a javascript: URL never becomes a live link.
func TestPagesAreLinks(t *testing.T) {
	d := dashboard.New(dashboard.Emulator{Name: "verisoul", Title: "Verisoul", Root: "/verisoul", URLs: []dashboard.Link{
		{Label: "base URL", URL: "/verisoul"},
		{Label: "try a Face Match journey", URL: "/verisoul/public/liveness-redirect?project_id=p"},
		{Label: "hosted capture page", URL: "/verisoul/app?session_id=…"},
		{Label: "SDK demo page", URL: "javascript:alert(1)"},
	}})
	srv := httptest.NewServer(d)
	defer srv.Close()
	_, body := get(t, srv.URL+"/", map[string]string{"Accept": "text/html"})
	assert.Contains(t, body, `<a href="`+srv.URL+`/verisoul/public/liveness-redirect?project_id=p">`)
	assert.NotContains(t, body, `<a href="`+srv.URL+`/verisoul/app`)
	assert.NotContains(t, body, `<a href="`+srv.URL+`/verisoul">`, "the API's base URL is not a page")
	assert.NotContains(t, body, `href="javascript:`)
}
