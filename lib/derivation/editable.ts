/**
 * What a reader may rewrite as they read, and how: one entry per equation anchor (the code "as the equation reads",
 * the names it receives, the equations it depends on, what its rows are, guided experiments with their "why"),
 * and the library of helpers that code runs with (`zeros`, `add`, `hadamard`, `oneMinusSquare`, `vecmat`,
 * `colTimes`, `outer`, `transpose`, `oneHot`).
 * The sandbox protocol (running the code, packing and checking its result) is lib/tools/sandbox-protocol.ts, the
 * links and storage of edits lib/state/edits.ts.
 *
 * Pure: no DOM, no Node APIs.
 *
 * Values in the reader's code are plain arrays, so that `dL_do[t][i]` reads like the derivation's subscripts:
 * a matrix is `number[][]` (row t − 1 holds step t, as everywhere in lib/), a row vector is `number[]`.
 */
import { type Gradients, gradB, gradC, gradE, gradU, gradV, gradW, hiddenGradsFrom } from "./backward.js";
import type { Example, NumericalGradients } from "../state/example.js";
import { type Matrix, type Vector, row, vecmat as mVecmat } from "../core/matrix.js";

// ————————————————————————————————————————————— the catalogue —————————————————————————————————————————————

export const SUMMARY_IDS = ["eq-4-1", "eq-4-2", "eq-4-3", "eq-4-4", "eq-4-5", "eq-4-6", "eq-4-7", "eq-4-8", "eq-4-9"] as const;
export const EMBEDDING_IDS = ["eq-3-19", "eq-3-20", "eq-3-21"] as const;
export type EditId = (typeof SUMMARY_IDS)[number] | (typeof EMBEDDING_IDS)[number];
export const EDIT_IDS: readonly EditId[] = [...SUMMARY_IDS, ...EMBEDDING_IDS];

/** What the rows of a quantity are (for a vector: its entries), so that a page can name the rows that disagree. */
export type RowKind = "step" | "token" | "index";

/** A guided experiment: one precise edit of the reference code that must make the check fail, and why it does. */
export interface Experiment {
  key: string;
  label: string;
  /** Exact text of the reference code to replace (occurs exactly once). */
  find: string;
  replace: string;
  why: string;
}

export interface Editable {
  id: EditId;
  /** The equation number, "4.9". */
  eq: string;
  /** The variable the code returns, as in lib/derivation/backward.ts: "dL_dE". */
  name: string;
  /** The names the code receives, in this order (see `EditContext`). */
  args: readonly (keyof EditContext)[];
  /** The reference code, a function body ending in `return`. */
  code: string;
  /** The editable quantities whose (effective) values this one's inputs come from. */
  deps: readonly EditId[];
  rowKind: RowKind;
  /** What the result is checked against besides finite differences. */
  reference: string;
  experiments: readonly Experiment[];
}

/** Every name the reader's code may receive. Matrices are `number[][]`, vectors `number[]`. */
export interface EditContext {
  tau: number;
  vocab: number;
  dModel: number;
  hidden: number;
  yhat: number[][];
  targets: number[];
  inputs: number[];
  h: number[][];
  h0: number[];
  x: number[][];
  E: number[][];
  U: number[][];
  W: number[][];
  V: number[][];
  dL_do: number[][];
  dL_dh_tau: number[];
  dL_dh: number[][];
}

const code = (lines: string[]) => lines.join("\n");

