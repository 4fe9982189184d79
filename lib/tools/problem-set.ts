/**
 * Problem sets: one case per student, each generated from a seed derived from the set's base seed and the
 * student's id, so that the Problem sets page, a student's link to the Check page and the command line
 * (`answer-key --base-seed B --student ID`) all make the same case, byte for byte, with no server and no roster
 * kept anywhere.
 *
 * The derived seed (`studentSeed`) is the 32-bit FNV-1a hash (lib/core/hash.ts) of the text `B/ID`, B in plain
 * decimal: an integer from 0 to 4294967295, the command line's seed range, the same in every engine (integer
 * operations only). Two students of one set could in principle get the same seed (about one set of 200 in
 * 200,000); such a set is refused, naming both, so that no two students ever share a case.
 *
 * Also here: what a printed sheet shows (the case's numbers to SHEET_DIGITS significant digits, the blanks for
 * the quantities asked), and the key of a whole set as JSON, CSV and LaTeX.
 *
 * Pure: no Node APIs, no DOM.
 */
import { fnv1a } from "../core/hash.js";
import { InputError } from "../core/tokens.js";
import type { H0Kind } from "../derivation/model.js";
import { quote } from "../state/fields.js";
import { type Answer, answerCase, randomCaseOutput } from "./answer-key.js";
import { answerCsvRows, answerToLatex, csvLine, latexEscape } from "./answer-export.js";
import { type Case, type RandomCaseOptions, caseToJson, randomCase } from "./case.js";
import { type Axis, QUANTITIES, type QuantityKey, axisLength } from "./compare-answer.js";

/** The most students in one set: every case, sheet and key of a set of this size is made in well under a second. */
export const MAX_STUDENTS = 200;
/** The longest student id, in characters. */
export const STUDENT_ID_MAX = 40;
const STUDENT_ID = new RegExp(`^[A-Za-z0-9._@-]{1,${STUDENT_ID_MAX}}$`);
/** What a student id may be, as messages say it. */
export const STUDENT_ID_RULE = `1 to ${STUDENT_ID_MAX} letters, digits, ".", "_", "@" or "-"`;

/** What the Check page shows a student of the set: the key's values, or only which entries are wrong. */
export type CheckMode = "show" | "hide";
export const CHECK_MODES: readonly CheckMode[] = ["show", "hide"];

/** The quantities a sheet may ask for: every quantity of the answer but h⁽⁰⁾, which the case gives. */
export const ASKABLE: readonly QuantityKey[] = QUANTITIES.map((q) => q.key).filter((k) => k !== "h0");

/** What makes a student's case: the sizes, h⁽⁰⁾ and the base seed. */
export interface SetBasis {
  sizes: { vocab: number; dModel: number; hidden: number; tau: number };
  h0: H0Kind;
  /** The base seed. */
  seed: number;
}

export interface ProblemSet extends SetBasis {
  /** The students' ids, in the order the lecturer gave them; "1" … "N" for a set given by its count. */
  ids: readonly string[];
  /** Whether the ids were listed (rather than numbered from a count). */
  listed: boolean;
  mode: CheckMode;
  /** The quantities the sheets ask for, in the answer's order. */
  ask: readonly QuantityKey[];
}

/** The derived seed of student `id` in a set of base seed `baseSeed`: FNV-1a of `baseSeed/id`, 0 … 4294967295. */
export function studentSeed(baseSeed: number, id: string): number {
  return Number.parseInt(fnv1a(`${baseSeed}/${id}`), 16);
}

/** Why `id` is not a student id ("… is not a student id: expected …"), or null when it is one. */
export function studentIdProblem(id: string): string | null {
  return STUDENT_ID.test(id) ? null : `${quote(id)} is not a student id: expected ${STUDENT_ID_RULE}`;
}

/** The options of the command line's generated mode that make student `id`'s case. */
export function studentOptions(set: SetBasis, id: string): Required<RandomCaseOptions> {
  return { seed: studentSeed(set.seed, id), ...set.sizes, h0: set.h0 };
}

