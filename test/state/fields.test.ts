/**
 * lib/state/fields.ts: the one validator of settings typed in a form or given by a link. Numbers in plain decimal
 * only, a page's settings read with its schema in its order, and every refusal an InputError naming its field, with
 * one bounded line naming the field and what was expected.
 */
import { describe, expect, it } from "vitest";
import {
  choice, choiceFrom, fieldOf, integer, integerFrom, quote, real, realFrom, text, textFrom, validateFields,
} from "../../lib/state/fields.js";
import { InputError, escapeText } from "../../lib/core/tokens.js";

/** The InputError `f` throws, or a failure if it returns. */
const refusal = (f: () => unknown): InputError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("did not throw");
};
const messageOf = (f: () => unknown): string => refusal(f).message;

describe("integerFrom", () => {
  const seed = [0, 4294967295] as const;
  it("accepts plain decimal digits and numbers", () => {
    expect(integerFrom("seed", "4", seed)).toBe(4);
    expect(integerFrom("seed", "007", seed)).toBe(7);
    expect(integerFrom("seed", "4294967295", seed)).toBe(4294967295);
    expect(integerFrom("seed", 12, seed)).toBe(12);
    expect(integerFrom("x", "-3", [-5, 5])).toBe(-3);
    expect(Object.is(integerFrom("x", "-0", [-5, 5]), 0)).toBe(true);
  });

  it.each([
    ["0x10", 'seed: "0x10" is not an integer in plain decimal digits: expected an integer from 0 to 4294967295'],
    [" 4", 'seed: " 4" is not an integer in plain decimal digits: expected an integer from 0 to 4294967295'],
    ["4 ", 'seed: "4 " is not an integer in plain decimal digits'],
    ["1e1", 'seed: "1e1" is not an integer in plain decimal digits'],
    ["4.0", 'seed: "4.0" is not an integer in plain decimal digits'],
    ["+4", 'seed: "+4" is not an integer in plain decimal digits'],
    ["0b1", 'seed: "0b1" is not an integer'],
    ["٤", 'seed: "٤" is not an integer'],
    ["Infinity", 'seed: "Infinity" is not an integer'],
    ["", "seed: is empty: expected an integer from 0 to 4294967295"],
    ["-1", "seed: -1 has a minus sign: expected an integer from 0 to 4294967295"],
    ["-0", "seed: -0 has a minus sign"],
    ["4294967296", "seed: 4294967296 is out of range: expected an integer from 0 to 4294967295"],
  ])("rejects the string %j", (v, message) => {
    expect(messageOf(() => integerFrom("seed", v, seed))).toContain(message);
  });

  it("names a huge value by its first digits only", () => {
    const m = messageOf(() => integerFrom("seed", "9".repeat(5000), seed));
    expect(m).toMatch(/^seed: 9{24}… is out of range: expected an integer from 0 to 4294967295$/);
  });

  it("rejects non-integral and non-numbers given as values", () => {
    expect(messageOf(() => integerFrom("T", 2.5, [1, 8]))).toBe("T: 2.5 is not a whole number: expected an integer from 1 to 8");
    expect(messageOf(() => integerFrom("T", NaN, [1, 8]))).toBe("T: is empty or not a number: expected an integer from 1 to 8");
    expect(messageOf(() => integerFrom("T", undefined, [1, 8]))).toMatch(/^T: is empty or not a number/);
    expect(messageOf(() => integerFrom("T", 9, [1, 8]))).toBe("T: 9 is out of range: expected an integer from 1 to 8");
  });
});

