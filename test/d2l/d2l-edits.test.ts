/**
 * /d2l as a notebook: every function its cells compute through `run(f, …)`, given the inputs the page gives it at the
 * default settings, runs in the sandbox's way to lib/'s bits, and every guided experiment declared in lib/d2l/model.ts,
 * d2l.ts and bridge.ts breaks its value (test/workers/editable-cases.ts). stepJacobianH is /vanishing's (its §3),
 * given that page's inputs, where its experiment can show: with /d2l's linear model every slope is 1.
 */
import * as model from "../../lib/d2l/model.js";
import * as d2l from "../../lib/d2l/d2l.js";
import * as bridge from "../../lib/d2l/bridge.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { D2L_DEFAULT, buildD2L } from "../../lib/state/d2l-config.js";
import { VANISHING_DEFAULT } from "../../lib/state/spectral-config.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const ex = buildD2L(D2L_DEFAULT);
const { p, s, fwd } = ex;
const dL_do = d2l.outputGrads(fwd, s.targets);
const dL_dh = d2l.hiddenGradsRecursion(p, fwd, dL_do);
const pc = d2l.forwardModePieces(p, s);
const pcT = d2l.forwardModePieces(p, s, { activation: "tanh" });
const demo = gradientNormDemo(VANISHING_DEFAULT);

const M = "lib/d2l/model.ts", D = "lib/d2l/d2l.ts", B = "lib/d2l/bridge.ts";
const CASES: EditCase[] = [
  { file: M, fn: model.d2lForward, args: [p, s] },
  { file: D, fn: d2l.outputGrads, args: [fwd, s.targets] },
  { file: D, fn: d2l.gradW_qh, args: [dL_do, fwd.h] },
  { file: D, fn: d2l.hiddenGradsRecursion, args: [p, fwd, dL_do] },
  { file: D, fn: d2l.hiddenGradsClosedForm, args: [p, dL_do] },
  { file: D, fn: d2l.gradW_hx, args: [dL_dh, s.xs] },
  { file: D, fn: d2l.gradW_hh, args: [dL_dh, fwd] },
  { file: D, fn: d2l.dhdwRecursion, args: [pc] },
  { file: D, fn: d2l.dLdwFromDhdw, args: [pc, d2l.dhdwRecursion(pc)] },
  // the page's last call: the tanh model, where the order of the product shows
  { file: D, fn: d2l.dhdwExpansion, args: [pcT] },
  { file: D, fn: d2l.stepJacobianH, args: [demo.p, demo.preacts[VANISHING_DEFAULT.T - 1]!, VANISHING_DEFAULT.activation] },
  { file: B, fn: bridge.threeConventions, args: [p, s] },
];

testEdits("/d2l", CASES, [model, d2l, bridge]);
