/**
 * The editable equations (lib/derivation/editable.ts) run through the worker's own transpile + evaluate path
 * (src/workers/run-code.ts), in Node: every reference code string reproduces lib/derivation/backward.ts, every guided
 * experiment fails its check for the reason it documents, and a reader's value feeds what depends on it.
 */
import { describe, expect, it } from "vitest";
import { runCode } from "../../src/workers/sandbox/run.js";
import {
  EDIT_IDS, EMBEDDING_IDS, SUMMARY_IDS, type EditId, applyExperiment, argsFor, editable, effective, numericalValue, upstreamOf,
} from "../../lib/derivation/editable.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";
import { hiddenGradsFrom } from "../../lib/derivation/backward.js";
import { type Matrix, maxAbsDiff, row } from "../../lib/core/matrix.js";
import { ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { base, ex, run, runChecked } from "./edit-runs.js";

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
