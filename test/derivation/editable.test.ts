/**
 * The editable equations (lib/derivation/editable.ts) run through the worker's own transpile + evaluate path
 * (src/workers/run-code.ts), in Node: every reference code string reproduces lib/derivation/backward.ts, every guided
 * experiment fails its check for the reason it documents, and links and storage reject malformed input.
 */
import { describe, expect, it } from "vitest";
import { runAndPack, runCode, transpile } from "../../src/workers/run-code.js";
import {
  EDIT_IDS, EMBEDDING_IDS, SUMMARY_IDS, type EditId, type Overrides, applyExperiment, argsFor, checkEdit, decodeEdits, packResult, shapeOf,
  editable, editsFromHash, effective, encodeEdits, hiddenGradsFrom, numericalValue, parseStored, referenceValue, upstreamOf,
} from "../../lib/derivation/editable.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { maxAbsDiff, row, type Matrix, type Vector } from "../../lib/core/matrix.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";

const ex = buildExample({ ...DEFAULT_CONFIG });
const fd = numericalGradients(ex);
const base = effective(ex);

/** The page's path: the worker runs and packs (runAndPack), the page checks what it sent (checkEdit). */
function runChecked(id: EditId, code: string, e = ex, eff = effective(e), numeric = numericalValue(id, e, fd)) {
  const ref = referenceValue(id, e, eff);
  const out = runAndPack({ code, args: argsFor(id, e, eff), name: editable(id).name, shape: shapeOf(ref) });
  return { out, check: checkEdit(id, out, ref, numeric) };
}

function run(id: EditId, code: string, eff = base) {
  const { out, check } = runChecked(id, code, ex, eff);
  if ("error" in out) throw new Error(out.error);
  return check;
}

describe("reference code of every editable equation", () => {
  it.each(EDIT_IDS)("%s reproduces lib/ to ROUNDING_TOL and finite differences to FD_TOL", (id) => {
    const c = run(id, editable(id).code);
    expect(c.refused).toBeUndefined();
    expect(c.errRef).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(c.passRef && c.passFD).toBe(true);
    expect(c.badRows).toEqual([]);
  });

  it("agrees with lib/derivation/backward.ts on other configurations too (h0 = 0.1 · ones, τ = 1, hidden = d_model)", () => {
    for (const cfg of [{ h0: "point-one" as const }, { text: "ab" }, { hidden: 4, text: "aabbaa" }]) {
      const e = buildExample({ ...DEFAULT_CONFIG, ...cfg });
      const eff = effective(e);
      for (const id of EDIT_IDS) {
        const { out, check: c } = runChecked(id, editable(id).code, e, eff, numericalValue(id, e, numericalGradients(e)));
        if ("error" in out) throw new Error(`${id}: ${out.error}`);
        expect(c.passRef, `${id} ${JSON.stringify(cfg)}`).toBe(true);
        expect(c.passFD, `${id} ${JSON.stringify(cfg)}`).toBe(true);
      }
    }
  });

  it("eq 4.3: hiddenGradsFrom with lib's own last row is hiddenGrads", () => {
    const { dL_do, dL_dh } = ex.grads;
    const again = hiddenGradsFrom(dL_do, row(dL_dh, ex.inputs.length - 1), ex.fwd.h, ex.params.V, ex.params.W);
    expect(maxAbsDiff(again, dL_dh)).toBe(0);
  });

  it("the default state is exactly lib/'s gradients", () => {
    expect(base.dL_dE).toBe(ex.grads.dL_dE);
    expect(base.dL_dh).toBe(ex.grads.dL_dh);
    expect(Object.values(base.uses).every((u) => u.length === 0)).toBe(true);
  });
});

