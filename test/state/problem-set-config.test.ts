/** lib/state/problem-set-config.ts: the Problem sets page's settings and the Check page's problem-set links. */
import { describe, expect, it } from "vitest";
import {
  PROBLEM_SET_DEFAULT, checkStudent, readSetFragment, setFragment, validateProblemSet,
} from "../../lib/state/problem-set-config.js";
import { rosterTag } from "../../lib/tools/problem-set.js";
import type { InputError } from "../../lib/core/tokens.js";
import { expectOneLine } from "../one-line.js";

const refused = (f: () => unknown): { message: string; field: string | undefined } => {
  try {
    f();
  } catch (e) {
    return { message: expectOneLine(e), field: (e as InputError).field };
  }
  throw new Error("accepted");
};

const raw = (o: Record<string, string | number> = {}) => ({ ...PROBLEM_SET_DEFAULT, ...o });

describe("validateProblemSet", () => {
  it("numbers the students 1 … count without a list, and takes the list when there is one", () => {
    const byCount = validateProblemSet(raw({ count: "5", seed: "2025" }));
    expect(byCount).toMatchObject({ ids: ["1", "2", "3", "4", "5"], listed: false, seed: 2025, sizes: { vocab: 4, dModel: 2, hidden: 3, tau: 3 } });
    expect(byCount.ask).toEqual(["loss", "dL_dc", "dL_db", "dL_dV", "dL_dW", "dL_dU", "dL_dE"]);
    expect(validateProblemSet(raw({ ids: "ada\nbob", count: "30" }))).toMatchObject({ ids: ["ada", "bob"], listed: true });
  });

  it("refuses a bad setting with one line naming its field", () => {
    expect(refused(() => validateProblemSet(raw({ vocab: "11" })))).toEqual({ message: "vocab: 11 is out of range: expected an integer from 1 to 10", field: "vocab" });
    expect(refused(() => validateProblemSet(raw({ count: "201" })))).toEqual({ message: "count: 201 is out of range: expected an integer from 1 to 200", field: "count" });
    expect(refused(() => validateProblemSet(raw({ mode: "secret" })))).toEqual({ message: 'mode: "secret" is not a check mode: expected one of show, hide', field: "mode" });
    expect(refused(() => validateProblemSet(raw({ ask: "loss,dL_dX" }))).field).toBe("ask");
    expect(refused(() => validateProblemSet(raw({ ids: "ada ada" }))).field).toBe("ids");
    expect(refused(() => validateProblemSet(raw({ ids: "s229599 s432382", seed: "1" }))).field).toBe("seed");
  });
});

describe("problem-set links on the Check page", () => {
  const byCount = validateProblemSet(raw({ count: "30", seed: "2025", mode: "hide", ask: "loss,dL_dW" }));
  const listed = validateProblemSet(raw({ ids: "ada bob s.17@uni", seed: "9", h0: "point-one" }));

  it("writes the set's settings readably, and a student's own link without the roster", () => {
    expect(setFragment(byCount, "7")).toBe("set&vocab=4&d_model=2&hidden=3&tau=3&h0=zeros&seed=2025&mode=hide&ask=loss,dL_dW&count=30&student=7");
    expect(setFragment(listed)).toBe(`set&vocab=4&d_model=2&hidden=3&tau=3&h0=point-one&seed=9&mode=show&ask=loss,dL_dc,dL_db,dL_dV,dL_dW,dL_dU,dL_dE&roster=${["ada", "bob", "s.17@uni"].map((id) => rosterTag(9, id)).join("")}`);
    expect(setFragment(listed, "s.17@uni")).toMatch(/&ask=[^&]+&student=s.17%40uni$/);
  });

  it("reads back the set and the student, whichever link", () => {
    const a = readSetFragment(`#${setFragment(byCount, "7")}`)!;
    expect(a.student).toBe("7");
    expect(a.set).toMatchObject({ sizes: byCount.sizes, h0: "zeros", seed: 2025, mode: "hide", ask: ["loss", "dL_dW"], roster: { kind: "count", count: 30 } });
    const b = readSetFragment(`#${setFragment(listed)}`)!;
    expect(b.student).toBeNull();
    expect(b.set.roster.kind).toBe("tags");
    expect(checkStudent(b.set, "bob")).toBe("bob");
    expect(readSetFragment(`#${setFragment(listed, "s.17@uni")}`)).toMatchObject({ student: "s.17@uni", set: { roster: { kind: "none" } } });
  });

  it("is not a problem-set link without `set`", () => {
    for (const hash of ["", "#", "#eq-4-9", "#code=abc", "#student=7&seed=1"]) expect(readSetFragment(hash)).toBeNull();
  });

  it("refuses a bad value with one line naming its parameter", () => {
    const good = setFragment(byCount, "7");
    const cases: [string, string, string | RegExp][] = [
      [good.replace("vocab=4", "vocab=0x4"), "vocab", 'vocab: "0x4" is not an integer in plain decimal digits: expected an integer from 1 to 10'],
      [good.replace("&tau=3", ""), "tau", "tau: is empty or not a number: expected an integer from 1 to 8"],
      [good.replace("h0=zeros", "h0=ones"), "h0", 'h0: "ones" is not an h0 convention: expected one of zeros, point-one'],
      [good.replace("count=30", "count=0"), "count", "count: 0 is out of range: expected an integer from 1 to 200"],
      [`${good}&roster=abcd`, "roster", "roster: a link gives count or roster, not both: expected one of them"],
      [good.replace("count=30", "roster=abc"), "roster", /^roster: "abc" is not a roster: expected four lowercase hex digits/],
      [good.replace("student=7", "student=31"), "student", 'student: "31" is not a student of this set: expected a number from 1 to 30'],
      [good.replace("student=7", "student=07"), "student", 'student: "07" is not a student of this set: expected a number from 1 to 30'],
      [good.replace("student=7", "student=a%20b"), "student", /^student: "a b" is not a student id/],
      [`${good}&seed=3`, "seed", "seed: is given more than once in the link: expected it once"],
      [good.replace("seed=2025", "seed=%E0%A4%A"), "seed", /^seed: ".*" is not valid percent-encoding/],
      [good.replace("ask=loss,dL_dW", "ask=loss,h0"), "ask", /^ask: "h0" is not a quantity of the answer/],
    ];
    for (const [fragment, field, message] of cases) {
      const r = refused(() => readSetFragment(`#${fragment}`));
      expect(r.field, fragment).toBe(field);
      if (typeof message === "string") expect(r.message).toBe(message);
      else expect(r.message).toMatch(message);
    }
  });

  it("tells a mistyped id from a student of a listed set", () => {
    const { set } = readSetFragment(`#${setFragment(listed)}`)!;
    expect(refused(() => checkStudent(set, "bobb"))).toEqual({
      message: 'student: "bobb" is not a student of this set: expected the id your lecturer listed (check its spelling)', field: "student",
    });
  });
});
