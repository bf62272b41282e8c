// Test-only: check GS1 bracketed AI data with bwip-js (BWIPP's GS1 linter, which applies
// the GS1 Barcode Syntax Dictionary, association rules included via lintreqs).
// stdin: a JSON array of strings like "(01)09506000134352(21)ABC"
// stdout: a JSON array, one entry per input: null when accepted, else bwip-js's message.
"use strict";
const bwipjs = require("bwip-js");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const answers = JSON.parse(input).map((text) => {
    try {
      bwipjs.toSVG({ bcid: "gs1-128", text, lintreqs: true });
      return null;
    } catch (error) {
      return String(error.message || error);
    }
  });
  process.stdout.write(JSON.stringify(answers));
});
