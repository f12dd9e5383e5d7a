package verifiktest

// The hosted app's HTML, style and script. Self-contained: no external asset; the inline
// style and script carry the response's CSP nonce, and html/template escapes every value.

import "html/template"

var appPage = template.Must(template.New("app").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Sign up to {{.V.ProjectName}} — Verifik Smart Enroll (idvkit sandbox)</title>
<style nonce="{{.Nonce}}">` + appStyle + `</style>
</head>
<body>
<p class="banner">idvkit sandbox — a stand-in for Verifik's hosted Smart Enroll app. Nothing here leaves this machine.</p>
<main id="app" data-project="{{.V.ProjectID}}" data-flow="{{.V.FlowID}}" data-registration="{{.V.RegistrationID}}"
  data-redirect="{{.V.Redirect}}" data-has-document="{{.V.HasDocument}}" data-phone-gateway="{{.V.PhoneGateway}}">
<h1>Sign up to {{.V.ProjectName}}</h1>
{{if .V.Finished}}
<section id="finished" class="card">
<h2>This registration has ended</h2>
<p>Its status is <strong id="finished-status">{{.V.Status}}</strong>. Ask {{.V.ProjectName}} for a new sign-up link to start again.</p>
</section>
{{else}}
<ol id="progress" aria-label="Steps">
{{range .V.Steps}}<li data-step="{{.Name}}">{{.Title}} <span class="req">{{if .Mandatory}}required{{else}}optional{{end}}</span></li>
{{end}}<li data-step="end">Finish</li>
</ol>
<div id="error" class="card error" role="alert" hidden>
<p id="error-text"></p>
<p class="hint">Fix it and try again, or end the journey here as Verifik's app would after a refusal.</p>
<button type="button" id="give-up" class="secondary">End as failed</button>
</div>
{{range .V.Steps}}
<section id="step-{{.Name}}" class="step card" data-step="{{.Name}}" data-requirement="{{.Requirement}}" hidden>
<h2 tabindex="-1">{{.Title}} <span class="req">{{if .Mandatory}}required{{else}}optional{{end}}</span></h2>
{{if eq .Name "signUpForm"}}
{{if $.V.Demo}}<p class="hint">Demo mode: every code is the project's demo code.</p>{{end}}
{{if $.V.EmailCode}}
<fieldset>
<legend>Email</legend>
<label for="email">Email address</label>
<input id="email" type="email" autocomplete="email" value="{{$.V.Email}}" maxlength="320">
<button type="button" id="email-send">Send code</button>
<div id="email-sent" hidden>
<p class="inbox">Sandbox inbox — code sent by email: <output id="email-inbox"></output></p>
<label for="email-code">Code</label>
<input id="email-code" inputmode="numeric" autocomplete="one-time-code" maxlength="6">
<button type="button" id="email-confirm">Confirm</button>
<span id="email-status" class="ok" aria-live="polite"></span>
</div>
</fieldset>
{{end}}
{{if $.V.PhoneCode}}
<fieldset>
<legend>Phone ({{$.V.PhoneGateway}})</legend>
<label for="country-code">Country code</label>
<input id="country-code" value="{{$.V.CountryCode}}" maxlength="4" placeholder="+57">
<label for="phone">Phone number</label>
<input id="phone" type="tel" autocomplete="tel-national" value="{{$.V.Phone}}" maxlength="20">
<button type="button" id="phone-send">Send code</button>
<div id="phone-sent" hidden>
<p class="inbox">Sandbox phone — code sent: <output id="phone-inbox"></output></p>
<label for="phone-code">Code</label>
<input id="phone-code" inputmode="numeric" autocomplete="one-time-code" maxlength="6">
<button type="button" id="phone-confirm">Confirm</button>
<span id="phone-status" class="ok" aria-live="polite"></span>
</div>
</fieldset>
{{end}}
{{if not (or $.V.EmailCode $.V.PhoneCode)}}<p>This flow asks for no code.</p>{{end}}
<button type="button" class="continue" data-sync="signUpForm">Continue</button>
{{else if eq .Name "document"}}
<p>The sandbox's camera photographs the identity document you choose.</p>
<label for="document-face">Face on the document</label>
<input id="document-face" value="alice" maxlength="64">
<label for="document-kind">Document</label>
<select id="document-kind">
<option value="valid">Valid, in date</option>
<option value="fake">Forged</option>
<option value="expired">Expired</option>
<option value="other_face">Showing another person's face</option>
<option value="unreadable">Not a document</option>
</select>
<button type="button" id="document-submit">Upload document</button>
<p id="document-result" aria-live="polite"></p>
{{else if eq .Name "liveness"}}
<p>The sandbox's camera takes a selfie of the face you choose.</p>
<label for="selfie-face">Face</label>
<input id="selfie-face" value="alice" maxlength="64">
<label for="selfie-kind">Capture</label>
<select id="selfie-kind">
<option value="genuine">The person, present (liveness 0.93)</option>
<option value="spoof">A photo of a photo (liveness 0.30)</option>
</select>
<button type="button" id="selfie-submit">Take selfie</button>
<p id="selfie-result" aria-live="polite"></p>
{{else}}
<p>The sandbox keeps nothing typed here; continuing reports the step to Verifik.</p>
<button type="button" class="continue" data-sync="{{.Name}}">Continue</button>
{{end}}
{{if .Mandatory}}
<button type="button" class="skip secondary" data-mandatory="true" title="Verifik's app offers no skip here; the sandbox lets you try, to see Verifik refuse to complete">Skip anyway (sandbox)</button>
{{else}}
<button type="button" class="skip secondary">Skip</button>
{{end}}
</section>
{{end}}
<section id="step-end" class="step card" data-step="end" hidden>
<h2 tabindex="-1">Finish</h2>
<p>Finishing asks Verifik to complete the registration{{if .V.Redirect}} and takes you back to {{.V.ProjectName}}{{end}}.</p>
<button type="button" id="finish">Finish</button>
{{if .V.CanSkipKYC}}<button type="button" id="skip-kyc" class="secondary">Finish without verification</button>{{end}}
</section>
<section id="done" class="card" hidden>
<h2 tabindex="-1">Done</h2>
<p>The registration ended as <strong id="done-status"></strong>.</p>
<p id="done-text">Taking you back…</p>
</section>
{{end}}
</main>
{{if not .V.Finished}}<script nonce="{{.Nonce}}">` + appScript + `</script>{{end}}
</body>
</html>
`))

var appErrorPage = template.Must(template.New("app-error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>This sign-up link is not valid — Verifik Smart Enroll (idvkit sandbox)</title>
<style nonce="{{.Nonce}}">` + appStyle + `</style>
</head>
<body>
<p class="banner">idvkit sandbox — a stand-in for Verifik's hosted Smart Enroll app.</p>
<main id="app">
<section id="invalid" class="card error" data-status="{{.V.Status}}">
<h1>This sign-up link is not valid</h1>
{{if .V.Unauthorized}}<p>Its token is missing, expired, altered or not a registrant's token.</p>
{{else}}<p>Its registration, its flow or its project does not exist (any more).</p>{{end}}
<p class="hint">The link is built from createAppRegistration's answer: /_sandbox/verifik/sign-up/{projectId}?token={data.token}.</p>
</section>
</main>
</body>
</html>
`))

