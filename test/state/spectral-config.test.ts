/** lib/state/spectral-config.ts: the controls of /vanishing and /truncation. */
import { describe, expect, it } from "vitest";
import {
  TRUNCATION_DEFAULT, VANISHING_DEFAULT, validateTruncation, validateVanishing,
} from "../../lib/state/spectral-config.js";
import { InputError } from "../../lib/core/tokens.js";

describe("validateVanishing", () => {
  it("accepts the defaults, from strings as a form gives them", () => {
    const raw = Object.fromEntries(Object.entries(VANISHING_DEFAULT).map(([k, v]) => [k, String(v)]));
    expect(validateVanishing(raw)).toEqual(VANISHING_DEFAULT);
  });
  it.each([
    [{ rho: "" }, /^rho: is empty/], [{ rho: "1.7" }, /^rho: 1.7 is out of range/], [{ hidden: "2.5" }, /^hidden:/],
    [{ T: "1" }, /^T:/], [{ activation: "sigmoid" }, /^activation: "sigmoid" is not an activation: expected one of identity, tanh, relu$/],
    [{ seed: "-1" }, /^seed: -1 has a minus sign/], [{ T: "30.0" }, /^T: "30.0" is not an integer/],
  ])("rejects %j with one message naming the field", (patch, msg) => {
    expect(() => validateVanishing({ ...VANISHING_DEFAULT, ...patch })).toThrow(InputError);
    expect(() => validateVanishing({ ...VANISHING_DEFAULT, ...patch })).toThrow(msg);
  });
});

describe("validateTruncation", () => {
  it("accepts the defaults", () => expect(validateTruncation({ ...TRUNCATION_DEFAULT })).toEqual(TRUNCATION_DEFAULT));
  it.each([
    [{ N: "2001" }, /^N:/], [{ N: "1" }, /^N:/], [{ pi: "0" }, /^pi:/], [{ pi: "1.5" }, /^pi:/], [{ T: "13" }, /^T:/],
    [{ k: "9", T: "8" }, /^k: 9 is out of range/], [{ hidden: "x" }, /^hidden: "x" is not an integer in plain decimal digits/],
    [{ rho: "1e0" }, /^rho: "1e0" is not a plain decimal number/], [{ seed: "0x10" }, /^seed: "0x10" is not an integer/],
    [{ N: "1e3" }, /^N: "1e3" is not an integer/], [{ pi: " 0.5" }, /^pi: " 0.5" is not a plain decimal number/],
  ])("rejects %j", (patch, msg) => {
    expect(() => validateTruncation({ ...TRUNCATION_DEFAULT, ...patch })).toThrow(msg);
  });
});
