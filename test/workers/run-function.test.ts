/**
 * A reader's version of a lib/ function, run as the sandbox runs it (src/workers/sandbox/run.ts `runFunction`, in the
 * module scope scripts/module-scope.ts gives the worker's bundle), in Node: the code shown after a cell, run
 * unchanged, gives lib/'s value to the bit; every guided experiment declared next to a function (lib/core/experiment.ts)
 * applies to the code as shown and moves the value far past what its page's checks accept; a result of the wrong
 * form is refused in one line naming where.
 */
import { describe as group, expect, it } from "vitest";
import { describe, packLike } from "../../lib/tools/run-function.js";
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { row, zeros } from "../../lib/core/matrix.js";
import { libSource } from "../../scripts/lib-code.js";
import { transpile } from "../../src/workers/sandbox/run.js";
import { editableModules } from "../../scripts/module-scope.js";
import * as hidden from "../../lib/derivation/hidden.js";
import * as logits from "../../lib/derivation/logits.js";
import { libScopes } from "./scopes.js";
import { type EditCase, runAs, testEdits } from "./editable-cases.js";

const ex = buildExample(DEFAULT_CONFIG);
const { V, W } = ex.params;
const { dL_do, dL_dh } = ex.grads;
const { h, yhat } = ex.fwd;

/** Each function a page lets readers edit, with the inputs its page gives it at the default configuration. */
const CASES: EditCase[] = [
  { file: "lib/derivation/hidden.ts", fn: hidden.hiddenStepJacobian, args: [row(h, 1), W] },
  { file: "lib/derivation/hidden.ts", fn: hidden.columnBroadcastHadamard, args: [hidden.oneMinusHSquared(row(h, 1)), W] },
  { file: "lib/derivation/hidden.ts", fn: hidden.hiddenGradsBroadcastForm, args: [dL_do, h, V, W] },
  { file: "lib/derivation/hidden.ts", fn: hidden.hiddenGradsDiagForm, args: [dL_do, h, V, W] },
  { file: "lib/derivation/hidden.ts", fn: hidden.hiddenGradTerms, args: [dL_dh, dL_do, h, V, W] },
  { file: "lib/derivation/logits.ts", fn: logits.logitGradChainRule, args: [yhat, ex.targets] },
  { file: "lib/derivation/logits.ts", fn: logits.logitGradTwoCases, args: [yhat, ex.targets] },
  { file: "lib/derivation/logits.ts", fn: logits.rowSums, args: [dL_do] },
];

testEdits("/hidden and /logits", CASES, [hidden, logits]);

group("the sandbox's scopes", () => {
  it("every editable module has one", async () => {
    expect(Object.keys(await libScopes()).sort()).toEqual(editableModules());
  });
});

