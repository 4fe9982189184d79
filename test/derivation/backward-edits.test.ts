/** /summary's cells (eq 4.1 – eq 4.9, lib/derivation/backward.ts) as the sandbox runs a reader's version of them (test/workers/editable-cases.ts). */
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import * as backward from "../../lib/derivation/backward.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const ex = buildExample(DEFAULT_CONFIG);
const { U, V, W } = ex.params;
const { h, h0, x, yhat } = ex.fwd;
const { dL_do, dL_dh } = ex.grads;
const file = "lib/derivation/backward.ts";

const CASES: EditCase[] = [
  { file, fn: backward.logitGrads, args: [yhat, ex.targets] },
  { file, fn: backward.lastHiddenGrad, args: [dL_do, V] },
  { file, fn: backward.hiddenGradsFrom, args: [dL_do, backward.lastHiddenGrad(dL_do, V), h, V, W] },
  { file, fn: backward.gradC, args: [dL_do] },
  { file, fn: backward.gradB, args: [dL_dh, h] },
  { file, fn: backward.gradV, args: [dL_do, h] },
  { file, fn: backward.gradW, args: [dL_dh, h, h0] },
  { file, fn: backward.gradU, args: [dL_dh, h, x] },
  { file, fn: backward.gradE, args: [dL_dh, h, U, ex.inputs, ex.labels.length] },
];

testEdits("/summary", CASES, [backward]);