const appStyle = `
:root { color-scheme: light; --accent: #2b59c3; --bad: #b3261e; --ok: #1b6e3a; font-family: system-ui, sans-serif; }
body { margin: 0; background: #f3f5f9; color: #1c1f26; }
.banner { margin: 0; padding: .4rem 1rem; background: #fff4ce; font-size: .85rem; border-bottom: 1px solid #e8d98f; }
main { max-width: 36rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; margin-top: 0; }
.card { background: #fff; border: 1px solid #d9dde6; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
.error { border-color: var(--bad); }
#error-text { color: var(--bad); font-weight: 600; }
#progress { display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; list-style: none; font-size: .85rem; }
#progress li { padding: .2rem .6rem; border-radius: 999px; background: #e4e8f0; }
#progress li[aria-current="step"] { background: var(--accent); color: #fff; }
#progress li.passed { background: #d3eedb; }
#progress li.skipped { background: #f6e3c5; text-decoration: line-through; }
.req { font-weight: normal; font-size: .75rem; color: #5b6270; }
#progress li[aria-current="step"] .req { color: #e6ebff; }
fieldset { border: 1px solid #e4e8f0; border-radius: 6px; margin: 0 0 1rem; }
label { display: block; margin: .6rem 0 .2rem; font-size: .9rem; }
input, select { font: inherit; padding: .35rem .5rem; border: 1px solid #aab1bf; border-radius: 4px; min-width: 14rem; }
button { font: inherit; margin: .6rem .4rem 0 0; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button:disabled { opacity: .5; cursor: progress; }
.inbox { background: #eef3ff; padding: .4rem .6rem; border-radius: 4px; }
.inbox output { font-family: ui-monospace, monospace; font-size: 1.1rem; font-weight: 700; letter-spacing: .1em; }
.ok { color: var(--ok); font-weight: 600; }
.hint { font-size: .85rem; color: #5b6270; }
`

