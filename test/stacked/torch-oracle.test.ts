/**
 * PyTorch autograd (float64) as a second independent oracle for Vera's stacked RNN, beside TF.js: the forward pass
 * of stacked 1.2 (1)–(3) and the general form of stacked 2.1 (1)–(8) (lib/stacked/forward.ts, backward.ts), with
 * the batch and the X·W convention mapped onto torch.nn as test/pytorch/oracle.py spells out (one nn.RNN(tanh,
 * batch_first) per layer holding W_xh^(l)ᵀ and W_hh^(l)ᵀ, an nn.Linear holding W_haᵀ, X as (n, T, d)). The loss is
 * lib/stacked's, built in PyTorch from its definition: the batch mean over n·T rows, the source's (1/T) Σ_t Σ_r, or
 * §2.1's single step CE_t. Every gradient backward.ts computes is compared on every case: the parameters' (from the
 * whole-sequence modules and from the same parameters unrolled), ∂L/∂H_0^(l), and the per-step ∂L/∂Z_t^(l),
 * ∂L/∂H_t^(l) (total, up a layer and across time) and ∂L/∂Z_t^(L+1) (unrolled, with retain_grad). Cases: the fixed
 * ones of the other stacked tests, a larger model, and random models drawn by fast-check from the suite's seed, all
 * in one Python process.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Matrix, transpose } from "../../lib/core/matrix.js";
import { TORCH_REL_TOL } from "../../lib/core/tolerances.js";
import { type StackedGrads, stackedBackward } from "../../lib/stacked/backward.js";
import { type StackedForward, singleStepWeights, stackedForward } from "../../lib/stacked/forward.js";
import { expectTorch, torchAgrees } from "../close.js";
import { type StackedTorch, type StackedTorchLoss, flatRows, stackedTorchCase, torchOracle } from "../pytorch/oracle.js";
import { TORCH_VERSION } from "../torch.js";
import { type Case, type Spec, SPECS, label, makeCase, specArb } from "./cases.js";

/** A model of the stacked tests and, optionally, §2.1's loss: CE_t of one step alone (the source's t = 2 = T). */
interface OracleSpec { spec: Spec; step?: number }
const name = ({ spec, step }: OracleSpec) => `${label(spec)}${step === undefined ? "" : `, loss CE_${step} alone`}`;

const LARGER: Spec = { seed: 8, d: 6, hidden: [16, 12], a: 7, n: 5, T: 10, h0: "random", reduction: "mean" };
const FIXED: OracleSpec[] = [...SPECS.map((spec) => ({ spec })), { spec: SPECS[0]!, step: 2 }, { spec: LARGER }];
const RANDOM: OracleSpec[] = fc.sample(
  specArb.chain((spec) => fc.oneof(
    { arbitrary: fc.constant<OracleSpec>({ spec }), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: spec.T }).map((step): OracleSpec => ({ spec, step })), weight: 1 },
  )),
  40,
);
const ALL = [...FIXED, ...RANDOM];

interface Setup { o: OracleSpec; c: Case; f: StackedForward; g: StackedGrads; torch: StackedTorch }

const lossOf = ({ spec, step }: OracleSpec): StackedTorchLoss => (step === undefined ? spec.reduction : { step });
function build(o: OracleSpec): Omit<Setup, "torch"> {
  const c = makeCase(o.spec);
  const opts = o.step === undefined ? c.opts : { H0: c.opts.H0, weights: singleStepWeights(o.step, o.spec.T) };
  const f = stackedForward(c.p, c.X, c.y, opts);
  return { o, c, f, g: stackedBackward(c.p, f) };
}
const torchCase = ({ o, c }: Omit<Setup, "torch">) => stackedTorchCase(c.p, c.X, c.y, c.opts.H0!, lossOf(o));

/** Lists of matrices (per layer, or per step and layer) as one flat list, as flatRows orders PyTorch's. */
const cat = (ms: readonly Matrix[]) => ms.flatMap((m) => Array.from(m.data));

