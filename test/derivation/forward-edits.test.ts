/**
 * The functions / (src/index.md) runs through `run(f, …)`, as the sandbox runs a reader's version of them
 * (test/workers/editable-cases.ts): unchanged, each gives lib/'s value to the bit; each guided experiment declared
 * in lib/derivation/forward.ts applies to the code shown and breaks the value.
 */
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import * as forward from "../../lib/derivation/forward.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const ex = buildExample(DEFAULT_CONFIG);
const FILE = "lib/derivation/forward.ts";

/** Each function the page runs, with the inputs the page gives it at the default configuration. */
const CASES: EditCase[] = [
  { file: FILE, fn: forward.forward, args: [ex.params, ex.inputs, ex.targets, ex.h0] },
  { file: FILE, fn: forward.softmaxRows, args: [ex.fwd.o] },
  { file: FILE, fn: forward.stepLosses, args: [ex.fwd.o, ex.targets] },
  { file: FILE, fn: forward.meanLoss, args: [ex.fwd.L_t] },
];

testEdits("/ (the forward pass)", CASES, [forward]);
