/* A form that came back asking the browser to show it is not a robot, with nothing else to
   correct: the widget solves the challenge as the page loads, and this sends the form again once
   it is solved, as the person already asked by pressing Send. No dependencies. */
(function () {
  "use strict";
  document.querySelectorAll("altcha-widget[data-send-when-verified]").forEach(function (widget) {
    widget.addEventListener("verified", function () {
      var form = widget.closest("form");
      if (form && form.requestSubmit) form.requestSubmit();
      else if (form) form.submit();
    }, { once: true });
  });
})();
