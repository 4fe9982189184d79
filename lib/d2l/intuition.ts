/**
 * Step 3 of the intuition page "Derive BPTT Mathematically", every display of it computed on D2L's RNN
 * with an activation (lib/d2l/model.ts, column vectors: a_t = W_hx x_t + W_hh h_{t−1}, h_t = f(a_t), o_t = W_qh h_t, the
 * cross-entropy l_t = l(o_t, y_t)). Step 2 repeats the first three displays without limits; Steps 1, 4 and 5 have no
 * equation. The displays are named by the step and a letter of ours (the source numbers nothing):
 *   intuition Step 3a  L = Σ_{t=1}^{T} L_t(y_t, ŷ_t)                              — a SUM (the text calls it an average)
 *   intuition Step 3b  ∂L/∂W_hh = Σ_t ∂L_t/∂h_t · ∂h_t/∂W_hh                      — right, with ∂h_t/∂W_hh total
 *   intuition Step 3c  ∂h_t/∂W_hh = ∂h_t/∂h_{t−1} · ∂h_{t−1}/∂W_hh                — drops the direct term: gives 0
 *   intuition Step 3d  ∂L/∂W_hh = Σ_t ∂L_t/∂h_t Π_{k<t} (W_hhᵀ · f′(a_k))          — the shape of h, not of W_hh
 *   intuition Step 3   Π_k W_hhᵀ · f′(a_k)  (the multiplier; lib/d2l/vanishing.ts `jacobianProducts`)
 * Anchors on /vanishing: `intuition-step-3-a` … `intuition-step-3-d`, corrected forms with `-corrected`.
 *
 * Here L is the source's sum Σ_t l_t, whatever `opts.lossAt` says (its 1/T mean is T times smaller, as are its
 * gradients); ∂L_t/∂h_t is the LOCAL gradient W_qhᵀ ∂l_t/∂o_t (L_t depends on h_t directly only through o_t).
 */
import {
  type D2LOptions, type D2LParams, type D2LSequence, activationDerivative, d2lForward, hPrevAt, mtv, stepLossGrad,
} from "./model.js";
import { forwardModePieces } from "./d2l.js";
import { type Matrix, type Vector, ShapeError, matmul, zeros } from "../core/matrix.js";
import { experiments } from "../core/experiment.js";

/** intuition Step 3a: L = Σ_t L_t, with every L_t = l(o_t, y_t); and the mean (1/T) Σ_t L_t for comparison. */
export function intuitionLoss(p: D2LParams, s: D2LSequence, opts?: D2LOptions): { sum: number; mean: number; steps: Float64Array } {
  const f = d2lForward(p, s, opts);
  let sum = 0;
  for (const v of f.l) sum += v;
  return { sum, mean: sum / f.l.length, steps: f.l };
}

experiments(intuitionLoss, [{
  label: "The average, as the text says, for the displayed sum",
  find: "for (const v of f.l) sum += v;",
  replace: "for (const v of f.l) sum += v / f.l.length;",
  why: "The text calls L \"the average of all report cards\", but Step 3a displays Σ_t L_t with no 1/T. Taking the average " +
    "makes L, and every gradient after it, T times smaller than the display says, so T × D2L's mean loss no longer " +
    "matches. Either loss is fine; the display and the text must pick the same one.",
}]);

