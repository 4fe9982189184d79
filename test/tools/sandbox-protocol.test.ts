/**
 * lib/tools/sandbox-protocol.ts through the worker's own transpile + evaluate path (src/workers/run-code.ts), in
 * Node: every error is one readable line with the reader's line number, and a result is packed to exactly its
 * shape or refused, entry by entry.
 */
import { describe, expect, it } from "vitest";
import { runAndPack, runCode, transpile } from "../../src/workers/sandbox/run.js";
import { argsFor } from "../../lib/derivation/editable.js";
import { checkEdit, packResult } from "../../lib/tools/sandbox-protocol.js";
import { base, ex, fd, runChecked } from "../derivation/edit-runs.js";

describe("errors are one readable line with the reader's line number", () => {
  const args = argsFor("eq-4-1", ex, base);
  it("an unknown name", () => {
    expect(runCode("const a = 1;\nconst b = 2;\nreturn dL_doo[0];", args)).toEqual({ error: "line 3: dL_doo is not defined" });
  });
  it("a syntax error, found by sucrase", () => {
    const r = runCode("const a: number = 1;\nlet b = (;\nreturn a;", args);
    expect(r).toEqual({ error: expect.stringMatching(/^line 2: syntax error: Unexpected token/) });
  });
  it("TypeScript types are stripped without moving lines", () => {
    expect(transpile("const n: number = 1;\n\nfunction f(x: number[]): number { return x[0]!; }").toString()).not.toMatch(/: number/);
    expect(runCode("const z: number[][] = zeros(2, 3);\n\nthrow new Error(`boom ${z.length}`);", args)).toEqual({ error: "line 3: boom 2" });
  });
  it("no return", () => {
    expect(runCode("const a = 1;", args)).toEqual({ error: expect.stringMatching(/returned nothing/) });
  });
  it("a wrong shape is one message like tfjs's", () => {
    const c = runChecked("eq-4-9", "return zeros(dModel, vocab);").check;
    expect(c.refused).toBe("dL_dE: expected shape [8,4], got [4,8]");
    expect(c.passRef || c.passFD).toBe(false);
    expect(packResult("dL_db", [[1, 2]], [2])).toEqual({ error: "dL_db: expected shape [2], got [1,2]" });
    expect(packResult("dL_db", "x", [2])).toEqual({ error: "dL_db: expected shape [2], got a string" });
    expect(packResult("dL_db", null, [2])).toEqual({ error: "dL_db: expected shape [2], got null" });
    expect(packResult("dL_do", [[1, 2], [3]], [2, 2])).toEqual({ error: "dL_do: expected shape [2,2], got a ragged array (row 1 has 1 entries, expected 2)" });
    expect(packResult("dL_do", [[1, 2], 3], [2, 2])).toEqual({ error: "dL_do: expected shape [2,2], got [2,2]" });
  });
  it("a huge result is refused from its length alone, never copied", () => {
    const huge = new Float64Array(1e8);
    const t0 = performance.now();
    expect(packResult("dL_dE", huge, [8, 4])).toEqual({ error: "dL_dE: expected shape [8,4], got [100000000]" });
    expect(packResult("dL_dE", [huge, huge], [8, 4])).toEqual({ error: "dL_dE: expected shape [8,4], got [2,100000000]" });
    expect(performance.now() - t0).toBeLessThan(50);
  });
  it("NaN, ±Infinity, strings, holes, null and arrays are named entry by entry, never checked", () => {
    const cases: [unknown, string][] = [
      [[1, NaN], "dL_db[1] is NaN"],
      [[Infinity, 1], "dL_db[0] is Infinity"],
      [[-Infinity, NaN], "dL_db[0] is -Infinity, and 1 more entry is not finite numbers"],
      [["0.5", 1], 'dL_db[0] is a string ("0.5")'],
      [[1, undefined], "dL_db[1] is undefined"],
      // eslint-disable-next-line no-sparse-arrays
      [[1, ,], "dL_db[1] is missing (a hole in the array)"],
      [[null, 1], "dL_db[0] is null"],
      [[[1], 1], "dL_db[0] is an array, not a number"],
      [[{}, 1], "dL_db[0] is an object, not a number"],
      [[1n, true], "dL_db[0] is a bigint, not a number, and 1 more entry is not finite numbers"],
    ];
    for (const [value, message] of cases) expect(packResult("dL_db", value, [2]), message).toEqual({ error: message });
    const m = [[1, 2, 3], [4, NaN, 6], [NaN, 8, "9"]];
    expect(packResult("dL_do", m, [3, 3])).toEqual({ error: "dL_do[1][1] is NaN, and 2 more entries are not finite numbers" });
    // a typed array's NaN, and rows that are typed arrays
    expect(packResult("dL_do", [new Float64Array([1, 2]), new Float64Array([3, NaN])], [2, 2])).toEqual({ error: "dL_do[1][1] is NaN" });
    expect(packResult("dL_do", [new Float64Array([1, 2]), [3, 4]], [2, 2])).toEqual({ data: new Float64Array([1, 2, 3, 4]) });
  });
  it("NaN from the reader's code is refused with its entry named, and never passes a check", () => {
    const { out, check } = runChecked("eq-4-4", "const v = zeros(1, vocab)[0];\nv[3] = 0 / 0;\nreturn v;");
    expect(out).toEqual({ error: "dL_dc[3] is NaN" });
    expect(check.refused).toBe("dL_dc[3] is NaN");
    expect(check.passRef || check.passFD).toBe(false);
    // the page refuses a NaN even if the sandbox's packing were bypassed
    expect(checkEdit("eq-4-4", { data: new Float64Array(ex.grads.dL_dc.length).fill(NaN) }, ex.grads.dL_dc, fd.params.c).refused)
      .toBe(`dL_dc: the result was not ${ex.grads.dL_dc.length} finite numbers`);
    expect(checkEdit("eq-4-4", { data: new Float64Array(3) }, ex.grads.dL_dc, fd.params.c).refused)
      .toBe(`dL_dc: the result was not ${ex.grads.dL_dc.length} finite numbers`);
  });
  it("a thrown oddity, a Promise and a getter that throws are one line each", () => {
    const args = argsFor("eq-4-4", ex, base);
    expect(runCode("throw { toString() { throw 1; } };", args)).toEqual({ error: '{"toString":a function}' });
    expect(runCode("throw 'x'.repeat(1e6);", args)).toEqual({ error: expect.stringMatching(/^x{100,199}…$/) });
    expect(runCode("return (async () => 1)();", args)).toEqual({ error: expect.stringMatching(/returned a Promise/) });
    const getter = "const v = [1, 2, 3];\nObject.defineProperty(v, 2, { get() { throw new Error('trap'); } });\nreturn v;";
    expect(runAndPack({ code: getter, args, name: "dL_dc", shape: [3] })).toEqual({ error: "dL_dc: the result could not be read (trap)" });
  });
});