/** Student `id`'s case. */
export const studentCase = (set: SetBasis, id: string): Case => randomCase(studentOptions(set, id));

/** Student `id`'s case as the file handed out: the bytes of `answer-key --base-seed B --student ID … --only case`. */
export const studentCaseText = (set: SetBasis, id: string): string => randomCaseOutput(studentOptions(set, id), "case");

/** "1", "2", … "count": the ids of a set given by its count. */
export const numberedIds = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i + 1));

/**
 * The ids in a lecturer's list: separated by commas, semicolons, spaces or new lines; each an id by
 * STUDENT_ID_RULE, each once, at most MAX_STUDENTS. Throws an InputError of field `field` naming the first
 * problem.
 */
export function parseIds(text: string, field = "ids"): string[] {
  const fail = (what: string) => new InputError(`${field}: ${what}`, field);
  const ids = text.split(/[\s,;]+/).filter((s) => s !== "");
  if (ids.length === 0) throw fail("no student ids: expected ids separated by commas, spaces or new lines");
  if (ids.length > MAX_STUDENTS) throw fail(`${ids.length} students, over the limit of ${MAX_STUDENTS}: expected at most ${MAX_STUDENTS} ids`);
  const seen = new Map<string, number>();
  for (const [i, id] of ids.entries()) {
    const problem = studentIdProblem(id);
    if (problem) throw fail(`id ${i + 1}, ${problem}`);
    const j = seen.get(id);
    if (j !== undefined) throw fail(`${quote(id)} is listed twice (ids ${j + 1} and ${i + 1}): expected each student once`);
    seen.set(id, i);
  }
  return ids;
}

/** The quantities asked, from a comma-separated list of answer fields; throws an InputError of field `field`. */
export function parseAsk(text: string, field = "ask"): QuantityKey[] {
  const given = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = given.find((k) => !(ASKABLE as readonly string[]).includes(k));
  if (bad !== undefined) throw new InputError(`${field}: ${quote(bad)} is not a quantity of the answer: expected some of ${ASKABLE.join(", ")}`, field);
  if (given.length === 0) throw new InputError(`${field}: nothing is asked: expected at least one of ${ASKABLE.join(", ")}`, field);
  return ASKABLE.filter((k) => given.includes(k));
}

/** Every student's id and derived seed; throws an InputError (field "seed") when two students share a seed. */
export function studentsOf(set: ProblemSet): { id: string; seed: number }[] {
  const out = set.ids.map((id) => ({ id, seed: studentSeed(set.seed, id) }));
  const bySeed = new Map<number, string>();
  for (const { id, seed } of out) {
    const other = bySeed.get(seed);
    if (other !== undefined) {
      throw new InputError(`seed: students ${quote(other)} and ${quote(id)} get the same derived seed ${seed} under base seed ${set.seed}: expected another base seed`, "seed");
    }
    bySeed.set(seed, id);
  }
  return out;
}

/**
 * A student's check tag: the first 4 hex digits of their derived seed. A link for a whole listed set carries the
 * tags, not the ids (a class's ids stay off the address), so that the Check page can tell a mistyped id from one
 * of the set; a wrong id passes with odds of at most MAX_STUDENTS in 65,536.
 */
export const rosterTag = (baseSeed: number, id: string): string => studentSeed(baseSeed, id).toString(16).padStart(8, "0").slice(0, 4);

// ---------------------------------------------------------------------------------------------------------------
// The printed sheet

/** Significant digits of the case's numbers on a sheet (the tests show a key computed from them passes the check). */
export const SHEET_DIGITS = 7;

/** A number as a sheet prints it: SHEET_DIGITS significant digits, no trailing zeros. */
export const sheetNumber = (v: number): string => String(Number(v.toPrecision(SHEET_DIGITS)));

/** The case a student reads off the sheet: every number as printed. */
export function sheetCase(k: Case): Case {
  const round = (v: Float64Array) => v.map((x) => Number(sheetNumber(x)));
  const p = k.params;
  const m = (x: { rows: number; cols: number; data: Float64Array }) => ({ rows: x.rows, cols: x.cols, data: round(x.data) });
  return {
    ...k,
    params: { E: m(p.E), U: m(p.U), W: m(p.W), b: round(p.b), V: m(p.V), c: round(p.c) },
    h0: round(k.h0),
  };
}

