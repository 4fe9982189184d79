/**
 * The formulas of Vera's stacked RNN EXACTLY AS PRINTED in "Mathematics of Backpropagation Through Time" —
 * stacked 2.1 (1)–(8), stacked 2.1.1 (1)–(8) and the display of §2.2 — evaluated symbol for symbol, so that the
 * page can show what each gives: a value (right or wrong) or the first product whose shapes do not fit. Their
 * corrections are lib/stacked/stacked.ts, the verdicts and slips lib/stacked/errata.ts.
 */
import { type Matrix, addInPlace as addInto, clone, matmul, shapeText as fmt, transpose, zeros } from "../core/matrix.js";
import { stackedBackward } from "./backward.js";
import { type StackedForward, hPrevAt, singleStepWeights, withWeights } from "./forward.js";
import { dtanh, hadamardInPlace, predictionMinusTarget, rowOf } from "./ops.js";
import type { StackedParams } from "./params.js";
import { type SourceEq, isPreActivationEq, stacked21Target, stacked22Factor, stackedEqName } from "./stacked.js";
import { checkStep, checkTwoLayers } from "./validate.js";
import { experiments } from "../core/experiment.js";

/** The value of a formula, or why it has none: the first product whose shapes do not fit. */
export type Evaluation = { ok: true; value: Matrix } | { ok: false; reason: string };

class Inconsistent extends Error {}
interface Term { name: string; m: Matrix }
const term = (name: string, m: Matrix): Term => ({ name, m });
const tT = (x: Term): Term => term(`(${x.name})ᵀ`, transpose(x.m));
function tMul(eq: string, a: Term, b: Term): Term {
  if (a.m.cols !== b.m.rows) {
    throw new Inconsistent(`${eq}: inner shapes ${a.m.cols} and ${b.m.rows} of ${a.name} ${fmt(a.m)} and ${b.name} ${fmt(b.m)} must match`);
  }
  return term(`${a.name} · ${b.name}`, matmul(a.m, b.m));
}
function tHad(eq: string, a: Term, b: Term): Term {
  if (a.m.rows !== b.m.rows || a.m.cols !== b.m.cols) {
    throw new Inconsistent(`${eq}: shapes of ${a.name} ${fmt(a.m)} and ${b.name} ${fmt(b.m)} must match for ⊙`);
  }
  return term(`(${a.name}) ⊙ ${b.name}`, hadamardInPlace(clone(a.m), b.m));
}
function tAdd(eq: string, a: Term, b: Term): Term {
  if (a.m.rows !== b.m.rows || a.m.cols !== b.m.cols) throw new Inconsistent(`${eq}: shapes of ${a.name} ${fmt(a.m)} and ${b.name} ${fmt(b.m)} must match for +`);
  return term(`${a.name} + ${b.name}`, addInto(clone(a.m), b.m));
}
function evaluate(build: () => Term): Evaluation {
  try {
    return { ok: true, value: build().m };
  } catch (e) {
    if (e instanceof Inconsistent) return { ok: false, reason: e.message };
    throw e;
  }
}

/** The per-step quantities §2.1 builds on at step t (1-based), for the step loss CE_t: Y_t, A_t, H, Z, φ'. */
function stepTerms(p: StackedParams, f: StackedForward, t: number) {
  const Hn = (s: number, l: number) => term(`H_${s}^(${l})`, s === 0 ? f.H0[l - 1]! : f.H[s - 1]![l - 1]!);
  const dphi = (s: number, l: number) => term(`φ'(Z_${s}^(${l}))`, dtanh(f.H[s - 1]![l - 1]!));
  const X = (s: number) => term(`X_${s}^(1)`, f.X[s - 1]!);
  const W = {
    xh1: term("W_xh1^(1)", p.Wxh[0]!), h1h1: term("W_h1h1^(1)", p.Whh[0]!), h1h2: term("W_h1h2^(2)", p.Wxh[1]!),
    h2h2: term("W_h2h2^(2)", p.Whh[1]!), h2a: term("W_h2a^(3)", p.Wha),
  };
  const dZ3 = term(`∂L/∂Z_${t}^(3)`, predictionMinusTarget(f.A[t - 1]!, f.targets[t - 1]!));
  return { Hn, dphi, X, W, dZ3 };
}

