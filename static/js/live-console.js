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
    if (versionInput) { versionInput.value = String(s.revision); }
    L.setText("c-phase", L.phaseLabel(root, s.phase));
    L.setText("c-position", L.positionText(root, s));
    var title = s.phase === "lobby" ? L.text(root, "lobby") : s.phase === "closed" ? L.text(root, "closed") :
      s.phase === "revealed" ? L.text(root, "revealed") : (s.current ? L.shown(s.current, "title").text : "");
    L.setText("c-title", title);
    countdown.set(s);
    var edit = document.getElementById("c-edit");
    if (edit) { edit.hidden = s.phase !== "lobby"; }
    // The "scoring cannot open" banner follows the round's phase in every state.
    var roundNote = document.getElementById("c-round-note");
    if (roundNote && s.round_phase) {
      roundNote.hidden = s.round_phase === "voting";
      document.getElementById("c-open-voting").hidden = s.round_phase !== "deliberation";
    }
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
    applyResults(s);
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

  // Each question with its buttons: "Approve" while it waits (a moderated session), then
  // "Answered", and "Hide" with the reason typed beside it (the asker sees it; it is logged).
  function applyQuestions(questions) {
    var typed = {};
    questionsList.querySelectorAll("input[name=reason]").forEach(function (input) {
      if (input.value) { typed[input.getAttribute("data-question")] = input.value; }
    });
    questionsList.textContent = "";
    questions.forEach(function (q) {
      var waiting = q.state === "pending";
      var answer = document.createElement("button");
      answer.setAttribute("data-action", "answer");
      answer.setAttribute("aria-label", L.text(root, "answered-label", { TEXT: q.text }));
      answer.textContent = L.text(root, "answered");
      var item = L.questionItem(root, q, answer);
      item.setAttribute("data-question", q.id);
      item.setAttribute("data-state", q.state || "open");
      if (waiting) {
        item.classList.add("is-waiting");
        var tag = document.createElement("span");
        tag.className = "status-tag";
        tag.textContent = L.text(root, "waiting");
        item.prepend(tag, " ");
        var approve = document.createElement("button");
        approve.type = "button";
        approve.className = "button";
        approve.setAttribute("data-action", "approve");
        approve.setAttribute("aria-label", L.text(root, "approve-label", { TEXT: q.text }));
        approve.textContent = L.text(root, "approve");
        item.insertBefore(approve, answer);
        item.insertBefore(document.createTextNode(" "), answer);
      }
      var label = document.createElement("label");
      label.setAttribute("for", "reason-" + q.id);
      label.textContent = L.text(root, "why");
      var reason = document.createElement("input");
      reason.type = "text";
      reason.name = "reason";
      reason.id = "reason-" + q.id;
      reason.maxLength = 200;
      reason.autocomplete = "off";
      reason.setAttribute("data-question", q.id);
      reason.value = typed[String(q.id)] || "";
      var hide = document.createElement("button");
      hide.type = "button";
      hide.className = "button secondary-button";
      hide.setAttribute("data-action", "hide");
      hide.setAttribute("aria-label", L.text(root, "hide-label", { TEXT: q.text }));
      hide.textContent = L.text(root, "hide");
      item.append(" ", label, " ", reason, " ", hide);
      questionsList.appendChild(item);
    });
    document.getElementById("c-no-questions").hidden = questions.length > 0;
  }

  // Tonight's result, once revealed: the funded projects, and "provisional" while the round
  // still takes ballots online.
  function applyResults(s) {
    var results = s.results || {};
    document.getElementById("c-online-note").hidden = s.results_visible ||
      (s.round_phase ? s.round_phase !== "voting" : document.getElementById("c-online-note").hidden);
    document.getElementById("c-result").hidden = !s.results_visible;
    document.getElementById("c-provisional").hidden = !results.provisional;
    var error = document.getElementById("c-result-error");
    error.textContent = results.error || "";
    error.hidden = !results.error;
    var list = document.getElementById("c-funded");
    list.textContent = "";
    (results.funded || []).forEach(function (project) {
      var item = document.createElement("li");
      item.setAttribute("data-id", project.id);
      var name = document.createElement("span");
      name.className = "funded-title";
      var shownTitle = L.shown(project, "title");
      name.textContent = shownTitle.text;
      if (shownTitle.lang && shownTitle.lang !== document.documentElement.lang) { name.setAttribute("lang", shownTitle.lang); }
      var cost = document.createElement("span");
      cost.className = "funded-cost";
      cost.textContent = L.money(project.cost, results.currency, root.getAttribute("data-locale"));
      item.append(name, " ", cost);
      list.appendChild(item);
    });
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
    send({ action: button.value, revision: state ? state.revision : null }, button);
  });
  function moderate(item, action, button) {
    var payload = { action: action, question: parseInt(item.getAttribute("data-question"), 10) };
    if (action === "hide") {
      var reason = item.querySelector("input[name=reason]");
      payload.reason = reason ? reason.value : "";
    }
    send(payload, button);
  }
  questionsList.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    moderate(button.closest("li"), button.getAttribute("data-action"), button);
  });
  questionsList.addEventListener("keydown", function (event) {
    // Enter in a reason hides that question, as it does in the server's form.
    if (event.key !== "Enter" || !event.target.matches("input[name=reason]") || event.target.form) { return; }
    event.preventDefault();
    var item = event.target.closest("li");
    moderate(item, "hide", item.querySelector("button[data-action=hide]"));
  });
  questionsList.addEventListener("submit", function (event) {
    // The question forms drawn by the server: send them over the socket instead.
    event.preventDefault();
    var button = event.submitter;
    if (button && button.value) { moderate(event.target.closest("li"), button.value, button); }
  });
})();
