// A photo being prepared: ask its status every two seconds and show the page again once it
// is ready or has failed. Without this script the "Check again" link does the same.
(function () {
  "use strict";
  var waiting = document.querySelectorAll("[data-picture-status]");
  if (!waiting.length || !window.fetch) { return; }
  var tries = 0;
  function check() {
    tries += 1;
    var asks = Array.prototype.map.call(waiting, function (item) {
      return fetch(item.getAttribute("data-picture-status"), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) { return status && status.state !== "processing"; })
        .catch(function () { return false; });
    });
    Promise.all(asks).then(function (done) {
      if (done.some(Boolean)) { window.location.reload(); return; }
      if (tries < 150) { window.setTimeout(check, 2000); }  // five minutes, then the link
    });
  }
  window.setTimeout(check, 1500);
})();
