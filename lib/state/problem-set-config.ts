/**
 * The settings of a problem set (lib/tools/problem-set.ts), declared once as a schema (lib/state/fields.ts) and read
 * from three places: the Problem sets page's form and its URL, and the link a student opens on the Check page,
 *
 *   check#set&vocab=4&d_model=2&hidden=3&tau=3&h0=zeros&seed=1&mode=hide&ask=loss,dL_dW&count=30&student=7
 *
 * in the fragment (a static host never sees it, so student ids stay in the browser). `set` marks a problem-set
 * link; the parameters are the form's and the command line's; `count` (ids 1 … count) or `roster` (a listed set's
 * check tags, lib/tools/problem-set.ts rosterTag) lets the Check page tell a mistyped id from a student of the set;
 * `student` is the student's id. A student's own link carries no roster. Each value is read strictly, and a bad
 * one is an InputError naming its parameter.
 */
import { H0_KINDS, type H0Kind } from "../derivation/model.js";
import { InputError } from "../core/tokens.js";
import {
  CHECK_MODES, type CheckMode, MAX_STUDENTS, type ProblemSet, type SetBasis, numberedIds, parseAsk, parseIds,
  rosterTag, studentIdProblem, studentsOf,
} from "../tools/problem-set.js";
import type { QuantityKey } from "../tools/compare-answer.js";
import { type Schema, choice, integer, integerFrom, quote, text, validateFields } from "./fields.js";
import { type QuerySchema, readLink } from "./query.js";

/**
 * The sizes a set may have: small enough that a sheet with the case and the usual blanks prints on one A4 page
 * and can be worked by hand. Larger cases of the same derivation come from the command line (same seeds).
 */
export const PROBLEM_SET_LIMITS = {
  vocab: [1, 10], d_model: [1, 6], hidden: [1, 6], tau: [1, 8], seed: [0, 4294967295], count: [1, MAX_STUDENTS],
} as const;

/** The settings as the form and the URL have them (ids: the form's list, "" for students numbered 1 … count). */
export interface ProblemSetSettings {
  vocab: number;
  d_model: number;
  hidden: number;
  tau: number;
  h0: H0Kind;
  seed: number;
  count: number;
  mode: CheckMode;
  /** Comma-separated answer fields. */
  ask: string;
}

export const PROBLEM_SET_DEFAULT: Readonly<ProblemSetSettings & { ids: string }> = {
  vocab: 4, d_model: 2, hidden: 3, tau: 3, h0: "zeros", seed: 1, count: 3, mode: "show",
  ask: "loss,dL_dc,dL_db,dL_dV,dL_dW,dL_dU,dL_dE", ids: "",
};

const L = PROBLEM_SET_LIMITS;
/** The settings, in the order they are checked. */
export const PROBLEM_SET_FIELDS: Schema<ProblemSetSettings> = {
  vocab: integer(L.vocab), d_model: integer(L.d_model), hidden: integer(L.hidden), tau: integer(L.tau),
  h0: choice(H0_KINDS, "an h0 convention"), seed: integer(L.seed), count: integer(L.count),
  mode: choice(CHECK_MODES, "a check mode"), ask: text(),
};

/** The Problem sets page's URL parameters; the list of ids is not one of them (a class's ids stay off the address). */
export const PROBLEM_SET_QUERY: QuerySchema = (["vocab", "d_model", "hidden", "tau", "h0", "seed", "count", "mode", "ask"] as const).map((k) => [k, k]);

export type Raw = Record<string, string | number | undefined>;

/** The set a form's or link's settings describe: ids listed in `ids`, or numbered 1 … count when it is empty. */
export function validateProblemSet(raw: Raw): ProblemSet {
  const s = validateFields(PROBLEM_SET_FIELDS, raw);
  const ask = parseAsk(s.ask);
  // A list spans lines: its characters are checked id by id (parseIds), not as one line of text.
  const idsText = raw.ids === undefined ? "" : String(raw.ids);
  const listed = idsText.trim() !== "";
  const set: ProblemSet = {
    sizes: { vocab: s.vocab, dModel: s.d_model, hidden: s.hidden, tau: s.tau }, h0: s.h0, seed: s.seed,
    ids: listed ? parseIds(idsText) : numberedIds(s.count), listed, mode: s.mode, ask,
  };
  studentsOf(set); // refuses a set in which two students would share a case
  return set;
}

// ---------------------------------------------------------------------------------------------------------------
// The Check page's link

