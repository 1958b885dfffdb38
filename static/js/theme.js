/* Follows the system's light or dark mode (Bootstrap reads data-bs-theme). Loaded in <head> so
   the page never flashes the wrong colours. */
(function () {
  "use strict";
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  // A host page may fix the scheme (data-scheme on embed.js), say for a transparent frame.
  var forced = document.documentElement.getAttribute("data-force-scheme");
  function apply() {
    var dark = forced ? forced === "dark" : query && query.matches;
    document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
  }
  apply();
  if (query && query.addEventListener) query.addEventListener("change", apply);
})();
