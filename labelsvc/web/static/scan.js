/* labelsvc scan stations: keyboard-wedge scanners and people typing, wherever the focus is.
 *
 * A wedge scanner "types" a code fast and ends it with Enter (or Tab). A burst of keys at
 * scanner speed (or one that starts with a symbology identifier such as "]d2") is a scan
 * wherever the focus is: typed into a reason or count field, its characters are taken back
 * out of that field and the scan goes to the page's scan box, and the Enter that ends it
 * never submits that field's form. People typing (slower than SCANNER_MS per key) are left
 * alone, and so is the "paste" of a test's fill().
 * Each finished code is stored in the durable queue (scan-queue.js) before it is sent; the
 * sender posts one at a time, in order, with the scan_id the record got when it was stored.
 * GS (ASCII 29) arrives as an inserted character, as Ctrl+] (what many scanners send for
 * it), or as the configured substitute (<body data-gs-substitute>); all become GS here.
 * The answer (a partial with data-outcome="ok|warn|reject") is swapped in with htmx,
 * announced in the aria-live region and confirmed with a sound.
 */
(function () {
  "use strict";
  var GS = "\u001d";
  var RETRY_MS = 1000;
  var KEEP_RESULTS = 60;
  var SCANNER_MS = 35; // a wedge scanner types faster than this per key; people do not
  var MIN_BURST = 4; // keys at scanner speed before a burst counts as a scan
  var GAP_MAX = 70; // one late key (a busy workstation) does not end a burst
  var ENTER_MS = 120; // the Enter of a scan follows its last character within this
  var HELD_MS = 1000; // a burst known to be a scan keeps its field until its Enter, this long
  var sender = null;

  function beep(kind) { window.labelsvcBeep(kind); } // station.js

  function isField(el) {
    if (!el || el === document.body) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function isControl(el) {
    return isField(el) || (el && (el.tagName === "BUTTON" || el.tagName === "A" ||
      el.tagName === "SUMMARY"));
  }

  function pageBox() {
    var found = document.querySelector("input[data-scan]");
    return found && found.scanBox && document.body.contains(found) ? found.scanBox : null;
  }

  /* ---- a scanner burst in any other field ------------------------------------------ */

  var burst = null; // {field, value, text, count, last, diverted, typed}

  function restore(field, value) {
    try { field.value = value; } catch (e) { /* a file input: nothing was typed into it */ }
  }

  function scanLike(b, prefix) {
    if (prefix && b.text.slice(0, prefix.length) === prefix) return true; // the station's own
    if (b.count >= 2 && /^\][A-Za-z]/.test(b.text)) return true; // a symbology identifier
    return b.count >= MIN_BURST && (b.last - b.first) / (b.count - 1) < SCANNER_MS;
  }

  /** Keep a scan's characters until its Enter; a scanner that sends none is done after HELD_MS. */
  function hold(b, box) {
    window.clearTimeout(b.timer);
    b.timer = window.setTimeout(function () {
      if (burst === b) { burst = null; box.take(b.text, "scan"); }
    }, HELD_MS);
  }

  function onKeydown(e) {
    var box = pageBox();
    if (!box || e.target === box.box) return;
    var now = performance.now(), target = e.target;
    if (e.key === "Enter" || e.key === "Tab") {
      var b = burst;
      burst = null;
      if (b) window.clearTimeout(b.timer);
      if (b && b.field === target &&
          ((b.diverted && now - b.last < HELD_MS) ||
           (now - b.last < ENTER_MS && scanLike(b, box.prefix)))) {
        e.preventDefault();
        e.stopImmediatePropagation();
        if (!b.diverted) restore(b.field, b.value);
        box.take(b.text, "scan");
      }
      return;
    }
    if (e.ctrlKey && (e.key === "]" || e.code === "BracketRight")) {
      if (burst && burst.field === target && burst.diverted) {
        e.preventDefault();
        burst.text += GS;
        burst.last = now;
        hold(burst, box);
      }
      return;
    }
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) return;
    if (!isField(target)) { box.box.focus(); return; } // the key lands in the scan box
    var gap = burst && burst.diverted ? HELD_MS : GAP_MAX; // a known scan may lag
    if (!burst || burst.field !== target || now - burst.last > gap) {
      burst = { field: target, value: target.value, text: "", count: 0, first: now, last: now,
                diverted: false, typed: false };
    }
    burst.text += e.key;
    burst.count += 1;
    burst.last = now;
    burst.typed = false;
    if (burst.diverted) { e.preventDefault(); hold(burst, box); return; }
    if (scanLike(burst, box.prefix)) {
      e.preventDefault();
      restore(target, burst.value); // take the first characters back out of the field
      burst.diverted = true;
      target.setAttribute("data-scan-diverted", "yes");
      hold(burst, box);
      return;
    }
    burst.typed = true; // the key goes through: its beforeinput carries the same character
  }

  function onBeforeInput(e) {
    var box = pageBox();
    if (!box || e.target === box.box || e.inputType !== "insertText") return;
    var fresh = !burst || e.target !== burst.field ||
      performance.now() - burst.last > (burst.diverted ? HELD_MS : GAP_MAX);
    if (fresh && box.prefix && (e.data || "").indexOf(box.prefix) === 0 && isField(e.target)) {
      // The station's scanner prefix, sent as text (no key): a scan from its first character.
      e.preventDefault();
      burst = { field: e.target, value: e.target.value, text: e.data, count: 1,
                first: performance.now(), last: performance.now(), diverted: true,
                typed: false };
      hold(burst, box);
      return;
    }
    if (!burst || e.target !== burst.field) return;
    if (burst.typed) { burst.typed = false; return; }
    // A character without a key (GS sent by the scanner as text): part of the burst.
    if (performance.now() - burst.last > (burst.diverted ? HELD_MS : GAP_MAX)) return;
    burst.text += e.data || "";
    burst.last = performance.now();
    if (burst.diverted) { e.preventDefault(); hold(burst, box); }
  }

  document.addEventListener("keydown", onKeydown, true);
  document.addEventListener("beforeinput", onBeforeInput, true);

  /* ---- the scan box ------------------------------------------------------------------ */

  function ScanBox(box) {
    this.box = box;
    this.form = box.form;
    this.mode = box.getAttribute("data-scan-mode") || "queue";
    this.url = box.getAttribute("data-scan-url") || (this.form && this.form.action);
    this.substitute = document.body.getAttribute("data-gs-substitute") || "";
    this.prefix = box.getAttribute("data-scan-prefix") || ""; // from the scanner check
    this.started = null;
    this.keys = 0;
    this.last = 0;
    this.bind();
    box.focus();
  }

  ScanBox.prototype.bind = function () {
    var self = this, box = this.box;
    box.addEventListener("input", function () {
      var now = Date.now();
      if (!box.value || self.started === null) { self.started = now; self.keys = 0; }
      self.keys += 1;
      self.last = now;
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || (e.key === "Tab" && box.value !== "")) {
        e.preventDefault();
        self.finish();
      } else if (e.ctrlKey && (e.key === "]" || e.code === "BracketRight")) {
        e.preventDefault(); // the scanner's GS, typed as Ctrl+]
        box.setRangeText(GS, box.selectionStart, box.selectionEnd, "end");
      }
    });
    if (this.form) {
      this.form.addEventListener("submit", function (e) { e.preventDefault(); self.finish(); });
    }
    box.addEventListener("blur", function () {
      window.setTimeout(function () { self.reclaim(); }, 0);
    });
    document.addEventListener("click", function (e) {
      if (!isControl(e.target) && !e.target.closest("label, details, dialog")) self.reclaim();
    });
    document.body.addEventListener("htmx:afterSettle", function () { self.reclaim(); });
  };

  ScanBox.prototype.reclaim = function () {
    var active = document.activeElement;
    if (!document.body.contains(this.box)) return;
    if (!active || active === document.body || !isControl(active)) this.box.focus();
  };

  ScanBox.prototype.clean = function (raw) {
    var text = raw.replace(/[\r\n\t]/g, "");
    if (this.prefix && text.indexOf(this.prefix) === 0) text = text.slice(this.prefix.length);
    if (this.substitute) text = text.split(this.substitute).join(GS);
    return text.trim() ? text : "";
  };

  ScanBox.prototype.entry = function (code) {
    // "scan" when it came with a symbology identifier or at scanner speed, else "typed"
    if (code.charAt(0) === "]") return "scan";
    if (this.prefix && code.indexOf(this.prefix) === 0) return "scan";
    var span = this.last - (this.started || this.last);
    return this.keys > 3 && span / (this.keys - 1) < SCANNER_MS ? "scan" : "typed";
  };

  ScanBox.prototype.finish = function () {
    var raw = this.box.value;
    var entry = this.entry(raw);
    this.box.value = "";
    this.started = null;
    this.take(raw, entry);
  };

  /** A finished code, from this box or diverted from another field. */
  ScanBox.prototype.take = function (raw, entry) {
    var code = this.clean(raw);
    this.box.value = "";
    this.box.focus();
    if (!code) return;
    if (this.mode === "lookup") { this.lookup(code); return; }
    sender.add(this, code, entry);
  };

  ScanBox.prototype.lookup = function (code) {
    var url = this.url + "?q=" + encodeURIComponent(code);
    var target = this.box.getAttribute("data-scan-target") || "#trace-result";
    htmx.ajax("GET", url, { target: target, swap: "innerHTML" });
    history.replaceState(null, "", url);
  };

  ScanBox.prototype.fields = function (code, entry) {
    var data = this.form ? new FormData(this.form) : new FormData();
    var out = {};
    data.forEach(function (value, key) { if (key !== "csrf_token") out[key] = String(value); });
    out[this.box.name || "code"] = code;
    out.entry = entry;
    // What the page showed when the scan was made (the open case), for a scan kept past a
    // session's end: <input data-scan-context="#current[data-state=open]">
    var context = document.querySelector(this.box.getAttribute("data-scan-context") || "x-none");
    if (context && context.dataset.sscc) out.container = context.dataset.sscc;
    return out;
  };

  /* ---- the sender: one request at a time, in the order scans were stored -------------- */

  function Sender(box) {
    this.box = box;
    this.target = document.querySelector(box.box.getAttribute("data-scan-target") ||
                                          "#scan-results");
    this.pending = document.querySelector(box.box.getAttribute("data-scan-pending") ||
                                          "#scan-pending");
    this.announce = document.getElementById("announce");
    this.waiting = 0;
    this.storing = 0; // scans being written to the queue right now
    this.busy = false;
    this.stopped = false;
    this.queue = null;
    this.adding = Promise.resolve();
    var self = this;
    box.box.setAttribute("data-pending", "loading");
    window.labelsvcScanQueue.open().then(function (queue) {
      self.queue = queue;
      return queue.all();
    }).then(function (rows) {
      self.waiting = rows.length;
      self.show();
      self.pump();
    });
    window.addEventListener("beforeunload", function (e) {
      if (self.waiting > 0) { e.preventDefault(); e.returnValue = ""; }
    });
    window.addEventListener("online", function () { self.pump(); });
  }

  Sender.prototype.add = function (box, code, entry) {
    var self = this;
    var rec = { scanId: window.labelsvcScanQueue.newId(), url: box.url, code: code,
                entry: entry, fields: box.fields(code, entry), page: location.pathname,
                at: new Date().toISOString() };
    this.waiting += 1;
    this.storing += 1;
    this.show();
    this.adding = this.adding.then(function () {
      return window.labelsvcScanQueue.open();
    }).then(function (queue) { return queue.add(rec); })
      .then(function () { self.storing -= 1; self.pump(); });
  };

  Sender.prototype.show = function (note) {
    var n = this.waiting;
    this.box.box.setAttribute("data-pending", String(n));
    if (!this.pending) return;
    this.pending.textContent = note || (n ? n + " scan(s) waiting" : "");
    var panel = document.getElementById("session-panel");
    if (panel) panel.querySelector(".kept").textContent = String(n);
  };

  Sender.prototype.pump = function () {
    var self = this;
    if (this.busy || this.stopped || !this.queue) return;
    this.busy = true;
    this.queue.all().then(function (rows) {
      self.waiting = rows.length + self.storing;
      if (!rows.length) { self.busy = false; self.show(); return null; }
      return self.send(rows[0]);
    }).catch(function () { self.busy = false; });
  };

  Sender.prototype.send = function (rec) {
    var self = this;
    var body = new URLSearchParams(rec.fields);
    body.set("scan_id", rec.scanId);
    var headers = { "HX-Request": "true", "X-CSRFToken": csrfToken(),
                    "X-Scan-Page": location.pathname };
    return fetch(rec.url, { method: "POST", headers: headers, body: body,
                            credentials: "same-origin" })
      .then(function (resp) {
        return resp.text().then(function (html) { return [resp.status, html, resp]; });
      })
      .then(function (answer) {
        var status = answer[0];
        if (status === 401 || answer[2].headers.get("X-Session-Ended")) {
          self.busy = false;
          self.sessionEnded();
          return;
        }
        if (status === 502 || status === 503 || status === 504) throw new Error("busy");
        return self.queue.remove(rec.seq).then(function () {
          self.waiting = Math.max(self.waiting - 1, 0);
          if (status >= 500) {
            self.render(failed(rec.code, "the server failed (" + status + "); scan it again"),
                        true);
          } else {
            self.render(answer[1], rec.page === location.pathname && rec.url === self.box.url);
          }
          self.busy = false;
          self.show();
          self.pump();
        });
      })
      .catch(function () {
        // Offline, the server is down or the answer was lost: the scan stays first in line
        // and is sent again with the same scan_id (the server answers a repeat once).
        self.busy = false;
        self.show("connection lost; " + self.waiting + " scan(s) kept and retrying");
        window.setTimeout(function () { self.pump(); }, RETRY_MS);
      });
  };

  Sender.prototype.sessionEnded = function () {
    this.stopped = true;
    var panel = document.getElementById("session-panel");
    if (!panel) {
      panel = document.createElement("div");
      panel.id = "session-panel";
      panel.className = "session-panel";
      panel.setAttribute("role", "alert");
      var next = encodeURIComponent(location.pathname + location.search);
      panel.innerHTML = '<p><strong>Log in again:</strong> <span class="kept"></span> ' +
        "scan(s) kept. They are sent once you are logged in.</p>" +
        '<a class="button" id="login-again" href="/login?next=' + next + '">Log in again</a>';
      var main = document.getElementById("main") || document.body;
      main.insertBefore(panel, main.firstChild);
      beep("alarm");
      if (this.announce) this.announce.textContent = "Session ended. Log in again: " +
        this.waiting + " scans kept.";
    }
    this.show("session ended; " + this.waiting + " scan(s) kept");
  };

  Sender.prototype.render = function (html, here) {
    if (!here) html = summary(html); // another page's answer: its outcome line only
    var before = this.target.firstElementChild;
    htmx.swap(this.target, html, { swapStyle: "afterbegin", swapDelay: 0, settleDelay: 0 });
    var outcome = this.target.firstElementChild;
    if (outcome && outcome !== before && outcome.hasAttribute("data-outcome")) {
      var kind = outcome.getAttribute("data-outcome");
      if (this.announce) this.announce.textContent = outcome.getAttribute("data-say") ||
        outcome.textContent.trim();
      beep(kind === "ok" ? "ok" : kind === "warn" ? "warn" : "reject");
      document.body.setAttribute("data-last-outcome", kind);
    }
    while (this.target.children.length > KEEP_RESULTS) this.target.lastElementChild.remove();
    this.box.reclaim();
  };

  function summary(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var first = holder.querySelector("[data-outcome]");
    return first ? first.outerHTML : "";
  }

  function failed(code, why) {
    var div = document.createElement("div");
    div.className = "outcome reject";
    div.setAttribute("data-outcome", "reject");
    div.textContent = code.split(GS).join("<GS>") + ": " + why;
    return div.outerHTML;
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  function start() {
    document.querySelectorAll("input[data-scan]").forEach(function (box) {
      if (box.scanBox) return;
      box.scanBox = new ScanBox(box);
      if (!sender && box.scanBox.mode === "queue") sender = new Sender(box.scanBox);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:load", start);
})();