/** One table of a sheet: a label per row and per column, and the text of each cell ("" for a blank). */
export interface SheetTable {
  /** The case's field or the answer's ("E", "dL_dW"), or "tokens". */
  key: string;
  /** The quantity as the derivation writes it, in plain text ("(DL)_W"). */
  name: string;
  /** Its shape and the equation that defines it ("hidden × hidden, eq 4.7"). */
  note: string;
  corner: string;
  rowLabels: string[];
  colLabels: string[];
  cells: string[][];
}

const AXIS_LABEL: Readonly<Record<Axis, string>> = { t: "t − 1", vocab: "token", hidden: "hidden", d_model: "d_model" };
const range = (n: number) => Array.from({ length: n }, (_, i) => String(i));

/** A case's tables, as the sheet prints them: the tokens, then E, U, W, b, V, c and h⁽⁰⁾. */
export function caseTables(k: Case): SheetTable[] {
  const { vocab, dModel, hidden, tau } = k.sizes;
  const matrix = (key: string, name: string, shape: string, rows: number, cols: number, data: ArrayLike<number>, corner: string): SheetTable => ({
    key, name, note: `${shape}, ${rows} × ${cols}`, corner, rowLabels: range(rows), colLabels: range(cols),
    cells: Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => sheetNumber(data[i * cols + j]!))),
  });
  const vector = (key: string, name: string, shape: string, v: ArrayLike<number>, corner: string): SheetTable => ({
    key, name, note: `${shape}, ${v.length} entries`, corner, rowLabels: [key], colLabels: range(v.length),
    cells: [Array.from(v, sheetNumber)],
  });
  const p = k.params;
  return [
    {
      key: "tokens", name: "Tokens", note: `ids, τ = ${tau}`,
      corner: "t", rowLabels: ["input", "target"], colLabels: Array.from({ length: tau }, (_, i) => String(i + 1)),
      cells: [k.inputs.map(String), k.targets.map(String)],
    },
    matrix("E", "E", "vocab × d_model", vocab, dModel, p.E.data, "token \\ d_model"),
    matrix("U", "U", "hidden × d_model", hidden, dModel, p.U.data, "hidden \\ d_model"),
    matrix("W", "W", "hidden × hidden", hidden, hidden, p.W.data, "hidden \\ hidden"),
    vector("b", "b", "hidden", p.b, "hidden"),
    matrix("V", "V", "vocab × hidden", vocab, hidden, p.V.data, "token \\ hidden"),
    vector("c", "c", "vocab", p.c, "token"),
    vector("h0", "h⁽⁰⁾", "hidden", k.h0, "hidden"),
  ];
}

/** The blanks of a sheet: one empty table per quantity asked, the answer's shape, labelled as the JSON indexes it. */
export function blankTables(set: SetBasis & { ask: readonly QuantityKey[] }): SheetTable[] {
  const sizes = { vocab: set.sizes.vocab, d_model: set.sizes.dModel, hidden: set.sizes.hidden, tau: set.sizes.tau };
  return set.ask.map((key) => {
    const q = QUANTITIES.find((x) => x.key === key)!;
    const lens = q.axes.map((a) => axisLength(a, sizes));
    const [rows, cols] = lens.length === 2 ? [lens[0]!, lens[1]!] : [1, lens[0] ?? 1];
    const shape = q.axes.length === 0 ? "a number" : `${q.axes.map((a) => (a === "t" ? "τ" : a)).join(" × ")}, ${lens.join(" × ")}`;
    return {
      key, name: q.name, note: `${shape}, eq ${q.equation}`,
      corner: q.axes.length === 2 ? `${AXIS_LABEL[q.axes[0]!]} \\ ${AXIS_LABEL[q.axes[1]!]}` : q.axes.length === 1 ? AXIS_LABEL[q.axes[0]!] : "",
      // A vector's one row is labelled with its field; a number has no labels (its table is its name and a cell).
      rowLabels: q.axes.length === 2 ? range(rows) : q.axes.length === 1 ? [key] : [""],
      colLabels: q.axes.length === 0 ? [key] : range(cols),
      cells: Array.from({ length: rows }, () => Array.from({ length: cols }, () => "")),
    };
  });
}

