/**
 * lib/d2l/vanishing.ts: D2L's exercise 4.1 (eigenvalues of M^k are λ^k; power iteration aligns with v_1), ‖∂L/∂h_t‖
 * against t for linear, tanh and ReLU RNNs (d2l eqs 2.3–2.4b; intuition: Step 2–3), the product of Jacobians
 * Π W_hhᵀ diag(φ′(a_k)) against finite differences and TF.js, clipping (by value, by global norm), which bounds the
 * step but cannot restore a vanished signal, and the page's measurements. Each claim is paired with a variant that
 * must fail it.
 */
import * as tf from "@tensorflow/tfjs";
import { useTfjsCpu } from "./tfjs-cpu.js";
import * as fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type D2LOptions, d2lForward, mtv, roundToFloat32 } from "../../lib/d2l/model.js";
import { d2lBackward } from "../../lib/d2l/d2l.js";
import { numericalHiddenGradsD2L, numericalStateJacobian } from "../../lib/d2l/checks.js";
import { tfjsD2L, tfjsStateJacobian } from "../../lib/d2l/tfjs-oracles.js";
import {
  frobenius, jacobiEigen, matrixPower, spectralNorm, symmetricWithSpectrum, vnorm, withSpectralRadius,
} from "../../lib/d2l/spectrum.js";
import {
  clipByGlobalNorm, clipByValue, clippingReport, eigenvaluesOfPower, gradientNormDemo, hiddenGradNorms, jacobianProducts,
  powerIteration,
} from "../../lib/d2l/vanishing.js";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, matmul, maxAbs, maxAbsDiff, transpose, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL, TFJS_REL_TOL } from "../../lib/core/tolerances.js";
import { expectFd, expectWithin } from "../close.js";

beforeAll(useTfjsCpu);

/** Eigen-decompositions of order-one matrices are good to a few ulps times n: 1e-12. */
const EIG_TOL = ROUNDING_TOL;

describe("d2l ex 4.1a: the eigenvalues of M^k are λ_i^k", () => {
  const { W: M } = symmetricWithSpectrum([1.2, -1.1, 0.7, -0.4, 0.1], makeRng(5));
  for (const k of [1, 2, 3, 6, 9]) {
    it(`k = ${k}: eig(M^k) = eig(M)^k (sorted; negative λ change order for even k)`, () => {
      const { ofPower, powersOfEigenvalues } = eigenvaluesOfPower(M, k);
      expect(maxAbsDiff(ofPower, powersOfEigenvalues)).toBeLessThan(EIG_TOL * Math.max(1, maxAbs(ofPower)));
    });
  }
  it("can fail: k·λ_i (or λ_i^{k+1}) are not the eigenvalues of M^k", () => {
    const { ofPower } = eigenvaluesOfPower(M, 3);
    const lam = jacobiEigen(M).values;
    expect(maxAbsDiff(ofPower, lam.map((l) => 3 * l).sort((a, b) => b - a))).toBeGreaterThan(0.1);
    expect(maxAbsDiff(ofPower, lam.map((l) => l ** 4).sort((a, b) => b - a))).toBeGreaterThan(0.1);
  });
  it("and M^k = Q Λ^k Qᵀ (the eigenvectors are those of M)", () => {
    const { W, Q } = symmetricWithSpectrum([0.9, -0.6, 0.3], makeRng(6));
    const k = 5, L = zeros(3, 3);
    [0.9, -0.6, 0.3].forEach((l, i) => { L.data[i * 3 + i] = l ** k; });
    expect(maxAbsDiff(matrixPower(W, k), matmul(matmul(Q, L), transpose(Q)))).toBeLessThan(EIG_TOL);
  });
});

