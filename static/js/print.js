// Print buttons and forms that must be sent once. The pages work without this script:
// a button with data-print stays hidden, and the browser's own Print command still works.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // A form with data-once ignores a second submit while the first is on its way, so a
  // double click cannot make two batches of codes.
  var forms = document.querySelectorAll("form[data-once]");
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
      form.setAttribute("data-sending", "");
    });
  });
  // Coming back to the page from the history: let the form be sent again.
  window.addEventListener("pageshow", function () {
    forms.forEach(function (form) { form.removeAttribute("data-sending"); });
  });
})();
