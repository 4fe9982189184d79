/**
 * The /d2l page: D2L's "Backpropagation Through Time" §2, every gradient of the simplified RNN (d2l eqs 2.1–2.5),
 * and its §1, the general recursion for ∂h_t/∂w_h in forward mode (d2l eqs 1c–1e), one function per equation. The
 * model, its forward pass (eqs 2a, 2b) and the numbering of every equation are in lib/d2l/model.ts; the notation
 * bridge of the page's last section is lib/d2l/bridge.ts.
 */
import {
  type Activation, type D2LForward, type D2LOptions, type D2LParams, type D2LSequence, type Targets, type WeightGrads,
  type WhLayout, type WhName, activationDerivative, d2lForward, hPrevAt, mtv, optionsOf, stepLossGrad, whLayout,
} from "./model.js";
import { type Matrix, type Vector, addInPlace, addOuterInPlace, clone, matmul, zeros } from "../core/matrix.js";
import { experiments } from "../core/experiment.js";

/** eq 2.1: ∂L/∂o_t = (1/T) ∂l(o_t, y_t)/∂o_t (weight 1/T; with lossAt "last", 1 at t = T and 0 elsewhere). */
export function outputGrads(f: D2LForward, targets: Targets): Vector[] {
  return f.o.map((o, t) => stepLossGrad(o, targets, t).map((v) => v * f.weights[t]!));
}

experiments(outputGrads, [{
  label: "Forget the 1/T of the mean",
  find: ".map((v) => v * f.weights[t]!)",
  replace: "",
  why: "L in (2b) is the mean of the T step losses, so each ∂L/∂o_t carries the factor 1/T of (2.1). Without it every row " +
    "is T times too large and finite differences of L disagree (only with T = 1 would nothing change); every gradient " +
    "computed from these rows below is off by the same factor.",
}]);

/**
 * eq 2.3 then eq 2.4a, for t = T − 1 … 1: ∂L/∂h_T = W_qhᵀ ∂L/∂o_T, ∂L/∂h_t = W_hhᵀ ∂L/∂h_{t+1} + W_qhᵀ ∂L/∂o_t.
 * With an activation the first term reads W_hhᵀ(φ′(a_{t+1}) ⊙ ∂L/∂h_{t+1}).
 */
export function hiddenGradsRecursion(p: D2LParams, f: D2LForward, dL_do: readonly Vector[], opts?: D2LOptions): Vector[] {
  const { activation } = optionsOf(opts);
  const T = f.h.length;
  const out: Vector[] = new Array<Vector>(T);
  out[T - 1] = mtv(p.W_qh, dL_do[T - 1]!); // eq 2.3
  for (let t = T - 2; t >= 0; t--) {
    const da = activationDerivative(activation, f.a[t + 1]!).map((v, i) => v * out[t + 1]![i]!);
    const fromNext = mtv(p.W_hh, da), fromOut = mtv(p.W_qh, dL_do[t]!);
    out[t] = fromNext.map((v, i) => v + fromOut[i]!); // eq 2.4a
  }
  return out;
}

experiments(hiddenGradsRecursion, [{
  label: "W_hh instead of W_hhᵀ",
  find: "const fromNext = mtv(p.W_hh, da)",
  replace: "const fromNext = matmul(p.W_hh, { rows: da.length, cols: 1, data: da }).data",
  why: "h_{t+1} = W_hh h_t + …, so ∂h_{t+1}/∂h_t = W_hh, and the chain rule sends the gradient back through its transpose: " +
    "(2.4a) reads W_hhᵀ ∂L/∂h_{t+1}. W_hh itself gives the same numbers only when W_hh is symmetric — the one on /vanishing " +
    "is, by construction, so there this slip is invisible. A random W_hh is not: ∂L/∂h_T is still right, every earlier row " +
    "disagrees with finite differences.",
}, {
  label: "Start from zero: forget (2.3)",
  find: "out[T - 1] = mtv(p.W_qh, dL_do[T - 1]!); // eq 2.3",
  replace: "out[T - 1] = new Float64Array(p.W_hh.rows); // eq 2.3 left out",
  why: "h_T has no successor but it does have an output: ∂L/∂h_T = W_qhᵀ ∂L/∂o_T (2.3), and the recursion (2.4a) starts " +
    "from it. Starting from zero drops o_T's pull on h_T and, through the powers of W_hhᵀ, on every earlier state, so " +
    "finite differences disagree at every step.",
}]);

