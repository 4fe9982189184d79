/** The models the D2L unit tests share: seeded, float32-representable, so TF.js sees exactly the same numbers. */
import { type D2LOptions, type D2LParams, type D2LSequence, type Targets, initD2L, randomSequence, roundToFloat32 } from "../../lib/d2l/model.js";
import { makeRng } from "../../lib/core/rng.js";

export interface Case {
  name: string; seed: number; d: number; hidden: number; q: number; T: number;
  kind: Targets["kind"]; opts: D2LOptions; randomH0?: boolean;
}
export const CASES: Case[] = [
  { name: "identity, cross-entropy, d 2, h 3, q 4, T 5", seed: 1, d: 2, hidden: 3, q: 4, T: 5, kind: "cross-entropy", opts: {} },
  { name: "identity, squared, d 3, h 4, q 3, T 6, random h_0", seed: 2, d: 3, hidden: 4, q: 3, T: 6, kind: "squared", opts: {}, randomH0: true },
  { name: "identity, cross-entropy, scalar h = d = 1, q 2, T 4", seed: 3, d: 1, hidden: 1, q: 2, T: 4, kind: "cross-entropy", opts: {} },
  { name: "identity, cross-entropy, T = 1", seed: 4, d: 2, hidden: 3, q: 3, T: 1, kind: "cross-entropy", opts: {} },
  { name: "identity, squared, loss at T only", seed: 5, d: 2, hidden: 3, q: 2, T: 5, kind: "squared", opts: { lossAt: "last" } },
  { name: "tanh, cross-entropy, random h_0", seed: 6, d: 2, hidden: 3, q: 4, T: 6, kind: "cross-entropy", opts: { activation: "tanh" }, randomH0: true },
  { name: "relu, squared, loss at T only", seed: 7, d: 3, hidden: 4, q: 2, T: 5, kind: "squared", opts: { activation: "relu", lossAt: "last" } },
];

export interface Setup { p: D2LParams; s: D2LSequence }
export function setup(c: Case): Setup {
  const rng = makeRng(c.seed);
  const sizes = { d: c.d, hidden: c.hidden, q: c.q, T: c.T };
  return roundToFloat32(initD2L(sizes, rng, 1.5), randomSequence(sizes, rng, c.kind, { randomH0: c.randomH0 ?? false }));
}

