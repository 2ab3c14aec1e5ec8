// The passkey page's one script (served by /passkey/passkey.js: the policy runs no inline
// script). It asks the server for a ceremony's options, lets the phone make or use the
// passkey, sends the answer back, and opens the app once the server has set its sign-in.
(function () {
  "use strict";
  var root = document.getElementById("passkey");
  if (!root) { return; }
  var mode = root.getAttribute("data-mode");
  var button = document.getElementById("go");
  var status = document.getElementById("status");
  var pending = null; // the conditional (autofill) request, aborted by a button tap
  var lang = root.getAttribute("data-lang") || "en";
  var words = {};
  try { words = JSON.parse(root.getAttribute("data-words") || "{}"); } catch (e) { words = {}; }
  function w(key, english) { return words[key] || english; } // the page's language

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
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

  function descriptors(list) {
    return (list || []).map(function (item) {
      var copy = { type: item.type, id: decode(item.id) };
      if (item.transports) { copy.transports = item.transports; }
      return copy;
    });
  }

  function asJSON(credential) {
    var r = credential.response;
    var response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      response.userHandle = encode(r.userHandle);
    }
    return {
      id: credential.id, rawId: encode(credential.rawId), type: credential.type,
      response: response, authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults()
    };
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (reply) {
      return reply.json().catch(function () { return { ok: false }; });
    });
  }

  function fail(text) {
    say(text || w("failed", "That didn't work. Please try again."), true);
    button.disabled = false;
  }

  function finish(reply) {
    if (!reply.ok) { return fail(reply.message); }
    say(reply.message || w("done", "Done."));
    // Added from a step of the sign-in: back to the page that was asked for.
    window.location.assign(root.getAttribute("data-next") || reply.next || "../");
  }

  function run(conditional) {
    var started = { do: mode, lang: lang };
    return post("options", started).then(function (reply) {
      if (!reply.ok) { throw new Error(reply.message || ""); }
      var o = reply.options;
      var request;
      if (mode === "register") {
        o.challenge = decode(o.challenge);
        o.user.id = decode(o.user.id);
        o.excludeCredentials = descriptors(o.excludeCredentials);
        request = navigator.credentials.create({ publicKey: o });
      } else {
        o.challenge = decode(o.challenge);
        o.allowCredentials = descriptors(o.allowCredentials);
        var options = { publicKey: o };
        if (conditional) {
          pending = new AbortController();
          options.mediation = "conditional";
          options.signal = pending.signal;
        }
        request = navigator.credentials.get(options);
      }
      return request.then(function (credential) {
        say(w("checking", "Checking…"));
        var body = { do: mode, lang: lang, handle: reply.handle, credential: asJSON(credential) };
        var label = document.getElementById("label");
        if (label) { body.label = label.value; }
        return post("verify", body);
      });
    }).then(finish);
  }

  function tapped() {
    if (pending) { pending.abort(); pending = null; }
    button.disabled = true;
    say(mode === "register" ? w("follow", "Follow your phone's prompt…")
                            : w("confirm", "Confirm it's you on your phone…"));
    run(false).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      if (error && error.name === "NotAllowedError") {
        return fail(w("closed", "Nothing was changed: the passkey prompt was closed or timed out."));
      }
      if (error && error.name === "InvalidStateError") {
        return fail(w("already", "This phone already has a passkey for your account."));
      }
      fail(error && error.message);
    });
  }

  if (!window.PublicKeyCredential || !navigator.credentials) {
    button.disabled = true;
    say(w("unsupported", "This browser can't use passkeys. Please use your password."), true);
    return;
  }
  button.addEventListener("click", tapped);
  if (mode === "sign-in" || mode === "second-factor") {
    // Opened from the app's button: ask at once (one tap fewer); where the browser wants a
    // tap first, the button is there, and for sign-in the name field offers passkeys too.
    var auto = /[?&]start=1(&|$)/.test(window.location.search);
    var conditional = mode === "sign-in" && PublicKeyCredential.isConditionalMediationAvailable
      ? PublicKeyCredential.isConditionalMediationAvailable() : Promise.resolve(false);
    conditional.then(function (available) {
      if (auto) { return tapped(); }
      if (available) {
        run(true).catch(function (error) {
          if (!error || error.name !== "AbortError") { say(""); }
        });
      }
    });
  }
})();
