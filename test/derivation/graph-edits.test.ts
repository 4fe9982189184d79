/**
 * The functions /plan (src/plan.md) runs through `run(f, …)`, as the sandbox runs a reader's version of them
 * (test/workers/editable-cases.ts): unchanged, each gives lib/'s value to the bit; each guided experiment declared
 * in lib/derivation/graph.ts applies to the code shown and breaks the value.
 */
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import * as graph from "../../lib/derivation/graph.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const ex = buildExample(DEFAULT_CONFIG);
const tau = ex.inputs.length;
const FILE = "lib/derivation/graph.ts";
const { dL_do } = ex.grads, { h } = ex.fwd, { V, W } = ex.params;

/**
 * Each function the page runs, with the inputs the page gives it at the default configuration. The stepper gives
 * hiddenGradsUpTo k = 0 … τ: halfway (rows not yet computed are NaN) and after the last step. (At k = 0 every row
 * is NaN, which lib/tools/run-function.ts maxDiffLike reports as a difference of NaN even for lib/'s own code.)
 */
const CASES: EditCase[] = [
  { file: FILE, fn: graph.hiddenGradsUpTo, args: [dL_do, h, V, W, 3] },
  { file: FILE, fn: graph.hiddenGradsUpTo, args: [dL_do, h, V, W, tau] },
  { file: FILE, fn: graph.gradientWaves, args: [graph.rnnGraph(tau)] },
  { file: FILE, fn: graph.runBackwardPlan, args: [ex.params, ex.fwd, ex.inputs, ex.targets] },
];

testEdits("/plan", CASES, [graph]);
