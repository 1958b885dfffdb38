/* Light or dark (Bootstrap reads data-bs-theme), and an embedded form's host theme. Loaded in
   <head>, so the page never flashes the wrong colours. */
(function () {
  "use strict";
  var root = document.documentElement;
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  // An embedded form takes the host page's look (embed.js reads it, or data-scheme fixes it);
  // otherwise, and on the portal's own pages, the system's.
  var forced = root.getAttribute("data-force-scheme");
  function apply() {
    var dark = forced ? forced === "dark" : query && query.matches;
    root.setAttribute("data-bs-theme", dark ? "dark" : "light");
  }
  apply();
  if (!forced && query && query.addEventListener) query.addEventListener("change", apply);

  // The host's theme, checked on the server (tickets/embedding/framing.py), as CSS custom
  // properties: data-portal-accent="#0a7d52" -> --portal-accent (no inline style in the HTML).
  Array.prototype.forEach.call(root.attributes, function (attribute) {
    if (attribute.name.indexOf("data-portal-") === 0) {
      root.style.setProperty("--portal-" + attribute.name.slice(12), attribute.value);
    }
  });
})();
