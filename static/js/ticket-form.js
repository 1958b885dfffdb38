/* Improves the ticket form; the form works without it. No dependencies. */
(function () {
  "use strict";

  // Start keyboard and screen-reader users at the list of what needs fixing.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Hierarchy: each level lists only the children of the choice above it.
  function initHierarchy(root) {
    var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-level]"));
    var options = selects.map(function (select) {
      return Array.prototype.slice.call(select.querySelectorAll("option[data-parent]")).map(
        function (option) {
          return { value: option.value, label: option.textContent, parent: option.dataset.parent };
        }
      );
    });
    var placeholders = selects.map(function (select) {
      return select.querySelector("option[value='']").textContent;
    });

    function rebuild(level) {
      var select = selects[level];
      var parent = selects[level - 1].value;
      var kept = select.value;
      var children = parent ? options[level].filter(function (o) { return o.parent === parent; }) : [];
      select.replaceChildren(new Option(placeholders[level], ""));
      children.forEach(function (o) {
        select.add(new Option(o.label, o.value, false, o.value === kept));
      });
      if (!children.some(function (o) { return o.value === kept; })) select.value = "";
      var wrapper = select.closest(".hierarchy-level");
      wrapper.hidden = children.length === 0;
      select.disabled = children.length === 0;
    }

    function refreshBelow(level) {
      for (var next = level + 1; next < selects.length; next++) rebuild(next);
    }

    selects.forEach(function (select, level) {
      select.addEventListener("change", function () { refreshBelow(level); });
    });
    refreshBelow(0);
  }
  document.querySelectorAll("[data-hierarchy]").forEach(initHierarchy);

  // One click, one send (the server also refuses a second filing of the same form).
  document.querySelectorAll("form[data-ticket-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-submit]");
      if (!button) return;
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }, 0);
    });
  });
})();
