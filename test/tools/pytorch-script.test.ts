/**
 * lib/tools/pytorch-script.ts, "Reproduce in PyTorch" on the main derivation's pages. Without Python: the file name
 * tells the configuration, the script carries every number of the pages exactly (each literal reads back as the very
 * same double), and it depends on the configuration alone. With PyTorch (test/torch.ts: skipped with the reason
 * outside CI, a failure under CI): the scripts of several configurations pass, and a script with one number of the
 * page changed fails and names that quantity.
 */
import { describe, expect, it } from "vitest";
import { type Example, type ExampleConfig, DEFAULT_CONFIG, buildExample } from "../../lib/state/example.js";
import { pytorchFilename, pytorchScript, stepJacobians } from "../../lib/tools/pytorch-script.js";
import { TORCH_VERSION } from "../torch.js";
import { corrupt, runScript, runScripts } from "./run-scripts.js";

const example = (c: Partial<ExampleConfig> = {}): Example => buildExample({ ...DEFAULT_CONFIG, ...c });

/** Every quantity of the table, in its order, as the PAGE dict names it. */
const QUANTITIES = ["x", "a", "h", "o", "yhat", "L_t", "L", "dL_do", "J", "dL_dh", "dL_da", "dL_dc", "dL_db", "dL_dV", "dL_dW", "dL_dU", "dL_dE"];

/** A literal of the script (a Python list of floats is JSON), read back as numbers. */
function literal(text: string, line: RegExp): number[] {
  const m = text.split("\n").map((l) => line.exec(l)).find((x) => x !== null);
  if (!m) throw new Error(`no line ${line}`);
  return [JSON.parse(m[1]!) as unknown].flat(Infinity as 1) as number[];
}

const bits = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Object.is(x, -0) ? "-0" : String(x)));

/** The other configurations: τ = 1 with one unit each; h⁽⁰⁾ = 0.1 with explicit targets; the largest the form allows. */
const OTHERS: Partial<ExampleConfig>[] = [
  { text: "ab", dModel: 1, hidden: 1, seed: 7 },
  { text: "badcab", targets: "acbbad", dModel: 2, hidden: 5, seed: 3, h0: "point-one" },
  {
    vocab: "abcdefghijklmnopqrstuvwxy \"\\.é😀", text: "the quick \"brown\" fox\\jumps é😀.", dModel: 8, hidden: 16, seed: 4294967295,
    h0: "point-one",
  },
];

/** The smallest double above x (x > 0). */
function nextUp(x: number): number {
  const a = new Float64Array([x]);
  const i = new BigInt64Array(a.buffer);
  i[0]! += 1n;
  return a[0]!;
}

