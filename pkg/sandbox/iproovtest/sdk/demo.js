// The demo page of idvkit's iProov sandbox: it plays the integrator's front end and
// backend of iProov's Web SDK demo (github.com/iProov/web, demo/), against the
// emulator's own claim endpoints (same-origin JSON).
(function () {
  "use strict";
  const EVENTS = ["connecting", "connected", "ready", "started", "streaming", "progress", "streamed",
    "passed", "failed", "error", "canceled", "unsupported", "permission", "permission_denied"];
  const base = new URL("../", location.href); // /_sandbox/iproov/
  const $ = (id) => document.getElementById(id);

  function problem(text) {
    $("problem").textContent = text;
    $("problem").hidden = !text;
  }

  function logEvent(ev) {
    const li = document.createElement("li");
    const d = Object.assign({}, ev.detail);
    if (d.token) {
      d.token = d.token.slice(0, 8) + "…"; // enough to tell claims apart
    }
    li.textContent = ev.type + " " + JSON.stringify(d);
    $("events").appendChild(li);
  }

  async function json(res) {
    try {
      return await res.json();
    } catch (e) {
      return null;
    }
  }

  async function validate(token) {
    const res = await fetch(new URL("claims/" + token + "/validate", base), { method: "POST" });
    const body = await json(res);
    $("validation").textContent = JSON.stringify(body, null, 2);
    $("outcome").hidden = false;
  }

  $("claim").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    problem("");
    $("outcome").hidden = true;
    $("events").textContent = "";
    const form = new FormData($("claim"));
    const res = await fetch(new URL("claims", base), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: form.get("type"), user_id: form.get("user_id"), assurance_type: form.get("assurance_type") }),
    });
    const body = await json(res);
    if (res.status !== 201) {
      problem((body && body.error ? body.error + ": " + body.message : "the claim could not be issued (" + res.status + ")"));
      return;
    }
    const sdk = document.createElement("iproov-me");
    sdk.setAttribute("token", body.token);
    sdk.setAttribute("base_url", new URL("../../", base).href);
    for (const name of EVENTS) {
      sdk.addEventListener(name, logEvent);
    }
    for (const name of ["passed", "failed"]) {
      sdk.addEventListener(name, () => validate(body.token));
    }
    $("sdk").textContent = "";
    $("sdk").appendChild(sdk);
  });
})();
