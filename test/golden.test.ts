/**
 * The committed answer-key bytes (test/golden/, `npm run golden` writes them) against what Node computes now:
 * a change of lib/, of Node or of its Math that moves one last bit of one number fails here. The browser suite
 * compares the same files in Chromium, Firefox and WebKit (test/browser/same-bits.test.ts).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs, runCommand } from "../lib/tools/answer-key-cli.js";
import { GOLDEN_CASES, goldenPath } from "./golden/cases.js";
import { firstDifference } from "./golden/diff.js";

const root = join(import.meta.dirname, "..");
const golden = (c: (typeof GOLDEN_CASES)[number]) => readFileSync(join(root, goldenPath(c)), "utf8");
const noFile = (): never => { throw new Error("a random case reads no file"); };
const HINT = "if the change is meant to move bits, run `npm run golden` and commit test/golden/";

describe("golden answer-key bytes", () => {
  it.each(GOLDEN_CASES.map((c) => [c.name, c] as const))("%s: Node gives the committed bytes", (_, c) => {
    const now = runCommand(parseArgs(c.argv), noFile);
    const want = golden(c);
    const diff = firstDifference(want, now);
    expect(diff, `${goldenPath(c)}: first difference ${diff} (${HINT})`).toBeNull();
  });

  it("the command line prints exactly those bytes", () => {
    const c = GOLDEN_CASES[1]!;
    const r = spawnSync(join(root, "node_modules/.bin/tsx"), ["bin/answer-key.ts", ...c.argv], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(firstDifference(golden(c), r.stdout), HINT).toBeNull();
  });

  it("are small, one line of JSON each, and cover both h0 conventions", () => {
    for (const c of GOLDEN_CASES) {
      const text = golden(c);
      expect(text.length, c.name).toBeLessThan(8000);
      expect(text.endsWith("\n") && !text.slice(0, -1).includes("\n"), c.name).toBe(true);
      expect(Object.keys(JSON.parse(text) as object)).toEqual(["case", "answer"]);
    }
    expect(new Set(GOLDEN_CASES.map((c) => c.argv.at(-1)))).toEqual(new Set(["zeros", "point-one"]));
  });
});
