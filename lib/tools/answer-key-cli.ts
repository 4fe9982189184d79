/**
 * The command line of the answer key, kept free of Node APIs so that it can be tested without starting a process
 * (bin/answer-key.ts reads the files and writes the output).
 */
import { type H0Kind, H0_KINDS } from "../derivation/model.js";
import { preview } from "../core/tokens.js";
import { OUTPUT_PARTS, type OutputPart, answerKey, randomCaseOutput } from "./answer-key.js";
import { RANDOM_CASE_RANGES, type RandomCaseOptions, type SizeOption, rangeText } from "./case.js";
import { fail } from "./json-text.js";
import { studentIdProblem, studentSeed } from "./problem-set.js";

const FLAGS: Readonly<Record<SizeOption, string>> = {
  seed: "--seed", vocab: "--vocab", dModel: "--d-model", hidden: "--hidden", tau: "--tau",
};

export const USAGE =
  "usage: answer-key FILE|-  |  answer-key (--seed S | --base-seed B --student ID) --vocab N --d-model D --hidden H --tau T [--h0 zeros|point-one] [--only case|answer]";

export type Command =
  | { kind: "help" }
  /** `file` is "-" for standard input. */
  | { kind: "case"; file: string }
  | { kind: "random"; options: Required<RandomCaseOptions>; part: OutputPart };

type Option = SizeOption | "h0" | "baseSeed" | "student" | "only";

const FLAG_TO_OPTION: Readonly<Record<string, Option>> = {
  "--seed": "seed", "--base-seed": "baseSeed", "--student": "student", "--vocab": "vocab", "--d-model": "dModel",
  "--hidden": "hidden", "--tau": "tau", "--h0": "h0", "--only": "only",
};

/** What a flag's value must be, for "needs a value" messages. */
function expected(opt: Option): string {
  if (opt === "h0") return `expected ${H0_KINDS.join(" or ")}`;
  if (opt === "only") return `expected ${OUTPUT_PARTS.filter((p) => p !== "both").join(" or ")}`;
  if (opt === "student") return "expected a student id";
  return rangeText(opt === "baseSeed" ? "seed" : opt);
}

/** An integer option's value, checked against `range`'s bounds. */
function integerArg(flag: string, raw: string, range: SizeOption): number {
  if (!/^-?[0-9]+$/.test(raw)) throw fail(`${flag} ${argText(raw)} is not an integer: ${rangeText(range)}`);
  const v = Number(raw);
  const [lo, hi] = RANDOM_CASE_RANGES[range];
  if (v < lo || v > hi) throw fail(`${flag} ${argText(raw)} is out of range: ${rangeText(range)}`);
  return v;
}

const argText = (s: string) => (/^[\w.+-]{1,40}$/.test(s) ? s : preview(s));

/** Parse the command-line arguments (after the script name); throws an InputError with a one-line message. */
export function parseArgs(argv: readonly string[]): Command {
  const files: string[] = [];
  const given = new Map<Option, string>();
  let endOfOptions = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (endOfOptions || arg === "-" || !arg.startsWith("-")) {
      files.push(arg);
      continue;
    }
    if (arg === "--") {
      endOfOptions = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const opt = FLAG_TO_OPTION[flag];
    if (opt === undefined) {
      throw fail(`unknown option ${argText(flag)}: expected ${Object.keys(FLAG_TO_OPTION).join(", ")} or a case FILE (see --help)`);
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw fail(`${flag} needs a value: ${expected(opt)}`);
      value = next;
      i++;
    }
    if (given.has(opt)) throw fail(`${flag} is given twice`);
    given.set(opt, value);
  }

  if (files.length > 0 && given.size > 0) {
    throw fail("give either a case FILE (or - for standard input) or the random-case options, not both (see --help)");
  }
  if (files.length > 1) {
    throw fail(`expected one case FILE, got ${files.length}: ${files.map(argText).join(", ")} (see --help)`);
  }
  if (files.length === 1) return { kind: "case", file: files[0]! };
  if (given.size === 0) {
    throw fail("no case given: pass a case FILE, - for standard input, or --seed S --vocab N --d-model D --hidden H --tau T (see --help)");
  }

  const options = { h0: "zeros" } as Required<RandomCaseOptions>;
  // The seed: given, or derived from a problem set's base seed and a student's id (lib/tools/problem-set.ts).
  const student = given.get("student"), baseSeed = given.get("baseSeed");
  if (given.has("seed") && (student !== undefined || baseSeed !== undefined)) {
    throw fail("give either --seed or --base-seed with --student, not both: the student's seed is derived from the base seed (see --help)");
  }
  if ((student === undefined) !== (baseSeed === undefined)) {
    throw fail(`${student === undefined ? "--student" : "--base-seed"} is missing: a student's case needs --base-seed B and --student ID (see --help)`);
  }
  if (student !== undefined && baseSeed !== undefined) {
    const problem = studentIdProblem(student);
    if (problem) throw fail(`--student ${problem}`);
    options.seed = studentSeed(integerArg("--base-seed", baseSeed, "seed"), student);
  }
  for (const opt of Object.keys(RANDOM_CASE_RANGES) as SizeOption[]) {
    if (opt === "seed" && student !== undefined) continue;
    const flag = FLAGS[opt];
    const raw = given.get(opt);
    if (raw === undefined) {
      throw fail(`${flag} is missing: a random case needs --seed (or --base-seed and --student), --vocab, --d-model, --hidden and --tau (see --help)`);
    }
    options[opt] = integerArg(flag, raw, opt);
  }
  const h0 = given.get("h0");
  if (h0 !== undefined) {
    if (!(H0_KINDS as readonly string[]).includes(h0)) {
      throw fail(`--h0 ${argText(h0)} is not an h0 convention: expected ${H0_KINDS.join(" or ")}`);
    }
    options.h0 = h0 as H0Kind;
  }
  const only = given.get("only");
  if (only !== undefined && (only === "both" || !(OUTPUT_PARTS as readonly string[]).includes(only))) {
    throw fail(`--only ${argText(only)} is not a part of the output: ${expected("only")}`);
  }
  return { kind: "random", options, part: (only ?? "both") as OutputPart };
}

/**
 * What the command prints on standard output. `read` returns the text of a case file ("-" is standard input) and
 * should throw an InputError when the file cannot be read. Throws an InputError for a bad case.
 */
export function runCommand(cmd: Command, read: (file: string) => string): string {
  switch (cmd.kind) {
    case "help":
      return `${USAGE}\n`;
    case "case":
      return answerKey(read(cmd.file));
    case "random":
      return randomCaseOutput(cmd.options, cmd.part);
  }
}