// appScript walks the registrant through the flow's steps with the Smart Enroll API, as
// Verifik's app does: the token comes from the page's own URL and travels only in the
// Authorization header of same-origin calls.
const appScript = `
(() => {
  "use strict";
  const main = document.getElementById("app");
  const d = main.dataset;
  const token = new URLSearchParams(location.search).get("token") || "";
  const marker = "/_sandbox/verifik/sign-up/";
  const root = location.pathname.slice(0, location.pathname.lastIndexOf(marker));
  const here = location.pathname.replace(/\/+$/, "");
  const $ = (id) => document.getElementById(id);
  const steps = Array.from(document.querySelectorAll("section.step"));
  const state = { emailValidation: "", email: "", phone: "", countryCode: "", documentAttempts: 0, documentFace: false };
  let current = -1;

  class APIError extends Error {
    constructor(status, body) {
      super("HTTP " + status);
      this.status = status;
      this.body = body || {};
    }
  }

  async function call(method, path, body, own) {
    const headers = { "Authorization": "Bearer " + token, "Accept": "application/json" };
    const init = { method, headers, credentials: "omit", cache: "no-store", redirect: "error" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch((own ? here : root) + path, init);
    let data = null;
    try { data = await res.json(); } catch (_) { data = null; }
    if (!res.ok) throw new APIError(res.status, data);
    return data;
  }

  function describe(e) {
    if (e instanceof APIError) {
      const b = e.body || {};
      const code = b.code || b.error || ("HTTP " + e.status);
      const msg = b.message || "";
      return msg && msg !== code ? code + ": " + msg : code;
    }
    return String((e && e.message) || e);
  }

  function showError(e) {
    $("error-text").textContent = describe(e);
    $("error").dataset.code = (e instanceof APIError && e.body && (e.body.code || e.body.error)) || "";
    $("error").hidden = false;
  }

  function hideError() { $("error").hidden = true; $("error-text").textContent = ""; }

  async function act(button, fn) {
    if (main.dataset.busy) return;
    main.dataset.busy = "true";
    hideError();
    button.disabled = true;
    try { await fn(); } catch (e) { showError(e); } finally { delete main.dataset.busy; button.disabled = false; }
  }

  function on(id, fn) { const b = $(id); if (b) b.addEventListener("click", () => act(b, fn)); }

  function show(i) {
    current = i;
    steps.forEach((s, j) => { s.hidden = j !== i; });
    const name = steps[i].dataset.step;
    document.querySelectorAll("#progress li").forEach((li) => {
      if (li.dataset.step === name) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
    const h = steps[i].querySelector("h2");
    if (h) h.focus();
  }

  function next(skipped) {
    const li = document.querySelector('#progress li[data-step="' + steps[current].dataset.step + '"]');
    if (li) li.classList.add(skipped ? "skipped" : "passed");
    hideError();
    show(current + 1);
  }

  const sync = (step, status) =>
    call("PUT", "/v2/app-registrations/" + encodeURIComponent(d.registration) + "/sync", { step, status });

  async function inbox(target, validationId) {
    const r = await call("GET", "/inbox", undefined, true);
    const mine = (r.messages || []).filter((m) => m.validationId === validationId);
    $(target).textContent = mine.length ? mine[mine.length - 1].code : "(nothing yet)";
  }

  function code(id) {
    const c = $(id).value.trim();
    if (!/^[0-9]{6}$/.test(c)) throw new Error("Enter the 6-digit code.");
    return c; // a string, as Verifik's web SDK sends it: "012345" keeps its zero
  }

  on("email-send", async () => {
    const email = $("email").value.trim();
    const r = await call("POST", "/v2/email-validations/app-registration", {
      project: d.project, projectFlow: d.flow, validationMethod: "verificationCode", email, type: "onboarding", language: "en" });
    state.emailValidation = r.data._id;
    state.email = email;
    await inbox("email-inbox", r.data._id);
    $("email-sent").hidden = false;
    $("email-code").focus();
  });

  on("email-confirm", async () => {
    if (!state.emailValidation) throw new Error("Send the code first.");
    await call("PUT", "/v2/email-validations/" + encodeURIComponent(state.emailValidation), { email: state.email, otp: code("email-code") });
    $("email-status").textContent = "Email verified";
    main.dataset.emailVerified = "true";
  });

  on("phone-send", async () => {
    const phone = $("phone").value.trim(), countryCode = $("country-code").value.trim();
    const body = { project: d.project, projectFlow: d.flow, validationMethod: "verificationCode", phone, countryCode, type: "onboarding", language: "en" };
    if (d.phoneGateway === "sms" || d.phoneGateway === "whatsapp") body.phoneGateway = d.phoneGateway;
    const r = await call("POST", "/v2/phone-validations/app-registration", body);
    state.phone = phone;
    state.countryCode = countryCode;
    await inbox("phone-inbox", r.data._id);
    $("phone-sent").hidden = false;
    $("phone-code").focus();
  });

  on("phone-confirm", async () => {
    if (!state.phone) throw new Error("Send the code first.");
    await call("PUT", "/v2/phone-validations", {
      phone: state.phone, countryCode: state.countryCode, otp: code("phone-code"), project: d.project, projectFlow: d.flow });
    $("phone-status").textContent = "Phone verified";
    main.dataset.phoneVerified = "true";
  });

  document.querySelectorAll("button.continue").forEach((b) => b.addEventListener("click", () => act(b, async () => {
    await sync(b.dataset.sync, "ONGOING");
    next();
  })));

  document.querySelectorAll("button.skip").forEach((b) => b.addEventListener("click", () => act(b, async () => next(true))));

  on("document-submit", async () => {
    const cap = await call("POST", "/capture", { kind: "document", face: $("document-face").value.trim(), document: $("document-kind").value }, true);
    const force = state.documentAttempts > 0 || d.hasDocument === "true";
    const r = await call("POST", "/v2/document-validations/app-registration", { image: cap.image, inputMethod: "FILE_UPLOAD", force });
    state.documentAttempts++;
    const dv = r.data.documentValidation;
    const result = $("document-result");
    result.dataset.status = dv.status || "";
    result.textContent = "Document " + (dv.documentType || "") + ": " + (dv.status || "unknown");
    if (dv.status !== "VALIDATED" && dv.status !== "ACTIVE") {
      result.textContent += ". Try another document" + (steps[current].dataset.requirement === "mandatory" ? "." : ", or skip this step.");
      return;
    }
    state.documentFace = true;
    await sync("document", "ONGOING");
    next();
  });

  on("selfie-submit", async () => {
    const body = { kind: "selfie", face: $("selfie-face").value.trim() };
    if ($("selfie-kind").value === "spoof") body.liveness = 0.3;
    const cap = await call("POST", "/capture", body, true);
    await call("POST", "/v2/biometric-validations/app-registration", { image: cap.image, os: "DESKTOP" });
    const result = $("selfie-result");
    result.dataset.status = "passed";
    result.textContent = "Selfie accepted.";
    if (state.documentFace) {
      const c = await call("POST", "/v2/face-recognition/compare/app-registration", {});
      const cf = c.data.compareFaceVerification;
      if (cf && cf.result) result.textContent += " Face match with the document: " + cf.result.score + ".";
    }
    await sync("liveness", "ONGOING");
    next();
  });

  function leave(outcome) {
    const data = outcome.data || {};
    steps.forEach((s) => { s.hidden = true; });
    $("done-status").textContent = data.status || "";
    $("done").hidden = false;
    if (!d.redirect) {
      $("done-text").textContent = "This flow has no redirect URL: you may close this page.";
      return;
    }
    const u = new URL(d.redirect);
    u.searchParams.set("type", "onboarding");
    u.searchParams.set("token", data.token || "");
    location.assign(u.toString());
  }

  on("finish", async () => leave(await sync("end", "COMPLETED")));
  on("skip-kyc", async () => leave(await sync("skipKYC", "COMPLETED_WITHOUT_KYC")));
  on("give-up", async () => leave(await sync("end", "FAILED")));

  show(0);
})();
`

