/* Improves the ticket form; the form works without it. No dependencies. */
(function () {
  "use strict";

  // Start keyboard and screen-reader users at the list of what needs fixing.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Hierarchy: each level lists only the children of the choice above it.
  function initHierarchy(root) {
    var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-level]"));
    // A hierarchy the server locked (prefilled) stays exactly as it was rendered.
    if (!selects.length || selects[0].disabled) return;
    // A required hierarchy is chosen down to a leaf: every level that shows is required.
    var required = selects[0].required;
    var options = selects.map(function (select) {
      return Array.prototype.slice.call(select.querySelectorAll("option[data-parent]")).map(
        function (option) {
          return {
            value: option.value,
            label: option.textContent,
            parent: option.dataset.parent,
            sent: option.defaultSelected  // as the server rendered it (see changedSinceJudged)
          };
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
        select.add(new Option(o.label, o.value, o.sent, o.value === kept));
      });
      if (!children.some(function (o) { return o.value === kept; })) select.value = "";
      var wrapper = select.closest(".hierarchy-level");
      wrapper.hidden = children.length === 0;
      select.disabled = children.length === 0;
      select.required = required && children.length > 0;
    }

    function refreshBelow(level) {
      for (var next = level + 1; next < selects.length; next++) rebuild(next);
    }

    selects.forEach(function (select, level) {
      select.addEventListener("change", function () { refreshBelow(level); });
    });
    refreshBelow(0);
  }


  // Conditional fields (data-show-if): shown only while the field they depend on has one of the
  // listed values. A hidden field's inputs are disabled, so they are neither checked nor sent.
  // The controller's values, or null when it is not there for the person: missing from the
  // form, or itself hidden by its own condition. Then the condition never holds (as on the
  // server). A field the server locked is disabled but still has its value.
  function controllerValues(form, names) {
    var values = [];
    for (var i = 0; i < names.length; i++) {
      var item = form.elements.namedItem(names[i]);
      if (!item) return i === 0 ? null : values;
      var first = item.tagName ? item : item[0];  // a RadioNodeList (button group) has no tagName
      if (!first) return null;
      var wrapper = first.closest("[data-show-if]");
      if (wrapper && wrapper.hidden) return null;
      if (item.type === "checkbox") values.push(item.checked ? "1" : "");
      else values.push(item.value || "");
    }
    return values;
  }

  function labelOf(wrapper) {
    var label = wrapper.querySelector("legend, label");
    return label ? label.textContent.replace("*", "").trim() : "";
  }

  // A conditional field the server requires when its condition holds: required in the browser
  // while it shows (never while hidden, which would block sending the form).
  function requireShown(wrapper, shown) {
    wrapper.querySelectorAll("[data-required-when-shown]").forEach(function (input) {
      var level = input.closest("[data-level]");
      if (level && level.dataset.level !== "1") return;  // a hierarchy: its script does the rest
      input.required = shown;
    });
  }

  function setShown(wrapper, shown) {
    requireShown(wrapper, shown);
    if (!wrapper.hidden === shown) return false;
    wrapper.hidden = !shown;
    wrapper.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (!shown && !input.disabled) {
        input.disabled = true;
        input.dataset.hiddenByCondition = "1";
      } else if (shown && input.dataset.hiddenByCondition) {
        input.disabled = false;
        delete input.dataset.hiddenByCondition;
      }
    });
    return true;
  }

  // The note in a conditional field's help saying when it matters is for people without
  // JavaScript, who see every field. When it was all the help, the help goes too, and what
  // pointed to it.
  function dropNote(note) {
    var help = note.parentNode;
    note.remove();
    if (!help || !help.id || help.textContent.trim()) return;
    document.querySelectorAll("[aria-describedby]").forEach(function (el) {
      var ids = el.getAttribute("aria-describedby").split(/\s+/).filter(function (id) {
        return id && id !== help.id;
      });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    });
    help.remove();
  }

  function initConditions(form) {
    var wrappers = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
    if (!wrappers.length) return;
    var status = form.querySelector("[data-condition-status]");
    wrappers.forEach(function (wrapper) {
      wrapper.rule = JSON.parse(wrapper.dataset.showIf);
      var note = wrapper.querySelector("[data-condition-hint]");
      if (note) dropNote(note);
    });

    function apply(announce) {
      var appeared = [];
      wrappers.forEach(function (wrapper) {
        var values = controllerValues(form, wrapper.rule.names);
        var shown = values !== null &&
          values.some(function (v) { return wrapper.rule["in"].indexOf(v) !== -1; });
        var focusInside = !shown && wrapper.contains(document.activeElement);
        if (setShown(wrapper, shown) && shown) appeared.push(labelOf(wrapper));
        if (focusInside) {
          var controller = form.elements.namedItem(wrapper.rule.names[0]);
          if (controller && controller.focus) controller.focus();
        }
      });
      if (announce && status && appeared.length) {
        status.textContent = appeared.join(", ") + " " + status.dataset.shownText;
      }
    }
    form.addEventListener("change", function () { apply(true); });
    apply(false);
  }

  // One rule, one message: where the browser checks a rule the server checks too (a required
  // field left empty, a pattern, an email address, a least value, whole numbers, the consent box
  // left unticked), it says what the server would say. The form (forms/widgets.py: say_as_server,
  // required_as_server) puts the server's messages, in the page's language, in data-msg-*
  // attributes named after the ValidityState flag they stand for (patternMismatch:
  // data-msg-pattern-mismatch).
  var SAID_AS_SERVER = [
    "valueMissing", "typeMismatch", "badInput", "patternMismatch", "rangeUnderflow", "stepMismatch"
  ];

  function serversWord(control, flag) {
    return control.dataset["msg" + flag.charAt(0).toUpperCase() + flag.slice(1)];
  }

  function sayAsServer(control) {
    // Only inputs that carry the server's words: another script's message (attachments.js) stays.
    if (!control.dataset || !SAID_AS_SERVER.some(function (f) { return serversWord(control, f); })) return;
    control.setCustomValidity("");
    for (var i = 0; i < SAID_AS_SERVER.length; i++) {
      var message = serversWord(control, SAID_AS_SERVER[i]);
      if (message && control.validity[SAID_AS_SERVER[i]]) {
        control.setCustomValidity(message);
        return;
      }
    }
  }

  // An error the server wrote next to a field goes once the field holds something else that the
  // browser finds valid: as it is typed, and after Back, when the browser restores what was
  // typed after the error page came. A value as it was sent keeps its error, whatever the
  // browser thinks of it: the server may know more (the helpdesk's own checks).
  function changedSinceJudged(control) {
    if (control.type === "checkbox" || control.type === "radio") {
      return control.checked !== control.defaultChecked;
    }
    if (control.tagName === "SELECT") {
      return Array.prototype.some.call(control.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return control.value !== control.defaultValue;
  }

  function controlsOf(wrapper) {
    return Array.prototype.filter.call(
      wrapper.querySelectorAll("input, select, textarea"),
      function (control) { return control.type !== "hidden" && !control.disabled; }
    );
  }

  function clearError(wrapper) {
    var feedback = wrapper.querySelector(".invalid-feedback");
    var controls = controlsOf(wrapper);
    if (!feedback || !controls.length || !controls.some(changedSinceJudged)) return;
    if (!controls.every(function (control) { return control.validity.valid; })) return;
    feedback.remove();
    wrapper.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
    });
    wrapper.querySelectorAll(".is-invalid, .border-danger").forEach(function (el) {
      el.classList.remove("is-invalid", "border-danger");
    });
    wrapper.querySelectorAll("[aria-describedby]").forEach(function (el) {
      var ids = el.getAttribute("aria-describedby").split(/\s+/).filter(function (id) {
        return id && id !== feedback.id;
      });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    });
    clearSummaryEntries(controls);
  }

  // The summary at the top lists what is left to fix; once nothing is, it goes.
  function clearSummaryEntries(controls) {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    controls.forEach(function (control) {
      summary.querySelectorAll("a[href='#" + control.id + "']").forEach(function (link) {
        link.closest("li").remove();
      });
    });
    if (!summary.querySelector("li")) summary.hidden = true;
  }

  function initChecks(form) {
    var fieldWrapper = function (control) { return control.closest("[id^='div_id_']"); };
    function check(event) {
      sayAsServer(event.target);
      var wrapper = event.target.closest && fieldWrapper(event.target);
      // Attachments are static/js/attachments.js's to judge.
      if (wrapper && !wrapper.hasAttribute("data-file-limits")) clearError(wrapper);
    }
    form.addEventListener("input", check);
    form.addEventListener("change", check);
    // Just before the browser shows its message: a field the scripts made required since (one
    // that appeared, a hierarchy's level) is told in the server's words too.
    form.addEventListener("invalid", function (event) { sayAsServer(event.target); }, true);
    form.querySelectorAll("input, select, textarea").forEach(sayAsServer);
    form.querySelectorAll(".invalid-feedback").forEach(function (feedback) {
      var wrapper = fieldWrapper(feedback);
      if (wrapper && !wrapper.hasAttribute("data-file-limits")) clearError(wrapper);
    });
  }

  // Browsers restore form values (Back, reload) after deferred scripts run: wait for them, or a
  // level emptied too early would lose its restored choice.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-hierarchy]").forEach(initHierarchy);
    document.querySelectorAll("form[data-ticket-form]").forEach(initConditions);
    document.querySelectorAll("form[data-ticket-form]").forEach(initChecks);
  }, { once: true });

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