const CATALOGUE: Record<EditId, Editable> = {
  "eq-4-1": {
    id: "eq-4-1", eq: "4.1", name: "dL_do", args: ["yhat", "targets", "tau", "vocab"], deps: [], rowKind: "step",
    reference: "lib/derivation/backward.ts · logitGrads",
    code: code([
      "// (4.1)  (DL)_{o_i^(t)} = (1/τ) (ŷ_i^(t) − 1{i = y^(t)}), every step t at once",
      "const dL_do = zeros(tau, vocab);",
      "for (let t = 0; t < tau; t++) {",
      "  for (let i = 0; i < vocab; i++) {",
      "    const indicator = i === targets[t] ? 1 : 0;   // 1{i = y^(t)}",
      "    dL_do[t][i] = (1 / tau) * (yhat[t][i] - indicator);",
      "  }",
      "}",
      "return dL_do;",
    ]),
    experiments: [{
      key: "drop-tau", label: "Drop the 1/τ",
      find: "(1 / tau) * (yhat[t][i] - indicator)", replace: "(yhat[t][i] - indicator)",
      why: "The loss is the mean of the τ per-step losses, so each logit's partial carries the factor 1/τ. Without it " +
        "every entry is τ times too large: every row disagrees with lib/derivation/backward.ts and with finite differences (each " +
        "row still sums to zero, so that sanity check alone would not catch it), and every gradient downstream is " +
        "scaled by τ as well.",
    }],
  },
  "eq-4-2": {
    id: "eq-4-2", eq: "4.2", name: "dL_dh_tau", args: ["dL_do", "V", "tau"], deps: ["eq-4-1"], rowKind: "index",
    reference: "lib/derivation/backward.ts · hiddenGrads (its last row)",
    code: code([
      "// (4.2)  (DL)_{h^(τ)} = (DL)_{o^(τ)} V: the last hidden state feeds only the last logits",
      "const dL_do_tau = dL_do[tau - 1];   // step τ is row τ − 1",
      "return vecmat(dL_do_tau, V);",
    ]),
    experiments: [],
  },
  "eq-4-3": {
    id: "eq-4-3", eq: "4.3", name: "dL_dh", args: ["dL_do", "dL_dh_tau", "h", "V", "W", "tau", "hidden"],
    deps: ["eq-4-1", "eq-4-2"], rowKind: "step",
    reference: "lib/derivation/backward.ts · hiddenGrads",
    code: code([
      "// (4.3)  for t = τ−1, …, 1:",
      "//   (DL)_{h^(t)} = (DL)_{h^(t+1)} ([1 − (h^(t+1))²] ⊙ W) + (DL)_{o^(t)} V",
      "const dL_dh = zeros(tau, hidden);",
      "dL_dh[tau - 1] = dL_dh_tau;   // (4.2) starts the recursion",
      "for (let t = tau - 2; t >= 0; t--) {",
      "  const J = colTimes(oneMinusSquare(h[t + 1]), W);   // [1 − (h^(t+1))²] ⊙ W, the vector as a column",
      "  dL_dh[t] = add(vecmat(dL_dh[t + 1], J), vecmat(dL_do[t], V));",
      "}",
      "return dL_dh;",
    ]),
    experiments: [
      {
        key: "forget-tanh", label: "Forget the (1 − h²) factor",
        find: "colTimes(oneMinusSquare(h[t + 1]), W)", replace: "W",
        why: "h⁽ᵗ⁺¹⁾ = tanh(a⁽ᵗ⁺¹⁾), so the path from h⁽ᵗ⁾ to h⁽ᵗ⁺¹⁾ passes through the tanh, whose derivative is " +
          "1 − (h⁽ᵗ⁺¹⁾)². Leaving it out treats the cell as linear. The last row, (4.2), has no such factor and stays " +
          "right; every earlier row is wrong, and the error grows as the recursion runs back in time. Everything " +
          "downstream, (4.5) and (4.7)–(4.9), inherits it.",
      },
      {
        key: "transpose-w", label: "Use Wᵀ (as in the forward pass) where (4.3) has W",
        find: "colTimes(oneMinusSquare(h[t + 1]), W)", replace: "colTimes(oneMinusSquare(h[t + 1]), transpose(W))",
        why: "The forward pass computes h⁽ᵗ⁾Wᵀ (weights stored [out, in]), so it is tempting to carry the Wᵀ into the " +
          "backward pass. But with row vectors the Jacobian of a⁽ᵗ⁺¹⁾ with respect to h⁽ᵗ⁾ is W itself: " +
          "∂a_i/∂h_j = W_ij. W is square, so Wᵀ raises no shape error; the numbers are simply wrong in every row " +
          "but the last, and in everything downstream.",
      },
    ],
  },
  "eq-4-4": {
    id: "eq-4-4", eq: "4.4", name: "dL_dc", args: ["dL_do", "tau", "vocab"], deps: ["eq-4-1"], rowKind: "token",
    reference: "lib/derivation/backward.ts · gradC",
    code: code([
      "// (4.4)  (DL)_c = Σ_t (DL)_{o^(t)}",
      "let dL_dc = zeros(vocab);",
      "for (let t = 0; t < tau; t++) {",
      "  dL_dc = add(dL_dc, dL_do[t]);",
      "}",
      "return dL_dc;",
    ]),
    experiments: [],
  },
  "eq-4-5": {
    id: "eq-4-5", eq: "4.5", name: "dL_db", args: ["dL_dh", "h", "tau", "hidden"], deps: ["eq-4-3"], rowKind: "index",
    reference: "lib/derivation/backward.ts · gradB",
    code: code([
      "// (4.5)  (DL)_b = Σ_t (DL)_{h^(t)} diag[1 − (h^(t))²]",
      "let dL_db = zeros(hidden);",
      "for (let t = 0; t < tau; t++) {",
      "  dL_db = add(dL_db, hadamard(dL_dh[t], oneMinusSquare(h[t])));   // a row times a diagonal is ⊙",
      "}",
      "return dL_db;",
    ]),
    experiments: [],
  },
  "eq-4-6": {
    id: "eq-4-6", eq: "4.6", name: "dL_dV", args: ["dL_do", "h", "tau", "vocab", "hidden"], deps: ["eq-4-1"], rowKind: "token",
    reference: "lib/derivation/backward.ts · gradV",
    code: code([
      "// (4.6)  (DL)_V = Σ_t (DL)_{o^(t)} ⊗ h^(t)",
      "let dL_dV = zeros(vocab, hidden);",
      "for (let t = 0; t < tau; t++) {",
      "  dL_dV = add(dL_dV, outer(dL_do[t], h[t]));",
      "}",
      "return dL_dV;",
    ]),
    experiments: [],
  },
  "eq-4-7": {
    id: "eq-4-7", eq: "4.7", name: "dL_dW", args: ["dL_dh", "h", "h0", "tau", "hidden"], deps: ["eq-4-3"], rowKind: "index",
    reference: "lib/derivation/backward.ts · gradW",
    code: code([
      "// (4.7)  (DL)_W = Σ_{t=0}^{τ−1} [(DL)_{h^(t+1)} ⊙ (1 − (h^(t+1))²)] ⊗ h^(t)",
      "let dL_dW = zeros(hidden, hidden);",
      "for (let t = 0; t <= tau - 1; t++) {",
      "  const h_t = t === 0 ? h0 : h[t - 1];   // h^(t): the rows of h are h^(1) … h^(τ)",
      "  const bracket = hadamard(dL_dh[t], oneMinusSquare(h[t]));   // step t + 1 is row t",
      "  dL_dW = add(dL_dW, outer(bracket, h_t));",
      "}",
      "return dL_dW;",
    ]),
    experiments: [],
  },
  "eq-4-8": {
    id: "eq-4-8", eq: "4.8", name: "dL_dU", args: ["dL_dh", "h", "x", "tau", "hidden", "dModel"], deps: ["eq-4-3"], rowKind: "index",
    reference: "lib/derivation/backward.ts · gradU",
    code: code([
      "// (4.8)  (DL)_U = Σ_t [(DL)_{h^(t)} ⊙ (1 − (h^(t))²)] ⊗ x^(t)",
      "let dL_dU = zeros(hidden, dModel);",
      "for (let t = 0; t < tau; t++) {",
      "  const bracket = hadamard(dL_dh[t], oneMinusSquare(h[t]));",
      "  dL_dU = add(dL_dU, outer(bracket, x[t]));",
      "}",
      "return dL_dU;",
    ]),
    experiments: [],
  },
  "eq-4-9": {
    id: "eq-4-9", eq: "4.9", name: "dL_dE", args: ["dL_dh", "h", "U", "inputs", "tau", "vocab", "dModel"], deps: ["eq-4-3"],
    rowKind: "token", reference: "lib/derivation/backward.ts · gradE",
    code: code([
      "// (4.9)  (DL)_E = Σ_t e_{i_t}ᵀ ([(DL)_{h^(t)} ⊙ (1 − (h^(t))²)] U)",
      "const dL_dE = zeros(vocab, dModel);",
      "for (let t = 0; t < tau; t++) {",
      "  const term = vecmat(hadamard(dL_dh[t], oneMinusSquare(h[t])), U);   // [(DL)_h ⊙ (1 − h²)] U",
      "  const i = inputs[t];   // e_{i_t}ᵀ puts the term into row i_t",
      "  dL_dE[i] = add(dL_dE[i], term);",
      "}",
      "return dL_dE;",
    ]),
    experiments: [{
      key: "assign", label: "Assign instead of accumulate",
      find: "dL_dE[i] = add(dL_dE[i], term);", replace: "dL_dE[i] = term;",
      why: "E is shared by every step, so its gradient is the sum over all the steps that read it (the Σ_t). Assigning " +
        "keeps only the last step that read each token. For a token read once that is the same thing, so exactly the " +
        "rows of tokens that occur more than once as inputs go wrong; all other rows still match.",
    }],
  },
  "eq-3-19": {
    id: "eq-3-19", eq: "3.19", name: "dL_dE", args: ["dL_dh", "h", "U", "inputs", "tau", "vocab", "dModel", "hidden"],
    deps: [], rowKind: "token", reference: "eq 4.9, lib/derivation/backward.ts · gradE",
    code: code([
      "// (3.19)  (DL)_E = Σ_t Σ_i Σ_m (DL)_{a_m^(t)} (Da_m^(t))_{x_i^(t)} (Dx_i^(t))_{E^(t)}",
      "const dL_dE = zeros(vocab, dModel);",
      "for (let t = 0; t < tau; t++) {",
      "  const dL_da = hadamard(dL_dh[t], oneMinusSquare(h[t]));   // (DL)_{a^(t)}",
      "  for (let i = 0; i < dModel; i++) {",
      "    for (let m = 0; m < hidden; m++) {",
      "      // (Da_m)_{x_i} = U[m][i]; (Dx_i)_E is 1 at row inputs[t], column i, 0 elsewhere",
      "      dL_dE[inputs[t]][i] += dL_da[m] * U[m][i];",
      "    }",
      "  }",
      "}",
      "return dL_dE;",
    ]),
    experiments: [{
      key: "one-term", label: "Keep only the last step's term",
      find: "      dL_dE[inputs[t]][i] += dL_da[m] * U[m][i];",
      replace: "      if (t === tau - 1) dL_dE[inputs[t]][i] += dL_da[m] * U[m][i];",
      why: "The Σ_t adds the contribution of every step that reads E. Keeping only step τ leaves just the row of the " +
        "last input token, and even that row is missing the earlier steps that read the same token.",
    }],
  },
  "eq-3-20": {
    id: "eq-3-20", eq: "3.20", name: "dL_dE", args: ["dL_dh", "h", "U", "inputs", "tau", "vocab", "dModel"],
    deps: [], rowKind: "token", reference: "eq 4.9, lib/derivation/backward.ts · gradE",
    code: code([
      "// (3.20)  (DL)_E = Σ_t [(DL)_{h^(t)} ⊙ (1 − (h^(t))²)] U (Dx^(t))_{E^(t)}",
      "const dL_dE = zeros(vocab, dModel);",
      "for (let t = 0; t < tau; t++) {",
      "  const v = vecmat(hadamard(dL_dh[t], oneMinusSquare(h[t])), U);   // [(DL)_h ⊙ (1 − h²)] U",
      "  // (Dx^(t))_{E^(t)}: block r (d_model × d_model) is the identity if r = input^(t), else zero",
      "  for (let r = 0; r < vocab; r++) {",
      "    for (let j = 0; j < dModel; j++) {",
      "      for (let k = 0; k < dModel; k++) {",
      "        const block = r === inputs[t] && j === k ? 1 : 0;",
      "        dL_dE[r][j] += v[k] * block;",
      "      }",
      "    }",
      "  }",
      "}",
      "return dL_dE;",
    ]),
    experiments: [{
      key: "transpose-u", label: "Use Uᵀ (as in the forward pass) where (3.20) has U",
      find: "oneMinusSquare(h[t])), U);", replace: "oneMinusSquare(h[t])), transpose(U));",
      why: "The forward pass computes x⁽ᵗ⁾Uᵀ, but with row vectors the Jacobian (Da⁽ᵗ⁾)_{x⁽ᵗ⁾} is U itself, hidden × " +
        "d_model. With hidden ≠ d_model, Uᵀ does not even fit: the product fails with a shape error. With hidden = " +
        "d_model it fits and every non-zero row is wrong.",
    }],
  },
  "eq-3-21": {
    id: "eq-3-21", eq: "3.21", name: "dL_dE", args: ["dL_dh", "h", "U", "inputs", "tau", "vocab", "dModel"],
    deps: [], rowKind: "token", reference: "eq 4.9, lib/derivation/backward.ts · gradE",
    code: code([
      "// (3.21)  (DL)_E = Σ_t e_{i_t}ᵀ ([(DL)_{h^(t)} ⊙ (1 − (h^(t))²)] U)",
      "let dL_dE = zeros(vocab, dModel);",
      "for (let t = 0; t < tau; t++) {",
      "  const v = vecmat(hadamard(dL_dh[t], oneMinusSquare(h[t])), U);   // a row, 1 × d_model",
      "  const e = oneHot(inputs[t], vocab);                                // e_{i_t}, a row",
      "  dL_dE = add(dL_dE, outer(e, v));                                   // e_{i_t}ᵀ v: vocab × d_model",
      "}",
      "return dL_dE;",
    ]),
    experiments: [{
      key: "assign", label: "Assign instead of accumulate",
      find: "dL_dE = add(dL_dE, outer(e, v));", replace: "dL_dE = outer(e, v);",
      why: "Each term e_{i_t}ᵀ v is a whole vocab × d_model matrix, zero outside one row. Assigning it instead of adding " +
        "throws away every earlier step: only the row of the last input token survives, and only with its last term.",
    }],
  },
};

