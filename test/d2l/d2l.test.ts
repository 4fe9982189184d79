/**
 * The D2L chapter's simplified RNN (lib/d2l/d2l.ts, column vectors): every gradient of its §2 (d2l eqs 2.1–2.5) and the
 * §1 recursion for ∂h_t/∂w_h (d2l eqs 1c–1e) against central finite differences (float64) and TF.js reverse-mode
 * autodiff (float32, TFJS_REL_TOL); the closed form 2.4b against the recursion 2.4a; the notation bridge (column,
 * row, batch-major conventions) and the main derivation's lib/derivation/forward.ts + lib/derivation/backward.ts. Last, deliberately wrong
 * variants are shown to FAIL the same checks.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { backward } from "../../lib/derivation/backward.js";
import { forward } from "../../lib/derivation/forward.js";
import {
  type D2LOptions, type D2LParams, type D2LSequence, type Targets, type WhName, asRows, d2lBackward, d2lForward,
  dLdwFromDhdw, dhdwExpansion, dhdwRecursion, flattenWh, forwardModePieces, fromBatchConvention, fromRowConvention,
  hiddenGradsClosedForm, hiddenGradsRecursion, initD2L, mtv, mv, numericalDhdw, numericalHiddenGradsD2L,
  numericalOutputGrads, numericalWeightGrads, outputGrads, randomSequence, roundToFloat32, sizesOfD2L,
  tfjsD2L, tfjsDhdw, threeConventions, toBatchConvention, toBatchSequence, batchForwardBackward,
  toMainModelParams, toRowConvention, whLayout,
} from "../../lib/d2l/d2l.js";
import { discrepancy } from "../../lib/core/fd.js";
import { type Matrix, type Vector, ShapeError, clone, maxAbs, maxAbsDiff, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { FD_REL_TOL, ROUNDING_TOL, TFJS_ABS_TOL, TFJS_REL_TOL } from "../../lib/core/tolerances.js";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
  await tf.ready();
  expect(tf.getBackend()).toBe("cpu");
});

interface Case {
  name: string; seed: number; d: number; hidden: number; q: number; T: number;
  kind: Targets["kind"]; opts: D2LOptions; randomH0?: boolean;
}
const CASES: Case[] = [
  { name: "identity, cross-entropy, d 2, h 3, q 4, T 5", seed: 1, d: 2, hidden: 3, q: 4, T: 5, kind: "cross-entropy", opts: {} },
  { name: "identity, squared, d 3, h 4, q 3, T 6, random h_0", seed: 2, d: 3, hidden: 4, q: 3, T: 6, kind: "squared", opts: {}, randomH0: true },
  { name: "identity, cross-entropy, scalar h = d = 1, q 2, T 4", seed: 3, d: 1, hidden: 1, q: 2, T: 4, kind: "cross-entropy", opts: {} },
  { name: "identity, cross-entropy, T = 1", seed: 4, d: 2, hidden: 3, q: 3, T: 1, kind: "cross-entropy", opts: {} },
  { name: "identity, squared, loss at T only", seed: 5, d: 2, hidden: 3, q: 2, T: 5, kind: "squared", opts: { lossAt: "last" } },
  { name: "tanh, cross-entropy, random h_0", seed: 6, d: 2, hidden: 3, q: 4, T: 6, kind: "cross-entropy", opts: { activation: "tanh" }, randomH0: true },
  { name: "relu, squared, loss at T only", seed: 7, d: 3, hidden: 4, q: 2, T: 5, kind: "squared", opts: { activation: "relu", lossAt: "last" } },
];

interface Setup { p: D2LParams; s: D2LSequence }
function setup(c: Case): Setup {
  const rng = makeRng(c.seed);
  const sizes = { d: c.d, hidden: c.hidden, q: c.q, T: c.T };
  // float32-representable numbers, so that TF.js sees exactly the same model as the float64 code
  return roundToFloat32(initD2L(sizes, rng, 1.5), randomSequence(sizes, rng, c.kind, { randomH0: c.randomH0 ?? false }));
}

const dataOf = (x: Matrix | Vector | readonly Vector[]): Float64Array =>
  Array.isArray(x) ? asRows(x as Vector[]).data : "data" in (x as Matrix) ? (x as Matrix).data : (x as Vector);

function expectFd(what: string, analytic: Matrix | Vector | readonly Vector[], numeric: Matrix | Vector | readonly Vector[]): void {
  const d = discrepancy(dataOf(analytic), dataOf(numeric));
  expect(d.relError, `${what} vs finite differences: ${JSON.stringify(d)}`).toBeLessThan(FD_REL_TOL);
}
function expectTfjs(what: string, ours: Matrix | Vector | readonly Vector[], theirs: Matrix | Vector | readonly Vector[]): void {
  const d = discrepancy(dataOf(ours), dataOf(theirs));
  expect(d.relError < TFJS_REL_TOL || d.maxAbsError < TFJS_ABS_TOL, `${what} vs TF.js: ${JSON.stringify(d)}`).toBe(true);
}
const flat = (ms: readonly Matrix[]) => Float64Array.from(ms.flatMap((m) => Array.from(m.data)));
/** Two float64 evaluations of the same quantity: equal to ROUNDING_TOL relative to its size. */
function expectSame(what: string, a: Matrix | Vector | readonly Vector[], b: Matrix | Vector | readonly Vector[]): void {
  const x = dataOf(a), y = dataOf(b);
  expect(maxAbsDiff(x, y), what).toBeLessThanOrEqual(ROUNDING_TOL * Math.max(1, maxAbs(x)));
}

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

  it("the notation bridge: column (D2L), row (main derivation) and batch-major (stacked-RNN source) runs agree through the transposes", () => {
    const three = threeConventions(p, s, c.opts);
    for (const [k, v] of Object.entries(three.maxDiff)) expect(v, k).toBeLessThanOrEqual(ROUNDING_TOL * Math.max(1, maxAbs(g.W_hh), maxAbs(g.dL_dh[0]!)));
    expectSame("column run = d2lBackward", three.column.asColumn.W_hh, g.W_hh);
  });
});

