/**
 * The answer key on the command line (the work is done in lib/answer-key.ts):
 *
 *   npm run --silent answer-key -- FILE        the answer to the case in FILE ("-": standard input)
 *   npm run --silent answer-key -- --seed S --vocab N --d-model D --hidden H --tau T [--h0 zeros|point-one]
 *                                              a random case and its answer, {"case": …, "answer": …}
 *
 * Prints one line of JSON. A bad case or bad arguments: exit status 2, one line on standard error, nothing on
 * standard output. Anything unexpected (a bug): exit status 1, one line on standard error.
 */
import { readFileSync } from "node:fs";
import { InputError, oneLine, parseArgs, runCommand } from "../lib/answer-key.js";

function read(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    const what = file === "-" ? "standard input" : file;
    throw new InputError(oneLine(`cannot read ${what}: ${e instanceof Error ? e.message : String(e)}`));
  }
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  process.stderr.write(`answer-key: cannot write the answer: ${oneLine(e.message)}\n`);
  process.exit(1);
});

try {
  const out = runCommand(parseArgs(process.argv.slice(2)), read);
  process.stdout.write(out);
} catch (e) {
  if (e instanceof InputError) {
    process.stderr.write(`${oneLine(e.message)}\n`);
    process.exitCode = 2;
  } else {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`answer-key: unexpected error: ${oneLine(msg)}\n`);
    process.exitCode = 1;
  }
}
