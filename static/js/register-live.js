// Keep an open register page up to date: when advice or a response is published, fetch the
// page again (with the same filters) and swap in the new results. The page works without this.
(function () {
  "use strict";
  var results = document.getElementById("register-results");
  var notice = document.getElementById("live-notice");
  if (!results || !notice || typeof io !== "function" || !window.fetch) { return; }
  var lastVersion = 0;
  var pending = null;
  var socket = io({ transports: ["websocket", "polling"] });

  function refresh() {
    pending = null;
    fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .getElementById("register-results");
        if (!fresh) { return; }
        results.innerHTML = fresh.innerHTML;
        notice.textContent = notice.getAttribute("data-message");
        notice.hidden = false;
      })
      .catch(function () { /* the next event or a reload will catch up */ });
  }

  socket.on("connect", function () { socket.emit("watch_register", {}); });
  socket.on("register_changed", function (event) {
    if (event.version <= lastVersion) { return; }
    lastVersion = event.version;
    // Several responses often arrive together: fetch once they have settled.
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(refresh, 300);
  });
})();
