/**
 * The computational graph of the RNN of "BPTT Derivations" (A. Singh) as data: Figure 1, which the source refers to
 * but does not contain, built from the model's structure for a given τ, and the facts of its §2 "plan of attack"
 * read off that graph.
 *
 * Nodes: x⁽ᵗ⁾, a⁽ᵗ⁾, h⁽ᵗ⁾, o⁽ᵗ⁾, ŷ⁽ᵗ⁾, L⁽ᵗ⁾ for t = 1 … τ, the loss L, the initial state h⁽⁰⁾ and the shared
 * parameters E, U, W, b, V, c (one node each, however many steps use them). Forward edges "u → v" mean "u is an
 * argument of the function that computes v", one for each argument in eqs 1.3–1.7 and 1.1–1.2. Backward edges are
 * the same edges reversed: the partial (DL)_v flows back along v → u. Constants (the token ids input⁽ᵗ⁾ and the
 * labels y⁽ᵗ⁾) are not nodes: nothing is differentiated with respect to them.
 *
 * No DOM here: src/components/figure1.ts draws what this file builds.
 */
import { type Gradients, gradB, gradC, gradE, gradU, gradV, gradW, hiddenGrads, logitGrads, preactivationGrads } from "./backward.js";
import type { Forward } from "./forward.js";
import { type Matrix, type Vector, row, vecmat, zeros } from "../core/matrix.js";
import { hiddenGradStep } from "./hidden.js";
import { PARAM_NAMES, type ParamName, type Params } from "./model.js";
import { checkStepsAndShapes } from "./validate.js";
import { experiments } from "../core/experiment.js";

export type NodeKind = "x" | "a" | "h" | "o" | "yhat" | "Lt" | "L" | "param";

export interface GraphNode {
  /** "x3", "a3", "h0", "h3", "o3", "yhat3", "Lt3", "L", or a parameter name "E" … "c". */
  id: string;
  kind: NodeKind;
  /** The time step: 1 … τ, 0 for h⁽⁰⁾; absent for L and the parameters. */
  t?: number;
  /** Readable label with unicode superscripts, e.g. "h⁽³⁾", "ŷ⁽³⁾". */
  label: string;
  /** The same in TeX, e.g. "h^{(3)}", "\\hat{y}^{(3)}". */
  tex: string;
}

export interface GraphEdge {
  /** "from>to", unique. */
  id: string;
  from: string;
  to: string;
  /** The forward equation that makes `from` an argument of `to`, e.g. "1.4". */
  eq: string;
}

export interface Graph {
  tau: number;
  nodes: GraphNode[];
  /** The forward edges, step by step in the order of eqs 1.3–1.7, 1.1, 1.2. */
  edges: GraphEdge[];
}

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** "⁽¹²⁾" for 12: the time-step superscript of the source, in unicode. */
export function stepSuperscript(t: number): string {
  return `⁽${String(t).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]!)}⁾`;
}

/** Node ids, so that callers never spell them by hand. */
export const nodeId = {
  x: (t: number) => `x${t}`, a: (t: number) => `a${t}`, h: (t: number) => `h${t}`, o: (t: number) => `o${t}`,
  yhat: (t: number) => `yhat${t}`, Lt: (t: number) => `Lt${t}`, L: "L",
} as const;

export const edgeId = (from: string, to: string): string => `${from}>${to}`;

function stepNode(kind: Exclude<NodeKind, "L" | "param">, t: number): GraphNode {
  const base = { x: ["x", "x"], a: ["a", "a"], h: ["h", "h"], o: ["o", "o"], yhat: ["ŷ", "\\hat{y}"], Lt: ["L", "L"] }[kind];
  return { id: nodeId[kind](t), kind, t, label: `${base[0]}${stepSuperscript(t)}`, tex: `${base[1]}^{(${t})}` };
}

/**
 * Figure 1 for τ steps: 6τ + 8 nodes and 13τ forward edges (13 arguments per step: E into x⁽ᵗ⁾ (eq 1.3);
 * h⁽ᵗ⁻¹⁾, x⁽ᵗ⁾, W, U, b into a⁽ᵗ⁾ (eq 1.4); a⁽ᵗ⁾ into h⁽ᵗ⁾ (eq 1.5); h⁽ᵗ⁾, V, c into o⁽ᵗ⁾ (eq 1.6); o⁽ᵗ⁾ into
 * ŷ⁽ᵗ⁾ (eq 1.7); ŷ⁽ᵗ⁾ into L⁽ᵗ⁾ (eq 1.1); L⁽ᵗ⁾ into L (eq 1.2)).
 */
