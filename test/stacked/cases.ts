/**
 * The cases of the stacked-RNN tests: seeded models of Vera's stacked RNN for any L (lib/stacked/params.ts),
 * their inputs, targets and initial states, a cache of their forward and backward passes, and the random models of
 * the property tests.
 */
import fc from "fast-check";
import { type Matrix, zeros } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { type StackedGrads, stackedBackward } from "../../lib/stacked/backward.js";
import { type StackedForward, type StackedOptions, type StackedReduction, stackedForward } from "../../lib/stacked/forward.js";
import { type StackedParams, type StackedSizes, initStackedParams, zeroStates } from "../../lib/stacked/params.js";

// ————————————————————————————————————————— cases —————————————————————————————————————————

export type H0Kind = "zeros" | "random";
export interface Spec { seed: number; d: number; hidden: number[]; a: number; n: number; T: number; h0: H0Kind; reduction: StackedReduction }
export interface Case { spec: Spec; p: StackedParams; X: Matrix[]; y: number[][]; opts: StackedOptions }

export function uniform(rows: number, cols: number, k: number, rng: ReturnType<typeof makeRng>): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-k, k);
  return m;
}

/** Parameters from `seed`, then inputs, targets and (for "random") H_0 from the same stream. */
export function makeCase(spec: Spec): Case {
  const rng = makeRng(spec.seed);
  const sizes: StackedSizes = { d: spec.d, hidden: spec.hidden, a: spec.a };
  const p = initStackedParams(sizes, rng);
  const X = Array.from({ length: spec.T }, () => uniform(spec.n, spec.d, 1, rng));
  const y = Array.from({ length: spec.T }, () => Array.from({ length: spec.n }, () => rng.int(spec.a)));
  const H0 = spec.h0 === "zeros" ? zeroStates(spec.n, sizes) : spec.hidden.map((h) => uniform(spec.n, h, 0.5, rng));
  return { spec, p, X, y, opts: { H0, reduction: spec.reduction } };
}

export const label = (s: Spec) => `L ${s.hidden.length}, d ${s.d}, h [${s.hidden}], a ${s.a}, n ${s.n}, T ${s.T}, H0 ${s.h0}, ${s.reduction}`;
export const SPECS: Spec[] = [
  { seed: 1, d: 3, hidden: [4, 5], a: 3, n: 2, T: 2, h0: "random", reduction: "mean" }, // the source's model and T
  { seed: 2, d: 3, hidden: [4, 5], a: 3, n: 2, T: 2, h0: "zeros", reduction: "source" },
  { seed: 3, d: 2, hidden: [3], a: 4, n: 3, T: 4, h0: "random", reduction: "mean" }, // L = 1
  { seed: 4, d: 4, hidden: [2, 3, 4], a: 2, n: 1, T: 3, h0: "random", reduction: "source" }, // L = 3, n = 1
  { seed: 5, d: 1, hidden: [1, 1], a: 2, n: 3, T: 1, h0: "zeros", reduction: "mean" }, // T = 1, widths 1
  { seed: 6, d: 2, hidden: [3, 2, 3], a: 5, n: 2, T: 4, h0: "random", reduction: "mean" },
  { seed: 7, d: 3, hidden: [2, 4], a: 1, n: 2, T: 3, h0: "random", reduction: "mean" }, // a = 1: L ≡ 0
];
export interface Setup { c: Case; f: StackedForward; g: StackedGrads }
export const setups = new Map<Spec, Setup>();
export function setup(spec: Spec): Setup {
  let s = setups.get(spec);
  if (!s) {
    const c = makeCase(spec);
    const f = stackedForward(c.p, c.X, c.y, c.opts);
    s = { c, f, g: stackedBackward(c.p, f) };
    setups.set(spec, s);
  }
  return s;
}
// ————————————————————————————————————————— properties —————————————————————————————————————————

export const NUM_RUNS = 100;

/**
 * For random models the finite-difference check is relative (1e-6, looser than FD_REL_TOL: a random model can make a
 * gradient small by cancellation), or absolute (FD_TOL) where the gradient is ~0 (see test/properties.test.ts).
 */
export const RANDOM_REL_TOL = 1e-6;

export interface Model { spec: Spec }
export const specArb: fc.Arbitrary<Spec> = fc
  .record({
    L: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 1, max: 3 }),
    T: fc.integer({ min: 1, max: 4 }),
    d: fc.integer({ min: 1, max: 4 }),
    a: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    h0: fc.constantFrom<H0Kind>("zeros", "random"),
    reduction: fc.constantFrom<StackedReduction>("mean", "source"),
  })
  .chain((r) => fc.array(fc.integer({ min: 1, max: 4 }), { minLength: r.L, maxLength: r.L }).map((hidden) => ({ ...r, hidden })))
  .map(({ L: _L, ...s }) => s);
export const modelArb: fc.Arbitrary<Model> = specArb.map((spec) => ({ spec }));

export const bytesOf = (ms: readonly Matrix[]) => Buffer.concat(ms.map((m) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)));
export const allGrads = (g: StackedGrads) => [...g.Wxh, ...g.Whh, ...g.b, g.Wha, g.ba, ...g.dZout, ...g.dH.flat(), ...g.dZ.flat(), ...g.dH0];
