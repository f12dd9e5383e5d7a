// <iproov-me> stand-in of idvkit's iProov sandbox (package pkg/sandbox/iproovtest).
//
// It defines the element of iProov's Web SDK (github.com/iProov/web, README v5.4.4) with
// the same attributes (token, base_url, aria_live, custom_title, csp_nonce; the others are
// accepted and have no effect), the same slots and the same events with the same detail
// fields, and plays the end user's part in a small sandbox UI: a face name, Pass, Fail
// with a feedback code, Error with a feedback code, Cancel. It claims the token through
// the emulator: a hidden frame of the emulator's origin (/_sandbox/iproov/sdk/bridge)
// calls the claim endpoints same-origin on its behalf.
//
// Load it as a classic script, a module script or a dynamic import; with a dynamic
// import, set base_url (the emulator's base URL, where your backend got the token).
(function () {
  "use strict";
  if (!window.customElements || window.customElements.get("iproov-me")) {
    return;
  }

  // Feedback codes and reasons, filled in by the emulator (pkg/sandbox/iproovtest/sdk.go).
  const FEEDBACK = /*IDVKIT_FEEDBACK*/null;
  const SDK_PATH = "/_sandbox/iproov/sdk/iproov-me.js";
  const CURRENT = document.currentScript && document.currentScript.src;

  // The emulator's base URL: base_url as the real SDK takes it (the platform the token
  // came from; a trailing /api/v2 is forgiven), else where this script came from.
  function baseURL(el) {
    let base = (el.getAttribute("base_url") || "").trim();
    if (!base) {
      let src = CURRENT;
      if (!src) {
        for (const s of document.querySelectorAll("script[src]")) {
          if (new URL(s.src, location.href).pathname.endsWith(SDK_PATH)) {
            src = s.src;
            break;
          }
        }
      }
      if (!src) {
        return null;
      }
      const u = new URL(src, location.href);
      base = u.origin + u.pathname.slice(0, u.pathname.length - SDK_PATH.length);
    }
    base = base.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
    try {
      return new URL(base + "/", location.href);
    } catch (e) {
      return null;
    }
  }

  const STYLE = `
    :host { display: block; font-family: system-ui, sans-serif; color: #1b1b1b; }
    .panel { border: 2px solid #5b3cc4; border-radius: 12px; padding: 1rem; max-width: 32rem; background: #fff; }
    .tag { font-size: .75rem; text-transform: uppercase; letter-spacing: .08em; color: #5b3cc4; margin: 0 0 .5rem; }
    h2, h3 { margin: .25rem 0 .75rem; }
    .row { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; flex-wrap: wrap; }
    label { min-width: 6rem; font-weight: 600; }
    input, select { font: inherit; padding: .35rem .5rem; border: 1px solid #777; border-radius: 6px; }
    .row > select, .row > input { flex: 1 1 12rem; min-width: 0; max-width: 100%; }
    button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #5b3cc4; background: #5b3cc4; color: #fff; cursor: pointer; }
    button.secondary { background: #fff; color: #5b3cc4; }
    button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
    .bar { height: .6rem; background: #e6e0fa; border-radius: 4px; overflow: hidden; }
    .bar > div { height: 100%; width: 0; background: #5b3cc4; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    [hidden] { display: none !important; }
  `;

  const TEMPLATE = `
    <div class="panel" part="panel">
      <p class="tag">iProov sandbox</p>
      <h2 id="title" hidden></h2>
      <section data-state="connecting"><p>Connecting…</p></section>
      <section data-state="ready" hidden>
        <slot name="ready"><h3>Ready to iProov</h3></slot>
        <slot name="button"><button id="scan" type="button">Scan face</button></slot>
      </section>
      <section data-state="capture" role="group" aria-labelledby="capture-title" hidden>
        <h3 id="capture-title">Play the end user</h3>
        <div class="row">
          <label for="face">Face name</label>
          <input id="face" name="face" value="alice" autocomplete="off" spellcheck="false" required>
          <button id="pass" type="button">Pass as this face</button>
        </div>
        <div class="row">
          <label for="failure">Failure</label>
          <select id="failure" name="failure"></select>
          <button id="fail" type="button">Fail</button>
        </div>
        <div class="row">
          <label for="error-code">Error</label>
          <select id="error-code" name="error"></select>
          <button id="error" type="button">Raise error</button>
        </div>
        <div class="row">
          <button id="cancel" type="button" class="secondary">Cancel</button>
        </div>
      </section>
      <section data-state="progress" hidden>
        <slot name="progress">
          <div class="bar" role="progressbar" aria-label="Progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div></div></div>
          <p class="message">Streaming…</p>
        </slot>
      </section>
      <section data-state="passed" hidden><slot name="passed"><h3>Passed</h3><p>You have iProoved successfully</p></slot></section>
      <section data-state="failed" hidden><slot name="failed"><h3>Failed</h3><p class="reason"></p></slot></section>
      <section data-state="error" hidden><slot name="error"><h3>Error</h3><p class="reason"></p></slot></section>
      <section data-state="canceled" hidden><slot name="canceled"><h3>Canceled</h3><p class="reason"></p></slot></section>
      <p id="status" class="sr" role="status" aria-live="assertive"></p>
    </div>
  `;

  const FINAL = ["passed", "failed", "error", "canceled"];

  class IProovMe extends HTMLElement {
    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      this._state = "";
      this._calls = new Map();
      this._nextID = 1;
      this._onMessage = this._onMessage.bind(this);
    }

    connectedCallback() {
      if (this._connected) {
        return;
      }
      this._connected = true;
      this._render();
      // After the integrator's code that appended the element has run, as the real
      // SDK's events come after its network round trips.
      queueMicrotask(() => this._connect());
    }

    disconnectedCallback() {
      window.removeEventListener("message", this._onMessage);
      if (this._state && !FINAL.includes(this._state)) {
        this._finish("error", this._errorFeedback("integration_unloaded"));
      }
    }

    // cancelTransaction ends the claim from the integrator's side, as the real SDK's does.
    cancelTransaction() {
      if (!FINAL.includes(this._state)) {
        this._finish("error", FEEDBACK.transaction_canceled);
      }
    }

    _render() {
      const root = this._root;
      const nonce = this.getAttribute("csp_nonce");
      if ("adoptedStyleSheets" in root && window.CSSStyleSheet && !nonce) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
      } else {
        const style = document.createElement("style");
        if (nonce) {
          style.setAttribute("nonce", nonce);
        }
        style.textContent = STYLE;
        root.appendChild(style);
      }
      const wrap = document.createElement("div");
      wrap.innerHTML = TEMPLATE; // a constant: nothing of the page or the token is in it
      root.appendChild(wrap.firstElementChild);
      const title = this.getAttribute("custom_title");
      if (title && title !== "null" && title !== "false") {
        const h = root.getElementById("title");
        h.textContent = title;
        h.hidden = false;
      }
      const live = this.getAttribute("aria_live");
      if (live) {
        root.getElementById("status").setAttribute("aria-live", live);
      }
      root.getElementById("scan").addEventListener("click", () => this._start());
      // The integrator's own button in the button slot starts the claim too.
      this.addEventListener("click", (ev) => {
        const b = ev.target instanceof Element ? ev.target.closest("button") : null;
        if (b && this.contains(b) && b.closest('[slot="button"]')) {
          this._start();
        }
      });
      root.getElementById("pass").addEventListener("click", () => this._capture(""));
      root.getElementById("fail").addEventListener("click", () => {
        const code = root.getElementById("failure").value;
        const f = this._failures().find((x) => x.code === code) || this._failures()[0];
        this._capture(f.reason);
      });
      root.getElementById("error").addEventListener("click", () => {
        this._finish("error", this._errorFeedback(root.getElementById("error-code").value));
      });
      root.getElementById("cancel").addEventListener("click", () => this._finish("canceled", FEEDBACK.canceled));
      this._fill(root.getElementById("error-code"), FEEDBACK.errors);
    }

    _fill(select, list) {
      select.textContent = "";
      for (const f of list) {
        const o = document.createElement("option");
        o.value = f.code;
        o.textContent = f.code + " — " + f.reason;
        select.appendChild(o);
      }
    }

    _failures() {
      return FEEDBACK[this._assurance] || FEEDBACK.genuine_presence;
    }

    _errorFeedback(code) {
      return FEEDBACK.errors.find((f) => f.code === code) || FEEDBACK.errors[0];
    }

    _show(state) {
      this._state = state;
      for (const s of this._root.querySelectorAll("section[data-state]")) {
        s.hidden = s.dataset.state !== state;
      }
      this.setAttribute("data-idvkit-state", state);
    }

    _announce(text) {
      this._root.getElementById("status").textContent = text;
    }

    _emit(name, extra) {
      const detail = Object.assign({ token: this.getAttribute("token") || "", is_native_bridge: false }, extra || {});
      this.dispatchEvent(new CustomEvent(name, { detail }));
    }

    // _finish shows a final state and fires its event. passed and failed carry type,
    // passed, feedback and reason; error and canceled feedback and reason.
    _finish(name, f, extra) {
      if (FINAL.includes(this._state)) {
        return;
      }
      this._show(name);
      const reason = f ? f.reason : null;
      for (const el of this._root.querySelectorAll('section[data-state="' + name + '"] .reason')) {
        el.textContent = reason || "";
      }
      // Slotted content of the integrator: iProov fills its .iproov-lang-term with the text.
      for (const el of this.querySelectorAll('[slot="' + name + '"] .iproov-lang-term')) {
        el.textContent = reason || "";
      }
      this._announce(name + (reason ? ": " + reason : ""));
      this._emit(name, Object.assign({ feedback: f ? f.code : null, reason }, extra || {}));
    }

    async _connect() {
      // An element in the page's HTML connects while the page is parsed, before the
      // page's scripts below it add their listeners: wait for them.
      if (document.readyState === "loading") {
        await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
      }
      this._show("connecting");
      this._emit("connecting");
      const base = baseURL(this);
      const token = this.getAttribute("token") || "";
      if (!base) {
        this._finish("error", this._errorFeedback("client_error"));
        return;
      }
      if (!/^[0-9a-fA-F]{64}$/.test(token)) {
        this._finish("error", this._errorFeedback("error_invalid_token"));
        return;
      }
      try {
        await this._openBridge(base);
      } catch (e) {
        this._finish("error", this._errorFeedback("error_network"));
        return;
      }
      const ans = await this._call("claim");
      if (!this._claimUsable(ans)) {
        return;
      }
      this._type = ans.body.type;
      this._assurance = ans.body.assurance_type;
      this._fill(this._root.getElementById("failure"), this._failures());
      this._emit("connected");
      this._show("ready");
      this._announce("Ready to iProov");
      this._emit("ready");
    }

    // _claimUsable turns an answer about the claim into the SDK's error, if it is one.
    _claimUsable(ans) {
      if (ans.status === 0) {
        this._finish("error", this._errorFeedback("error_network"));
        return false;
      }
      if (ans.status === 410 || (ans.body && ans.body.state === "expired")) {
        this._finish("error", this._errorFeedback("error_token_timeout"));
        return false;
      }
      if (ans.status === 429) {
        this._finish("error", this._errorFeedback("error_too_many_requests"));
        return false;
      }
      if (ans.status >= 500) {
        this._finish("error", this._errorFeedback("error_server"));
        return false;
      }
      if (ans.status >= 400 || (ans.body && ans.body.state && !["issued", "streaming"].includes(ans.body.state))) {
        this._finish("error", this._errorFeedback("error_invalid_token"));
        return false;
      }
      return true;
    }

    async _start() {
      if (this._state !== "ready") {
        return;
      }
      this._state = "starting";
      this._emit("started");
      const ans = await this._call("start");
      if (!this._claimUsable(ans)) {
        return;
      }
      this._show("capture");
      this._announce("Play the end user: choose a face, then pass, fail, raise an error or cancel");
      this._root.getElementById("face").focus();
    }

    async _capture(livenessFailure) {
      if (this._state !== "capture") {
        return;
      }
      const face = this._root.getElementById("face").value.trim();
      if (!face) {
        this._announce("A face name is needed");
        this._root.getElementById("face").focus();
        return;
      }
      this._emit("streaming");
      const ans = await this._call("capture", { face, liveness_failure: livenessFailure });
      if (!this._claimUsable(ans)) {
        return;
      }
      // Streaming is done; iProov processes the result and publishes its progress.
      this._emit("streamed");
      this._show("progress");
      const steps = this._assurance === "liveness"
        ? [[50, "Assessing liveness…"]]
        : [[25, "Finding face…"], [50, "Assessing genuine presence…"]];
      steps.push([90, this._type === "enrol" ? "Creating identity…" : "Confirming identity…"]);
      for (const [progress, message] of steps) {
        this._progress(progress, message);
      }
      const view = await this._call("claim");
      const res = view.body && view.body.result;
      if (view.status !== 200 || !res) {
        this._finish("error", this._errorFeedback("error_server"));
        return;
      }
      this._progress(100, "Done");
      if (res.passed) {
        this._finish("passed", null, { type: this._type, passed: true });
      } else {
        this._finish("failed", { code: res.feedback, reason: res.reason }, { type: this._type, passed: false });
      }
    }

    _progress(progress, message) {
      const bar = this._root.querySelector('[role="progressbar"]');
      if (bar) {
        bar.setAttribute("aria-valuenow", String(progress));
        bar.firstElementChild.style.width = progress + "%";
      }
      const m = this._root.querySelector(".message");
      if (m) {
        m.textContent = message;
      }
      this._emit("progress", { progress, message });
    }

    // The bridge: a hidden frame of the emulator's origin that calls its claim endpoints.
    _openBridge(base) {
      this._origin = base.origin;
      const frame = document.createElement("iframe");
      frame.src = new URL("_sandbox/iproov/sdk/bridge", base).href;
      frame.title = "iProov sandbox connection";
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.style.cssText = "position:absolute;width:0;height:0;border:0;visibility:hidden";
      this._frame = frame;
      return new Promise((resolve, reject) => {
        // A frame that does not load fires nothing: give up after network_timeout, as
        // the real SDK does when its backend does not answer.
        const timer = setTimeout(() => reject(new Error("timeout")), this._timeout());
        this._bridgeReady = () => {
          clearTimeout(timer);
          resolve();
        };
        window.addEventListener("message", this._onMessage);
        this._root.appendChild(frame);
      });
    }

    // _timeout is network_timeout in milliseconds (seconds, at least and by default 20).
    _timeout() {
      const s = parseInt(this.getAttribute("network_timeout") || "", 10);
      return Math.max(20, isNaN(s) ? 20 : s) * 1000;
    }

    _onMessage(ev) {
      if (!this._frame || ev.source !== this._frame.contentWindow || ev.origin !== this._origin) {
        return;
      }
      const m = ev.data;
      if (!m || m.idvkit !== "iproov-bridge") {
        return;
      }
      if (m.ready) {
        this._bridgeReady();
        return;
      }
      const done = this._calls.get(m.id);
      if (done) {
        this._calls.delete(m.id);
        done({ status: m.status | 0, body: m.body || null });
      }
    }

    _call(op, args) {
      const id = this._nextID++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          this._calls.delete(id);
          resolve({ status: 0, body: null });
        }, this._timeout());
        this._calls.set(id, (ans) => {
          clearTimeout(timer);
          resolve(ans);
        });
        const msg = Object.assign({ idvkit: "iproov-sdk", id, op, token: this.getAttribute("token") || "" }, args || {});
        this._frame.contentWindow.postMessage(msg, this._origin);
      });
    }
  }

  window.customElements.define("iproov-me", IProovMe);
  // The real SDK's loader fires this once the element is defined; integrators wait for it.
  window.dispatchEvent(new CustomEvent("WebComponentsReady"));
})();
