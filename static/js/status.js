/* The status page of a ticket that is received but not filed yet: asks the portal where it stands
   (every few seconds, less often as time goes on, not while the tab is hidden) and, when that
   changes, puts the new status into the page's status region without a reload. The region
   stays in place, so screen readers announce what changes in it. Without JavaScript the page
   refreshes itself (a <noscript> meta refresh) until the ticket is settled. */
(function () {
  "use strict";
  var region = document.querySelector("[data-ticket-status]");
  if (!region) return;

  /* After a Send the status heading has the focus (templates/tickets/status.html). The page's
     autofocus gives it, but not in another site's frame, where browsers refuse autofocus (the
     page has none there): it is given here, when the page was reached by the form's redirect
     (or by a large upload's script, which marks it) and says nothing first (data-focus-first:
     no new address, no reply's errors; no #replies). */
  function heading() { return region.querySelector("[data-status-heading]"); }
  function sentHere() {
    var marked = false;
    try {
      marked = window.sessionStorage.getItem("ticket-portal:sent") === window.location.href;
      window.sessionStorage.removeItem("ticket-portal:sent");
    } catch (e) { /* no storage: the redirect alone tells */ }
    var visit = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0] : null;
    var redirected = visit && visit.type === "navigate" && visit.redirectCount > 0;
    return (marked || redirected) && !window.location.hash && !/[?&]renewed=/.test(window.location.search);
  }
  var first = heading();
  if (first && first.hasAttribute("data-focus-first") && document.activeElement !== first && sentHere()) {
    first.focus({ preventScroll: true });  // the host page brings the frame into view
  }
  if (region.hasAttribute("data-final")) return;
  var url = region.dataset.statusUrl;
  var delay = 2000;

  function replace() {
    // The page itself, rendered anew in the person's language: its status replaces ours.
    return fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status page " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-ticket-status]");
        if (!fresh) throw new Error("no status on the page");
        // The focus stays on the heading when it was there; nothing else is focused by the swap.
        var hadFocus = heading() !== null && document.activeElement === heading();
        fresh.querySelectorAll("[autofocus]").forEach(function (el) { el.removeAttribute("autofocus"); });
        region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
        if (hadFocus && heading()) heading().focus({ preventScroll: true });
        region.dataset.state = fresh.dataset.state;
        if (fresh.hasAttribute("data-final")) region.setAttribute("data-final", "");
        document.title = page.title;
        if (page.body.dataset.state) document.body.dataset.state = page.body.dataset.state;
        document.dispatchEvent(new CustomEvent("ticket-portal:status", { detail: { state: fresh.dataset.state } }));
      });
  }

  function ask() {
    if (document.hidden) {  // asked again when the tab is shown
      document.addEventListener("visibilitychange", ask, { once: true });
      return;
    }
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 404) return { final: true, state: region.dataset.state };
        return response.ok ? response.json() : null;
      })
      .then(function (status) {
        if (status && status.state !== region.dataset.state) {
          return replace().then(function () { return status; });
        }
        return status;
      })
      .catch(function () { return null; })  // a failed fetch or swap: asked again later
      .then(function (status) {
        if (status && status.final && region.dataset.state === status.state) return;
        delay = Math.min(delay * 1.25, 30000);
        window.setTimeout(ask, delay);
      });
  }
  window.setTimeout(ask, delay);
})();
