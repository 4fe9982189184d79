import { describe, expect, it } from "vitest";
import {
  adagradUpdate, buildVocab, clipByGlobalNormInPlace, clipByValueInPlace, drawIndex, encode, globalNorm, initialLoss, makeTrainer,
  needsReset, nextChunk, nonZeroRowNorms, sampleIds, sampleText, smoothLoss, softmaxWithTemperature, TRAIN_DEFAULT,
  trainStep, validateTrainConfig,
} from "../../lib/fast/charrnn.js";
import { backward } from "../../lib/derivation/backward.js";
import { firstChunk } from "../../lib/fast/charrnn.js";
import { lossAndGrads, makeWorkspace } from "../../lib/fast/fast.js";
import { maxAbsDiff } from "../../lib/core/matrix.js";
import { forward, softmax } from "../../lib/derivation/forward.js";
import { initParams } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";

const small = { ...TRAIN_DEFAULT, hidden: 24, tau: 10, dModel: 8, seed: 7 };
const TEXT = "the cat sat on the mat. the rat ate the hat. ".repeat(8);

describe("vocabulary and chunks", () => {
  it("sorts the distinct characters and encodes the text with them", () => {
    const v = buildVocab("hello, world");
    expect(v.chars).toEqual([" ", ",", "d", "e", "h", "l", "o", "r", "w"]);
    expect(Array.from(encode("hold", v))).toEqual([4, 6, 5, 2]);
    expect(() => encode("hex", v)).toThrow(/"x" is not in the vocabulary/);
  });

  it("targets are the inputs shifted by one; the chunk restarts at 0 when fewer than τ + 1 ids remain", () => {
    const ids = Array.from({ length: 10 }, (_, i) => i);
    const inputs: number[] = [], targets: number[] = [];
    let c = nextChunk(ids, 0, 4, inputs, targets);
    expect([inputs, targets, c]).toEqual([[0, 1, 2, 3], [1, 2, 3, 4], { start: 0, next: 4, wrapped: false }]);
    c = nextChunk(ids, c.next, 4, inputs, targets);
    expect([inputs, targets, c]).toEqual([[4, 5, 6, 7], [5, 6, 7, 8], { start: 4, next: 8, wrapped: false }]);
    c = nextChunk(ids, c.next, 4, inputs, targets); // 8 + 4 + 1 > 10
    expect([inputs, targets, c]).toEqual([[0, 1, 2, 3], [1, 2, 3, 4], { start: 0, next: 4, wrapped: true }]);
    expect(() => nextChunk(ids, 0, 10, inputs, targets)).toThrow(/shorter than τ \+ 1/);
  });

  it("carries h⁽τ⁾ into the next chunk: two chunks of τ from a carried state equal one run of 2τ (forward)", () => {
    const tr = makeTrainer(TEXT, { ...small, lr: 1e-300 }); // a step that moves nothing measurable
    const full = forward(tr.params, Array.from(tr.ids.slice(0, 20)), Array.from(tr.ids.slice(1, 21)), new Float64Array(small.hidden));
    trainStep(tr);
    expect(Array.from(tr.h)).toEqual(Array.from(full.h.data.subarray(9 * small.hidden, 10 * small.hidden)).map((x) => expect.closeTo(x, 12)));
    trainStep(tr);
    expect(tr.chunkStart).toBe(10);
    expect(Array.from(tr.h)).toEqual(Array.from(full.h.data.subarray(19 * small.hidden, 20 * small.hidden)).map((x) => expect.closeTo(x, 12)));
  });

  it("resets h⁽⁰⁾ to zeros when the text wraps", () => {
    const text = "abcabcabcabcab"; // 14 characters, τ = 10: the second chunk wraps
    const tr = makeTrainer(text, { ...small });
    trainStep(tr);
    expect(tr.h.some((v) => v !== 0)).toBe(true);
    const seen: number[] = [];
    trainStep(tr, (ws) => seen.push(...ws.hs.subarray(0, small.hidden)));
    expect(tr.chunkStart).toBe(0);
    expect(seen.every((v) => v === 0)).toBe(true);
  });
});

