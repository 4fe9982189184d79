/**
 * Property tests (fast-check) over random models: shapes vocab 1–6, d_model 1–4, hidden 1–5, τ 1–6, random seeds,
 * random token sequences (so repeated and unseen tokens both occur) and both h⁽⁰⁾ conventions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backward, gradCheck } from "../lib/derivation/backward.js";
import { forward } from "../lib/derivation/forward.js";
import { type Matrix, type Vector } from "../lib/core/matrix.js";
import { type H0Kind, type Params, type Sizes, H0_KINDS, PARAM_NAMES, initParams, initialHidden } from "../lib/derivation/model.js";
import { makeRng } from "../lib/core/rng.js";
import { FD_TOL as FD_ABS_TOL, ROUNDING_TOL } from "../lib/core/tolerances.js";

/**
 * Acceptance of a parameter gradient against central differences (ε = 1e-5, see lib/derivation/gradcheck.ts): its relative
 * error ‖analytic − numeric‖₂ / (‖analytic‖₂ + ‖numeric‖₂) must be below PROP_FD_REL_TOL, unless the gradient is
 * so small that the difference quotient's own absolute error dominates, in which case the largest absolute error
 * must be below FD_ABS_TOL.
 *
 * Why both: the difference quotient is off by ~1e-11 in absolute terms (rounding u·L/ε plus truncation ε²·L‴), so
 * correct gradients typically agree to ~1e-10 relative. But a one-entry parameter (W or b when hidden = 1) can have
 * a gradient that is nearly 0 by cancellation, and then the *relative* error of a correct gradient is unbounded: a
 * sweep of 40 000 models from this very distribution gave relative errors up to 2.8e-6 (W = 6e-6 with absolute error
 * 3e-11), 3 cases above 1e-6 — a bare relative bound would fail about one run in a hundred. Absolute errors in that
 * sweep stayed below ~2e-10, so FD_ABS_TOL = 1e-8 has a 50× margin, while any wrong term of eqs 4.4–4.9 (a dropped
 * h⁽⁰⁾ or 1/τ, an off-by-one in t, a wrong row) is off by 1e-3 or more and fails both bounds.
 */
const PROP_FD_REL_TOL = 1e-6;
/** Float64 sums of a handful of order-one terms, compared across different summation orders. */
const NUM_RUNS = 150;

interface Model { sizes: Sizes; seed: number; kind: H0Kind; inputs: number[]; targets: number[] }

const modelArb: fc.Arbitrary<Model> = fc
  .record({
    vocab: fc.integer({ min: 1, max: 6 }),
    dModel: fc.integer({ min: 1, max: 4 }),
    hidden: fc.integer({ min: 1, max: 5 }),
    tau: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    kind: fc.constantFrom(...H0_KINDS),
  })
  .chain(({ vocab, dModel, hidden, tau, seed, kind }) => {
    const tokens = fc.array(fc.integer({ min: 0, max: vocab - 1 }), { minLength: tau, maxLength: tau });
    return fc.record({ inputs: tokens, targets: tokens }).map(({ inputs, targets }) => ({
      sizes: { vocab, dModel, hidden }, seed, kind, inputs, targets,
    }));
  });

function build(m: Model) {
  const p = initParams(m.sizes, makeRng(m.seed));
  const h0 = initialHidden(m.kind, m.sizes.hidden);
  const f = forward(p, m.inputs, m.targets, h0);
  return { p, h0, f, g: backward(p, f, m.inputs, m.targets) };
}

const bytes = (a: Matrix | Vector): Buffer => {
  const d = "data" in a ? a.data : a;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
};
const paramBytes = (p: Params) => Buffer.concat(PARAM_NAMES.map((n) => bytes(p[n])));