/** ∂L_t/∂h_t = W_qhᵀ ∂l_t/∂o_t at index t − 1: the local gradient of the step loss at its own state. */
export function localStepGrads(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Vector[] {
  const f = d2lForward(p, s, opts);
  return f.o.map((o, t) => mtv(p.W_qh, stepLossGrad(o, s.targets, t)));
}

const reshapeRow = (v: Vector, h: number): Matrix => ({ rows: h, cols: h, data: Float64Array.from(v) });

/**
 * intuition Step 3b: ∂L/∂W_hh = Σ_t (∂L_t/∂h_t)ᵀ ∂h_t/∂W_hh, with ∂h_t/∂W_hh the TOTAL derivative ([h, h·h], W_hh
 * flattened row by row, from the full recursion d2l eq 1d) — returned reshaped to [h, h]. Right as written.
 */
export function intuitionStep3b(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Matrix {
  const D = intuitionStep3cCorrected(p, s, opts);
  const g = localStepGrads(p, s, opts), h = p.W_hh.rows;
  const out = new Float64Array(h * h);
  D.forEach((Dt, t) => {
    for (let i = 0; i < h; i++) for (let k = 0; k < h * h; k++) out[k]! += g[t]![i]! * Dt.data[i * h * h + k]!;
  });
  return reshapeRow(out, h);
}

experiments(intuitionStep3b, [{
  label: "∂h_t/∂W_hh with h_{t−1} held fixed (the partial)",
  find: "const D = intuitionStep3cCorrected(p, s, opts);",
  replace: "const D = forwardModePieces(p, s, opts, [\"W_hh\"]).A; // h_{t−1} held fixed",
  why: "Step 3b is right only when ∂h_t/∂W_hh is the total derivative, which carries every earlier use of W_hh through " +
    "h_{t−1}, h_{t−2}, …. With h_{t−1} held fixed each loss term sees only the use of W_hh at its own step: the long-range " +
    "terms are gone, and finite differences of Σ_t L_t disagree.",
}]);

/**
 * intuition Step 3c AS WRITTEN: ∂h_t/∂W_hh = ∂h_t/∂h_{t−1} · ∂h_{t−1}/∂W_hh, started from ∂h_0/∂W_hh = 0 (h_0 is a
 * constant). Returns ∂h_t/∂W_hh for t = 1 … T ([h, h·h] each). With no direct term the recursion never leaves 0.
 */
export function intuitionStep3cAsPrinted(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Matrix[] {
  const pc = forwardModePieces(p, s, opts, ["W_hh"]);
  let D = zeros(p.W_hh.rows, pc.layout.P);
  return pc.J.map((Jt) => (D = matmul(Jt, D)));
}

/**
 * intuition Step 3c CORRECTED, the total derivative: ∂h_t/∂W_hh = ∂h_t/∂W_hh|_{h_{t−1} fixed} + ∂h_t/∂h_{t−1} ·
 * ∂h_{t−1}/∂W_hh, the direct term being ∂h_t[i]/∂W_hh[i, b] = f′(a_t)_i h_{t−1}[b] and ∂h_t/∂h_{t−1} = diag(f′(a_t)) W_hh
 * (d2l eq 1d for w_h = W_hh). Returns ∂h_t/∂W_hh for t = 1 … T ([h, h·h] each).
 */
export function intuitionStep3cCorrected(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Matrix[] {
  const pc = forwardModePieces(p, s, opts, ["W_hh"]);
  const out: Matrix[] = [];
  let D: Matrix | null = null;
  pc.A.forEach((At, t) => {
    const next: Matrix = D === null ? { ...At, data: At.data.slice() } : matmul(pc.J[t]!, D);
    if (D !== null) for (let k = 0; k < next.data.length; k++) next.data[k]! += At.data[k]!;
    D = next;
    out.push(next);
  });
  return out;
}

experiments(intuitionStep3cCorrected, [{
  label: "Drop the direct term, as Step 3c prints it",
  find: "if (D !== null) for (let k = 0; k < next.data.length; k++) next.data[k]! += At.data[k]!;",
  replace: "// the direct term left out from t = 2 on, as Step 3c prints it",
  why: "h_t = f(W_hx x_t + W_hh h_{t−1}) uses W_hh itself at step t, not only through h_{t−1}. Without that direct term the " +
    "recursion only carries the use of W_hh at step 1 forward (here it starts from it; the source, from zero, stays at " +
    "zero), and finite differences of h_T disagree.",
}]);

/**
 * intuition Step 3d AS WRITTEN: Σ_t ∂L_t/∂h_t Π_{k<t} (W_hhᵀ · f′(a_k)), with ∂L_t/∂h_t a row [1, h], f′(a_k) read as
 * diag(f′(a_k)) and the product taken left to right in k = 1 … t − 1. The result is a row [1, h] — the shape of h,
 * not of W_hh [h, h] — so it cannot be ∂L/∂W_hh.
 */
export function intuitionStep3dAsPrinted(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Vector {
  const f = d2lForward(p, s, opts), g = localStepGrads(p, s, opts), h = p.W_hh.rows;
  const act = opts?.activation ?? "identity";
  const out = new Float64Array(h);
  g.forEach((gt, ti) => {
    let v: Vector = gt.slice();
    for (let k = 1; k <= ti; k++) { // k < t = ti + 1
      const d = activationDerivative(act, f.a[k - 1]!);
      const w = new Float64Array(h); // v W_hhᵀ diag(d): w_j = d_j Σ_i v_i W_hh[j, i]
      for (let j = 0; j < h; j++) { let acc = 0; for (let i = 0; i < h; i++) acc += v[i]! * p.W_hh.data[j * h + i]!; w[j] = d[j]! * acc; }
      v = w;
    }
    for (let i = 0; i < h; i++) out[i]! += v[i]!;
  });
  return out;
}

/**
 * intuition Step 3d CORRECTED: ∂L/∂W_hh = Σ_{t=1}^{T} Σ_{s=1}^{t} diag(f′(a_s)) (Π_{k=s+1}^{t} W_hhᵀ diag(f′(a_k)))
 * ∂L_t/∂h_t h_{s−1}ᵀ (product left to right in k): the loss of step t reaches the use of W_hh at every step s ≤ t
 * through t − s Jacobians, and each use contributes an outer product with its input h_{s−1}. [h, h]; built from
 * explicit products (no backward recursion).
 */
export function intuitionStep3dCorrected(p: D2LParams, s: D2LSequence, opts?: D2LOptions): Matrix {
  const f = d2lForward(p, s, opts), g = localStepGrads(p, s, opts), h = p.W_hh.rows;
  if (g.length !== f.a.length) throw new ShapeError("intuitionStep3dCorrected: one loss gradient per step");
  const act = opts?.activation ?? "identity";
  const dphi = f.a.map((a) => activationDerivative(act, a));
  const G = zeros(h, h);
  for (let t = 1; t <= f.a.length; t++) {
    for (let st = 1; st <= t; st++) {
      // column v = diag(f′(a_s)) Π_{k=s+1}^{t} W_hhᵀ diag(f′(a_k)) g_t, applied right to left
      let v: Vector = g[t - 1]!.slice();
      for (let k = t; k >= st + 1; k--) {
        const d = dphi[k - 1]!;
        const dv = v.map((x, i) => x * d[i]!);
        v = mtv(p.W_hh, dv);
      }
      v = v.map((x, i) => x * dphi[st - 1]![i]!);
      const hp = hPrevAt(f, st - 1);
      for (let i = 0; i < h; i++) for (let b = 0; b < h; b++) G.data[i * h + b]! += v[i]! * hp[b]!;
    }
  }
  return G;
}

experiments(intuitionStep3dCorrected, [{
  label: "The product in the wrong order: k = t on the left",
  find: "for (let k = t; k >= st + 1; k--) {",
  replace: "for (let k = st + 1; k <= t; k++) {",
  why: "The signal from L_t meets step t first on its way back to step s, so applied to ∂L_t/∂h_t the factor of k = t acts " +
    "first: written as a product, k = s + 1 stands on the left. Applying the factors from k = s + 1 instead reverses the " +
    "product. Matrices W_hhᵀ diag(f′(a_k)) with different slopes do not commute, so with tanh or ReLU finite differences " +
    "disagree (with the linear model every factor is W_hhᵀ and the order cannot show).",
}, {
  label: "The slope of the step before, f′(a_{k−1}), in each factor",
  find: "const d = dphi[k - 1]!;",
  replace: "const d = dphi[k - 2]!;",
  why: "The factor of step k differentiates h_k = f(a_k), so it carries f′(a_k), as in Step 2′. The slope of step k − 1 is " +
    "the source's Step 2 shift by one; it makes every product carry its neighbour's slopes, and finite differences of " +
    "Σ_t L_t disagree whenever the slopes differ from step to step (tanh, ReLU).",
}]);
