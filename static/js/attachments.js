/* Checks the attachments before the form is sent: no file larger than the limit, no more files
   than a ticket carries (the ones already attached and not marked "Remove" included), so nothing
   is uploaded only to be refused. The server checks again; the form works without this script.
   The limits and the messages come from the field's wrapper (templates/tickets/fields/files.html).
   No dependencies. */
(function () {
  "use strict";

  function init(wrapper) {
    var input = wrapper.querySelector("input[type=file]");
    var area = wrapper.querySelector("[data-file-check]");
    var maxFiles = parseInt(wrapper.dataset.maxFiles, 10);
    var maxBytes = parseInt(wrapper.dataset.maxBytes, 10);
    var held = parseInt(wrapper.dataset.held, 10) || 0;
    if (!input || !area || isNaN(maxFiles) || isNaN(maxBytes)) return;
    // What the server marked (its own errors of the last POST) stays marked.
    var serverInvalid = input.classList.contains("is-invalid");
    var serverAriaInvalid = input.getAttribute("aria-invalid");
    var shown = null;  // the messages on show, so that the same ones are not announced again

    function problems() {
      var chosen = Array.prototype.slice.call(input.files || []);
      var removed = wrapper.querySelectorAll("input[name=remove]:checked").length;
      var messages = [];
      var tooLarge = chosen.filter(function (file) { return file.size > maxBytes; });
      if (tooLarge.length) {
        var names = tooLarge.map(function (file) { return file.name; }).join(", ");
        messages.push(wrapper.dataset.tooLarge.split("{names}").join(names));
      }
      if (Math.max(held - removed, 0) + chosen.length > maxFiles) {
        messages.push(wrapper.dataset.tooMany);
      }
      return messages;
    }

    function describedBy(linked) {
      var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== area.id;
      });
      if (linked) ids.unshift(area.id);
      if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
      else input.removeAttribute("aria-describedby");
    }

    function check() {
      var messages = problems();
      var text = messages.join(" ");
      if (text === shown) return;
      shown = text;
      area.replaceChildren();
      messages.forEach(function (message) {
        var line = document.createElement("span");
        line.className = "d-block";
        line.textContent = message;
        area.appendChild(line);
      });
      var invalid = messages.length > 0;
      // Bootstrap's look of a server error (templates/tickets/fields/errors.html).
      area.classList.toggle("invalid-feedback", invalid);
      area.classList.toggle("d-block", invalid);
      input.classList.toggle("is-invalid", invalid || serverInvalid);
      if (invalid) input.setAttribute("aria-invalid", "true");
      else if (serverAriaInvalid) input.setAttribute("aria-invalid", serverAriaInvalid);
      else input.removeAttribute("aria-invalid");
      describedBy(invalid);
      // The browser refuses to send the form while this is set, and says why.
      input.setCustomValidity(text);
    }

    wrapper.addEventListener("change", check);
    // Browsers restore form state (Back, reload) after deferred scripts run.
    window.addEventListener("pageshow", check);
    check();
  }

  document.querySelectorAll("[data-file-limits]").forEach(init);
})();