/**
 * The source's stacked 2.1 (k) EXACTLY AS WRITTEN, evaluated at step t (default t = T = 2, the source's case) for
 * its L = CE_t (see lib/stacked/forward.ts), with ∂L/∂Z_t^{(2)} and ∂L/∂Z_t^{(1)} inside (4)–(8) taken from (3) and (6). "·"
 * and juxtaposition are both the matrix product. At t = 1 the terms that step back to t − 1 are dropped (they
 * would name X_0, Z_0, H_{−1}; H_0 is a constant). Returns `{ ok: false, reason }` when the formula's shapes do
 * not fit (stacked 2.1 (5) and (8) unless n equals the hidden width), naming the product and both shapes.
 *
 *   (1) A_t − one-hot(y)                        (2) (H_t^(2))ᵀ · ∂L/∂Z_t^(3)
 *   (3) (∂L/∂Z_t^(3) · (W_h2a^(3))ᵀ) ⊙ φ'(Z_t^(2))
 *   (4) (H_t^(1))ᵀ · ∂L/∂Z_t^(2) + (H_{t−1}^(1))ᵀ · ((∂L/∂Z_t^(2) · W_h2h2^(2)) ⊙ φ'(Z_{t−1}^(2)))
 *   (5) (H_{t−1}^(2))ᵀ ((H_{t−1}^(2))ᵀ · ∂L/∂Z_t^(2)) + (W_h2h2^(2))ᵀ · ((H_{t−2}^(2))ᵀ · ((∂L/∂Z_t^(2) · W_h2h2^(2)) ⊙ φ'(Z_{t−1}^(2))))
 *   (6) (∂L/∂Z_t^(2) · (W_h1h2^(2))ᵀ) ⊙ φ'(Z_t^(1))
 *   (7) (X_t^(1))ᵀ · ∂L/∂Z_t^(1) + (X_{t−1}^(1))ᵀ · ((∂L/∂Z_t^(1) · W_h1h1^(1)) ⊙ φ'(Z_{t−1}^(1)))
 *   (8) (H_{t−1}^(1))ᵀ ((H_{t−1}^(1))ᵀ · ∂L/∂Z_t^(1)) + (W_h1h1^(1))ᵀ · ((H_{t−2}^(1))ᵀ ((∂L/∂Z_t^(1) · W_h1h1^(1)) ⊙ φ'(Z_{t−1}^(1))))
 *
 * The slips, and their corrections (`stacked21Corrected` in lib/stacked/stacked.ts; verdicts in `STACKED_EQUATIONS`):
 *   (1)–(3), (6): right. (The annotation "∈ R^{n×h}" of (6) and "∈ R^{h×h₂}" of (4) mean h₁.)
 *   (4) wrong in value: the step back through the recurrence multiplies by W_h2h2 instead of (W_h2h2)ᵀ — the
 *       derivative of Z_t = … + H_{t−1} W_hh w.r.t. H_{t−1}, pulled back, is G ↦ G W_hhᵀ. Right only when
 *       W_h2h2^(2) is symmetric (e.g. h₂ = 1).
 *   (5) wrong in shape: (H_{t−1})ᵀ [h₂×n] times (H_{t−1})ᵀ·∂L/∂Z_t [h₂×h₂] needs n = h₂; and wrong in value even
 *       then. The prefixes (H_{t−1})ᵀ and (W_hh)ᵀ duplicate factors the chain already contains (∂Z_t/∂W_hh IS the
 *       (H_{t−1})ᵀ, ∂Z_t/∂H_{t−1} IS the W_hhᵀ), and W_hh lacks its transpose, as in (4). Corrected:
 *       (H_{t−1})ᵀ ∂L/∂Z_t + (H_{t−2})ᵀ ((∂L/∂Z_t (W_hh)ᵀ) ⊙ φ'(Z_{t−1})).
 *   (6) right at t = T.
 *   (7) wrong in value, twice: W_h1h1 lacks its transpose, and ∂L/∂Z_{t−1}^(1) misses the path up through layer 2
 *       and across its recurrence, H_{t−1}^(1) → Z_{t−1}^(2) → H_{t−1}^(2) → Z_t^(2), i.e. the term
 *       (∂L/∂Z_{t−1}^(2) (W_h1h2)ᵀ) ⊙ φ'(Z_{t−1}^(1)). Right only if W_h1h1 is symmetric and that path is zero.
 *   (8) wrong in shape (needs n = h₁) and in value: the slips of (5) plus the missing path of (7).
 */
