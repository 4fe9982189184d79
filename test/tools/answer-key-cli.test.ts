/** lib/tools/answer-key-cli.ts and bin/answer-key.ts: the command line. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { answerKey, randomCaseOutput } from "../../lib/tools/answer-key.js";
import { USAGE, parseArgs, runCommand } from "../../lib/tools/answer-key-cli.js";
import { studentCaseText, studentOptions, studentSeed } from "../../lib/tools/problem-set.js";
import { caseToJson, randomCase } from "../../lib/tools/case.js";
import { InputError, MAX_MESSAGE_LENGTH } from "../../lib/core/tokens.js";
import { UNSAFE, expectOneLine } from "../one-line.js";
import { OPTS, base, json } from "./case-messages.js";

describe("parseArgs", () => {
  const flags = ["--seed", "1", "--vocab", "8", "--d-model", "4", "--hidden", "6", "--tau", "6"];
  const messageOf = (argv: string[]): string => {
    try {
      parseArgs(argv);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error("the arguments were accepted");
  };

  it("reads a file, standard input, the random-case options and --help", () => {
    expect(parseArgs(["case.json"])).toEqual({ kind: "case", file: "case.json" });
    expect(parseArgs(["-"])).toEqual({ kind: "case", file: "-" });
    expect(parseArgs(["--", "--odd-name.json"])).toEqual({ kind: "case", file: "--odd-name.json" });
    expect(parseArgs(flags)).toEqual({ kind: "random", options: { ...OPTS, h0: "zeros" }, part: "both" });
    expect(parseArgs([...flags.slice(2), "--seed=4294967295", "--h0", "point-one", "--only", "case"])).toEqual({
      kind: "random", options: { ...OPTS, seed: 4294967295, h0: "point-one" }, part: "case",
    });
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(runCommand({ kind: "help" }, () => "")).toBe(`${USAGE}\n`);
  });

  it("property: any arguments give a command or one short safe InputError line", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...flags, "--h0", "-", "--", "--tau=1e3"), fc.string({ unit: "binary" }))), (argv) => {
        try {
          parseArgs(argv);
        } catch (e) {
          expectOneLine(e);
        }
      }),
      { numRuns: 200 },
    );
    expect(messageOf(["--seed", "9".repeat(1_000_000), ...flags.slice(2)])).toBe(
      `--seed "${"9".repeat(38)}… is out of range: expected an integer from 0 to 4294967295`,
    );
    expect(messageOf(["a\u2028.json", "b\n.json"])).toBe('expected one case FILE, got 2: "a\\u2028.json", "b\\n.json" (see --help)');
  });

  it("rejects bad arguments with one line", () => {
    expect(messageOf([])).toBe(
      "no case given: pass a case FILE, - for standard input, or --seed S --vocab N --d-model D --hidden H --tau T (see --help)",
    );
    expect(messageOf(["a.json", "b.json"])).toBe("expected one case FILE, got 2: a.json, b.json (see --help)");
    expect(messageOf(["a.json", "--seed", "1"])).toBe(
      "give either a case FILE (or - for standard input) or the random-case options, not both (see --help)",
    );
    expect(messageOf(["--sed", "1"])).toBe(
      "unknown option --sed: expected --seed, --base-seed, --student, --vocab, --d-model, --hidden, --tau, --h0, --only or a case FILE (see --help)",
    );
    expect(messageOf(flags.slice(0, 8))).toBe(
      "--tau is missing: a random case needs --seed (or --base-seed and --student), --vocab, --d-model, --hidden and --tau (see --help)",
    );
    expect(messageOf([...flags.slice(0, 9), "--h0", "zeros"])).toBe(
      "--tau needs a value: expected an integer from 1 to 1024",
    );
    expect(messageOf([...flags.slice(0, 9)])).toBe("--tau needs a value: expected an integer from 1 to 1024");
    expect(messageOf([...flags.slice(0, 9), "0"])).toBe("--tau 0 is out of range: expected an integer from 1 to 1024");
    expect(messageOf([...flags.slice(0, 9), "1e3"])).toBe("--tau 1e3 is not an integer: expected an integer from 1 to 1024");
    expect(messageOf(["--seed", "4294967296", ...flags.slice(2)])).toBe(
      "--seed 4294967296 is out of range: expected an integer from 0 to 4294967295",
    );
    expect(messageOf(["--d-model", "257", ...flags.slice(0, 4), ...flags.slice(6)])).toBe(
      "--d-model 257 is out of range: expected an integer from 1 to 256",
    );
    expect(messageOf([...flags, "--h0", "ones"])).toBe("--h0 ones is not an h0 convention: expected zeros or point-one");
    expect(messageOf([...flags, "--seed", "2"])).toBe("--seed is given twice");
    expect(messageOf([...flags, "--only", "both"])).toBe("--only both is not a part of the output: expected case or answer");
    expect(messageOf([...flags, "--only"])).toBe("--only needs a value: expected case or answer");
  });

  it("derives a student's seed from --base-seed and --student, as the Problem sets page does", () => {
    const sizes = flags.slice(2);
    expect(parseArgs(["--base-seed", "2025", "--student", "s-17", ...sizes])).toEqual({
      kind: "random", options: { ...OPTS, seed: studentSeed(2025, "s-17"), h0: "zeros" }, part: "both",
    });
    expect(messageOf(["--base-seed", "2025", ...sizes])).toBe(
      "--student is missing: a student's case needs --base-seed B and --student ID (see --help)",
    );
    expect(messageOf(["--student", "7", ...sizes])).toBe(
      "--base-seed is missing: a student's case needs --base-seed B and --student ID (see --help)",
    );
    expect(messageOf(["--base-seed", "1", "--student", "7", ...flags])).toBe(
      "give either --seed or --base-seed with --student, not both: the student's seed is derived from the base seed (see --help)",
    );
    expect(messageOf(["--base-seed", "1", "--student", "a b", ...sizes])).toBe(
      '--student "a b" is not a student id: expected 1 to 40 letters, digits, ".", "_", "@" or "-"',
    );
    expect(messageOf(["--base-seed", "-1", "--student", "7", ...sizes])).toBe(
      "--base-seed -1 is out of range: expected an integer from 0 to 4294967295",
    );
  });
});

describe("the CLI, end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "answer-key-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input?: string | Uint8Array) => {
    const r = spawnSync("node_modules/.bin/tsx", ["bin/answer-key.ts", ...args], {
      cwd: join(import.meta.dirname, "../.."), input: input ?? "", encoding: "utf8", maxBuffer: 1 << 20,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** Wall time of `run`, in seconds, with its result. */
  const timed = (args: string[], input?: string | Uint8Array) => {
    const t = performance.now();
    const r = run(args, input);
    return { ...r, seconds: (performance.now() - t) / 1000 };
  };
  /** Exit status 2, nothing on standard output, one line of at most MAX_MESSAGE_LENGTH safe characters on standard error. */
  const expectRefused = (r: { status: number | null; stdout: string; stderr: string }): string => {
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.endsWith("\n")).toBe(true);
    const line = r.stderr.slice(0, -1);
    expect(line).not.toMatch(UNSAFE);
    expect(line.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    return line;
  };
  const caseText = json(caseToJson(randomCase({ ...OPTS, h0: "point-one" })));
  const expected = answerKey(caseText);
  const randomFlags = ["--seed", "3", "--vocab", "5", "--d-model", "2", "--hidden", "3", "--tau", "4"];

  it("answers a case from a file and from standard input", () => {
    const file = join(dir, "case.json");
    writeFileSync(file, caseText);
    const fromFile = run([file]);
    expect(fromFile).toEqual({ status: 0, stdout: expected, stderr: "" });
    expect(run(["-"], caseText)).toEqual({ status: 0, stdout: expected, stderr: "" });
  });

  it("prints a random case and its answer, the same bytes every run", () => {
    const first = run(randomFlags);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe("");
    expect(run(randomFlags).stdout).toBe(first.stdout);
    expect(first.stdout).toBe(randomCaseOutput({ seed: 3, vocab: 5, dModel: 2, hidden: 3, tau: 4 }));
  });

  it("prints a student's case, answer or both: the bytes the Problem sets page makes for that student", () => {
    const set = { sizes: { vocab: 4, dModel: 2, hidden: 3, tau: 3 }, h0: "point-one" as const, seed: 2025 };
    const args = ["--base-seed", "2025", "--student", "s.17@uni", "--vocab", "4", "--d-model", "2", "--hidden", "3", "--tau", "3", "--h0", "point-one"];
    const caseOnly = run([...args, "--only", "case"]);
    expect(caseOnly).toEqual({ status: 0, stdout: studentCaseText(set, "s.17@uni"), stderr: "" });
    const both = run(args).stdout;
    // The same bytes as the plain generated mode with the derived seed: the page's list shows that seed.
    const seed = studentOptions(set, "s.17@uni").seed;
    expect(run(["--seed", String(seed), ...args.slice(4)]).stdout).toBe(both);
    expect(JSON.parse(both).case).toEqual(JSON.parse(caseOnly.stdout));
    expect(run([...args, "--only", "answer"]).stdout).toBe(`${JSON.stringify(JSON.parse(both).answer)}\n`);
  });

  it("exits 2 with one line on standard error and nothing on standard output for bad input", () => {
    const ragged = join(dir, "ragged.json");
    const c = base();
    c.E[2]!.pop();
    writeFileSync(ragged, json(c));
    const cases: [string[], string | undefined, string | RegExp][] = [
      [[ragged], undefined, "E[2] has 3 entries, expected 4 (d_model, from E[0])"],
      [["-"], '{"E": }', /^case is not valid JSON: /],
      [["-"], json({ ...base(), inputs: [0, 1, 2, 9, 0, 1] }), "inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)"],
      [[join(dir, "missing.json")], undefined, /^cannot read .*missing\.json: ENOENT/],
      [[...randomFlags.slice(0, 9), "0"], undefined, "--tau 0 is out of range: expected an integer from 1 to 1024"],
    ];
    for (const [args, input, message] of cases) {
      const r = run(args, input);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.endsWith("\n") && r.stderr.indexOf("\n") === r.stderr.length - 1, r.stderr).toBe(true);
      if (typeof message === "string") expect(r.stderr).toBe(`${message}\n`);
      else expect(r.stderr.trimEnd()).toMatch(message);
    }
  });

  it("refuses a 40 MB case from a file (on its size, unread) and from standard input (reading stops at the limit) quickly", () => {
    const big = `{"E": [[${"0.1234567890123456,".repeat(2_200_000)}1]]}`; // 41.8 MB
    const file = join(dir, "big.json");
    writeFileSync(file, big);
    // Against the tool's own start-up (tsx compiles it: 2–4 s on a busy machine), measured alongside. Idle, a file
    // is refused as fast as "{}" and a pipe adds about half a second (the writer pushes 32 MiB before the stop);
    // the margin is for the machine's load. Reading all 40 MB, or parsing it, would add far more.
    const startup = timed(["-"], "{}");
    expectRefused(startup);
    const fromFile = timed([file]);
    expect(expectRefused(fromFile)).toBe(
      "case is 41800012 bytes, over the limit of 33554432 bytes (32 MiB): a case within the size limits (vocab ≤ 512, d_model ≤ 256, hidden ≤ 512, τ ≤ 1024) takes at most about 30 MB",
    );
    const fromPipe = timed(["-"], big);
    expect(expectRefused(fromPipe)).toMatch(/^case is over the limit of 33554432 bytes \(32 MiB\): /);
    for (const r of [fromFile, fromPipe]) expect(r.seconds).toBeLessThan(startup.seconds + 3);
  });

  it("refuses deep nesting, control characters and bytes that are not UTF-8 with one line", () => {
    const deep = timed(["-"], "[".repeat(10_000_000));
    expect(expectRefused(deep)).toBe(`case${"[0]".repeat(16)} is nested more than 16 levels deep: a case nests 3 (an object of matrices of rows)`);
    // Raw U+2028, U+2029 and NEL may stand in a JSON string; raw CR and LF may not.
    expect(expectRefused(run(["-"], '{"E\u2028\u2029\u0085": 1}'))).toBe(
      'case has an unknown field "E\\u2028\\u2029\\u0085": expected only E, U, W, b, V, c, h0, inputs, targets, vocab',
    );
    expect(expectRefused(run(["-"], '{"E\r\n": 1}'))).toMatch(/^case is not valid JSON: /);
    expect(expectRefused(run(["-"], new Uint8Array([0x7b, 0x0a, 0x22, 0xff, 0x22, 0x7d])))).toBe(
      "case is not UTF-8 text: byte 3 (line 2) is 0xFF, which UTF-8 does not allow there; save it as UTF-8",
    );
    expect(expectRefused(run(["-"], "\u0000"))).toMatch(/^case is not valid JSON: .*\\u0000/);
    expect(expectRefused(run(["-"], ""))).toBe("case is empty: expected a JSON object");
    expect(expectRefused(run(["-"], "7"))).toMatch(/^case is not a JSON object: .*got a number$/);
    expect(expectRefused(run(["-"], json({ ...base(), vocab: ["a", "b", "c", "d", "e", "f", "x".repeat(4e6), "x".repeat(4e6)] })))).toBe(
      `vocab[7] = "${"x".repeat(38)}… repeats vocab[6]: token names must be distinct`,
    );
  });
});
