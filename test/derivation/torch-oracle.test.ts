/**
 * A second independent oracle for eqs 1.1–1.7 and 4.1–4.9, beside TF.js (tfjs-oracle.test.ts): PyTorch autograd in
 * float64 (test/pytorch/oracle.py) on the model built from torch.nn modules — nn.Embedding, nn.RNN(tanh,
 * batch_first), nn.Linear, F.cross_entropy — with our weights, h⁽⁰⁾ and tokens as they are. Both sides compute in
 * float64, so the tolerance is rounding's (TORCH_REL_TOL), eight orders of magnitude tighter than TF.js's.
 *
 * Every quantity backward.ts computes is compared, on every case: the forward values, (DL)_o, the total (DL)_h and
 * (DL)_a per step (from the modules' parameters unrolled step by step with retain_grad), and the six parameters'
 * gradients both from the whole-sequence modules and from the unrolled steps. The cases: fixed edge shapes, the
 * main derivation's companion-code sizes (d_model 24, hidden 200, τ 8, h⁽⁰⁾ = 0.1·ones), and random models drawn
 * by fast-check from the suite's seed (test/fast-check-seed.ts), some of them at the companion sizes. All of them
 * go to one Python process (torch takes 1–2 s to start).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Gradients, backward } from "../../lib/derivation/backward.js";
import { type Forward, forward } from "../../lib/derivation/forward.js";
import { type Matrix, type Vector, transpose } from "../../lib/core/matrix.js";
import { type Params, PARAM_NAMES, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { TORCH_REL_TOL } from "../../lib/core/tolerances.js";
import { expectTorch, torchAgrees } from "../close.js";
import { type MainTorch, flatRows, mainTorchCase, torchOracle } from "../pytorch/oracle.js";
import { TORCH_VERSION } from "../torch.js";
import { GRAD_OF } from "./fixtures.js";

type H0 = "zeros" | "point-one" | "random";
interface Spec { seed: number; vocab: number; dModel: number; hidden: number; tau: number; h0: H0 }
const label = (s: Spec) => `seed ${s.seed}, vocab ${s.vocab}, d_model ${s.dModel}, hidden ${s.hidden}, τ ${s.tau}, h0 ${s.h0}`;

/** The sizes of the main derivation's companion code (its vocabulary is a text's characters: 65 for Shakespeare). */
const COMPANION: Spec = { seed: 2025, vocab: 65, dModel: 24, hidden: 200, tau: 8, h0: "point-one" };
const FIXED: Spec[] = [
  COMPANION,
  { seed: 1, vocab: 5, dModel: 3, hidden: 4, tau: 6, h0: "zeros" },
  { seed: 3, vocab: 4, dModel: 2, hidden: 3, tau: 1, h0: "point-one" }, // τ = 1
  { seed: 5, vocab: 4, dModel: 3, hidden: 1, tau: 5, h0: "random" }, // one hidden unit
  { seed: 11, vocab: 1, dModel: 2, hidden: 3, tau: 4, h0: "random" }, // one token: L ≡ 0, every gradient 0
  { seed: 17, vocab: 1, dModel: 1, hidden: 1, tau: 1, h0: "zeros" },
];
const seed = fc.integer({ min: 0, max: 0xffffffff });
const small: fc.Arbitrary<Spec> = fc.record({
  seed, vocab: fc.integer({ min: 1, max: 10 }), dModel: fc.integer({ min: 1, max: 6 }), hidden: fc.integer({ min: 1, max: 8 }),
  tau: fc.integer({ min: 1, max: 12 }), h0: fc.constantFrom<H0>("zeros", "point-one", "random"),
});
const companion: fc.Arbitrary<Spec> = fc.record({
  seed, vocab: fc.integer({ min: 2, max: 65 }), dModel: fc.constant(24), hidden: fc.constant(200), tau: fc.constant(8),
  h0: fc.constant<H0>("point-one"),
});
/** Random models: 38 small ones of every shape, and 2 at the companion sizes (each ~0.5 s of PyTorch and JSON). */
const RANDOM = [...fc.sample(small, 38), ...fc.sample(companion, 2)];
const SPECS = [...FIXED, ...RANDOM];

interface Setup { spec: Spec; p: Params; inputs: number[]; targets: number[]; h0: Vector; f: Forward; g: Gradients; torch: MainTorch }

function build(spec: Spec): Omit<Setup, "torch"> {
  const rng = makeRng(spec.seed);
  const p = initParams({ vocab: spec.vocab, dModel: spec.dModel, hidden: spec.hidden }, rng);
  const draw = () => Array.from({ length: spec.tau }, () => rng.int(spec.vocab));
  const inputs = draw(), targets = draw();
  const h0 = spec.h0 === "random" ? Float64Array.from({ length: spec.hidden }, () => rng.uniform(-1, 1)) : initialHidden(spec.h0, spec.hidden);
  const f = forward(p, inputs, targets, h0);
  return { spec, p, inputs, targets, h0, f, g: backward(p, f, inputs, targets) };
}

