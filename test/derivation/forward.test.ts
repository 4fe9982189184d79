/**
 * The forward pass, eqs 1.1–1.7 of "BPTT Derivations": every intermediate of lib/derivation/forward.ts is recomputed here
 * with plain loops over number[][] straight from the equations, plus a tiny example done by hand, the stability
 * of softmax and the loss for logits in the thousands, both h⁽⁰⁾ conventions, and the messages for bad inputs.
 */
import { describe, expect, it } from "vitest";
import { type Forward, forward, hPrevAt, meanLoss, softmax, stepLoss, stepLosses } from "../../lib/derivation/forward.js";
import { tanh } from "../../lib/core/libm.js";
import { type Matrix, ShapeError, fromRows, row, toRows, zeros } from "../../lib/core/matrix.js";
import { type H0Kind, type Params, H0_KINDS, initParams, initialHidden, sizesOf } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { InputError } from "../../lib/core/tokens.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";

/** Two float64 evaluations of the same quantity of order one in a different order of operations. */

interface Ref {
  x: number[][]; a: number[][]; h: number[][]; o: number[][]; yhat: number[][]; L_t: number[]; loss: number;
}

/** eqs 1.1–1.7 with nothing from lib but the parameters, read out as nested arrays. */
function referenceForward(p: Params, inputs: number[], targets: number[], h0: number[]): Ref {
  const E = toRows(p.E), U = toRows(p.U), W = toRows(p.W), V = toRows(p.V);
  const b = Array.from(p.b), c = Array.from(p.c);
  const hidden = W.length, vocab = E.length;
  const r: Ref = { x: [], a: [], h: [], o: [], yhat: [], L_t: [], loss: 0 };
  let hPrev = h0;
  for (let t = 0; t < inputs.length; t++) {
    const x = E[inputs[t]!]!.slice(); // eq 1.3
    const a: number[] = [];
    for (let j = 0; j < hidden; j++) {
      // eq 1.4: a_j = Σ_k hPrev_k W_jk + Σ_k x_k U_jk + b_j   (h Wᵀ + x Uᵀ + b)
      let s = b[j]!;
      for (let k = 0; k < hidden; k++) s += hPrev[k]! * W[j]![k]!;
      for (let k = 0; k < x.length; k++) s += x[k]! * U[j]![k]!;
      a.push(s);
    }
    const h = a.map(Math.tanh); // eq 1.5
    const o: number[] = [];
    for (let i = 0; i < vocab; i++) {
      let s = c[i]!; // eq 1.6: o_i = Σ_j h_j V_ij + c_i
      for (let j = 0; j < hidden; j++) s += h[j]! * V[i]![j]!;
      o.push(s);
    }
    const m = Math.max(...o);
    const e = o.map((v) => Math.exp(v - m));
    const z = e.reduce((s, v) => s + v, 0);
    const yhat = e.map((v) => v / z); // eq 1.7
    r.x.push(x); r.a.push(a); r.h.push(h); r.o.push(o); r.yhat.push(yhat);
    r.L_t.push(-Math.log(yhat[targets[t]!]!)); // eq 1.1
    hPrev = h;
  }
  r.loss = r.L_t.reduce((s, v) => s + v, 0) / r.L_t.length; // eq 1.2
  return r;
}

/** max |got − want| over a matrix of lib against nested arrays (NaN counts as infinitely far). */
function maxDiff(got: Matrix, want: number[][]): number {
  expect([got.rows, got.cols]).toEqual([want.length, want[0]?.length ?? 0]);
  let m = 0;
  for (let i = 0; i < got.rows; i++) {
    for (let j = 0; j < got.cols; j++) {
      const d = Math.abs(got.data[i * got.cols + j]! - want[i]![j]!);
      m = Number.isNaN(d) ? Infinity : Math.max(m, d);
    }
  }
  return m;
}

