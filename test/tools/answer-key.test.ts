import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  CASE_SIZE_LIMITS, type CaseJson, InputError, MAX_CASE_BYTES, MAX_JSON_DEPTH, MAX_MESSAGE_LENGTH, RANDOM_CASE_RANGES,
  USAGE, answerCase, answerKey, caseToJson, decodeCase, parseArgs, parseCase, randomCase, randomCaseOutput, runCommand,
  validateCase,
} from "../../lib/tools/answer-key.js";
import { discrepancy } from "../../lib/core/fd.js";
import { numericalHiddenGrads, numericalParamGrads } from "../../lib/derivation/gradcheck.js";
import { forward } from "../../lib/derivation/forward.js";
import { fromRows } from "../../lib/core/matrix.js";
import { PARAM_NAMES } from "../../lib/derivation/model.js";
import { FD_REL_TOL, ROUNDING_TOL } from "../../lib/core/tolerances.js";
import { UNSAFE, expectOneLine } from "../one-line.js";

/** Backward pass against central differences (ε = 1e-5): expected agreement about 1e-10, allow 1e-7. */

/** The spec's running example: vocab 8, d_model 4, hidden 6, τ 6. */
const OPTS = { seed: 1, vocab: 8, dModel: 4, hidden: 6, tau: 6 } as const;
const base = (): CaseJson => caseToJson(randomCase(OPTS));
const json = (c: unknown): string => JSON.stringify(c);


/** The message `f` throws, checked by expectOneLine, or a failure if it returns. */
function thrownBy(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return expectOneLine(e);
  }
  throw new Error("the input was accepted");
}

/** The message parseCase gives for `text`, or a failure if it accepts it. */
const messageFor = (text: string): string => thrownBy(() => parseCase(text));
/** The message for the base case with `edit` applied. */
const messageAfter = (edit: (c: Record<string, unknown>) => void): string => {
  const c = base() as unknown as Record<string, unknown>;
  edit(c);
  return messageFor(json(c));
};

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

