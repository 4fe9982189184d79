/**
 * What is wrong with each of Vera's stacked-RNN formulas as printed (lib/stacked/as-printed.ts), and its
 * correction as the page typesets it (computed by lib/stacked/stacked.ts): the verdict of every equation of §2.1
 * and §2.1.1 against the true gradient of the source's own loss, pinned by test/stacked/errata.test.ts.
 */
import { SOURCE_EQS, type SourceEq, stackedEqAnchor, stackedEqName } from "./stacked.js";

export type Verdict = "right" | "wrong shape" | "wrong value";

export interface StackedEquation {
  section: "2.1" | "2.1.1";
  number: SourceEq;
  /** `stacked 2.1 (5)`. */
  name: string;
  /** `stacked-2-1-5`. */
  anchor: string;
  /** The formula as written, against the true gradient of the source's loss (§2.1: CE_t; §2.1.1: (1/T) Σ_t CE_t). */
  verdict: Verdict;
  /** §2.1.1 only: the verdict when its summands are §2.1's formulas as written. */
  composedVerdict?: Verdict;
  /** What is wrong and why (or why it is right), one or two sentences. */
  slip: string;
  /** The corrected equation, KaTeX. */
  correctedTex: string;
}

const dLd = (x: string, top = "L") => `\\frac{\\partial ${top}}{\\partial ${x}}`;
const Lt = "\\mathrm{CE}_t";

const SLIPS_21: Record<SourceEq, { verdict: Verdict; slip: string; correctedTex: string }> = {
  1: {
    verdict: "right",
    slip: "Right for §2.1's L, the batch-summed cross-entropy CE_t of step t alone (no 1/n, no 1/T).",
    correctedTex: `${dLd("Z_t^{(3)}", Lt)} = A_t^{(3)} - Y_t`,
  },
  2: {
    verdict: "right",
    slip: "Right: W_h2a enters CE_t only through Z_t^(3).",
    correctedTex: `${dLd("W_{h_2a}^{(3)}", Lt)} = (H_t^{(2)})^\\top ${dLd("Z_t^{(3)}", Lt)}`,
  },
  3: {
    verdict: "right",
    slip: "Right at t = T: Z_t^(2) reaches CE_t only through H_t^(2) → Z_t^(3).",
    correctedTex: `${dLd("Z_t^{(2)}", Lt)} = \\Big(${dLd("Z_t^{(3)}", Lt)} (W_{h_2a}^{(3)})^\\top\\Big) \\odot \\phi'(Z_t^{(2)})`,
  },
  4: {
    verdict: "wrong value",
    slip:
      "The step back through the recurrence multiplies by W_h2h2 where the chain rule gives (W_h2h2)ᵀ (Z_t = … + H_{t−1} W_hh pulls a gradient G back to G W_hhᵀ); shapes still fit because W_h2h2 is square, so the error is in value, and vanishes only when W_h2h2 is symmetric. (Its annotation ℝ^{h×h₂} means h₁×h₂.)",
    correctedTex:
      `${dLd("W_{h_1h_2}^{(2)}", Lt)} = (H_t^{(1)})^\\top ${dLd("Z_t^{(2)}", Lt)} + (H_{t-1}^{(1)})^\\top \\Big(\\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_2h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(2)})\\Big)`,
  },
  5: {
    verdict: "wrong shape",
    slip:
      "(H_{t−1}^(2))ᵀ [h₂×n] times (H_{t−1}^(2))ᵀ·∂L/∂Z_t^(2) [h₂×h₂] needs n = h₂, and even then the value is wrong: the prefixes (H_{t−1})ᵀ and (W_h2h2)ᵀ repeat factors the chain already holds (∂Z_t/∂W_hh is the (H_{t−1})ᵀ, ∂Z_t/∂H_{t−1} the W_hhᵀ), and W_h2h2 lacks its transpose as in (4).",
    correctedTex:
      `${dLd("W_{h_2h_2}^{(2)}", Lt)} = (H_{t-1}^{(2)})^\\top ${dLd("Z_t^{(2)}", Lt)} + (H_{t-2}^{(2)})^\\top \\Big(\\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_2h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(2)})\\Big)`,
  },
  6: {
    verdict: "right",
    slip: "Right at t = T: Z_t^(1) reaches CE_t only through H_t^(1) → Z_t^(2). (Its annotation ℝ^{n×h} means n×h₁.)",
    correctedTex: `${dLd("Z_t^{(1)}", Lt)} = \\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_1h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_t^{(1)})`,
  },
  7: {
    verdict: "wrong value",
    slip:
      "Two slips: W_h1h1 lacks its transpose (as in (4)), and ∂L/∂Z_{t−1}^(1) misses the second path out of H_{t−1}^(1) — up into layer 2 at t − 1 and across layer 2's recurrence to Z_t^(2) — which contributes (∂L/∂Z_{t−1}^(2) (W_h1h2)ᵀ) ⊙ φ'(Z_{t−1}^(1)).",
    correctedTex:
      `${dLd("W_{xh_1}^{(1)}", Lt)} = (X_t^{(1)})^\\top ${dLd("Z_t^{(1)}", Lt)} + (X_{t-1}^{(1)})^\\top ${dLd("Z_{t-1}^{(1)}", Lt)},\\quad ${dLd("Z_{t-1}^{(1)}", Lt)} = \\Big(${dLd("Z_t^{(1)}", Lt)} (W_{h_1h_1}^{(1)})^\\top + ${dLd("Z_{t-1}^{(2)}", Lt)} (W_{h_1h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(1)}),\\quad ${dLd("Z_{t-1}^{(2)}", Lt)} = \\Big(${dLd("Z_t^{(2)}", Lt)} (W_{h_2h_2}^{(2)})^\\top\\Big) \\odot \\phi'(Z_{t-1}^{(2)})`,
  },
  8: {
    verdict: "wrong shape",
    slip:
      "The slips of (5) in layer 1 — (H_{t−1}^(1))ᵀ [h₁×n] times an [h₁×h₁] needs n = h₁, duplicated prefixes, missing transpose — plus the missing path through layer 2 of (7).",
    correctedTex:
      `${dLd("W_{h_1h_1}^{(1)}", Lt)} = (H_{t-1}^{(1)})^\\top ${dLd("Z_t^{(1)}", Lt)} + (H_{t-2}^{(1)})^\\top ${dLd("Z_{t-1}^{(1)}", Lt)}\\quad\\text{with } ${dLd("Z_{t-1}^{(1)}", Lt)} \\text{ as in (7)}`,
  },
};

