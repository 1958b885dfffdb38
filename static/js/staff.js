/* Staff form: find a client as you type, and show a parent ticket's title before sending.
   Without it an agent types the client's email, and the server checks the parent ticket. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  // The endpoint's address carries the page's language (?lang=), so its messages speak it too.
  function withQuery(base, query) {
    var url = new URL(base, document.baseURI);
    url.searchParams.set("q", query);
    return url.href;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .catch(function () { return { ok: false, body: {} }; });
  }

  function initClientPicker(root) {
    var search = root.querySelector("[data-client-search]");
    var input = search.querySelector("input");
    var status = search.querySelector("[aria-live]");
    var results = root.querySelector("[data-client-results]");
    var chosen = root.querySelector("[data-client-chosen]");
    var form = root.closest("form");
    var userId = form.elements.namedItem("user_id");
    var email = form.elements.namedItem("user_email");
    search.hidden = false;

    function choose(person) {
      userId.value = person.id;
      email.value = person.email;
      chosen.querySelector("[data-client-name]").textContent = person.name + " <" + person.email + ">";
      chosen.hidden = false;
      search.hidden = true;
      results.replaceChildren();
      chosen.querySelector("[data-client-change]").focus();
    }

    chosen.querySelector("[data-client-change]").addEventListener("click", function () {
      userId.value = "";
      chosen.hidden = true;
      search.hidden = false;
      input.focus();
    });
    // Typing an email by hand means a client the search did not pick.
    email.addEventListener("input", function () {
      userId.value = "";
      chosen.hidden = true;
      search.hidden = false;
    });

    var lookup = debounce(function (query) {
      if (query.length < 2) {
        results.replaceChildren();
        status.textContent = "";
        return;
      }
      getJSON(withQuery(root.dataset.searchUrl, query)).then(function (answer) {
        if (input.value.trim() !== query) return;  // a newer query is on its way
        results.replaceChildren();
        if (!answer.ok) {
          status.textContent = answer.body.error || root.dataset.failed;
          return;
        }
        answer.body.results.forEach(function (person) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-link p-0 text-start";
          button.textContent = person.name + " <" + person.email + ">";
          button.addEventListener("click", function () { choose(person); });
          item.appendChild(button);
          results.appendChild(item);
        });
        status.textContent = answer.body.status;
      });
    }, 250);
    input.addEventListener("input", function () {
      results.replaceChildren();  // no stale result may be picked while the next one loads
      lookup(input.value.trim());
    });
    // Enter in the search picks the only result, and never sends the form.
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var buttons = results.querySelectorAll("button");
      if (buttons.length === 1) buttons[0].click();
      else if (buttons.length) buttons[0].focus();
    });

    if (userId.value) {
      chosen.querySelector("[data-client-name]").textContent = email.value;
      chosen.hidden = false;
      search.hidden = true;
    }
  }

  function initParentLookup(root) {
    var input = root.querySelector("input");
    var preview = root.querySelector("[data-parent-preview]");
    var show = debounce(function (reference) {
      if (!reference) {
        preview.textContent = "";
        return;
      }
      getJSON(withQuery(root.dataset.lookupUrl, reference)).then(function (answer) {
        if (input.value.trim() !== reference) return;
        preview.textContent = answer.ok
          ? answer.body.unique_id + ": " + answer.body.title
          : answer.body.error || "";
      });
    }, 300);
    input.addEventListener("input", function () { show(input.value.trim()); });
  }

  document.querySelectorAll("[data-client-picker]").forEach(initClientPicker);
  document.querySelectorAll("[data-parent-lookup]").forEach(initParentLookup);
})();