describe("realFrom", () => {
  const rho = [0, 1.6] as const;
  it("accepts plain decimals", () => {
    expect(realFrom("rho", "1.2", rho)).toBe(1.2);
    expect(realFrom("rho", "0.05", rho)).toBe(0.05);
    expect(realFrom("rho", ".5", rho)).toBe(0.5);
    expect(realFrom("rho", "1", rho)).toBe(1);
    expect(realFrom("x", "-0.5", [-1, 1])).toBe(-0.5);
  });
  it.each(["1.", "1e0", "1E-1", "0x1", "NaN", "Infinity", " 1.2", "1,2", "+1", "1.2.3", ".", "-"])("rejects %j", (v) => {
    expect(messageOf(() => realFrom("rho", v, rho))).toMatch(/^rho: ".*" is not a plain decimal number \(like 0\.05\): expected a number from 0 to 1\.6$/);
  });
  it("rejects a minus where negatives are not allowed, and out-of-range values", () => {
    expect(messageOf(() => realFrom("rho", "-0.0", rho))).toBe("rho: -0.0 has a minus sign: expected a number from 0 to 1.6");
    expect(messageOf(() => realFrom("rho", "1.7", rho))).toBe("rho: 1.7 is out of range: expected a number from 0 to 1.6");
    expect(messageOf(() => realFrom("rho", Infinity, rho))).toBe("rho: Infinity is out of range: expected a number from 0 to 1.6");
  });
});

describe("choiceFrom and textFrom", () => {
  it("choices: exact words only", () => {
    expect(choiceFrom("loss", "squared", ["cross-entropy", "squared"], "a loss")).toBe("squared");
    expect(messageOf(() => choiceFrom("loss", "Squared", ["cross-entropy", "squared"], "a loss")))
      .toBe('loss: "Squared" is not a loss: expected one of cross-entropy, squared');
  });
  it("text: refuses the characters a form field cannot show or that break a line", () => {
    expect(textFrom("text", "ça va ☃")).toBe("ça va ☃");
    expect(messageOf(() => textFrom("text", "ab\ncd"))).toBe("text: has the control character \\n at position 3: expected printable characters");
    expect(messageOf(() => textFrom("vocab", "😀\u2028"))).toBe("vocab: has the control character \\u2028 at position 2: expected printable characters");
    expect(messageOf(() => textFrom("vocab", "a\u202e"))).toMatch(/\\u202e at position 2/);
    expect(messageOf(() => textFrom("vocab", "a\ud800"))).toMatch(/\\ud800 at position 2/);
  });
});

describe("messages stay on one bounded line", () => {
  it("quote escapes and cuts", () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quote("x\ny\u2029z\u0085")).toBe('"x\\ny\\u2029z\\u0085"');
    expect(quote("a".repeat(100))).toBe(`"${"a".repeat(24)}…"`);
    expect(escapeText("\ud83d\ude00")).toBe("\ud83d\ude00"); // a whole emoji is fine, half of one is not
  });
});

describe("validateFields", () => {
  const schema = {
    T: integer([2, 12]), k: { kind: "integer", range: [0, 12], atMost: "T" } as const, rho: real([0, 1.6]),
    dModel: integer([1, 8], "d_model"), act: choice(["tanh", "relu"], "an activation"), text: text(),
  };
  const good = { T: "8", k: "2", rho: ".5", dModel: 3, act: "tanh", text: "ab" };
  const refused = (values: object): InputError => refusal(() => validateFields(schema, values));

  it("reads strings and numbers alike, into the schema's keys only", () => {
    expect(validateFields(schema, { ...good, extra: "x" })).toEqual({ T: 8, k: 2, rho: 0.5, dModel: 3, act: "tanh", text: "ab" });
  });
  it("names the field by the page's name in the message and by its key in `field`", () => {
    const e = refused({ ...good, dModel: "9" });
    expect(e.message).toBe("d_model: 9 is out of range: expected an integer from 1 to 8");
    expect(e.field).toBe("dModel");
    expect(fieldOf(e)).toBe("dModel");
    expect(fieldOf(new Error("d_model: x"))).toBeUndefined();
  });
  it("checks in the schema's order and reports the first bad field", () => {
    expect(refused({ ...good, T: "1", rho: "2" }).field).toBe("T");
    expect(refused({ ...good, act: "sigmoid", text: 3 }).message).toBe(
      'act: "sigmoid" is not an activation: expected one of tanh, relu',
    );
  });
  it("holds a field at most another, earlier one", () => {
    const e = refused({ ...good, k: "9" });
    expect(e.message).toBe("k: 9 is out of range: expected an integer from 0 to T = 8");
    expect(e.field).toBe("k");
    expect(validateFields(schema, { ...good, k: "8" }).k).toBe(8);
  });
});