const avg = (x: string) => `\\frac{1}{T}\\sum_{t=1}^{T} ${dLd(x, Lt)}`;
const SLIPS_211: Record<SourceEq, { verdict: Verdict; composedVerdict: Verdict; slip: string; correctedTex: string }> = {
  1: {
    verdict: "right", composedVerdict: "right",
    slip:
      "Right once “∂L/∂Z^(3)” is read as the gradient w.r.t. an offset added to every Z_t^(3) (the only reading in which a t-free Z is a variable): Z_t^(3) reaches only CE_t. Its column sums are ∂L/∂b_a. The per-step gradient is (1/T)(A_t − Y_t).",
    correctedTex: `${dLd("Z^{(3)}")} = \\sum_{t=1}^{T} ${dLd("Z_t^{(3)}")} = \\frac{1}{T}\\sum_{t=1}^{T} (A_t^{(3)} - Y_t)`,
  },
  2: {
    verdict: "right", composedVerdict: "right",
    slip: "Right for the source's L = (1/T) Σ_t CE_t, by linearity; for the batch mean (1/(T·n)) Σ_t CE_t it is n times too large.",
    correctedTex: `${dLd("W_{h_2a}^{(3)}")} = ${avg("W_{h_2a}^{(3)}")}`,
  },
  3: {
    verdict: "wrong value", composedVerdict: "wrong value",
    slip:
      "The summand ∂CE_t/∂Z_t^(2) is only the local part: CE_t also depends on Z_s^(2), s < t, through W_h2h2, so the sum misses Σ_{s<t} ∂CE_t/∂Z_s^(2) (right only at T = 1). Per step, ∂L/∂Z_s^(2) = (1/T) Σ_{t≥s} ∂CE_t/∂Z_s^(2).",
    correctedTex: `${dLd("Z^{(2)}")} = \\sum_{s=1}^{T} ${dLd("Z_s^{(2)}")} = \\frac{1}{T}\\sum_{t=1}^{T}\\sum_{s=1}^{t} ${dLd("Z_s^{(2)}", Lt)}`,
  },
  4: {
    verdict: "right", composedVerdict: "wrong value",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (4) as written as its summand it inherits the missing transpose. (W_{hh₂}^(2) means W_{h₁h₂}^(2).)",
    correctedTex: `${dLd("W_{h_1h_2}^{(2)}")} = ${avg("W_{h_1h_2}^{(2)}")}`,
  },
  5: {
    verdict: "right", composedVerdict: "wrong shape",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (5) as written as its summand it inherits the shape error.",
    correctedTex: `${dLd("W_{h_2h_2}^{(2)}")} = ${avg("W_{h_2h_2}^{(2)}")}`,
  },
  6: {
    verdict: "wrong value", composedVerdict: "wrong value",
    slip:
      "As (3), one layer down: the sum misses Σ_{s<t} ∂CE_t/∂Z_s^(1), which flows through both W_h1h1 and layer 2's recurrence (right only at T = 1).",
    correctedTex: `${dLd("Z^{(1)}")} = \\sum_{s=1}^{T} ${dLd("Z_s^{(1)}")} = \\frac{1}{T}\\sum_{t=1}^{T}\\sum_{s=1}^{t} ${dLd("Z_s^{(1)}", Lt)}`,
  },
  7: {
    verdict: "right", composedVerdict: "wrong value",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (7) as written as its summand it inherits both slips. (W_xh^(1) means W_{xh₁}^(1).)",
    correctedTex: `${dLd("W_{xh_1}^{(1)}")} = ${avg("W_{xh_1}^{(1)}")}`,
  },
  8: {
    verdict: "right", composedVerdict: "wrong shape",
    slip: "Right with exact per-step gradients (n times too large for the batch mean); with §2.1 (8) as written as its summand it inherits the shape error.",
    correctedTex: `${dLd("W_{h_1h_1}^{(1)}")} = ${avg("W_{h_1h_1}^{(1)}")}`,
  },
};

/** The 16 equations of §2.1 and §2.1.1 with their verdicts (pinned by test/stacked/stacked-source.test.ts). */
export const STACKED_EQUATIONS: readonly StackedEquation[] = [
  ...SOURCE_EQS.map((k) => ({ section: "2.1" as const, number: k, name: stackedEqName("2.1", k), anchor: stackedEqAnchor("2.1", k), ...SLIPS_21[k] })),
  ...SOURCE_EQS.map((k) => ({ section: "2.1.1" as const, number: k, name: stackedEqName("2.1.1", k), anchor: stackedEqAnchor("2.1.1", k), ...SLIPS_211[k] })),
];