/**
 * eq 2.4b, literally: ∂L/∂h_t = Σ_{i=t}^{T} (W_hhᵀ)^{T−i} W_qhᵀ ∂L/∂o_{T+t−i}. The term i has power T − i and
 * output index T + t − i, whose difference from t is the same T − i: the output at step s reaches h_t through
 * s − t powers. Valid for the identity activation (the source's model) only.
 */
export function hiddenGradsClosedForm(p: D2LParams, dL_do: readonly Vector[]): Vector[] {
  const T = dL_do.length, hidden = p.W_hh.rows;
  const out: Vector[] = [];
  for (let t = 1; t <= T; t++) {
    const sum = new Float64Array(hidden);
    for (let i = t; i <= T; i++) {
      let v = mtv(p.W_qh, dL_do[T + t - i - 1]!);
      for (let k = 0; k < T - i; k++) v = mtv(p.W_hh, v); // (W_hhᵀ)^{T−i}
      for (let j = 0; j < hidden; j++) sum[j]! += v[j]!;
    }
    out.push(sum);
  }
  return out;
}

experiments(hiddenGradsClosedForm, [{
  label: "Powers of W_hh instead of W_hhᵀ",
  find: "v = mtv(p.W_hh, v); // (W_hhᵀ)^{T−i}",
  replace: "v = matmul(p.W_hh, { rows: hidden, cols: 1, data: v }).data; // W_hh^{T−i}, untransposed",
  why: "Each step back multiplies by W_hhᵀ, so the output at step s reaches h_t through (W_hhᵀ)^{s−t}. W_hh^{s−t} is its " +
    "transpose, the same only for a symmetric W_hh (so on /vanishing, whose W_hh is symmetric, no check can see this). " +
    "With a random W_hh every row but the last, which needs no power, disagrees.",
}, {
  label: "Pair the power T − i with the output at step i",
  find: "dL_do[T + t - i - 1]!",
  replace: "dL_do[i - 1]!",
  why: "Term i of (2.4b) pairs (W_hhᵀ)^{T−i} with the output at step T + t − i, which lies T − i steps after t: as many " +
    "powers as steps. Pairing it with the output at step i gives the near outputs the long powers and the far ones the " +
    "short: right at t = T, where the sum has one term, wrong at every earlier step.",
}]);

/** ∂L/∂a_t = φ′(a_t) ⊙ ∂L/∂h_t (equal to ∂L/∂h_t for the identity). */
export function preactGrads(f: D2LForward, dL_dh: readonly Vector[], opts?: D2LOptions): Vector[] {
  const { activation } = optionsOf(opts);
  return dL_dh.map((g, t) => activationDerivative(activation, f.a[t]!).map((v, i) => v * g[i]!));
}

/** eq 2.2: ∂L/∂W_qh = Σ_t ∂L/∂o_t h_tᵀ. */
export function gradW_qh(dL_do: readonly Vector[], h: readonly Vector[]): Matrix {
  const out = zeros(dL_do[0]!.length, h[0]!.length);
  dL_do.forEach((g, t) => addOuterInPlace(out, g, h[t]!));
  return out;
}

