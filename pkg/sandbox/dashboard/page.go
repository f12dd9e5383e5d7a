package dashboard

import (
	"html/template"
	"maps"
	"slices"
	"strings"
	"time"
)

// pageData is what the HTML templates see.
type pageData struct {
	View      View
	Nonce     string
	RefreshMS int64
	MaxCalls  int
}

var pageTemplate = template.Must(template.New("dashboard").Funcs(template.FuncMap{
	// openable: a page a person can open as it is (a template with placeholders, such as
	// "?session_id=…", is shown as text to copy).
	"openable": func(label, u string) bool {
		return (strings.Contains(label, "page") || strings.HasPrefix(label, "try ")) && !strings.ContainsAny(u, "…{")
	},
	"clock": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("15:04:05")
	},
	"pairs": func(m map[string]string) [][2]string {
		out := make([][2]string, 0, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, [2]string{k, m[k]})
		}
		return out
	},
	"recent": func(n int, ev EmulatorView) any { return ev.Calls[:min(n, len(ev.Calls))] },
	"more":   func(n int, ev EmulatorView) int { return max(len(ev.Calls)-n, 0) },
	"verdictClass": func(v string) string {
		switch v {
		case "ok", "drift", "violation":
			return "v-" + v
		}
		return "v-unknown"
	},
	"statusClass": func(s int) string {
		switch {
		case s == 0:
			return "s-dropped"
		case s < 400:
			return "s-ok"
		case s < 500:
			return "s-client"
		}
		return "s-server"
	},
}).Parse(pageHTML))