describe.skipIf(!TORCH_VERSION)(`PyTorch ${TORCH_VERSION ?? "(missing)"} autograd, float64, on ${SPECS.length} models`, () => {
  let setups: Setup[] = [];
  /** A generic model whose W went to PyTorch transposed: what a wrong convention looks like to the oracle. */
  let wrongW: { ours: Setup; torch: MainTorch };

  beforeAll(() => {
    const built = SPECS.map(build);
    const generic = built[1]!;
    const torch = torchOracle([
      ...built.map((b) => mainTorchCase(b.p, b.inputs, b.targets, b.h0)),
      mainTorchCase({ ...generic.p, W: transpose(generic.p.W) }, generic.inputs, generic.targets, generic.h0),
    ]);
    setups = built.map((b, i) => ({ ...b, torch: torch[i]! }));
    wrongW = { ours: setups[1]!, torch: torch.at(-1)! };
  }, 120_000);

  /** One comparison on every case, the case named in the message. */
  const everyCase = (fn: (s: Setup, name: string) => void) => () => {
    expect(setups.length).toBe(SPECS.length);
    for (const s of setups) fn(s, label(s.spec));
  };

  it("eqs 1.1–1.2: the loss, by nn's modules and unrolled", everyCase(({ f, torch }, name) => {
    for (const t of [torch.module, torch.unrolled]) {
      expect(Math.abs(f.loss - t.loss), `${name}: loss ${f.loss} vs ${t.loss}`).toBeLessThanOrEqual(TORCH_REL_TOL * Math.max(1, f.loss));
    }
    expectTorch(`${name}: L_t (eq 1.1)`, f.L_t, torch.module.L_t);
  }));

  it("eqs 1.3–1.7: x, a, h, o and ŷ", everyCase(({ f, torch }, name) => {
    expectTorch(`${name}: x (eq 1.3)`, f.x, flatRows(torch.module.x));
    expectTorch(`${name}: a (eq 1.4)`, f.a, flatRows(torch.unrolled.a));
    expectTorch(`${name}: h (eq 1.5) by nn.RNN`, f.h, flatRows(torch.module.h));
    expectTorch(`${name}: h (eq 1.5) unrolled`, f.h, flatRows(torch.unrolled.h));
    expectTorch(`${name}: o (eq 1.6)`, f.o, flatRows(torch.module.o));
    expectTorch(`${name}: ŷ (eq 1.7)`, f.yhat, flatRows(torch.module.yhat));
  }));

  it("eq 4.1 (DL)_o agrees with PyTorch autograd", everyCase(({ g, torch }, name) => {
    expectTorch(`${name}: dL_do`, g.dL_do, flatRows(torch.unrolled.dL_do));
  }));

  it("eqs 4.2–4.3 (DL)_h, the total through every later step, agrees with PyTorch autograd", everyCase(({ g, torch }, name) => {
    expectTorch(`${name}: dL_dh`, g.dL_dh, flatRows(torch.unrolled.dL_dh));
  }));

  it("(DL)_a, the bracket of eqs 4.5 and 4.7–4.9, agrees with PyTorch autograd", everyCase(({ g, torch }, name) => {
    expectTorch(`${name}: dL_da`, g.dL_da, flatRows(torch.unrolled.dL_da));
  }));

  for (const n of ["c", "b", "V", "W", "U", "E"] as const) {
    it(`${GRAD_OF[n].eq} (DL)_${n} agrees with PyTorch autograd, by nn's modules and unrolled`, everyCase(({ g, torch }, name) => {
      const ours = g[GRAD_OF[n].field] as Matrix | Vector;
      expectTorch(`${name}: dL_d${n} (modules)`, ours, flatRows(torch.module.grads[n]));
      expectTorch(`${name}: dL_d${n} (unrolled)`, ours, flatRows(torch.unrolled.grads[n]));
      // nn.RNN's second bias enters a⁽ᵗ⁾ exactly as the first: the derivation's single b stands for their sum.
      if (n === "b") expectTorch(`${name}: dL_db (bias_hh_l0)`, ours, torch.module.grads.b_hh);
    }));
  }

  it("eq 4.9: PyTorch also gives exactly 0 in the rows of tokens absent from the inputs", everyCase(({ spec, inputs, g, torch }, name) => {
    for (let v = 0; v < spec.vocab; v++) {
      if (inputs.includes(v)) continue;
      const ours = Array.from(g.dL_dE.data.subarray(v * spec.dModel, (v + 1) * spec.dModel));
      expect([ours, torch.module.grads.E[v]], `${name}: row ${v}`).toEqual([ours.map(() => 0), ours.map(() => 0)]);
    }
  }));

  describe("the oracle itself", () => {
    it("lists every parameter", () => {
      expect(Object.keys(GRAD_OF).sort()).toEqual([...PARAM_NAMES].sort());
    });

    it("can fail: a transposed W (eq 1.4), and one entry of (DL)_W moved by a part in 10⁹ (eq 4.7)", () => {
      const { ours, torch } = wrongW;
      expect(torchAgrees(ours.f.h, flatRows(torch.module.h))).toBe(false);
      expect(torchAgrees(ours.g.dL_dW, flatRows(torch.module.grads.W))).toBe(false);
      const { g, torch: right } = setups[0]!; // the companion sizes: 40,000 entries, one of them off
      const moved = g.dL_dW.data.slice();
      const k = moved.reduce((best, v, i) => (Math.abs(v) > Math.abs(moved[best]!) ? i : best), 0);
      moved[k] = moved[k]! * (1 + 1e-9);
      expect(torchAgrees(g.dL_dW, flatRows(right.module.grads.W))).toBe(true);
      expect(torchAgrees(moved, flatRows(right.module.grads.W))).toBe(false);
    });
  });
});
