/**
 * The answer key on the command line (the work is done in lib/tools/answer-key-cli.ts and the modules it uses):
 *
 *   npm run --silent answer-key -- FILE        the answer to the case in FILE ("-": standard input)
 *   npm run --silent answer-key -- --seed S --vocab N --d-model D --hidden H --tau T [--h0 zeros|point-one]
 *                                              a random case and its answer, {"case": …, "answer": …}
 *   npm run --silent answer-key -- --base-seed B --student ID --vocab N …
 *                                              the same for student ID of a problem set of base seed B: the seed is
 *                                              derived as on the Problem sets page (lib/tools/problem-set.ts)
 *   … --only case | --only answer             the case alone (the file a student gets) or the answer alone
 *
 * Prints one line of JSON. A bad case or bad arguments: exit status 2, one line on standard error, nothing on
 * standard output. Anything unexpected (a bug): exit status 1, one line on standard error.
 *
 * A case file larger than MAX_CASE_BYTES is refused on its size before a byte is read; standard input (or a pipe or
 * device given as FILE, whose size stat cannot tell) is read only until it passes the limit.
 */
import { createReadStream, fstatSync, statSync } from "node:fs";
import type { Readable } from "node:stream";
import { parseArgs, runCommand } from "../lib/tools/answer-key-cli.js";
import { MAX_CASE_BYTES, caseTooLargeError, decodeCase } from "../lib/tools/case.js";
import { InputError, oneLine } from "../lib/core/tokens.js";

const cannotRead = (what: string, e: unknown) =>
  new InputError(oneLine(`cannot read ${what}: ${e instanceof Error ? e.message : String(e)}`));

async function readCase(file: string): Promise<string> {
  const what = file === "-" ? "standard input" : file;
  let size: number;
  try {
    // Standard input redirected from a file (`< case.json`) has a size too.
    const st = file === "-" ? fstatSync(0) : statSync(file);
    size = st.isFile() ? st.size : 0;
  } catch (e) {
    throw cannotRead(what, e);
  }
  if (size > MAX_CASE_BYTES) throw caseTooLargeError(size);
  const stream: Readable = file === "-" ? process.stdin : createReadStream(file);
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      // Leaving the loop destroys the stream: nothing past the limit is read or kept.
      if (bytes > MAX_CASE_BYTES) throw caseTooLargeError();
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    throw e instanceof InputError ? e : cannotRead(what, e);
  }
  return decodeCase(Buffer.concat(chunks, bytes));
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  process.stderr.write(`answer-key: cannot write the answer: ${oneLine(e.message)}\n`);
  process.exit(1);
});

try {
  const cmd = parseArgs(process.argv.slice(2));
  const text = cmd.kind === "case" ? await readCase(cmd.file) : "";
  process.stdout.write(runCommand(cmd, () => text));
} catch (e) {
  if (e instanceof InputError) {
    process.stderr.write(`${oneLine(e.message)}\n`);
    process.exitCode = 2;
  } else {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`answer-key: unexpected error: ${oneLine(msg)}\n`);
    process.exitCode = 1;
  }
  // Standard input may still be open (the case was refused part-way): do not wait for the writer to finish.
  process.stdin.destroy();
}