export function rnnGraph(tau: number): Graph {
  if (!Number.isInteger(tau) || tau < 1) throw new RangeError(`rnnGraph: τ must be a positive integer, got ${tau}`);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const p of PARAM_NAMES) nodes.push({ id: p, kind: "param", label: p, tex: p });
  nodes.push({ id: nodeId.h(0), kind: "h", t: 0, label: `h${stepSuperscript(0)}`, tex: "h^{(0)}" });
  const edge = (from: string, to: string, eq: string) => edges.push({ id: edgeId(from, to), from, to, eq });
  for (let t = 1; t <= tau; t++) {
    for (const kind of ["x", "a", "h", "o", "yhat", "Lt"] as const) nodes.push(stepNode(kind, t));
    edge("E", nodeId.x(t), "1.3");
    edge(nodeId.h(t - 1), nodeId.a(t), "1.4");
    edge(nodeId.x(t), nodeId.a(t), "1.4");
    edge("W", nodeId.a(t), "1.4");
    edge("U", nodeId.a(t), "1.4");
    edge("b", nodeId.a(t), "1.4");
    edge(nodeId.a(t), nodeId.h(t), "1.5");
    edge(nodeId.h(t), nodeId.o(t), "1.6");
    edge("V", nodeId.o(t), "1.6");
    edge("c", nodeId.o(t), "1.6");
    edge(nodeId.o(t), nodeId.yhat(t), "1.7");
    edge(nodeId.yhat(t), nodeId.Lt(t), "1.1");
    edge(nodeId.Lt(t), nodeId.L, "1.2");
  }
  nodes.push({ id: nodeId.L, kind: "L", label: "L", tex: "L" });
  return { tau, nodes, edges };
}

/** The backward edges: every forward edge u → v reversed to v → u, along which (DL)_v flows back to u. */
export function backwardEdges(g: Graph): GraphEdge[] {
  return g.edges.map((e) => ({ id: edgeId(e.to, e.from), from: e.to, to: e.from, eq: e.eq }));
}

/** The nodes `id` feeds into (its children in the forward graph), in edge order. */
export function childrenOf(g: Graph, id: string): string[] {
  return g.edges.filter((e) => e.from === id).map((e) => e.to);
}

/** The arguments of the node `id` (its parents in the forward graph), in edge order. */
export function parentsOf(g: Graph, id: string): string[] {
  return g.edges.filter((e) => e.to === id).map((e) => e.from);
}

/**
 * The backward pass as waves (§2): (DL)_v can be computed once the partials of every node v feeds into are known,
 * so wave(L) = 0 and wave(v) = 1 + max over v's children. Nodes in one wave are independent of each other and
 * can be computed in parallel; the number of waves is the length of the longest chain of dependencies.
 * For this graph: o⁽ᵗ⁾ is in wave 3 for every t (the logits "in parallel"), while h⁽ᵗ⁾ is in wave 4 + 2(τ − t),
 * a different wave for every t (the hidden states "sequentially"), and there are 2τ + 6 waves in all: O(τ).
 * The result has one entry per node id, in the order of g.nodes.
 */
export function gradientWaves(g: Graph): Record<string, number> {
  const children = new Map<string, string[]>(g.nodes.map((n) => [n.id, []]));
  for (const e of g.edges) children.get(e.from)!.push(e.to);
  const wave = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = wave.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`gradientWaves: the graph has a cycle through ${id}`);
    visiting.add(id);
    const cs = children.get(id)!;
    const w = cs.length === 0 ? 0 : 1 + Math.max(...cs.map(visit));
    visiting.delete(id);
    wave.set(id, w);
    return w;
  };
  return Object.fromEntries(g.nodes.map((n) => [n.id, visit(n.id)]));
}

/** The waves as lists of node ids, wave 0 first: of `gradientWaves(g)`, or of the waves given. */
export function wavesInOrder(g: Graph, waveOf: Readonly<Record<string, number>> = gradientWaves(g)): string[][] {
  const waves: string[][] = [];
  for (const n of g.nodes) (waves[waveOf[n.id]!] ??= []).push(n.id);
  return Array.from(waves, (ids) => ids ?? []);
}

/** The waves of the nodes in the order of g.nodes, as one vector (what a page's check compares). */
export function wavesInNodeOrder(g: Graph, waveOf: Readonly<Record<string, number>>): Vector {
  return Float64Array.from(g.nodes, (n) => waveOf[n.id] ?? NaN);
}