describe("guided experiments fail, for the documented reason", () => {
  const tau = ex.inputs.length;
  const exp = (id: EditId, key: string) => applyExperiment(editable(id).code, editable(id).experiments.find((e) => e.key === key)!);

  it("every experiment's text occurs exactly once and its check fails", () => {
    let n = 0;
    for (const id of EDIT_IDS) for (const e of editable(id).experiments) {
      n++;
      const code = applyExperiment(editable(id).code, e);
      const { out, check: c } = runChecked(id, code);
      if ("error" in out) { expect(id).toBe("eq-3-20"); continue; } // Uᵀ: a shape error is a failing check
      expect(c.passRef, `${id} ${e.key}`).toBe(false);
      expect(c.passFD, `${id} ${e.key}`).toBe(false);
    }
    expect(n).toBeGreaterThanOrEqual(6);
  });

  it("4.1 without 1/τ: every row off by the factor τ", () => {
    const c = run("eq-4-1", exp("eq-4-1", "drop-tau"));
    expect(c.badRows).toEqual([...Array(tau).keys()]);
    const v = c.value as Matrix;
    for (let k = 0; k < v.data.length; k++) expect(v.data[k]).toBeCloseTo(tau * ex.grads.dL_do.data[k]!, 12);
  });

  it("4.3 without (1 − h²), and with Wᵀ: every row but the last (4.2) is wrong", () => {
    for (const key of ["forget-tanh", "transpose-w"]) {
      const c = run("eq-4-3", exp("eq-4-3", key));
      expect(c.badRows, key).toEqual([...Array(tau - 1).keys()]);
    }
  });

  it("4.9 assigning instead of accumulating changes exactly the rows of repeated input tokens", () => {
    const c = run("eq-4-9", exp("eq-4-9", "assign"));
    const counts = new Map<number, number>();
    for (const i of ex.inputs) counts.set(i, (counts.get(i) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([i]) => i).sort((a, b) => a - b);
    expect(repeated.map((i) => ex.labels[i])).toEqual(["a", "b"]); // "cabbage"
    expect(c.badRows).toEqual(repeated);
  });

  it("3.20 with Uᵀ: a shape error with hidden ≠ d_model, wrong numbers with hidden = d_model", () => {
    const out = runCode(exp("eq-3-20", "transpose-u"), argsFor("eq-3-20", ex, base));
    expect(out).toEqual({ error: expect.stringMatching(/^line 4: vecmat: vector of length 6 times matrix \[4,6\]/) });
    const sq = buildExample({ ...DEFAULT_CONFIG, hidden: 4 });
    const o2 = runChecked("eq-3-20", exp("eq-3-20", "transpose-u"), sq, effective(sq), numericalGradients(sq).params.E);
    if ("error" in o2.out) throw new Error(o2.out.error);
    expect(o2.check.passRef).toBe(false);
  });
});

describe("downstream recomputation", () => {
  it("a reader's (4.1) feeds (4.2)–(4.9) and marks them; (4.1) alone is untouched upstream", () => {
    const broken = run("eq-4-1", applyExperiment(editable("eq-4-1").code, editable("eq-4-1").experiments[0]!)).value!;
    const eff = effective(ex, { "eq-4-1": broken });
    const tau = ex.inputs.length;
    expect(maxAbsDiff(eff.dL_dc, ex.grads.dL_dc.map((v) => v * tau))).toBeLessThan(1e-12);
    expect(maxAbsDiff(eff.dL_dE, ex.grads.dL_dE)).toBeGreaterThan(1e-6);
    for (const id of SUMMARY_IDS) expect(eff.uses[id]).toEqual(["eq-4-1"]);
  });

  it("a reader's (4.9) changes only (4.9)", () => {
    const eff = effective(ex, { "eq-4-9": ex.grads.dL_dE.data.length ? { ...ex.grads.dL_dE, data: ex.grads.dL_dE.data.map((v) => 2 * v) } : ex.grads.dL_dE });
    expect(eff.uses["eq-4-9"]).toEqual(["eq-4-9"]);
    expect(eff.uses["eq-4-8"]).toEqual([]);
    expect(eff.dL_dU).toBe(ex.grads.dL_dU);
  });

  it("upstreamOf follows the derivation: 4.9 ← 4.3 ← 4.2 ← 4.1; the embedding forms stand alone", () => {
    expect(upstreamOf("eq-4-9")).toEqual(["eq-4-1", "eq-4-2", "eq-4-3"]);
    expect(upstreamOf("eq-4-4")).toEqual(["eq-4-1"]);
    for (const id of EMBEDDING_IDS) expect(upstreamOf(id)).toEqual([]);
  });
});

describe("errors are one readable line with the reader's line number", () => {
  const args = argsFor("eq-4-1", ex, base);
  it("an unknown name", () => {
    expect(runCode("const a = 1;\nconst b = 2;\nreturn dL_doo[0];", args)).toEqual({ error: "line 3: dL_doo is not defined" });
  });
  it("a syntax error, found by sucrase", () => {
    const r = runCode("const a: number = 1;\nlet b = (;\nreturn a;", args);
    expect(r).toEqual({ error: expect.stringMatching(/^line 2: syntax error: Unexpected token/) });
  });
  it("TypeScript types are stripped without moving lines", () => {
    expect(transpile("const n: number = 1;\n\nfunction f(x: number[]): number { return x[0]!; }").toString()).not.toMatch(/: number/);
    expect(runCode("const z: number[][] = zeros(2, 3);\n\nthrow new Error(`boom ${z.length}`);", args)).toEqual({ error: "line 3: boom 2" });
  });
  it("no return", () => {
    expect(runCode("const a = 1;", args)).toEqual({ error: expect.stringMatching(/returned nothing/) });
  });
  it("a wrong shape is one message like tfjs's", () => {
    const c = runChecked("eq-4-9", "return zeros(dModel, vocab);").check;
    expect(c.refused).toBe("dL_dE: expected shape [8,4], got [4,8]");
    expect(c.passRef || c.passFD).toBe(false);
    expect(packResult("dL_db", [[1, 2]], [2])).toEqual({ error: "dL_db: expected shape [2], got [1,2]" });
    expect(packResult("dL_db", "x", [2])).toEqual({ error: "dL_db: expected shape [2], got a string" });
    expect(packResult("dL_db", null, [2])).toEqual({ error: "dL_db: expected shape [2], got null" });
    expect(packResult("dL_do", [[1, 2], [3]], [2, 2])).toEqual({ error: "dL_do: expected shape [2,2], got a ragged array (row 1 has 1 entries, expected 2)" });
    expect(packResult("dL_do", [[1, 2], 3], [2, 2])).toEqual({ error: "dL_do: expected shape [2,2], got [2,2]" });
  });
  it("a huge result is refused from its length alone, never copied", () => {
    const huge = new Float64Array(1e8);
    const t0 = performance.now();
    expect(packResult("dL_dE", huge, [8, 4])).toEqual({ error: "dL_dE: expected shape [8,4], got [100000000]" });
    expect(packResult("dL_dE", [huge, huge], [8, 4])).toEqual({ error: "dL_dE: expected shape [8,4], got [2,100000000]" });
    expect(performance.now() - t0).toBeLessThan(50);
  });
  it("NaN, ±Infinity, strings, holes, null and arrays are named entry by entry, never checked", () => {
    const cases: [unknown, string][] = [
      [[1, NaN], "dL_db[1] is NaN"],
      [[Infinity, 1], "dL_db[0] is Infinity"],
      [[-Infinity, NaN], "dL_db[0] is -Infinity, and 1 more entry is not finite numbers"],
      [["0.5", 1], 'dL_db[0] is a string ("0.5")'],
      [[1, undefined], "dL_db[1] is undefined"],
      // eslint-disable-next-line no-sparse-arrays
      [[1, ,], "dL_db[1] is missing (a hole in the array)"],
      [[null, 1], "dL_db[0] is null"],
      [[[1], 1], "dL_db[0] is an array, not a number"],
      [[{}, 1], "dL_db[0] is an object, not a number"],
      [[1n, true], "dL_db[0] is a bigint, not a number, and 1 more entry is not finite numbers"],
    ];
    for (const [value, message] of cases) expect(packResult("dL_db", value, [2]), message).toEqual({ error: message });
    const m = [[1, 2, 3], [4, NaN, 6], [NaN, 8, "9"]];
    expect(packResult("dL_do", m, [3, 3])).toEqual({ error: "dL_do[1][1] is NaN, and 2 more entries are not finite numbers" });
    // a typed array's NaN, and rows that are typed arrays
    expect(packResult("dL_do", [new Float64Array([1, 2]), new Float64Array([3, NaN])], [2, 2])).toEqual({ error: "dL_do[1][1] is NaN" });
    expect(packResult("dL_do", [new Float64Array([1, 2]), [3, 4]], [2, 2])).toEqual({ data: new Float64Array([1, 2, 3, 4]) });
  });
  it("NaN from the reader's code is refused with its entry named, and never passes a check", () => {
    const { out, check } = runChecked("eq-4-4", "const v = zeros(1, vocab)[0];\nv[3] = 0 / 0;\nreturn v;");
    expect(out).toEqual({ error: "dL_dc[3] is NaN" });
    expect(check.refused).toBe("dL_dc[3] is NaN");
    expect(check.passRef || check.passFD).toBe(false);
    // the page refuses a NaN even if the sandbox's packing were bypassed
    expect(checkEdit("eq-4-4", { data: new Float64Array(ex.grads.dL_dc.length).fill(NaN) }, ex.grads.dL_dc, fd.params.c).refused)
      .toBe(`dL_dc: the result was not ${ex.grads.dL_dc.length} finite numbers`);
    expect(checkEdit("eq-4-4", { data: new Float64Array(3) }, ex.grads.dL_dc, fd.params.c).refused)
      .toBe(`dL_dc: the result was not ${ex.grads.dL_dc.length} finite numbers`);
  });
  it("a thrown oddity, a Promise and a getter that throws are one line each", () => {
    const args = argsFor("eq-4-4", ex, base);
    expect(runCode("throw { toString() { throw 1; } };", args)).toEqual({ error: '{"toString":a function}' });
    expect(runCode("throw 'x'.repeat(1e6);", args)).toEqual({ error: expect.stringMatching(/^x{100,199}…$/) });
    expect(runCode("return (async () => 1)();", args)).toEqual({ error: expect.stringMatching(/returned a Promise/) });
    const getter = "const v = [1, 2, 3];\nObject.defineProperty(v, 2, { get() { throw new Error('trap'); } });\nreturn v;";
    expect(runAndPack({ code: getter, args, name: "dL_dc", shape: [3] })).toEqual({ error: "dL_dc: the result could not be read (trap)" });
  });
});

describe("links and storage", () => {
  it("round-trips through the URL fragment, unicode included", () => {
    const edits = { "eq-4-9": "// ⊙ τ\nreturn zeros(vocab, dModel);" };
    const h = `#edit=${encodeEdits(edits)}`;
    expect(editsFromHash(h)).toEqual({ edits });
    expect(editsFromHash("#eq-4-9")).toBeNull();
  });
  it("rejects malformed input with one line, never a throw", () => {
    for (const bad of ["%%%", "e30x", encodeEdits({ "eq-9-9": "x" } as never), btoa("[1,2]"), btoa('{"eq-4-1": 3}')]) {
      const r = decodeEdits(bad);
      expect("error" in r, bad).toBe(true);
      expect((r as { error: string }).error).not.toMatch(/\n/);
    }
    expect(decodeEdits("e30")).toEqual({ edits: {} }); // "{}": no edits, not an error
  });
  it("restricts ids to the page's own", () => {
    expect(decodeEdits(encodeEdits({ "eq-4-1": "x" }), EMBEDDING_IDS)).toEqual({ error: expect.stringMatching(/not an editable equation of this page/) });
  });
  it("parses the store leniently", () => {
    expect(parseStored(null)).toEqual({});
    expect(parseStored("{not json")).toEqual({});
    expect(parseStored(JSON.stringify({ "eq-4-1": { code: "return 1;", active: true } }))).toEqual({ "eq-4-1": { code: "return 1;", active: true } });
  });
});

// keep the types used
export type _T = Overrides | Vector;
