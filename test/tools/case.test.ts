/** lib/tools/case.ts: what a bad case is told, and random cases. */
import { describe, expect, it } from "vitest";
import { answerCase, randomCaseOutput } from "../../lib/tools/answer-key.js";
import { parseCase, randomCase, validateCase } from "../../lib/tools/case.js";
import { InputError } from "../../lib/core/tokens.js";
import { OPTS, base, json, messageAfter, messageFor } from "./case-messages.js";

describe("parseCase: what a bad case is told", () => {
  it("accepts the base case and reads the sizes off it", () => {
    const k = parseCase(json(base()));
    expect(k.sizes).toEqual({ vocab: 8, dModel: 4, hidden: 6, tau: 6 });
    expect(k.vocab).toBeUndefined();
  });

  it("rejects text that is not a JSON object", () => {
    expect(messageFor("")).toBe("case is empty: expected a JSON object");
    expect(messageFor(" \n")).toBe("case is empty: expected a JSON object");
    // The rest of the message is the JavaScript engine's, which varies between versions.
    expect(messageFor('{"E": }')).toMatch(/^case is not valid JSON: \S/);
    expect(messageFor('{\n"E": [1,\n]}')).toMatch(/^case is not valid JSON: \S/);
    expect(messageFor("[1, 2]")).toBe(
      "case is not a JSON object: expected an object with fields E, U, W, b, V, c, inputs, targets (h0 and vocab optional), got an array",
    );
    expect(messageFor("null")).toMatch(/^case is not a JSON object: .*, got null$/);
  });

  it("accepts a leading byte-order mark", () => {
    expect(parseCase(`\ufeff${json(base())}`).sizes.tau).toBe(6);
  });

  it("rejects unknown and missing fields", () => {
    expect(messageAfter((c) => { c.h_0 = [0]; })).toBe(
      'case has an unknown field "h_0": expected only E, U, W, b, V, c, h0, inputs, targets, vocab',
    );
    expect(messageFor('{"__proto__": 1}')).toMatch(/^case has an unknown field "__proto__"/);
    expect(messageAfter((c) => { delete c.targets; })).toBe(
      'case is missing field "targets": expected the target token ids, one per input',
    );
    expect(messageAfter((c) => { delete c.E; })).toBe(
      'case is missing field "E": expected the embedding table, a vocab × d_model matrix',
    );
  });

  it("rejects a bad E, the matrix that fixes vocab and d_model", () => {
    expect(messageAfter((c) => { c.E = 3; })).toBe("E is not an array of rows: expected a vocab × d_model matrix, got a number");
    expect(messageAfter((c) => { c.E = []; })).toBe("E has no rows: expected a vocab × d_model matrix with at least one row");
    expect(messageAfter((c) => { c.E = [[], []]; })).toBe("E[0] is empty: expected a row of d_model ≥ 1 numbers");
    expect(messageAfter((c) => { (c.E as unknown[])[1] = { a: 1 }; })).toBe(
      "E[1] is not an array: expected a row of numbers, got an object",
    );
    expect(messageAfter((c) => { (c.E as number[][])[2]!.pop(); })).toBe("E[2] has 3 entries, expected 4 (d_model, from E[0])");
    expect(messageAfter((c) => { (c.E as unknown[][])[1]![2] = "x"; })).toBe('E[1][2] = "x" is not a number');
    expect(messageAfter((c) => { (c.E as unknown[][])[1]![2] = null; })).toBe("E[1][2] = null is not a number");
  });

  it("rejects U, W and V that do not fit, saying where the sizes come from", () => {
    expect(messageAfter((c) => { c.U = []; })).toBe("U has no rows: expected a hidden × d_model matrix with at least one row");
    expect(messageAfter((c) => { c.U = (c.U as number[][]).map((r) => r.slice(1)); })).toBe(
      "U is 6×3, expected 6×4 (hidden × d_model, d_model = 4 from E)",
    );
    expect(messageAfter((c) => { (c.U as number[][])[2]!.pop(); })).toBe("U[2] has 3 entries, expected 4 (d_model, from E)");
    expect(messageAfter((c) => { c.W = (c.W as number[][]).slice(1).map((r) => r.slice(1)); })).toBe(
      "W is 5×5, expected 6×6 (hidden × hidden, hidden = 6 from U)",
    );
    expect(messageAfter((c) => { (c.W as number[][])[3]!.pop(); })).toBe("W[3] has 5 entries, expected 6 (hidden, from U)");
    expect(messageAfter((c) => { c.W = []; })).toBe("W has no rows, expected 6×6 (hidden × hidden, hidden = 6 from U)");
    expect(messageAfter((c) => { c.V = (c.V as number[][]).map((r) => r.slice(1)); })).toBe(
      "V is 8×5, expected 8×6 (vocab × hidden, vocab = 8 from E, hidden = 6 from U)",
    );
    expect(messageAfter((c) => { c.V = (c.V as number[][]).slice(1); })).toBe(
      "V is 7×6, expected 8×6 (vocab × hidden, vocab = 8 from E, hidden = 6 from U)",
    );
  });

  it("rejects vectors of the wrong length and numbers that are not finite", () => {
    expect(messageAfter((c) => { c.b = "0"; })).toBe(
      "b is not an array: expected a list of 6 numbers (hidden, from U), got a string",
    );
    expect(messageAfter((c) => { (c.b as number[]).pop(); })).toBe("b has 5 entries, expected 6 (hidden, from U)");
    expect(messageAfter((c) => { (c.c as number[]).pop(); })).toBe("c has 7 entries, expected 8 (vocab, from E)");
    expect(messageAfter((c) => { c.h0 = [0, 0]; })).toBe("h0 has 2 entries, expected 6 (hidden, from U)");
    // JSON has no Infinity, but a number too large for float64 parses to it.
    const c = base();
    const text = json(c).replace(`"b":[${c.b[0]},${c.b[1]}`, `"b":[${c.b[0]},1e400`);
    expect(messageFor(text)).toBe("b[1] = Infinity is not a finite number");
    expect(messageFor(json(c).replace(`"h0":[0`, `"h0":[-1e999`))).toBe("h0[0] = -Infinity is not a finite number");
    // A page may hand validateCase an object with NaN in it.
    expect(() => validateCase({ ...base(), c: [NaN, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      new InputError("c[0] = NaN is not a finite number"),
    );
  });

  it("rejects token sequences with the messages of lib/core/tokens.ts", () => {
    expect(messageAfter((c) => { (c.inputs as number[])[3] = 9; })).toBe(
      "inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageAfter((c) => { (c.targets as number[])[0] = 1.5; })).toBe(
      "targets[0] = 1.5 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageAfter((c) => { (c.inputs as unknown[])[2] = "3"; })).toBe(
      'inputs[2] = "3" is not a token id: the vocabulary has 8 tokens (ids 0 to 7)',
    );
    expect(messageAfter((c) => { (c.inputs as number[])[1] = -1; })).toBe(
      "inputs[1] = -1 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageFor(json(base()).replace(/"targets":\[\d+/, '"targets":[1e400'))).toBe(
      "targets[0] = Infinity is not a finite number",
    );
    expect(messageAfter((c) => { c.inputs = []; c.targets = []; })).toBe("inputs is empty: expected at least one token");
    expect(messageAfter((c) => { (c.targets as number[]).pop(); })).toBe(
      "targets has 5 tokens but inputs has 6: expected one target per input",
    );
    expect(messageAfter((c) => { c.inputs = { 0: 1 }; })).toBe(
      "inputs is not an array: expected a list of token ids, got an object",
    );
  });

  it("checks the optional vocab list", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    expect(parseCase(json({ ...base(), vocab: names })).vocab).toEqual(names);
    expect(messageFor(json({ ...base(), vocab: names.slice(1) }))).toBe("vocab has 7 names, expected 8 (one per token, from E)");
    expect(messageFor(json({ ...base(), vocab: [...names.slice(0, 7), 8] }))).toBe("vocab[7] = 8 is not a string");
    expect(messageFor(json({ ...base(), vocab: [...names.slice(0, 7), "c"] }))).toBe(
      'vocab[7] = "c" repeats vocab[2]: token names must be distinct',
    );
    expect(messageFor(json({ ...base(), vocab: "abcdefgh" }))).toBe(
      "vocab is not an array: expected a list of 8 token names (one per token, from E), got a string",
    );
  });

  it("rejects a case whose numbers overflow float64 rather than print null", () => {
    const c = base();
    c.E = c.E.map((r) => r.map(() => 1e300));
    c.U = c.U.map((r) => r.map(() => 1e300));
    expect(() => answerCase(parseCase(json(c)))).toThrow(
      new InputError("the case's numbers are too large for float64: the answer's a[0][0] came out Infinity"),
    );
  });
});

describe("random cases", () => {
  it("are next-token cases, and the same options give the same bytes", () => {
    const k = randomCase(OPTS);
    expect(k.inputs.slice(1)).toEqual(k.targets.slice(0, -1));
    const out = randomCaseOutput(OPTS);
    expect(randomCaseOutput({ ...OPTS })).toBe(out);
    expect(randomCaseOutput({ ...OPTS, seed: 2 })).not.toBe(out);
    expect(Object.keys(JSON.parse(out))).toEqual(["case", "answer"]);
    expect(out.endsWith("}\n") && out.indexOf("\n") === out.length - 1).toBe(true);
  });

  it("reject options out of range", () => {
    expect(() => randomCase({ ...OPTS, vocab: 513 })).toThrow(
      new InputError("vocab = 513 is out of range: expected an integer from 1 to 512"),
    );
    expect(() => randomCase({ ...OPTS, seed: -1 })).toThrow(
      new InputError("seed = -1 is out of range: expected an integer from 0 to 4294967295"),
    );
    expect(() => randomCase({ ...OPTS, tau: 1.5 })).toThrow(InputError);
  });
});
