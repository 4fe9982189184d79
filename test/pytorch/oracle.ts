/**
 * PyTorch autograd as the unit suite's second independent oracle, beside TF.js: test/pytorch/oracle.py builds each
 * case from torch.nn modules in float64 and returns its forward values and gradients twice (the whole-sequence
 * modules, and the same parameters unrolled step by step for the total derivatives of every intermediate). A test
 * file sends all its cases in one call, so torch's start-up (1–2 s) is paid once per file.
 */
import { fileURLToPath } from "node:url";
import { type Matrix, toRows } from "../../lib/core/matrix.js";
import type { Params } from "../../lib/derivation/model.js";
import type { StackedParams } from "../../lib/stacked/params.js";
import { runPython } from "../torch.js";

const ORACLE = fileURLToPath(new URL("./oracle.py", import.meta.url));

type Rows = number[][];

export interface MainTorchCase {
  kind: "main";
  E: Rows; U: Rows; W: Rows; b: number[]; V: Rows; c: number[];
  h0: number[]; inputs: readonly number[]; targets: readonly number[];
}
/** One gradient per parameter; nn.RNN's two biases separately (b is bias_ih_l0; b_hh must equal it). */
export interface MainTorchGrads { E: Rows; U: Rows; W: Rows; b: number[]; b_hh: number[]; V: Rows; c: number[] }
export interface MainTorch {
  module: { loss: number; x: Rows; h: Rows; o: Rows; yhat: Rows; L_t: number[]; grads: MainTorchGrads };
  unrolled: { loss: number; a: Rows; h: Rows; o: Rows; dL_da: Rows; dL_dh: Rows; dL_do: Rows; grads: MainTorchGrads };
}

/** The loss of the stacked RNN (lib/stacked/forward.ts): a reduction over every step, or one step's batch sum. */
export type StackedTorchLoss = "mean" | "source" | { step: number };
export interface StackedTorchCase {
  kind: "stacked";
  Wxh: Rows[]; Whh: Rows[]; b: Rows[]; Wha: Rows; ba: Rows;
  X: Rows[]; y: readonly (readonly number[])[]; H0: Rows[]; loss: StackedTorchLoss;
}
/** In the source's shapes ([in, out] weights, [1, h] biases); b_hh must equal b. */
export interface StackedTorchGrads { Wxh: Rows[]; Whh: Rows[]; b: Rows[]; b_hh: Rows[]; Wha: Rows; ba: Rows; dH0: Rows[] }
export interface StackedTorch {
  /** H[t − 1][l − 1], Zout and A per step, stepLoss = CE_t summed over the batch. */
  module: { loss: number; H: Rows[][]; Zout: Rows[]; A: Rows[]; stepLoss: number[]; grads: StackedTorchGrads };
  unrolled: { loss: number; Z: Rows[][]; H: Rows[][]; Zout: Rows[]; dZ: Rows[][]; dH: Rows[][]; dZout: Rows[]; grads: StackedTorchGrads };
}

export function mainTorchCase(p: Params, inputs: readonly number[], targets: readonly number[], h0: Float64Array): MainTorchCase {
  return {
    kind: "main", E: toRows(p.E), U: toRows(p.U), W: toRows(p.W), b: Array.from(p.b), V: toRows(p.V), c: Array.from(p.c),
    h0: Array.from(h0), inputs, targets,
  };
}

export function stackedTorchCase(
  p: StackedParams, X: readonly Matrix[], y: readonly (readonly number[])[], H0: readonly Matrix[], loss: StackedTorchLoss,
): StackedTorchCase {
  return {
    kind: "stacked", Wxh: p.Wxh.map(toRows), Whh: p.Whh.map(toRows), b: p.b.map(toRows), Wha: toRows(p.Wha), ba: toRows(p.ba),
    X: X.map(toRows), y, H0: H0.map(toRows), loss,
  };
}

type Result<C> = C extends MainTorchCase ? MainTorch : StackedTorch;

/** Every case through PyTorch in one process; throws with Python's last line of error if it fails. */
export function torchOracle<C extends MainTorchCase | StackedTorchCase>(cases: readonly C[]): Result<C>[] {
  const r = runPython([ORACLE], JSON.stringify({ cases }));
  if (r.error) throw new Error(`PyTorch oracle: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`PyTorch oracle exited with ${r.status}: ${r.stderr.trim().split("\n").pop() ?? ""}`);
  const out = JSON.parse(r.stdout) as { results: Result<C>[] };
  if (out.results.length !== cases.length) throw new Error(`PyTorch oracle: ${out.results.length} results for ${cases.length} cases`);
  return out.results;
}

/** Rows of rows (per step, per layer) as one flat list, in the order lib/'s lists of matrices flatten. */
export const flatRows = (x: number[] | Rows | Rows[] | Rows[][]): number[] => (x as unknown[]).flat(3) as number[];
