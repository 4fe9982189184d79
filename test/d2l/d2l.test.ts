/**
 * The D2L chapter's simplified RNN (lib/d2l/d2l.ts, column vectors): every gradient of its §2 (d2l eqs 2.1–2.5) and the
 * §1 recursion for ∂h_t/∂w_h (d2l eqs 1c–1e) against central finite differences (float64) and TF.js reverse-mode
 * autodiff (float32, TFJS_REL_TOL); the closed form 2.4b against the recursion 2.4a; the notation bridge (column,
 * row, batch-major conventions) and the main derivation's lib/derivation/forward.ts + lib/derivation/backward.ts. Last, deliberately wrong
 * variants are shown to FAIL the same checks.
 */
import * as tf from "@tensorflow/tfjs";
import { useTfjsCpu } from "./tfjs-cpu.js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type D2LParams, type D2LSequence, type WhName, asRows, d2lForward, flattenWh, mtv, mv, sizesOfD2L, stackBlocks, whLayout,
} from "../../lib/d2l/model.js";
import {
  d2lBackward, dLdwFromDhdw, dhdwExpansion, dhdwExpansionAsPrinted, dhdwRecursion, forwardModePieces,
  hiddenGradsClosedForm, hiddenGradsRecursion, outputGrads,
} from "../../lib/d2l/d2l.js";
import { numericalDhdw, numericalHiddenGradsD2L, numericalOutputGrads, numericalWeightGrads } from "../../lib/d2l/checks.js";
import { tfjsD2L, tfjsDhdw } from "../../lib/d2l/tfjs-oracles.js";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, type Vector, ShapeError, clone, maxAbs, maxAbsDiff, zeros } from "../../lib/core/matrix.js";
import { FD_REL_TOL, ROUNDING_TOL, TFJS_REL_TOL } from "../../lib/core/tolerances.js";
import { expectFd, expectSame, expectTfjs } from "../close.js";

beforeAll(useTfjsCpu);

import { CASES, setup } from "./cases.js";

const flat = (ms: readonly Matrix[]): Matrix => stackBlocks(ms);

