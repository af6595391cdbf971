// What the live pages (phone, console, projector) share: the /live connection with its status
// line, the countdown every screen shows alike, and the words read from data- attributes.
(function (global) {
  "use strict";

  function text(root, name, values) {
    var template = root.getAttribute("data-t-" + name) || "";
    return template.replace(/__([A-Z]+)__/g, function (whole, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function phaseLabel(root, phase) {
    return root.getAttribute("data-phase-" + phase) || phase;
  }

  function positionText(root, state) {
    if (!state.current || ["lobby", "closed", "revealed"].indexOf(state.phase) !== -1) { return ""; }
    return text(root, "position", { N: state.position + 1, TOTAL: state.agenda.length });
  }

  function clock(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // Money, written exactly as the server writes it: see static/js/money.js.
  function money(minor, currency, locale) {
    return global.PbMoney(minor, currency, locale);
  }

  // The countdown: from the server's end time and its clock, so every screen shows the same
  // second whatever the device's own clock says. Announced to screen readers only at a few
  // moments (a minute, thirty and ten seconds left, time up), never every second.
  function Countdown(root, element, say) {
    this.root = root;
    this.element = element;
    this.say = say;
    this.offset = 0;
    this.timer = null;
    this.lastSaid = null;
    var self = this;
    global.setInterval(function () { self.tick(); }, 250);
  }

  Countdown.prototype.set = function (state) {
    this.offset = state.server_now - Date.now();
    var before = this.timer;
    this.timer = state.timer;
    if (!before || before.ends !== state.timer.ends || before.left !== state.timer.left) {
      this.lastSaid = null;
    }
    this.tick();
  };

  Countdown.prototype.left = function () {
    var t = this.timer;
    if (!t) { return null; }
    if (t.paused) { return t.left; }
    if (t.ends === null || t.ends === undefined) { return null; }
    return t.ends - (Date.now() + this.offset);
  };

  Countdown.prototype.tick = function () {
    var left = this.left();
    var el = this.element;
    if (!el) { return; }
    var shown = left === null || left === undefined ? "" : clock(left);
    if (el.textContent !== shown) { el.textContent = shown; }
    el.classList.toggle("is-paused", Boolean(this.timer && this.timer.paused));
    el.classList.toggle("is-up", left !== null && left !== undefined && left <= 0);
    el.classList.toggle("is-ending", left !== null && left !== undefined && left > 0 && left <= 30000);
    if (!this.say || left === null || left === undefined || (this.timer && this.timer.paused)) { return; }
    var mark = left <= 0 ? 0 : left <= 10000 ? 10 : left <= 30000 ? 30 : left <= 60000 ? 60 : null;
    if (mark === null || mark === this.lastSaid) { return; }
    if (this.lastSaid === null && mark !== 0 && left < mark * 1000 - 2000) {
      this.lastSaid = mark;  // joined part-way: wait for the next moment worth saying
      return;
    }
    this.lastSaid = mark;
    this.say.textContent = mark === 0 ? text(this.root, "up") :
      mark === 60 ? text(this.root, "left-min", { N: 1 }) : text(this.root, "left-sec", { N: mark });
  };

  // Connect to /live, keep the status line honest, and call `onConnect` on every (re)connection
  // so the page joins again with what it knows.
  function connect(root, onConnect) {
    var status = document.getElementById("connection");
    var socket = global.io("/live", { transports: ["websocket", "polling"] });
    var dropped = false;
    var hideLater = null;
    function show(message, bad) {
      if (!status) { return; }
      global.clearTimeout(hideLater);
      status.textContent = message;
      status.classList.toggle("is-bad", Boolean(bad));
      status.hidden = false;
    }
    socket.on("connect", function () {
      if (dropped) {
        show(text(root, "back"));
        hideLater = global.setTimeout(function () { status.hidden = true; }, 3000);
      } else if (status) {
        status.hidden = true;
      }
      dropped = false;
      onConnect(socket);
    });
    function lost() {
      if (!dropped) { dropped = true; show(text(root, "lost"), true); }
    }
    socket.on("disconnect", lost);
    socket.on("connect_error", lost);
    return socket;
  }

  function newKey() {
    if (global.crypto && typeof global.crypto.randomUUID === "function") {
      return global.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    (global.crypto || global.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function sameAgenda(root, state) {
    var shown = root.getAttribute("data-agenda") || "";
    return shown === state.agenda.map(function (i) { return i.proposal; }).join(",");
  }

  function setText(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== String(value)) { el.textContent = value; }
  }

  // A pitch's title or summary in the page's language when it has it, else as written
  // (pb.domain.languages): {text, lang}, lang being the language the text is written in.
  function shown(item, field) {
    var page = document.documentElement.lang;
    var own = item.lang !== page && item.translations && item.translations[page] &&
      item.translations[page][field];
    return own ? { text: own, lang: page } : { text: item[field] || "", lang: item.lang || "" };
  }

  // Set an element's text, and its lang when that is not the page's language.
  function setShown(id, value, lang) {
    setText(id, value);
    var el = document.getElementById(id);
    if (!el) { return; }
    if (lang && lang !== document.documentElement.lang) { el.setAttribute("lang", lang); }
    else { el.removeAttribute("lang"); }
  }

  // Call `apply` with each `event` newer than the last one applied: `tally` and `questions`
  // carry their own versions, so a late one never overwrites a newer one.
  function follow(socket, event, apply) {
    var version = 0;
    socket.on(event, function (payload) {
      if (payload.version <= version) { return; }
      if (apply(payload) !== false) { version = payload.version; }
    });
  }

  // A question as a list item: its words and up-votes, then `button` (a phone's up-vote, the
  // console's "answered") when there is one. The same markup on every screen.
  function questionItem(root, q, button) {
    var item = document.createElement("li");
    var words = document.createElement("span");
    words.className = "question-text";
    words.textContent = q.text;
    var votes = document.createElement("span");
    votes.className = "question-votes";
    votes.textContent = text(root, "votes", { N: q.votes });
    item.append(words, " ", votes);
    if (button) {
      button.type = "button";
      button.className = "button secondary-button";
      item.append(" ", button);
    }
    return item;
  }

  // Fitting the projector: an element marked data-fit scales its type down (the CSS variable
  // --fit, which its font sizes multiply) until its content fits its box, whatever the length
  // of the titles and questions, so a projector never cuts text off or scrolls. It refits
  // when the window or anything inside changes, except parts marked data-fit-steady (the
  // timer, whose digits keep their width).
  function overflowing(element) {
    return element.scrollHeight > element.clientHeight + 1 ||
      element.scrollWidth > element.clientWidth + 1;
  }

  function fit(element) {
    element.style.setProperty("--fit", "1");
    if (!element.clientHeight || !overflowing(element)) { return; }
    var low = 0.2;
    var high = 1;
    for (var i = 0; i < 9; i++) {
      var middle = (low + high) / 2;
      element.style.setProperty("--fit", String(middle));
      if (overflowing(element)) { high = middle; } else { low = middle; }
    }
    element.style.setProperty("--fit", String(low));
  }

  function fitAll() {
    document.querySelectorAll("[data-fit]").forEach(fit);
  }

  var fitting = false;
  function refit() {
    if (fitting) { return; }
    fitting = true;
    global.requestAnimationFrame(function () { fitting = false; fitAll(); });
  }

  function steady(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    return Boolean(element && element.closest("[data-fit-steady]"));
  }

  if (document.querySelector("[data-fit]")) {
    fitAll();
    global.addEventListener("resize", refit);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(refit); }
    new MutationObserver(function (records) {
      if (records.some(function (record) { return !steady(record.target); })) { refit(); }
    }).observe(document.body, { subtree: true, childList: true, characterData: true,
                                attributes: true, attributeFilter: ["hidden", "class"] });
  }

  global.PbLive = {
    text: text, phaseLabel: phaseLabel, positionText: positionText, clock: clock, money: money,
    fit: fitAll,
    Countdown: Countdown, connect: connect, newKey: newKey, sameAgenda: sameAgenda, setText: setText,
    shown: shown, setShown: setShown,
    follow: follow, questionItem: questionItem
  };
})(window);