export function stacked21AsPrinted(k: SourceEq, p: StackedParams, f: StackedForward, t = 2): Evaluation {
  const eq = stackedEqName("2.1", k);
  checkTwoLayers(eq, p, f);
  checkStep(eq, f, t);
  const { Hn, dphi, X, W, dZ3 } = stepTerms(p, f, t);
  const back = t >= 2;
  const dZ2 = () => term(`∂L/∂Z_${t}^(2)`, tHad(eq, tMul(eq, dZ3, tT(W.h2a)), dphi(t, 2)).m);
  const dZ1 = () => term(`∂L/∂Z_${t}^(1)`, tHad(eq, tMul(eq, dZ2(), tT(W.h1h2)), dphi(t, 1)).m);
  return evaluate(() => {
    switch (k) {
      case 1: return dZ3;
      case 2: return tMul(eq, tT(Hn(t, 2)), dZ3);
      case 3: return dZ2();
      case 4: {
        const first = tMul(eq, tT(Hn(t, 1)), dZ2());
        if (!back) return first;
        return tAdd(eq, first, tMul(eq, tT(Hn(t - 1, 1)), tHad(eq, tMul(eq, dZ2(), W.h2h2), dphi(t - 1, 2))));
      }
      case 5: {
        const first = tMul(eq, tT(Hn(t - 1, 2)), tMul(eq, tT(Hn(t - 1, 2)), dZ2()));
        if (!back) return first;
        const inner = tMul(eq, tT(Hn(t - 2, 2)), tHad(eq, tMul(eq, dZ2(), W.h2h2), dphi(t - 1, 2)));
        return tAdd(eq, first, tMul(eq, tT(W.h2h2), inner));
      }
      case 6: return dZ1();
      case 7: {
        const first = tMul(eq, tT(X(t)), dZ1());
        if (!back) return first;
        return tAdd(eq, first, tMul(eq, tT(X(t - 1)), tHad(eq, tMul(eq, dZ1(), W.h1h1), dphi(t - 1, 1))));
      }
      case 8: {
        const first = tMul(eq, tT(Hn(t - 1, 1)), tMul(eq, tT(Hn(t - 1, 1)), dZ1()));
        if (!back) return first;
        const inner = tMul(eq, tT(Hn(t - 2, 1)), tHad(eq, tMul(eq, dZ1(), W.h1h1), dphi(t - 1, 1)));
        return tAdd(eq, first, tMul(eq, tT(W.h1h1), inner));
      }
    }
  });
}

/** Where stacked 2.1.1's summands (∂L/∂·)_(t) come from. */
export type Summands = "exact" | "2.1 as written";

/**
 * stacked 2.1.1 (k) AS WRITTEN: (1/T) Σ_{t=1}^T (summand at t), for any T ≥ 1 (the source: T = 2). The summand
 * (∂L/∂W)_(t) is "the gradient at step t", i.e. that of the step loss CE_t through every earlier step — what §2.1
 * computes for t = 2:
 *   - "exact" (default): that gradient itself (`stackedBackward` with `singleStepWeights(t, T)`); for (1), (3), (6)
 *     the summand ∂L/∂Z_t^(l) is ∂CE_t/∂Z_t^(l), which is what stacked 2.1 (1), (3), (6) give (they are right).
 *   - "2.1 as written": `stacked21AsPrinted(k, …, t)`, so the slips of §2.1 carry over (and (5), (8) fail on shape).
 *
 * Verdicts (against the source's own loss (1/T) Σ_t Σ_r CE, see `stacked211Target` for what "∂L/∂Z^(l)" means):
 *   (1) right: the gradient w.r.t. an offset shared by all Z_t^(3) (Z_s^(3) reaches only CE_s); its column sums
 *       are ∂L/∂b_a.
 *   (2), (4), (5), (7), (8) right, with exact summands: by linearity ∂/∂W (1/T) Σ_t CE_t = (1/T) Σ_t ∂CE_t/∂W.
 *       For the batch MEAN the factor is 1/(T·n): as written they are n times too large. Composed with §2.1 as
 *       written, (4) and (7) are wrong in value and (5), (8) wrong in shape.
 *   (3), (6) wrong in value (for T ≥ 2): the summand ∂CE_t/∂Z_t^(l) is only the local part; CE_t also depends on
 *       Z_s^(l) for s < t through the recurrence. Corrected: Σ_s ∂L/∂Z_s^(l) = (1/T) Σ_t Σ_{s ≤ t} ∂CE_t/∂Z_s^(l),
 *       and the per-step total derivative is ∂L/∂Z_s^(l) = (1/T) Σ_{t ≥ s} ∂CE_t/∂Z_s^(l) — no single matrix
 *       "∂L/∂Z^(l)" equals the per-step gradients.
 */
export function stacked211AsPrinted(k: SourceEq, p: StackedParams, f: StackedForward, summands: Summands = "exact"): Evaluation {
  const eq = stackedEqName("2.1.1", k);
  checkTwoLayers(eq, p, f);
  let acc: Matrix | undefined;
  for (let t = 1; t <= f.T; t++) {
    let s: Matrix;
    if (summands === "exact") {
      const g = stackedBackward(p, withWeights(f, singleStepWeights(t, f.T)));
      s = isPreActivationEq(k) ? stacked21Target(k, g, t) : stacked21Target(k, g);
    } else if (summands === "2.1 as written") {
      const e = stacked21AsPrinted(k, p, f, t);
      if (!e.ok) return { ok: false, reason: `${eq} (summand t = ${t}) ← ${e.reason}` };
      s = e.value;
    } else throw new RangeError(`${eq}: unknown summands ${String(summands)}`);
    acc = acc ? addInto(acc, s) : clone(s);
  }
  const out = acc!;
  for (let i = 0; i < out.data.length; i++) out.data[i]! /= f.T;
  return { ok: true, value: out };
}