describe("d2l ex 4.1b: M^k x aligns with the dominant eigenvector v_1 (power iteration)", () => {
  const { W: M, eigenvalues } = withSpectralRadius(5, 2, makeRng(3), 0.75);
  const x0 = Float64Array.from([1, 0.3, -0.2, 0.5, 0.1]);
  const run = powerIteration(M, x0, 40);

  it("|cos ∠(x_k, v_1)| → 1 and tan ∠ ≤ tan ∠_0 · (|λ_2|/|λ_1|)^k at every k", () => {
    expect(run.ratio).toBeLessThan(0.75);
    run.tanAngle.forEach((t, k) => expect(t).toBeLessThanOrEqual(run.tanAngle[0]! * run.ratio ** k * (1 + 1e-9) + 1e-14));
    expect(1 - run.alignment[40]!).toBeLessThan(1e-10);
    expect(run.alignment[0]!).toBeLessThan(0.5); // it really started misaligned
  });

  it("the Rayleigh quotient converges to λ_1 = ρ (with its sign: −ρ works too)", () => {
    expect(Math.abs(run.rayleigh[40]! - eigenvalues[0]!)).toBeLessThan(1e-10);
    const neg = powerIteration(symmetricWithSpectrum([-1.5, 1, 0.5], makeRng(9)).W, Float64Array.from([1, 1, 1]), 60);
    expect(Math.abs(neg.rayleigh[60]! + 1.5)).toBeLessThan(1e-10);
    expect(1 - neg.alignment[60]!).toBeLessThan(1e-10);
  });

  it("can fail: with |λ_1| = |λ_2| (λ = ±1) there is no dominant direction and the alignment never improves", () => {
    const tie = powerIteration(symmetricWithSpectrum([1, -1, 0.3], makeRng(10)).W, Float64Array.from([1, 2, 3]), 50);
    expect(tie.ratio).toBeCloseTo(1, 12);
    expect(tie.alignment[50]!).toBeLessThan(0.99);
  });
});

describe("‖∂L/∂h_t‖ against t (d2l eq 2.4b: powers of W_hhᵀ; intuition: Step 3 'vanishing/exploding')", () => {
  const T = 40;
  const lin = (rho: number) => gradientNormDemo({ hidden: 4, T, seed: 1, activation: "identity", rho });

  it("linear RNN, loss at T: ‖∂L/∂h_t‖ ≤ ρ^{T−t} ‖∂L/∂h_T‖, and the step ratio tends to ρ (vanishing for ρ < 1, exploding for ρ > 1)", () => {
    for (const rho of [0.8, 1.2]) {
      const { norms } = lin(rho);
      norms.forEach((n, t) => expect(n).toBeLessThanOrEqual(rho ** (T - 1 - t) * norms[T - 1]! * (1 + 1e-12)));
      expect(Math.abs(norms[0]! / norms[1]! - rho)).toBeLessThan(1e-3);
    }
    expect(lin(0.8).norms[0]! / lin(0.8).norms[T - 1]!).toBeLessThan(1e-3);
    expect(lin(1.2).norms[0]! / lin(1.2).norms[T - 1]!).toBeGreaterThan(1e2);
  });

  it("tanh RNN: ‖∂L/∂h_t‖ ≤ ‖W_hh‖₂^{T−t} ‖∂L/∂h_T‖ since |tanh′| ≤ 1 — a sufficient condition for vanishing when ‖W_hh‖₂ < 1", () => {
    const d = gradientNormDemo({ hidden: 4, T, seed: 1, activation: "tanh", rho: 0.9 });
    const w = spectralNorm(d.p.W_hh);
    d.norms.forEach((n, t) => expect(n).toBeLessThanOrEqual(w ** (T - 1 - t) * d.norms[T - 1]! * (1 + 1e-12)));
  });

  it("tanh RNN with ρ(W_hh) = 1.5 need not explode: saturation (tanh′ ≪ 1) makes it vanish, while the linear RNN explodes", () => {
    const th = gradientNormDemo({ hidden: 4, T: 30, seed: 1, activation: "tanh", rho: 1.5 });
    const li = gradientNormDemo({ hidden: 4, T: 30, seed: 1, activation: "identity", rho: 1.5 });
    expect(th.norms[0]! / th.norms[29]!).toBeLessThan(1e-2);
    expect(li.norms[0]! / li.norms[29]!).toBeGreaterThan(1e4);
  });

  it("ReLU RNN (intuition: Step 6, 'You can avoid vanishing gradients by using ReLU' → not always): with all units active the product is (W_hhᵀ)^k", () => {
    for (const [rho, grows] of [[1.3, true], [0.7, false]] as const) {
      // W_hh = ρ I (the orthogonal similarity of a constant spectrum) and positive drive keep every unit active
      const d = gradientNormDemo({ hidden: 3, T: 25, seed: 4, activation: "relu", eigenvalues: [rho, rho, rho], xScale: 1 });
      const pos = { ...d, s: { ...d.s, xs: d.s.xs.map((x) => x.map(Math.abs)) }, p: { ...d.p, W_hx: { ...d.p.W_hx, data: d.p.W_hx.data.map(Math.abs) } } };
      const norms = hiddenGradNorms(pos.p, pos.s, pos.opts);
      const ratio = norms[0]! / norms[24]!;
      expect(Math.abs(ratio - rho ** 24) / rho ** 24).toBeLessThan(1e-9);
      expect(ratio > 1).toBe(grows);
    }
  });

  it("intuition: Step 3 says 'if the largest eigenvalue of W_hh is < 1 the gradient vanishes': λ = (0.5, −1.5) explodes — it is |λ|, the spectral radius", () => {
    const d = gradientNormDemo({ hidden: 2, T: 20, seed: 2, activation: "identity", eigenvalues: [0.5, -1.5] });
    expect(Math.max(...d.eigenvalues)).toBeCloseTo(0.5, 12);
    expect(d.norms[0]! / d.norms[19]!).toBeGreaterThan(1e3);
  });

  it("non-normal W_hh: ρ = 0.5 < 1, yet the Jacobian products first grow (‖W^1‖ = ‖W^2‖ = 10) before they vanish — eigenvalues alone do not bound a finite horizon", () => {
    const W: Matrix = { rows: 2, cols: 2, data: Float64Array.from([0.5, 10, 0, 0.5]) };
    const d = gradientNormDemo({ hidden: 2, T: 20, seed: 2, activation: "identity", W_hh: W });
    const jp = jacobianProducts(d.p.W_hh, d.preacts, "identity", 1);
    expect(jp.norms[0]!).toBeGreaterThan(10); // ‖W‖₂ slightly above 10
    expect(jp.norms[1]!).toBeGreaterThan(9.9);
    expect(jp.norms[18]!).toBeLessThan(1e-3);
    expect(Math.max(...d.norms) / d.norms[19]!).toBeGreaterThan(5);
  });
});

