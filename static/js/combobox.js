/* The one combobox of the portal (WAI-ARIA 1.2, a listbox popup), for every list searched as one
   types: a long select's options (searchable-select.js), clients and staff from the helpdesk
   (staff.js). The text box keeps the focus; ArrowDown and ArrowUp move the active option
   (aria-activedescendant), round at the ends; Enter, or a click, picks it (Enter alone picks the
   only one, and never sends the form); Escape closes the list, and on a closed list calls
   `restore` (a search is emptied, a select's choice put back); leaving the box closes it and
   calls `settle`. The count of results goes to a polite live region. No dependencies.

   TicketPortal.combobox({input, list, status}, {
     search(query) -> Promise of {results: [{label, ...}], status} or {error},
     pick(result), minLength (0), delay (ms before asking, 250), optionClass,
     restore(), settle(), openOnClick (false)
   }) */
(function () {
  "use strict";
  var portal = (window.TicketPortal = window.TicketPortal || {});

  portal.combobox = function (parts, behaviour) {
    var input = parts.input, list = parts.list, status = parts.status;
    var minLength = behaviour.minLength || 0;
    var delay = behaviour.delay === undefined ? 250 : behaviour.delay;
    var options = [];
    var active = -1;
    var timer = null;

    function expand(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) activate(-1);
    }

    function activate(index) {
      active = index;
      options.forEach(function (option, i) {
        option.element.setAttribute("aria-selected", i === index ? "true" : "false");
        option.element.classList.toggle("active", i === index);
      });
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].element.id);
      options[index].element.scrollIntoView({ block: "nearest" });
    }

    function show(results) {
      options = results.map(function (result, i) {
        var element = document.createElement("li");
        element.id = list.id + "-" + i;
        element.className = behaviour.optionClass || "list-group-item list-group-item-action";
        element.setAttribute("role", "option");
        element.setAttribute("aria-selected", "false");
        element.textContent = result.label;
        // The focus stays in the text box: a click must not blur it before it picks.
        element.addEventListener("mousedown", function (event) { event.preventDefault(); });
        element.addEventListener("click", function () { choose(i); });
        return { element: element, result: result };
      });
      list.replaceChildren.apply(list, options.map(function (option) { return option.element; }));
      expand(options.length > 0);
    }

    function reset() {
      options = [];
      list.replaceChildren();
      expand(false);
    }

    function choose(index) {
      var result = options[index].result;
      status.textContent = "";
      reset();
      behaviour.pick(result);
    }

    function lookup(query) {
      if (query.length < minLength) {
        status.textContent = "";
        return;
      }
      behaviour.search(query).then(function (answer) {
        if (input.value.trim() !== query) return;  // a newer query is on its way
        if (answer.error) {
          reset();
          status.textContent = answer.error;
          return;
        }
        show(answer.results);
        status.textContent = answer.status;
      });
    }

    function later(query) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { lookup(query); }, delay);
    }

    input.addEventListener("input", function () {
      reset();  // no stale result may be picked while the next one loads
      later(input.value.trim());
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) {
          if (!minLength) lookup(input.value.trim());  // a list of its own opens on an arrow
          return;
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = list.hidden || active < 0
          ? (step > 0 ? 0 : options.length - 1)
          : (active + step + options.length) % options.length;
        expand(true);
        activate(next);
      } else if (event.key === "Enter") {
        event.preventDefault();  // Enter in a search never sends the form
        if (!list.hidden && active >= 0) choose(active);
        else if (!list.hidden && options.length === 1) choose(0);
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          expand(false);
        } else if (behaviour.restore) {
          behaviour.restore();
        }
      }
    });
    input.addEventListener("blur", function () {
      expand(false);
      if (behaviour.settle) behaviour.settle();
    });
    if (behaviour.openOnClick) {
      input.addEventListener("click", function () { if (list.hidden) lookup(input.value.trim()); });
    }
    return { input: input, close: reset };
  };
})();