describe("clipping and Adagrad, against hand-computed values", () => {
  it("clips by value into [−c, c]", () => {
    const a = Float64Array.from([-7, -5, 0.5, 5, 6.25]), b = Float64Array.from([100, -0.1]);
    clipByValueInPlace([a, b], 5);
    expect(Array.from(a)).toEqual([-5, -5, 0.5, 5, 5]);
    expect(Array.from(b)).toEqual([5, -0.1]);
  });

  it("clips by global norm: ‖(3, 4, 12)‖ = 13 scaled to norm 6.5 is (1.5, 2, 6); below the threshold nothing moves", () => {
    const a = Float64Array.from([3, 4]), b = Float64Array.from([12]);
    expect(globalNorm([a, b])).toBe(13);
    expect(clipByGlobalNormInPlace([a, b], 6.5)).toBe(13);
    expect(Array.from(a)).toEqual([1.5, 2]);
    expect(Array.from(b)).toEqual([6]);
    expect(clipByGlobalNormInPlace([a, b], 100)).toBeCloseTo(6.5, 14);
    expect(Array.from(a)).toEqual([1.5, 2]);
  });

  it("Adagrad: m += g², θ −= lr·g/√(m + ε)", () => {
    const theta = Float64Array.from([1, -2, 0.5]), g = Float64Array.from([3, -4, 0]), m = Float64Array.from([16, 0, 1]);
    adagradUpdate(theta, g, m, 0.1, 0);
    expect(Array.from(m)).toEqual([25, 16, 1]); // 16 + 9, 0 + 16, 1 + 0
    expect(theta[0]).toBeCloseTo(1 - 0.1 * 3 / 5, 15); // 0.94
    expect(theta[1]).toBeCloseTo(-2 + 0.1 * 4 / 4, 15); // −1.9
    expect(theta[2]).toBe(0.5); // zero gradient: no move
    // ε keeps the first step finite: m = g² = 1e-20, step = lr·g/√(1e-20 + 1e-8)
    const t2 = Float64Array.from([0]), m2 = Float64Array.from([0]);
    adagradUpdate(t2, Float64Array.from([1e-10]), m2, 1);
    expect(t2[0]).toBeCloseTo(-1e-10 / Math.sqrt(1e-20 + 1e-8), 15);
  });
});

describe("sampling with a temperature", () => {
  it("softmaxWithTemperature(o, 1) is eq 1.7's softmax; T → small is nearly one-hot, T large nearly uniform", () => {
    const o = Float64Array.from([1, 2, 0.5, -1]);
    const p1 = softmaxWithTemperature(o, 1), ref = softmax(o);
    for (let k = 0; k < 4; k++) expect(p1[k]).toBeCloseTo(ref[k]!, 15);
    const half = softmaxWithTemperature(o, 0.5), ref2 = softmax(o.map((v) => v * 2));
    for (let k = 0; k < 4; k++) expect(half[k]).toBeCloseTo(ref2[k]!, 15);
    expect(softmaxWithTemperature(o, 0.01)[1]).toBeGreaterThan(1 - 1e-12);
    for (const p of softmaxWithTemperature(o, 1000)) expect(p).toBeCloseTo(0.25, 2);
  });

  it("draws with the frequencies of softmax(o / T): chi-square of 40,000 seeded draws below the 0.999 quantile", () => {
    const o = Float64Array.from([0.3, 1.2, -0.4, 2.0, 0.0]);
    for (const T of [0.5, 1, 2]) {
      const p = softmax(o.map((v) => v / T)), rng = makeRng(123), N = 40_000, counts = new Array(5).fill(0);
      const q = softmaxWithTemperature(o, T);
      for (let i = 0; i < N; i++) counts[drawIndex(q, rng)]++;
      const chi2 = counts.reduce((s, c, k) => s + (c - N * p[k]!) ** 2 / (N * p[k]!), 0);
      expect(chi2).toBeLessThan(18.47); // χ²(4 degrees of freedom) 0.999 quantile
    }
  });

  it("sampleIds' first character follows softmax(o⁽¹⁾ / T) of the forward pass (eqs 1.3–1.7)", () => {
    const sizes = { vocab: 6, dModel: 4, hidden: 8 };
    const p = initParams(sizes, makeRng(5));
    const h0 = Float64Array.from({ length: 8 }, (_, i) => Math.sin(i) / 2);
    const T = 0.7, f = forward(p, [2], [0], h0);
    const want = softmax(f.o.data.subarray(0, 6).map((v) => v / T));
    const rng = makeRng(9), N = 30_000, counts = new Array(6).fill(0);
    for (let i = 0; i < N; i++) counts[sampleIds(p, h0, 2, 1, T, rng)[0]!]++;
    const chi2 = counts.reduce((s, c, k) => s + (c - N * want[k]!) ** 2 / (N * want[k]!), 0);
    expect(chi2).toBeLessThan(20.52); // χ²(5) 0.999 quantile
  });

  it("is reproducible from the seed and leaves the carried state alone", () => {
    const a = makeTrainer(TEXT, small), b = makeTrainer(TEXT, small);
    for (let i = 0; i < 5; i++) { trainStep(a); trainStep(b); }
    const h = Float64Array.from(a.h);
    const s = sampleText(a, 50);
    expect(s).toHaveLength(50);
    expect(s).toBe(sampleText(b, 50));
    expect(Array.from(a.h)).toEqual(Array.from(h));
  });
});

