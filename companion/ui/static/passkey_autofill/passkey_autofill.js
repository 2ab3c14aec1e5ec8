// Conditional UI on the app's sign-in page: where the browser supports it, the Username
// field offers this phone's passkeys among its suggestions; choosing one signs in (the
// phone asks for its fingerprint, face or screen lock), with nothing typed. Served from the
// app's own /component/ route (the Content-Security-Policy allows no inline script).
//
// The request must belong to the page that holds the field, so it is made through the app
// page's own `navigator.credentials` (this frame is of the same origin). The ceremony is the
// passkey page's (POST passkey/options and passkey/verify, companion/web/passkey_routes.py);
// its answer sets the sign-in cookie, and the page asked for is opened again, signed in.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var pending = null;
  var started = false;
  var tries = 0;

  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }

  function height() {
    post("streamlit:setFrameHeight", {height: Math.ceil(status.getBoundingClientRect().height)});
  }

  function decode(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function encode(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function asJSON(credential) {
    var r = credential.response;
    return {
      id: credential.id, rawId: encode(credential.rawId), type: credential.type,
      response: {clientDataJSON: encode(r.clientDataJSON),
                 authenticatorData: encode(r.authenticatorData),
                 signature: encode(r.signature), userHandle: encode(r.userHandle)},
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults()
    };
  }

  function field(page, label) {
    var inputs = page.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].getAttribute("aria-label") === label) { return inputs[i]; }
    }
    return null;
  }

  function mark(page, label) {
    // The field must say it takes passkeys (the "webauthn" token) for the browser to offer
    // them there. Marked again on every rerun, in case the field was drawn anew.
    var input = field(page, label);
    if (input && input.getAttribute("autocomplete") !== "username webauthn") {
      input.setAttribute("autocomplete", "username webauthn");
    }
    return input;
  }

  function call(page, path, body) {
    return fetch(new URL(path, page.location.href).href, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    }).then(function (reply) {
      return reply.json().catch(function () { return {ok: false}; });
    });
  }

  function open(page, href) {
    // This frame may not navigate the tab: follow a link made in the app's page.
    var there = page.createElement("a");
    there.href = href;
    page.body.appendChild(there);
    there.click();
    there.remove();
  }

  function say(text) {
    status.textContent = text || "";
    height();
  }

  function start(top, args) {
    var page = top.document;
    call(page, args.base + "options", {do: "sign-in", lang: args.lang}).then(function (reply) {
      if (!reply.ok) { return; }
      var o = reply.options;
      o.challenge = decode(o.challenge);
      o.allowCredentials = [];
      pending = new AbortController();
      return top.navigator.credentials.get({
        publicKey: o, mediation: "conditional", signal: pending.signal
      }).then(function (credential) {
        pending = null;
        say(args.checking);
        return call(page, args.base + "verify", {
          do: "sign-in", lang: args.lang, handle: reply.handle,
          credential: asJSON(credential)});
      }).then(function (answer) {
        if (answer.ok) {
          say(answer.message);
          open(page, page.location.href);  // the page asked for, now signed in
        } else {
          say(answer.message || args.failed);
          tries += 1;
          if (tries < 3) { start(top, args); }  // another try from the field, a few times
        }
      });
    }).catch(function (error) {
      pending = null;
      if (error && error.name === "AbortError") { return; }
      started = false;
    });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") { return; }
    var args = data.args || {};
    var theme = data.theme || {};
    if (theme.font) { document.documentElement.style.setProperty("--font", theme.font); }
    height();
    var top;
    try { top = window.parent; top.document.body; } catch (e) { return; }  // another origin
    var PKC = top.PublicKeyCredential;
    if (!top.isSecureContext || !PKC || !PKC.isConditionalMediationAvailable) { return; }
    if (!mark(top.document, args.field) || started) { return; }
    started = true;
    PKC.isConditionalMediationAvailable().then(function (available) {
      if (available) { start(top, args); } else { started = false; }
    }, function () { started = false; });
  });
  window.addEventListener("pagehide", function () {  // the sign-in page is gone
    if (pending) { pending.abort(); pending = null; }
  });
  post("streamlit:componentReady", {apiVersion: 1});
})();
