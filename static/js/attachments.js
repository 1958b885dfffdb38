/* The attachments field, in the browser. Checks the files before the form is sent: no file larger
   than the limit, no more files than a ticket carries (the ones already attached and not marked
   "Remove" included), so nothing is uploaded only to be refused. Takes files dropped onto the
   field, lists each chosen file with its size and a Remove button (in a row as a kept file's),
   and shows a progress bar while a large upload is sent. The server checks again; the form works without this script. The
   limits and the words come from the field's wrapper (templates/tickets/fields/files.html).
   No dependencies. */
(function () {
  "use strict";

  function init(wrapper) {
    var input = wrapper.querySelector("input[type=file]");
    var area = wrapper.querySelector("[data-file-check]");
    var maxFiles = parseInt(wrapper.dataset.maxFiles, 10);
    var maxBytes = parseInt(wrapper.dataset.maxBytes, 10);
    var stored = parseInt(wrapper.dataset.stored, 10) || 0;
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
      if (Math.max(stored - removed, 0) + chosen.length > maxFiles) {
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

    // --- Chosen files: listed, each removable; dropped ones join them --------------------------
    var list = wrapper.querySelector("[data-file-list]");
    var lang = document.documentElement.lang || "en";
    // As the server writes a size (lib/text.file_size; tests/browser/test_formats.py holds the two
    // to one text): counted in 1024s as the limits are, never broken across lines.
    function size(bytes) {
      var units = [["gigabyte", 1073741824], ["megabyte", 1048576], ["kilobyte", 1024]];
      var text = new Intl.NumberFormat(lang, { style: "unit", unit: "byte", unitDisplay: "long" }).format(bytes);
      for (var i = 0; i < units.length; i++) {
        if (bytes >= units[i][1]) {
          text = new Intl.NumberFormat(lang, { style: "unit", unit: units[i][0], unitDisplay: "short",
                                               maximumFractionDigits: 1 }).format(bytes / units[i][1]);
          break;
        }
      }
      return text.replace(/ /g, "\u00a0");
    }
    function choose(files) {  // the input's files become exactly these
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function showList() {
      if (!list) return;
      list.replaceChildren();
      var chosen = Array.prototype.slice.call(input.files || []);
      chosen.forEach(function (file, i) {
        // A row as a kept file's (files.html; portal.css, "Rows of removable things"): the name
        // and its size (never split) wrap in their column, "Remove" keeps to the right.
        var item = document.createElement("li");
        item.className = "item-row";
        var name = document.createElement("span");
        name.className = "item-row-what";
        name.textContent = file.name + " ";
        var bytes = document.createElement("span");
        bytes.className = "item-row-size text-body-secondary small";
        bytes.textContent = "(" + size(file.size) + ")";
        name.appendChild(bytes);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-link btn-sm p-0 item-row-action";
        // It shows "Remove"; the file's name is read to screen readers alone (its accessible
        // name is the whole "Remove <name>", split at "{name}" in any language's order).
        var parts = list.dataset.removeText.split("{name}");
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = file.name;
        remove.replaceChildren(document.createTextNode(parts[0]), hidden,
                               document.createTextNode(parts.slice(1).join(file.name)));
        remove.addEventListener("click", function () {
          choose(chosen.filter(function (_, j) { return j !== i; }));
          input.focus();
        });
        item.appendChild(name);
        item.appendChild(remove);
        list.appendChild(item);
      });
      list.hidden = chosen.length === 0;
    }
    var hint = wrapper.querySelector("[data-drop-hint]");
    if (hint && window.DataTransfer) {
      hint.hidden = false;
      var carriesFiles = function (event) {
        return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
      };
      wrapper.addEventListener("dragover", function (event) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        wrapper.classList.add("drop-target");
      });
      wrapper.addEventListener("dragleave", function (event) {
        if (!wrapper.contains(event.relatedTarget)) wrapper.classList.remove("drop-target");
      });
      wrapper.addEventListener("drop", function (event) {
        wrapper.classList.remove("drop-target");
        if (!carriesFiles(event)) return;
        event.preventDefault();  // added to what is chosen, not in place of it
        choose(Array.prototype.slice.call(input.files || []).concat(
          Array.prototype.slice.call(event.dataTransfer.files)));
      });
    }

    wrapper.addEventListener("change", function () { check(); showList(); });
    // Browsers restore form state (Back, reload) after deferred scripts run.
    window.addEventListener("pageshow", function () { check(); showList(); });
    check();
    if (input.form) sendWithProgress(input.form, input, wrapper);
  }

  // --- A large upload shows how far it has got ------------------------------------------------
  var LARGE = 1024 * 1024;  // bytes: below this, the upload is over before a bar would help
  function sendWithProgress(form, input, wrapper) {
    var bar = wrapper.querySelector("[data-upload-progress]");
    if (!bar || !window.FormData || !window.XMLHttpRequest) return;
    form.addEventListener("submit", function (event) {
      var bytes = Array.prototype.reduce.call(input.files || [], function (sum, f) { return sum + f.size; }, 0);
      if (event.defaultPrevented || bytes < LARGE) return;
      // A proof-of-work challenge still unsolved sends the form itself once it is solved.
      var challenge = form.querySelector("altcha-widget");
      if (challenge && !(form.elements.namedItem(challenge.getAttribute("name")) || {}).value) return;
      event.preventDefault();
      var data = new FormData(form, event.submitter || undefined);
      var request = new XMLHttpRequest();
      var meter = bar.querySelector("progress");
      var said = bar.querySelector("[data-upload-said]");
      bar.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.floor(100 * e.loaded / e.total);
        meter.value = percent;
        said.textContent = bar.dataset.sentText.split("{percent}").join(
          new Intl.NumberFormat(document.documentElement.lang || "en", { style: "percent" }).format(percent / 100));
      });
      request.addEventListener("load", function () {
        var page = request.responseText || "";
        if (/data-ticket-status/.test(page) && request.responseURL) {
          // Kept: its status page, as a redirect; marked as reached by a Send (static/js/status.js
          // then focuses its heading where autofocus is not followed).
          try { window.sessionStorage.setItem("ticket-portal:sent", request.responseURL); } catch (e) { /* none */ }
          window.location.assign(request.responseURL);
        } else if (/data-ticket-form/.test(page)) {
          // The form came back (errors, a limit): shown as the browser would have shown it.
          document.open();
          document.write(page);
          document.close();
        } else {
          // Anything else (a proxy's error page): the plain way, so the browser shows it as it
          // would and Back still leads to the form; the form's one-time token files it once.
          bar.hidden = true;
          form.submit();
        }
      });
      // The connection failed: the browser sends it the plain way and says what happened.
      request.addEventListener("error", function () { bar.hidden = true; form.submit(); });
      request.open("POST", form.action || window.location.href);
      request.send(data);
    });
  }

  document.querySelectorAll("[data-file-limits]").forEach(init);
})();