/** What one step of the hidden-state recursion (eq 3.5 at t = τ, eq 3.8 below it) reads, in Figure 1. */
export interface RecursionStep {
  /** The source's t, τ … 1. */
  t: number;
  /** The equation that gives (DL)_{h⁽ᵗ⁾}: "3.5" at t = τ, "3.8" for t < τ. */
  eq: "3.5" | "3.8";
  /** h⁽ᵗ⁾ and the nodes whose partials it needs: o⁽ᵗ⁾ and, for t < τ, a⁽ᵗ⁺¹⁾ and h⁽ᵗ⁺¹⁾. */
  nodes: string[];
  /** The backward edges the partial arrives along: o⁽ᵗ⁾ → h⁽ᵗ⁾ and h⁽ᵗ⁺¹⁾ → a⁽ᵗ⁺¹⁾ → h⁽ᵗ⁾. */
  edges: string[];
}

/**
 * The part of Figure 1 that eq 3.6 reads at step t, found from the graph rather than by hand: the children of
 * h⁽ᵗ⁾ (o⁽ᵗ⁾ always, a⁽ᵗ⁺¹⁾ unless t = τ, §3.2), and through a⁽ᵗ⁺¹⁾ the hidden state h⁽ᵗ⁺¹⁾ whose total partial
 * eq 3.7 carries back via diag[1 − (h⁽ᵗ⁺¹⁾)²] W.
 */
export function recursionStep(g: Graph, t: number): RecursionStep {
  if (!Number.isInteger(t) || t < 1 || t > g.tau) throw new RangeError(`recursionStep: t must be 1 … ${g.tau}, got ${t}`);
  const h = nodeId.h(t);
  const nodes = [h];
  const edges: string[] = [];
  for (const child of childrenOf(g, h)) {
    nodes.push(child);
    edges.push(edgeId(child, h));
    for (const grandchild of childrenOf(g, child)) {
      if (grandchild.startsWith("h")) {
        nodes.push(grandchild);
        edges.push(edgeId(grandchild, child));
      }
    }
  }
  return { t, eq: t === g.tau ? "3.5" : "3.8", nodes, edges };
}

/**
 * eqs 3.5 and 3.8 (= eqs 4.2–4.3) run for the first `steps` steps only: (DL)_{h⁽τ⁾} = (DL)_{o⁽τ⁾}V, then for
 * t = τ−1, τ−2, … (DL)_{h⁽ᵗ⁾} = (DL)_{h⁽ᵗ⁺¹⁾} diag[1 − (h⁽ᵗ⁺¹⁾)²] W + (DL)_{o⁽ᵗ⁾}V, until `steps` rows are known.
 * Rows not yet computed (t ≤ τ − steps) are NaN. Each step is /hidden's `hiddenGradStep` (lib/derivation/hidden.ts),
 * with the explicit hidden × hidden matrix of eq 3.7 — a different order of operations from `hiddenGrads` in
 * lib/derivation/backward.ts, which folds the diagonal into the row vector — so the two can be checked against
 * each other.
 */
export function hiddenGradsUpTo(dL_do: Matrix, h: Matrix, V: Matrix, W: Matrix, steps: number): Matrix {
  const tau = checkStepsAndShapes("hiddenGradsUpTo", dL_do, h, V, W, steps);
  const out = zeros(tau, h.cols);
  out.data.fill(NaN);
  for (let k = 0; k < steps; k++) {
    const t = tau - 1 - k; // 0-based row of the source's step τ − k
    row(out, t).set(t === tau - 1
      ? vecmat(row(dL_do, t), V) // eq 3.5
      : hiddenGradStep(row(out, t + 1), row(h, t + 1), row(dL_do, t), V, W)); // eq 3.8
  }
  return out;
}

/** One step of the backward pass as lib/derivation/backward.ts runs it (see `runBackwardPlan`). */
export interface PlanStep {
  /** The function of lib/derivation/backward.ts. */
  fn: string;
  /** The equations of §4 it computes. */
  eqs: string;
  /** The field of `Gradients` it fills. */
  output: keyof Gradients;
  value: Matrix | Vector;
  shape: number[];
  /** What it reads: forward quantities (ŷ, y, h, x, h⁽⁰⁾), parameters, or outputs of earlier steps. */
  reads: string[];
  /** How its τ time steps are computed: all at once, or one after the other (t = τ … 1), or summed. */
  overT: "parallel" | "sequential" | "sum";
}

