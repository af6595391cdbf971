// The facilitator's console: join /live as the console, send each button as a `control`, and
// redraw from every newer `state`, `tally` and `questions`. Without this script the buttons
// post to the server and the page reloads.
(function () {
  "use strict";
  var root = document.getElementById("live-console");
  if (!root || typeof io !== "function" || !window.PbLive) { return; }
  var L = window.PbLive;
  var code = root.getAttribute("data-code");
  var controls = document.getElementById("controls");
  var feedback = document.getElementById("c-feedback");
  var questionsList = document.getElementById("c-questions");
  var countdown = new L.Countdown(root, document.getElementById("c-timer"),
                                  document.getElementById("c-timer-say"));
  var state = null;
  var version = parseInt(root.getAttribute("data-version"), 10) || 0;

  function say(message, bad) {
    feedback.textContent = message;
    feedback.classList.toggle("is-bad", Boolean(bad));
  }

  function applyState(s) {
    if (s.version < version) { return; }
    if (!L.sameAgenda(root, s)) { window.location.reload(); return; }
    version = s.version;
    state = s;
    root.setAttribute("data-version", String(s.version));
    var versionInput = controls.querySelector("input[name=version]");
    if (versionInput) { versionInput.value = String(s.version); }
    L.setText("c-phase", L.phaseLabel(root, s.phase));
    L.setText("c-position", L.positionText(root, s));
    var title = s.phase === "lobby" ? L.text(root, "lobby") : s.phase === "closed" ? L.text(root, "closed") :
      s.phase === "revealed" ? L.text(root, "revealed") : (s.current ? s.current.title : "");
    L.setText("c-title", title);
    countdown.set(s);
    var edit = document.getElementById("c-edit");
    if (edit) { edit.hidden = s.phase !== "lobby"; }
    // Which buttons show, and the usual next step, come with the state (the server's rule).
    var offered = s.controls || [];
    controls.querySelectorAll("button[name=action]").forEach(function (button) {
      button.hidden = offered.indexOf(button.value) === -1;
      button.classList.toggle("is-next", button.value === s.next_control);
    });
    var live = ["lobby", "closed", "revealed"].indexOf(s.phase) === -1;
    document.querySelectorAll("#c-agenda tbody tr").forEach(function (row) {
      var current = live && parseInt(row.getAttribute("data-position"), 10) === s.position;
      row.classList.toggle("is-current", current);
      if (current) { row.setAttribute("aria-current", "step"); } else { row.removeAttribute("aria-current"); }
    });
    applyCounts(s);
    applyQuestions(s.questions);
  }

  function applyCounts(c) {
    var s = state;
    L.setText("c-present", c.present);
    L.setText("c-paper", c.paper);
    var all = !s || !s.current || s.scoring === "all" || ["lobby", "closed", "revealed"].indexOf(s.phase) !== -1;
    var n = 0;
    if (all) {
      Object.keys(c.scored).forEach(function (pid) { n += c.scored[pid]; });
    } else {
      n = c.scored[String(s.current.proposal)] || 0;
    }
    L.setText("c-scored", n);
    L.setText("c-scored-label", L.text(root, all ? "scored-all" : "scored"));
    document.querySelectorAll("#c-agenda tbody tr").forEach(function (row) {
      var pid = row.getAttribute("data-pid");
      var count = c.scored[pid] || 0;
      var total = c.totals ? c.totals[pid] || 0 : null;
      row.querySelector("[data-cell=scored]").textContent = count;
      if (total !== null) {
        row.querySelector("[data-cell=total]").textContent = total;
        var average = row.querySelector("[data-cell=average]");
        if (average) { average.textContent = count ? (total / count).toFixed(1) : "–"; }
      }
    });
  }

  function applyQuestions(questions) {
    questionsList.textContent = "";
    questions.forEach(function (q) {
      var button = document.createElement("button");
      button.setAttribute("data-answer", q.id);
      button.setAttribute("aria-label", L.text(root, "answered-label", { TEXT: q.text }));
      button.textContent = L.text(root, "answered");
      var item = L.questionItem(root, q, button);
      item.setAttribute("data-question", q.id);
      questionsList.appendChild(item);
    });
    document.getElementById("c-no-questions").hidden = questions.length > 0;
  }

  var socket = L.connect(root, function (sock) {
    sock.timeout(10000).emit("join", { code: code, role: "console" }, function (err, ack) {
      if (err) { say(L.text(root, "no-answer"), true); return; }
      if (!ack.ok) { say(ack.error, true); return; }
      version = 0;  // a fresh snapshot after a reconnect is always the one to draw
      applyState(ack.state);
    });
  });
  socket.on("state", applyState);
  L.follow(socket, "tally", function (t) {
    if (!state) { return false; }
    applyCounts(t);
  });
  L.follow(socket, "questions", function (q) { applyQuestions(q.questions); });

  function send(payload, button) {
    if (!socket.connected) { say(L.text(root, "lost"), true); return; }
    say(L.text(root, "sending"));
    if (button) { button.disabled = true; }
    socket.timeout(10000).emit("control", payload, function (err, ack) {
      if (button) { button.disabled = false; }
      if (err) { say(L.text(root, "no-answer"), true); return; }
      if (!ack.ok) { say(L.text(root, "refused", { ERROR: ack.error }), true); return; }
      say(L.text(root, "done"));
    });
  }

  controls.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (!button || !button.value) { return; }
    send({ action: button.value, version: version }, button);
  });
  questionsList.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-answer]");
    if (!button) { return; }
    send({ action: "answer", question: parseInt(button.getAttribute("data-answer"), 10) }, button);
  });
  questionsList.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = event.target.querySelector("input[name=question]");
    if (input) { send({ action: "answer", question: parseInt(input.value, 10) }, event.submitter); }
  });
})();
