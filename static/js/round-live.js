// Tell someone reading a round page when the round moves to another phase.
// The page works without this script; it only adds the live notice.
(function () {
  "use strict";
  var article = document.querySelector("[data-round]");
  var notice = document.getElementById("live-notice");
  if (!article || !notice || typeof io !== "function") { return; }
  var roundId = parseInt(article.getAttribute("data-round"), 10);
  var shownPhase = article.getAttribute("data-phase");
  var lastVersion = 0;
  var socket = io({ transports: ["websocket", "polling"] });

  socket.on("connect", function () {
    socket.emit("watch", { round: roundId });
  });
  socket.on("round_phase", function (event) {
    if (event.round !== roundId || event.version <= lastVersion) { return; }
    lastVersion = event.version;
    if (event.phase === shownPhase) { notice.hidden = true; return; }
    var label = notice.getAttribute("data-label-" + event.phase) || event.phase;
    notice.textContent = notice.getAttribute("data-template").replace("__PHASE__", label);
    notice.hidden = false;
  });
})();

// Running totals, in rounds that show them while voting is open.
(function () {
  "use strict";
  var section = document.getElementById("running-totals");
  var article = document.querySelector("[data-round]");
  if (!section || !article || typeof io !== "function") { return; }
  var roundId = parseInt(article.getAttribute("data-round"), 10);
  var list = section.querySelector(".totals");
  var count = document.getElementById("totals-ballots");
  var lastVersion = 0;
  var socket = io({ transports: ["websocket", "polling"] });
  socket.on("connect", function () { socket.emit("watch", { round: roundId }); });
  socket.on("round_totals", function (event) {
    if (event.round !== roundId || event.version <= lastVersion) { return; }
    lastVersion = event.version;
    count.textContent = count.getAttribute("data-template").replace("__N__", event.ballots);
    var most = 1;
    Object.keys(event.support).forEach(function (k) { most = Math.max(most, event.support[k]); });
    list.querySelectorAll("li[data-project]").forEach(function (item) {
      var n = event.support[item.getAttribute("data-project")] || 0;
      item.querySelector(".total-value").textContent = n;
      item.querySelector(".bar-fill").setAttribute("width", (100 * n / most).toFixed(2));
    });
  });
})();
