/* A list of more than 15 options becomes a searchable one: a text box (ARIA 1.2 combobox with a
   listbox popup) that filters the options as the person types. ArrowDown/ArrowUp move through
   them, Enter picks, Escape closes (again: puts back the choice), a click picks; the number of
   matches is announced. The native select stays in the form, hidden, and carries the value
   (and its change event, which conditional fields follow). Without JavaScript it is a plain
   select. Hierarchy levels are left alone: their lists are rebuilt as the levels above change.
   Strings come from this script tag's data attributes (translated by the page). No dependencies. */
(function () {
  "use strict";
  var MANY = 15;
  var script = document.currentScript;
  var text = {
    results: (script && script.dataset.results) || "Matching options: {count}",
    none: (script && script.dataset.none) || "No option matches",
    choose: (script && script.dataset.choose) || "Choose one of the options in the list."
  };

  function enhance(select) {
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
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

    var items = options.map(function (option, i) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = id + "_option_" + i;
      item.className = "dropdown-item";
      item.textContent = option.text;
      item.dataset.value = option.value;
      list.appendChild(item);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();  // the text box keeps the focus
        pick(item);
      });
      return item;
    });
    var shown = items, active = -1;

    function current() {
      var chosen = select.options[select.selectedIndex];
      return chosen && chosen.value !== "" ? chosen.text : "";
    }
    function check() {
      var typed = input.value.trim();
      var fits = !typed || typed === current();
      input.setCustomValidity(fits ? "" : text.choose);
    }
    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }
    function setActive(index) {
      items.forEach(function (item) { item.classList.remove("active"); item.setAttribute("aria-selected", "false"); });
      active = index;
      if (index < 0 || !shown[index]) { input.removeAttribute("aria-activedescendant"); return; }
      var item = shown[index];
      item.classList.add("active");
      item.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", item.id);
      item.scrollIntoView({ block: "nearest" });
    }
    var announceTimer = null;
    function filter() {
      var typed = input.value.trim().toLowerCase();
      shown = items.filter(function (item) {
        var match = !typed || item.textContent.toLowerCase().indexOf(typed) !== -1;
        item.hidden = !match;
        return match;
      });
      setActive(shown.length ? 0 : -1);
      window.clearTimeout(announceTimer);
      announceTimer = window.setTimeout(function () {
        status.textContent = shown.length ? text.results.replace("{count}", shown.length) : text.none;
      }, 300);
    }
    function pick(item) {
      select.value = item.dataset.value;
      input.value = item.textContent;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      close();
      check();
    }
    function settle() {  // leaving the box: exact text picks its option, an empty box none
      var typed = input.value.trim().toLowerCase();
      var exact = items.filter(function (item) { return item.textContent.toLowerCase() === typed; })[0];
      if (exact && exact.dataset.value !== select.value) pick(exact);
      else if (!typed && select.value !== "") {
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      close();
      check();
    }

    input.value = current();
    input.addEventListener("input", function () { open(); filter(); check(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { open(); filter(); return; }
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(Math.max(0, Math.min(shown.length - 1, active + step)));
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();  // not the form's submit
        if (shown[active]) pick(shown[active]);
      } else if (event.key === "Escape") {
        if (!list.hidden) close();
        else { input.value = current(); check(); }
      }
    });
    input.addEventListener("blur", settle);
    input.addEventListener("click", function () { if (list.hidden) { open(); filter(); } });
    // The browser put back a choice (Back, reload) after this ran: show it.
    window.addEventListener("pageshow", function () { input.value = current(); check(); });
  }

  document.querySelectorAll("form[data-ticket-form] select:not([multiple])").forEach(function (select) {
    if (select.closest("[data-hierarchy]")) return;
    var real = Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
    if (real.length > MANY) enhance(select);
  });
})();