export function editable(id: EditId): Editable {
  return CATALOGUE[id];
}

export const isEditId = (s: string): s is EditId => (EDIT_IDS as readonly string[]).includes(s);

/** Apply a guided experiment to a piece of code; throws if the code no longer contains the text it edits. */
export function applyExperiment(source: string, e: Experiment): string {
  const at = source.indexOf(e.find);
  if (at < 0 || source.indexOf(e.find, at + 1) >= 0) throw new Error(`experiment ${e.key}: its text must occur exactly once`);
  return source.slice(0, at) + e.replace + source.slice(at + e.find.length);
}

/** The editable ids whose value (transitively) feeds `id`'s inputs. */
export function upstreamOf(id: EditId): EditId[] {
  const out = new Set<EditId>();
  const visit = (k: EditId) => {
    for (const d of CATALOGUE[k].deps) if (!out.has(d)) {
      out.add(d);
      visit(d);
    }
  };
  visit(id);
  return EDIT_IDS.filter((k) => out.has(k));
}

// ———————————————————————————————————————— the reader's helper library ————————————————————————————————————————

/** One line per helper, shown above the editor. */
export const HELPER_DOC = [
  "zeros(n) → number[];  zeros(rows, cols) → number[][]",
  "add(a, b): elementwise sum of two vectors or two matrices",
  "hadamard(u, v): u ⊙ v, elementwise product of two vectors",
  "oneMinusSquare(v): 1 − v², elementwise",
  "vecmat(v, M): the row vector v times the matrix M",
  "colTimes(v, M): [v] ⊙ M with v as a column: row i of M times v[i]",
  "outer(u, v): u ⊗ v, the matrix with entries u[i] · v[j]",
  "transpose(M);  oneHot(i, n): the row vector with a 1 at index i",
] as const;