experiments(gradW_qh, [{
  label: "Forget the sum over steps: keep only the last",
  find: "dL_do.forEach((g, t) => addOuterInPlace(out, g, h[t]!));",
  replace: "addOuterInPlace(out, dL_do[dL_do.length - 1]!, h[h.length - 1]!); // the last step only",
  why: "W_qh is used at every step, so L depends on it through every o_t and (2.2) sums one outer product per step. Keeping " +
    "one term is the gradient of l_T/T alone: finite differences of L disagree whenever T > 1.",
}]);

/** eq 2.5a: ∂L/∂W_hx = Σ_t ∂L/∂h_t x_tᵀ (∂L/∂a_t with an activation). */
export function gradW_hx(dL_da: readonly Vector[], xs: readonly Vector[]): Matrix {
  const out = zeros(dL_da[0]!.length, xs[0]!.length);
  dL_da.forEach((g, t) => addOuterInPlace(out, g, xs[t]!));
  return out;
}

/** eq 2.5b: ∂L/∂W_hh = Σ_t ∂L/∂h_t h_{t−1}ᵀ, from t = 1, so h_0 contributes. */
export function gradW_hh(dL_da: readonly Vector[], f: Pick<D2LForward, "h0" | "h">): Matrix {
  const out = zeros(dL_da[0]!.length, f.h0.length);
  dL_da.forEach((g, t) => addOuterInPlace(out, g, hPrevAt(f, t)));
  return out;
}

experiments(gradW_hh, [{
  label: "Drop the t = 1 term (the one with h_0)",
  find: "dL_da.forEach((g, t) => addOuterInPlace(out, g, hPrevAt(f, t)));",
  replace: "dL_da.forEach((g, t) => { if (t > 0) addOuterInPlace(out, g, hPrevAt(f, t)); });",
  why: "W_hh is used at step 1 too, on h_0: h_1 = W_hx x_1 + W_hh h_0. The sum of (2.5) starts at t = 1, and its first term " +
    "∂L/∂h_1 h_0ᵀ is zero only when h_0 = 0. With the default random h_0 it is not, and finite differences disagree.",
}, {
  label: "h_t instead of h_{t−1}",
  find: "hPrevAt(f, t)",
  replace: "f.h[t]!",
  why: "At step t, W_hh multiplies the state it receives, h_{t−1}; ∂h_t/∂W_hh[i, j] = h_{t−1}[j]. Pairing ∂L/∂h_t with the " +
    "state it produced, h_t, is off by one step in every term, and finite differences disagree.",
}]);

export interface D2LGradients extends WeightGrads {
  /** eq 2.1. */
  dL_do: Vector[];
  /** eqs 2.3–2.4a. */
  dL_dh: Vector[];
  /** φ′(a_t) ⊙ ∂L/∂h_t (= dL_dh for the identity). */
  dL_da: Vector[];
}

/** eqs 2.1–2.5 in order. */
export function d2lBackward(p: D2LParams, s: D2LSequence, opts?: D2LOptions, fwd?: D2LForward): D2LGradients {
  const f = fwd ?? d2lForward(p, s, opts);
  const dL_do = outputGrads(f, s.targets);
  const dL_dh = hiddenGradsRecursion(p, f, dL_do, opts);
  const dL_da = preactGrads(f, dL_dh, opts);
  return { dL_do, dL_dh, dL_da, W_qh: gradW_qh(dL_do, f.h), W_hx: gradW_hx(dL_da, s.xs), W_hh: gradW_hh(dL_da, f) };
}


// ---------------------------------------------------------------------------------------------------------------
// §1: the general recursion for ∂h_t/∂w_h (eqs 1c–1e), with w_h the flattened W_hx and/or W_hh


/** ∂f(x_t, h_{t−1}, w_h)/∂h_{t−1} = diag(φ′(a_t)) W_hh, h × h. */
export function stepJacobianH(p: D2LParams, at: Vector, activation: Activation = "identity"): Matrix {
  const d = activationDerivative(activation, at), J = clone(p.W_hh);
  for (let i = 0; i < J.rows; i++) for (let j = 0; j < J.cols; j++) J.data[i * J.cols + j]! *= d[i]!;
  return J;
}