describe.skipIf(!TORCH_VERSION)(`PyTorch ${TORCH_VERSION ?? "(missing)"} autograd, float64, on ${ALL.length} stacked models`, () => {
  let setups: Setup[] = [];
  let wrong: { transposed: StackedTorch; otherLoss: StackedTorch };

  beforeAll(() => {
    const built = ALL.map(build);
    const larger = built[FIXED.length - 1]!;
    const { c } = larger;
    const torch = torchOracle([
      ...built.map(torchCase),
      // What a wrong convention looks like to the oracle: W_hh^(1) handed over as PyTorch stores it ([out, in])…
      stackedTorchCase({ ...c.p, Whh: [transpose(c.p.Whh[0]!), ...c.p.Whh.slice(1)] }, c.X, c.y, c.opts.H0!, "mean"),
      // …and the source's averaging where lib/stacked's batch mean was meant.
      stackedTorchCase(c.p, c.X, c.y, c.opts.H0!, "source"),
    ]);
    setups = built.map((b, i) => ({ ...b, torch: torch[i]! }));
    wrong = { transposed: torch.at(-2)!, otherLoss: torch.at(-1)! };
  }, 120_000);

  const everyCase = (fn: (s: Setup, name: string) => void) => () => {
    expect(setups.length).toBe(ALL.length);
    for (const s of setups) fn(s, name(s.o));
  };

  it("the loss L = Σ_t w_t Σ_r −log A_t[r, y_{t,r}] and each step's CE_t, by nn's modules and unrolled", everyCase(({ f, torch }, n) => {
    for (const t of [torch.module, torch.unrolled]) {
      expect(Math.abs(f.loss - t.loss), `${n}: loss ${f.loss} vs ${t.loss}`).toBeLessThanOrEqual(TORCH_REL_TOL * Math.max(1, f.loss));
    }
    expectTorch(`${n}: CE_t`, f.stepLoss, torch.module.stepLoss);
  }));

  it("stacked 1.2 (1)–(3): Z_t^(l), H_t^(l), Z_t^(L+1) and A_t", everyCase(({ f, torch }, n) => {
    expectTorch(`${n}: Z_t^(l)`, cat(f.Z.flat()), flatRows(torch.unrolled.Z));
    expectTorch(`${n}: H_t^(l) by nn.RNN`, cat(f.H.flat()), flatRows(torch.module.H));
    expectTorch(`${n}: H_t^(l) unrolled`, cat(f.H.flat()), flatRows(torch.unrolled.H));
    expectTorch(`${n}: Z_t^(L+1)`, cat(f.Zout), flatRows(torch.module.Zout));
    expectTorch(`${n}: A_t`, cat(f.A), flatRows(torch.module.A));
  }));

  it("stacked 2.1 (1), general: ∂L/∂Z_t^(L+1) agrees with PyTorch autograd", everyCase(({ g, torch }, n) => {
    expectTorch(`${n}: ∂L/∂Z_t^(L+1)`, cat(g.dZout), flatRows(torch.unrolled.dZout));
  }));

  it("∂L/∂H_t^(l), total (up a layer and across time), agrees with PyTorch autograd", everyCase(({ g, torch }, n) => {
    expectTorch(`${n}: ∂L/∂H_t^(l)`, cat(g.dH.flat()), flatRows(torch.unrolled.dH));
  }));

  it("stacked 2.1 (3), (6), general: ∂L/∂Z_t^(l) agrees with PyTorch autograd", everyCase(({ g, torch }, n) => {
    expectTorch(`${n}: ∂L/∂Z_t^(l)`, cat(g.dZ.flat()), flatRows(torch.unrolled.dZ));
  }));

  const PARAMS = [
    ["stacked 2.1 (2), general: ∂L/∂W_ha", "Wha"],
    ["∂L/∂b_a", "ba"],
    ["stacked 2.1 (4), (7), general: ∂L/∂W_xh^(l)", "Wxh"],
    ["stacked 2.1 (5), (8), general: ∂L/∂W_hh^(l)", "Whh"],
    ["∂L/∂b^(l)", "b"],
    ["∂L/∂H_0^(l)", "dH0"],
  ] as const;
  for (const [title, key] of PARAMS) {
    it(`${title} agrees with PyTorch autograd, by nn's modules and unrolled`, everyCase(({ g, torch }, n) => {
      const ours = cat(([] as Matrix[]).concat(g[key]));
      expectTorch(`${n}: ${key} (modules)`, ours, flatRows(torch.module.grads[key]));
      expectTorch(`${n}: ${key} (unrolled)`, ours, flatRows(torch.unrolled.grads[key]));
      // nn.RNN's second bias enters Z_t^(l) exactly as the first: the source's single b^(l) stands for their sum.
      if (key === "b") expectTorch(`${n}: b (bias_hh_l0)`, ours, flatRows(torch.module.grads.b_hh));
    }));
  }

  describe("the oracle itself", () => {
    it("covers every loss: the batch mean, the source's (1/T) Σ_t, and one step alone", () => {
      const losses = new Set(ALL.map((o) => JSON.stringify(lossOf(o)).replace(/\d+/, "t")));
      expect([...losses].sort()).toEqual(['"mean"', '"source"', '{"step":t}']);
    });

    it("can fail: W_hh^(1) transposed, and the source's averaging where the batch mean was meant (n = 5)", () => {
      const { f, g } = setups[FIXED.length - 1]!;
      expect(torchAgrees(cat(g.Whh), flatRows(wrong.transposed.module.grads.Whh))).toBe(false);
      expect(torchAgrees(cat(g.Wxh), flatRows(wrong.otherLoss.module.grads.Wxh))).toBe(false);
      expect(torchAgrees([f.loss], [wrong.otherLoss.module.loss])).toBe(false);
    });
  });
});
