/*! Ticket portal embed: <script src="https://portal.example/static/embed.js" data-form="support"
   data-lang="uk" data-color="#0a7" data-font="Georgia, serif" data-radius="12px"
   data-background="transparent" data-scheme="auto"></script>
   Places the form where the tag is, sizes it to its content, matches the page's light or dark
   look, brings each new page of the form (its errors, the confirmation) into view, and fires on
   the iframe (bubbling): ticket-portal:ready, :invalid, :refused (detail.reason, detail.code),
   :resize (detail.height), :queued (detail.reference), :submitted (detail.uniqueId),
   :filed (detail.uniqueId, detail.url: the ticket's own page), :attention and :cancelled.
   README lists them. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.form) return;
  var portal = new URL(script.src, window.location.href);
  var lang = (script.dataset.lang || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  if (lang === "ua") lang = "uk";
  // Said on the host page itself, before (or instead of) the portal's own pages. {form} is the
  // form's title, as the portal gives it (without it, the sentence without the name).
  var table = {
    en: { title: "Support form",
          open: "Open the form “{form}” in a new tab", openAny: "Open the form in a new tab",
          refused: "The form “{form}” cannot be shown on this page.",
          refusedAny: "The form cannot be shown on this page." },
    ru: { title: "Форма обращения в поддержку",
          open: "Открыть форму «{form}» в новой вкладке", openAny: "Открыть форму в новой вкладке",
          refused: "Форму «{form}» нельзя показать на этой странице.",
          refusedAny: "Форму нельзя показать на этой странице." },
    uk: { title: "Форма звернення до підтримки",
          open: "Відкрити форму «{form}» у новій вкладці", openAny: "Відкрити форму в новій вкладці",
          refused: "Форму «{form}» не можна показати на цій сторінці.",
          refusedAny: "Форму не можна показати на цій сторінці." }
  };
  function say(key, form) {
    return form ? words[key].replace("{form}", form) : words[key + "Any"];
  }
  var words = table[lang] || table.en;

  // --- The host page's look: light or dark, as the visitor sees it here ----------------------
  function colourOf(element) {
    for (var el = element; el && el.nodeType === 1; el = el.parentElement) {
      var m = getComputedStyle(el).backgroundColor.match(/[\d.]+/g);
      if (m && (m.length < 4 || parseFloat(m[3]) > 0.5)) return m.slice(0, 3).map(Number);
    }
    return null;
  }
  function prefersDark() {
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }
  // The colour scheme the browser uses for an element (its form controls, a frame's canvas).
  function usedScheme(element) {
    var declared = getComputedStyle(element).colorScheme || "normal";
    var dark = /dark/.test(declared), light = /light/.test(declared);
    return dark && (!light || prefersDark()) ? "dark" : "light";
  }
  function hostLook() {
    var rgb = colourOf(script.parentElement || document.body);
    if (!rgb) return usedScheme(document.documentElement);  // the canvas: white unless dark
    var l = rgb.map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2] < 0.2 ? "dark" : "light";
  }
  // data-scheme="light" or "dark" fixes it; "auto" follows the visitor's system instead.
  var forced = script.dataset.scheme;
  function scheme() {
    if (forced === "light" || forced === "dark") return forced;
    return forced === "auto" ? "" : hostLook();
  }

  var params = new URLSearchParams();
  params.set("parent", window.location.origin);
  var names = { lang: "lang", color: "color", font: "font", radius: "radius", background: "bg",
                context: "ctx" };
  Object.keys(names).forEach(function (key) {
    if (script.dataset[key]) params.set(names[key], script.dataset[key]);
  });
  var look = scheme();
  if (look) params.set("scheme", look);
  // data-prefill="title=Login%20problem&cf_96=A-1&lock=cf_96" passes field values through.
  new URLSearchParams(script.dataset.prefill || "").forEach(function (value, key) {
    params.set(key, value);
  });

  var frame = document.createElement("iframe");
  frame.title = script.dataset.title || words.title;
  frame.loading = "lazy";
  frame.style.cssText = "width:100%;border:0;display:block;height:" + (script.dataset.height || "600") + "px";
  if (script.dataset.background === "transparent") frame.setAttribute("allowtransparency", "true");
  script.parentNode.insertBefore(frame, script.nextSibling);
  // A see-through frame must use the scheme the host uses for it, or the browser paints it opaque.
  if (script.dataset.background === "transparent") params.set("canvas", usedScheme(frame));
  // The form on its own page, for a site the portal does not let frame it.
  var own = new URLSearchParams(params);
  ["parent", "canvas", "scheme"].forEach(function (name) { own.delete(name); });
  var formUrl = portal.origin + "/forms/" + encodeURIComponent(script.dataset.form) + "/?" + own;
  frame.src = portal.origin + "/embed/" + encodeURIComponent(script.dataset.form) + "/?" + params;

  function fire(type, detail) {
    var target = frame.isConnected ? frame : fallback;
    target.dispatchEvent(new CustomEvent("ticket-portal:" + type, { bubbles: true, detail: detail }));
  }

  // --- Each new page of the form is brought into view ----------------------------------------
  // Into what the visitor sees: the visual viewport. Zoomed in, or on a host page wider than a
  // phone's screen (the browser widens the layout viewport, and innerHeight, to the page), it is
  // a part of the layout viewport that window.scrollTo does not move; scrollIntoView moves both.
  // The frame's scroll margins, set for the call, make the part of the frame to show its target:
  // the new page's start at the top, and the ticket's number (`mark`) inside, whole.
  var pages = 0;
  function seen() {
    var v = window.visualViewport;
    if (v) return { left: v.offsetLeft, top: v.offsetTop, width: v.width, height: v.height };
    return { left: 0, top: 0, width: document.documentElement.clientWidth, height: window.innerHeight };
  }
  // v, moved no more than needed into [lo, hi]; when both cannot hold, hi (a left or top edge) wins.
  function within(v, lo, hi) { return Math.min(Math.max(v, lo), hi); }
  function bringIntoView(offset, mark) {
    var box = frame.getBoundingClientRect(), view = seen();
    var gap = Math.min(16, view.height / 20);
    var start = box.top + offset;  // where the new page starts, in the layout viewport
    var top = start - gap;
    var left = box.width <= view.width ? within(view.left, box.right - view.width, box.left) : box.left;
    var m = mark && { left: box.left + mark.left - gap / 2, right: box.left + mark.right + gap / 2,
                      top: box.top + mark.top - gap, bottom: box.top + mark.bottom + gap };
    if (m) {
      top = within(top, m.bottom - view.height, m.top);
      left = within(left, m.right - view.width, m.left);
    }
    var startSeen = start >= view.top && start < view.top + view.height / 3;
    var markSeen = !m || (m.top >= view.top && m.bottom <= view.top + view.height &&
                          m.left >= view.left && m.right <= view.left + view.width);
    if (startSeen && markSeen && Math.abs(left - view.left) < 1) return;  // already where the eye is
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    frame.style.scrollMarginTop = box.top - top + "px";
    frame.style.scrollMarginLeft = box.left - left + "px";
    frame.scrollIntoView({ block: "start", inline: "start", behavior: reduce ? "auto" : "smooth" });
    frame.style.scrollMarginTop = frame.style.scrollMarginLeft = "";
  }

  window.addEventListener("message", function (event) {
    // Only this iframe's messages, from the portal's own origin.
    if (event.origin !== portal.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.source !== "ticket-portal" || typeof data.type !== "string") return;
    if (data.type === "page") {  // a page of the form has loaded in the frame
      var mark = data.mark && typeof data.mark.top === "number" ? data.mark : null;
      if (pages++ > 0) bringIntoView(typeof data.top === "number" ? data.top : 0, mark);
      return;
    }
    if (data.type === "draft-get" || data.type === "draft-set") return keepDraft(data);
    if (data.type === "resize" && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.ceil(data.height) + "px";
    }
    fire(data.type, data);
  });

  // --- The form's unsent text, for a frame the browser denies storage of its own ---------------
  // (static/js/draft.js asks). Kept in this page's storage under the portal's origin, for a week.
  function keepDraft(data) {
    if (typeof data.key !== "string" || data.key.indexOf("ticket-portal-draft:") !== 0) return;
    var key = data.key + "@" + portal.origin;
    try {
      if (data.type === "draft-set") {
        if (data.draft && typeof data.draft === "object") localStorage.setItem(key, JSON.stringify(data.draft));
        else localStorage.removeItem(key);
        return;
      }
      var draft = JSON.parse(localStorage.getItem(key) || "null");
      if (draft && !(Date.now() - draft.saved < 7 * 24 * 3600 * 1000)) {
        localStorage.removeItem(key);
        draft = null;
      }
      frame.contentWindow.postMessage({ source: "ticket-portal-host", type: "draft", key: data.key,
                                        draft: draft }, portal.origin);
    } catch (e) { /* this page has no storage either: nothing is kept */ }
  }

  // --- A site the portal does not allow: a link instead of the browser's error box -----------
  // It names the form: its title, asked of the portal (readable from any site); a page whose
  // policy forbids asking gets the link without the name.
  var fallback = null;
  function refusedHere() {
    if (pages > 0 || !frame.isConnected || fallback) return;
    fallback = document.createElement("p");
    fallback.className = "ticket-portal-fallback";
    var about = portal.origin + "/embed/" + encodeURIComponent(script.dataset.form) +
                "/about/?lang=" + encodeURIComponent(lang);
    var asked = window.fetch ? fetch(about, { credentials: "omit" }) : Promise.reject();
    asked.then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) { return typeof data.title === "string" ? data.title : ""; },
            function () { return ""; })
      .then(function (title) {
        if (pages > 0 || !frame.isConnected) return;
        var link = document.createElement("a");
        link.href = formUrl;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = say("open", title);
        fallback.appendChild(link);
        frame.replaceWith(fallback);
        fire("refused", { source: "ticket-portal", type: "refused", form: script.dataset.form,
                          code: "not-allowed", reason: say("refused", title) });
      });
  }
  // The portal's page says "page" before its load event; a refused frame loads the browser's
  // error page and never says anything.
  frame.addEventListener("load", function () { setTimeout(refusedHere, 2000); });

  // --- The host page changes its look (a theme switch): the frame follows ----------------------
  function follow() {
    var now = scheme();
    if (!now || now === look || !frame.contentWindow) return;
    look = now;
    frame.contentWindow.postMessage({ source: "ticket-portal-host", type: "scheme", scheme: now }, portal.origin);
  }
  if (forced !== "light" && forced !== "dark") {
    if (window.MutationObserver) {
      var watch = { attributes: true, attributeFilter: ["class", "style", "data-theme", "data-bs-theme"] };
      new MutationObserver(follow).observe(document.documentElement, watch);
      if (document.body) new MutationObserver(follow).observe(document.body, watch);
    }
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", follow);
    }
  }
})();