describe.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
  const { p, s } = setup(c);
  const f = d2lForward(p, s, c.opts);
  const g = d2lBackward(p, s, c.opts, f);
  // computed on first use, inside a test, i.e. after beforeAll has chosen the CPU backend
  let cached: ReturnType<typeof tfjsD2L> | undefined;
  const tfjs = () => (cached ??= tfjsD2L(tf, p, s, c.opts));
  const T = c.T;

  if (c.opts.activation === "relu") {
    it("(setup) no ReLU pre-activation sits near its kink, so finite differences are meaningful", () => {
      for (const a of f.a) for (const v of a) expect(Math.abs(v)).toBeGreaterThan(1e-3);
    });
  }

  it("d2l eqs 2a, 2b: h_t, o_t and L agree with TF.js", () => {
    expect(Math.abs(f.loss - tfjs().loss)).toBeLessThanOrEqual(TFJS_REL_TOL * Math.max(1, Math.abs(f.loss)));
    // and with the definition, step by step
    let hPrev = s.h0;
    f.h.forEach((h, t) => {
      const a = mv(p.W_hx, s.xs[t]!).map((v, i) => v + mv(p.W_hh, hPrev)[i]!);
      expect(maxAbsDiff(f.a[t]!, a)).toBeLessThanOrEqual(ROUNDING_TOL);
      expectSame(`o_${t + 1} = W_qh h_t`, f.o[t]!, mv(p.W_qh, h));
      hPrev = h;
    });
  });

  it("d2l eq 2.1: ∂L/∂o_t = ∂l(o_t, y_t)/(T ∂o_t) matches finite differences and TF.js", () => {
    expectFd("dL/do", g.dL_do, numericalOutputGrads(p, s, c.opts));
    expectTfjs("dL/do", g.dL_do, tfjs().dL_do);
  });

  it("d2l eq 2.2: ∂L/∂W_qh = Σ_t ∂L/∂o_t h_tᵀ matches finite differences and TF.js", () => {
    expectFd("dL/dW_qh", g.W_qh, numericalWeightGrads(p, s, c.opts).W_qh);
    expectTfjs("dL/dW_qh", g.W_qh, tfjs().W_qh);
  });

  const numHidden = numericalHiddenGradsD2L(p, s, c.opts);
  it("d2l eq 2.3: ∂L/∂h_T = W_qhᵀ ∂L/∂o_T matches finite differences and TF.js", () => {
    expectFd("dL/dh_T", g.dL_dh[T - 1]!, numHidden[T - 1]!);
    expectTfjs("dL/dh_T", g.dL_dh[T - 1]!, tfjs().dL_dh[T - 1]!);
    expectSame("eq 2.3 literally", g.dL_dh[T - 1]!, mtv(p.W_qh, g.dL_do[T - 1]!));
  });

  if (T >= 2) it("d2l eq 2.4a: ∂L/∂h_t by the recursion (t < T) matches finite differences and TF.js", () => {
    expectFd("dL/dh_{1..T−1}", g.dL_dh.slice(0, T - 1), numHidden.slice(0, T - 1));
    expectTfjs("dL/dh_{1..T−1}", g.dL_dh.slice(0, T - 1), tfjs().dL_dh.slice(0, T - 1));
  });

  if ((c.opts.activation ?? "identity") === "identity") {
    it("d2l eq 2.4b: the sum of powers of W_hhᵀ equals the recursion 2.4a (and finite differences)", () => {
      const closed = hiddenGradsClosedForm(p, g.dL_do);
      expectSame("2.4b vs 2.4a", closed, g.dL_dh);
      expectFd("2.4b", closed, numHidden);
    });
  }

  it("d2l eq 2.5a: ∂L/∂W_hx = Σ_t ∂L/∂h_t x_tᵀ matches finite differences and TF.js", () => {
    expectFd("dL/dW_hx", g.W_hx, numericalWeightGrads(p, s, c.opts).W_hx);
    expectTfjs("dL/dW_hx", g.W_hx, tfjs().W_hx);
  });

  it("d2l eq 2.5b: ∂L/∂W_hh = Σ_t ∂L/∂h_t h_{t−1}ᵀ (from t = 1, with h_0) matches finite differences and TF.js", () => {
    expectFd("dL/dW_hh", g.W_hh, numericalWeightGrads(p, s, c.opts).W_hh);
    expectTfjs("dL/dW_hh", g.W_hh, tfjs().W_hh);
  });

  const nameSets: (readonly WhName[])[] = c.hidden === 1 ? [["W_hh"], ["W_hx"], ["W_hx", "W_hh"]] : [["W_hx", "W_hh"]];
  for (const names of nameSets) {
    const label = `w_h = ${names.join(" ⊕ ")}${whLayout(p, names).P === 1 ? " (a scalar)" : ""}`;
    const pc = forwardModePieces(p, s, c.opts, names);
    const rec = dhdwRecursion(pc);

    it(`d2l eqs 1d, 1e: ∂h_t/∂w_h by the recursion equals the explicit sum of Jacobian products, ${label}`, () => {
      expectSame("1d vs 1e", flat(rec), flat(dhdwExpansion(pc)));
    });

    it(`d2l eq 1d: ∂h_t/∂w_h matches finite differences and TF.js autodiff, ${label}`, () => {
      expectFd("∂h/∂w_h", flat(rec), flat(numericalDhdw(p, s, c.opts, names)));
      expectTfjs("∂h/∂w_h", flat(rec), flat(tfjsDhdw(tf, p, s, c.opts, names)));
    });

    it(`d2l eq 1c: (1/T) Σ_t ∂l/∂o_t ∂g/∂h_t ∂h_t/∂w_h equals the backprop gradient of eqs 2.5, ${label}`, () => {
      expectSame("1c vs 2.5", dLdwFromDhdw(pc, rec), flattenWh(g, pc.layout));
    });
  }

});