describe("smoothed loss and the rows of (DL)_E (eq 4.9)", () => {
  it("smooths as s ← 0.999 s + 0.001 L from ln(vocab)", () => {
    expect(initialLoss(65)).toBeCloseTo(4.1744, 4);
    expect(smoothLoss(4, 2)).toBeCloseTo(3.998, 15);
  });

  it("eq 4.9: the non-zero rows of (DL)_E are exactly the chunk's input characters", () => {
    const sizes = { vocab: 7, dModel: 3, hidden: 5 }, ws = makeWorkspace(sizes, 4);
    const p = initParams(sizes, makeRng(2));
    lossAndGrads(p, [1, 4, 1, 6], [4, 1, 6, 0], new Float64Array(5), ws);
    const rows = nonZeroRowNorms(ws.grads.E);
    expect(rows.map((r) => r.index)).toEqual([1, 4, 6]);
    const r4 = Array.from(ws.grads.E.data.subarray(12, 15));
    expect(rows[1]!.norm).toBeCloseTo(Math.hypot(...r4), 15);
  });
});

describe("firstChunk (eq 4.9 on the first chunk of a run)", () => {
  it("gives L near ln(vocab) and the (DL)_E of lib/derivation/backward.ts, non-zero exactly in the chunk's characters", () => {
    const { trainer: tr, loss, dE, rows } = firstChunk(TEXT, small);
    const f = forward(tr.params, tr.inputs, tr.targets, new Float64Array(small.hidden));
    expect(loss).toBeCloseTo(f.loss, 12);
    expect(maxAbsDiff(dE, backward(tr.params, f, tr.inputs, tr.targets).dL_dE)).toBeLessThan(1e-12);
    expect(rows.map((r) => r.index)).toEqual([...new Set(tr.inputs)].sort((a, b) => a - b));
    expect(tr.step).toBe(0);
  });
});

describe("validation", () => {
  const raw = Object.fromEntries(Object.entries(TRAIN_DEFAULT).map(([k, v]) => [k, String(v)]));
  it("accepts the defaults and names the field it refuses", () => {
    expect(validateTrainConfig(raw)).toEqual(TRAIN_DEFAULT);
    expect(() => validateTrainConfig({ ...raw, hidden: "0" })).toThrow(/^Hidden size: expected an integer from 1 to 512, got "0"\.$/);
    expect(() => validateTrainConfig({ ...raw, tau: "2.5" })).toThrow(/^τ: expected an integer/);
    expect(() => validateTrainConfig({ ...raw, lr: "" })).toThrow(/^Learning rate: expected a number above 0/);
    expect(() => validateTrainConfig({ ...raw, temperature: "-1" })).toThrow(/^Temperature:/);
    expect(() => validateTrainConfig({ ...raw, clip: "both" })).toThrow(/^Clipping: expected one of value, norm, none/);
  });
  it("knows which changes need a fresh run", () => {
    expect(needsReset(TRAIN_DEFAULT, { ...TRAIN_DEFAULT, lr: 0.5, temperature: 2 })).toBe(false);
    expect(needsReset(TRAIN_DEFAULT, { ...TRAIN_DEFAULT, hidden: 50 })).toBe(true);
  });
});

describe("training", () => {
  it("300 seeded steps make the smoothed and the recent loss fall, identically on every run", () => {
    const run = (clip: "value" | "norm" | "none") => {
      const tr = makeTrainer(TEXT, { ...small, clip });
      const first = trainStep(tr);
      let recent = 0;
      for (let i = 1; i < 300; i++) {
        const L = trainStep(tr);
        if (i >= 280) recent += L / 20;
      }
      return { first, recent, smooth: tr.smooth, start: initialLoss(tr.sizes.vocab), step: tr.step };
    };
    for (const clip of ["value", "norm", "none"] as const) {
      const r = run(clip);
      expect(r.step).toBe(300);
      expect(r.recent).toBeLessThan(0.5 * r.first);
      expect(r.smooth).toBeLessThan(r.start);
      expect(run(clip)).toEqual(r);
    }
  });
});
