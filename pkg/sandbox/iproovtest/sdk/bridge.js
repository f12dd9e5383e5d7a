// The bridge between <iproov-me> and idvkit's iProov emulator. It runs in a hidden frame
// of the emulator's origin, so its calls to the claim endpoints are same-origin JSON and
// pass the control guard that refuses the integrator's page. It serves three calls and
// no other: read the claim, start it, capture it — each for a token the page holds,
// which is all iProov's own SDK needs to do the same.
(function () {
  "use strict";
  const TOKEN = /^[0-9a-fA-F]{64}$/;

  async function call(op, m) {
    const claim = new URL("../claims/" + m.token, location.href).href;
    let res;
    switch (op) {
      case "claim":
        res = await fetch(claim, { credentials: "omit", cache: "no-store" });
        break;
      case "start":
        res = await fetch(claim + "/start", { method: "POST", credentials: "omit" });
        break;
      case "capture": {
        const body = { face: String(m.face || "") };
        if (m.liveness_failure) {
          body.liveness_failure = String(m.liveness_failure);
        }
        res = await fetch(claim + "/capture", {
          method: "POST",
          credentials: "omit",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        break;
      }
      default:
        return { status: 400, body: { error: "unknown_call", message: "the bridge serves claim, start and capture" } };
    }
    let body = null;
    if (res.status !== 204) {
      try {
        body = await res.json();
      } catch (e) {
        body = null;
      }
    }
    return { status: res.status, body };
  }

  window.addEventListener("message", async (ev) => {
    const m = ev.data;
    if (!m || m.idvkit !== "iproov-sdk" || ev.source !== window.parent) {
      return;
    }
    let ans;
    if (!TOKEN.test(String(m.token))) {
      ans = { status: 404, body: { error: "unknown_claim", message: "iproov sandbox: no such claim token" } };
    } else {
      try {
        ans = await call(m.op, m);
      } catch (e) {
        ans = { status: 0, body: null }; // the network failed: the SDK says error_network
      }
    }
    const target = ev.origin === "null" ? "*" : ev.origin;
    ev.source.postMessage({ idvkit: "iproov-bridge", id: m.id, status: ans.status, body: ans.body }, target);
  });

  if (window.parent !== window) {
    window.parent.postMessage({ idvkit: "iproov-bridge", ready: true }, "*");
  }
})();
