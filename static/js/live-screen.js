// The projector: join /live as a screen and redraw from each newer `state`, `tally` and
// `questions`. Counts only, never scores, until the facilitator reveals the results; then the
// funded projects appear one by one while the budget bar fills.
(function () {
  "use strict";
  var root = document.getElementById("live-screen");
  if (!root || typeof io !== "function" || !window.PbLive) { return; }
  var L = window.PbLive;
  var code = root.getAttribute("data-code");
  var locale = root.getAttribute("data-locale");
  var countdown = new L.Countdown(root, document.getElementById("s-timer"), null);
  var state = null;
  var version = 0;
  var shownRevealed = root.classList.contains("phase-revealed");
  var revealTimers = [];
  var STEP = 1500;
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !visible; }
  }

  function applyState(s) {
    if (s.version < version) { return; }
    if (!L.sameAgenda(root, s)) { window.location.reload(); return; }
    version = s.version;
    state = s;
    root.className = root.className.replace(/\bphase-\w+/, "phase-" + s.phase);
    var live = ["pitch", "questions", "scoring"].indexOf(s.phase) !== -1;
    var all = s.scoring === "all";
    L.setText("s-phase", L.phaseLabel(root, s.phase));
    show("s-phase", s.phase !== "pitch");
    L.setText("s-position", all ? "" : L.positionText(root, s));
    var title = s.current ? L.shown(s.current, "title") : { text: "", lang: "" };
    var fixed = s.phase === "lobby" || s.phase === "closed" || all;
    L.setShown("s-title", s.phase === "lobby" ? L.text(root, "lobby-title") :
      s.phase === "closed" ? L.text(root, "closed-title") : all ? L.text(root, "all-title") :
      title.text, fixed ? "" : title.lang);
    var prompt = s.phase === "scoring" ? (s.scoring === "all" ? "prompt-scoring-all" : "prompt-scoring") :
      "prompt-" + s.phase;
    L.setText("s-prompt", s.phase === "revealed" ? "" : L.text(root, prompt));
    countdown.set(s);
    show("s-scored-box", live && s.current && !all);
    // The pitch's photo, drawn by the page for every project on the agenda.
    Array.prototype.forEach.call(document.querySelectorAll("#s-photos [data-pid]"), function (img) {
      img.hidden = !(live && !all && s.current && String(s.current.proposal) === img.getAttribute("data-pid"));
    });
    show("s-scored-all-box", all);
    applyCounts(s);
    applyQuestions(s.questions);
    if (s.results_visible && !shownRevealed) {
      shownRevealed = true;
      reveal(s.results || { funded: [] });
    } else if (!s.results_visible && shownRevealed) {
      shownRevealed = false;
      revealTimers.forEach(window.clearTimeout);
      revealTimers = [];
    }
    show("s-live", !s.results_visible);
    show("s-results", s.results_visible);
  }

  function applyCounts(c) {
    L.setText("s-present", c.present);
    L.setText("s-paper", c.paper);
    if (state && state.current) { L.setText("s-scored", c.scored[String(state.current.proposal)] || 0); }
    document.querySelectorAll("#s-scored-all li").forEach(function (item) {
      item.querySelector(".n").textContent = c.scored[item.getAttribute("data-pid")] || 0;
    });
  }

  function applyQuestions(questions) {
    var list = document.getElementById("s-questions");
    list.textContent = "";
    questions.slice(0, 3).forEach(function (q) {
      list.appendChild(L.questionItem(root, q));
    });
    var phase = state ? state.phase : "";
    show("s-questions-box", questions.length > 0 && (phase === "pitch" || phase === "questions"));
  }

  function money(minor, results) { return L.money(minor, results.currency, locale); }

  // Fill the bar from one width to another over a moment (an SVG attribute: no inline styles).
  function grow(fill, from, to) {
    if (calm) { fill.setAttribute("width", to.toFixed(2)); return; }
    var started = null;
    function frame(now) {
      if (started === null) { started = now; }
      var t = Math.min(1, (now - started) / 900);
      fill.setAttribute("width", (from + (to - from) * (1 - Math.pow(1 - t, 3))).toFixed(2));
      if (t < 1) { window.requestAnimationFrame(frame); }
    }
    window.requestAnimationFrame(frame);
  }

  function reveal(results) {
    var list = document.getElementById("s-funded");
    var fill = document.getElementById("s-budget-fill");
    var spentLine = document.getElementById("s-spent");
    var funded = results.funded || [];
    var budget = results.budget || 0;
    // Tonight's result, kept at the reveal: "provisional" while the round votes online too.
    show("s-provisional", Boolean(results.provisional));
    L.setText("s-result-error", results.error || "");
    show("s-result-error", Boolean(results.error));
    list.textContent = "";
    fill.setAttribute("width", "0");
    spentLine.textContent = "";
    var spent = 0;
    funded.forEach(function (project, index) {
      revealTimers.push(window.setTimeout(function () {
        var item = document.createElement("li");
        item.className = "is-new";
        var name = document.createElement("span");
        name.className = "funded-title";
        var shownTitle = L.shown(project, "title");
        name.textContent = shownTitle.text;
        if (shownTitle.lang && shownTitle.lang !== document.documentElement.lang) { name.setAttribute("lang", shownTitle.lang); }
        var cost = document.createElement("span");
        cost.className = "funded-cost";
        cost.textContent = money(project.cost, results);
        item.append(name, " ", cost);
        list.appendChild(item);
        var before = budget ? 100 * spent / budget : 0;
        spent += project.cost;
        grow(fill, before, budget ? Math.min(100, 100 * spent / budget) : 0);
      }, calm ? 0 : STEP * (index + 1)));
    });
    revealTimers.push(window.setTimeout(function () {
      spentLine.textContent = funded.length ? L.text(root, "spent", {
        SPENT: money(spent, results), BUDGET: money(budget, results) }) : L.text(root, "none-funded");
    }, calm ? 0 : STEP * (funded.length + 1)));
  }

  var socket = L.connect(root, function (sock) {
    sock.timeout(10000).emit("join", { code: code, role: "screen" }, function (err, ack) {
      if (err || !ack.ok) { return; }
      version = 0;
      applyState(ack.state);
    });
  });
  socket.on("state", applyState);
  L.follow(socket, "tally", function (t) {
    if (!state) { return false; }
    applyCounts(t);
  });
  L.follow(socket, "questions", function (q) { applyQuestions(q.questions); });

  var full = document.getElementById("fullscreen");
  if (full && document.fullscreenEnabled) {
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
  }
})();
