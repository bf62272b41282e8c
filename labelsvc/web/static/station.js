/* labelsvc station pages: sounds, questions before irreversible actions, buttons that name
 * their input's value, and the alarm of a print job that waits for a person.
 * Loaded before scan.js, which plays its outcome sounds through window.labelsvcBeep.
 */
(function () {
  "use strict";
  var audio = null;

  var TONES = {
    ok: [["sine", 880, 0, 0.08]],
    warn: [["triangle", 660, 0, 0.12], ["triangle", 520, 0.16, 0.3]],
    reject: [["square", 220, 0, 0.18], ["square", 180, 0.22, 0.3]],
    alarm: [["square", 300, 0, 0.2], ["square", 300, 0.3, 0.5], ["square", 300, 0.6, 0.8]],
  };

  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      (TONES[kind] || TONES.reject).forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = t[0];
        osc.frequency.value = t[1];
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + t[2]);
        osc.stop(audio.currentTime + t[3]);
      });
    } catch (e) { /* no sound device: the colour and the announcement still tell */ }
    document.body.setAttribute("data-last-sound", kind);
  }
  window.labelsvcBeep = beep;

  /* Actions that cannot be undone (recall, void, revoke, disable) ask first. The click is
     stopped before the form sees it, so neither htmx nor a plain form submits unasked. */
  document.addEventListener("click", function (e) {
    var asking = e.target.closest && e.target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  /* A button whose label names its input's value follows it: "Label 5 units", not the 24
     the page was drawn with. <input data-button-label="Label {n} units"> */
  document.addEventListener("input", function (e) {
    var input = e.target, template = input.getAttribute && input.getAttribute("data-button-label");
    var button = template && input.form && input.form.querySelector("button[type=submit]");
    if (button) button.textContent = template.replace("{n}", input.value || "?");
  });

  /* A print job that waits for a person is an alarm until it is resolved: it sounds when it
     appears and again every ALARM_EVERY polls while it is still there. */
  var ALARM_EVERY = 5, alarmPolls = 0;
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.target || e.target.id !== "print-alert") return;
    var stuck = e.target.querySelector(".print-alert");
    if (!stuck) { alarmPolls = 0; return; }
    if (alarmPolls % ALARM_EVERY === 0) beep("alarm");
    alarmPolls += 1;
  });

})();
