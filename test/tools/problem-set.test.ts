/** lib/tools/problem-set.ts: derived seeds, the set's cases, sheets and key files. */
import { describe, expect, it } from "vitest";
import { answerCase, randomCaseOutput } from "../../lib/tools/answer-key.js";
import { caseToJson, randomCase } from "../../lib/tools/case.js";
import { QUANTITIES, compareAnswer, entriesOf, parseStudentAnswer } from "../../lib/tools/compare-answer.js";
import {
  ASKABLE, MAX_STUDENTS, type ProblemSet, SHEET_DIGITS, answerTemplate, blankTables, caseFiles, caseTables, parseAsk,
  parseIds, rosterTag, setKeyCsv, setKeyJson, setKeyLatex, sheetCase, sheetNumber, studentCase, studentCaseText,
  studentSeed, studentsOf,
} from "../../lib/tools/problem-set.js";
import { InputError } from "../../lib/core/tokens.js";
import { expectOneLine } from "../one-line.js";

/** FNV-1a (32-bit) over the bytes of an ASCII text, written out here independently of lib/core/hash.ts. */
function fnv1a32(text: string): number {
  let h = 2166136261;
  for (const byte of new TextEncoder().encode(text)) h = Number((BigInt((h ^ byte) >>> 0) * 16777619n) % 2n ** 32n);
  return h;
}

const messageOf = (f: () => unknown): { message: string; field: string | undefined } => {
  try {
    f();
  } catch (e) {
    return { message: expectOneLine(e), field: (e as InputError).field };
  }
  throw new Error("accepted");
};

const set: ProblemSet = {
  sizes: { vocab: 4, dModel: 2, hidden: 3, tau: 3 }, h0: "point-one", seed: 2025,
  ids: ["ada", "s.17@uni", "x_9"], listed: true, mode: "hide", ask: ["loss", "dL_db", "dL_dW"],
};

describe("studentSeed", () => {
  it("is FNV-1a of \"base/id\", an integer in the command line's seed range", () => {
    for (const [b, id] of [[0, "1"], [2025, "ada"], [4294967295, "s.17@uni"], [7, "Z-99_x"]] as const) {
      const s = studentSeed(b, id);
      expect(s).toBe(fnv1a32(`${b}/${id}`));
      expect(Number.isInteger(s) && s >= 0 && s <= 4294967295).toBe(true);
    }
    // Pinned: every link and sheet handed out depends on these staying put.
    expect([studentSeed(1, "1"), studentSeed(1, "2")]).toEqual([1883581416, 1933914273]);
    expect(studentSeed(1, "1")).not.toBe(studentSeed(2, "1"));
  });

  it("makes each student's case, byte for byte the command line's for that seed", () => {
    const id = "s.17@uni";
    const opts = { seed: studentSeed(2025, id), vocab: 4, dModel: 2, hidden: 3, tau: 3, h0: "point-one" as const };
    expect(studentCaseText(set, id)).toBe(`${JSON.stringify(caseToJson(randomCase(opts)))}\n`);
    expect(studentCaseText(set, id)).toBe(randomCaseOutput(opts, "case"));
    expect(JSON.parse(randomCaseOutput(opts)).case).toEqual(JSON.parse(studentCaseText(set, id)));
    expect(caseToJson(studentCase(set, id))).toEqual(JSON.parse(studentCaseText(set, id)));
  });

  it("refuses a set in which two students would share a case, naming both", () => {
    // A pair found by search: FNV-1a("1/s229599") = FNV-1a("1/s432382").
    expect(studentSeed(1, "s229599")).toBe(studentSeed(1, "s432382"));
    const clash = { ...set, seed: 1, ids: ["a", "s229599", "s432382"] };
    expect(messageOf(() => studentsOf(clash))).toEqual({
      message: 'seed: students "s229599" and "s432382" get the same derived seed 244097666 under base seed 1: expected another base seed',
      field: "seed",
    });
    expect(studentsOf({ ...clash, seed: 2 }).map((s) => s.id)).toEqual(clash.ids);
  });

  it("tags a student with the first four hex digits of their seed", () => {
    expect(rosterTag(2025, "ada")).toBe(studentSeed(2025, "ada").toString(16).padStart(8, "0").slice(0, 4));
    expect(rosterTag(2025, "ada")).toMatch(/^[0-9a-f]{4}$/);
  });
});