/** The fragment's parameters: the set's, then how ids are checked, then the student. */
export const SET_LINK_QUERY: QuerySchema = [...PROBLEM_SET_QUERY.filter(([p]) => p !== "count"), ...(["set", "count", "roster", "student"] as const).map((k) => [k, k] as const)];

/** The longest roster: four hex digits per student. */
const MAX_ROSTER = 4 * MAX_STUDENTS;

/** A problem set as a link gives it: enough to make any student's case, and to tell whether an id is in it. */
export interface LinkedSet extends SetBasis {
  mode: CheckMode;
  ask: readonly QuantityKey[];
  /** How the ids are known: numbered 1 … count, by their check tags, or not at all (a student's own link). */
  roster: { kind: "count"; count: number } | { kind: "tags"; tags: ReadonlySet<string> } | { kind: "none" };
}

/**
 * The fragment of a Check page link for `set`: with `student`, that student's own link (no roster); without, the
 * class's link, on which each student enters their id.
 */
export function setFragment(set: ProblemSet, student?: string): string {
  const { vocab, dModel, hidden, tau } = set.sizes;
  const q = new URLSearchParams({
    vocab: String(vocab), d_model: String(dModel), hidden: String(hidden), tau: String(tau), h0: set.h0,
    seed: String(set.seed), mode: set.mode, ask: set.ask.join(","),
  });
  if (!set.listed) q.set("count", String(set.ids.length));
  else if (student === undefined) q.set("roster", set.ids.map((id) => rosterTag(set.seed, id)).join(""));
  if (student !== undefined) q.set("student", student);
  // Commas are safe in a fragment: keep the list of quantities readable.
  return `set&${q.toString().replace(/%2C/g, ",")}`;
}

/** The schema of a link's set: the form's, with `count` optional. */
const LINK_FIELDS: Schema<Omit<ProblemSetSettings, "count">> = (({ count: _, ...rest }) => rest)(PROBLEM_SET_FIELDS);

/**
 * The problem set and student of a Check page fragment (`#set&…`), or null when the fragment is not a
 * problem-set link. Throws an InputError naming the parameter for a bad value: a malformed number or word, a
 * roster that is not hex digits in fours, both `count` and `roster`, or a student id that is not one.
 */
export function readSetFragment(hash: string): { set: LinkedSet; student: string | null } | null {
  const fragment = hash.startsWith("#") ? hash.slice(1) : hash;
  const { raw, problems } = readLink(fragment, SET_LINK_QUERY, { roster: MAX_ROSTER });
  if (!("set" in raw) && !problems.some((p) => p.key === "set")) return null;
  if (problems.length > 0) throw new InputError(problems[0]!.message, problems[0]!.key);
  const s = validateFields(LINK_FIELDS, raw);
  const ask = parseAsk(s.ask);
  if (raw.count !== undefined && raw.roster !== undefined) {
    throw new InputError("roster: a link gives count or roster, not both: expected one of them", "roster");
  }
  let roster: LinkedSet["roster"] = { kind: "none" };
  if (raw.count !== undefined) roster = { kind: "count", count: integerFrom("count", raw.count, L.count) };
  else if (raw.roster !== undefined) {
    const r = raw.roster;
    if (!/^(?:[0-9a-f]{4})+$/.test(r)) {
      throw new InputError(`roster: ${quote(r)} is not a roster: expected four lowercase hex digits per student, at most ${MAX_STUDENTS} students`, "roster");
    }
    roster = { kind: "tags", tags: new Set(r.match(/.{4}/g)) };
  }
  const set: LinkedSet = {
    sizes: { vocab: s.vocab, dModel: s.d_model, hidden: s.hidden, tau: s.tau }, h0: s.h0, seed: s.seed, mode: s.mode, ask, roster,
  };
  const student = raw.student === undefined ? null : checkStudent(set, raw.student);
  return { set, student };
}

/**
 * `id` if it is a student of the linked set as far as the link can tell, else an InputError of field "student":
 * not an id at all, outside 1 … count, or with a check tag the roster does not have.
 */
export function checkStudent(set: LinkedSet, id: string): string {
  const fail = (what: string) => new InputError(`student: ${what}`, "student");
  const problem = studentIdProblem(id);
  if (problem) throw fail(problem);
  const r = set.roster;
  if (r.kind === "count" && !(/^[1-9][0-9]*$/.test(id) && Number(id) <= r.count)) {
    throw fail(`${quote(id)} is not a student of this set: expected a number from 1 to ${r.count}`);
  }
  if (r.kind === "tags" && !r.tags.has(rosterTag(set.seed, id))) {
    throw fail(`${quote(id)} is not a student of this set: expected the id your lecturer listed (check its spelling)`);
  }
  return id;
}