interface Case { name: string; seed: number; vocab: number; dModel: number; hidden: number; inputs: number[]; targets: number[] }
const CASES: Case[] = [
  { name: "vocab 5, d 3, hidden 4, τ 6", seed: 1, vocab: 5, dModel: 3, hidden: 4, inputs: [0, 3, 3, 1, 4, 3], targets: [3, 3, 1, 4, 3, 0] },
  { name: "vocab 8, d 2, hidden 3, τ 9", seed: 7, vocab: 8, dModel: 2, hidden: 3, inputs: [2, 5, 2, 7, 2, 5, 0, 0, 1], targets: [5, 2, 7, 2, 5, 0, 0, 1, 6] },
  { name: "τ = 1", seed: 42, vocab: 3, dModel: 4, hidden: 5, inputs: [2], targets: [0] },
  { name: "vocab 1, hidden 1", seed: 3, vocab: 1, dModel: 2, hidden: 1, inputs: [0, 0, 0], targets: [0, 0, 0] },
];

function setup(c: Case, kind: H0Kind) {
  const p = initParams({ vocab: c.vocab, dModel: c.dModel, hidden: c.hidden }, makeRng(c.seed));
  const h0 = initialHidden(kind, c.hidden);
  return { p, h0, f: forward(p, c.inputs, c.targets, h0), ref: referenceForward(p, c.inputs, c.targets, Array.from(h0)) };
}

