#!/usr/bin/env node
// Test-only driver: render ZPL with Zebrash (IngridHQ's ZPL interpreter, compiled to WASM and
// published on npm as zpl-renderer-js, pinned in package.json). It shares no code with
// labelsvc's own preview, so a mistake shared by our ZPL writer and our preview shows here.
//
// stdin:  JSON [{"zpl": "^XA...^XZ", "widthMm": 50.75, "heightMm": 25.375, "dpmm": 8}, ...]
// stdout: JSON {"renderer": "...", "images": [{"pngs": ["<base64>", ...]} | {"error": "..."}, ...]}
//         one PNG for each label (^XA...^XZ) Zebrash found in a job's ZPL
"use strict";

// The Go WASM runtime needs Web Crypto on globalThis; Node 18 (Debian's) keeps it elsewhere.
if (!globalThis.crypto) {
  globalThis.crypto = require("node:crypto").webcrypto;
}

const fs = require("node:fs");
const path = require("node:path");
const renderer = require("zpl-renderer-js");

async function main() {
  const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
  const { api } = await renderer.ready;
  const images = [];
  for (const job of jobs) {
    try {
      const pngs = await api.zplToBase64MultipleAsync(job.zpl, job.widthMm, job.heightMm, job.dpmm);
      images.push({ pngs });
    } catch (err) {
      images.push({ error: String(err && err.message ? err.message : err) });
    }
  }
  const pkg = require(path.join(path.dirname(require.resolve("zpl-renderer-js")), "..", "package.json"));
  const rendererName = `zpl-renderer-js ${pkg.version} (zebrash ${renderer.ZEBRASH_VERSION})`;
  return JSON.stringify({ renderer: rendererName, images });
}

main().then(
  // The Go runtime keeps the event loop alive: leave once the answer is written.
  (answer) => process.stdout.write(answer, () => process.exit(0)),
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
