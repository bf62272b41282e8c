/* labelsvc scan box: keyboard-wedge scanners and people typing, one request at a time.
 *
 * A wedge scanner "types" a code fast and ends it with Enter (or Tab). Each finished code
 * goes into a queue; the queue sends one POST at a time, in order, and a scan that arrives
 * while a request is in flight waits its turn: nothing is lost, nothing is sent twice.
 * GS (ASCII 29) arrives as an inserted character, as Ctrl+] (what many scanners send for
 * it), or as the configured substitute (<body data-gs-substitute>); all become GS here.
 * The box takes the focus back when it loses it to something that is not a form field.
 * No page reload: the answer (a partial with data-outcome="ok|reject") is swapped in with
 * htmx, announced in the aria-live region and confirmed with a beep.
 */
(function () {
  "use strict";
  var GS = "\u001d";
  var RETRY_MS = 1000;
  var KEEP_RESULTS = 60;
  var SCANNER_MS = 35; // a wedge scanner types faster than this per key; people do not
  var audio = null;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = ok ? [[880, 0, 0.08]] : [[220, 0, 0.18], [180, 0.22, 0.3]];
      tones.forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = t[0];
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + t[1]);
        osc.stop(audio.currentTime + t[2]);
      });
    } catch (e) { /* no sound device: the colour and the announcement still tell */ }
  }

  function isField(el) {
    if (!el || el === document.body) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function isControl(el) {
    return isField(el) || (el && (el.tagName === "BUTTON" || el.tagName === "A" ||
      el.tagName === "SUMMARY"));
  }

  function ScanBox(box) {
    this.box = box;
    this.form = box.form;
    this.url = box.getAttribute("data-scan-url") || (this.form && this.form.action);
    this.target = document.querySelector(box.getAttribute("data-scan-target") || "#scan-results");
    this.pending = document.querySelector(box.getAttribute("data-scan-pending") || "#scan-pending");
    this.announce = document.getElementById("announce");
    this.substitute = document.body.getAttribute("data-gs-substitute") || "";
    this.queue = [];
    this.busy = false;
    this.seq = 0;
    this.started = null;
    this.keys = 0;
    this.last = 0;
    this.client = Math.random().toString(36).slice(2, 10);
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
    // A scan that starts while focus is on a button or the page goes to the box.
    document.addEventListener("keydown", function (e) {
      if (e.target === box || isField(e.target)) return;
      if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) box.focus();
    }, true);
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
    if (this.substitute) text = text.split(this.substitute).join(GS);
    return text.trim() ? text : "";
  };

  ScanBox.prototype.entry = function (code) {
    // "scan" when it came with a symbology identifier or at scanner speed, else "typed"
    if (code.charAt(0) === "]") return "scan";
    var span = this.last - (this.started || this.last);
    return this.keys > 3 && span / (this.keys - 1) < SCANNER_MS ? "scan" : "typed";
  };

  ScanBox.prototype.finish = function () {
    var code = this.clean(this.box.value);
    var entry = this.entry(code);
    this.box.value = "";
    this.started = null;
    if (!code) return;
    this.queue.push({ id: ++this.seq, code: code, entry: entry, tries: 0 });
    this.show();
    this.pump();
  };

  ScanBox.prototype.show = function () {
    var waiting = this.queue.length;
    this.box.setAttribute("data-pending", String(waiting));
    if (this.pending) this.pending.textContent = waiting ? waiting + " scan(s) waiting" : "";
  };

  ScanBox.prototype.body = function (item) {
    var data = this.form ? new FormData(this.form) : new FormData();
    data.set(this.box.name || "code", item.code);
    data.set("scan_id", this.client + "-" + item.id);
    data.set("entry", item.entry);
    return new URLSearchParams(data);
  };

  ScanBox.prototype.pump = function () {
    var self = this;
    if (this.busy || !this.queue.length) return;
    this.busy = true;
    var item = this.queue[0];
    item.tries += 1;
    var headers = { "HX-Request": "true", "X-CSRFToken": csrfToken() };
    fetch(this.url, { method: "POST", headers: headers, body: this.body(item),
                      credentials: "same-origin" })
      .then(function (resp) {
        var redirect = resp.headers.get("HX-Redirect");
        if (redirect) { window.location.href = redirect; throw new Error("login"); }
        return resp.text().then(function (html) { return [resp.status, html]; });
      })
      .then(function (answer) {
        self.queue.shift();
        if (answer[0] >= 500) {
          self.render(failed(item.code, "the server failed (" + answer[0] + "); scan again"));
        } else {
          self.render(answer[1]);
        }
        self.busy = false;
        self.show();
        self.pump();
      })
      .catch(function () {
        // Offline or the connection dropped: keep the scan first in line and try again.
        self.busy = false;
        if (self.pending) self.pending.textContent = "connection lost; " +
          self.queue.length + " scan(s) kept and retrying";
        window.setTimeout(function () { self.pump(); }, RETRY_MS);
      });
  };

  ScanBox.prototype.render = function (html) {
    var before = this.target.firstElementChild;
    htmx.swap(this.target, html, { swapStyle: "afterbegin", swapDelay: 0, settleDelay: 0 });
    var outcome = this.target.firstElementChild;
    if (outcome && outcome !== before && outcome.hasAttribute("data-outcome")) {
      var ok = outcome.getAttribute("data-outcome") === "ok";
      if (this.announce) this.announce.textContent = outcome.getAttribute("data-say") ||
        outcome.textContent.trim();
      beep(ok);
      document.body.setAttribute("data-last-outcome", ok ? "ok" : "reject");
    }
    while (this.target.children.length > KEEP_RESULTS) this.target.lastElementChild.remove();
    this.reclaim();
  };

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
      if (!box.scanBox) box.scanBox = new ScanBox(box);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:load", start);
})();