describe("the product of Jacobians Π_k W_hhᵀ diag(φ′(a_k)) (intuition: Step 3) and its singular values", () => {
  const cases: { act: D2LOptions["activation"] & string; rho: number }[] = [
    { act: "identity", rho: 1.1 }, { act: "tanh", rho: 1.4 }, { act: "relu", rho: 1.2 },
  ];
  for (const { act, rho } of cases) {
    const demo = gradientNormDemo({ hidden: 3, T: 8, seed: 12, activation: act, rho, lossAt: "last" });
    const { p, s } = roundToFloat32(demo.p, demo.s);
    const opts = demo.opts;
    const g = d2lBackward(p, s, opts);
    const preacts = d2lForward(p, s, opts).a;

    it(`${act}: ∂L/∂h_t = P_{T−t} ∂L/∂h_T, and each P_k = (∂h_{t+k}/∂h_t)ᵀ matches finite differences and TF.js`, () => {
      for (const a of preacts) for (const v of a) expect(Math.abs(v)).toBeGreaterThan(1e-3); // away from ReLU's kink
      const jp = jacobianProducts(p.W_hh, preacts, act, 2);
      expect(jp.products.length).toBe(6);
      const viaProduct = mulMatVec(jp.products[5]!, g.dL_dh[7]!);
      expect(discrepancy(viaProduct, g.dL_dh[1]!).relError).toBeLessThan(ROUNDING_TOL);
      for (const k of [1, 3, 6]) {
        const Jt = transpose(numericalStateJacobian(p, s, opts, 2, 2 + k));
        expectFd(`k = ${k}`, jp.products[k - 1]!, Jt);
        const Jtf = transpose(tfjsStateJacobian(tf, p, s, opts, 2, 2 + k));
        expectWithin(`k = ${k} vs TF.js`, jp.products[k - 1]!, Jtf, TFJS_REL_TOL);
      }
    });

    it(`${act}: ‖∂L/∂h_t‖ (the plotted profile) matches finite differences and TF.js`, () => {
      const num = numericalHiddenGradsD2L(p, s, opts), o = tfjsD2L(tf, p, s, opts);
      expectFd("∂L/∂h_t", g.dL_dh, num);
      expectWithin("∂L/∂h_t vs TF.js", g.dL_dh, o.dL_dh, TFJS_REL_TOL);
      hiddenGradNorms(p, s, opts).forEach((n, t) => expect(n).toBeCloseTo(vnorm(g.dL_dh[t]!), 14));
    });
  }

  it("linear, symmetric W_hh: the singular values of (W_hhᵀ)^k are |λ_i|^k; norms = σ_max; ‖P‖_F² = Σ σ²", () => {
    const lambdas = [1.2, -0.8, 0.5];
    const d = gradientNormDemo({ hidden: 3, T: 10, seed: 3, activation: "identity", eigenvalues: lambdas });
    const jp = jacobianProducts(d.p.W_hh, d.preacts, "identity", 1);
    jp.singularValues.forEach((sv, i) => {
      const k = i + 1, want = Float64Array.from(lambdas.map((l) => Math.abs(l) ** k)).sort((a, b) => b - a);
      expect(maxAbsDiff(sv, want)).toBeLessThan(1e-10 * Math.max(1, want[0]!));
      expect(jp.norms[i]).toBe(sv[0]);
      expect(Math.abs(frobenius(jp.products[i]!) ** 2 - sv.reduce((a, v) => a + v * v, 0))).toBeLessThan(1e-9 * Math.max(1, sv[0]! ** 2));
    });
  });

  it("can fail: the intuition page's factor W_hhᵀ f′(a_{t−1}) (one step early) and the untransposed Jacobian give the wrong ∂L/∂h_t", () => {
    const demo = gradientNormDemo({ hidden: 3, T: 8, seed: 12, activation: "tanh", rho: 1.4, lossAt: "last" });
    const g = d2lBackward(demo.p, demo.s, demo.opts);
    const early = [demo.preacts[0]!, ...demo.preacts.slice(0, 7)]; // factor j uses a_{j−1}
    const jpEarly = jacobianProducts(demo.p.W_hh, early, "tanh", 2);
    expect(discrepancy(mulMatVec(jpEarly.products[5]!, g.dL_dh[7]!), g.dL_dh[1]!).relError).toBeGreaterThan(1e-3);
    // W_hh built by symmetricWithSpectrum is symmetric; make a non-symmetric one to see the transpose matter
    const Wn: Matrix = { rows: 3, cols: 3, data: demo.p.W_hh.data.map((v, k) => v + (k === 1 ? 0.5 : 0)) };
    const dn = gradientNormDemo({ hidden: 3, T: 8, seed: 12, activation: "tanh", W_hh: Wn, lossAt: "last" });
    const gn = d2lBackward(dn.p, dn.s, dn.opts);
    const jpN = jacobianProducts(transpose(dn.p.W_hh), dn.preacts, "tanh", 2);
    expect(discrepancy(mulMatVec(jpN.products[5]!, gn.dL_dh[7]!), gn.dL_dh[1]!).relError).toBeGreaterThan(1e-3);
  });
});

