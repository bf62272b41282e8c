/* labelsvc durable scan queue: every scan is written to IndexedDB before it is sent.
 *
 * A record is {seq, scanId, url, fields, code, entry, page, at}; ``seq`` (auto-increment)
 * keeps the order scans were made in, ``scanId`` is made once, here, and sent with every
 * attempt so that the server can answer a repeat with the first outcome. A record is
 * deleted only after the server answered it, so a reload, a click to another page, a
 * closed tab, a server restart or an ended session keeps it. Without IndexedDB (a very
 * old browser, a private window that refuses it) the queue lives in page memory.
 */
(function () {
  "use strict";
  var DB = "labelsvc-scans", STORE = "queue";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function MemoryQueue() { this.rows = []; this.seq = 0; }
  MemoryQueue.prototype.add = function (rec) {
    rec.seq = ++this.seq; this.rows.push(rec); return Promise.resolve(rec);
  };
  MemoryQueue.prototype.all = function () { return Promise.resolve(this.rows.slice()); };
  MemoryQueue.prototype.remove = function (seq) {
    this.rows = this.rows.filter(function (r) { return r.seq !== seq; });
    return Promise.resolve();
  };

  function IdbQueue(db) { this.db = db; }
  IdbQueue.prototype.run = function (mode, work) {
    var db = this.db;
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(STORE, mode), result;
      var req = work(tx.objectStore(STORE));
      if (req) req.onsuccess = function () { result = req.result; };
      tx.oncomplete = function () { resolve(result); };  // durable once committed
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  };
  IdbQueue.prototype.add = function (rec) {
    return this.run("readwrite", function (s) { return s.add(rec); })
      .then(function (seq) { rec.seq = seq; return rec; });
  };
  IdbQueue.prototype.all = function () {
    return this.run("readonly", function (s) { return s.getAll(); });
  };
  IdbQueue.prototype.remove = function (seq) {
    return this.run("readwrite", function (s) { return s["delete"](seq); });
  };

  var opened = null;
  function open() {
    if (opened) return opened;
    opened = new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(new MemoryQueue()); return; }
      var req;
      try { req = indexedDB.open(DB, 1); } catch (e) { resolve(new MemoryQueue()); return; }
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      req.onsuccess = function () { resolve(new IdbQueue(req.result)); };
      req.onerror = req.onblocked = function () { resolve(new MemoryQueue()); };
    });
    return opened;
  }

  window.labelsvcScanQueue = { open: open, newId: newId };
})();
