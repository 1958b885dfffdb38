/* Staff form: find a client, and add followers, as you type (each a WAI-ARIA 1.2 combobox with a
   listbox popup), and show a parent ticket's title before sending. Without it an agent types the
   client's email and ticks followers' boxes, and the server checks the parent ticket. */
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
  function withQuery(base, params) {
    var url = new URL(base, document.baseURI);
    Object.keys(params).forEach(function (name) { url.searchParams.set(name, params[name]); });
    return url.href;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .catch(function () { return { ok: false, body: {} }; });
  }

  /* A Remove button that shows its verb and says its object to screen readers alone: the
     translated "Remove {name}" split at "{name}", the name in a visually hidden span (its
     accessible name stays the whole sentence). */
  function removeLabel(button, pattern, name) {
    var parts = pattern.split("{name}");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = name;
    button.replaceChildren(document.createTextNode(parts[0]), hidden,
                           document.createTextNode(parts.slice(1).join(name)));
  }

  function label(person) {
    return person.email ? person.name + " <" + person.email + ">" : person.name;
  }

  /* A combobox of people (static/js/combobox.js): `search(query)` answers {results, status} or
     {error}; `pick` takes the person chosen, and the box is emptied for the next search (Escape
     on a closed list empties it too); shorter queries than `minLength` ask nothing. */
  function combobox(root, search, pick, minLength) {
    var parts = {
      input: root.querySelector("[data-combobox-input]"),
      list: root.querySelector("[data-combobox-list]"),
      status: root.querySelector("[data-combobox-status]")
    };
    var input = parts.input;
    window.TicketPortal.combobox(parts, {
      search: function (query) {
        return search(query).then(function (answer) {
          if (answer.error) return answer;
          var results = answer.results.map(function (person) { return { label: label(person), person: person }; });
          return { results: results, status: answer.status };
        });
      },
      pick: function (result) {
        input.value = "";
        pick(result.person);
      },
      minLength: minLength,
      restore: function () {
        input.value = "";
        parts.status.textContent = "";
      }
    });
    return input;
  }

  function searcher(url, failed, extra) {
    return function (query) {
      var params = Object.assign({ q: query }, extra ? extra() : {});
      return getJSON(withQuery(url, params)).then(function (answer) {
        return answer.ok ? answer.body : { error: answer.body.error || failed };
      });
    };
  }

  function initClientPicker(root) {
    var search = root.querySelector("[data-client-search]");
    var chosen = root.querySelector("[data-client-chosen]");
    var form = root.closest("form");
    var userId = form.elements.namedItem("user_id");
    var email = form.elements.namedItem("user_email");
    search.hidden = false;

    var input = combobox(search, searcher(root.dataset.searchUrl, root.dataset.failed), function (person) {
      userId.value = person.id;
      email.value = person.email;
      chosen.querySelector("[data-client-name]").textContent = label(person);
      chosen.hidden = false;
      search.hidden = true;
      chosen.querySelector("[data-client-change]").focus();
    }, 2);  // the directory searches from two characters on

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

    if (userId.value) {
      chosen.querySelector("[data-client-name]").textContent = email.value;
      chosen.hidden = false;
      search.hidden = true;
    }
  }

  /* Followers: the checkboxes stay the form's data (out of sight); the combobox ticks one, the
     list under it shows those ticked, each with a button that unticks it. */
  function initFollowersPicker(root) {
    var search = root.querySelector("[data-followers-search]");
    var chosenList = root.querySelector("[data-followers-chosen]");
    var boxes = Array.prototype.slice.call(root.querySelectorAll("input[type=checkbox]"));
    var input;
    root.querySelector("[data-followers-boxes]").hidden = true;
    search.hidden = false;

    function nameOf(box) {
      var boxLabel = root.querySelector("label[for='" + box.id + "']");
      return boxLabel ? boxLabel.textContent.trim() : box.value;
    }

    function render() {
      chosenList.replaceChildren.apply(chosenList, boxes.filter(function (box) { return box.checked; }).map(function (box) {
        // A row as a chosen file's (portal.css, "Rows of removable things"): the name wraps in
        // its column, the button keeps to the right and shows "Remove"; the name it removes is
        // said to screen readers alone.
        var item = document.createElement("li");
        var name = document.createElement("span");
        var button = document.createElement("button");
        item.className = "item-row";
        name.className = "item-row-what";
        name.textContent = nameOf(box);
        item.appendChild(name);
        button.type = "button";
        button.className = "btn btn-link btn-sm p-0 item-row-action";
        removeLabel(button, root.dataset.remove, nameOf(box));
        button.addEventListener("click", function () {
          box.checked = false;
          render();
          input.focus();
        });
        item.appendChild(button);
        return item;
      }));
    }

    function chosenIds() {
      return { chosen: boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; }).join(",") };
    }

    input = combobox(search, searcher(root.dataset.searchUrl, root.dataset.failed, chosenIds), function (person) {
      boxes.forEach(function (box) { if (box.value === String(person.id)) box.checked = true; });
      render();
    }, 1);
    render();
  }

  function initParentLookup(root) {
    var input = root.querySelector("input");
    var preview = root.querySelector("[data-parent-preview]");
    var show = debounce(function (reference) {
      if (!reference) {
        preview.textContent = "";
        return;
      }
      getJSON(withQuery(root.dataset.lookupUrl, { q: reference })).then(function (answer) {
        if (input.value.trim() !== reference) return;
        preview.textContent = answer.ok
          ? answer.body.unique_id + ": " + answer.body.title
          : answer.body.error || "";
      });
    }, 300);
    input.addEventListener("input", function () { show(input.value.trim()); });
  }

  document.querySelectorAll("[data-client-picker]").forEach(initClientPicker);
  document.querySelectorAll("[data-followers-picker]").forEach(initFollowersPicker);
  document.querySelectorAll("[data-parent-lookup]").forEach(initParentLookup);
})();
