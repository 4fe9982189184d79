/**
 * The functions /parameters (src/parameters.md) runs through `run(f, …)` — its intermediate forms from
 * lib/derivation/parameters.ts and the outer-product forms (3.11), (3.14), (3.16), (3.18) from
 * lib/derivation/backward.ts — as the sandbox runs a reader's version of them (test/workers/editable-cases.ts):
 * unchanged, each gives lib/'s value to the bit; each guided experiment declared in lib/derivation/parameters.ts
 * applies to the code shown and breaks the value.
 */
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { row } from "../../lib/core/matrix.js";
import { hPrevAt } from "../../lib/derivation/forward.js";
import { gradC, gradU, gradV, gradW } from "../../lib/derivation/backward.js";
import * as parameters from "../../lib/derivation/parameters.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const ex = buildExample(DEFAULT_CONFIG);
const pointOne = buildExample({ ...DEFAULT_CONFIG, h0: "point-one" });
const { dL_do, dL_dh } = ex.grads, { h, x } = ex.fwd;
const vocab = ex.labels.length, hidden = ex.config.hidden;
const FILE = "lib/derivation/parameters.ts", BACKWARD = "lib/derivation/backward.ts";

/** Each function the page runs, with the inputs the page gives it at the default configuration (pickers at their defaults). */
const CASES: EditCase[] = [
  { file: FILE, fn: parameters.gradCPerStep, args: [dL_do] },
  { file: FILE, fn: parameters.gradCDummySum, args: [dL_do] },
  { file: BACKWARD, fn: gradC, args: [dL_do] },
  { file: FILE, fn: parameters.gradBDiagForm, args: [dL_dh, h] },
  { file: FILE, fn: parameters.gradVPerIndexForm, args: [dL_do, h] },
  { file: FILE, fn: parameters.dOi_dV, args: [0, row(h, 0), vocab] },
  { file: BACKWARD, fn: gradV, args: [dL_do, h] },
  { file: FILE, fn: parameters.outerProductOrders, args: [row(dL_do, 0), row(h, 0)] },
  { file: FILE, fn: parameters.gradWPerIndexForm, args: [dL_dh, h, ex.h0] },
  { file: FILE, fn: parameters.dAi_dW, args: [0, hPrevAt(ex.fwd, 1), hidden] },
  { file: BACKWARD, fn: gradW, args: [dL_dh, h, ex.h0] },
  { file: FILE, fn: parameters.gradWTermSizes, args: [dL_dh, h, ex.h0] },
  { file: FILE, fn: parameters.gradWWithoutH0Term, args: [dL_dh, h, ex.h0] },
  { file: FILE, fn: parameters.gradWWithoutH0Term, args: [pointOne.grads.dL_dh, pointOne.fwd.h, pointOne.h0] },
  { file: FILE, fn: parameters.gradUPerIndexForm, args: [dL_dh, h, x] },
  { file: FILE, fn: parameters.dH_dAiAsPrinted, args: [0, row(h, 0)] },
  { file: BACKWARD, fn: gradU, args: [dL_dh, h, x] },
];

testEdits("/parameters", CASES, [parameters]);
