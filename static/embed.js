/*! Ticket portal embed: <script src="https://portal.example/static/embed.js" data-form="support"
   data-lang="uk" data-color="#0a7" data-font="Georgia, serif" data-radius="12px"
   data-background="transparent"></script>
   Places the form where the tag is, sizes it to its content, and fires on the iframe (bubbling):
   "ticket-portal:ready", "ticket-portal:invalid" (errors shown), "ticket-portal:refused"
   (detail.reason), "ticket-portal:resize" and "ticket-portal:submitted" (detail.uniqueId). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.form) return;
  var portal = new URL(script.src, window.location.href);
  var params = new URLSearchParams();
  params.set("parent", window.location.origin);
  var names = { lang: "lang", color: "color", font: "font", radius: "radius", background: "bg",
                scheme: "scheme", context: "ctx" };
  Object.keys(names).forEach(function (key) {
    if (names[key] && script.dataset[key]) params.set(names[key], script.dataset[key]);
  });
  // data-prefill="title=Login%20problem&cf_96=A-1&lock=cf_96" passes field values through.
  new URLSearchParams(script.dataset.prefill || "").forEach(function (value, key) {
    params.set(key, value);
  });

  var frame = document.createElement("iframe");
  frame.src = portal.origin + "/embed/" + encodeURIComponent(script.dataset.form) + "/?" + params;
  frame.title = script.dataset.title || "Support form";
  frame.loading = "lazy";
  frame.style.cssText = "width:100%;border:0;display:block;height:" + (script.dataset.height || "600") + "px";
  if (script.dataset.background === "transparent") frame.setAttribute("allowtransparency", "true");
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    // Only this iframe's messages, from the portal's own origin.
    if (event.origin !== portal.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.source !== "ticket-portal" || typeof data.type !== "string") return;
    if (data.type === "resize" && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.ceil(data.height) + "px";
    }
    frame.dispatchEvent(new CustomEvent("ticket-portal:" + data.type, { bubbles: true, detail: data }));
  });
})();
