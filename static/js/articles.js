/* Knowledge-base articles under the subject, while a person types it: after three words (400 ms
   after the last key) or on leaving the field, asks the portal for up to three articles (its own
   copy: never the helpdesk) and lists them in a polite live region. Each opens in place (its
   text made safe by the portal) or in a new tab; "This answered my question" leaves the form with
   a thank-you, and the draft stays in the browser. A ticket sent after opening one says so, as a
   count. Loaded only on forms that suggest articles; without JavaScript nothing shows. */
(function () {
  "use strict";
  var box = document.querySelector("[data-article-suggestions]");
  var subject = document.getElementById("id_title");
  if (!box || !subject) return;
  var form = subject.form;
  var list = box.querySelector("[data-suggestions-list]");
  var wrapper = document.getElementById("div_id_title") || subject.parentNode;
  wrapper.after(box);  // under the subject
  var asked = "";
  var timer = null;

  function ask(left) {
    var query = subject.value.trim();
    var words = query.split(/\s+/).filter(Boolean).length;
    if (query === asked || (!left && words < 3) || !words) return;
    asked = query;
    var url = box.dataset.url + (box.dataset.url.indexOf("?") < 0 ? "?" : "&") +
      "q=" + encodeURIComponent(query) + (left ? "&left=1" : "") +
      "&lang=" + encodeURIComponent(document.documentElement.lang || "en");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (subject.value.trim() !== query) return;  // typed on meanwhile: a newer answer comes
        var found = new DOMParser().parseFromString(html, "text/html").body;
        list.replaceChildren.apply(list, Array.prototype.slice.call(found.childNodes));
        box.hidden = !list.querySelector("[data-suggestion]");
      })
      .catch(function () { /* no suggestions this time: the form works as ever */ });
  }

  subject.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { ask(false); }, 400);
  });
  subject.addEventListener("change", function () { ask(true); });

  function opened() {
    if (form.querySelector("input[name=articles_opened]")) return;
    var mark = document.createElement("input");
    mark.type = "hidden";
    mark.name = "articles_opened";
    mark.value = "1";
    form.appendChild(mark);
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-open-article]");
    if (!button) return;
    var body = button.parentNode.querySelector("[data-article-body]");
    if (button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      body.hidden = true;
      return;
    }
    var url = button.dataset.openArticle;
    url += (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(document.documentElement.lang || "en");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").body;
        body.replaceChildren.apply(body, Array.prototype.slice.call(found.childNodes));
        var token = body.querySelector("[data-answered] input[name=form_token]");
        var own = form.querySelector("input[name=form_token]");
        if (token && own) token.value = own.value;
        var answered = body.querySelector("[data-answered]");
        if (answered && window.location.search) answered.action += window.location.search;
        body.hidden = false;
        button.setAttribute("aria-expanded", "true");
        opened();
      })
      .catch(function () { window.open(button.nextElementSibling.href, "_blank", "noopener"); });
  });
})();
