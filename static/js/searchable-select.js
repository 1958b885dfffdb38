/* A list of more than 15 options becomes a searchable one: a text box over the portal's one
   combobox (static/js/combobox.js) that filters the options as the person types; an arrow or a
   click opens the whole list, Escape on a closed list puts back the choice, text that names an
   option exactly picks it, other text is refused in the browser. The native select stays in the
   form, hidden, and carries the value (and its change event, which conditional fields follow).
   Without JavaScript it is a plain select. Hierarchy levels are left alone: their lists are
   rebuilt as the levels above change. Strings come from this script tag's data attributes
   (translated by the page). No dependencies. */
(function () {
  "use strict";
  var script = document.currentScript;
  // The page loads this only for a form with such a list (TicketForm.has_long_list, LONG_LIST).
  var MANY = parseInt((script && script.dataset.many) || "15", 10);
  var text = {
    results: (script && script.dataset.results) || "Matching options: {count}",
    none: (script && script.dataset.none) || "No option matches",
    choose: (script && script.dataset.choose) || "Choose one of the options in the list."
  };

  function build(select) {
    var id = select.id;
    var box = document.createElement("div");
    box.className = "searchable-select position-relative";
    var input = document.createElement("input");
    input.type = "text";
    input.className = select.className.replace(/\bform-select\b/, "form-control");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    input.required = select.required;
    // Left empty, it says what the server says (ticket-form.js reads the mark), as the select did.
    if (select.dataset.msgValueMissing) input.dataset.msgValueMissing = select.dataset.msgValueMissing;
    var list = document.createElement("ul");
    list.setAttribute("role", "listbox");
    list.className = "dropdown-menu searchable-select-list";
    list.id = id + "_options";
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    // The text box takes the select's id: its label, the error summary's link and the browser's
    // own checks then lead to it; the select keeps its name and value, out of sight.
    select.id = id + "_native";
    select.required = false;
    select.hidden = true;
    select.tabIndex = -1;
    input.id = id;
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    box.appendChild(select);
    return { input: input, list: list, status: status };
  }

  function enhance(select) {
    var choices = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; })
      .map(function (o) { return { label: o.text, value: o.value }; });
    var parts = build(select);
    var input = parts.input;

    function current() {
      var chosen = select.options[select.selectedIndex];
      return chosen && chosen.value !== "" ? chosen.text : "";
    }
    function check() {
      var typed = input.value.trim();
      input.setCustomValidity(!typed || typed === current() ? "" : text.choose);
    }
    function choose(value, label) {
      if (select.value !== value) {
        select.value = value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      input.value = label;
      check();
    }

    window.TicketPortal.combobox(parts, {
      search: function (query) {
        var typed = query.toLowerCase();
        var found = choices.filter(function (c) { return c.label.toLowerCase().indexOf(typed) !== -1; });
        var said = found.length ? text.results.replace("{count}", found.length) : text.none;
        return Promise.resolve({ results: found, status: said });
      },
      pick: function (choice) { choose(choice.value, choice.label); },
      delay: 80,  // the options are here: only long enough to let a word be typed
      optionClass: "dropdown-item",
      openOnClick: true,
      restore: function () { input.value = current(); check(); },
      settle: function () {  // exact text picks its option, an empty box none
        var typed = input.value.trim().toLowerCase();
        var exact = choices.filter(function (c) { return c.label.toLowerCase() === typed; })[0];
        if (exact) choose(exact.value, exact.label);
        else if (!typed) choose("", "");
        else check();
      }
    });
    input.value = current();
    input.addEventListener("input", check);
    // The browser put back a choice (Back, reload) after this ran: show it.
    window.addEventListener("pageshow", function () { input.value = current(); check(); });
  }

  document.querySelectorAll("form[data-ticket-form] select:not([multiple])").forEach(function (select) {
    if (select.closest("[data-hierarchy]")) return;
    var real = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
    if (real.length > MANY) enhance(select);
  });
})();
