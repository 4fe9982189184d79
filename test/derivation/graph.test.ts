/**
 * Figure 1 as data (lib/derivation/graph.ts): the graph's nodes and edges follow eqs 1.1–1.7, its waves say what §2 says
 * (logits in parallel, hidden states one after the other, O(τ) in all), and the stepwise hidden-state recursion of
 * eqs 3.5 and 3.8 (= eqs 4.2–4.3) agrees with lib/derivation/backward.ts's hiddenGrads and with finite differences.
 */
import { describe, expect, it } from "vitest";
import { backward } from "../../lib/derivation/backward.js";
import { buildExample, DEFAULT_CONFIG, numericalGradients } from "../../lib/state/example.js";
import {
  backwardEdges, childrenOf, edgeId, firstRows, lastRows, gradientWaves, hiddenGradsUpTo, nodeId, parentsOf, paramOfOutput, recursionStep,
  rnnGraph, runBackwardPlan, stepSuperscript, wavesInNodeOrder, wavesInOrder,
} from "../../lib/derivation/graph.js";
import { wavesByFormula } from "../../lib/derivation/graph-checks.js";
import { ShapeError, maxAbsDiff, row } from "../../lib/core/matrix.js";
import { FD_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";

describe("Figure 1: the computational graph of eqs 1.1–1.7", () => {
  it.each([1, 2, 6, 12])("has 6τ + 8 nodes and 13τ forward edges for τ = %i", (tau) => {
    const g = rnnGraph(tau);
    expect(g.nodes).toHaveLength(6 * tau + 8);
    expect(g.edges).toHaveLength(13 * tau);
    expect(new Set(g.nodes.map((n) => n.id)).size).toBe(g.nodes.length);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(g.edges.length);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) {
      expect(ids.has(e.from), e.id).toBe(true);
      expect(ids.has(e.to), e.id).toBe(true);
    }
  });

  it("eq 1.4: a⁽ᵗ⁾ has the arguments h⁽ᵗ⁻¹⁾, x⁽ᵗ⁾, W, U, b; every parameter feeds all τ steps once", () => {
    const g = rnnGraph(4);
    expect(parentsOf(g, nodeId.a(1))).toEqual(["h0", "x1", "W", "U", "b"]);
    expect(parentsOf(g, nodeId.a(3))).toEqual(["h2", "x3", "W", "U", "b"]);
    expect(parentsOf(g, nodeId.o(2))).toEqual(["h2", "V", "c"]);
    expect(parentsOf(g, nodeId.x(2))).toEqual(["E"]);
    expect(parentsOf(g, nodeId.L)).toEqual(["Lt1", "Lt2", "Lt3", "Lt4"]);
    for (const p of ["E", "U", "W", "b", "V", "c"]) expect(childrenOf(g, p)).toHaveLength(4);
    expect(g.edges.filter((e) => e.eq === "1.4")).toHaveLength(5 * 4);
  });

  it("§3.2: h⁽τ⁾ feeds only o⁽τ⁾; every earlier h⁽ᵗ⁾ feeds o⁽ᵗ⁾ and a⁽ᵗ⁺¹⁾; h⁽⁰⁾ feeds a⁽¹⁾ only", () => {
    const g = rnnGraph(5);
    expect(childrenOf(g, nodeId.h(5))).toEqual(["o5"]);
    for (let t = 1; t < 5; t++) expect(childrenOf(g, nodeId.h(t))).toEqual([`o${t}`, `a${t + 1}`]);
    expect(childrenOf(g, nodeId.h(0))).toEqual(["a1"]);
  });

  it("backward edges are the forward edges reversed", () => {
    const g = rnnGraph(3);
    const back = backwardEdges(g);
    expect(back).toHaveLength(g.edges.length);
    back.forEach((b, i) => {
      expect(b.from).toBe(g.edges[i]!.to);
      expect(b.to).toBe(g.edges[i]!.from);
      expect(b.id).toBe(edgeId(b.from, b.to));
    });
  });

  it("labels use unicode superscripts", () => {
    expect(stepSuperscript(12)).toBe("⁽¹²⁾");
    const g = rnnGraph(12);
    expect(g.nodes.find((n) => n.id === "yhat12")!.label).toBe("ŷ⁽¹²⁾");
    expect(g.nodes.find((n) => n.id === "h0")!.tex).toBe("h^{(0)}");
    expect(() => rnnGraph(0)).toThrow(RangeError);
  });
});

describe("§2: the waves of the backward pass", () => {
  it.each([1, 3, 6, 12])("logits in one wave, h⁽ᵗ⁾ in wave 4 + 2(τ − t), 2τ + 6 waves, for τ = %i", (tau) => {
    const g = rnnGraph(tau);
    const w = gradientWaves(g);
    expect(w["L"]).toBe(0);
    for (let t = 1; t <= tau; t++) {
      expect(w[nodeId.o(t)]).toBe(3);
      expect(w[nodeId.h(t)]).toBe(4 + 2 * (tau - t));
    }
    expect(w["V"]).toBe(4);
    expect(w["c"]).toBe(4);
    expect(w["E"]).toBe(2 * tau + 5);
    expect(wavesInOrder(g)).toHaveLength(2 * tau + 6);
    // Every node's wave is after all its children's (the partials it needs).
    for (const e of g.edges) expect(w[e.from]).toBeGreaterThan(w[e.to]!);
    // …and they are the count of §2 written out by formula (lib/derivation/graph-checks.ts), node by node, in node order.
    expect(w).toEqual(wavesByFormula(tau));
    expect(Object.keys(w)).toEqual(g.nodes.map((n) => n.id));
    expect(Array.from(wavesInNodeOrder(g, w))).toEqual(g.nodes.map((n) => wavesByFormula(tau)[n.id]));
  });
});