// pageHTML is the whole page; "live" is the part the page's script refreshes.
const pageHTML = `
{{define "page"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>idvkit sandbox</title>
<style nonce="{{.Nonce}}">
:root{--fg:#1d232b;--muted:#5b6673;--line:#d9dee4;--bg:#f6f7f9;--card:#fff;--accent:#2557a7}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d232b;color:#fff;padding:14px 24px;display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
header h1{font-size:18px;margin:0}
header p{margin:0;color:#c5ccd4}
header label{margin-left:auto;color:#c5ccd4}
main{padding:16px 24px;max-width:1280px}
h2{font-size:16px;margin:24px 0 8px}
h3{font-size:14px;margin:0 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px 14px;overflow-wrap:anywhere}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:2px 10px}
dt{color:var(--muted)}
dd{margin:0}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:4px 0;overflow:auto;max-height:220px}
table{border-collapse:collapse;width:100%;background:var(--card);margin-bottom:12px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px}
.empty{color:var(--muted);font-style:italic;margin:4px 0 12px}
.m{display:inline-block;min-width:54px;text-align:center;border-radius:3px;padding:0 4px;font:600 11px/18px ui-monospace,monospace;color:#fff;background:#5b6673}
.m-GET{background:#2e7d32}.m-POST{background:#2557a7}.m-PUT{background:#8a5a00}.m-DELETE{background:#b3261e}.m-PATCH{background:#6a3ea1}
.v-ok{color:#2e7d32}.v-drift{color:#8a5a00}.v-violation{color:#b3261e;font-weight:600}.v-unknown{color:var(--muted)}
.s-client{color:#8a5a00}.s-server,.s-dropped{color:#b3261e}
details{background:var(--card);border:1px solid var(--line);border-radius:6px;margin-bottom:8px}
summary{cursor:pointer;padding:8px 12px;font-weight:600}
.ctl{padding:8px 12px;border-top:1px solid var(--line)}
.ctl p{margin:2px 0;color:var(--muted)}
a{color:var(--accent)}
#status{color:#ffb4ab}
</style>
</head>
<body>
<header>
<h1>idvkit sandbox</h1>
<p>Offline emulators of the vendors’ sandbox APIs. Nothing here is a real credential.</p>
{{if .RefreshMS}}<label><input type="checkbox" id="auto" checked> live</label> <span id="status" role="status"></span>{{end}}
</header>
<main>
<section aria-labelledby="h-emulators">
<h2 id="h-emulators">Emulators</h2>
<div class="cards">
{{range .View.Emulators}}<div class="card" id="emulator-{{.Name}}">
<h3>{{.Title}}</h3>
<dl>
{{range .URLs}}<dt>{{.Label}}</dt><dd>{{if openable .Label .URL}}<a href="{{.URL}}">{{.URL}}</a>{{else}}<code>{{.URL}}</code>{{end}}</dd>
{{end}}{{range .Credentials}}<dt>{{.Name}}</dt><dd><code>{{.Value}}</code></dd>
{{end}}{{if .Spec}}<dt>controls spec</dt><dd><a href="{{.Spec}}">{{.Spec}}</a></dd>
{{end}}</dl>
</div>
{{end}}</div>
</section>
<section aria-labelledby="h-live">
<h2 id="h-live">Live state and recent calls</h2>
<div id="live" aria-live="polite">{{template "live" .}}</div>
</section>
<section aria-labelledby="h-controls">
<h2 id="h-controls">Control endpoints</h2>
<p>Control requests take <code>Content-Type: application/json</code>, from this origin or a program (curl, a test); a page of another site is refused.</p>
{{range .View.Emulators}}<details id="controls-{{.Name}}">
<summary>{{.Title}} — {{len .Controls}} endpoint(s)</summary>
{{if .Spec}}<p class="ctl">OpenAPI document of these endpoints: <a href="{{.Spec}}">{{.Spec}}</a></p>
{{end}}{{range .Controls}}<div class="ctl" data-operation="{{.Operation}}">
<span class="m m-{{.Method}}">{{.Method}}</span> {{if .Link}}<a href="{{.Path}}"><code>{{.Path}}</code></a>{{else}}<code>{{.Path}}</code>{{end}}
<p>{{.Summary}}{{if .Operation}} · <code>{{.Operation}}</code>{{end}} · answers {{range $i, $s := .Statuses}}{{if $i}}, {{end}}{{$s}}{{end}}</p>
{{if .ContentType}}<p>body <code>{{.ContentType}}</code></p>{{end}}
{{range .Examples}}{{if .Name}}<p>{{.Name}}{{if .Summary}}: {{.Summary}}{{end}}</p>{{end}}<pre>{{.Text}}</pre>
{{end}}</div>
{{else}}<p class="ctl empty">No controls spec given for this emulator.</p>
{{end}}</details>
{{end}}
</section>
</main>
{{if .RefreshMS}}<script nonce="{{.Nonce}}">
(function () {
  var every = {{.RefreshMS}};
  var live = document.getElementById("live");
  var auto = document.getElementById("auto");
  var status = document.getElementById("status");
  function again() { setTimeout(tick, every); }
  function tick() {
    if (document.hidden || !auto.checked) { again(); return; }
    var u = new URL(location.href);
    u.searchParams.set("part", "live");
    fetch(u, { headers: { Accept: "text/html" }, cache: "no-store", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) { live.innerHTML = html; status.textContent = ""; })
      .catch(function () { status.textContent = "the sandbox is not answering"; })
      .finally(again);
  }
  again();
})();
</script>{{end}}
</body>
</html>
{{end}}

{{define "live"}}{{$max := .MaxCalls}}{{range .View.Emulators}}<div class="state" id="state-{{.Name}}">
<h3>{{.Title}}</h3>
{{if not .Inspected}}<p class="empty">This emulator does not report its state.</p>
{{else}}{{if .Items}}<table class="items">
<thead><tr><th>kind</th><th>id</th><th>state</th><th>detail</th><th>updated</th></tr></thead>
<tbody>
{{range .Items}}<tr class="item" data-kind="{{.Kind}}" data-state="{{.State}}"><td>{{.Kind}}</td><td><code>{{.ID}}</code></td><td>{{.State}}</td><td>{{range pairs .Detail}}{{index . 0}}: {{index . 1}}<br>{{end}}</td><td>{{clock .Updated}}</td></tr>
{{end}}</tbody>
</table>
{{else}}<p class="empty">No sessions, claims or registrants yet.</p>
{{end}}{{if .Calls}}<table class="calls">
<thead><tr><th>time</th><th>method</th><th>operation</th><th>status</th><th>contract</th></tr></thead>
<tbody>
{{range recent $max .}}<tr class="call" data-operation="{{.Operation}}" data-verdict="{{.Verdict}}"><td>{{clock .Time}}</td><td>{{.Method}}</td><td>{{if .Operation}}<code>{{.Operation}}</code>{{else}}control or unknown route{{end}}</td><td class="{{statusClass .Status}}">{{if .Status}}{{.Status}}{{else}}dropped{{end}}</td><td class="{{verdictClass .Verdict}}">{{.Verdict}}{{range .Problems}}<br><code>{{.}}</code>{{end}}</td></tr>
{{end}}</tbody>
</table>
{{with more $max .}}<p class="empty">{{.}} older call(s) in the JSON (Accept: application/json).</p>{{end}}
{{else}}<p class="empty">No calls yet.</p>
{{end}}{{end}}</div>
{{end}}{{end}}
`
