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
    var filed = document.querySelector("[data-unique-id]");
    if (filed) {
      send("submitted", { uniqueId: filed.textContent.trim(), form: filed.dataset.form || "" });
    } else {
      var slug = window.location.pathname.split("/")[2] || "";
      send("ready", { form: decodeURIComponent(slug) });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