class EditShapeError extends Error {
  override name = "ShapeError";
}

const isMat = (a: unknown): a is number[][] => Array.isArray(a) && a.length > 0 && Array.isArray(a[0]);
const vlen = (v: unknown, op: string, what: string): number => {
  if (!Array.isArray(v) || (v.length > 0 && Array.isArray(v[0]))) throw new EditShapeError(`${op}: ${what} must be a vector (number[])`);
  return v.length;
};
const mshape = (m: unknown, op: string, what: string): [number, number] => {
  if (!Array.isArray(m) || !m.every(Array.isArray)) throw new EditShapeError(`${op}: ${what} must be a matrix (number[][])`);
  const rows = m as number[][];
  const cols = rows.length ? rows[0]!.length : 0;
  if (rows.some((r) => r.length !== cols)) throw new EditShapeError(`${op}: ${what} has rows of different lengths`);
  return [rows.length, cols];
};

/** The helpers the reader's code can call. Plain arrays in, plain arrays out; shape errors name the operation. */
export const HELPERS = {
  zeros(rows: number, cols?: number): number[] | number[][] {
    for (const n of cols === undefined ? [rows] : [rows, cols]) {
      if (!Number.isInteger(n) || n < 0) throw new EditShapeError(`zeros: sizes must be non-negative integers, got ${n}`);
    }
    return cols === undefined ? new Array<number>(rows).fill(0) : Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  },
  add(a: number[] | number[][], b: number[] | number[][]): number[] | number[][] {
    if (isMat(a) || isMat(b)) {
      const [ra, ca] = mshape(a, "add", "a"), [rb, cb] = mshape(b, "add", "b");
      if (ra !== rb || ca !== cb) throw new EditShapeError(`add: shapes [${ra},${ca}] and [${rb},${cb}] must match`);
      return (a as number[][]).map((r, i) => r.map((v, j) => v + (b as number[][])[i]![j]!));
    }
    const n = vlen(a, "add", "a"), m = vlen(b, "add", "b");
    if (n !== m) throw new EditShapeError(`add: lengths ${n} and ${m} must match`);
    return (a as number[]).map((v, i) => v + (b as number[])[i]!);
  },
  hadamard(u: number[], v: number[]): number[] {
    const n = vlen(u, "hadamard", "u"), m = vlen(v, "hadamard", "v");
    if (n !== m) throw new EditShapeError(`hadamard: lengths ${n} and ${m} must match`);
    return u.map((x, i) => x * v[i]!);
  },
  oneMinusSquare(v: number[]): number[] {
    vlen(v, "oneMinusSquare", "v");
    return v.map((x) => 1 - x * x);
  },
  vecmat(v: number[], M: number[][]): number[] {
    const n = vlen(v, "vecmat", "v");
    const [r, c] = mshape(M, "vecmat", "M");
    if (n !== r) throw new EditShapeError(`vecmat: vector of length ${n} times matrix [${r},${c}]: ${n} must equal ${r}`);
    const out = new Array<number>(c).fill(0);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j]! += v[i]! * M[i]![j]!;
    return out;
  },
  colTimes(v: number[], M: number[][]): number[][] {
    const n = vlen(v, "colTimes", "v");
    const [r, c] = mshape(M, "colTimes", "M");
    if (n !== r) throw new EditShapeError(`colTimes: vector of length ${n} as a column against matrix [${r},${c}]: ${n} must equal ${r}`);
    return M.map((row, i) => row.map((x) => x * v[i]!));
  },
  outer(u: number[], v: number[]): number[][] {
    vlen(u, "outer", "u");
    vlen(v, "outer", "v");
    return u.map((a) => v.map((b) => a * b));
  },
  transpose(M: number[][]): number[][] {
    const [r, c] = mshape(M, "transpose", "M");
    return Array.from({ length: c }, (_, j) => Array.from({ length: r }, (_, i) => M[i]![j]!));
  },
  oneHot(i: number, n: number): number[] {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new EditShapeError(`oneHot: index ${i} is out of range 0 … ${n - 1}`);
    const out = new Array<number>(n).fill(0);
    out[i] = 1;
    return out;
  },
};
export const HELPER_NAMES = Object.keys(HELPERS) as (keyof typeof HELPERS)[];

