/* Inside the iframe: tells the host page (only the origin the portal checked,
   data-parent-origin) its height, that a page has loaded and what happened, and follows the host
   page's light or dark look. Loaded after the page's own scripts, so its pageshow listener runs
   after theirs and the first height it reports is the page as they leave it. No dependencies. */
(function () {
  "use strict";
  var root = document.documentElement;
  var parentOrigin = root.dataset.parentOrigin;

  function send(type, detail) {
    if (!parentOrigin || window.parent === window) return;
    var message = { source: "ticket-portal", type: type };
    Object.keys(detail || {}).forEach(function (k) { message[k] = detail[k]; });
    window.parent.postMessage(message, parentOrigin);
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      send("resize", { height: height });
    }
  }

  // Where the host should bring the frame into view: the error summary, else the top.
  function focusOffset() {
    var summary = document.getElementById("error-summary");
    return summary ? Math.max(0, Math.floor(summary.getBoundingClientRect().top) - 8) : 0;
  }

  // What must be in the visitor's sight once it is: the ticket's number (or its reference),
  // as a box in the frame's own coordinates. The host keeps it inside what the visitor sees,
  // even zoomed in or on a page wider than the screen.
  function mark() {
    var el = document.querySelector("[data-unique-id], [data-reference]");
    if (!el) return null;
    var r = el.getBoundingClientRect();
    return { left: Math.floor(r.left), top: Math.floor(r.top), right: Math.ceil(r.right),
             bottom: Math.ceil(r.bottom) };
  }

  function start() {
    announce();
    // The status page's script (status.js) says when the ticket's state changes in place.
    document.addEventListener("ticket-portal:status", announce);
    // The form's scripts settle the page at pageshow (conditional fields, hierarchy levels,
    // after the browser restored what was typed): its first height is measured after them.
    window.addEventListener("pageshow", function () {
      reportHeight();
      send("page", { top: focusOffset(), mark: mark() });
      if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(root);
    }, { once: true });
  }

  // The host page switched between light and dark (embed.js watches it).
  window.addEventListener("message", function (event) {
    if (!parentOrigin || event.origin !== parentOrigin || event.source !== window.parent) return;
    var data = event.data;
    if (data && data.source === "ticket-portal-host" && data.type === "scheme" &&
        (data.scheme === "light" || data.scheme === "dark")) {
      root.setAttribute("data-bs-theme", data.scheme);
    }
  });

  // What the host hears: ready (the form), invalid (shown again with errors), refused (the
  // form cannot be used here), queued (received, to be filed: its reference), submitted (filed,
  // with its number) and filed (its number and the address of the ticket's own page, for the
  // host to keep), attention (support has it), cancelled.
  function announce() {
    var state = document.body.dataset.state;
    var slug = decodeURIComponent(window.location.pathname.split("/")[2] || "");
    var filed = document.querySelector("[data-unique-id]");
    var reference = document.querySelector("[data-reference]");
    if (state === "filed" && filed) {
      send("submitted", { uniqueId: filed.textContent.trim(), form: filed.dataset.form || "" });
      if (filed.dataset.ticketUrl) {
        send("filed", { uniqueId: filed.textContent.trim(), url: filed.dataset.ticketUrl });
      }
    } else if (state === "queued" && reference) {
      send("queued", { reference: reference.textContent.trim() });
    } else if (state === "refused") {
      var reason = document.querySelector("[role=alert] p");
      send("refused", { form: slug, code: "refused", reason: reason ? reason.textContent.trim() : "" });
    } else if (state === "invalid") {
      send("invalid", { form: slug });
    } else if (state === "form") {
      send("ready", { form: slug });
    } else {
      send(state, {});
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