describe("the recursion step of eqs 3.5 and 3.8 in Figure 1", () => {
  it("reads o⁽ᵗ⁾, and for t < τ h⁽ᵗ⁺¹⁾ through a⁽ᵗ⁺¹⁾", () => {
    const g = rnnGraph(4);
    expect(recursionStep(g, 4)).toEqual({ t: 4, eq: "3.5", nodes: ["h4", "o4"], edges: ["o4>h4"] });
    const s = recursionStep(g, 2);
    expect(s.eq).toBe("3.8");
    expect(new Set(s.nodes)).toEqual(new Set(["h2", "o2", "a3", "h3"]));
    expect(new Set(s.edges)).toEqual(new Set(["o2>h2", "a3>h2", "h3>a3"]));
    const back = new Set(backwardEdges(g).map((e) => e.id));
    for (const e of s.edges) expect(back.has(e)).toBe(true);
    expect(() => recursionStep(g, 0)).toThrow(RangeError);
  });
});

describe("eq 3.8 / eqs 4.2–4.3 step by step: hiddenGradsUpTo", () => {
  const configs = [
    DEFAULT_CONFIG,
    { ...DEFAULT_CONFIG, h0: "point-one" as const, seed: 5 },
    { ...DEFAULT_CONFIG, text: "abcdefghhgfedcba", hidden: 3, dModel: 2, seed: 9 },
    { ...DEFAULT_CONFIG, text: "ab" },
  ];
  it.each(configs)("fills rows t = τ … 1 in order and agrees with hiddenGrads and finite differences (%o)", (config) => {
    const ex = buildExample(config);
    const tau = ex.inputs.length;
    const { dL_do } = ex.grads;
    for (let k = 0; k <= tau; k++) {
      const m = hiddenGradsUpTo(dL_do, ex.fwd.h, ex.params.V, ex.params.W, k);
      for (let t = 0; t < tau; t++) {
        if (t >= tau - k) expect(maxAbsDiff(row(m, t), row(ex.grads.dL_dh, t))).toBeLessThanOrEqual(ROUNDING_TOL);
        else expect(Array.from(row(m, t)).every(Number.isNaN)).toBe(true);
      }
    }
    const full = hiddenGradsUpTo(dL_do, ex.fwd.h, ex.params.V, ex.params.W, tau);
    expect(maxAbsDiff(full, numericalGradients(ex).dL_dh)).toBeLessThanOrEqual(FD_TOL);
  });

  it("rejects a step count outside 0 … τ and mismatched shapes", () => {
    const ex = buildExample(DEFAULT_CONFIG);
    const { dL_do } = ex.grads;
    expect(() => hiddenGradsUpTo(dL_do, ex.fwd.h, ex.params.V, ex.params.W, 7)).toThrow(RangeError);
    expect(() => hiddenGradsUpTo(dL_do, ex.fwd.h, ex.params.V, ex.params.W, -1)).toThrow(RangeError);
    expect(() => hiddenGradsUpTo(dL_do, ex.fwd.h, ex.params.W, ex.params.W, 1)).toThrow(ShapeError);
  });

  it("a wrong Jacobian (W transposed) is caught by the same comparison", () => {
    const ex = buildExample(DEFAULT_CONFIG);
    const W = ex.params.W;
    const Wt = { rows: W.cols, cols: W.rows, data: W.data.map((_, k) => W.data[(k % W.cols) * W.cols + Math.floor(k / W.cols)]!) };
    const wrong = hiddenGradsUpTo(ex.grads.dL_do, ex.fwd.h, ex.params.V, Wt, ex.inputs.length);
    expect(maxAbsDiff(wrong, ex.grads.dL_dh)).toBeGreaterThan(1e-4);
  });
});

describe("the plan of attack as lib/derivation/backward.ts runs it", () => {
  it("calls the functions of eqs 4.1–4.9 in the order of §2 and reproduces backward()", () => {
    const ex = buildExample(DEFAULT_CONFIG);
    const plan = runBackwardPlan(ex.params, ex.fwd, ex.inputs, ex.targets);
    expect(plan.map((s) => s.fn)).toEqual([
      "logitGrads", "hiddenGrads", "preactivationGrads", "gradC", "gradB", "gradV", "gradW", "gradU", "gradE",
    ]);
    const g = backward(ex.params, ex.fwd, ex.inputs, ex.targets);
    const computed = new Set<string>(["yhat", "y", "h", "h0", "x", "inputs", "V", "W", "U"]);
    for (const s of plan) {
      for (const r of s.reads) expect(computed.has(r), `${s.fn} reads ${r} before it exists`).toBe(true);
      computed.add(s.output);
      expect(Array.from("data" in s.value ? s.value.data : s.value)).toEqual(Array.from("data" in g[s.output] ? (g[s.output] as { data: Float64Array }).data : (g[s.output] as Float64Array)));
    }
    expect(plan[0]!.shape).toEqual([6, 8]);
    expect(plan[1]!.shape).toEqual([6, 6]);
    expect(plan[1]!.overT).toBe("sequential");
    expect(plan.map((s) => paramOfOutput(s.output))).toEqual([undefined, undefined, undefined, "c", "b", "V", "W", "U", "E"]);
  });
});

describe("row ranges of a τ-row matrix", () => {
  it("firstRows and lastRows split it at any k", () => {
    const m = { rows: 3, cols: 2, data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    expect(Array.from(firstRows(m, 2).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(lastRows(m, 1).data)).toEqual([5, 6]);
    expect(firstRows(m, 0).rows).toBe(0);
    expect(lastRows(m, 3).rows).toBe(3);
    expect(() => firstRows(m, 4)).toThrow(RangeError);
    expect(() => lastRows(m, -1)).toThrow(RangeError);
  });
});