const shapeOfValue = (v: Matrix | Vector): number[] => ("rows" in v ? [v.rows, v.cols] : [v.length]);

/**
 * The backward pass of lib/derivation/backward.ts step by step, in the order of §2: eq 4.1 for all t at once, eqs 4.2–4.3
 * from t = τ down to 1, then the parameter gradients 4.4–4.9 as sums over t. Calls the same functions as
 * `backward` in the same order, recording each output and what it reads, so a page can show the order.
 */
export function runBackwardPlan(p: Params, f: Forward, inputs: readonly number[], targets: readonly number[]): PlanStep[] {
  const steps: PlanStep[] = [];
  const record = (fn: string, eqs: string, output: keyof Gradients, value: Matrix | Vector, reads: string[], overT: PlanStep["overT"]) => {
    steps.push({ fn, eqs, output, value, shape: shapeOfValue(value), reads, overT });
    return value;
  };
  const dL_do = record("logitGrads", "4.1", "dL_do", logitGrads(f.yhat, targets), ["yhat", "y"], "parallel") as Matrix;
  const dL_dh = record("hiddenGrads", "4.2–4.3", "dL_dh", hiddenGrads(dL_do, f.h, p.V, p.W), ["dL_do", "h", "V", "W"], "sequential") as Matrix;
  record("preactivationGrads", "bracket of 4.5, 4.7–4.9", "dL_da", preactivationGrads(dL_dh, f.h), ["dL_dh", "h"], "parallel");
  record("gradC", "4.4", "dL_dc", gradC(dL_do), ["dL_do"], "sum");
  record("gradB", "4.5", "dL_db", gradB(dL_dh, f.h), ["dL_dh", "h"], "sum");
  record("gradV", "4.6", "dL_dV", gradV(dL_do, f.h), ["dL_do", "h"], "sum");
  record("gradW", "4.7", "dL_dW", gradW(dL_dh, f.h, f.h0), ["dL_dh", "h", "h0"], "sum");
  record("gradU", "4.8", "dL_dU", gradU(dL_dh, f.h, f.x), ["dL_dh", "h", "x"], "sum");
  record("gradE", "4.9", "dL_dE", gradE(dL_dh, f.h, p.U, inputs, p.E.rows), ["dL_dh", "h", "U", "inputs"], "sum");
  return steps;
}

/** The parameter whose gradient a plan output is, if any (dL_dc → "c"). */
export function paramOfOutput(output: keyof Gradients): ParamName | undefined {
  const name = output.slice(4);
  return (PARAM_NAMES as readonly string[]).includes(name) ? (name as ParamName) : undefined;
}

/** The first `k` rows of a τ-row matrix (steps 1 … k), e.g. the rows of eq 4.3, t = 1 … τ − 1. */
export function firstRows(m: Matrix, k: number): Matrix {
  if (!Number.isInteger(k) || k < 0 || k > m.rows) throw new RangeError(`firstRows: k must be 0 … ${m.rows}, got ${k}`);
  return { rows: k, cols: m.cols, data: m.data.slice(0, k * m.cols) };
}

/** The last `k` rows of a τ-row matrix (steps τ − k + 1 … τ): the rows `hiddenGradsUpTo` has filled after k steps. */
export function lastRows(m: Matrix, k: number): Matrix {
  if (!Number.isInteger(k) || k < 0 || k > m.rows) throw new RangeError(`lastRows: k must be 0 … ${m.rows}, got ${k}`);
  return { rows: k, cols: m.cols, data: m.data.slice((m.rows - k) * m.cols) };
}

/** The source's t whose row step k (1 … τ) of the hidden-state recursion computes: τ, τ − 1, …, 1. */
export function stepOfRecursion(tau: number, k: number): number {
  return tau - k + 1;
}

/** The rows of (DL)_h still to compute after k steps of the recursion. */
export function rowsToGo(tau: number, k: number): number {
  return tau - k;
}

/** The hidden states whose partials are known after k steps of the recursion, h⁽τ⁾ first, as node ids. */
export function knownHidden(tau: number, k: number): string[] {
  return Array.from({ length: k }, (_, i) => nodeId.h(tau - i));
}

/** How many numbers (DL)_h alone keeps until the parameter gradients are summed: τ × hidden, O(τ) memory. */
export function storedHiddenPartials(tau: number, hidden: number): number {
  return tau * hidden;
}