/**
 * A student's answer with the fields asked, each zero, in the answer's shapes: the JSON a student fills in and
 * pastes on the Check page.
 */
export function answerTemplate(set: SetBasis & { ask: readonly QuantityKey[] }): string {
  const fields = blankTables(set).map((t) => {
    const q = QUANTITIES.find((x) => x.key === t.key)!;
    const zeros = (n: number) => `[${Array(n).fill("0").join(", ")}]`;
    const value = q.axes.length === 0 ? "0" : q.axes.length === 1 ? zeros(t.colLabels.length)
      : `[\n    ${t.rowLabels.map(() => zeros(t.colLabels.length)).join(",\n    ")}\n  ]`;
    return `  ${JSON.stringify(t.key)}: ${value}`;
  });
  return `{\n${fields.join(",\n")}\n}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// The key of a whole set

/** A set's settings as its key files record them. */
function setRecord(set: ProblemSet) {
  const { vocab, dModel, hidden, tau } = set.sizes;
  return {
    vocab, d_model: dModel, hidden, tau, h0: set.h0, base_seed: set.seed, students: set.ids.length, ask: set.ask,
    seeds: "each student's seed is FNV-1a (32-bit) of the text \"base_seed/id\"",
  };
}

/** Every student's id, derived seed, case and answer. */
export function setKeys(set: ProblemSet): { id: string; seed: number; k: Case; answer: Answer }[] {
  return studentsOf(set).map(({ id, seed }) => {
    const k = studentCase(set, id);
    return { id, seed, k, answer: answerCase(k) };
  });
}

/**
 * The key of a set as one line of JSON: `{"set": …, "students": [{"id", "seed", "case", "answer"}, …]}`, each
 * case and answer exactly as the command line writes them for that student.
 */
export function setKeyJson(set: ProblemSet): string {
  const students = setKeys(set).map(({ id, seed, k, answer }) => ({ id, seed, case: caseToJson(k), answer }));
  return `${JSON.stringify({ set: setRecord(set), students })}\n`;
}

/**
 * The key of a set as CSV, one row per entry of each quantity asked: student, seed, quantity, equation, i, j,
 * value (i and j the JSON's indices from 0, empty where the quantity has fewer axes; the value in full precision).
 */
export function setKeyCsv(set: ProblemSet): string {
  const lines = [csvLine(["student", "seed", "quantity", "equation", "i", "j", "value"])];
  for (const { id, seed, answer } of setKeys(set)) {
    for (const row of answerCsvRows(answer, set.ask)) lines.push(csvLine([id, String(seed), ...row]));
  }
  return `${lines.join("\n")}\n`;
}

/** The key of a set as LaTeX: per student a section with one booktabs table per quantity asked, then a page break. */
export function setKeyLatex(set: ProblemSet): string {
  const r = setRecord(set);
  const out = [
    `% The answer key of a problem set (bptt-companion): ${r.students} students, vocab = ${r.vocab}, d_model = ${r.d_model},`,
    `% hidden = ${r.hidden}, tau = ${r.tau}, h0 = ${r.h0}, base seed ${r.base_seed}. Requires \\usepackage{booktabs}.`,
    "",
  ];
  for (const { id, seed, k, answer } of setKeys(set)) {
    out.push(`\\section*{Student ${latexEscape(id)} (seed ${seed})}`, "", answerToLatex(answer, { vocab: k.vocab, keys: set.ask, header: false }), "\\clearpage", "");
  }
  return out.join("\n");
}

/** Every student's case file, named `case-ID.json`: what a zip of the set's cases holds. */
export function caseFiles(set: ProblemSet): { name: string; text: string }[] {
  return studentsOf(set).map(({ id }) => ({ name: `case-${id}.json`, text: studentCaseText(set, id) }));
}
