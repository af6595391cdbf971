// What a phone has still to send, kept on the phone until the server acknowledges it: a score
// tapped while the hall's Wi-Fi is down survives a reload and is sent, with the same
// idempotency key, when the connection returns. localStorage rather than IndexedDB: a write is
// finished before the tap's handler returns, so nothing is lost if the page is closed at once,
// and the entries are a few dozen bytes. Private modes without storage keep them in memory.
(function (global) {
  "use strict";

  function Outbox(name) {
    this.name = name;
    this.memory = {};
  }

  Outbox.prototype.all = function () {
    try {
      var kept = JSON.parse(global.localStorage.getItem(this.name) || "{}");
      return kept && typeof kept === "object" && !Array.isArray(kept) ? kept : {};
    } catch (e) {
      return this.memory;
    }
  };

  Outbox.prototype.save = function (entries) {
    this.memory = entries;
    try {
      if (Object.keys(entries).length) {
        global.localStorage.setItem(this.name, JSON.stringify(entries));
      } else {
        global.localStorage.removeItem(this.name);
      }
    } catch (e) { /* no storage: the memory copy still sends it while the page is open */ }
  };

  Outbox.prototype.get = function (id) {
    var entry = this.all()[id];
    return entry && typeof entry.key === "string" ? entry : null;
  };

  // Keep `entry` ({value, key}) for `id`, replacing what was waiting for it.
  Outbox.prototype.put = function (id, entry) {
    var entries = this.all();
    entries[id] = entry;
    this.save(entries);
  };

  // Forget what was waiting for `id`, but only if it is still the entry sent with `key`: a
  // newer score tapped while the older one was on its way stays to be sent.
  Outbox.prototype.remove = function (id, key) {
    var entries = this.all();
    if (entries[id] && entries[id].key === key) {
      delete entries[id];
      this.save(entries);
    }
  };

  global.PbOffline = { outbox: function (name) { return new Outbox(name); } };
})(window);