describe("the PyTorch script of the main pages, as text", () => {
  it("is named after the text, sizes, seed and h⁽⁰⁾", () => {
    expect(pytorchFilename(example())).toBe("bptt-cabbage-d4-h6-seed1.py");
    expect(pytorchFilename(example(OTHERS[1]))).toBe("bptt-badcab-to-acbbad-d2-h5-seed3-h0-0.1.py");
    expect(pytorchFilename(example(OTHERS[2]))).toBe("bptt-the_quick__brown__fox_ju-d8-h16-seed4294967295-h0-0.1.py");
  });

  it("carries the weights, h⁽⁰⁾, the tokens and every quantity of the pages, each number the very same double", () => {
    for (const c of [{}, ...OTHERS]) {
      const ex = example(c), { text } = pytorchScript(ex);
      for (const name of ["E", "U", "W", "b", "V", "c"] as const) {
        const v = ex.params[name];
        expect(bits(literal(text, new RegExp(`^${name} = (\\[.*\\])  #`))), name).toEqual(bits("data" in v ? v.data : v));
      }
      expect(bits(literal(text, /^H0 = (\[.*\])  #/))).toEqual(bits(ex.h0));
      expect(literal(text, /^INPUTS = (\[.*\])  #/)).toEqual(ex.inputs);
      expect(literal(text, /^TARGETS = (\[.*\])$/)).toEqual(ex.targets);
      const page: Record<string, ArrayLike<number>> = {
        ...Object.fromEntries((["x", "a", "h", "o", "yhat"] as const).map((k) => [k, ex.fwd[k].data])),
        L_t: ex.fwd.L_t, L: [ex.fwd.loss], J: stepJacobians(ex).flatMap((m) => Array.from(m.data)),
        ...Object.fromEntries((["dL_do", "dL_dh", "dL_da", "dL_dV", "dL_dW", "dL_dU", "dL_dE"] as const).map((k) => [k, ex.grads[k].data])),
        dL_dc: ex.grads.dL_dc, dL_db: ex.grads.dL_db,
      };
      expect(Object.keys(page).sort()).toEqual([...QUANTITIES].sort());
      for (const name of QUANTITIES) {
        expect(bits(literal(text, new RegExp(`^    "${name}": (.*),$`))), name).toEqual(bits(page[name]!));
      }
    }
  });

  it("depends on the configuration alone", () => {
    expect(pytorchScript(example()).text).toBe(pytorchScript(example()).text);
    expect(pytorchScript(example({ seed: 2 })).text).not.toBe(pytorchScript(example()).text);
  });
});

describe.skipIf(TORCH_VERSION === undefined)(`the PyTorch script of the main pages, run (PyTorch ${TORCH_VERSION})`, () => {
  it("passes for the default configuration, run as a reader would, with a row per quantity", () => {
    const r = runScript(pytorchScript(example()).text);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rows = r.stdout.split("\n");
    expect(rows[0]).toMatch(/^quantity +eq +shape +max \|Δ\| +allclose$/);
    for (const name of QUANTITIES) expect(rows.find((l) => l.startsWith(`${name} `)), name).toMatch(/✓$/);
    expect(r.stdout).toMatch(/^h, step by step +=.*✓$/m);
    expect(r.stdout).toMatch(/^grads, step by step +=.*✓$/m);
    expect(r.stdout).toContain("All 20 quantities agree");
  }, 120_000);

  it("passes for τ = 1, h⁽⁰⁾ = 0.1 with explicit targets, and the largest configuration; one changed number fails and is named", () => {
    const base = pytorchScript(example()).text;
    const ulp = corrupt(base, "dL_dW", (v) => (v > 0 ? nextUp(v) : -nextUp(-v)));
    const dh = corrupt(base, "dL_dh", (v) => v * (1 + 1e-8));
    const runs = runScripts([...OTHERS.map((c) => pytorchScript(example(c)).text), ulp.text, dh.text]);
    runs.slice(0, OTHERS.length).forEach((r, i) => {
      expect(r.stdout, JSON.stringify(OTHERS[i])).toContain("quantities agree");
      expect(r.status).toBe(0);
    });
    const [ulpRun, dhRun] = runs.slice(OTHERS.length);
    expect(ulp.now).not.toBe(ulp.was);
    expect(ulpRun!.status).toBe(0); // one unit in the last place is rounding, inside the tolerance
    expect(dhRun!.status).toBe(1);
    expect(dhRun!.stdout).toMatch(/^dL_dh +3\.5-3\.6 = 4\.2-4\.3 .*✗$/m);
    expect(dhRun!.stdout).toContain("DISAGREE: 1 of 20 quantities: dL_dh (3.5-3.6 = 4.2-4.3)");
  }, 120_000);

  it("exits 1 naming the quantity when one number of the page is wrong, run as a reader would", () => {
    const bad = corrupt(pytorchScript(example()).text, "dL_dW", (v) => v + 1e-3);
    const r = runScript(bad.text);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^dL_dW +3\.16 = 4\.7 +\[6, 6\] +1\.0e-03 +✗$/m);
    expect(r.stdout.split("\n").filter((l) => l.endsWith("✗"))).toHaveLength(1);
    expect(r.stdout).toContain("DISAGREE: 1 of 20 quantities: dL_dW (3.16 = 4.7)");
  }, 120_000);
});