/**
 * Vera §2.2 EXACTLY AS WRITTEN, for one batch row r (a product of Jacobians is per sequence):
 *   Σ_{t=1}^{T} (H_{t−1}^(1))ᵀ · ( Π_{k=t}^{T} J_k ) · ∂Z_t^(1)/∂W_hh^(1)
 * with J_k = `stacked22Factor` ([a, h₁]), the product taken left to right in k, (H_{t−1}^(1))ᵀ the row's state as
 * an [h₁, 1] column, and ∂Z_t^(1)/∂W_hh^(1) as the [h₁, h₁·h₁] Jacobian of z_t^(1) w.r.t. W_hh^(1) flattened row by
 * row (entry [j, i·h₁ + j] = H_{t−1}^(1)[r, i]). Returns the first product whose shapes do not fit: J_t J_{t+1}
 * needs a = h₁, and (H_{t−1}^(1))ᵀ [h₁, 1] times the [a, h₁] product needs a = 1 — so for any a ≥ 2 it has no value.
 */
export function stacked22AsPrinted(p: StackedParams, f: StackedForward, r = 1): Evaluation {
  const eq = "stacked 2.2";
  checkTwoLayers(eq, p, f);
  const h1 = p.Whh[0]!.rows;
  return evaluate(() => {
    let total: Term | undefined;
    for (let t = 1; t <= f.T; t++) {
      let prod = term(`J_${t}`, stacked22Factor(p, f, t, r));
      for (let k = t + 1; k <= f.T; k++) prod = tMul(eq, prod, term(`J_${k}`, stacked22Factor(p, f, k, r)));
      const hp = hPrevAt(f, t, 1);
      const col = term(`(H_${t - 1}^(1)[${r}])ᵀ`, { rows: h1, cols: 1, data: Float64Array.from(rowOf(hp, r - 1)) });
      const dZdW = zeros(h1, h1 * h1);
      for (let j = 0; j < h1; j++) for (let i = 0; i < h1; i++) dZdW.data[j * h1 * h1 + i * h1 + j] = hp.data[(r - 1) * h1 + i]!;
      const summand = tMul(eq, tMul(eq, col, prod), term(`∂Z_${t}^(1)/∂W_hh^(1)`, dZdW));
      total = total ? tAdd(eq, total, summand) : summand;
    }
    return total!;
  });
}

// ————————————————————————————————— guided experiments (lib/core/experiment.ts) —————————————————————————————————

experiments(stacked21AsPrinted, [{
  label: "(2) with H_{t−1}⁽²⁾, as for a recurrent weight, where W_h₂a needs H_t⁽²⁾",
  find: "case 2: return tMul(eq, tT(Hn(t, 2)), dZ3);",
  replace: "case 2: return tMul(eq, tT(Hn(t - 1, 2)), dZ3);",
  why: "Z_t⁽³⁾ = H_t⁽²⁾ W_h₂a + b: the output weights read the state of the SAME step, so ∂Z_t⁽³⁾/∂W_h₂a is (H_t⁽²⁾)ᵀ. " +
    "The previous state belongs to the recurrent weights (5) and (8). The source's (2) is right; with H_{t−1}⁽²⁾ it is " +
    "wrong (and at t = 1 it is H₀ = 0), and finite differences disagree.",
}]);

experiments(stacked211AsPrinted, [{
  label: "Sum over t without the 1/T",
  find: "for (let i = 0; i < out.data.length; i++) out.data[i]! /= f.T;",
  replace: "// no 1/T: the step gradients summed",
  why: "The source's L averages the step losses, (1/T) Σ_t CE_t, so by linearity its gradient is (1/T) Σ_t of the step " +
    "gradients. Summed without the 1/T it is the gradient of Σ_t CE_t, T times too large: finite differences disagree.",
}, {
  label: "Divide by T·n, the batch mean's factor, for the source's batch-summed loss",
  find: "out.data[i]! /= f.T;",
  replace: "out.data[i]! /= f.T * f.n;",
  why: "§2.1 (1) has no 1/n: the source's CE_t SUMS over the batch rows, and its average over steps needs only 1/T. The " +
    "factor 1/(T·n) belongs to the batch mean (PyTorch's CrossEntropyLoss, this site's main pages); against the source's " +
    "own loss it makes every gradient n times too small.",
}]);