experiments(stepJacobianH, [{
  label: "Scale the columns, W_hh diag(φ′), instead of the rows",
  find: "*= d[i]!",
  replace: "*= d[j]!",
  why: "h_t[i] = φ(a_t[i]) and a_t[i] depends on h_{t−1} through row i of W_hh, so the slope φ′(a_t[i]) scales row i: " +
    "diag(φ′(a_t)) W_hh. Scaling column j gives W_hh diag(φ′(a_t)) — for a symmetric W_hh the transpose of the Jacobian, " +
    "the intuition page's W_hhᵀ · f′. The two agree only when every slope is the same (the linear model), so with tanh or " +
    "ReLU finite differences disagree.",
}]);

/**
 * ∂f(x_t, h_{t−1}, w_h)/∂w_h with h_{t−1} held fixed, h × P: ∂h_t[i]/∂W_hx[i, b] = φ′(a_t)_i x_t[b] and
 * ∂h_t[i]/∂W_hh[i, b] = φ′(a_t)_i h_{t−1}[b]; every other entry is 0.
 */
export function stepJacobianW(
  p: D2LParams, xt: Vector, hPrev: Vector, at: Vector, layout: WhLayout, activation: Activation = "identity",
): Matrix {
  const hidden = p.W_hh.rows, dphi = activationDerivative(activation, at);
  const A = zeros(hidden, layout.P);
  for (const n of layout.names) {
    const src = n === "W_hx" ? xt : hPrev, cols = p[n].cols, off = layout.offset[n]!;
    for (let i = 0; i < hidden; i++) for (let b = 0; b < cols; b++) A.data[i * layout.P + off + i * cols + b] = dphi[i]! * src[b]!;
  }
  return A;
}

/** The per-step pieces of eqs 1c–1e: A_t = ∂f_t/∂w_h, J_t = ∂f_t/∂h_{t−1}, c_t = (∂l/∂o_t ∂g/∂h_t)ᵀ = W_qhᵀ ∂L/∂o_t. */
export interface ForwardModePieces {
  layout: WhLayout;
  f: D2LForward;
  A: Matrix[];
  J: Matrix[];
  c: Vector[];
}

export function forwardModePieces(p: D2LParams, s: D2LSequence, opts?: D2LOptions, names?: readonly WhName[]): ForwardModePieces {
  const { activation } = optionsOf(opts);
  const f = d2lForward(p, s, opts), layout = whLayout(p, names);
  const A = f.a.map((at, t) => stepJacobianW(p, s.xs[t]!, hPrevAt(f, t), at, layout, activation));
  const J = f.a.map((at) => stepJacobianH(p, at, activation));
  const c = outputGrads(f, s.targets).map((g) => mtv(p.W_qh, g));
  return { layout, f, A, J, c };
}

/** eq 1d: D_t = A_t + J_t D_{t−1}, D_0 = 0 (h_0 does not depend on w_h). Returns D_1 … D_T. */
export function dhdwRecursion(pc: ForwardModePieces): Matrix[] {
  const out: Matrix[] = [];
  let D: Matrix | null = null;
  pc.A.forEach((At, t) => {
    D = D === null ? clone(At) : addInPlace(matmul(pc.J[t]!, D), At);
    out.push(D);
  });
  return out;
}

experiments(dhdwRecursion, [{
  label: "Drop the direct term ∂f/∂w_h (the intuition page's Step 3c)",
  find: "addInPlace(matmul(pc.J[t]!, D), At)",
  replace: "matmul(pc.J[t]!, D)",
  why: "h_t depends on w_h twice: directly, through the weights used at step t (A_t), and through h_{t−1} (J_t D_{t−1}). " +
    "(1d) adds both. Keeping only the second leaves D_t = J_t ⋯ J_2 A_1: only the use of the weights at step 1 is " +
    "counted, and finite differences disagree from t = 2 on.",
}]);