// ——————————————————————————————— inputs of each quantity, and the effective values ———————————————————————————————

export const nested = (m: Matrix): number[][] => Array.from({ length: m.rows }, (_, i) => Array.from(row(m, i)));

/** Values computed from the reader's code, keyed by equation (Float64, in lib/'s types). */
export type Overrides = Partial<Record<EditId, Matrix | Vector>>;

/** The gradients a page shows, with the reader's versions substituted where they have run one. */
export interface Effective extends Omit<Gradients, "dL_da"> {
  /** (DL)_{h⁽τ⁾} as eq 4.2 gave it (the reader's, when they edited 4.2), which the recursion 4.3 starts from. */
  dL_dh_tau: Vector;
  /** For each equation, the reader's edits its value comes from (itself included); empty when all is lib/'s. */
  uses: Record<EditId, EditId[]>;
}

/** The lib/ value of one quantity computed from the (effective) upstream values in `eff`. */
export function referenceValue(id: EditId, ex: Example, eff: Effective): Matrix | Vector {
  const { h, h0, x } = ex.fwd;
  const vocab = ex.labels.length;
  switch (id) {
    case "eq-4-1": return ex.grads.dL_do;
    case "eq-4-2": return mVecmat(row(eff.dL_do, ex.inputs.length - 1), ex.params.V);
    case "eq-4-3": return hiddenGradsFrom(eff.dL_do, eff.dL_dh_tau, h, ex.params.V, ex.params.W);
    case "eq-4-4": return gradC(eff.dL_do);
    case "eq-4-5": return gradB(eff.dL_dh, h);
    case "eq-4-6": return gradV(eff.dL_do, h);
    case "eq-4-7": return gradW(eff.dL_dh, h, h0);
    case "eq-4-8": return gradU(eff.dL_dh, h, x);
    default: return gradE(eff.dL_dh, h, ex.params.U, ex.inputs, vocab); // 4.9 and the forms 3.19–3.21
  }
}

