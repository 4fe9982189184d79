import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerCase } from "../../lib/tools/answer-key.js";
import { CASE_SIZE_LIMITS, randomCase } from "../../lib/tools/case.js";
import {
  ANSWER_ATOL, ANSWER_BYTES_PER_ENTRY, ANSWER_BYTES_SLACK, ANSWER_RTOL, QUANTITIES, allowedError, answerEntryCount,
  compareAnswer, entriesOf, maxAnswerBytes, parseStudentAnswer, validateStudentAnswer,
} from "../../lib/tools/compare-answer.js";
import { expectOneLine } from "../one-line.js";

const key = answerCase(randomCase({ seed: 3, vocab: 5, dModel: 3, hidden: 4, tau: 4 }));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));


function messageFor(text: string): string {
  try {
    parseStudentAnswer(text, key);
  } catch (e) {
    return expectOneLine(e);
  }
  throw new Error(`accepted ${text.slice(0, 100)}`);
}

const seconds = (f: () => void): number => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};

describe("compare-answer", () => {
  it("names every field of the answer once, with an equation link for every computed quantity", () => {
    const keys = Object.keys(key).filter((k) => k !== "sizes");
    expect(QUANTITIES.map((q) => q.key).sort()).toEqual(keys.sort());
    for (const q of QUANTITIES) if (q.key !== "h0") expect(q.href).toMatch(/^\.\/(summary)?#eq-\d-\d$/);
    expect(QUANTITIES.find((q) => q.key === "dL_dE")!.href).toBe("./summary#eq-4-9");
  });

  it("the tolerance is atol + rtol·|b| with the named constants", () => {
    expect(ANSWER_ATOL).toBe(1e-6);
    expect(ANSWER_RTOL).toBe(1e-4);
    expect(allowedError(-2)).toBeCloseTo(1e-6 + 2e-4, 15);
  });

  it("a correct full answer has no wrong entries; the whole answer (with sizes) is accepted", () => {
    const c = compareAnswer(key, parseStudentAnswer(JSON.stringify(key), key));
    expect(c.wrong).toBe(0);
    expect(c.quantities).toHaveLength(QUANTITIES.length);
    expect(c.checked).toBe(QUANTITIES.reduce((n, q) => n + entriesOf(key[q.key]).length, 0));
  });

  it("flags exactly the changed entries, per quantity and per equation, with the max error", () => {
    const s = clone(key);
    s.dL_dE[2]![1]! += 0.01;
    s.dL_dW[0]![3]! -= 1;
    s.loss *= 1.001;
    s.dL_db[1]! += 1e-9; // inside the tolerance
    const c = compareAnswer(key, validateStudentAnswer(s, key));
    const wrong = c.quantities.flatMap((q) => q.entries.filter((e) => !e.ok).map((e) => `${q.info.key}${JSON.stringify(e.index)}`));
    expect(wrong.sort()).toEqual(["dL_dE[2,1]", "dL_dW[0,3]", "loss[]"].sort());
    const E = c.quantities.find((q) => q.info.key === "dL_dE")!;
    expect(E.wrong).toBe(1);
    expect(E.maxError).toBeCloseTo(0.01, 12);
    expect(c.equations.find((e) => e.equation === "4.7")!.wrong).toBe(1);
    expect(c.equations.find((e) => e.equation === "4.5")!.quantities).toEqual(["dL_da", "dL_db"]);
    expect(c.wrong).toBe(3);
  });

  it("an entry exactly at the tolerance passes, just beyond fails", () => {
    const b = key.dL_dc[0]!;
    const s = { dL_dc: key.dL_dc.slice() };
    s.dL_dc[0] = b + allowedError(b) * 0.999;
    expect(compareAnswer(key, s).wrong).toBe(0);
    s.dL_dc[0] = b + allowedError(b) * 1.01;
    expect(compareAnswer(key, s).wrong).toBe(1);
  });

  it("checks only the fields given", () => {
    const c = compareAnswer(key, validateStudentAnswer({ loss: key.loss, dL_dc: key.dL_dc }, key));
    expect(c.quantities.map((q) => q.info.key)).toEqual(["loss", "dL_dc"]);
    expect(c.checked).toBe(1 + key.sizes.vocab);
  });

  it("rejects malformed answers with one-line messages naming the field and entry", () => {
    expect(messageFor("")).toBe("answer is empty: expected a JSON object");
    expect(messageFor("{")).toMatch(/^answer is not valid JSON: /);
    expect(messageFor("[1]")).toMatch(/^answer is not a JSON object: .* got an array$/);
    expect(messageFor('{"dL_de": 1}')).toMatch(/^answer has an unknown field "dL_de": expected some of loss, /);
    expect(messageFor('{"loss": "1"}')).toBe('answer.loss = "1" is not a number');
    expect(messageFor('{"loss": 1e400}')).toBe("answer.loss = Infinity is not a finite number");
    expect(messageFor('{"dL_dc": [1]}')).toBe("answer.dL_dc has 1 entries, expected 5 (vocab)");
    expect(messageFor('{"dL_dE": [[1,2,3]]}')).toBe("answer.dL_dE has 1 rows, expected 5 (vocab × d_model)");
    const E = clone(key.dL_dE);
    E[3] = [1, 2];
    expect(messageFor(JSON.stringify({ dL_dE: E }))).toBe("answer.dL_dE[3] has 2 entries, expected 3 (d_model)");
    const E2 = clone(key.dL_dE) as unknown[][];
    E2[4]![2] = null;
    expect(messageFor(JSON.stringify({ dL_dE: E2 }))).toBe("answer.dL_dE[4][2] = null is not a number");
    expect(messageFor('{"h": 3}')).toBe("answer.h is not an array of rows: expected a 4×4 matrix (τ × hidden), got a number");
    expect(messageFor('{"sizes": {"vocab": 6}}')).toBe("answer.sizes.vocab = 6, but the case has vocab = 5");
  });

  it("refuses an answer nested deeper than MAX_JSON_DEPTH before parsing it, naming where", () => {
    // 60,000 levels fit this small case's byte limit (74 kB); 10,000,000 do not, and are refused on their size.
    let m = "";
    expect(seconds(() => { m = messageFor("[".repeat(60_000)); })).toBeLessThan(1);
    expect(m).toBe(`answer${"[0]".repeat(16)} is nested more than 16 levels deep: an answer nests 3 (an object of matrices of rows)`);
    expect(seconds(() => { m = messageFor(`{"dL_dE": [[1], ${"[".repeat(60_000)}`); })).toBeLessThan(1);
    expect(m).toMatch(/^answer\.dL_dE\[1\](\[0\]){14} is nested more than 16 levels deep/);
    expect(seconds(() => { m = messageFor("[".repeat(10_000_000)); })).toBeLessThan(1);
    expect(m).toMatch(/^answer is over the limit of 74216 bytes/);
  });

  it("refuses text over maxAnswerBytes(sizes) unread: room for the full answer, pretty-printed", () => {
    expect(ANSWER_BYTES_PER_ENTRY).toBe(40);
    expect(ANSWER_BYTES_SLACK).toBe(65536);
    expect(answerEntryCount(key.sizes)).toBe(QUANTITIES.reduce((n, q) => n + entriesOf(key[q.key]).length, 0));
    const limit = maxAnswerBytes(key.sizes);
    expect(limit).toBe(65536 + 40 * answerEntryCount(key.sizes));
    // The key itself, every number at the longest float64 form, indented four spaces, fits.
    const longest = JSON.stringify(key, (k, v) => (typeof v === "number" && k !== "tau" ? -1.2345678901234567e-100 : v), 4);
    expect(longest.length).toBeLessThan(limit);
    // The largest case's answer: 4.7 M entries, 180 MiB.
    const largest = { vocab: CASE_SIZE_LIMITS.vocab, d_model: CASE_SIZE_LIMITS.dModel, hidden: CASE_SIZE_LIMITS.hidden, tau: CASE_SIZE_LIMITS.tau };
    expect(answerEntryCount(largest)).toBe(4_721_153);
    expect(Math.round(maxAnswerBytes(largest) / 2 ** 20)).toBe(180);
    let m = "";
    const big = `{"loss": 1${" ".repeat(40_000_000)}}`;
    expect(seconds(() => { m = messageFor(big); })).toBeLessThan(1);
    expect(m).toBe(`answer is over the limit of ${limit} bytes (72.5 KiB): the full answer to this case in full precision, pretty-printed, takes less`);
  });

  it("refuses a field with far more values than the key's, but names a shape a little off", () => {
    expect(messageFor(JSON.stringify({ dL_dc: new Array(100).fill(0) }))).toBe(
      "answer.dL_dc is too large: it holds more than 28 values (numbers and lists), the case's dL_dc is 5",
    );
    expect(messageFor(JSON.stringify({ dL_dc: new Array(6).fill(0) }))).toBe("answer.dL_dc has 6 entries, expected 5 (vocab)");
    expect(messageFor(`[${"0,".repeat(30_000)}0]`)).toMatch(/^answer is too large: it holds more than \d+ values/);
  });

  it("refuses a key given twice, escapes control characters, cuts long values", () => {
    expect(messageFor('{"loss": 1, "loss": 2}')).toBe('answer has the field "loss" twice: give it once (JSON would silently keep only the last)');
    expect(messageFor('{"sizes": {"vocab": 5, "vocab": 5}}')).toBe(
      'answer.sizes has the key "vocab" twice: give it once (JSON would silently keep only the last)',
    );
    expect(messageFor('{"loss\\u2028\\u0085\\r": 1}')).toMatch(/^answer has an unknown field "loss\\u2028\\u0085\\r": /);
    expect(messageFor(`{"sizes": {"${"\u2028".repeat(1000)}": 1}}`)).toMatch(/^answer\.sizes has an unknown field "(\\u2028)+\\?u?…: /);
    expect(messageFor(`{"loss": "${"x".repeat(50_000)}"}`)).toBe(`answer.loss = "${"x".repeat(38)}… is not a number`);
    expect(messageFor(`{"sizes": {"tau": [[[[1]]]]}}`)).toBe("answer.sizes.tau = [[[[1]]]], but the case has tau = 4");
    expect(messageFor("\u0000")).toMatch(/^answer is not valid JSON: .*\\u0000/);
  });

  it("property: any text, any JSON value in any field: a comparison or one short safe InputError line", () => {
    const fields = [...QUANTITIES.map((q) => q.key), "sizes", "__proto__", "loss\u2028"];
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary" }), fc.json()),
        fc.jsonValue(),
        fc.constantFrom(...fields),
        fc.anything(),
        (text, value, field, anything) => {
          for (const f of [
            () => parseStudentAnswer(text, key),
            () => parseStudentAnswer(JSON.stringify({ [field]: value }), key),
            () => validateStudentAnswer({ [field]: anything }, key),
            () => validateStudentAnswer(anything, key),
          ]) {
            try {
              compareAnswer(key, f());
            } catch (e) {
              expectOneLine(e);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
