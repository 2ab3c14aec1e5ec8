// A link that opens an app address in this same tab (Streamlit's link button always opens a
// new one, which left the sign-in tab behind a passkey sign-in). The component's sandbox does
// not let its own frame navigate the tab, so a tap follows the same address through a link
// made in the app's page (same origin), as if that link had been tapped there. Served from
// the app's own /component/ route (the Content-Security-Policy allows no inline script).
(function () {
  var link = document.getElementById("go");
  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    var args = data.args || {};
    if (args.unavailable && !(window.isSecureContext && window.PublicKeyCredential)) {
      // A passkey link where this browser can't do passkeys: say so instead.
      var note = document.createElement("p");
      note.id = "unavailable";
      note.textContent = args.unavailable;
      link.replaceWith(note);
      link = note;
    }
    link.textContent = link.id === "go" ? (args.icon ? args.icon + " " : "") + (args.label || "")
                                        : args.unavailable;
    var base = window.location.href;
    try { base = window.parent.location.href; } catch (e) { /* another origin */ }
    link.href = new URL(args.url || ".", base).href;  // relative to the app page's address
    var theme = data.theme || {};
    var style = document.documentElement.style;
    if (theme.primaryColor) style.setProperty("--primary", theme.primaryColor);
    if (theme.backgroundColor) style.setProperty("--bg", theme.backgroundColor);
    if (theme.textColor) style.setProperty("--text", theme.textColor);
    if (theme.font) style.setProperty("--font", theme.font);
    post("streamlit:setFrameHeight", {height: Math.ceil(link.getBoundingClientRect().height)});
  });
  link.addEventListener("click", function (event) {
    try {
      var page = window.parent.document;
      var there = page.createElement("a");
      there.href = link.href;
      page.body.appendChild(there);
      event.preventDefault();
      there.click();
      there.remove();
    } catch (e) { /* another origin: the link opens as a plain link */ }
  });
  post("streamlit:componentReady", {apiVersion: 1});
})();
