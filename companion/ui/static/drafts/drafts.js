// What a person was typing in the app's forms, kept in this tab across a reload.
//
// Streamlit sends a form's values to the server only when it is submitted, and a reload
// starts a new server session, so a draft kept on the server is gone after a reload. This
// (invisible) component watches the text boxes of the forms the page names, from its own
// same-origin frame, and keeps what is typed in the tab's sessionStorage, under the signed-in
// person's id: one entry per person, {form: {widget key: text}}. After a reload (or coming
// back to the page) it puts the text back through the box's native value setter and an
// `input` event, as typing would, so Streamlit takes it as typed, and tells the app which
// forms got text back (the app then says so). A save that succeeds clears its form's draft;
// signing out clears every draft; another person's drafts are dropped as soon as someone else
// is signed in in this tab, and are never put into their forms.
//
// Served from the app's own /component/ route (the Content-Security-Policy allows no inline
// script). Nothing here is sent anywhere: sessionStorage stays in this tab of this browser.
(function () {
  var STORE = "companion-draft:";
  var page = window.parent;
  var owner = "";      // the signed-in person's id ("" when signed out)
  var forms = {};      // this page's forms: name -> key prefix of their boxes
  var checked = new WeakSet();  // boxes already given their draft (or found to need none)

  function post(type, extra) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, extra), "*");
  }

  function storage() {
    try { return page.sessionStorage; } catch (e) { return null; }  // another origin, or off
  }

  function load() {
    var s = storage();
    if (!s || !owner) return {};
    try { return JSON.parse(s.getItem(STORE + owner) || "{}") || {}; } catch (e) { return {}; }
  }

  function keep(drafts) {
    var s = storage();
    if (!s || !owner) return;
    try {
      if (Object.keys(drafts).length) s.setItem(STORE + owner, JSON.stringify(drafts));
      else s.removeItem(STORE + owner);
    } catch (e) { /* storage full or refused: the draft is only not kept */ }
  }

  function forget(all) {  // every draft but this person's (with `all`, theirs too)
    var s = storage();
    if (!s) return;
    for (var i = s.length - 1; i >= 0; i--) {
      var name = s.key(i);
      if (name && name.indexOf(STORE) === 0 && (all || name !== STORE + owner)) s.removeItem(name);
    }
  }

  // The widget key of a text box (Streamlit puts it on the box's element container as the
  // class st-key-<key>), or null for anything that is not a text box (passwords included).
  function widgetKey(el) {
    if (!el || !el.closest) return null;
    var ok = (el.tagName === "TEXTAREA" && el.closest('[data-testid="stTextArea"]')) ||
             (el.tagName === "INPUT" && el.type === "text" &&
              el.closest('[data-testid="stTextInput"]'));
    if (!ok) return null;
    for (var up = el.parentElement; up; up = up.parentElement) {
      for (var i = 0; i < up.classList.length; i++) {
        if (up.classList[i].indexOf("st-key-") === 0) return up.classList[i].slice(7);
      }
    }
    return null;
  }

  function formOf(key) {  // the page's form whose boxes' keys start this key (the longest)
    var found = null;
    Object.keys(forms).forEach(function (name) {
      var prefix = forms[name];
      if (key.indexOf(prefix) === 0 && (found === null || prefix.length > forms[found].length))
        found = name;
    });
    return found;
  }

  function boxOf(key) {
    var holder = page.document.querySelector(".st-key-" + CSS.escape(key));
    return holder && holder.querySelector(
      '[data-testid="stTextArea"] textarea, [data-testid="stTextInput"] input[type="text"]');
  }

  function typed(event) {
    if (!owner) return;
    var key = widgetKey(event.target);
    var form = key && formOf(key);
    if (!form) return;
    checked.add(event.target);  // typed in before its draft came back: the typing wins
    var drafts = load();
    drafts[form] = drafts[form] || {};
    drafts[form][key] = event.target.value;
    keep(drafts);
  }

  function putBack(box, text) {
    var proto = box.tagName === "TEXTAREA" ? page.HTMLTextAreaElement.prototype
                                           : page.HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value").set.call(box, text);
    box.dispatchEvent(new page.Event("input", {bubbles: true}));
    // outside a form Streamlit takes a box's text when it loses focus: as if it had
    if (!box.closest('[data-testid="stForm"]'))
      box.dispatchEvent(new page.FocusEvent("focusout", {bubbles: true}));
    var shut = box.closest("details:not([open])");  // in a closed expander: open it
    if (shut && shut.querySelector("summary")) shut.querySelector("summary").click();
  }

  function restore() {
    var drafts = load();
    var back = [];
    Object.keys(forms).forEach(function (form) {
      var draft = drafts[form];
      if (!draft) return;
      Object.keys(draft).forEach(function (key) {
        // a box of an older version of the form (saved since, here or elsewhere) is not
        // this one: its draft is not put over what is stored now
        if (key.indexOf(forms[form]) !== 0) return;
        var box = boxOf(key);
        if (!box || checked.has(box)) return;
        checked.add(box);
        if (box.value === draft[key]) return;
        putBack(box, draft[key]);
        if (back.indexOf(form) < 0) back.push(form);
      });
    });
    if (back.length) {
      post("streamlit:setComponentValue",
           {value: {restored: back, at: Date.now()}, dataType: "json"});
    }
  }

  page.document.addEventListener("input", typed, true);
  // this frame goes when the component is no longer drawn: stop listening with it
  window.addEventListener("pagehide", function () {
    try { page.document.removeEventListener("input", typed, true); } catch (e) { /* gone */ }
  });

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    var args = data.args || {};
    owner = args.owner || "";
    forms = args.forms || {};
    if (args.forget) forget(true);
    else if (owner) forget(false);
    if (owner) {
      var drafts = load();
      (args.clear || []).forEach(function (form) { delete drafts[form]; });
      keep(drafts);
      restore();
      // boxes drawn a moment later (an expander's content): one more look
      window.setTimeout(restore, 300);
    }
  });
  post("streamlit:componentReady", {apiVersion: 1});
  post("streamlit:setFrameHeight", {height: 0});
})();