group("what a reader's run may return", () => {
  const c = CASES[0]!;
  it("names the line of an error in the reader's code", async () => {
    const code = libSource(c.file, c.fn.name).text.replace("return matmul(", "throw new Error('mine');\n  return matmul(");
    const { out } = await runAs(c, code);
    expect(out).toEqual({ error: expect.stringMatching(/^line \d+: mine$/) });
    const line = code.split("\n").findIndex((l) => l.includes("mine")) + 1;
    expect((out as { error: string }).error).toBe(`line ${line}: mine`);
  });

  it("says when the function's name was changed, or nothing is returned", async () => {
    const shown = libSource(c.file, c.fn.name).text;
    expect((await runAs(c, shown.replace("function hiddenStepJacobian", "function other"))).out)
      .toEqual({ error: "the code no longer declares a function named hiddenStepJacobian: keep its name" });
    expect((await runAs(c, shown.replace("return matmul(", "void ("))).out)
      .toEqual({ error: "hiddenStepJacobian returned nothing: end it with `return` and the result" });
  });

  it("refuses a result of another form, naming where, and a huge one before copying it", () => {
    const like = describe({ a: zeros(2, 3), b: [new Float64Array(2), 1] });
    expect(packLike("f", { a: zeros(3, 2), b: [new Float64Array(2), 1] }, like)).toEqual({ error: "f: the result.a: expected a matrix [2,3], got a matrix [3,2]" });
    expect(packLike("f", { a: zeros(2, 3), b: [[0, "x"], 1] }, like)).toEqual({ error: 'f: the result.b[0][1] is a string ("x"), not a number' });
    expect(packLike("f", { a: zeros(2, 3) }, like)).toEqual({ error: "f: the result.b is missing: expected an object with a, b" });
    expect(packLike("f", { a: zeros(2, 3), b: [[0, 1], 1] }, like)).toEqual({ value: { a: zeros(2, 3), b: [Float64Array.of(0, 1), 1] } });
    const huge = { rows: 2, cols: 3, data: { length: 1e9 } };
    expect(packLike("g", huge, describe(zeros(2, 3)))).toEqual({ error: "g: expected a matrix [2,3], got an object" });
    expect(() => describe(new Map())).toThrow("the result is object, which an edit cannot be checked against");
  });

  it("a syntax error is found by sucrase, with the reader's line; TypeScript types are stripped without moving lines", async () => {
    const shown = libSource(c.file, c.fn.name).text;
    const syntax = shown.replace("return matmul(", "let b = (;\n  return matmul(");
    const line = syntax.split("\n").findIndex((l) => l.includes("let b = (;")) + 1;
    expect((await runAs(c, syntax)).out).toEqual({ error: expect.stringMatching(new RegExp(`^line ${line}: syntax error: Unexpected token`)) });
    expect(JSON.stringify(transpile("const n: number = 1;\n\nfunction f(x: number[]): number { return x[0]!; }"))).not.toMatch(/: number/);
    const unknown = shown.replace("return matmul(", "const z: number[][] = [[1]];\n  return matmull(");
    const at = unknown.split("\n").findIndex((l) => l.includes("matmull")) + 1;
    expect((await runAs(c, unknown)).out).toEqual({ error: `line ${at}: matmull is not defined` });
  });

  it("a thrown oddity, a Promise and a getter that throws are one line each", async () => {
    const shown = libSource(c.file, c.fn.name).text;
    const body = (stmt: string) => shown.replace("return matmul(", `${stmt}\n  return matmul(`);
    expect((await runAs(c, body("throw { toString() { throw 1; } };"))).out).toEqual({ error: '{"toString":a function}' });
    expect((await runAs(c, body("throw 'x'.repeat(1e6);"))).out).toEqual({ error: expect.stringMatching(/^x{100,199}…$/) });
    expect((await runAs(c, shown.replace("export function", "export async function"))).out)
      .toEqual({ error: "hiddenStepJacobian returned a Promise: compute the value and return it, without async or await" });
    const getter = body("const m = zeros(W.rows, W.cols);\n  Object.defineProperty(m, 'data', { get() { throw new Error('trap'); } });\n  return m;");
    expect((await runAs(c, getter)).out).toEqual({ error: "hiddenStepJacobian: the result could not be read (trap)" });
  });

  it("NaN, ±Infinity, strings, holes and null are named entry by entry, never checked", () => {
    const vec = describe(new Float64Array(2)), mat = describe(zeros(3, 3));
    const cases: [unknown, string][] = [
      [[1, NaN], "f: the result[1] is NaN"],
      [[Infinity, 1], "f: the result[0] is Infinity"],
      [[-Infinity, NaN], "f: the result[0] is -Infinity, and 1 more entry is not finite numbers"],
      [["0.5", 1], 'f: the result[0] is a string ("0.5"), not a number'],
      [[1, undefined], "f: the result[1] is undefined, not a number"],
      // eslint-disable-next-line no-sparse-arrays
      [[1, ,], "f: the result[1] is missing (a hole), not a number"],
      [[null, 1], "f: the result[0] is null, not a number"],
      [[[1], 1], "f: the result[0] is an array of 1, not a number"],
      [[1, 2, 3], "f: expected a vector [2] (Float64Array), got an array of 3"],
      [null, "f: expected a vector [2] (Float64Array), got null"],
    ];
    for (const [value, message] of cases) expect(packLike("f", value, vec), message).toEqual({ error: message });
    const m = { rows: 3, cols: 3, data: Float64Array.of(1, 2, 3, 4, NaN, 6, NaN, 8, Infinity) };
    expect(packLike("f", m, mat)).toEqual({ error: "f: the result[1][1] is NaN, and 2 more entries are not finite numbers" });
    // where lib/'s own value has NaN (a form that divides by an underflowed probability), the checks judge them instead
    expect(packLike("f", [NaN, 1], describe(Float64Array.of(NaN, 0)))).toEqual({ value: Float64Array.of(NaN, 1) });
  });

  it("a huge result is refused from its length alone, never copied", () => {
    const huge = new Float64Array(1e8);
    let fastest = Infinity; // the fastest of 3: a busy machine may pause any one of them
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      expect(packLike("f", huge, describe(zeros(8, 4)))).toEqual({ error: "f: expected a matrix [8,4], got a typed array of 100000000" });
      expect(packLike("f", { rows: 8, cols: 4, data: huge }, describe(zeros(8, 4)))).toEqual({ error: "f: the result.data has 100000000 numbers, not rows × cols = 32" });
      fastest = Math.min(fastest, performance.now() - t0);
    }
    expect(fastest).toBeLessThan(50); // copying 10⁸ numbers takes far longer
  });
});
