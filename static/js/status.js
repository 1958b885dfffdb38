/* The status page of a ticket that is received but not filed yet: asks the portal where it stands
   (every few seconds, less often as time goes on) and, when that changes, puts the new status in
   place of the old, without a reload. The status region is role=status, so screen readers hear
   it. Without JavaScript the page refreshes itself (a <noscript> meta refresh). */
(function () {
  "use strict";
  var region = document.querySelector("[data-ticket-status]");
  if (!region || region.hasAttribute("data-final")) return;
  var url = region.dataset.statusUrl;
  var state = region.dataset.state;
  var delay = 2000;

  function replace() {
    // The page itself, rendered anew in the person's language: its status region replaces ours.
    return fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-ticket-status]");
        if (!fresh) return;
        region.replaceWith(fresh);
        region = fresh;
        document.title = page.title;
        document.body.dataset.state = page.body.dataset.state || document.body.dataset.state;
        document.dispatchEvent(new CustomEvent("ticket-portal:status", { detail: { state: fresh.dataset.state } }));
      });
  }

  function ask() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.state !== state) {
          state = status.state;
          return replace().then(function () { return status; });
        }
        return status;
      })
      .catch(function () { return null; })
      .then(function (status) {
        if (status && status.final) return;
        delay = Math.min(delay * 1.25, 30000);
        window.setTimeout(ask, delay);
      });
  }
  window.setTimeout(ask, delay);
})();
