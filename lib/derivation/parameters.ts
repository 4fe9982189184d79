/**
 * §3.3–3.7 of "BPTT Derivations" (A. Singh), the page /parameters: the gradients with respect to the biases c and b
 * and the weights V, W and U, each in the intermediate form the text writes before it reaches the summary —
 * dummy variables c⁽ᵗ⁾ with explicit identity Jacobians (eqs 3.9–3.10), explicit diagonal matrices (eq 3.12),
 * sums over one index of the matrices displayed after eqs 3.13 and 3.15 (eqs 3.13, 3.15, 3.17) — and the terms of
 * eq 3.16 one step at a time, with the erratum of the sentence before it and eq 3.17's middle factor as printed.
 * The outer-product forms eqs 3.11, 3.14, 3.16 and 3.18 are eqs 4.4 and 4.6–4.8 of the summary, which the page
 * takes from lib/derivation/backward.ts, the code these forms are checked against.
 *
 * Conventions are those of lib/derivation/backward.ts: row vectors, weights stored [out, in], row t − 1 of every
 * τ-row matrix is time step t. Nothing here reuses backward.ts's arithmetic (see lib/derivation/logits.ts).
 */
import { hPrevAt } from "./forward.js";
import { type Matrix, type Vector, addInPlace, diag, get, maxAbs, outer, row, vaddInPlace, vecmat, zeros } from "../core/matrix.js";
import { oneMinusHSquared } from "./hidden.js";
import { checkCount, checkH0, checkHiddenLength, checkHiddenPair, checkHiddenPairAndX, checkIndex, checkOutputPair, stepsOf } from "./validate.js";
import { experiments } from "../core/experiment.js";

function identity(n: number): Matrix {
  return diag(new Float64Array(n).fill(1));
}

/** out += s·M: the sums of §3 add whole Jacobian-shaped matrices, weighted by a scalar partial. */
export function addScaledInPlace(out: Matrix, s: number, m: Matrix): void {
  for (let k = 0; k < out.data.length; k++) out.data[k]! += s * m.data[k]!;
}