describe("hard inputs: one short safe line, exit status 2, never a crash", () => {
  /** A list nested `depth` deep, built without recursion. */
  const nested = (depth: number): unknown => {
    let v: unknown = [];
    for (let i = 1; i < depth; i++) v = [v];
    return v;
  };
  const seconds = (f: () => void): number => {
    const t = performance.now();
    f();
    return (performance.now() - t) / 1000;
  };

  it("refuses text nested deeper than MAX_JSON_DEPTH before parsing it, naming where", () => {
    expect(MAX_JSON_DEPTH).toBe(16);
    for (const depth of [100_000, 10_000_000]) {
      const open = "[".repeat(depth);
      let m = "";
      expect(seconds(() => { m = messageFor(open); })).toBeLessThan(1);
      expect(m).toBe(`case${"[0]".repeat(16)} is nested more than 16 levels deep: a case nests 3 (an object of matrices of rows)`);
      expect(seconds(() => { m = messageFor(`{"E": [[1], ${open}${"]".repeat(depth)}]}`); })).toBeLessThan(1);
      expect(m).toMatch(/^E\[1\](\[0\]){14} is nested more than 16 levels deep: /);
    }
    // Text at the limit still parses, so an extra axis gets the message of its field.
    // Text at the limit (16 levels: the case, E, E[3] and 13 in E[3][1]) still parses, so a tensor with extra
    // axes gets the message of its field; one level more is refused unparsed.
    const nest = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`;
    expect(messageAfter((c) => { (c.E as unknown[][])[3]![1] = JSON.parse(nest(13)); })).toBe(
      "E[3][1] = [[[[[[[[[[[[[1]]]]]]]]]]]]] is not a number",
    );
    expect(messageAfter((c) => { (c.E as unknown[][])[3]![1] = JSON.parse(nest(14)); })).toBe(
      `E[3][1]${"[0]".repeat(13)} is nested more than 16 levels deep: a case nests 3 (an object of matrices of rows)`,
    );
  });

  it("refuses text over MAX_CASE_BYTES (32 MiB) unread, in well under a second", () => {
    expect(MAX_CASE_BYTES).toBe(32 * 1024 * 1024);
    const big = `{"E": [[${"0.1234567890123456,".repeat(2_200_000)}1]]}`; // 41.8 MB
    let m = "";
    expect(seconds(() => { m = messageFor(big); })).toBeLessThan(1);
    expect(m).toBe(
      "case is over the limit of 33554432 bytes (32 MiB): a case within the size limits (vocab ≤ 512, d_model ≤ 256, hidden ≤ 512, τ ≤ 1024) takes at most about 30 MB",
    );
    // 17 M characters but 34 M bytes of UTF-8: the limit is on bytes, as the command line counts them.
    const wide = `{"vocab": ["${"é".repeat(17_000_000)}"]}`;
    expect(seconds(() => { m = messageFor(wide); })).toBeLessThan(1);
    expect(m).toMatch(/^case is over the limit of 33554432 bytes/);
    // The limit is exact, in UTF-8 bytes: an emoji is 4, a space 1.
    const sized = (bytes: number) => `\u{1F600}${" ".repeat(bytes - 6)}{}`;
    expect(messageFor(sized(MAX_CASE_BYTES))).toMatch(/^case is not valid JSON: /);
    expect(messageFor(sized(MAX_CASE_BYTES + 1))).toMatch(/^case is over the limit of 33554432 bytes/);
    expect(thrownBy(() => decodeCase(new Uint8Array(MAX_CASE_BYTES + 1)))).toMatch(
      /^case is 33554433 bytes, over the limit of 33554432 bytes \(32 MiB\): /,
    );
  });

  it("a case of the largest generated sizes fits MAX_CASE_BYTES, pretty-printed, with margin", () => {
    const k = randomCase({ seed: 1, vocab: 512, dModel: 256, hidden: 512, tau: 1024 });
    const c = caseToJson(k);
    // Every number at the longest float64 form, indented as numpy's json.dumps(indent=4) would: the worst case.
    const longest = -1.2345678901234567e-100;
    expect(String(longest)).toHaveLength(24);
    const worst = JSON.stringify({ ...c, E: c.E.map((r) => r.map(() => longest)), U: c.U.map((r) => r.map(() => longest)),
      W: c.W.map((r) => r.map(() => longest)), V: c.V.map((r) => r.map(() => longest)) }, null, 4);
    expect(worst.length).toBeLessThan(0.95 * MAX_CASE_BYTES);
    expect(JSON.stringify(c).length).toBeLessThan(0.55 * MAX_CASE_BYTES);
    // …and the scan before JSON.parse lets it through (it is not answered here: that takes seconds).
    expect(parseCase(JSON.stringify(c, null, 2)).sizes).toEqual(k.sizes);
  });

  it("refuses sizes past the generated mode's limits, naming the field and the limit", () => {
    expect(CASE_SIZE_LIMITS).toEqual({
      vocab: RANDOM_CASE_RANGES.vocab[1], dModel: RANDOM_CASE_RANGES.dModel[1], hidden: RANDOM_CASE_RANGES.hidden[1],
      tau: RANDOM_CASE_RANGES.tau[1],
    });
    const rows = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(0));
    expect(messageAfter((c) => { c.E = rows(513, 4); })).toBe("E has 513 rows, over the limit of 512 (vocab ≤ 512, as for generated cases)");
    expect(messageAfter((c) => { c.E = rows(8, 257); })).toBe(
      "E[0] has 257 entries, over the limit of 256 (d_model ≤ 256, as for generated cases)",
    );
    expect(messageAfter((c) => { c.U = rows(513, 4); })).toBe("U has 513 rows, over the limit of 512 (hidden ≤ 512, as for generated cases)");
    const long = new Array<number>(1025).fill(0);
    expect(messageAfter((c) => { c.inputs = long; c.targets = long; })).toBe(
      "inputs has 1025 tokens, over the limit of 1024 (τ ≤ 1024, as for generated cases)",
    );
    expect(messageAfter((c) => { c.targets = long; })).toBe(
      "targets has 1025 tokens, over the limit of 1024 (τ ≤ 1024, as for generated cases)",
    );
    // A field with more values than its largest form holds is refused before JSON.parse builds it.
    // …one somewhat too large still gets the message of its size; one far too large is refused before JSON.parse
    // builds it, once it holds twice the values of the largest (1 list, 512 rows, 512·256 numbers).
    expect(messageAfter((c) => { c.E = rows(600, 256); })).toBe("E has 600 rows, over the limit of 512 (vocab ≤ 512, as for generated cases)");
    expect(messageAfter((c) => { c.E = rows(1100, 256); })).toBe(
      "E is too large: it holds more than 263170 values (numbers and lists), the largest is 512×256 (vocab ≤ 512, d_model ≤ 256)",
    );
    expect(messageAfter((c) => { c.inputs = new Array<number>(5000).fill(0); })).toBe(
      "inputs is too large: it holds more than 2050 values (numbers and lists), the largest has 1024 entries (τ ≤ 1024)",
    );
    // Millions of empty lists (seconds and hundreds of MB for JSON.parse) are refused on the count.
    expect(messageFor(`[${"[],".repeat(5_000_000)}[]]`)).toMatch(/^case is too large: it holds more than \d+ values/);
    expect(messageFor(`{"E": [${"{},".repeat(5_000_000)}{}]}`)).toMatch(/^E is too large: /);
  });

  it("escapes control and line-separator characters and cuts long values short", () => {
    // A JSON escape in a key puts the raw character into the parsed key; the message escapes it again. NUL, CR,
    // LF, tab, NEL, the line and paragraph separators, ESC (terminal colours), a bidi override, a lone surrogate.
    for (const esc of ["\\u0000", "\\r", "\\n", "\\t", "\\u0085", "\\u2028", "\\u2029", "\\u001b", "\\u202e", "\\ud800"]) {
      expect(messageFor(`{"h${esc}0": 1}`)).toBe(
        `case has an unknown field "h${esc}0": expected only E, U, W, b, V, c, h0, inputs, targets, vocab`,
      );
    }
    expect(messageFor(`{"${"x".repeat(5_000_000)}": 1}`)).toBe(
      `case has an unknown field "${"x".repeat(38)}…: expected only E, U, W, b, V, c, h0, inputs, targets, vocab`,
    );
    const names = ["a", "b", "c", "d", "e", "f", "\u2028".repeat(3_000_000), "\u2028".repeat(3_000_000)];
    expect(messageFor(json({ ...base(), vocab: names }))).toBe(
      `vocab[7] = "${"\\u2028".repeat(6)}\\u… repeats vocab[6]: token names must be distinct`,
    );
    // Raw NUL, U+2028 and NEL in the text itself: the engine's message quotes the text; it is escaped too.
    for (const raw of ["\u0000", "\u2028", "\u0085", "\r\n"]) {
      expect(messageFor(`{"E": ${raw}x}`)).toMatch(/^case is not valid JSON: /);
    }
    expect(messageAfter((c) => { (c.E as unknown[][])[1]![0] = "line\nbreak\u2028"; })).toBe(
      'E[1][0] = "line\\nbreak\\u2028" is not a number',
    );
  });

  it("names numbers JSON cannot hold and ids that are not token ids", () => {
    expect(messageAfter((c) => { (c.inputs as number[])[0] = 1.5; })).toMatch(/^inputs\[0\] = 1.5 is not a token id/);
    expect(messageFor(json(base()).replace(/"inputs":\[\d+/, '"inputs":[123456789012345678901234567890'))).toBe(
      "inputs[0] = 1.2345678901234568e+29 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageFor(json(base()).replace(/"inputs":\[\d+/, '"inputs":[1e999'))).toBe("inputs[0] = Infinity is not a finite number");
    expect(messageFor(json(base()).replace(/"E":\[\[[^,]+/, '"E":[[1e999'))).toBe("E[0][0] = Infinity is not a finite number");
    // -0 is zero: a token id and a number like any other.
    const text = json(base());
    const zeroed = text.replace(/"inputs":\[\d+/, '"inputs":[0');
    expect(answerKey(zeroed.replace('"inputs":[0', '"inputs":[-0'))).toBe(answerKey(zeroed));
    expect(messageFor(`${"9".repeat(1_000_000)}`)).toMatch(/^case is not a JSON object: .*, got a number$/);
    expect(messageAfter((c) => { c.E = { 0: [1] }; })).toBe("E is not an array of rows: expected a vocab × d_model matrix, got an object");
  });

  it("refuses a field given twice, and __proto__, which JSON.parse would resolve silently", () => {
    const text = json(base());
    expect(messageFor(text.replace('"b":', '"b":[0],"b":'))).toBe(
      'case has the field "b" twice: give it once (JSON would silently keep only the last)',
    );
    // The same field spelt with an escape is the same field.
    expect(messageFor(text.replace('"b":', '"\\u0062":[0],"b":'))).toMatch(/^case has the field "b" twice/);
    expect(messageFor(`{"__proto__": {"E": 1}, ${text.slice(1)}`)).toMatch(/^case has an unknown field "__proto__"/);
    // Syntax errors come first: the text is not JSON whatever its keys.
    expect(messageFor('{"b": 1, "b": 2,}')).toMatch(/^case is not valid JSON: /);
  });

  it("reads bytes: a BOM is dropped, UTF-16 and bytes that are not UTF-8 are named", () => {
    const utf8 = new TextEncoder().encode(json(base()));
    expect(parseCase(decodeCase(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).sizes.tau).toBe(6);
    expect(thrownBy(() => decodeCase(new Uint8Array([0xff, 0xfe, 0x7b, 0x00])))).toBe(
      "case is UTF-16 text (it starts with a UTF-16 byte-order mark): expected UTF-8; save it as UTF-8",
    );
    const bad = new Uint8Array([...new TextEncoder().encode('{\n"E": "é'), 0xc3, 0x28, 0x22, 0x7d]);
    expect(thrownBy(() => decodeCase(bad))).toBe(
      "case is not UTF-8 text: byte 10 (line 2) is 0xC3, which UTF-8 does not allow there; save it as UTF-8",
    );
    // An encoded surrogate (CESU-8) and an overlong NUL are not UTF-8 either.
    expect(thrownBy(() => decodeCase(new Uint8Array([0x20, 0xed, 0xa0, 0x80])))).toMatch(/byte 1 \(line 1\) is 0xED/);
    expect(thrownBy(() => decodeCase(new Uint8Array([0xc0, 0x80])))).toMatch(/byte 0 \(line 1\) is 0xC0/);
    expect(messageFor(decodeCase(new Uint8Array([0x00])))).toBe("case is not valid JSON: Unexpected token '\\u0000', \"\\u0000\" is not valid JSON");
  });

  it("validateCase, handed objects by a page, survives deep, cyclic and huge values", () => {
    const deep = nested(1_000_000);
    expect(thrownBy(() => validateCase({ ...base(), E: [[deep]] }))).toBe(`E[0][0] = ${"[".repeat(39)}… is not a number`);
    expect(thrownBy(() => validateCase({ ...base(), inputs: [deep] }))).toMatch(/^inputs\[0\] = \[\[\[+… is not a token id/);
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(thrownBy(() => validateCase({ ...base(), b: cyclic }))).toBe("b has 2 entries, expected 6 (hidden, from U)");
    expect(thrownBy(() => validateCase({ ...base(), b: [cyclic, 0, 0, 0, 0, 0] }))).toBe("b[0] = [1,[1,[1,[1,[1,[1,[1,[1,[1,[1,[1,[1,[1,… is not a number");
    expect(thrownBy(() => validateCase({ ...base(), E: new Array(10_000_000).fill([0]) }))).toBe(
      "E has 10000000 rows, over the limit of 512 (vocab ≤ 512, as for generated cases)",
    );
  });

  it("property: any text, any JSON value, any field replaced: an answer or one short safe InputError line", () => {
    const answersOrSaysWhy = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expectOneLine(e);
      }
    };
    const fields = ["E", "U", "W", "b", "V", "c", "h0", "inputs", "targets", "vocab", "__proto__", "E\u2028"];
    const small = { seed: 1, vocab: 3, dModel: 2, hidden: 2, tau: 2 };
    const smallCase = caseToJson(randomCase(small)) as unknown as Record<string, unknown>;
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), fc.json(), fc.string({ unit: "binary-ascii" })),
        fc.jsonValue(),
        fc.constantFrom(...fields),
        fc.anything(),
        (text, value, field, anything) => {
          answersOrSaysWhy(() => answerCase(parseCase(text)));
          answersOrSaysWhy(() => answerCase(parseCase(JSON.stringify(value))));
          answersOrSaysWhy(() => answerCase(validateCase({ ...smallCase, [field]: value })));
          answersOrSaysWhy(() => answerCase(validateCase({ ...smallCase, [field]: anything })));
          answersOrSaysWhy(() => answerCase(parseCase(JSON.stringify({ ...smallCase, [field]: value }))));
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * These fail unless stepLoss (lib/derivation/forward.ts) computes log s − (o_y − m), not (m + log s) − o_y, which
 * loses log s next to a large max logit m.
 * V = 0 makes o⁽ᵗ⁾ = c at every step, so c sets the logits directly.
 */
describe("the loss for logits of any finite size", () => {
  const withLogits = (c: number[], targets: number[]) => {
    const V = c.length, z = (r: number, k: number) => Array.from({ length: r }, () => new Array<number>(k).fill(0));
    return answerKey(json({
      E: z(V, 1), U: z(1, 1), W: z(1, 1), b: [0], V: z(V, 1), c, inputs: targets.map(() => 0), targets,
    }));
  };

  it("equal logits of 1e17 and of 1e12 give L = ln 2 for two tokens", () => {
    for (const big of [1e17, 1e12]) {
      const a = JSON.parse(withLogits([big, big], [1, 0]));
      expect(a.o).toEqual([[big, big], [big, big]]);
      expect(a.yhat).toEqual([[0.5, 0.5], [0.5, 0.5]]);
      expect(Math.abs(a.loss - Math.LN2), `c = ${big}`).toBeLessThanOrEqual(ROUNDING_TOL);
      for (const l of a.L_t) expect(Math.abs(l - Math.LN2), `c = ${big}`).toBeLessThanOrEqual(ROUNDING_TOL);
    }
  });

  it("mixed huge logits 1e17 + 32, 1e17 + 16, 1e17 (float64 steps of 16 there) against a hand-computed value", () => {
    // s = Σ exp(o_k − m) = 1 + e⁻¹⁶ + e⁻³²; L⁽¹⁾ = log s (target the max), L⁽²⁾ = 32 + log s (target the min).
    // log s = 1.12535181051340938951…e-7 (50 digits with decimal.js).
    const logS = 1.1253518105134093895e-7;
    const a = JSON.parse(withLogits([1e17 + 32, 1e17 + 16, 1e17], [0, 2]));
    expect(a.o[0]).toEqual([100000000000000032, 100000000000000016, 1e17]);
    expect(Math.abs(a.L_t[0] - logS)).toBeLessThanOrEqual(1e-9 * logS);
    expect(Math.abs(a.L_t[1] - (32 + logS))).toBeLessThanOrEqual(ROUNDING_TOL);
    expect(Math.abs(a.loss - (16 + logS))).toBeLessThanOrEqual(ROUNDING_TOL);
  });
});

describe("answerCase", () => {
  it("gives every quantity of eqs 1.1–1.7 and 4.1–4.9 with the documented shapes", () => {
    const a = answerCase(randomCase(OPTS));
    const { vocab: V, dModel: d, hidden: H, tau } = OPTS;
    const shape = (m: number[][]) => [m.length, ...new Set(m.map((r) => r.length))];
    expect(Object.keys(a)).toEqual([
      "sizes", "loss", "L_t", "h0", "x", "a", "h", "o", "yhat", "dL_do", "dL_dh", "dL_da", "dL_dc", "dL_db", "dL_dV",
      "dL_dW", "dL_dU", "dL_dE",
    ]);
    expect(a.sizes).toEqual({ vocab: V, d_model: d, hidden: H, tau });
    expect(a.L_t).toHaveLength(tau);
    expect(a.h0).toEqual([0, 0, 0, 0, 0, 0]);
    for (const [m, s] of [
      [a.x, [tau, d]], [a.a, [tau, H]], [a.h, [tau, H]], [a.o, [tau, V]], [a.yhat, [tau, V]], [a.dL_do, [tau, V]],
      [a.dL_dh, [tau, H]], [a.dL_da, [tau, H]], [a.dL_dV, [V, H]], [a.dL_dW, [H, H]], [a.dL_dU, [H, d]], [a.dL_dE, [V, d]],
    ] as const) expect(shape(m as number[][])).toEqual(s);
    expect(a.dL_dc).toHaveLength(V);
    expect(a.dL_db).toHaveLength(H);
    expect(a.loss).toBeCloseTo(a.L_t.reduce((s, v) => s + v, 0) / tau, 14);
    for (const r of a.yhat) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it("matches a case worked by hand: all-zero parameters give ŷ = ½ and L = log 2", () => {
    const z = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(0));
    const text = json({ E: z(2, 1), U: z(1, 1), W: z(1, 1), b: [0], V: z(2, 1), c: [0, 0], inputs: [0, 1], targets: [1, 1] });
    const a = JSON.parse(answerKey(text));
    expect(a.loss).toBe(Math.log(2));
    expect(a.L_t).toEqual([Math.log(2), Math.log(2)]);
    expect(a.yhat).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expect(a.dL_do).toEqual([[0.25, -0.25], [0.25, -0.25]]); // (ŷ − 1{i = y}) / τ, eq 4.1
    expect(a.dL_dc).toEqual([0.5, -0.5]); // eq 4.4
    expect(a.dL_dE).toEqual([[0], [0]]); // V = 0 cuts every path back to E
  });

  it("agrees with central differences (lib/derivation/gradcheck.ts) for every parameter, h⁽ᵗ⁾ and o⁽ᵗ⁾", () => {
    for (const h0 of ["zeros", "point-one"] as const) {
      const k = randomCase({ seed: 7, vocab: 5, dModel: 3, hidden: 4, tau: 5, h0 });
      const a = answerCase(k);
      const numeric = numericalParamGrads(k.params, k.inputs, k.targets, k.h0);
      const analytic = { E: a.dL_dE, U: a.dL_dU, W: a.dL_dW, b: a.dL_db, V: a.dL_dV, c: a.dL_dc };
      for (const name of PARAM_NAMES) {
        const g = analytic[name];
        const m = Array.isArray(g[0]) ? fromRows(g as number[][]) : Float64Array.from(g as number[]);
        expect(discrepancy(m, numeric[name]).relError, `dL_d${name}, h0 ${h0}`).toBeLessThan(FD_REL_TOL);
      }
      const f = forward(k.params, k.inputs, k.targets, k.h0);
      const dh = numericalHiddenGrads(k.params, f, k.inputs, k.targets);
      expect(discrepancy(fromRows(a.dL_dh), dh).relError, `dL_dh, h0 ${h0}`).toBeLessThan(FD_REL_TOL);
      if (h0 === "point-one") expect(a.h0).toEqual([0.1, 0.1, 0.1, 0.1]);
    }
  });

  it("round-trips: a random case written as JSON and parsed back gives exactly the same answer", () => {
    const k = randomCase({ ...OPTS, h0: "point-one" });
    const again = parseCase(json(caseToJson(k)));
    expect(again.params).toEqual(k.params);
    expect(again.h0).toEqual(k.h0);
    expect(answerCase(again)).toEqual(answerCase(k));
    expect(answerKey(json(caseToJson(k)))).toBe(`${json(answerCase(k))}\n`);
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

describe("parseArgs", () => {
  const flags = ["--seed", "1", "--vocab", "8", "--d-model", "4", "--hidden", "6", "--tau", "6"];
  const messageOf = (argv: string[]): string => {
    try {
      parseArgs(argv);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error("the arguments were accepted");
  };

  it("reads a file, standard input, the random-case options and --help", () => {
    expect(parseArgs(["case.json"])).toEqual({ kind: "case", file: "case.json" });
    expect(parseArgs(["-"])).toEqual({ kind: "case", file: "-" });
    expect(parseArgs(["--", "--odd-name.json"])).toEqual({ kind: "case", file: "--odd-name.json" });
    expect(parseArgs(flags)).toEqual({ kind: "random", options: { ...OPTS, h0: "zeros" } });
    expect(parseArgs([...flags.slice(2), "--seed=4294967295", "--h0", "point-one"])).toEqual({
      kind: "random", options: { ...OPTS, seed: 4294967295, h0: "point-one" },
    });
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(runCommand({ kind: "help" }, () => "")).toBe(`${USAGE}\n`);
  });

  it("property: any arguments give a command or one short safe InputError line", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...flags, "--h0", "-", "--", "--tau=1e3"), fc.string({ unit: "binary" }))), (argv) => {
        try {
          parseArgs(argv);
        } catch (e) {
          expectOneLine(e);
        }
      }),
      { numRuns: 200 },
    );
    expect(messageOf(["--seed", "9".repeat(1_000_000), ...flags.slice(2)])).toBe(
      `--seed "${"9".repeat(38)}… is out of range: expected an integer from 0 to 4294967295`,
    );
    expect(messageOf(["a\u2028.json", "b\n.json"])).toBe('expected one case FILE, got 2: "a\\u2028.json", "b\\n.json" (see --help)');
  });

  it("rejects bad arguments with one line", () => {
    expect(messageOf([])).toBe(
      "no case given: pass a case FILE, - for standard input, or --seed S --vocab N --d-model D --hidden H --tau T (see --help)",
    );
    expect(messageOf(["a.json", "b.json"])).toBe("expected one case FILE, got 2: a.json, b.json (see --help)");
    expect(messageOf(["a.json", "--seed", "1"])).toBe(
      "give either a case FILE (or - for standard input) or the random-case options, not both (see --help)",
    );
    expect(messageOf(["--sed", "1"])).toBe(
      "unknown option --sed: expected --seed, --vocab, --d-model, --hidden, --tau, --h0 or a case FILE (see --help)",
    );
    expect(messageOf(flags.slice(0, 8))).toBe(
      "--tau is missing: a random case needs --seed, --vocab, --d-model, --hidden and --tau (see --help)",
    );
    expect(messageOf([...flags.slice(0, 9), "--h0", "zeros"])).toBe(
      "--tau needs a value: expected an integer from 1 to 1024",
    );
    expect(messageOf([...flags.slice(0, 9)])).toBe("--tau needs a value: expected an integer from 1 to 1024");
    expect(messageOf([...flags.slice(0, 9), "0"])).toBe("--tau 0 is out of range: expected an integer from 1 to 1024");
    expect(messageOf([...flags.slice(0, 9), "1e3"])).toBe("--tau 1e3 is not an integer: expected an integer from 1 to 1024");
    expect(messageOf(["--seed", "4294967296", ...flags.slice(2)])).toBe(
      "--seed 4294967296 is out of range: expected an integer from 0 to 4294967295",
    );
    expect(messageOf(["--d-model", "257", ...flags.slice(0, 4), ...flags.slice(6)])).toBe(
      "--d-model 257 is out of range: expected an integer from 1 to 256",
    );
    expect(messageOf([...flags, "--h0", "ones"])).toBe("--h0 ones is not an h0 convention: expected zeros or point-one");
    expect(messageOf([...flags, "--seed", "2"])).toBe("--seed is given twice");
  });
});

describe("the CLI, end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "answer-key-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input?: string | Uint8Array) => {
    const r = spawnSync("node_modules/.bin/tsx", ["bin/answer-key.ts", ...args], {
      cwd: "/work/main", input: input ?? "", encoding: "utf8", maxBuffer: 1 << 20,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** Wall time of `run`, in seconds, with its result. */
  const timed = (args: string[], input?: string | Uint8Array) => {
    const t = performance.now();
    const r = run(args, input);
    return { ...r, seconds: (performance.now() - t) / 1000 };
  };
  /** Exit status 2, nothing on standard output, one line of at most MAX_MESSAGE_LENGTH safe characters on standard error. */
  const expectRefused = (r: { status: number | null; stdout: string; stderr: string }): string => {
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.endsWith("\n")).toBe(true);
    const line = r.stderr.slice(0, -1);
    expect(line).not.toMatch(UNSAFE);
    expect(line.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    return line;
  };
  const caseText = json(caseToJson(randomCase({ ...OPTS, h0: "point-one" })));
  const expected = answerKey(caseText);
  const randomFlags = ["--seed", "3", "--vocab", "5", "--d-model", "2", "--hidden", "3", "--tau", "4"];

  it("answers a case from a file and from standard input", () => {
    const file = join(dir, "case.json");
    writeFileSync(file, caseText);
    const fromFile = run([file]);
    expect(fromFile).toEqual({ status: 0, stdout: expected, stderr: "" });
    expect(run(["-"], caseText)).toEqual({ status: 0, stdout: expected, stderr: "" });
  });

  it("prints a random case and its answer, the same bytes every run", () => {
    const first = run(randomFlags);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe("");
    expect(run(randomFlags).stdout).toBe(first.stdout);
    expect(first.stdout).toBe(randomCaseOutput({ seed: 3, vocab: 5, dModel: 2, hidden: 3, tau: 4 }));
  });

  it("exits 2 with one line on standard error and nothing on standard output for bad input", () => {
    const ragged = join(dir, "ragged.json");
    const c = base();
    c.E[2]!.pop();
    writeFileSync(ragged, json(c));
    const cases: [string[], string | undefined, string | RegExp][] = [
      [[ragged], undefined, "E[2] has 3 entries, expected 4 (d_model, from E[0])"],
      [["-"], '{"E": }', /^case is not valid JSON: /],
      [["-"], json({ ...base(), inputs: [0, 1, 2, 9, 0, 1] }), "inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)"],
      [[join(dir, "missing.json")], undefined, /^cannot read .*missing\.json: ENOENT/],
      [[...randomFlags.slice(0, 9), "0"], undefined, "--tau 0 is out of range: expected an integer from 1 to 1024"],
    ];
    for (const [args, input, message] of cases) {
      const r = run(args, input);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.endsWith("\n") && r.stderr.indexOf("\n") === r.stderr.length - 1, r.stderr).toBe(true);
      if (typeof message === "string") expect(r.stderr).toBe(`${message}\n`);
      else expect(r.stderr.trimEnd()).toMatch(message);
    }
  });

  it("refuses a 40 MB case from a file (on its size, unread) and from standard input (reading stops at the limit) quickly", () => {
    const big = `{"E": [[${"0.1234567890123456,".repeat(2_200_000)}1]]}`; // 41.8 MB
    const file = join(dir, "big.json");
    writeFileSync(file, big);
    // Against the tool's own start-up (tsx compiles it: 2–4 s on a busy machine), measured alongside. Idle, a file
    // is refused as fast as "{}" and a pipe adds about half a second (the writer pushes 32 MiB before the stop);
    // the margin is for the machine's load. Reading all 40 MB, or parsing it, would add far more.
    const startup = timed(["-"], "{}");
    expectRefused(startup);
    const fromFile = timed([file]);
    expect(expectRefused(fromFile)).toBe(
      "case is 41800012 bytes, over the limit of 33554432 bytes (32 MiB): a case within the size limits (vocab ≤ 512, d_model ≤ 256, hidden ≤ 512, τ ≤ 1024) takes at most about 30 MB",
    );
    const fromPipe = timed(["-"], big);
    expect(expectRefused(fromPipe)).toMatch(/^case is over the limit of 33554432 bytes \(32 MiB\): /);
    for (const r of [fromFile, fromPipe]) expect(r.seconds).toBeLessThan(startup.seconds + 3);
  });

  it("refuses deep nesting, control characters and bytes that are not UTF-8 with one line", () => {
    const deep = timed(["-"], "[".repeat(10_000_000));
    expect(expectRefused(deep)).toBe(`case${"[0]".repeat(16)} is nested more than 16 levels deep: a case nests 3 (an object of matrices of rows)`);
    // Raw U+2028, U+2029 and NEL may stand in a JSON string; raw CR and LF may not.
    expect(expectRefused(run(["-"], '{"E\u2028\u2029\u0085": 1}'))).toBe(
      'case has an unknown field "E\\u2028\\u2029\\u0085": expected only E, U, W, b, V, c, h0, inputs, targets, vocab',
    );
    expect(expectRefused(run(["-"], '{"E\r\n": 1}'))).toMatch(/^case is not valid JSON: /);
    expect(expectRefused(run(["-"], new Uint8Array([0x7b, 0x0a, 0x22, 0xff, 0x22, 0x7d])))).toBe(
      "case is not UTF-8 text: byte 3 (line 2) is 0xFF, which UTF-8 does not allow there; save it as UTF-8",
    );
    expect(expectRefused(run(["-"], "\u0000"))).toMatch(/^case is not valid JSON: .*\\u0000/);
    expect(expectRefused(run(["-"], ""))).toBe("case is empty: expected a JSON object");
    expect(expectRefused(run(["-"], "7"))).toMatch(/^case is not a JSON object: .*got a number$/);
    expect(expectRefused(run(["-"], json({ ...base(), vocab: ["a", "b", "c", "d", "e", "f", "x".repeat(4e6), "x".repeat(4e6)] })))).toBe(
      `vocab[7] = "${"x".repeat(38)}… repeats vocab[6]: token names must be distinct`,
    );
  });
});