describe.each(CASES.flatMap((c) => H0_KINDS.map((k) => [`${c.name}, h0 ${k}`, c, k] as const)))("%s", (_, c, kind) => {
  const { p, h0, f, ref } = setup(c, kind);
  const tau = c.inputs.length;

  it("shapes: τ rows of d_model, hidden, hidden, vocab, vocab entries", () => {
    expect([f.x.rows, f.x.cols, f.a.rows, f.a.cols, f.h.rows, f.h.cols]).toEqual([tau, c.dModel, tau, c.hidden, tau, c.hidden]);
    expect([f.o.rows, f.o.cols, f.yhat.rows, f.yhat.cols, f.L_t.length]).toEqual([tau, c.vocab, tau, c.vocab, tau]);
  });

  it("eq 1.3: x⁽ᵗ⁾ is exactly the row E[input⁽ᵗ⁾], copied (not a view of E)", () => {
    expect(toRows(f.x)).toEqual(ref.x);
    for (let t = 0; t < tau; t++) expect(Array.from(row(f.x, t))).toEqual(Array.from(row(p.E, c.inputs[t]!)));
    const before = p.E.data.slice();
    forward(p, c.inputs, c.targets, h0).x.data.fill(123); // a fresh pass, so the shared one stays intact
    expect(p.E.data).toEqual(before);
  });

  it("eq 1.4: a⁽ᵗ⁾ = h⁽ᵗ⁻¹⁾Wᵀ + x⁽ᵗ⁾Uᵀ + b, starting from the given h⁽⁰⁾", () => {
    expect(maxDiff(f.a, ref.a)).toBeLessThan(ROUNDING_TOL);
    expect(Array.from(f.h0)).toEqual(Array.from(h0));
    expect(Array.from(hPrevAt(f, 0))).toEqual(Array.from(h0));
    if (tau > 1) expect(Array.from(hPrevAt(f, 1))).toEqual(Array.from(row(f.h, 0)));
  });

  it("eq 1.5: h⁽ᵗ⁾ = tanh(a⁽ᵗ⁾)", () => {
    expect(maxDiff(f.h, ref.h)).toBeLessThan(ROUNDING_TOL);
    for (let k = 0; k < f.a.data.length; k++) expect(f.h.data[k]).toBe(tanh(f.a.data[k]!));
  });

  it("eq 1.6: o⁽ᵗ⁾ = h⁽ᵗ⁾Vᵀ + c", () => {
    expect(maxDiff(f.o, ref.o)).toBeLessThan(ROUNDING_TOL);
  });

  it("eq 1.7: ŷ⁽ᵗ⁾ = softmax(o⁽ᵗ⁾); every row is positive and sums to 1", () => {
    expect(maxDiff(f.yhat, ref.yhat)).toBeLessThan(ROUNDING_TOL);
    for (let t = 0; t < tau; t++) {
      const y = Array.from(row(f.yhat, t));
      expect(y.every((v) => v > 0 && v <= 1)).toBe(true);
      expect(Math.abs(y.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(ROUNDING_TOL);
    }
  });

  it("eq 1.1: L⁽ᵗ⁾ = −log ŷ⁽ᵗ⁾[y⁽ᵗ⁾]", () => {
    for (let t = 0; t < tau; t++) {
      expect(Math.abs(f.L_t[t]! - ref.L_t[t]!)).toBeLessThan(ROUNDING_TOL);
      expect(Math.abs(f.L_t[t]! + Math.log(f.yhat.data[t * c.vocab + c.targets[t]!]!))).toBeLessThan(ROUNDING_TOL);
      expect(f.L_t[t]!).toBeGreaterThanOrEqual(0);
    }
  });

  it("eq 1.2: L is the mean of the L⁽ᵗ⁾", () => {
    expect(Math.abs(f.loss - ref.loss)).toBeLessThan(ROUNDING_TOL);
    let s = 0;
    for (const v of f.L_t) s += v;
    expect(Math.abs(f.loss - s / tau)).toBeLessThan(ROUNDING_TOL);
  });
});

describe("a tiny example done by hand", () => {
  // vocab 2, d_model 1, hidden 1: E = [[1], [−1]], U = [[0.5]], W = [[2]], b = [0.25], V = [[1], [−1]], c = [0, 0].
  const p: Params = {
    E: fromRows([[1], [-1]]), U: fromRows([[0.5]]), W: fromRows([[2]]), b: Float64Array.of(0.25),
    V: fromRows([[1], [-1]]), c: Float64Array.of(0, 0),
  };

  it("eqs 1.3–1.7, 1.1, 1.2 for inputs [0, 1], targets [1, 1], h⁽⁰⁾ = 0.1", () => {
    const f = forward(p, [0, 1], [1, 1], Float64Array.of(0.1));
    // t = 1: x = 1, a = 0.1·2 + 1·0.5 + 0.25 = 0.95; t = 2: x = −1, a = 2 tanh(0.95) − 0.5 + 0.25
    const h1 = Math.tanh(0.95), a2 = 2 * h1 - 0.25, h2 = Math.tanh(a2);
    expect(toRows(f.x)).toEqual([[1], [-1]]);
    expect(f.a.data[0]).toBeCloseTo(0.95, 15);
    expect(f.a.data[1]).toBeCloseTo(a2, 15);
    expect(f.h.data[1]).toBeCloseTo(h2, 15);
    // o = [h, −h]; ŷ_1 = e^{−h} / (e^{h} + e^{−h}); L = −log ŷ_1 = log(1 + e^{2h})
    expect(toRows(f.o)[0]![0]).toBeCloseTo(h1, 15);
    expect(toRows(f.o)[0]![1]).toBeCloseTo(-h1, 15);
    expect(f.yhat.data[1]).toBeCloseTo(1 / (1 + Math.exp(2 * h1)), 15);
    expect(f.L_t[0]).toBeCloseTo(Math.log1p(Math.exp(2 * h1)), 14);
    expect(f.L_t[1]).toBeCloseTo(Math.log1p(Math.exp(2 * h2)), 14);
    expect(f.loss).toBeCloseTo((Math.log1p(Math.exp(2 * h1)) + Math.log1p(Math.exp(2 * h2))) / 2, 14);
  });

  it("h⁽⁰⁾ = zeros gives a⁽¹⁾ = x⁽¹⁾Uᵀ + b exactly; point-one adds 0.1·(row sums of W)", () => {
    const z = forward(p, [0], [0], initialHidden("zeros", 1));
    const q = forward(p, [0], [0], initialHidden("point-one", 1));
    expect(z.a.data[0]).toBe(0.75);
    expect(q.a.data[0]).toBeCloseTo(0.95, 15);
  });
});

describe("softmax and the loss for logits in the thousands (eqs 1.7, 1.1)", () => {
  const o = Float64Array.of(1000, -1000, 3000);

  it("softmax stays finite and sums to 1", () => {
    const y = softmax(o);
    expect(Array.from(y).every(Number.isFinite)).toBe(true);
    expect(Array.from(y)).toEqual([0, 0, 1]); // e^{−2000} and e^{−4000} underflow to 0
    const big = softmax(Float64Array.of(1e308, 1e308, -1e308));
    expect(Array.from(big)).toEqual([0.5, 0.5, 0]);
  });

  it("equal logits of any finite size cost ln(vocab) to rounding: log Σ is not added to a huge max first", () => {
    for (const big of [1000, 1e12, 1e17, 1e300, -1e300]) {
      expect(stepLoss(Float64Array.of(big, big), 0), `logits ${big}`).toBe(Math.LN2);
      expect(stepLoss(Float64Array.of(big, big, big, big), 3), `logits ${big}`).toBe(2 * Math.LN2);
    }
    // (m + ln 2) − m, the old order, is 0 at m = 1e17: ln 2 is below half an ulp of 1e17 (8).
    expect(1e17 + Math.LN2 - 1e17).toBe(0);
    // Unequal huge logits: the gap decides, and ln(1 + e^(−gap)) is added to it.
    expect(stepLoss(Float64Array.of(1e17, 1e17 + 16), 0)).toBeCloseTo(16 + Math.log1p(Math.exp(-16)), 14);
  });

  it("eq 1.1 for one step (stepLoss) gives the bits of stepLosses' row, whatever the logits", () => {
    const rng = makeRng(11);
    const specials = [0, -0, 1e300, -1e300, 1e-300, NaN, Infinity, -Infinity, 1e17, 745, -745];
    for (let trial = 0; trial < 400; trial++) {
      const cols = 1 + (trial % 7);
      const m = zeros(3, cols);
      for (let k = 0; k < m.data.length; k++) {
        m.data[k] = trial % 5 === 0 ? specials[Math.floor(rng.uniform(0, specials.length))]! : rng.uniform(-30, 30) * (trial % 3 === 0 ? 1e6 : 1);
      }
      const targets = [0, 1, 2].map(() => Math.floor(rng.uniform(0, cols)));
      const rows = stepLosses(m, targets);
      for (let t = 0; t < 3; t++) expect(Object.is(stepLoss(row(m, t), targets[t]!), rows[t]), `trial ${trial}, row ${t}`).toBe(true);
    }
  });

  it("a hugely wrong logit costs about the logit gap, not Infinity", () => {
    expect(stepLoss(o, 0)).toBe(2000); // −log ŷ_0 = 3000 − 1000
    expect(stepLoss(o, 1)).toBe(4000);
    expect(stepLoss(o, 2)).toBe(0);
    // −log(softmax(o)_0) would be −log(0) = ∞
    expect(-Math.log(softmax(o)[0]!)).toBe(Infinity);
  });

  it("through forward(): biases of ±thousands give a finite loss equal to the mean logit gap", () => {
    // V = 0 so o⁽ᵗ⁾ = c exactly
    const p: Params = {
      E: zeros(3, 2), U: zeros(2, 2), W: zeros(2, 2), b: new Float64Array(2), V: zeros(3, 2), c: o.slice(),
    };
    const f = forward(p, [0, 1], [0, 1], initialHidden("point-one", 2));
    expect(Array.from(f.L_t)).toEqual([2000, 4000]);
    expect(f.loss).toBe(3000);
    expect(Array.from(f.yhat.data).every(Number.isFinite)).toBe(true);
  });

  it("meanLoss is the plain mean", () => {
    expect(meanLoss(Float64Array.of(1, 2, 6))).toBe(3);
  });
});

describe("h⁽⁰⁾ conventions", () => {
  it("initialHidden gives zeros or 0.1·ones of the hidden width", () => {
    expect(Array.from(initialHidden("zeros", 3))).toEqual([0, 0, 0]);
    expect(Array.from(initialHidden("point-one", 3))).toEqual([0.1, 0.1, 0.1]);
    expect(H0_KINDS).toEqual(["zeros", "point-one"]);
  });

  it("the two conventions give different first pre-activations, recomputed in agreement", () => {
    const p = initParams({ vocab: 4, dModel: 2, hidden: 3 }, makeRng(11));
    const [z, q] = H0_KINDS.map((k) => forward(p, [1, 2], [2, 3], initialHidden(k, 3))) as [Forward, Forward];
    // a⁽¹⁾ differs by 0.1 · (row sums of W)
    for (let j = 0; j < 3; j++) {
      let rowSum = 0;
      for (let k = 0; k < 3; k++) rowSum += p.W.data[j * 3 + k]!;
      expect(q.a.data[j]! - z.a.data[j]!).toBeCloseTo(0.1 * rowSum, 14);
    }
    expect(z.loss).not.toBe(q.loss);
  });
});

describe("bad inputs are refused with one-line messages", () => {
  const p = initParams({ vocab: 8, dModel: 2, hidden: 3 }, makeRng(0));
  const h0 = initialHidden("zeros", 3);

  function messageOf(f: () => unknown, type: new (...args: never[]) => Error): string {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(type);
      return (e as Error).message;
    }
    throw new Error("expected an error, but nothing was thrown");
  }

  it("empty inputs", () => {
    expect(messageOf(() => forward(p, [], [], h0), InputError)).toBe("inputs is empty: expected at least one token");
  });

  it("a token out of range", () => {
    expect(messageOf(() => forward(p, [0, 1, 2, 9], [0, 1, 2, 3], h0), InputError)).toBe(
      "inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageOf(() => forward(p, [-1], [0], h0), InputError)).toBe(
      "inputs[0] = -1 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageOf(() => forward(p, [0, 1], [8, 0], h0), InputError)).toBe(
      "targets[0] = 8 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    const p1 = initParams({ vocab: 1, dModel: 2, hidden: 3 }, makeRng(0));
    expect(messageOf(() => forward(p1, [1], [0], h0), InputError)).toBe(
      "inputs[0] = 1 is not a token id: the vocabulary has 1 token (ids 0 to 0)",
    );
  });

  it("a non-integer token id", () => {
    expect(messageOf(() => forward(p, [0, 1.5], [0, 1], h0), InputError)).toBe(
      "inputs[1] = 1.5 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageOf(() => forward(p, [NaN], [0], h0), InputError)).toMatch(/^inputs\[0\] = .+ is not a token id/);
  });

  it("targets of a different length", () => {
    expect(messageOf(() => forward(p, [0, 1, 2], [1, 2], h0), InputError)).toBe(
      "targets has 2 tokens but inputs has 3: expected one target per input",
    );
  });

  it("h⁽⁰⁾ of the wrong length", () => {
    expect(messageOf(() => forward(p, [0], [1], new Float64Array(2)), ShapeError)).toBe(
      "forward: h0 has length 2, expected hidden = 3",
    );
  });

  it("mis-shaped parameters (sizesOf)", () => {
    expect(sizesOf(p)).toEqual({ vocab: 8, dModel: 2, hidden: 3 });
    const bad = (patch: Partial<Params>) => messageOf(() => forward({ ...p, ...patch }, [0], [1], h0), ShapeError);
    expect(bad({ U: zeros(3, 4) })).toBe("params: U has shape [3,4], expected [3,2] for vocab 8, d_model 2, hidden 3");
    expect(bad({ W: zeros(3, 2) })).toBe("params: W has shape [3,2], expected [3,3] for vocab 8, d_model 2, hidden 3");
    expect(bad({ b: new Float64Array(2) })).toBe("params: b has shape [2], expected [3] for vocab 8, d_model 2, hidden 3");
    expect(bad({ V: zeros(3, 8) })).toBe("params: V has shape [3,8], expected [8,3] for vocab 8, d_model 2, hidden 3");
    expect(bad({ c: new Float64Array(7) })).toBe("params: c has shape [7], expected [8] for vocab 8, d_model 2, hidden 3");
    // E fixes vocab and d_model, so a mis-shaped E shows up as the first parameter that disagrees with it
    expect(bad({ E: zeros(8, 5) })).toBe("params: U has shape [3,2], expected [3,5] for vocab 8, d_model 5, hidden 3");
  });
});