/** The matrix displayed after eqs 3.13 and 3.15: zero except `v` in row i (for a_i = Σ_j M_ij v_j, ∂a_i/∂M_kj = 1{k=i} v_j). */
function onlyRow(op: string, i: number, v: Vector, rows: number): Matrix {
  checkCount(op, "rows", rows);
  checkIndex(op, "row index i", i, rows);
  const out = zeros(rows, v.length);
  row(out, i).set(v);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.3 Hidden-to-logit bias c.

/**
 * eq 3.10, one term per step: (DL)_{c⁽ᵗ⁾} = (DL)_{o⁽ᵗ⁾}(Do⁽ᵗ⁾)_{c⁽ᵗ⁾}, the dummy variable c⁽ᵗ⁾ standing for the
 * use of c at step t, with (Do⁽ᵗ⁾)_{c⁽ᵗ⁾} built as an explicit vocab × vocab identity (o = hVᵀ + c). Element t − 1
 * of the result is step t.
 */
export function gradCPerStep(dL_do: Matrix): Vector[] {
  const tau = stepsOf("gradCPerStep", "dL_do", dL_do);
  const do_dc = identity(dL_do.cols);
  return Array.from({ length: tau }, (_, t) => vecmat(row(dL_do, t), do_dc));
}

/**
 * eq 3.9 with eq 3.10's terms: (DL)_c = Σ_t (DL)_{c⁽ᵗ⁾} — a shared parameter's gradient is the sum over its uses.
 * Compared with eq 3.11 (= eq 4.4, Σ_t (DL)_{o⁽ᵗ⁾}), where the identity has been dropped.
 */
export function gradCDummySum(dL_do: Matrix): Vector {
  const dL_dc = new Float64Array(dL_do.cols);
  for (const dL_dct of gradCPerStep(dL_do)) vaddInPlace(dL_dc, dL_dct);
  return dL_dc;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.4 Input-to-hidden bias b.

/**
 * eq 3.12: (DL)_b = Σ_t (DL)_{h⁽ᵗ⁾}(Dh⁽ᵗ⁾)_{a⁽ᵗ⁾}(Da⁽ᵗ⁾)_{b⁽ᵗ⁾} = Σ_t (DL)_{h⁽ᵗ⁾} diag[1 − (h⁽ᵗ⁾)²], with both
 * Jacobians as explicit hidden × hidden matrices; (Da)_b is the identity because b enters a⁽ᵗ⁾ added.
 */
export function gradBDiagForm(dL_dh: Matrix, h: Matrix): Vector {
  const tau = checkHiddenPair("gradBDiagForm", dL_dh, h);
  const da_db = identity(h.cols);
  const dL_db = new Float64Array(h.cols);
  for (let t = 0; t < tau; t++) {
    const dh_da = diag(oneMinusHSquared(row(h, t)));
    vaddInPlace(dL_db, vecmat(vecmat(row(dL_dh, t), dh_da), da_db));
  }
  return dL_db;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.5 Hidden-to-logit weights V.

/** (Do_i⁽ᵗ⁾)_V, the matrix displayed after eq 3.13: vocab × hidden, zero except h⁽ᵗ⁾ in row i (o_i = Σ_j v_ij h_j + c_i). */
export function dOi_dV(i: number, h_t: Vector, vocab: number): Matrix {
  return onlyRow("dOi_dV", i, h_t, vocab);
}

/**
 * eq 3.13: (DL)_V = Σ_t Σ_i (DL)_{o_i⁽ᵗ⁾}(Do_i⁽ᵗ⁾)_V, adding the explicit matrices (Do_i⁽ᵗ⁾)_V weighted by scalars —
 * before the text recognises the inner sum as the outer product of eq 3.14 (= eq 4.6, gradV in backward.ts).
 */
export function gradVPerIndexForm(dL_do: Matrix, h: Matrix): Matrix {
  const tau = checkOutputPair("gradVPerIndexForm", dL_do, h);
  const vocab = dL_do.cols;
  const dL_dV = zeros(vocab, h.cols);
  for (let t = 0; t < tau; t++) {
    const h_t = row(h, t);
    for (let i = 0; i < vocab; i++) addScaledInPlace(dL_dV, get(dL_do, t, i), dOi_dV(i, h_t, vocab));
  }
  return dL_dV;
}

/**
 * The two orders of eq 3.14's outer product at one step: (DL)_{o⁽ᵗ⁾} ⊗ h⁽ᵗ⁾, vocab × hidden, the shape of V stored
 * [out, in]; and h⁽ᵗ⁾ ⊗ (DL)_{o⁽ᵗ⁾}, hidden × vocab, the layout of a weight stored [in, out] and used as hV.
 */
export function outerProductOrders(dL_do_t: Vector, h_t: Vector): { logitFirst: Matrix; hiddenFirst: Matrix } {
  return { logitFirst: outer(dL_do_t, h_t), hiddenFirst: outer(h_t, dL_do_t) };
}

// ---------------------------------------------------------------------------------------------------------------
// §3.6 Hidden-to-hidden weights W.

/** (Da_i⁽ᵗ⁺¹⁾)_{W⁽ᵗ⁾}, the matrix displayed after eq 3.15: hidden × hidden, zero except h⁽ᵗ⁾ in row i (a_i⁽ᵗ⁺¹⁾ = Σ_j W_ij h_j⁽ᵗ⁾ + …). */
export function dAi_dW(i: number, hPrev: Vector, hidden: number): Matrix {
  checkHiddenLength("dAi_dW", "hPrev", hPrev, hidden);
  return onlyRow("dAi_dW", i, hPrev, hidden);
}

/**
 * eq 3.15: (DL)_W = Σ_{t=0}^{τ−1} Σ_i (DL)_{h_i⁽ᵗ⁺¹⁾}(1 − (h_i⁽ᵗ⁺¹⁾)²)(Da_i⁽ᵗ⁺¹⁾)_{W⁽ᵗ⁾}, the i-th diagonal entry
 * of (Dh⁽ᵗ⁺¹⁾)_{a⁽ᵗ⁺¹⁾} being the only way a_i reaches h_i. The sum starts at t = 0 because W⁽⁰⁾ acts on h⁽⁰⁾
 * (= h0), which contributes unless it is zero. Its outer-product form is eq 3.16 (= eq 4.7, gradW in backward.ts).
 */
export function gradWPerIndexForm(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const tau = checkHiddenPair("gradWPerIndexForm", dL_dh, h);
  checkH0("gradWPerIndexForm", h0, h);
  const hidden = h.cols;
  const dL_dW = zeros(hidden, hidden);
  for (let t = 0; t <= tau - 1; t++) {
    const hNext = row(h, t), hPrev = hPrevAt({ h0, h }, t), dL_dhNext = row(dL_dh, t);
    for (let i = 0; i < hidden; i++) {
      const dhi_dai = 1 - hNext[i]! * hNext[i]!;
      addScaledInPlace(dL_dW, dL_dhNext[i]! * dhi_dai, dAi_dW(i, hPrev, hidden));
    }
  }
  return dL_dW;
}

/**
 * NOT a correct gradient: the prose between eq 3.15 and eq 3.16 writes the outer product as
 * Σ_t [(DL)_{h⁽ᵗ⁺¹⁾} ⊙ (1 − h⁽ᵗ⁺¹⁾)²] ⊗ h⁽ᵗ⁾, squaring (1 − h) where eq 3.16 (and the entrywise sentence just
 * before it) has 1 − (h⁽ᵗ⁺¹⁾)². Evaluated here as written so a page can show the erratum numerically; the
 * two agree only where h = 0 or h = 1.
 */
export function gradWAsPrinted(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const tau = checkHiddenPair("gradWAsPrinted", dL_dh, h);
  checkH0("gradWAsPrinted", h0, h);
  const hidden = h.cols;
  const dL_dW = zeros(hidden, hidden);
  for (let t = 0; t <= tau - 1; t++) {
    const hNext = row(h, t), hPrev = hPrevAt({ h0, h }, t), dL_dhNext = row(dL_dh, t);
    for (let i = 0; i < hidden; i++) {
      const typo = dL_dhNext[i]! * (1 - hNext[i]!) * (1 - hNext[i]!);
      for (let j = 0; j < hidden; j++) dL_dW.data[i * hidden + j]! += typo * hPrev[j]!;
    }
  }
  return dL_dW;
}

/**
 * eq 3.16 one term at a time: element t (the source's t = 0 … τ − 1) is
 * [(DL)_{h⁽ᵗ⁺¹⁾} ⊙ (1 − (h⁽ᵗ⁺¹⁾)²)] ⊗ h⁽ᵗ⁾, a hidden × hidden matrix, with h⁽⁰⁾ = h0 in the term t = 0.
 * Their sum is (DL)_W; the term t = 0 is exactly zero when h0 is, and only then.
 */
export function gradWPerStep(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix[] {
  const tau = checkHiddenPair("gradWPerStep", dL_dh, h);
  checkH0("gradWPerStep", h0, h);
  const n = h.cols;
  return Array.from({ length: tau }, (_, t) => {
    const hNext = row(h, t), dL_dhNext = row(dL_dh, t), hPrev = hPrevAt({ h0, h }, t);
    const term = zeros(n, n);
    for (let i = 0; i < n; i++) {
      const g = dL_dhNext[i]! * (1 - hNext[i]! * hNext[i]!);
      for (let j = 0; j < n; j++) term.data[i * n + j] = g * hPrev[j]!;
    }
    return term;
  });
}

/** The size of each term of eq 3.16, max |entry| of term t = 0 … τ − 1: how much each step adds to (DL)_W. */
export function gradWTermSizes(dL_dh: Matrix, h: Matrix, h0: Vector): Vector {
  return Float64Array.from(gradWPerStep(dL_dh, h, h0), maxAbs);
}

/**
 * NOT the gradient unless h0 = 0: eq 3.16 with its sum started at t = 1, i.e. without the term that W⁽⁰⁾
 * contributes through h⁽⁰⁾. Kept to show numerically why the source's sum runs from t = 0.
 */
export function gradWWithoutH0Term(dL_dh: Matrix, h: Matrix, h0: Vector): Matrix {
  const terms = gradWPerStep(dL_dh, h, h0);
  const out = zeros(h.cols, h.cols);
  for (const term of terms.slice(1)) addInPlace(out, term);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// §3.7 Input-to-hidden weights U.

/** (Da_i⁽ᵗ⁾)_{U⁽ᵗ⁾} of eq 3.17: hidden × d_model, zero except x⁽ᵗ⁾ in row i (a_i⁽ᵗ⁾ = Σ_j U_ij x_j⁽ᵗ⁾ + …). */
export function dAi_dU(i: number, x_t: Vector, hidden: number): Matrix {
  return onlyRow("dAi_dU", i, x_t, hidden);
}

/**
 * eq 3.17: (DL)_U = Σ_t Σ_i (DL)_{h_i⁽ᵗ⁾}(Dh_i⁽ᵗ⁾)_{a_i⁽ᵗ⁾}(Da_i⁽ᵗ⁾)_{U⁽ᵗ⁾}, with (Dh_i)_{a_i} = 1 − (h_i⁽ᵗ⁾)². The
 * source prints the middle factor as (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾} and the first sum's term as (DL)_t; both are read here as
 * §3.6's "identical reasoning" requires. Its outer-product form is eq 3.18 (= eq 4.8, gradU in backward.ts).
 */
export function gradUPerIndexForm(dL_dh: Matrix, h: Matrix, x: Matrix): Matrix {
  const tau = checkHiddenPairAndX("gradUPerIndexForm", dL_dh, h, x);
  const hidden = h.cols;
  const dL_dU = zeros(hidden, x.cols);
  for (let t = 0; t < tau; t++) {
    const h_t = row(h, t), x_t = row(x, t), dL_dh_t = row(dL_dh, t);
    for (let i = 0; i < hidden; i++) {
      const dhi_dai = 1 - h_t[i]! * h_t[i]!;
      addScaledInPlace(dL_dU, dL_dh_t[i]! * dhi_dai, dAi_dU(i, x_t, hidden));
    }
  }
  return dL_dU;
}

/**
 * The middle factor of eq 3.17 as printed, (Dh⁽ᵗ⁾)_{a_i⁽ᵗ⁾}: the derivative of the whole vector h⁽ᵗ⁾ with respect
 * to the one scalar a_i⁽ᵗ⁾, a hidden × 1 column — column i of diag[1 − (h⁽ᵗ⁾)²], zero except 1 − (h_i⁽ᵗ⁾)² in
 * row i. That entry is the scalar (Dh_i⁽ᵗ⁾)_{a_i⁽ᵗ⁾} the sum needs; the column itself does not multiply the
 * hidden × d_model matrix (Da_i⁽ᵗ⁾)_{U⁽ᵗ⁾} unless hidden = 1.
 */
export function dH_dAiAsPrinted(i: number, h_t: Vector): Matrix {
  checkIndex("dH_dAiAsPrinted", "hidden index i", i, h_t.length);
  const col = zeros(h_t.length, 1);
  col.data[i] = 1 - h_t[i]! * h_t[i]!;
  return col;
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake its page's check catches ———

experiments(gradCPerStep, [{
  label: "Average the uses of c instead of adding them",
  find: "vecmat(row(dL_do, t), do_dc)",
  replace: "vecmat(row(dL_do, t), do_dc).map((v) => v / tau)",
  why: "A shared parameter's gradient is the sum of its uses (3.9), not their mean. The 1/τ of the mean loss (1.2) is already " +
    "inside (DL)_{o⁽ᵗ⁾}; dividing each use by τ again makes the sum τ times too small, and finite differences of L in c disagree.",
}]);

experiments(gradCDummySum, [{
  label: "Drop the sum over t: keep the last use of c only",
  find: "for (const dL_dct of gradCPerStep(dL_do)) vaddInPlace(dL_dc, dL_dct);",
  replace: "for (const dL_dct of gradCPerStep(dL_do).slice(-1)) vaddInPlace(dL_dc, dL_dct); // the last step's c⁽τ⁾ only",
  why: "c is added to the logits at every step, so L depends on c through all τ copies c⁽ᵗ⁾, and (3.9) sums them. Keeping one " +
    "step's term is the gradient of that step's share of the loss alone; the other τ − 1 uses are missing, and (4.4) disagrees.",
}]);

experiments(gradBDiagForm, [
  {
    label: "Drop the sum over t: assign each step's term instead of adding it",
    find: "vaddInPlace(dL_db, vecmat(vecmat(row(dL_dh, t), dh_da), da_db));",
    replace: "dL_db.set(vecmat(vecmat(row(dL_dh, t), dh_da), da_db)); // assigned, not added: the last step wins",
    why: "b is used at every step, so its gradient is the sum (3.12) over all τ uses. Assigning instead of accumulating keeps " +
      "only the last step's term (DL)_{h⁽τ⁾} diag[1 − (h⁽τ⁾)²], and finite differences of L in b disagree.",
  },
  {
    label: "Forget tanh′: take (Dh⁽ᵗ⁾)_{a⁽ᵗ⁾} as the identity",
    find: "const dh_da = diag(oneMinusHSquared(row(h, t)));",
    replace: "const dh_da = identity(h.cols);",
    why: "b reaches the loss through h⁽ᵗ⁾ = tanh(a⁽ᵗ⁾), whose Jacobian is diag[1 − (h⁽ᵗ⁾)²], not the identity: that would be " +
      "the gradient of a linear RNN. Every entry is too large by the factor 1/(1 − h²) that tanh′ would have applied.",
  },
]);

experiments(dOi_dV, [{
  label: "h⁽ᵗ⁾ in every row: as if o_i depended on all of V",
  find: 'return onlyRow("dOi_dV", i, h_t, vocab);',
  replace: "const m = zeros(vocab, h_t.length);\n  for (let k = 0; k < vocab; k++) row(m, k).set(h_t); // every row, not just row i\n  return m;",
  why: "o_i = Σ_j v_ij h_j + c_i reads row i of V and nothing else, so (Do_i)_V is zero outside row i. Filling every row is " +
    "the Jacobian of the sum of all the logits, Σ_k o_k; finite differences of o_i in V disagree in every row but i.",
}]);

experiments(gradVPerIndexForm, [{
  label: "h ⊗ (DL)_o written into V's [out, in] storage (a reshape for a transpose)",
  find: "for (let i = 0; i < vocab; i++) addScaledInPlace(dL_dV, get(dL_do, t, i), dOi_dV(i, h_t, vocab));",
  replace: "for (let i = 0; i < vocab; i++) for (let j = 0; j < h.cols; j++) dL_dV.data[j * vocab + i]! += get(dL_do, t, i) * h_t[j]!; // h ⊗ (DL)_o, hidden × vocab, in V's buffer",
  why: "Entry (i, j) of (DL)_V pairs logit i with hidden unit j: (DL)_{o_i} h_j, in row i of V, which is stored [out, in]. " +
    "Accumulating h ⊗ (DL)_o, the [in, out] layout, into the same buffer and reading it as vocab × hidden (what a reshape " +
    "does where a transpose was needed) puts every product in the wrong place, with no error on shape.",
}]);

experiments(dAi_dW, [{
  label: "h⁽ᵗ⁾ in column i instead of row i (the Jacobian transposed)",
  find: 'return onlyRow("dAi_dW", i, hPrev, hidden);',
  replace: "const m = zeros(hidden, hidden);\n  for (let k = 0; k < hidden; k++) m.data[k * hidden + i] = hPrev[k]!; // column i\n  return m;",
  why: "a_i⁽ᵗ⁺¹⁾ = Σ_j W_ij h_j⁽ᵗ⁾ + … reads row i of W (stored [out, in]), so its Jacobian has h⁽ᵗ⁾ in row i. Column i holds " +
    "the weights W_ki of unit i's output to every unit k, which a_i does not read. W is square, so only the numbers tell: " +
    "finite differences of a_i in W disagree.",
}]);

experiments(gradWPerIndexForm, [
  {
    label: "(1 − h)² for 1 − h²",
    find: "const dhi_dai = 1 - hNext[i]! * hNext[i]!;",
    replace: "const dhi_dai = (1 - hNext[i]!) * (1 - hNext[i]!);",
    why: "tanh′(a) = 1 − tanh²(a) = 1 − h²: the square is of h, not of 1 − h (the slip of the sentence before (3.16)). " +
      "(1 − h)² = 1 − 2h + h² agrees with it only where h = 0, so every term is scaled by the wrong factor and (4.7) disagrees.",
  },
  {
    label: "h⁽ᵗ⁺¹⁾ for the previous state h⁽ᵗ⁾",
    find: "hPrev = hPrevAt({ h0, h }, t)",
    replace: "hPrev = row(h, t)",
    why: "W⁽ᵗ⁾ acts on the state it receives, h⁽ᵗ⁾, to make a⁽ᵗ⁺¹⁾: the row of (Da_i⁽ᵗ⁺¹⁾)_W is h⁽ᵗ⁾, one step behind the " +
      "h⁽ᵗ⁺¹⁾ of the tanh factor. Pairing each bracket with h⁽ᵗ⁺¹⁾ instead (an off-by-one of the index t) drops the h⁽⁰⁾ term " +
      "and shifts every other, and (4.7) disagrees.",
  },
  {
    label: "The transposed outer product: h⁽ᵗ⁾ in column i",
    find: "addScaledInPlace(dL_dW, dL_dhNext[i]! * dhi_dai, dAi_dW(i, hPrev, hidden));",
    replace: "for (let j = 0; j < hidden; j++) dL_dW.data[j * hidden + i]! += dL_dhNext[i]! * dhi_dai * hPrev[j]!; // column i",
    why: "Unit i's bracket (DL)_{a_i⁽ᵗ⁺¹⁾} belongs in row i, beside the weights W_ij that a_i reads. Putting it in column i sums " +
      "h⁽ᵗ⁾ ⊗ [bracket] = ((DL)_W)ᵀ. W is square, so the shape cannot catch it (§3.5's table cannot help here); only the " +
      "numbers can, and (4.7) disagrees.",
  },
]);

experiments(gradUPerIndexForm, [{
  label: "x ⊗ [bracket] written into U's [out, in] storage",
  find: "addScaledInPlace(dL_dU, dL_dh_t[i]! * dhi_dai, dAi_dU(i, x_t, hidden));",
  replace: "for (let j = 0; j < x.cols; j++) dL_dU.data[j * hidden + i]! += dL_dh_t[i]! * dhi_dai * x_t[j]!; // x ⊗ [bracket], d_model × hidden",
  why: "U is stored [out, in] = hidden × d_model, so unit i's bracket goes in row i, times x⁽ᵗ⁾. Accumulating x⁽ᵗ⁾ ⊗ [bracket], " +
    "the d_model × hidden layout, into U's buffer puts each product at the wrong place; the buffer has the right length, so " +
    "nothing fails on shape, and (4.8) disagrees.",
}]);