describe("the model (lib/d2l/model.ts) checks every shape", () => {
  const c = CASES[1]!;
  const { p, s } = setup(c);

  it("every shape is checked", () => {
    expect(() => d2lForward({ ...p, W_hh: zeros(c.hidden, c.hidden + 1) }, s)).toThrow(ShapeError);
    expect(() => d2lForward(p, { ...s, xs: [new Float64Array(c.d + 1), ...s.xs.slice(1)] })).toThrow(/x_1 has length/);
    expect(() => d2lForward(p, { ...s, h0: new Float64Array(1) })).toThrow(/h_0 has length/);
    expect(() => d2lForward(p, { ...s, xs: [] })).toThrow(/no time steps/);
    expect(() => sizesOfD2L(p, { ...s, targets: { kind: "cross-entropy", labels: s.xs.map(() => c.q) } })).toThrow(RangeError);
    expect(() => mv(p.W_hh, new Float64Array(c.hidden + 1))).toThrow(ShapeError);
    expect(() => whLayout(p, [])).toThrow(RangeError);
  });
});

describe("can fail: wrong variants of the equations fail the same checks", () => {
  const c = CASES[0]!;
  const { p, s } = setup(c);
  const f = d2lForward(p, s), g = d2lBackward(p, s, {}, f);
  const numHidden = numericalHiddenGradsD2L(p, s);
  const relTo = (a: readonly Vector[], b: readonly Vector[]) => discrepancy(asRows(a as Vector[]), asRows(b as Vector[])).relError;

  it("eq 2.4a with W_hh in place of W_hhᵀ (W_hh is not symmetric here) is off by far more than FD_REL_TOL", () => {
    const pT: D2LParams = { ...p, W_hh: { rows: p.W_hh.rows, cols: p.W_hh.cols, data: Float64Array.from({ length: p.W_hh.data.length }, (_, k) => p.W_hh.data[(k % c.hidden) * c.hidden + Math.floor(k / c.hidden)]!) } };
    const wrong = hiddenGradsRecursion(pT, f, g.dL_do);
    expect(relTo(wrong, numHidden)).toBeGreaterThan(1e-3);
  });

  it("eq 2.4a without its W_qhᵀ ∂L/∂o_t term fails finite differences", () => {
    const onlyLast = g.dL_do.map((v, t) => (t === c.T - 1 ? v : new Float64Array(v.length)));
    const wrong = hiddenGradsRecursion(p, f, onlyLast);
    expect(relTo(wrong, numHidden)).toBeGreaterThan(1e-3);
  });

  it("eq 2.4b with the output index i (instead of T + t − i) or one power too many disagrees with 2.4a", () => {
    const T = c.T, wrongIndex: Vector[] = [], wrongPower: Vector[] = [];
    for (let t = 1; t <= T; t++) {
      const a = new Float64Array(c.hidden), b = new Float64Array(c.hidden);
      for (let i = t; i <= T; i++) {
        let u = mtv(p.W_qh, g.dL_do[i - 1]!), v = mtv(p.W_qh, g.dL_do[T + t - i - 1]!);
        for (let k = 0; k < T - i; k++) u = mtv(p.W_hh, u);
        for (let k = 0; k < T - i + 1; k++) v = mtv(p.W_hh, v);
        for (let j = 0; j < c.hidden; j++) { a[j]! += u[j]!; b[j]! += v[j]!; }
      }
      wrongIndex.push(a); wrongPower.push(b);
    }
    expect(relTo(wrongIndex, g.dL_dh)).toBeGreaterThan(1e-3);
    expect(relTo(wrongPower, g.dL_dh)).toBeGreaterThan(1e-3);
  });

  it("eq 2.5b without the t = 1 term (h_0 ≠ 0) fails finite differences; eq 2.1 without 1/T fails too", () => {
    const c2 = CASES[1]!; // random h_0
    const { p: p2, s: s2 } = setup(c2);
    const g2 = d2lBackward(p2, s2);
    const wrong = clone(g2.W_hh);
    for (let i = 0; i < c2.hidden; i++) for (let j = 0; j < c2.hidden; j++) wrong.data[i * c2.hidden + j]! -= g2.dL_dh[0]![i]! * s2.h0[j]!;
    expect(discrepancy(wrong, numericalWeightGrads(p2, s2).W_hh).relError).toBeGreaterThan(1e-3);
    const noMean = outputGrads(f, s.targets).map((v) => v.map((x) => x * c.T));
    expect(relTo(noMean, numericalOutputGrads(p, s))).toBeGreaterThan(1e-3);
  });

  it("eq 1e with the Jacobians multiplied in the wrong order (earlier steps on the left) disagrees with 1d under tanh", () => {
    // Under D2L's identity activation every J_j = W_hh and the order is invisible; with tanh, J_j = diag(φ′(a_j)) W_hh.
    const ct = CASES[5]!, { p: pt, s: st } = setup(ct);
    const pc = forwardModePieces(pt, st, ct.opts);
    const wrong: Matrix[] = [];
    for (let t = 1; t <= ct.T; t++) {
      const D = clone(pc.A[t - 1]!);
      for (let i = 1; i <= t - 1; i++) {
        let prod: Matrix | null = null;
        for (let j = i + 1; j <= t; j++) prod = prod === null ? clone(pc.J[j - 1]!) : matmulPlain(prod, pc.J[j - 1]!);
        const term = matmulPlain(prod!, pc.A[i - 1]!);
        for (let k = 0; k < D.data.length; k++) D.data[k]! += term.data[k]!;
      }
      wrong.push(D);
    }
    expect(discrepancy(flat(wrong), flat(dhdwRecursion(pc))).relError).toBeGreaterThan(1e-3);
    expectSame("dhdwExpansionAsPrinted = the earliest-left product built here", flat(dhdwExpansionAsPrinted(pc)), flat(wrong));
    const pcIdentity = forwardModePieces(p, s);
    expectSame("under the identity every J_j = W_hh and the printed order is the chain rule's", flat(dhdwExpansionAsPrinted(pcIdentity)), flat(dhdwExpansion(pcIdentity)));
  });

  it("intuition: Step 2's recursion ∂h_t/∂W_hh = ∂h_t/∂h_{t−1} · ∂h_{t−1}/∂W_hh, without d2l eq 1d's direct term ∂f_t/∂w_h, gives 0 for every t", () => {
    const pc = forwardModePieces(p, s, {}, ["W_hh"]);
    let D = zeros(c.hidden, pc.layout.P); // ∂h_0/∂W_hh = 0: h_0 does not depend on W_hh
    const literal: Matrix[] = [];
    for (let t = 0; t < c.T; t++) { D = matmulPlain(pc.J[t]!, D); literal.push(D); }
    const numeric = flat(numericalDhdw(p, s, {}, ["W_hh"]));
    expect(maxAbs(flat(literal))).toBe(0);
    expect(discrepancy(flat(literal), numeric).relError).toBe(1);
    expect(discrepancy(flat(dhdwRecursion(pc)), numeric).relError).toBeLessThan(FD_REL_TOL);
  });


  it("TF.js tells cross-entropy and squared error apart (the oracle is not blind to the loss)", () => {
    const alt: D2LSequence = { ...s, targets: { kind: "squared", values: s.xs.map(() => new Float64Array(c.q)) } };
    expect(discrepancy(g.W_hh, tfjsD2L(tf, p, alt).W_hh).relError).toBeGreaterThan(TFJS_REL_TOL);
  });

  it("the TF.js oracles dispose every tensor they make", () => {
    const before = tf.memory().numTensors;
    tfjsD2L(tf, p, s);
    tfjsDhdw(tf, p, s, {}, ["W_hh"]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

function matmulPlain(a: Matrix, b: Matrix): Matrix {
  const out = zeros(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += a.data[i * a.cols + k]! * b.data[k * b.cols + j]!;
  return out;
}
