/**
 * lib/d2l/checks.ts `gatedLoss`, the oracle of /truncation's three gated checks: it takes the steps a loss term shares
 * with the one before (same gates so far) from that one's run, and runs a step in place rather than through `mv`. Both
 * must leave every digit as it was: compared, with Object.is, with the plain form kept here (every loss term re-run
 * from h_0, one `mv` per product), directly and through `numericalGatedGrads`.
 */
import { describe, it } from "vitest";
import { expectSameBits } from "../close.js";
import { gatedLoss, numericalGatedGrads, numericalWeightGrads } from "../../lib/d2l/checks.js";
import {
  type D2LOptions, type D2LParams, type D2LSequence, type Gate, activate, d2lForward, hPrevAt, mv, optionsOf, stepLossD2L,
} from "../../lib/d2l/model.js";
import { gradientNormDemo } from "../../lib/d2l/vanishing.js";
import { clone } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { flattenWeights, randomizedGate, randomizedGateAsPrinted, sampleXi, truncationGate } from "../../lib/d2l/truncation.js";

function plainGatedLoss(p: D2LParams, q: D2LParams, s: D2LSequence, opts: D2LOptions, gate: Gate): number {
  const { activation } = optionsOf(opts);
  const f = d2lForward(p, s, opts), T = s.xs.length;
  let L = 0;
  for (let t = 1; t <= T; t++) {
    if (f.weights[t - 1] === 0) continue;
    let hTilde = s.h0;
    for (let j = 1; j <= t; j++) {
      const hPrev = hPrevAt(f, j - 1), g = gate(t, j);
      const hIn = hPrev.map((v, i) => v + g * (hTilde[i]! - v));
      const Wx = mv(q.W_hx, s.xs[j - 1]!), Wh = mv(q.W_hh, hIn);
      hTilde = activate(activation, Wx.map((v, i) => v + Wh[i]!));
    }
    L += f.weights[t - 1]! * stepLossD2L(mv(q.W_qh, hTilde), s.targets, t - 1);
  }
  return L;
}

const MODELS = [
  { hidden: 4, T: 8, seed: 1, rho: 0.9, activation: "tanh" as const, lossAt: "all" as const }, // /truncation's defaults
  { hidden: 3, T: 6, seed: 2, rho: 1.2, activation: "relu" as const, lossAt: "all" as const },
  { hidden: 2, T: 5, seed: 3, rho: 0.5, activation: "identity" as const, lossAt: "last" as const },
  { hidden: 1, T: 2, seed: 5, rho: 0.5, activation: "tanh" as const, lossAt: "all" as const },
  { hidden: 6, T: 12, seed: 4294967295, rho: 1.6, activation: "tanh" as const, lossAt: "all" as const },
];

describe.each(MODELS.map((c) => [`h ${c.hidden}, T ${c.T}, ${c.activation}, loss at ${c.lossAt}`, c] as const))("gatedLoss, %s", (_, c) => {
  const { p, s, opts } = gradientNormDemo(c);
  const T = c.T, xi = sampleXi(0.5, T, makeRng(c.seed % 1000)), xi2 = sampleXi(0.3, T, makeRng(c.seed % 1000 + 1));
  /** Real gates that change with t and j (and one −0), so that few loss terms share steps. */
  const odd: Gate = (t, j) => (j === t ? -0 : 0.25 * ((t * 7 + j * 3) % 5));
  /**
   * Mostly 1, a quarter 0.5, drawn: loss terms share prefixes of many lengths with the terms before, and a loss term
   * can agree with an earlier one beyond the step where the last one differed (the states kept must be the last's).
   */
  const scattered = (seed: number): Gate => {
    const r = makeRng(seed), g = Array.from({ length: T + 1 }, () => Array.from({ length: T + 1 }, () => (r.next() < 0.25 ? 0.5 : 1)));
    return (t, j) => g[t]![j]!;
  };
  const GATES: [string, Gate][] = [
    ...Array.from({ length: T + 1 }, (_, k) => [`truncation after k = ${k}`, truncationGate(k)] as [string, Gate]),
    ["ξ-gate", randomizedGate(xi)], ["ξ-gate, π = 0.3", randomizedGate(xi2)],
    ["as printed", randomizedGateAsPrinted(xi)], ["every edge", () => 1], ["no edge", () => 0], ["odd real gates", odd],
    ...[1, 2, 3].map((seed) => [`drawn halves, seed ${seed}`, scattered(seed)] as [string, Gate]),
  ];
  const rng = makeRng(c.seed % 1000 + 2);
  const perturbed = Array.from({ length: 3 }, () => {
    const q = { W_hx: clone(p.W_hx), W_hh: clone(p.W_hh), W_qh: clone(p.W_qh) };
    for (const m of [q.W_hx, q.W_hh, q.W_qh]) for (let k = 0; k < m.data.length; k++) m.data[k]! += rng.uniform(-1e-3, 1e-3);
    return q;
  });

  it.each(GATES)("%s: the loss at p and at perturbed weights has the plain form's bits", (_, gate) => {
    for (const q of [p, ...perturbed]) expectSameBits("L", [gatedLoss(p, q, s, opts, gate)], [plainGatedLoss(p, q, s, opts, gate)]);
  });

  it.each(GATES)("%s: numericalGatedGrads has the bits of central differences of the plain form", (_, gate) => {
    const got = numericalGatedGrads(p, s, opts, gate);
    const want = numericalWeightGrads(p, s, opts, undefined, (q) => plainGatedLoss(p, q, s, opts, gate));
    expectSameBits("∂L/∂W", flattenWeights(got), flattenWeights(want));
  });
});
