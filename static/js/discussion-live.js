// Show new comments, replies and stance counts on an open proposal page as they are posted.
// Only adds to the lists of comments: forms (and anything half-typed in them) are never
// touched. The page works without this script; comments then appear on reload.
(function () {
  "use strict";
  var section = document.querySelector("[data-discussion]");
  var notice = document.getElementById("discussion-live");
  if (!section || !notice || typeof io !== "function") { return; }
  var proposalId = parseInt(section.getAttribute("data-proposal"), 10);
  var lang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2);
  var lastCounts = 0;
  var socket = io({ transports: ["websocket", "polling"] });

  function announce(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function setCounts(counts, version) {
    if (!counts || version <= lastCounts) { return; }
    lastCounts = version;
    Object.keys(counts).forEach(function (stance) {
      var cell = section.querySelector("[data-count='" + stance + "']");
      if (cell) { cell.textContent = String(counts[stance]); }
    });
  }

  function listFor(parentId) {
    if (!parentId) { return document.getElementById("comment-list"); }
    var existing = document.getElementById("replies-" + parentId);
    if (existing) { return existing; }
    var parent = document.getElementById("comment-" + parentId);
    if (!parent) { return null; }
    var list = document.createElement("ol");
    list.className = "comments replies";
    list.id = "replies-" + parentId;
    parent.appendChild(list);
    return list;
  }

  socket.on("connect", function () {
    socket.emit("watch_proposal", { proposal: proposalId }, function (ack) {
      if (ack && ack.ok) {
        setCounts(ack.counts, 1);
        section.setAttribute("data-live", "on");  // tests and styles may rely on this
      }
    });
  });

  socket.on("comment_added", function (event) {
    if (event.proposal !== proposalId) { return; }
    setCounts(event.counts, event.version);
    if (document.getElementById("comment-" + event.comment)) { return; }  // already shown
    var list = listFor(event.parent);
    var html = event.html[lang] || event.html.en;
    if (!list || !html) { return; }
    // The server rendered and sanitised this fragment with the page's own template.
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var item = holder.content.firstElementChild;
    if (!item) { return; }
    item.classList.add("is-new");
    list.appendChild(item);
    var empty = section.querySelector(".no-comments");
    if (empty) { empty.hidden = true; }
    var author = item.querySelector(".comment-author");
    announce(notice.getAttribute("data-message")
      .replace("__NAME__", author ? author.textContent : ""));
  });

  socket.on("comment_hidden", function (event) {
    if (event.proposal !== proposalId) { return; }
    setCounts(event.counts, event.version);
    var item = document.getElementById("comment-" + event.comment);
    if (!item) { return; }
    var box = item.querySelector(".comment-box");
    var body = box && box.querySelector(".comment-body");
    if (body) {
      var note = document.createElement("p");
      note.className = "hidden-note";
      note.textContent = notice.getAttribute("data-hidden").replace("__REASON__", event.reason);
      body.replaceWith(note);
    }
    item.classList.add("is-hidden");
  });

  socket.on("stance_counts", function (event) {
    if (event.proposal === proposalId) { setCounts(event.counts, event.version); }
  });
})();
