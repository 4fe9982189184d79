/**
 * lib/tools/pytorch-python.ts: the Python literals of the "Reproduce in PyTorch" scripts. A number must read back in
 * Python as the very same double (checked bit for bit by Python itself, where PyTorch's interpreter is found), and
 * the other pieces must be what a reader and the tests can rely on.
 */
import { describe, expect, it } from "vitest";
import { fromRows } from "../../lib/core/matrix.js";
import { makeRng } from "../../lib/core/rng.js";
import { fileSlug, pyMatrices, pyMatrix, pyNumber, pyPageDict, pyString } from "../../lib/tools/pytorch-python.js";
import { TORCH_VERSION, runPython } from "../torch.js";

/** Edge cases of float64 text: subnormals, the extremes, integers (which must stay floats), −0, exponents both ways. */
const EDGES = [0, -0, 1, -3, 0.1, 1 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e21, 1e-7, 123456789012345680000, 2 ** 53 + 2, -1e-300];

const randomDoubles = (count: number): number[] => {
  const rng = makeRng(18);
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  const out: number[] = [];
  while (out.length < count) {
    for (let i = 0; i < 8; i++) bytes[i] = rng.int(256);
    const x = view.getFloat64(0, true);
    if (Number.isFinite(x)) out.push(x);
  }
  return out;
};

const hexOf = (x: number): string => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x, true);
  return Array.from(new Uint8Array(view.buffer), (b) => b.toString(16).padStart(2, "0")).join("");
};

describe("pytorch-python", () => {
  it("writes a float64 as a float literal that reads back as the same double (JavaScript's shortest round trip)", () => {
    expect(EDGES.map(pyNumber)).toEqual([
      "0.0", "-0.0", "1.0", "-3.0", "0.1", "0.3333333333333333", "5e-324", "2.2250738585072014e-308", "1.7976931348623157e+308",
      "1e+21", "1e-7", "123456789012345680000.0", "9007199254740994.0", "-1e-300",
    ]);
    for (const x of [...EDGES, ...randomDoubles(2000)]) expect(Object.is(Number(pyNumber(x)), x)).toBe(true);
    expect(() => pyNumber(NaN)).toThrow(/NaN has no Python float literal/);
    expect(() => pyNumber(-Infinity)).toThrow(/-Infinity/);
  });

  it("writes matrices row by row, and one PAGE line per quantity", () => {
    const m = fromRows([[1, -0.5], [0, 2e-9]]);
    expect(pyMatrix(m)).toBe("[[1.0, -0.5], [0.0, 2e-9]]");
    expect(pyMatrices([m, m])).toBe("[[[1.0, -0.5], [0.0, 2e-9]], [[1.0, -0.5], [0.0, 2e-9]]]");
    expect(pyPageDict([["dL_dW", "[[1.0]]"], ["L", "0.5"]])).toBe('PAGE = {\n    "dL_dW": [[1.0]],\n    "L": 0.5,\n}');
  });

  it("quotes strings for Python and keeps file names to letters, digits and _", () => {
    expect(pyString('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(fileSlug("the quick \"brown\" fox\\jumps é😀.")).toBe("the_quick__brown__fox_ju");
    expect(fileSlug("é😀")).toBe("__");
  });

  it.skipIf(TORCH_VERSION === undefined)("Python reads every literal back bit for bit", () => {
    const xs = [...EDGES, ...randomDoubles(500)];
    const program = "import json, struct, sys\nfor s in json.load(sys.stdin): print(struct.pack('<d', float(eval(s))).hex())";
    const r = runPython(["-c", program], JSON.stringify(xs.map(pyNumber)));
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(xs.map(hexOf));
  });
});
