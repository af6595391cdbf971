// A small client of pb's live sessions in a browser: a projector screen and a phone.
//
// Load the Socket.IO client pb serves, then this file, in any page of the site:
//   <script src="/static/vendor/socket.io/socket.io.min.js"></script>
//   <script src="live_client.js"></script>
//   <script>pbLiveExample(location.origin, "ABC234").then(function (lines) { ... });</script>
//
// It joins the session with code ABC234 as a projector screen (no login needed) and as a
// phone, scores the pitch open for scoring with 8, and prints each answer as a line of JSON
// (console.log, and the lines the promise gives): the screen's join, the phone's join, the
// vote's acknowledgement (with its receipt), and the first tally that counts the vote. It
// applies the session's events as docs/realtime.md says: drop any event whose `seq` is not
// larger than the last one applied. The protocol is in docs/live.md.
/* global io */
async function pbLiveExample(url, code, score) {
  "use strict";
  score = score || 8;
  var lines = [];
  function say(what, value) {
    var line = {};
    line[what] = value;
    lines.push(JSON.stringify(line));
    console.log(lines[lines.length - 1]);
  }
  var lastSeq = 0;  // of the events this screen has applied
  function newer(payload) {  // the one ordering rule: only a larger `seq` is newer
    if (payload.seq <= lastSeq) { return false; }
    lastSeq = payload.seq;
    return true;
  }
  var pitch = null;
  var screen = io(url + "/live");
  var counted = new Promise(function (resolve) {
    screen.on("tally", function (tally) {
      if (newer(tally) && pitch !== null && (tally.scored[pitch] || 0) > 0) {
        say("tally", { scored: tally.scored[pitch], paper: tally.paper });
        resolve(true);
      }
    });
  });
  screen.on("state", newer);
  var shown = await screen.timeout(10000).emitWithAck("join", { code: code, role: "screen" });
  if (!shown.ok) { say("screen", shown); screen.close(); return lines; }
  newer(shown.state);  // a join's snapshot is where a client starts
  say("screen", { ok: true, phase: shown.state.phase, scoring: shown.state.scoring });

  var phone = io(url + "/live", { forceNew: true });
  var joined = await phone.timeout(10000).emitWithAck("join", { code: code });
  say("phone", { ok: joined.ok, participant: "participant" in joined });
  if (joined.ok && joined.state.current) {
    pitch = String(joined.state.current.proposal);
    var items = {};
    items[pitch] = score;  // a JSON number: text such as "8" is refused
    var key = Array.from(crypto.getRandomValues(new Uint8Array(12)), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");  // a fresh key per score; sending it again gets the same answer
    var ack = await phone.timeout(10000).emitWithAck("vote", { key: key, items: items });
    say("vote", ack);
    await Promise.race([counted, new Promise(function (r) { setTimeout(r, 10000); })]);
  }
  phone.close();
  screen.close();
  return lines;
}
