// The phone: join /live with the session code (and the participant token this phone was given
// before, kept in localStorage per code), then score, ask and up-vote over the socket. Without
// this script the same forms post to the server.
(function () {
  "use strict";
  var root = document.getElementById("live-phone");
  if (!root || typeof io !== "function" || !window.PbLive) { return; }
  var L = window.PbLive;
  var code = root.getAttribute("data-code");
  var storeKey = "pb-live:" + code;
  var approval = root.getAttribute("data-method") === "approval";
  var needsLogin = root.getAttribute("data-needs-login") === "true";
  var needsCard = root.getAttribute("data-needs-card") === "true";
  var token = readToken() || root.getAttribute("data-participant") || null;
  var card = null;
  var joined = false;
  var gone = false;
  var state = null;
  var version = 0;
  var mine = {};
  var pending = {};  // per pitch: the score last sent and its idempotency key
  // Scores not yet acknowledged, kept on the phone (across reloads) until the server says so.
  var outbox = window.PbOffline ? window.PbOffline.outbox("pb-live-outbox:" + code) : null;
  var flushing = false;
  var upvoted = {};
  var countdown = new L.Countdown(root, document.getElementById("p-timer"), null);
  var cardBox = document.getElementById("card-box");
  var cardForm = document.getElementById("card-form");
  var askForm = document.getElementById("ask-form");
  var questionsList = document.getElementById("p-questions");
  document.getElementById("refresh").hidden = true;

  function readToken() {
    try { return window.localStorage.getItem(storeKey); } catch (e) { return null; }
  }
  function keepToken(value) {
    try { window.localStorage.setItem(storeKey, value); } catch (e) { /* private mode: memory only */ }
  }

  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !visible; }
  }

  function cardError(message) {
    var box = cardForm.querySelector(".field");
    var input = cardForm.querySelector("input[name=card]");
    var old = cardForm.querySelector(".error-message");
    if (old) { old.remove(); }
    if (!message) { box.classList.remove("field-error"); input.removeAttribute("aria-invalid"); return; }
    var p = document.createElement("p");
    p.className = "error-message";
    p.id = "card-error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    input.before(p);
    box.classList.add("field-error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "card-hint card-error");
    input.focus();
  }

  function join(sock) {
    if (gone || needsLogin) { return; }
    if (needsCard && !token && !card) { cardBox.hidden = false; return; }
    var payload = { code: code, role: "phone" };
    if (token) { payload.participant = token; }
    if (card) { payload.card = card; }
    sock.timeout(10000).emit("join", payload, function (err, ack) {
      if (err) { return; }  // the status line says the connection is down; we join on reconnect
      if (!ack.ok) {
        if (ack.field === "participant" && token) {
          token = null;  // the session does not know this phone's token: join as someone new
          join(sock);
          return;
        }
        if (root.getAttribute("data-access") === "cards" && (card || needsCard || token)) {
          token = null;
          card = null;
          needsCard = true;
          cardBox.hidden = false;
          cardError(ack.error);
          draw();
          return;
        }
        gone = true;
        document.getElementById("gone-text").textContent = L.text(root, "gone", { ERROR: ack.error });
        show("gone", true);
        return;
      }
      joined = true;
      needsCard = false;
      card = null;
      cardBox.hidden = true;
      cardError(null);
      token = ack.participant;
      keepToken(token);
      applyMine(ack.mine);
      version = 0;
      applyState(ack.state);
      flush();
    });
  }

  function applyMine(given) {
    mine = {};
    if (Array.isArray(given)) {
      given.forEach(function (pid) { mine[String(pid)] = 1; });
    } else if (given) {
      Object.keys(given).forEach(function (pid) { mine[pid] = given[pid]; });
    }
    document.querySelectorAll("form.score-form").forEach(function (form) { pressed(form); });
  }

  function pressed(form) {
    var value = mine[form.getAttribute("data-pid")];
    form.querySelectorAll("button[name=score]").forEach(function (button) {
      var on = approval ? (button.value === "1" && Boolean(value)) : parseInt(button.value, 10) === value;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function applyState(s) {
    if (s.version < version) { return; }
    if (!L.sameAgenda(root, s)) { window.location.reload(); return; }
    version = s.version;
    state = s;
    draw();
  }

  function draw() {
    var s = state;
    if (!s) { return; }
    var takesPart = !needsLogin && !needsCard;
    var live = ["pitch", "questions", "scoring"].indexOf(s.phase) !== -1;
    root.className = root.className.replace(/\bphase-\w+/, "phase-" + s.phase);
    var all = s.scoring === "all";
    var pitch = live && s.current && !all;
    L.setText("p-phase", L.phaseLabel(root, s.phase));
    show("p-phase", s.phase !== "pitch");
    L.setText("p-position", all ? "" : L.positionText(root, s));
    var title = pitch ? L.shown(s.current, "title") : { text: "", lang: "" };
    L.setShown("p-title", pitch ? title.text : all ? L.text(root, "all") :
      s.phase === "closed" ? L.text(root, "closed") : L.text(root, "lobby"), title.lang);
    show("p-cost", pitch);
    show("p-summary", pitch);
    if (s.current) {
      L.setText("p-cost", L.text(root, "cost", {
        COST: L.money(s.current.cost, root.getAttribute("data-currency"), root.getAttribute("data-locale")) }));
      var summary = L.shown(s.current, "summary");
      L.setShown("p-summary", summary.text, summary.lang);
    }
    countdown.set(s);
    show("now", s.phase !== "revealed");
    var anyOpen = false;
    document.querySelectorAll("form.score-form").forEach(function (form) {
      var position = parseInt(form.getAttribute("data-position"), 10);
      var open = !s.timer.paused && (s.scoring === "all" || (s.scoring === "current" && position === s.position));
      form.hidden = !open;
      anyOpen = anyOpen || open;
    });
    show("score", takesPart && anyOpen);
    show("questions", takesPart && (s.phase === "pitch" || s.phase === "questions"));
    forgetOldQuestions(s);
    applyQuestions(s.questions);
    drawMine(s.question_states);
    show("results", s.results_visible);
    if (s.results_visible && s.results) { drawResults(s.results); }
  }

  function drawResults(results) {
    show("p-provisional", Boolean(results.provisional));  // tonight's only: the round votes online too
    var list = document.getElementById("p-funded");
    var locale = root.getAttribute("data-locale");
    list.textContent = "";
    var spent = 0;
    (results.funded || []).forEach(function (project) {
      spent += project.cost;
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.className = "funded-title";
      var shownTitle = L.shown(project, "title");
      name.textContent = shownTitle.text;
      if (shownTitle.lang && shownTitle.lang !== document.documentElement.lang) { name.setAttribute("lang", shownTitle.lang); }
      var cost = document.createElement("span");
      cost.className = "funded-cost";
      cost.textContent = L.money(project.cost, results.currency, locale);
      item.append(name, " ", cost);
      list.appendChild(item);
    });
    var fill = document.querySelector("#results .bar-fill");
    if (fill && results.budget) { fill.setAttribute("width", Math.min(100, 100 * spent / results.budget).toFixed(2)); }
    L.setText("p-spent", (results.funded || []).length ? L.text(root, "spent", {
      SPENT: L.money(spent, results.currency, locale), BUDGET: L.money(results.budget, results.currency, locale) })
      : L.text(root, "none-funded"));
  }

  function applyQuestions(questions) {
    questionsList.textContent = "";
    questions.forEach(function (q) {
      var button = document.createElement("button");
      button.setAttribute("data-upvote", q.id);
      button.setAttribute("aria-label", L.text(root, "upvote-label", { TEXT: q.text }));
      button.textContent = L.text(root, upvoted[q.id] ? "upvoted" : "upvote");
      button.disabled = Boolean(upvoted[q.id]);
      questionsList.appendChild(L.questionItem(root, q, button));
    });
    show("p-no-questions", questions.length === 0);
  }

  // This phone's own questions on the pitch on now ({id: text}, kept across reloads), and
  // what became of each: the server's `question_states`, by id, say it (a moderated session
  // holds questions until the facilitator approves them). A new pitch starts afresh, so no
  // "Your question was sent" lingers above the next pitch's empty list.
  var mineKey = "pb-live-questions:" + code;
  var myQuestions = readMine();
  function readMine() {
    try { return JSON.parse(window.localStorage.getItem(mineKey)) || { position: null, asked: {} }; }
    catch (e) { return { position: null, asked: {} }; }
  }
  function keepMine() {
    try { window.localStorage.setItem(mineKey, JSON.stringify(myQuestions)); } catch (e) { /* memory only */ }
  }
  function forgetOldQuestions(s) {
    var position = ["pitch", "questions", "scoring"].indexOf(s.phase) === -1 ? null : s.position;
    if (myQuestions.position === position) { return; }
    if (myQuestions.position !== null || position === null) {
      document.getElementById("ask-result").textContent = "";
    }
    myQuestions = { position: position, asked: {} };
    keepMine();
  }
  function drawMine(states) {
    var list = document.getElementById("p-mine");
    if (!list) { return; }
    var held = root.getAttribute("data-moderated") === "true";
    list.textContent = "";
    Object.keys(myQuestions.asked).forEach(function (id) {
      var known = (states || {})[id] || { state: held ? "waiting" : "shown" };
      var item = document.createElement("li");
      item.setAttribute("data-question", id);
      item.setAttribute("data-state", known.state);
      item.textContent = L.text(root, "mine-" + known.state, { TEXT: myQuestions.asked[id], REASON: known.reason || "" });
      list.appendChild(item);
    });
  }

  var socket = L.connect(root, join);
  socket.on("state", applyState);
  L.follow(socket, "questions", function (q) {
    if (!state) { return false; }
    state.questions = q.questions;
    state.question_states = q.question_states;
    applyQuestions(q.questions);
    drawMine(q.question_states);
  });

  function sendScore(form, value) {
    var pid = form.getAttribute("data-pid");
    var title = form.getAttribute("data-title");
    var result = form.querySelector("[data-result]");
    if (approval && value === 0) {
      result.textContent = L.text(root, mine[pid] ? "kept-support" : "no-support", { TITLE: title });
      return;
    }
    var last = pending[pid] || (outbox && outbox.get(pid));
    // The same score again (a retry) keeps its key, so it is stored once; a new score gets a new key.
    var key = last && last.value === value ? last.key : L.newKey();
    pending[pid] = { value: value, key: key };
    if (!joined || !socket.connected) {
      if (!outbox) { result.textContent = L.text(root, joined ? "retry" : "not-joined"); return; }
      // Kept on the phone; `flush` sends it, with this key, once the phone has joined again.
      outbox.put(pid, { value: value, key: key });
      result.textContent = L.text(root, socket.connected ? "sending" : "saved");
      return;
    }
    transmit(form, value, key, null);
  }

  // Send one score; `done(true)` once the server has answered, `done(false)` when no answer came.
  function transmit(form, value, key, done) {
    var pid = form.getAttribute("data-pid");
    var title = form.getAttribute("data-title");
    var result = form.querySelector("[data-result]");
    // Kept until acknowledged: a lost ack or a reload sends it again with the same key, and the
    // server stores a key once, so the score counts once.
    if (outbox) { outbox.put(pid, { value: value, key: key }); }
    var items = {};
    if (approval) { items = [pid]; } else { items[pid] = value; }
    result.textContent = L.text(root, "sending");
    form.setAttribute("aria-busy", "true");
    socket.timeout(10000).emit("vote", { key: key, items: items }, function (err, ack) {
      form.removeAttribute("aria-busy");
      if (err) {
        result.textContent = L.text(root, outbox ? "saved" : "retry");
        if (outbox && socket.connected) { window.setTimeout(flush, 5000); }  // slow, not gone
        if (done) { done(false); }
        return;
      }
      if (outbox) { outbox.remove(pid, key); }  // answered: never sent again
      if (!ack.ok) {
        result.textContent = L.text(root, "refused", { ERROR: ack.error });
        if (done) {  // kept while offline: its pitch may have closed and its form gone, so say it above
          L.setText("p-unsent", L.text(root, "unsent", { TITLE: title, ERROR: ack.error }));
          show("p-unsent", true);
        }
      } else {
        mine[pid] = value;
        pressed(form);
        var parts = L.text(root, approval ? "done-support" : "done-score",
                           { SCORE: value, TITLE: title }).split("__RECEIPT__");
        var receipt = document.createElement("span");
        receipt.className = "receipt-code";
        receipt.textContent = ack.receipt;
        result.textContent = parts[0];
        result.append(receipt, parts.slice(1).join(""));
      }
      if (done) { done(true); }
    });
  }

  function scoreForm(pid) {
    var found = null;
    document.querySelectorAll("form.score-form").forEach(function (form) {
      if (form.getAttribute("data-pid") === pid) { found = form; }
    });
    return found;
  }

  // Send the scores kept on the phone, one after another (each merges into the same ballot).
  function flush() {
    if (!outbox || flushing || !joined || !socket.connected) { return; }
    var entries = outbox.all();
    var pid = Object.keys(entries)[0];
    if (pid === undefined) { return; }
    var entry = entries[pid];
    var form = scoreForm(pid);
    if (!form || typeof entry.value !== "number" || typeof entry.key !== "string") {
      outbox.remove(pid, entry.key);  // not tonight's pitch any more, or not ours to read
      flush();
      return;
    }
    flushing = true;
    pending[pid] = { value: entry.value, key: entry.key };
    transmit(form, entry.value, entry.key, function (answered) {
      flushing = false;
      if (answered) { flush(); }
    });
  }

  if (outbox) {  // kept from before a reload: say so until it is sent
    var waiting = outbox.all();
    Object.keys(waiting).forEach(function (pid) {
      var form = scoreForm(pid);
      if (form && waiting[pid] && typeof waiting[pid].key === "string") {
        pending[pid] = waiting[pid];
        form.querySelector("[data-result]").textContent = L.text(root, "saved");
      }
    });
  }

  document.querySelectorAll("form.score-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (event.submitter) { sendScore(form, parseInt(event.submitter.value, 10)); }
    });
  });

  cardForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = cardForm.querySelector("input[name=card]").value.trim();
    if (!value) { cardError(cardForm.getAttribute("data-empty")); return; }
    card = value;
    if (socket.connected) { join(socket); }
  });

  askForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = askForm.querySelector("textarea");
    var status = document.getElementById("ask-result");
    if (!socket.connected) { status.textContent = L.text(root, "lost"); return; }
    status.textContent = L.text(root, "sending");
    socket.timeout(10000).emit("ask", { text: box.value }, function (err, ack) {
      if (err) { status.textContent = L.text(root, "lost"); return; }
      if (!ack.ok) { status.textContent = ack.error; return; }
      myQuestions.asked[String(ack.question)] = box.value.trim();
      keepMine();
      box.value = "";
      status.textContent = L.text(root, root.getAttribute("data-moderated") === "true" ? "asked-held" : "asked");
      drawMine(state ? state.question_states : null);
    });
  });

  function upvote(button, id) {
    if (!socket.connected || upvoted[id]) { return; }
    // Marked before sending: the `questions` event with the new count may come before the ack.
    upvoted[id] = true;
    button.disabled = true;
    button.textContent = L.text(root, "upvoted");
    socket.timeout(10000).emit("upvote", { question: id }, function (err) {
      if (err) {  // not heard: let the person try again
        delete upvoted[id];
        if (state) { applyQuestions(state.questions); }
      }
    });
  }
  questionsList.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-upvote]");
    if (button) { upvote(button, parseInt(button.getAttribute("data-upvote"), 10)); }
  });
  questionsList.addEventListener("submit", function (event) {
    // Up-vote forms drawn by the server: send them over the socket instead.
    event.preventDefault();
    var input = event.target.querySelector("input[name=question]");
    var button = event.target.querySelector("button");
    if (input && button) { upvote(button, parseInt(input.value, 10)); }
  });
})();
