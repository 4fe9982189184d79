/**
 * docs/pytorch.md's export, replayed without Python: a state dict with PyTorch's names and shapes
 * (nn.Embedding + nn.RNN(tanh, batch_first) + nn.Linear), turned into a case as the snippet does (the two RNN
 * biases summed, no transposes), must parse, give the loss of F.cross_entropy (eq 1.2, mean over τ) computed
 * here independently, and re-serialise to the same JSON.
 */
import { describe, expect, it } from "vitest";
import { answerCase } from "../lib/tools/answer-key.js";
import { caseToJson, parseCase } from "../lib/tools/case.js";
import { makeRng } from "../lib/core/rng.js";

const vocab = 5, dModel = 3, hidden = 4;
const rng = makeRng(2024);
const uniform = (k: number) => (rng.next() * 2 - 1) * k;
const tensor = (rows: number, cols: number, k: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => uniform(k)));
const vector = (n: number, k: number) => Array.from({ length: n }, () => uniform(k));

/** model.state_dict(), as nn.Embedding / nn.RNN / nn.Linear name and shape it (weights [out, in]). */
const k = 1 / Math.sqrt(hidden);
const sd = {
  "embedding.weight": tensor(vocab, dModel, 1), // vocab × d_model
  "rnn.weight_ih_l0": tensor(hidden, dModel, k), // hidden × d_model
  "rnn.weight_hh_l0": tensor(hidden, hidden, k), // hidden × hidden
  "rnn.bias_ih_l0": vector(hidden, k),
  "rnn.bias_hh_l0": vector(hidden, k),
  "linear.weight": tensor(vocab, hidden, k), // vocab × hidden
  "linear.bias": vector(vocab, k),
};
const sequence = [0, 3, 1, 4, 2, 2];
const inputs = sequence.slice(0, -1), targets = sequence.slice(1);
const h0 = vector(hidden, 0.1);

/** What the snippet's `case = {...}` builds. */
const caseFromStateDict = (s: typeof sd, biasSum = true) => ({
  E: s["embedding.weight"],
  U: s["rnn.weight_ih_l0"],
  W: s["rnn.weight_hh_l0"],
  b: biasSum ? s["rnn.bias_ih_l0"].map((v, i) => v + s["rnn.bias_hh_l0"][i]!) : s["rnn.bias_ih_l0"],
  V: s["linear.weight"],
  c: s["linear.bias"],
  h0,
  inputs,
  targets,
});

/**
 * PyTorch's own recurrence, written out with its two biases (not the summed b) and [out, in] weights:
 * h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), logits = h_t Vᵀ + c, then F.cross_entropy (mean, eq 1.2).
 */
function torchLoss(s: typeof sd): number {
  const dot = (w: number[], v: number[]) => w.reduce((acc, wi, i) => acc + wi * v[i]!, 0);
  let h = h0.slice();
  let total = 0;
  for (let t = 0; t < inputs.length; t++) {
    const x = s["embedding.weight"][inputs[t]!]!;
    h = s["rnn.weight_ih_l0"].map((row, i) =>
      Math.tanh(dot(row, x) + s["rnn.bias_ih_l0"][i]! + dot(s["rnn.weight_hh_l0"][i]!, h) + s["rnn.bias_hh_l0"][i]!));
    const logits = s["linear.weight"].map((row, i) => dot(row, h) + s["linear.bias"][i]!);
    const m = Math.max(...logits);
    const logSumExp = m + Math.log(logits.reduce((acc, o) => acc + Math.exp(o - m), 0));
    total += logSumExp - logits[targets[t]!]!;
  }
  return total / inputs.length;
}

describe("PyTorch export format (docs/pytorch.md)", () => {
  const text = JSON.stringify(caseFromStateDict(sd));

  it("parses, with the sizes read off PyTorch's shapes", () => {
    const c = parseCase(text);
    expect(c.sizes).toEqual({ vocab, dModel, hidden, tau: 5 });
  });

  it("gives the loss of F.cross_entropy over the unrolled nn.RNN (eq 1.2)", () => {
    const answer = answerCase(parseCase(text));
    const expected = torchLoss(sd);
    expect(Math.abs(answer.loss - expected)).toBeLessThan(1e-12);
  });

  it("needs both RNN biases: bias_ih_l0 alone gives a different loss", () => {
    const wrong = answerCase(parseCase(JSON.stringify(caseFromStateDict(sd, false))));
    expect(Math.abs(wrong.loss - torchLoss(sd))).toBeGreaterThan(1e-6);
  });

  it("rejects a transposed input weight (U as d_model × hidden)", () => {
    const transposed = { ...caseFromStateDict(sd), U: sd["rnn.weight_hh_l0"][0]!.slice(0, dModel).map((_, j) => sd["rnn.weight_ih_l0"].map((r) => r[j]!)) };
    expect(() => parseCase(JSON.stringify(transposed))).toThrow(/^U is 3×4, expected 3×3 \(hidden × d_model, d_model = 3 from E\)$/);
  });

  it("re-serialises to the same JSON (float64 numbers round-trip exactly)", () => {
    expect(JSON.stringify(caseToJson(parseCase(text)))).toBe(text);
  });
});
