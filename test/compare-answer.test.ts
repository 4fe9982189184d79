import { describe, expect, it } from "vitest";
import { InputError, answerCase, randomCase } from "../lib/answer-key.js";
import {
  ANSWER_ATOL, ANSWER_RTOL, QUANTITIES, allowedError, compareAnswer, entriesOf, parseStudentAnswer, validateStudentAnswer,
} from "../lib/compare-answer.js";

const key = answerCase(randomCase({ seed: 3, vocab: 5, dModel: 3, hidden: 4, tau: 4 }));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function messageFor(text: string): string {
  try {
    parseStudentAnswer(text, key);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const m = (e as Error).message;
    expect(m).not.toMatch(/[\r\n]/);
    return m;
  }
  throw new Error(`accepted ${text}`);
}

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
});
