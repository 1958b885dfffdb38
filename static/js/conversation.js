/* A filed ticket's conversation while its page is open: every 20 seconds (not while the tab is
   hidden) asks the portal for the page as it keeps it (the X-Portal-Update header: the portal
   then answers from what it has, which its worker keeps fresh, and never waits for the
   helpdesk), adds the posts that are new to the list (a polite live region: screen readers say
   them) and updates the status. The reply box is never touched, so nothing being typed is lost.
   Times are shown in the browser's own time zone. Without JavaScript a reload does the same. */
(function () {
  "use strict";
  var section = document.querySelector("[data-conversation]");
  if (!section) return;
  var EVERY = 20000;
  var lang = document.documentElement.lang || "en";

  // In the browser's time zone, written as the server writes a date-time in this language
  // (portal/formats: "December 5, 2026, 09:05", "5 декабря 2026 г., 09:05"; held to it by
  // tests/browser/test_formats.py), and the "as of" time as the server writes a time.
  function localTimes(root) {
    if (!window.Intl) return;
    var day = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" });
    var clock = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    root.querySelectorAll("time[data-local-time]").forEach(function (node) {
      var moment = new Date(node.getAttribute("datetime"));
      if (!isNaN(moment)) node.textContent = day.format(moment) + ", " + clock.format(moment);
    });
    root.querySelectorAll("[data-as-of][data-datetime]").forEach(function (node) {
      var moment = new Date(node.dataset.datetime);
      if (!isNaN(moment)) node.textContent = node.textContent.replace(node.dataset.time, clock.format(moment));
    });
  }

  function update() {
    return fetch(window.location.href, {
      headers: { Accept: "text/html", "X-Portal-Update": "conversation" },
      cache: "no-store",
      credentials: "omit",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("ticket page " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-conversation]");
        if (!fresh) return;
        var list = section.querySelector("[data-posts]");
        var freshList = fresh.querySelector("[data-posts]");
        if (freshList && !list) {
          // The first post: the list takes the place of "Nothing has been written".
          var empty = section.querySelector("h2 ~ p:not(:has(strong))");
          list = freshList.cloneNode(false);
          (empty || section.querySelector("h2")).after(list);
          if (empty) empty.remove();
        }
        if (freshList) {
          list.querySelectorAll("[data-pending-reply]").forEach(function (node) { node.remove(); });
          freshList.querySelectorAll("[data-post], [data-pending-reply]").forEach(function (node) {
            var id = node.getAttribute("data-post");
            if (id && list.querySelector('[data-post="' + id + '"]')) return;
            var added = document.importNode(node, true);
            localTimes(added);
            list.appendChild(added);
          });
        }
        var state = section.querySelector("[data-ticket-state]");
        var freshState = fresh.querySelector("[data-ticket-state]");
        if (state && freshState) {
          var line = document.importNode(freshState.parentNode, true);
          localTimes(line);
          state.parentNode.replaceWith(line);
        }
      });
  }

  function loop() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", loop, { once: true });
      return;
    }
    update().catch(function () { /* asked again at the next turn */ })
      .then(function () { window.setTimeout(loop, EVERY); });
  }

  localTimes(section);
  window.setTimeout(loop, EVERY);
})();
