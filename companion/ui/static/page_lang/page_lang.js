// Say the page's language on the app's document (<html lang="es">), so screen readers speak
// Spanish pages in Spanish and axe checks them as Spanish (issue #20). Streamlit's page says
// lang="en" whatever the content. Invisible; served from the app's own /component/ route (the
// Content-Security-Policy allows no inline script).
(function () {
  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    var lang = (data.args || {}).lang;
    if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(lang || "")) return;
    try { window.parent.document.documentElement.lang = lang; } catch (e) { /* another origin */ }
    post("streamlit:setFrameHeight", {height: 0});
  });
  post("streamlit:componentReady", {apiVersion: 1});
  post("streamlit:setFrameHeight", {height: 0});
})();