/** The finite-difference value of one quantity: the independent check, whatever the reader changed upstream. */
export function numericalValue(id: EditId, ex: Example, fd: NumericalGradients): Matrix | Vector {
  switch (id) {
    case "eq-4-1": return fd.dL_do;
    case "eq-4-2": return row(fd.dL_dh, ex.inputs.length - 1).slice();
    case "eq-4-3": return fd.dL_dh;
    case "eq-4-4": return fd.params.c;
    case "eq-4-5": return fd.params.b;
    case "eq-4-6": return fd.params.V;
    case "eq-4-7": return fd.params.W;
    case "eq-4-8": return fd.params.U;
    default: return fd.params.E;
  }
}

const FIELD: Partial<Record<EditId, keyof Omit<Effective, "uses">>> = {
  "eq-4-1": "dL_do", "eq-4-2": "dL_dh_tau", "eq-4-3": "dL_dh", "eq-4-4": "dL_dc", "eq-4-5": "dL_db",
  "eq-4-6": "dL_dV", "eq-4-7": "dL_dW", "eq-4-8": "dL_dU", "eq-4-9": "dL_dE",
};

/**
 * The summary's nine quantities with the reader's overrides substituted, in dependency order, so that a reader's
 * (4.1) feeds (4.2)–(4.3) and those feed (4.5)–(4.9). With no overrides this is exactly `ex.grads`.
 */
