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

/** eq 2.1: ∂L/∂o_t = (1/T) ∂l(o_t, y_t)/∂o_t (weight 1/T; with lossAt "last", 1 at t = T and 0 elsewhere). */
export function outputGrads(f: D2LForward, targets: Targets): Vector[] {
  return f.o.map((o, t) => stepLossGrad(o, targets, t).map((v) => v * f.weights[t]!));
}

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

/** eq 1c: ∂L/∂w_h = Σ_t c_tᵀ D_t, the 1/T inside c_t (eq 2.1). */
export function dLdwFromDhdw(pc: ForwardModePieces, D: readonly Matrix[]): Vector {
  const out = new Float64Array(pc.layout.P);
  D.forEach((Dt, t) => {
    const ct = pc.c[t]!;
    for (let i = 0; i < Dt.rows; i++) for (let k = 0; k < Dt.cols; k++) out[k]! += ct[i]! * Dt.data[i * Dt.cols + k]!;
  });
  return out;
}

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
