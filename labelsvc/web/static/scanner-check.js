/* The scanner check box: keep exactly what the scanner typed (GS included) and how it ended.
 * Enter or Tab ends the check scan and says which one the scanner sent; Ctrl+] is GS. */
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("check-code");
    var suffix = document.getElementById("check-suffix");
    var form = document.getElementById("scanner-check");
    if (!box || box.dataset.bound) return;
    box.dataset.bound = "yes";
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        if (!box.value) return;
        suffix.value = e.key === "Enter" ? "enter" : "tab";
        form.requestSubmit();
      } else if (e.ctrlKey && (e.key === "]" || e.code === "BracketRight")) {
        e.preventDefault();
        box.setRangeText("\u001d", box.selectionStart, box.selectionEnd, "end");
      }
    });
    form.addEventListener("htmx:afterRequest", function () {
      box.value = "";
      suffix.value = "none";
      box.focus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