var appStartPage = template.Must(template.New("app-start").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Try a Smart Enroll journey — Verifik (idvkit sandbox)</title>
<style nonce="{{.Nonce}}">` + appStyle + `</style>
</head>
<body>
<p class="banner">idvkit sandbox — a stand-in for Verifik's hosted Smart Enroll app. Nothing here leaves this machine.</p>
<main id="app">
<h1>Try a Smart Enroll journey</h1>
<div id="error" class="card error" role="alert" hidden><p id="error-text"></p></div>
<section class="card">
<p>This registers you in a demo flow of the sandbox's default account, as an integrator's backend would with
createAppRegistration, and opens the hosted app with your token.</p>
<label for="email">Email address</label>
<input id="email" type="email" value="ana@example.com" maxlength="320">
<label for="name">Full name (optional)</label>
<input id="name" value="Ana Lima" maxlength="120">
<label for="flow">Flow</label>
<select id="flow">
<option value="full">Full Verification: email code, document and selfie required</option>
<option value="basic">Basic Enrollment: email code required, document and selfie optional</option>
</select>
<button type="button" id="start">Start</button>
</section>
</main>
<script nonce="{{.Nonce}}">` + appStartScript + `</script>
</body>
</html>
`))

const appStartScript = `
(() => {
  "use strict";
  const marker = "/_sandbox/verifik/sign-up/";
  const root = location.pathname.slice(0, location.pathname.lastIndexOf(marker));
  const $ = (id) => document.getElementById(id);
  $("start").addEventListener("click", async () => {
    $("start").disabled = true;
    $("error").hidden = true;
    try {
      const res = await fetch(location.pathname, {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ email: $("email").value.trim(), fullName: $("name").value.trim(), flow: $("flow").value }),
      });
      const data = await res.json();
      if (!res.ok) throw new Error((data.error || res.status) + ": " + (data.message || ""));
      location.assign(root + data.path);
    } catch (e) {
      $("error-text").textContent = String(e.message || e);
      $("error").hidden = false;
      $("start").disabled = false;
    }
  });
})();
`

var appDonePage = template.Must(template.New("app-done").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Back from Smart Enroll — Verifik (idvkit sandbox)</title>
<style nonce="{{.Nonce}}">` + appStyle + `</style>
</head>
<body>
<p class="banner">idvkit sandbox — the page the demo flows redirect to, in place of an integrator's site.</p>
<main id="app">
<section class="card">
<h1>Back from Smart Enroll</h1>
{{if .V}}<p>The registration ended as <strong id="outcome">{{.V}}</strong>.</p>
{{else}}<p>This is not the return of a journey: its token is missing, expired or altered.</p>{{end}}
<p>An integrator's backend would now read the registration with its client token (getAppRegistration).</p>
<p><a href="/">The sandbox dashboard</a> shows the journey · <a href="start">start another</a></p>
</section>
</main>
</body>
</html>
`))
