/**
 * The backward pass, eqs 4.1–4.9 of "BPTT Derivations", against central finite differences (lib/derivation/gradcheck.ts):
 * the logits (4.1), the hidden states through every later step (4.2–4.3) and all six parameters (4.4–4.9), for
 * several seeds and sizes and both h⁽⁰⁾ conventions. Then the headline of §3.8: rows of (DL)_E for tokens that
 * never occur are exactly zero, and a repeated token's row is the sum of its occurrences' contributions. Last,
 * deliberately wrong gradients are shown to FAIL the same comparison, so passing it means something.
 */
import { describe, expect, it } from "vitest";
import {
  type Gradients, backward, gradE, gradW, hiddenGrads, logitGrads, paramGrads,
} from "../../lib/derivation/backward.js";
import { type Forward, forward } from "../../lib/derivation/forward.js";
import {
  type ParamGrads, numericalHiddenGrads, numericalLogitGrads, numericalParamGrads,
} from "../../lib/derivation/gradcheck.js";
import { discrepancy } from "../../lib/core/fd.js";
import { expectFd } from "../close.js";
import { type Matrix, type Vector, addOuterInPlace, row, scale, zeros } from "../../lib/core/matrix.js";
import { type H0Kind, type Params, H0_KINDS, PARAM_NAMES, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { FD_REL_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

/**
 * Largest accepted relative error ‖analytic − numeric‖₂ / (‖analytic‖₂ + ‖numeric‖₂) against central differences
 * with ε = 1e-5. The difference quotient is off by O(ε²·L‴) ≈ 1e-10 from truncation plus O(u·L/ε) ≈ 1e-11 from
 * rounding, so relative errors of a correct gradient are ~1e-10 (measured on these cases: at most 2e-9, and at
 * most 2.2e-7 over 6000 random models in a sweep, for a nearly saturated tanh with a tiny gradient). 1e-7 keeps a
 * margin on these fixed cases, while any wrong term — a dropped h⁽⁰⁾ or 1/τ, an off-by-one in t, a wrong row —
 * shows up at 1e-3 or far more (see the last describe block).
 */
/** Two float64 evaluations of the same sum of order-one terms, summed in possibly different orders. */

interface Case { name: string; seed: number; vocab: number; dModel: number; hidden: number; inputs: number[]; targets: number[] }
const CASES: Case[] = [
  { name: "vocab 5, d 3, hidden 4, τ 6", seed: 1, vocab: 5, dModel: 3, hidden: 4, inputs: [0, 3, 3, 1, 4, 3], targets: [3, 3, 1, 4, 3, 0] },
  { name: "vocab 8, d 2, hidden 3, τ 9", seed: 7, vocab: 8, dModel: 2, hidden: 3, inputs: [2, 5, 2, 7, 2, 5, 0, 0, 1], targets: [5, 2, 7, 2, 5, 0, 0, 1, 6] },
  { name: "vocab 3, d 4, hidden 5, τ 1", seed: 42, vocab: 3, dModel: 4, hidden: 5, inputs: [2], targets: [0] },
  { name: "vocab 6, d 1, hidden 1, τ 5", seed: 11, vocab: 6, dModel: 1, hidden: 1, inputs: [4, 4, 1, 4, 0], targets: [4, 1, 4, 0, 5] },
  { name: "vocab 1, d 2, hidden 2, τ 3", seed: 3, vocab: 1, dModel: 2, hidden: 2, inputs: [0, 0, 0], targets: [0, 0, 0] },
  { name: "vocab 10, d 4, hidden 6, τ 12", seed: 2024, vocab: 10, dModel: 4, hidden: 6, inputs: [9, 1, 1, 5, 3, 9, 0, 1, 5, 3, 3, 8], targets: [1, 1, 5, 3, 9, 0, 1, 5, 3, 3, 8, 2] },
];

interface Setup {
  p: Params; h0: Vector; f: Forward; g: Gradients; analytic: ParamGrads;
  numeric: ParamGrads; numLogits: Matrix; numHidden: Matrix;
}
function setup(c: Case, kind: H0Kind): Setup {
  const p = initParams({ vocab: c.vocab, dModel: c.dModel, hidden: c.hidden }, makeRng(c.seed));
  const h0 = initialHidden(kind, c.hidden);
  const f = forward(p, c.inputs, c.targets, h0);
  const g = backward(p, f, c.inputs, c.targets);
  return {
    p, h0, f, g, analytic: paramGrads(g),
    numeric: numericalParamGrads(p, c.inputs, c.targets, h0),
    numLogits: numericalLogitGrads(f, c.targets),
    numHidden: numericalHiddenGrads(p, f, c.inputs, c.targets),
  };
}

/** Rows [from, to) of a matrix as a new matrix. */
function rows(m: Matrix, from: number, to: number): Matrix {
  return { rows: to - from, cols: m.cols, data: m.data.slice(from * m.cols, to * m.cols) };
}

/** [(DL)_{h⁽ᵗ⁾} ⊙ (1 − (h⁽ᵗ⁾)²)] U for one step t, with plain loops (the summand of eq 4.9 / 3.21). */
function contribution(s: Setup, t: number): number[] {
  const hidden = s.f.h.cols, d = s.p.U.cols;
  const out = new Array<number>(d).fill(0);
  for (let j = 0; j < hidden; j++) {
    const hj = s.f.h.data[t * hidden + j]!;
    const daj = s.g.dL_dh.data[t * hidden + j]! * (1 - hj * hj);
    for (let k = 0; k < d; k++) out[k]! += daj * s.p.U.data[j * d + k]!;
  }
  return out;
}

describe.each(CASES.flatMap((c) => H0_KINDS.map((k) => [`${c.name}, h0 ${k}`, c, k] as const)))("%s", (_, c, kind) => {
  const s = setup(c, kind);
  const tau = c.inputs.length;

  it("eq 4.1 (DL)_o matches finite differences", () => {
    expectFd("dL_do", s.g.dL_do, s.numLogits);
  });

  it("eq 4.2 (DL)_h at t = τ matches finite differences", () => {
    expectFd("dL_dh[τ]", rows(s.g.dL_dh, tau - 1, tau), rows(s.numHidden, tau - 1, tau));
  });

  if (tau >= 2) it("eq 4.3 (DL)_h for t = τ−1 … 1 (through every later step) matches finite differences", () => {
    expectFd("dL_dh[1..τ−1]", rows(s.g.dL_dh, 0, tau - 1), rows(s.numHidden, 0, tau - 1));
  });

  it("eq 4.4 (DL)_c matches finite differences", () => expectFd("dL_dc", s.analytic.c, s.numeric.c));
  it("eq 4.5 (DL)_b matches finite differences", () => expectFd("dL_db", s.analytic.b, s.numeric.b));
  it("eq 4.6 (DL)_V matches finite differences", () => expectFd("dL_dV", s.analytic.V, s.numeric.V));
  it("eq 4.7 (DL)_W matches finite differences", () => expectFd("dL_dW", s.analytic.W, s.numeric.W));
  it("eq 4.8 (DL)_U matches finite differences", () => expectFd("dL_dU", s.analytic.U, s.numeric.U));
  it("eq 4.9 (DL)_E matches finite differences", () => expectFd("dL_dE", s.analytic.E, s.numeric.E));

  it("(DL)_a = (DL)_h ⊙ (1 − h²), the bracket shared by eqs 4.5 and 4.7–4.9", () => {
    for (let k = 0; k < s.f.h.data.length; k++) {
      const h = s.f.h.data[k]!;
      expect(s.g.dL_da.data[k]).toBe(s.g.dL_dh.data[k]! * (1 - h * h));
    }
  });

  it("eq 4.9 / §3.8: rows of (DL)_E for tokens absent from the inputs are exactly 0", () => {
    const unseen = [...Array(c.vocab).keys()].filter((v) => !c.inputs.includes(v));
    for (const v of unseen) {
      const analyticRow = Array.from(row(s.analytic.E, v));
      const numericRow = Array.from(row(s.numeric.E as Matrix, v));
      expect(analyticRow.every((x) => x === 0), `analytic row ${v}: ${analyticRow}`).toBe(true);
      // perturbing a row that is never looked up leaves the loss bit-for-bit unchanged
      expect(numericRow.every((x) => x === 0), `numeric row ${v}: ${numericRow}`).toBe(true);
    }
  });

  it("eq 4.9 / §3.8: each seen token's row is the sum of its occurrences' contributions [(DL)_h⁽ᵗ⁾ ⊙ (1 − h⁽ᵗ⁾²)] U", () => {
    const contributions = Array.from({ length: tau }, (_, t) => contribution(s, t));
    for (const v of new Set(c.inputs)) {
      const steps = c.inputs.flatMap((id, t) => (id === v ? [t] : []));
      const want = new Array<number>(c.dModel).fill(0);
      for (const t of steps) for (let k = 0; k < c.dModel; k++) want[k]! += contributions[t]![k]!;
      const got = Array.from(row(s.analytic.E, v));
      const scaleOf = Math.max(1, ...steps.flatMap((t) => contributions[t]!.map(Math.abs)));
      for (let k = 0; k < c.dModel; k++) {
        expect(Math.abs(got[k]! - want[k]!), `token ${v} at steps ${steps}`).toBeLessThanOrEqual(ROUNDING_TOL * scaleOf);
      }
      // a repeated token's row is not just one of its contributions (e.g. the last one written)
      if (steps.length > 1 && c.vocab > 1) {
        for (const t of steps) {
          const gap = Math.max(...got.map((x, k) => Math.abs(x - contributions[t]![k]!)));
          expect(gap).toBeGreaterThan(1e-6);
        }
      }
    }
  });
});

describe("vocab 1: the loss is identically 0, so every gradient is exactly 0", () => {
  it.each(H0_KINDS)("h0 %s", (kind) => {
    const c = CASES.find((k) => k.vocab === 1)!;
    const s = setup(c, kind);
    expect(s.f.loss).toBe(0);
    for (const name of PARAM_NAMES) {
      const g = s.analytic[name];
      expect(Array.from("data" in g ? g.data : g).every((x) => x === 0), name).toBe(true);
    }
  });
});

describe("the finite-difference check can fail: deliberately wrong gradients are caught", () => {
  const caught = (analytic: Matrix | Vector, numeric: Matrix | Vector) => {
    const d = discrepancy(analytic, numeric);
    expect(d.relError, JSON.stringify(d)).toBeGreaterThan(FD_REL_TOL);
    return d.relError;
  };

  it.each(CASES.slice(0, 4))("eq 4.7 without the h⁽⁰⁾ term (t = 0) under the point-one convention: $name", (c) => {
    const s = setup(c, "point-one");
    const noH0 = gradW(s.g.dL_dh, s.f.h, new Float64Array(c.hidden));
    expect(caught(noH0, s.numeric.W)).toBeGreaterThan(1e-3);
    // …while under the zeros convention the h⁽⁰⁾ term vanishes, so the same shortcut is harmless there
    const z = setup(c, "zeros");
    expectFd("dL_dW without h0, zeros convention", gradW(z.g.dL_dh, z.f.h, new Float64Array(c.hidden)), z.numeric.W);
  });

  it.each(CASES.filter((c) => c.inputs.length > 1 && c.vocab > 1))("eq 4.1 without the 1/τ: $name", (c) => {
    const s = setup(c, "zeros");
    const tau = c.inputs.length;
    // off by the factor τ: relative error (τ − 1)/(τ + 1)
    expect(caught(scale(s.g.dL_do, tau), s.numLogits)).toBeCloseTo((tau - 1) / (tau + 1), 6);
    expect(caught(scale(logitGrads(s.f.yhat, c.targets), tau), s.numLogits)).toBeGreaterThan(0.3);
  });

  it.each(CASES.filter((c) => c.inputs.length > 1 && c.vocab > 1))("eq 4.3 without the recurrent term: $name", (c) => {
    const s = setup(c, "point-one");
    const dh = hiddenGrads(s.g.dL_do, s.f.h, s.p.V, zeros(c.hidden, c.hidden)); // W = 0: only (DL)_o V
    caught(dh, s.numHidden);
  });

  it.each(CASES.filter((c) => c.inputs.length > 1 && c.vocab > 1))("eq 4.7 with h⁽ᵗ⁾ in place of h⁽ᵗ⁻¹⁾: $name", (c) => {
    const s = setup(c, "point-one");
    const wrong = zeros(c.hidden, c.hidden);
    for (let t = 0; t < s.f.h.rows; t++) addOuterInPlace(wrong, row(s.g.dL_da, t), row(s.f.h, t));
    caught(wrong, s.numeric.W);
  });

  it.each(CASES.filter((c) => c.vocab > 1))("eq 4.9 scattered into the target rows instead of the input rows: $name", (c) => {
    const s = setup(c, "zeros");
    caught(gradE(s.g.dL_dh, s.f.h, s.p.U, c.targets, c.vocab), s.numeric.E);
  });
});
