/**
 * lib/tools/pytorch-stacked-script.ts, "Reproduce in PyTorch" on /stacked. Without Python: the file name, the
 * weights carried in Vera's [in, out] orientation, and every quantity of the page exactly. With PyTorch (test/torch.ts):
 * scripts of several configurations pass — batch > 1, T = 1 (§2.1 at t = 1), h₁ = h₂ (where the script also checks
 * nn.RNN(num_layers=2)), every size at its largest — and one with one number of the page changed fails and names it.
 */
import { describe, expect, it } from "vitest";
import { STACKED_DEFAULTS, type StackedConfig, buildStackedExample } from "../../lib/state/stacked-config.js";
import { stackedPytorchFilename, stackedPytorchScript } from "../../lib/tools/pytorch-stacked-script.js";
import { stackedBackward } from "../../lib/stacked/backward.js";
import { stackedForward } from "../../lib/stacked/forward.js";
import { TORCH_VERSION } from "../torch.js";
import { corrupt, runScripts } from "./run-scripts.js";

const example = (c: Partial<StackedConfig> = {}) => buildStackedExample({ ...STACKED_DEFAULTS, ...c });

/** Every quantity compared with the page, as the PAGE dict names them. */
const QUANTITIES = [
  "H1 (FFNN, X_1)", "H2 (FFNN, X_1)", "A (FFNN, X_1)", "H1_t", "H2_t", "A_t", "CE_t", "L", "L_mean",
  "dCE_t/dZ3_t", "dCE_t/dW_h2a", "dCE_t/dZ2_t", "dCE_t/dW_h1h2", "dCE_t/dW_h2h2", "dCE_t/dZ1_t", "dCE_t/dW_xh1", "dCE_t/dW_h1h1",
  "dL/dZ3", "dL/dW_h2a", "dL/dZ2", "dL/dW_h1h2", "dL/dW_h2h2", "dL/dZ1", "dL/dW_xh1", "dL/dW_h1h1",
  "dL_mean/dW_h2a", "dL/dZ3_t", "dL/dW_h2h2, one pass", "dL/dW_h1h1, Jacobians", "dZ3_T/dZ1_T, row 1", "truncated dL/dW_h1h1",
];

const pageLine = (text: string, name: string): number[] => {
  const line = text.split("\n").find((l) => l.startsWith(`    ${JSON.stringify(name)}: `));
  if (!line) throw new Error(`no PAGE line for ${name}`);
  return [JSON.parse(line.slice(line.indexOf(": ") + 2, -1)) as unknown].flat(Infinity as 1) as number[];
};

const OTHERS: Partial<StackedConfig>[] = [
  { n: 4, T: 4, h1: 3, h2: 3, seed: 7 },
  { n: 1, T: 1, d: 1, h1: 1, h2: 1, a: 2, seed: 0 },
  { n: 4, T: 4, d: 4, h1: 4, h2: 2, a: 4, seed: 9999 },
];

describe("the PyTorch script of /stacked, as text", () => {
  it("is named after the configuration", () => {
    expect(stackedPytorchFilename(example())).toBe("stacked-rnn-n3-T2-d2-h4-h2-a3-seed1.py");
    expect(stackedPytorchFilename(example(OTHERS[0]))).toBe("stacked-rnn-n4-T4-d2-h3-h3-a3-seed7.py");
  });

  it("carries Vera's weights as she writes them, [in, out], and the page's numbers exactly", () => {
    const ex = example(OTHERS[2]), { text } = stackedPytorchScript(ex);
    const line = (name: string) => {
      const m = new RegExp(`^${name} = (\\[.*\\])  #`, "m").exec(text)!;
      return [JSON.parse(m[1]!) as unknown].flat(Infinity as 1) as number[];
    };
    expect(line("W_xh1")).toEqual(Array.from(ex.params.Wxh[0]!.data));
    expect(text).toMatch(/^W_xh1 = .*# \[d, h1\]$/m);
    expect(line("W_h2a")).toEqual(Array.from(ex.params.Wha.data));
    expect(line("b_h2")).toEqual(Array.from(ex.params.b[1]!.data));
    expect(line("X")).toEqual(ex.X.flatMap((m) => Array.from(m.data)));
    const f = stackedForward(ex.params, ex.X, ex.targets, { H0: ex.H0, reduction: "source" });
    expect(pageLine(text, "L")).toEqual([f.loss]);
    expect(pageLine(text, "dL/dW_h2h2, one pass")).toEqual(Array.from(stackedBackward(ex.params, f).Whh[1]!.data));
    for (const name of QUANTITIES) expect(pageLine(text, name).every(Number.isFinite), name).toBe(true);
    expect(pageLine(text, "truncated dL/dW_h1h1")).toHaveLength(4 * 4 * 4);
  });
});

describe.skipIf(TORCH_VERSION === undefined)(`the PyTorch script of /stacked, run (PyTorch ${TORCH_VERSION})`, () => {
  it("passes for the default and other configurations (batch up to 4, T = 1, h₁ = h₂); one changed number fails and is named", () => {
    const configs = [{}, ...OTHERS];
    const bad = corrupt(stackedPytorchScript(example()).text, "dCE_t/dW_h1h2", (v) => v * (1 + 1e-6));
    const runs = runScripts([...configs.map((c) => stackedPytorchScript(example(c)).text), bad.text]);
    configs.forEach((c, i) => {
      const r = runs[i]!;
      expect(r.stdout, JSON.stringify(c)).toMatch(/^All 3[34] quantities agree/m);
      expect(r.status).toBe(0);
      for (const name of QUANTITIES) expect(r.stdout.split("\n").find((l) => l.startsWith(`${name} `)), name).toMatch(/✓$/);
    });
    // h₁ = h₂: one nn.RNN(num_layers=2) is the same model, and the script says so.
    expect(runs[1]!.stdout).toMatch(/^nn\.RNN\(num_layers=2\) +.*✓$/m);
    expect(runs[0]!.stdout).not.toContain("num_layers=2)  ");
    const r = runs[configs.length]!;
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^dCE_t\/dW_h1h2 +2\.1 \(4′\) .*✗$/m);
    expect(r.stdout.split("\n").filter((l) => l.endsWith("✗"))).toHaveLength(1);
    expect(r.stdout).toContain("DISAGREE: 1 of 33 quantities: dCE_t/dW_h1h2 (2.1 (4′))");
  }, 120_000);
});
