// Scroll the app back to its top when this (invisible) component is mounted: the page drew
// a new view (a skills module, a lesson) that should start at its title. Served from the
// app's own /component/ route (the Content-Security-Policy allows no inline script).
(function () {
  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }
  post("streamlit:componentReady", {apiVersion: 1});
  post("streamlit:setFrameHeight", {height: 0});
  try {
    var doc = window.parent.document;
    var boxes = [doc.scrollingElement].concat(Array.prototype.slice.call(
      doc.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')));
    boxes.forEach(function (box) { if (box && box.scrollTop) box.scrollTop = 0; });
  } catch (e) { /* another origin: nothing to do */ }
})();
