/**
 * The command line of the answer key, kept free of Node APIs so that it can be tested without starting a process
 * (bin/answer-key.ts reads the files and writes the output).
 */
import { type H0Kind, H0_KINDS } from "../derivation/model.js";
import { preview } from "../core/tokens.js";
import { answerKey, randomCaseOutput } from "./answer-key.js";
import { RANDOM_CASE_RANGES, type RandomCaseOptions, type SizeOption, rangeText } from "./case.js";
import { fail } from "./json-text.js";

const FLAGS: Readonly<Record<SizeOption, string>> = {
  seed: "--seed", vocab: "--vocab", dModel: "--d-model", hidden: "--hidden", tau: "--tau",
};

export const USAGE =
  "usage: answer-key FILE|-  |  answer-key --seed S --vocab N --d-model D --hidden H --tau T [--h0 zeros|point-one]";

export type Command =
  | { kind: "help" }
  /** `file` is "-" for standard input. */
  | { kind: "case"; file: string }
  | { kind: "random"; options: Required<RandomCaseOptions> };

const FLAG_TO_OPTION: Readonly<Record<string, SizeOption | "h0">> = {
  "--seed": "seed", "--vocab": "vocab", "--d-model": "dModel", "--hidden": "hidden", "--tau": "tau", "--h0": "h0",
};

const argText = (s: string) => (/^[\w.+-]{1,40}$/.test(s) ? s : preview(s));

/** Parse the command-line arguments (after the script name); throws an InputError with a one-line message. */
export function parseArgs(argv: readonly string[]): Command {
  const files: string[] = [];
  const given = new Map<SizeOption | "h0", string>();
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
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        const want = opt === "h0" ? `expected ${H0_KINDS.join(" or ")}` : rangeText(opt);
        throw fail(`${flag} needs a value: ${want}`);
      }
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
  for (const opt of Object.keys(RANDOM_CASE_RANGES) as SizeOption[]) {
    const flag = FLAGS[opt];
    const raw = given.get(opt);
    if (raw === undefined) {
      throw fail(`${flag} is missing: a random case needs --seed, --vocab, --d-model, --hidden and --tau (see --help)`);
    }
    if (!/^-?[0-9]+$/.test(raw)) throw fail(`${flag} ${argText(raw)} is not an integer: ${rangeText(opt)}`);
    const v = Number(raw);
    const [lo, hi] = RANDOM_CASE_RANGES[opt];
    if (v < lo || v > hi) throw fail(`${flag} ${argText(raw)} is out of range: ${rangeText(opt)}`);
    options[opt] = v;
  }
  const h0 = given.get("h0");
  if (h0 !== undefined) {
    if (!(H0_KINDS as readonly string[]).includes(h0)) {
      throw fail(`--h0 ${argText(h0)} is not an h0 convention: expected ${H0_KINDS.join(" or ")}`);
    }
    options.h0 = h0 as H0Kind;
  }
  return { kind: "random", options };
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
      return randomCaseOutput(cmd.options);
  }
}
