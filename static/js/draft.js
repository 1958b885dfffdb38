/* A customer's unsent text, kept in this browser only (localStorage; never sent to the portal), so
   a long description survives closing the tab, a crash or a lost connection. A cross-site frame
   the browser denies storage keeps it with the host page, through embed.js. On the form: what is
   typed is kept as it is typed, and a fresh form left empty gets it back, with a note that says
   so and a button to start over. On the confirmation (data-clear="<form slug>"): the form's
   draft is deleted, as it was filed. Drafts older than a week are dropped. No dependencies. */
(function () {
  "use strict";
  var PREFIX = "ticket-portal-draft:";
  var WEEK = 7 * 24 * 3600 * 1000;
  var root = document.documentElement;

  function localStore() {
    try {
      var storage = window.localStorage;
      storage.getItem(PREFIX);  // a browser that blocks this frame's storage throws here
    } catch (e) {
      return null;
    }
    function forget(key) { try { storage.removeItem(key); } catch (e) { /* gone already */ } }
    Object.keys(storage).forEach(function (key) {
      if (key.indexOf(PREFIX) !== 0) return;
      try {
        if (Date.now() - JSON.parse(storage.getItem(key)).saved > WEEK) forget(key);
      } catch (e) { forget(key); }
    });
    return {
      get: function (key, done) {
        try { done(JSON.parse(storage.getItem(key) || "null")); } catch (e) { done(null); }
      },
      set: function (key, draft) {
        try { storage.setItem(key, JSON.stringify(draft)); } catch (e) { /* full: the form works */ }
      },
      remove: forget
    };
  }

  // A cross-site frame whose own storage the browser blocks (third-party cookies blocked) keeps
  // its draft with the host page instead: embed.js holds it in the host's storage for it.
  function hostStore() {
    var parentOrigin = root.dataset.parentOrigin;
    if (!parentOrigin || window.parent === window) return null;
    function tell(message) {
      message.source = "ticket-portal";
      window.parent.postMessage(message, parentOrigin);
    }
    return {
      get: function (key, done) {
        window.addEventListener("message", function answer(event) {
          var data = event.data;
          if (event.origin !== parentOrigin || event.source !== window.parent || !data ||
              data.source !== "ticket-portal-host" || data.type !== "draft" || data.key !== key) return;
          window.removeEventListener("message", answer);
          done(data.draft && typeof data.draft === "object" ? data.draft : null);
        });
        tell({ type: "draft-get", key: key });
      },
      set: function (key, draft) { tell({ type: "draft-set", key: key, draft: draft }); },
      remove: function (key) { tell({ type: "draft-set", key: key, draft: null }); }
    };
  }

  var store = localStore() || hostStore();
  if (!store) return;

  var script = document.currentScript;
  if (script && script.dataset.clear) {  // the confirmation: the ticket is the portal's now
    store.remove(PREFIX + script.dataset.clear);
    return;
  }
  var form = document.querySelector("form[data-ticket-form][data-draft]");
  if (!form) return;
  var key = PREFIX + form.dataset.draft;
  function forget() { store.remove(key); }

  // What is typed, but never an email address: on a shared browser the next person's form would
  // come back with it.
  function fields() {
    return Array.prototype.filter.call(form.querySelectorAll("textarea, input"), function (el) {
      var kind = el.tagName === "TEXTAREA" ? "textarea" : el.type;
      return /^(textarea|text|tel|url|number|search)$/.test(kind) && el.name &&
        !el.disabled && !el.readOnly && !el.closest(".portal-hp");
    });
  }

  // As if typed: the form's own scripts (conditions, checks) follow.
  function put(el, value) {
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  var timer = null;
  function save() {
    timer = null;
    var values = {};
    var any = false;
    fields().forEach(function (el) {
      if (el.value.trim()) { values[el.name] = el.value; any = true; }
    });
    if (any) store.set(key, { saved: Date.now(), values: values });
    else forget();
  }
  function later() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, 400);
  }

  function restore(draft) {
    // Only into a fresh form whose fields are all still empty: never over what the server sent
    // back, what the browser restored or what a link prefilled; never one a week old.
    if (!draft || !draft.values || Date.now() - draft.saved > WEEK) return;
    if (document.getElementById("error-summary")) return;
    var empty = fields().every(function (el) { return !el.value; });
    if (!empty) return;
    var restored = 0;
    fields().forEach(function (el) {
      if (typeof draft.values[el.name] === "string") {
        put(el, draft.values[el.name]);
        restored++;
      }
    });
    if (restored) showNote();
  }

  function showNote() {
    var note = document.querySelector("[data-draft-note]");
    if (!note) return;
    note.hidden = false;
    var button = note.querySelector("button");
    if (button) {
      button.addEventListener("click", function () {
        fields().forEach(function (el) { put(el, ""); });
        forget();
        note.hidden = true;
        var first = fields()[0];
        if (first) first.focus();
      });
    }
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  window.addEventListener("pagehide", function () { if (timer) save(); });
  // After the browser has put back what it keeps itself (Back, reload): those win.
  window.addEventListener("pageshow", function () { store.get(key, restore); }, { once: true });
})();