describe("parseIds and parseAsk", () => {
  it("reads ids separated by commas, semicolons, spaces and new lines", () => {
    expect(parseIds(" ada, bob;carl\n\td.e@uni  \r\n")).toEqual(["ada", "bob", "carl", "d.e@uni"]);
  });

  it("refuses a bad, repeated or missing id, or too many, with one line naming the field", () => {
    expect(messageOf(() => parseIds(" , \n"))).toEqual({ message: "ids: no student ids: expected ids separated by commas, spaces or new lines", field: "ids" });
    expect(messageOf(() => parseIds("ada bob ada"))).toEqual({ message: 'ids: "ada" is listed twice (ids 1 and 3): expected each student once', field: "ids" });
    expect(messageOf(() => parseIds("ada b<ob"))).toEqual({
      message: 'ids: id 2, "b<ob" is not a student id: expected 1 to 40 letters, digits, ".", "_", "@" or "-"', field: "ids",
    });
    expect(messageOf(() => parseIds("x".repeat(41))).message).toMatch(/^ids: id 1, "x{24}…" is not a student id/);
    expect(parseIds(Array.from({ length: MAX_STUDENTS }, (_, i) => `s${i}`).join(" "))).toHaveLength(MAX_STUDENTS);
    expect(messageOf(() => parseIds(Array.from({ length: MAX_STUDENTS + 1 }, (_, i) => `s${i}`).join(" ")))).toEqual({
      message: `ids: ${MAX_STUDENTS + 1} students, over the limit of ${MAX_STUDENTS}: expected at most ${MAX_STUDENTS} ids`, field: "ids",
    });
    expect(messageOf(() => parseIds("a\u0007b")).message).toMatch(/"a\\u0007b" is not a student id/);
  });

  it("reads the quantities asked in the answer's order, and refuses unknown ones", () => {
    expect(parseAsk("dL_dW, loss,dL_dW")).toEqual(["loss", "dL_dW"]);
    expect(ASKABLE).not.toContain("h0");
    expect(messageOf(() => parseAsk("loss,h0")).message).toBe(`ask: "h0" is not a quantity of the answer: expected some of ${ASKABLE.join(", ")}`);
    expect(messageOf(() => parseAsk(" , ")).field).toBe("ask");
  });
});

describe("the printed sheet", () => {
  it(`prints ${SHEET_DIGITS} significant digits, and a key computed from them passes the check`, () => {
    expect(sheetNumber(-0.123456789)).toBe("-0.1234568");
    expect(sheetNumber(0.5)).toBe("0.5");
    // Over many students and sizes up to the page's largest: a student who computes exactly from the printed
    // numbers gets every entry of every quantity within the Check page's tolerance of the exact key.
    let worst = 0;
    for (const [vocab, dModel, hidden, tau] of [[4, 2, 3, 3], [10, 6, 6, 8], [2, 1, 1, 1], [7, 3, 5, 6]] as const) {
      for (const h0 of ["zeros", "point-one"] as const) {
        for (let i = 1; i <= 60; i++) {
          const k = studentCase({ sizes: { vocab, dModel, hidden, tau }, h0, seed: 11 }, String(i));
          const { sizes: _, ...printed } = answerCase(sheetCase(k));
          const c = compareAnswer(answerCase(k), printed);
          for (const q of c.quantities) for (const e of q.entries) worst = Math.max(worst, e.error / e.allowed);
        }
      }
    }
    // Measured: 0.29 of the allowed error at 7 digits (6 digits went 3.6 times over it).
    expect(worst).toBeLessThan(0.5);
  });

  it("shows the case's tables with its numbers as printed, and blanks of the answer's shapes", () => {
    const k = studentCase(set, "ada");
    const tables = caseTables(k);
    expect(tables.map((t) => t.key)).toEqual(["tokens", "E", "U", "W", "b", "V", "c", "h0"]);
    const E = tables.find((t) => t.key === "E")!;
    expect([E.rowLabels.length, E.colLabels.length]).toEqual([4, 2]);
    expect(E.cells[3]![1]).toBe(sheetNumber(k.params.E.data[3 * 2 + 1]!));
    expect(tables[0]!.cells).toEqual([k.inputs.map(String), k.targets.map(String)]);
    expect(tables.find((t) => t.key === "h0")!.cells).toEqual([["0.1", "0.1", "0.1"]]);
    const blanks = blankTables(set);
    expect(blanks.map((b) => [b.key, b.cells.length, b.cells[0]!.length])).toEqual([["loss", 1, 1], ["dL_db", 1, 3], ["dL_dW", 3, 3]]);
    expect(blanks.flatMap((b) => b.cells.flat()).every((c) => c === "")).toBe(true);
    expect(blanks[2]!.note).toBe("hidden × hidden, 3 × 3, eq 4.7");
  });

  it("gives a template answer with the fields asked, which the Check page reads", () => {
    const key = answerCase(studentCase(set, "ada"));
    const parsed = parseStudentAnswer(answerTemplate(set), key);
    expect(Object.keys(parsed)).toEqual(["loss", "dL_db", "dL_dW"]);
    expect(parsed.dL_dW).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });
});

