// A form that must not be posted without a connection (a ballot, its confirmation): while the
// phone is offline a submit stays on the page and says why, instead of the browser's error
// page where the choices could be lost; back online, the note says the form can be sent. The
// form names its note in data-offline-note and carries the two messages in data-offline and
// data-online.
(function () {
  "use strict";
  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    var note = document.getElementById(form.getAttribute("data-offline-note"));
    if (!note) { return; }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }
      event.preventDefault();
      note.textContent = form.getAttribute("data-offline");
      note.hidden = false;
    });
    window.addEventListener("online", function () {
      if (!note.hidden) { note.textContent = form.getAttribute("data-online"); }
    });
  });
}());
