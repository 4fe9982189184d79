/** /embedding's cells (eq 3.19 – eq 3.21, Remark 3.22, lib/derivation/embedding.ts) as the sandbox runs a reader's version of them (test/workers/editable-cases.ts). */
import { DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import * as embedding from "../../lib/derivation/embedding.js";
import * as checks from "../../lib/derivation/embedding-checks.js";
import { hPrevAt } from "../../lib/derivation/forward.js";
import { row } from "../../lib/core/matrix.js";
import { type EditCase, testEdits } from "../workers/editable-cases.js";

const ex = buildExample(DEFAULT_CONFIG);
const { U } = ex.params;
const { h } = ex.fwd;
const { dL_dh } = ex.grads;
const vocab = ex.labels.length, dModel = ex.config.dModel;
const file = "lib/derivation/embedding.ts";
const contributions = embedding.embeddingContributions(dL_dh, h, U, ex.inputs);
const v = contributions[1]!.row, tok = ex.inputs[1]!;

const CASES: EditCase[] = [
  { file, fn: embedding.embeddingContributions, args: [dL_dh, h, U, ex.inputs] },
  { file, fn: embedding.stackByToken, args: [contributions, vocab, dModel] },
  { file, fn: embedding.gradETripleSum, args: [dL_dh, h, U, ex.inputs, vocab] },
  { file, fn: embedding.gradETensorForm, args: [dL_dh, h, U, ex.inputs, vocab] },
  { file, fn: embedding.gradEOneHotForm, args: [dL_dh, h, U, ex.inputs, vocab] },
  { file, fn: embedding.remark322, args: [dL_dh, h, U, ex.inputs, vocab] },
  { file, fn: embedding.dX_dE, args: [tok, vocab, dModel] },
  { file, fn: embedding.rowTimesStack, args: [v, embedding.dX_dE(tok, vocab, dModel)] },
  { file, fn: embedding.oneHotColumn, args: [tok, vocab] },
  { file, fn: embedding.projectionJacobian, args: [tok, vocab, dModel] },
  { file: "lib/derivation/embedding-checks.ts", fn: checks.numericalDaDx, args: [ex.params, hPrevAt(ex.fwd, 1), row(ex.fwd.x, 1)] },
];

testEdits("/embedding", CASES, [embedding]);