describe("the notation bridge", () => {
  const c = CASES[1]!;
  const { p, s } = setup(c);

  it("row convention stores the same matrices ([out, in]); batch convention stores their transposes ([in, out])", () => {
    const r = toRowConvention(p), b = toBatchConvention(p);
    expect([r.U.rows, r.U.cols, r.W.rows, r.V.rows, r.V.cols]).toEqual([c.hidden, c.d, c.hidden, c.q, c.hidden]);
    expect([b.W_xh.rows, b.W_xh.cols, b.W_ha.rows, b.W_ha.cols]).toEqual([c.d, c.hidden, c.hidden, c.q]);
    expect(Array.from(r.U.data)).toEqual(Array.from(p.W_hx.data));
    for (let i = 0; i < c.hidden; i++) for (let j = 0; j < c.hidden; j++) expect(b.W_hh.data[j * c.hidden + i]).toBe(p.W_hh.data[i * c.hidden + j]);
    const back = fromBatchConvention(b), back2 = fromRowConvention(r);
    for (const n of ["W_hx", "W_hh", "W_qh"] as const) {
      expect(Array.from(back[n].data)).toEqual(Array.from(p[n].data));
      expect(Array.from(back2[n].data)).toEqual(Array.from(p[n].data));
    }
    r.U.data[0] = 99; // copies: no aliasing
    expect(p.W_hx.data[0]).not.toBe(99);
  });

  it("a batch of n = 3 sequences (the stacked-RNN source's X_t ∈ ℝ^{n×d}) gives each row's h_t and the sum of the per-sequence gradients", () => {
    const rng = makeRng(77);
    const seqs = [s, ...[0, 1].map(() => randomSequence({ d: c.d, hidden: c.hidden, q: c.q, T: c.T }, rng, c.kind, { randomH0: true }))];
    const run = batchForwardBackward(toBatchConvention(p), toBatchSequence(seqs), c.opts);
    const sum = { W_hx: zeros(c.hidden, c.d), W_hh: zeros(c.hidden, c.hidden), W_qh: zeros(c.q, c.hidden) };
    let loss = 0;
    seqs.forEach((sq, i) => {
      const fi = d2lForward(p, sq, c.opts), gi = d2lBackward(p, sq, c.opts, fi);
      loss += fi.loss;
      for (const n of ["W_hx", "W_hh", "W_qh"] as const) for (let k = 0; k < sum[n].data.length; k++) sum[n].data[k]! += gi[n].data[k]!;
      fi.h.forEach((h, t) => expectSame(`H_${t + 1} row ${i}`, h, run.H[t]!.data.subarray(i * c.hidden, (i + 1) * c.hidden)));
    });
    expect(Math.abs(run.loss - loss)).toBeLessThanOrEqual(ROUNDING_TOL);
    const back = fromBatchConvention(run.grads);
    for (const n of ["W_hx", "W_hh", "W_qh"] as const) expectSame(n, back[n], sum[n]);
  });

  it("with φ = tanh, zero biases and x_t = E[input_t], lib/derivation/forward.ts and lib/derivation/backward.ts compute the same h_t, ∂L/∂h_t and gradients", () => {
    const rng = makeRng(5);
    const sizes = { d: 3, hidden: 4, q: 5, T: 6 };
    const pm = initD2L(sizes, rng);
    const E = zeros(sizes.q, sizes.d);
    for (let k = 0; k < E.data.length; k++) E.data[k] = rng.uniform(-1, 1);
    const inputs = [0, 3, 3, 1, 4, 2], targets = [3, 3, 1, 4, 2, 0];
    const sq: D2LSequence = {
      xs: inputs.map((i) => E.data.slice(i * sizes.d, (i + 1) * sizes.d)), h0: new Float64Array(sizes.hidden).fill(0.1),
      targets: { kind: "cross-entropy", labels: targets },
    };
    const opts: D2LOptions = { activation: "tanh" };
    const fd = d2lForward(pm, sq, opts), gd = d2lBackward(pm, sq, opts, fd);
    const params = toMainModelParams(pm, E);
    const fm = forward(params, inputs, targets, sq.h0), gm = backward(params, fm, inputs, targets);
    expect(Math.abs(fm.loss - fd.loss)).toBeLessThanOrEqual(ROUNDING_TOL);
    expectSame("h", asRows(fd.h), fm.h);
    expectSame("∂L/∂h", asRows(gd.dL_dh), gm.dL_dh);
    expectSame("∂L/∂W_hh = (DL)_W", gd.W_hh, gm.dL_dW);
    expectSame("∂L/∂W_hx = (DL)_U", gd.W_hx, gm.dL_dU);
    expectSame("∂L/∂W_qh = (DL)_V", gd.W_qh, gm.dL_dV);
    expect(() => toMainModelParams(pm, zeros(sizes.q + 1, sizes.d))).toThrow(ShapeError);
  });

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

  it("the bridge without its transposes (batch convention fed the [out, in] matrices) gives different states", () => {
    const square = setup({ ...c, d: 3, hidden: 3, seed: 9 });
    const b = toBatchConvention(square.p);
    const untransposed = { W_xh: square.p.W_hx, W_hh: square.p.W_hh, W_ha: b.W_ha };
    const good = batchForwardBackward(b, toBatchSequence([square.s]));
    const bad = batchForwardBackward(untransposed, toBatchSequence([square.s]));
    expect(maxAbsDiff(good.H[c.T - 1]!, bad.H[c.T - 1]!)).toBeGreaterThan(1e-3);
    // and the good one agrees with the column run
    expectSame("batch = column", good.H[c.T - 1]!.data, d2lForward(square.p, square.s).h[c.T - 1]!);
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