describe("gradient clipping bounds the step but cannot restore a vanished signal", () => {
  it("clipByValue (min-char-rnn's np.clip): every entry in [−c, c], |clip(g)_i| ≤ |g_i|, entries inside untouched (fast-check)", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 100, noNaN: true }), (g, c) => {
      const out = clipByValue(g, c);
      return out.every((v, i) => Math.abs(v) <= c && Math.abs(v) <= Math.abs(g[i]!) && (Math.abs(g[i]!) > c || v === g[i]));
    }), { numRuns: 200, seed: 7 });
  });

  it("clipByGlobalNorm (D2L: g ← min(1, θ/‖g‖) g): norm min(‖g‖, θ), direction unchanged, over all tensors together", () => {
    fc.assert(fc.property(fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (gs, theta) => {
      const { clipped, norm, factor } = clipByGlobalNorm(gs, theta);
      const after = Math.sqrt(clipped.reduce((a, x) => a + x.reduce((b, v) => b + v * v, 0), 0));
      return factor <= 1 && Math.abs(after - Math.min(norm, theta)) <= 1e-12 * Math.max(1, norm)
        && clipped.every((x, i) => x.every((v, j) => v === gs[i]![j]! * factor));
    }), { numRuns: 200, seed: 8 });
  });

  it("exploding (ρ = 1.3): global-norm clipping brings ‖g‖ ≈ 1.9e3 down to θ = 1 and keeps its direction; value clipping turns it", () => {
    const d = gradientNormDemo({ hidden: 4, T: 30, seed: 1, activation: "identity", rho: 1.3 });
    const r = clippingReport(d.p, d.s, d.opts, 1, 0.5);
    expect(r.gradNorm).toBeGreaterThan(1e3);
    expect(r.clippedNorm).toBeLessThanOrEqual(1 * (1 + 1e-12));
    expect(r.clippedNorm).toBeGreaterThan(1 - 1e-12);
    expect(r.valueClippedMaxAbs).toBeLessThanOrEqual(0.5);
    expect(r.valueClippedCosine).toBeLessThan(0.99);
    expect(r.farToNear.afterNormClip).toBeCloseTo(r.farToNear.before, 12);
  });

  it("vanishing (ρ = 0.8): clipping leaves the gradient exactly as it was; the far term stays ~1e-4 of the near one", () => {
    const d = gradientNormDemo({ hidden: 4, T: 30, seed: 1, activation: "identity", rho: 0.8 });
    const r = clippingReport(d.p, d.s, d.opts, 1, 0.5);
    expect(r.factor).toBe(1);
    expect(Array.from(r.contributionsNormClipped)).toEqual(Array.from(r.contributions));
    expect(Array.from(r.contributionsValueClipped)).toEqual(Array.from(r.contributions));
    expect(r.farToNear.before).toBeLessThan(1e-2);
    expect(r.farToNear.afterNormClip).toBe(r.farToNear.before);
    // and no threshold makes a contribution bigger than it was
    for (const [theta, c] of [[1e-6, 1e-9], [1e-2, 1e-4], [10, 10]] as const) {
      const q = clippingReport(d.p, d.s, d.opts, theta, c);
      q.contributionsNormClipped.forEach((v, t) => expect(v).toBeLessThanOrEqual(r.contributions[t]!));
      q.contributionsValueClipped.forEach((v, t) => expect(v).toBeLessThanOrEqual(r.contributions[t]!));
    }
  });

  it("can fail: 'clipping' that rescales every gradient to norm θ (θ/‖g‖ instead of min(1, θ/‖g‖)) would inflate the vanished gradient", () => {
    const d = gradientNormDemo({ hidden: 4, T: 30, seed: 1, activation: "identity", rho: 0.8 });
    const r = clippingReport(d.p, d.s, d.opts, 1, 0.5);
    expect(r.gradNorm).toBeLessThan(1);
    const wrongFactor = 1 / r.gradNorm;
    expect(r.contributions[0]! * wrongFactor).toBeGreaterThan(r.contributions[0]!);
    expect(() => clipByGlobalNorm([[1]], 0)).toThrow(RangeError);
    expect(() => clipByValue([1], -1)).toThrow(RangeError);
  });
});

function mulMatVec(A: Matrix, v: Float64Array): Float64Array {
  return mtv(transpose(A), v);
}

describe("gradientNormDemo's eigenvalues, remembered for the last W_hh", () => {
  it("are Jacobi's values of the model's W_hh, bit for bit, whatever was asked before", () => {
    const asked = [
      { seed: 1, rho: 0.9, activation: "tanh" }, { seed: 1, rho: 0.9, activation: "relu" }, { seed: 2, rho: 0.9, activation: "tanh" },
      { seed: 1, rho: 0.9, activation: "identity", lossAt: "all" }, { seed: 1, rho: 1.2, activation: "tanh" },
    ] as const;
    for (const c of asked) {
      const d = gradientNormDemo({ hidden: 5, T: 6, ...c });
      expect(Array.from(d.eigenvalues), JSON.stringify(c)).toEqual(Array.from(jacobiEigen(d.p.W_hh).values));
      d.eigenvalues[0] = NaN; // a caller's change to its copy must not reach the next model
    }
  });
});
