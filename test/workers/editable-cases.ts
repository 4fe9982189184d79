/**
 * The tests every module with editable functions gets (test/<folder>/<module>-edits.test.ts calls `testEdits`): each
 * function a page runs through `run(f, …)`, given the inputs its page gives it, runs in the sandbox's way
 * (src/workers/sandbox/run.ts `runFunction`, in the module scope scripts/module-scope.ts gives the worker's bundle)
 * and, unchanged, gives lib/'s value to the bit; every guided experiment declared next to a function of the module
 * (lib/core/experiment.ts) is tested here, applies exactly once to the code as the page shows it, runs, and moves
 * the value far past what the page's checks accept.
 */
import { describe as group, expect, it } from "vitest";
import { runFunction } from "../../src/workers/sandbox/run.js";
import { describe, flatten, maxDiffLike } from "../../lib/tools/run-function.js";
import { applyExperiment, experimentsOf } from "../../lib/core/experiment.js";
import { FD_TOL } from "../../lib/core/tolerances.js";
import { libSource } from "../../scripts/lib-code.js";
import { libScopes } from "./scopes.js";

export interface EditCase {
  file: string;
  fn: Function;
  /** The inputs the page gives it (at the default configuration). */
  args: unknown[];
}

/** The result of running `code` as `c.fn` in the sandbox's way, with lib/'s own value and its form. */
export async function runAs(c: EditCase, code: string) {
  const lib = (c.fn as (...a: unknown[]) => unknown)(...c.args);
  const like = describe(lib);
  const out = runFunction({ kind: "fn", file: c.file, name: c.fn.name, code, args: c.args, like }, await libScopes());
  return { lib, like, out };
}

/**
 * Far past any page's check: more than 1000 × FD_TOL, or, for a value whose entries are all tiny (a vanishing
 * gradient of 1e-20), more than 0.1% of its largest entry. A NaN is broken too.
 */
export function broken(diff: number, lib: readonly number[]): boolean {
  let scale = 0;
  for (const x of lib) scale = Math.max(scale, Math.abs(x));
  return !(diff <= Math.min(1000 * FD_TOL, 1e-3 * scale));
}

export function testEdits(title: string, cases: readonly EditCase[], modules: readonly Record<string, unknown>[]): void {
  group(`${title}: the code shown after each cell, run in the sandbox's scope`, () => {
    it.each(cases.map((c) => [c.fn.name, c] as const))("%s unchanged gives lib/'s value to the bit", async (_, c) => {
      const { lib, like, out } = await runAs(c, libSource(c.file, c.fn.name).text);
      expect("value" in out ? maxDiffLike(out.value, lib, like) : out.error).toBe(0);
    });
  });

  group(`${title}: guided experiments`, () => {
    it("every function of the module with experiments has a case here", () => {
      const declared = modules.flatMap((m) => Object.values(m).filter((f): f is Function => typeof f === "function" && experimentsOf(f).length > 0));
      const tested = new Set(cases.map((c) => c.fn));
      expect(declared.filter((f) => !tested.has(f)).map((f) => f.name)).toEqual([]);
    });

    const each = cases.flatMap((c) => experimentsOf(c.fn).map((x) => [`${c.fn.name}: ${x.label}`, c, x] as const));
    it.each(each)("%s applies once to the code shown and breaks the value", async (_, c, x) => {
      const code = applyExperiment(libSource(c.file, c.fn.name).text, x);
      expect(code, `"${x.find}" must occur exactly once in the code shown (doc comment included)`).not.toBeNull();
      const { lib, like, out } = await runAs(c, code!);
      expect("value" in out ? "" : out.error).toBe("");
      if ("value" in out) expect(broken(maxDiffLike(out.value, lib, like), flatten(lib, like))).toBe(true);
    });
  });
}