describe("properties over random models", () => {
  it("(a) eqs 4.4–4.9: every parameter gradient matches central finite differences", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { h0, p } = build(m);
        const check = gradCheck(p, m.inputs, m.targets, h0);
        if (check.maxRelError < PROP_FD_REL_TOL) return; // the usual case
        for (const name of PARAM_NAMES) {
          const { relError, maxAbsError } = check.perParam[name];
          expect(relError < PROP_FD_REL_TOL || maxAbsError < FD_ABS_TOL, `${name}: ${JSON.stringify(check.perParam[name])}`).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("(b) eq 4.9: rows of (DL)_E for tokens absent from the inputs are exactly 0", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { g } = build(m);
        const d = m.sizes.dModel;
        for (let v = 0; v < m.sizes.vocab; v++) {
          if (m.inputs.includes(v)) continue;
          for (let k = 0; k < d; k++) expect(g.dL_dE.data[v * d + k] === 0).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("(c) eq 4.9: a token's row of (DL)_E is the sum over its occurrences of [(DL)_h⁽ᵗ⁾ ⊙ (1 − h⁽ᵗ⁾²)] U", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { p, f, g } = build(m);
        const { dModel: d, hidden } = m.sizes;
        const want = new Float64Array(m.sizes.vocab * d);
        let scale = 1;
        for (let t = 0; t < m.inputs.length; t++) {
          const v = m.inputs[t]!;
          for (let j = 0; j < hidden; j++) {
            const h = f.h.data[t * hidden + j]!;
            const da = g.dL_dh.data[t * hidden + j]! * (1 - h * h);
            for (let k = 0; k < d; k++) {
              const term = da * p.U.data[j * d + k]!;
              want[v * d + k]! += term;
              scale = Math.max(scale, Math.abs(term));
            }
          }
        }
        for (let k = 0; k < want.length; k++) {
          expect(Math.abs(g.dL_dE.data[k]! - want[k]!)).toBeLessThanOrEqual(ROUNDING_TOL * scale);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("(d) determinism: the same seed gives bitwise identical parameters, forward pass and gradients", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const one = build(m), two = build(m);
        expect(paramBytes(one.p).equals(paramBytes(two.p))).toBe(true);
        for (const k of ["x", "a", "h", "o", "yhat", "L_t"] as const) expect(bytes(one.f[k]).equals(bytes(two.f[k]))).toBe(true);
        expect(Object.is(one.f.loss, two.f.loss)).toBe(true);
        for (const k of ["dL_do", "dL_dh", "dL_da", "dL_dc", "dL_db", "dL_dV", "dL_dW", "dL_dU", "dL_dE"] as const) {
          expect(bytes(one.g[k]).equals(bytes(two.g[k]))).toBe(true);
        }
        // …and the comparison is not vacuous: another seed gives other parameters
        const other = initParams(m.sizes, makeRng(m.seed === 0 ? 1 : m.seed - 1));
        expect(paramBytes(other).equals(paramBytes(one.p))).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("(e) eqs 1.1–1.2: every L⁽ᵗ⁾ and the loss are finite and ≥ 0", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { f } = build(m);
        expect(Number.isFinite(f.loss) && f.loss >= 0).toBe(true);
        for (const v of f.L_t) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("(f) eq 4.1: Σᵢ (DL)_{oᵢ⁽ᵗ⁾} = 0 for every t (ŷ sums to 1, the indicator to 1)", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { g } = build(m);
        const vocab = m.sizes.vocab;
        for (let t = 0; t < m.inputs.length; t++) {
          let s = 0, mass = 0;
          for (let i = 0; i < vocab; i++) {
            s += g.dL_do.data[t * vocab + i]!;
            mass += Math.abs(g.dL_do.data[t * vocab + i]!);
          }
          expect(Math.abs(s)).toBeLessThanOrEqual(ROUNDING_TOL);
          // the target's entry is (ŷ_y − 1)/τ < 0 unless vocab = 1, so the rows are not trivially zero
          if (vocab > 1) expect(mass).toBeGreaterThan(0);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
