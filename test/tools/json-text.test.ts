/** lib/tools/json-text.ts, through the case it reads: hard inputs give one short safe line, never a crash. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerCase, answerKey } from "../../lib/tools/answer-key.js";
import {
  CASE_SIZE_LIMITS, MAX_CASE_BYTES, RANDOM_CASE_RANGES, caseToJson, decodeCase, parseCase, randomCase, validateCase,
} from "../../lib/tools/case.js";
import { MAX_JSON_DEPTH } from "../../lib/tools/json-text.js";
import { expectOneLine } from "../one-line.js";
import { base, json, messageAfter, messageFor, thrownBy } from "./case-messages.js";

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