describe("the key of a set", () => {
  const asked = QUANTITIES.filter((q) => set.ask.includes(q.key));
  const entries = (a: ReturnType<typeof answerCase>) => asked.reduce((n, q) => n + entriesOf(a[q.key]).length, 0);

  it("JSON: every student's id, seed, case and answer, as the command line writes them", () => {
    const j = JSON.parse(setKeyJson(set));
    expect(j.set).toMatchObject({ vocab: 4, d_model: 2, hidden: 3, tau: 3, h0: "point-one", base_seed: 2025, students: 3 });
    expect(j.students.map((s: { id: string }) => s.id)).toEqual(set.ids);
    for (const s of j.students) {
      expect(s.seed).toBe(studentSeed(2025, s.id));
      expect({ case: s.case, answer: s.answer }).toEqual(JSON.parse(randomCaseOutput({ seed: s.seed, vocab: 4, dModel: 2, hidden: 3, tau: 3, h0: "point-one" })));
    }
  });

  it("CSV: one row per entry asked, each value reading back as the key's float64", () => {
    const lines = setKeyCsv(set).trimEnd().split("\n");
    expect(lines[0]).toBe("student,seed,quantity,equation,i,j,value");
    const rows = lines.slice(1).map((l) => l.split(","));
    const keys = set.ids.map((id) => answerCase(studentCase(set, id)));
    expect(rows).toHaveLength(keys.reduce((n, a) => n + entries(a), 0));
    for (const [id, seed, quantity, equation, i, j, value] of rows) {
      const a = keys[set.ids.indexOf(id!)]!;
      expect(seed).toBe(String(studentSeed(2025, id!)));
      const v = a[quantity as "loss" | "dL_db" | "dL_dW"];
      const want = typeof v === "number" ? v : j === "" ? (v as number[])[Number(i)] : (v as number[][])[Number(i)]![Number(j)];
      expect(Number(value)).toBe(want);
      expect(equation).toBe(QUANTITIES.find((q) => q.key === quantity)!.equation);
    }
  });

  it("LaTeX: per student a section, one table per quantity asked, and a page break", () => {
    const tex = setKeyLatex(set);
    expect(tex.match(/\\section\*\{Student /g)).toHaveLength(3);
    expect(tex).toContain("\\section*{Student x\\_9 (seed");
    expect(tex.match(/\\begin\{tabular\}/g)).toHaveLength(3 * set.ask.length);
    expect(tex.match(/\\clearpage/g)).toHaveLength(3);
  });

  it("names each student's case file and holds the bytes the command line prints", () => {
    expect(caseFiles(set)).toEqual(set.ids.map((id) => ({ name: `case-${id}.json`, text: studentCaseText(set, id) })));
  });
});
