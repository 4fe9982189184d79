/**
 * `npm run golden`: writes test/golden/NAME.json, the answer key's bytes for each case of test/golden/cases.ts, as
 * the command line prints them (lib/tools/answer-key-cli.ts's runCommand, the function bin/answer-key.ts calls). Says which
 * files changed. Run it after a change meant to move bits (lib's own exp/log/tanh, say), check that every
 * browser engine agrees (the browser suite's same-bits test), and commit the files with the change.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, runCommand } from "../lib/tools/answer-key-cli.js";
import { GOLDEN_CASES, goldenPath } from "../test/golden/cases.js";

const root = join(import.meta.dirname, "..");
const noFile = (): never => { throw new Error("golden cases are random cases: they read no file"); };
let changed = 0;
for (const c of GOLDEN_CASES) {
  const path = join(root, goldenPath(c));
  const bytes = runCommand(parseArgs(c.argv), noFile);
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (before === bytes) {
    console.log(`unchanged  ${goldenPath(c)}`);
    continue;
  }
  writeFileSync(path, bytes);
  changed++;
  console.log(`${before === null ? "created   " : "CHANGED   "} ${goldenPath(c)}  (answer-key ${c.argv.join(" ")})`);
}
console.log(changed ? `${changed} golden file(s) written: review with git diff test/golden/` : "golden files up to date");