/** eq 1e: D_t = A_t + Σ_{i=1}^{t−1} (J_t J_{t−1} ⋯ J_{i+1}) A_i, each product built afresh (later steps on the left). */
export function dhdwExpansion(pc: ForwardModePieces): Matrix[] {
  const T = pc.A.length, out: Matrix[] = [];
  for (let t = 1; t <= T; t++) {
    const D = clone(pc.A[t - 1]!);
    for (let i = 1; i <= t - 1; i++) {
      let prod = pc.A[i - 1]!;
      for (let j = i + 1; j <= t; j++) prod = matmul(pc.J[j - 1]!, prod);
      addInPlace(D, prod);
    }
    out.push(D);
  }
  return out;
}

experiments(dhdwExpansion, [{
  label: "Multiply in the printed order: earliest step on the left",
  find: "for (let j = i + 1; j <= t; j++) prod = matmul(pc.J[j - 1]!, prod);",
  replace: "for (let j = t; j >= i + 1; j--) prod = matmul(pc.J[j - 1]!, prod); // J_{i+1} ⋯ J_t A_i",
  why: "A change of h_i passes through step i + 1 first and step t last, so the chain rule puts the latest Jacobian on " +
    "the left: J_t ⋯ J_{i+1}. Read left to right, Π_{j=i+1}^{t} gives J_{i+1} ⋯ J_t. In the source's linear model every " +
    "J_j is W_hh, the factors commute and nothing changes (on /d2l the first cell stays ✓); with tanh each J_j carries " +
    "its own slopes, and finite differences disagree.",
}]);

/** eq 1c: ∂L/∂w_h = Σ_t c_tᵀ D_t, the 1/T inside c_t (eq 2.1). */
export function dLdwFromDhdw(pc: ForwardModePieces, D: readonly Matrix[]): Vector {
  const out = new Float64Array(pc.layout.P);
  D.forEach((Dt, t) => {
    const ct = pc.c[t]!;
    for (let i = 0; i < Dt.rows; i++) for (let k = 0; k < Dt.cols; k++) out[k]! += ct[i]! * Dt.data[i * Dt.cols + k]!;
  });
  return out;
}

experiments(dLdwFromDhdw, [{
  label: "The partial ∂f/∂w_h for the total ∂h_t/∂w_h",
  find: "D.forEach((Dt, t) => {",
  replace: "pc.A.forEach((Dt, t) => {",
  why: "In (1c) ∂h_t/∂w_h is the total derivative: h_t depends on w_h through every earlier step as well (1d). The direct " +
    "term A_t = ∂f/∂w_h alone holds h_{t−1} fixed, so the gradient keeps only each weight's use at the step of each " +
    "loss term, and finite differences disagree.",
}]);

/**
 * d2l eq 1e with its product Π_{j=i+1}^{t} ∂f_j/∂h_{j−1} multiplied in the order the index runs, earliest step on the
 * left, as the printed product reads: D_t = A_t + Σ_{i<t} (J_{i+1} J_{i+2} ⋯ J_t) A_i. The chain rule puts J_t on
 * the left (`dhdwExpansion`); the two agree only when the J_j commute, e.g. for §2's identity activation, where every
 * J_j = W_hh. The page shows both to make the order visible.
 */
export function dhdwExpansionAsPrinted(pc: ForwardModePieces): Matrix[] {
  const T = pc.A.length, out: Matrix[] = [];
  for (let t = 1; t <= T; t++) {
    const D = clone(pc.A[t - 1]!);
    for (let i = 1; i <= t - 1; i++) {
      let prod = clone(pc.J[i]!); // J_{i+1}
      for (let j = i + 2; j <= t; j++) prod = matmul(prod, pc.J[j - 1]!);
      addInPlace(D, matmul(prod, pc.A[i - 1]!));
    }
    out.push(D);
  }
  return out;
}
