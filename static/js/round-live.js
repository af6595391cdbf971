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
