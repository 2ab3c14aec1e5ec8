// Bring what was drawn just above this (invisible) component into view when it is mounted:
// after a section of a long plan is saved, its status and "Send for review" sit under the
// Save button, where a phone may have them below the fold. Served from the app's own
// /component/ route (the Content-Security-Policy allows no inline script).
(function () {
  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }
  post("streamlit:componentReady", {apiVersion: 1});
  post("streamlit:setFrameHeight", {height: 0});
  function bring() {
    try {
      var frame = window.frameElement;
      if (!frame) return;
      var box = frame.closest('[data-testid="stElementContainer"]') || frame;
      var target = box.previousElementSibling || box;
      target.scrollIntoView({block: "center", behavior: "auto"});
    } catch (e) { /* another origin: nothing to do */ }
  }
  // after the rerun has drawn (and laid out) what sits above
  window.setTimeout(bring, 50);
})();
