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
});