export function effective(ex: Example, overrides: Overrides = {}): Effective {
  const g = ex.grads;
  const tau = ex.inputs.length;
  const uses = Object.fromEntries(EDIT_IDS.map((k) => [k, [] as EditId[]])) as Record<EditId, EditId[]>;
  const eff = {
    dL_do: g.dL_do, dL_dh_tau: row(g.dL_dh, tau - 1), dL_dh: g.dL_dh, dL_dc: g.dL_dc, dL_db: g.dL_db,
    dL_dV: g.dL_dV, dL_dW: g.dL_dW, dL_dU: g.dL_dU, dL_dE: g.dL_dE, uses,
  } as Effective;
  for (const id of SUMMARY_IDS) {
    const from = new Set<EditId>();
    for (const d of CATALOGUE[id].deps) for (const k of uses[d]) from.add(k);
    const own = overrides[id];
    const field = FIELD[id]!;
    if (own) {
      (eff as unknown as Record<string, Matrix | Vector>)[field] = own;
      from.add(id);
    } else if (from.size) {
      (eff as unknown as Record<string, Matrix | Vector>)[field] = referenceValue(id, ex, eff);
    }
    uses[id] = EDIT_IDS.filter((k) => from.has(k));
  }
  return eff;
}

const asNested = (v: Matrix | Vector): number[] | number[][] => ("data" in v ? nested(v) : Array.from(v));

/** The arguments `id`'s code receives, built from the example and the effective upstream values. */
export function argsFor(id: EditId, ex: Example, eff: Effective): Record<string, unknown> {
  const p = ex.params, f = ex.fwd;
  const all: Record<keyof EditContext, () => unknown> = {
    tau: () => ex.inputs.length, vocab: () => ex.labels.length, dModel: () => ex.config.dModel, hidden: () => ex.config.hidden,
    yhat: () => nested(f.yhat), targets: () => [...ex.targets], inputs: () => [...ex.inputs], h: () => nested(f.h),
    h0: () => Array.from(f.h0), x: () => nested(f.x), E: () => nested(p.E), U: () => nested(p.U), W: () => nested(p.W),
    V: () => nested(p.V), dL_do: () => asNested(eff.dL_do), dL_dh_tau: () => Array.from(eff.dL_dh_tau),
    dL_dh: () => asNested(eff.dL_dh),
  };
  return Object.fromEntries(CATALOGUE[id].args.map((k) => [k, all[k]()]));
}
