/* Inside the iframe: applies the host's theme, and tells the host page (only the origin the
   portal checked, data-parent-origin) its height and what happened. No dependencies. */
(function () {
  "use strict";
  var root = document.documentElement;
  var parentOrigin = root.dataset.parentOrigin;

  // Theme: values were checked on the server; set as CSS custom properties (no inline style).
  var theme = { themeColor: "--portal-accent", themeFont: "--portal-font", themeRadius: "--portal-radius" };
  Object.keys(theme).forEach(function (key) {
    if (root.dataset[key]) root.style.setProperty(theme[key], root.dataset[key]);
  });

  function send(type, detail) {
    if (!parentOrigin || window.parent === window) return;
    var message = { source: "ticket-portal", type: type };
    Object.keys(detail || {}).forEach(function (k) { message[k] = detail[k]; });
    window.parent.postMessage(message, parentOrigin);
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      send("resize", { height: height });
    }
  }

  function start() {
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.documentElement);
    window.addEventListener("load", reportHeight);
    announce();
    // The status page's script (status.js) says when the ticket's state changes in place.
    document.addEventListener("ticket-portal:status", announce);
  }

  // What the host hears: ready (the form), invalid (shown again with errors), refused (the
  // form cannot be used here), queued (received, to be filed: its reference), submitted (filed,
  // with its number), attention (support has it), cancelled.
  function announce() {
    var state = document.body.dataset.state;
    var slug = decodeURIComponent(window.location.pathname.split("/")[2] || "");
    var filed = document.querySelector("[data-unique-id]");
    var reference = document.querySelector("[data-reference]");
    if (state === "filed" && filed) {
      send("submitted", { uniqueId: filed.textContent.trim(), form: filed.dataset.form || "" });
    } else if (state === "queued" && reference) {
      send("queued", { reference: reference.textContent.trim() });
    } else if (state === "refused") {
      var reason = document.querySelector("[role=alert] p");
      send("refused", { form: slug, reason: reason ? reason.textContent.trim() : "" });
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
