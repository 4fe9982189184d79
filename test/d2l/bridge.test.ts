/**
 * The notation bridge of /d2l (lib/d2l/bridge.ts): D2L's columns, the main derivation's rows and Vera's batch rows
 * agree once the transposes are undone, with each other, with D2L's backward pass and with the main derivation's
 * lib/derivation/forward.ts + lib/derivation/backward.ts; fed the untransposed matrices, they do not.
 */
import { describe, expect, it } from "vitest";
import { backward } from "../../lib/derivation/backward.js";
import { forward } from "../../lib/derivation/forward.js";
import { type D2LOptions, type D2LSequence, asRows, d2lForward, initD2L, randomSequence } from "../../lib/d2l/model.js";
import { d2lBackward } from "../../lib/d2l/d2l.js";
import {
  batchForwardBackward, fromBatchConvention, fromRowConvention, threeConventions, toBatchConvention, toBatchSequence,
  toMainModelParams, toRowConvention,
} from "../../lib/d2l/bridge.js";
import { ShapeError, maxAbs, maxAbsDiff, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { expectSame } from "../close.js";
import { CASES, setup } from "./cases.js";

describe.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
  const { p, s } = setup(c);
  const g = d2lBackward(p, s, c.opts);

  it("the notation bridge: column (D2L), row (main derivation) and batch-major (Vera's stacked RNN) runs agree through the transposes", () => {
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

  it("a batch of n = 3 sequences (Vera's X_t ∈ ℝ^{n×d}) gives each row's h_t and the sum of the per-sequence gradients", () => {
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

  it("can fail: the bridge without its transposes (batch convention fed the [out, in] matrices) gives different states", () => {
    const c = CASES[0]!, square = setup({ ...c, d: 3, hidden: 3, seed: 9 });
    const b = toBatchConvention(square.p);
    const untransposed = { W_xh: square.p.W_hx, W_hh: square.p.W_hh, W_ha: b.W_ha };
    const good = batchForwardBackward(b, toBatchSequence([square.s]));
    const bad = batchForwardBackward(untransposed, toBatchSequence([square.s]));
    expect(maxAbsDiff(good.H[c.T - 1]!, bad.H[c.T - 1]!)).toBeGreaterThan(1e-3);
    // and the good one agrees with the column run
    expectSame("batch = column", good.H[c.T - 1]!.data, d2lForward(square.p, square.s).h[c.T - 1]!);
  });
});