/** Finite differences of the internal partials and of every parameter gradient, as lib/state/example.ts computes them. */
export interface NumericPartials {
  dL_do: Matrix;
  dL_dh: Matrix;
  params: Record<ParamName, Matrix | Vector>;
}

/** The finite-difference counterpart of a plan output, or undefined for one finite differences do not measure (dL_da). */
export function numericOf(output: keyof Gradients, numeric: NumericPartials): Matrix | Vector | undefined {
  if (output === "dL_do") return numeric.dL_do;
  if (output === "dL_dh") return numeric.dL_dh;
  const param = paramOfOutput(output);
  return param ? numeric.params[param] : undefined;
}

/**
 * Every output of the plan that finite differences measure, entry by entry in plan order, beside its finite
 * differences: one comparison of the whole backward pass.
 */
export function planAgainstNumeric(plan: readonly PlanStep[], numeric: NumericPartials): { values: Vector[]; numeric: Vector[] } {
  const values: Vector[] = [], fd: Vector[] = [];
  const entries = (v: Matrix | Vector): Vector => ("data" in v ? v.data : v);
  for (const s of plan) {
    const n = numericOf(s.output, numeric);
    if (!n) continue;
    values.push(entries(s.value));
    fd.push(entries(n));
  }
  return { values, numeric: fd };
}

// ——— guided experiments (lib/core/experiment.ts): each a classic mistake its page's check catches ———

experiments(hiddenGradsUpTo, [{
  label: "Run the recursion forwards in time, from t = 1",
  find: "const t = tau - 1 - k; // 0-based row of the source's step τ − k\n" +
    "    row(out, t).set(t === tau - 1\n" +
    "      ? vecmat(row(dL_do, t), V) // eq 3.5\n" +
    "      : hiddenGradStep(row(out, t + 1), row(h, t + 1), row(dL_do, t), V, W)); // eq 3.8",
  replace: "const t = k; // 0-based row of the source's step k + 1: upwards from t = 1, like the forward pass\n" +
    "    row(out, t).set(t === 0\n" +
    "      ? vecmat(row(dL_do, t), V) // (3.5)'s form, at t = 1\n" +
    "      : hiddenGradStep(row(out, t - 1), row(h, t), row(dL_do, t), V, W)); // (3.8)'s form, from the step before",
  why: "The partials flow against the arrows of Figure 1: (DL)_{h⁽ᵗ⁾} needs (DL)_{h⁽ᵗ⁺¹⁾}, so the recursion starts at t = τ, " +
    "where (3.5) needs nothing but (DL)_{o⁽τ⁾}, and goes down. Run forwards like the forward pass, it starts from (DL)_{o⁽¹⁾}V " +
    "and hands each row to the next step: the rows fill from the top with numbers of the right shape and size, and none of " +
    "them (but t = τ when τ = 1) is the gradient: (DL)_{h⁽¹⁾} should carry what every later step sends back.",
}]);

experiments(gradientWaves, [{
  label: "Ready after the first child, not after all of them (min for max)",
  find: "1 + Math.max(...cs.map(visit))",
  replace: "1 + Math.min(...cs.map(visit))",
  why: "(DL)_v sums what flows back from every node v feeds, so it is known only when the last of them is: one wave after " +
    "the latest child. Taking the earliest child puts every h⁽ᵗ⁾ in wave 4, right after its own o⁽ᵗ⁾, as if the hidden " +
    "states could be done in parallel like the logits; but (DL)_{h⁽ᵗ⁾} also needs (DL)_{a⁽ᵗ⁺¹⁾}, which needs h⁽ᵗ⁺¹⁾ first. " +
    "The waves no longer match the count of §2.",
}]);

experiments(runBackwardPlan, [{
  label: "Backpropagate as if h⁽ᵗ⁾ fed only o⁽ᵗ⁾ (W = 0 in the backward pass)",
  find: "hiddenGrads(dL_do, f.h, p.V, p.W)",
  replace: "hiddenGrads(dL_do, f.h, p.V, zeros(p.W.rows, p.W.cols))",
  why: "Figure 1 has two edges out of every h⁽ᵗ⁾ but the last: to o⁽ᵗ⁾ and to a⁽ᵗ⁺¹⁾. Dropping the second treats the RNN as τ " +
    "separate one-step networks: (DL)_{h⁽ᵗ⁾} keeps (DL)_{o⁽ᵗ⁾}V and loses everything later steps send back, so every row " +
    "but t = τ is wrong, and so are the gradients of W, U, b and E built from them. V and c, which need only (DL)_o, stay right.",
}]);
