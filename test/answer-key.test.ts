import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CaseJson, InputError, USAGE, answerCase, answerKey, caseToJson, parseArgs, parseCase, randomCase,
  randomCaseOutput, runCommand, validateCase,
} from "../lib/answer-key.js";
import { discrepancy, numericalHiddenGrads, numericalParamGrads } from "../lib/gradcheck.js";
import { forward } from "../lib/forward.js";
import { fromRows } from "../lib/matrix.js";
import { PARAM_NAMES } from "../lib/model.js";
import { FD_REL_TOL } from "../lib/tolerances.js";

/** Backward pass against central differences (ε = 1e-5): expected agreement about 1e-10, allow 1e-7. */

/** The spec's running example: vocab 8, d_model 4, hidden 6, τ 6. */
const OPTS = { seed: 1, vocab: 8, dModel: 4, hidden: 6, tau: 6 } as const;
const base = (): CaseJson => caseToJson(randomCase(OPTS));
const json = (c: unknown): string => JSON.stringify(c);

/** The message parseCase gives for `text`, or a failure if it accepts it. */
function messageFor(text: string): string {
  try {
    parseCase(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const m = (e as Error).message;
    expect(m).not.toMatch(/[\r\n]/);
    return m;
  }
  throw new Error("the case was accepted");
}
/** The message for the base case with `edit` applied. */
const messageAfter = (edit: (c: Record<string, unknown>) => void): string => {
  const c = base() as unknown as Record<string, unknown>;
  edit(c);
  return messageFor(json(c));
};

describe("parseCase: what a bad case is told", () => {
  it("accepts the base case and reads the sizes off it", () => {
    const k = parseCase(json(base()));
    expect(k.sizes).toEqual({ vocab: 8, dModel: 4, hidden: 6, tau: 6 });
    expect(k.vocab).toBeUndefined();
  });

  it("rejects text that is not a JSON object", () => {
    expect(messageFor("")).toBe("case is empty: expected a JSON object");
    expect(messageFor(" \n")).toBe("case is empty: expected a JSON object");
    // The rest of the message is the JavaScript engine's, which varies between versions.
    expect(messageFor('{"E": }')).toMatch(/^case is not valid JSON: \S/);
    expect(messageFor('{\n"E": [1,\n]}')).toMatch(/^case is not valid JSON: \S/);
    expect(messageFor("[1, 2]")).toBe(
      "case is not a JSON object: expected an object with fields E, U, W, b, V, c, inputs, targets (h0 and vocab optional), got an array",
    );
    expect(messageFor("null")).toMatch(/^case is not a JSON object: .*, got null$/);
  });

  it("accepts a leading byte-order mark", () => {
    expect(parseCase(`\ufeff${json(base())}`).sizes.tau).toBe(6);
  });

  it("rejects unknown and missing fields", () => {
    expect(messageAfter((c) => { c.h_0 = [0]; })).toBe(
      'case has an unknown field "h_0": expected only E, U, W, b, V, c, h0, inputs, targets, vocab',
    );
    expect(messageFor('{"__proto__": 1}')).toMatch(/^case has an unknown field "__proto__"/);
    expect(messageAfter((c) => { delete c.targets; })).toBe(
      'case is missing field "targets": expected the target token ids, one per input',
    );
    expect(messageAfter((c) => { delete c.E; })).toBe(
      'case is missing field "E": expected the embedding table, a vocab × d_model matrix',
    );
  });

  it("rejects a bad E, the matrix that fixes vocab and d_model", () => {
    expect(messageAfter((c) => { c.E = 3; })).toBe("E is not an array of rows: expected a vocab × d_model matrix, got a number");
    expect(messageAfter((c) => { c.E = []; })).toBe("E has no rows: expected a vocab × d_model matrix with at least one row");
    expect(messageAfter((c) => { c.E = [[], []]; })).toBe("E[0] is empty: expected a row of d_model ≥ 1 numbers");
    expect(messageAfter((c) => { (c.E as unknown[])[1] = { a: 1 }; })).toBe(
      "E[1] is not an array: expected a row of numbers, got an object",
    );
    expect(messageAfter((c) => { (c.E as number[][])[2]!.pop(); })).toBe("E[2] has 3 entries, expected 4 (d_model, from E[0])");
    expect(messageAfter((c) => { (c.E as unknown[][])[1]![2] = "x"; })).toBe('E[1][2] = "x" is not a number');
    expect(messageAfter((c) => { (c.E as unknown[][])[1]![2] = null; })).toBe("E[1][2] = null is not a number");
  });

  it("rejects U, W and V that do not fit, saying where the sizes come from", () => {
    expect(messageAfter((c) => { c.U = []; })).toBe("U has no rows: expected a hidden × d_model matrix with at least one row");
    expect(messageAfter((c) => { c.U = (c.U as number[][]).map((r) => r.slice(1)); })).toBe(
      "U is 6×3, expected 6×4 (hidden × d_model, d_model = 4 from E)",
    );
    expect(messageAfter((c) => { (c.U as number[][])[2]!.pop(); })).toBe("U[2] has 3 entries, expected 4 (d_model, from E)");
    expect(messageAfter((c) => { c.W = (c.W as number[][]).slice(1).map((r) => r.slice(1)); })).toBe(
      "W is 5×5, expected 6×6 (hidden × hidden, hidden = 6 from U)",
    );
    expect(messageAfter((c) => { (c.W as number[][])[3]!.pop(); })).toBe("W[3] has 5 entries, expected 6 (hidden, from U)");
    expect(messageAfter((c) => { c.W = []; })).toBe("W has no rows, expected 6×6 (hidden × hidden, hidden = 6 from U)");
    expect(messageAfter((c) => { c.V = (c.V as number[][]).map((r) => r.slice(1)); })).toBe(
      "V is 8×5, expected 8×6 (vocab × hidden, vocab = 8 from E, hidden = 6 from U)",
    );
    expect(messageAfter((c) => { c.V = (c.V as number[][]).slice(1); })).toBe(
      "V is 7×6, expected 8×6 (vocab × hidden, vocab = 8 from E, hidden = 6 from U)",
    );
  });

  it("rejects vectors of the wrong length and numbers that are not finite", () => {
    expect(messageAfter((c) => { c.b = "0"; })).toBe(
      "b is not an array: expected a list of 6 numbers (hidden, from U), got a string",
    );
    expect(messageAfter((c) => { (c.b as number[]).pop(); })).toBe("b has 5 entries, expected 6 (hidden, from U)");
    expect(messageAfter((c) => { (c.c as number[]).pop(); })).toBe("c has 7 entries, expected 8 (vocab, from E)");
    expect(messageAfter((c) => { c.h0 = [0, 0]; })).toBe("h0 has 2 entries, expected 6 (hidden, from U)");
    // JSON has no Infinity, but a number too large for float64 parses to it.
    const c = base();
    const text = json(c).replace(`"b":[${c.b[0]},${c.b[1]}`, `"b":[${c.b[0]},1e400`);
    expect(messageFor(text)).toBe("b[1] = Infinity is not a finite number");
    expect(messageFor(json(c).replace(`"h0":[0`, `"h0":[-1e999`))).toBe("h0[0] = -Infinity is not a finite number");
    // A page may hand validateCase an object with NaN in it.
    expect(() => validateCase({ ...base(), c: [NaN, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      new InputError("c[0] = NaN is not a finite number"),
    );
  });

  it("rejects token sequences with the messages of lib/tokens.ts", () => {
    expect(messageAfter((c) => { (c.inputs as number[])[3] = 9; })).toBe(
      "inputs[3] = 9 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageAfter((c) => { (c.targets as number[])[0] = 1.5; })).toBe(
      "targets[0] = 1.5 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageAfter((c) => { (c.inputs as unknown[])[2] = "3"; })).toBe(
      'inputs[2] = "3" is not a token id: the vocabulary has 8 tokens (ids 0 to 7)',
    );
    expect(messageAfter((c) => { (c.inputs as number[])[1] = -1; })).toBe(
      "inputs[1] = -1 is not a token id: the vocabulary has 8 tokens (ids 0 to 7)",
    );
    expect(messageFor(json(base()).replace(/"targets":\[\d+/, '"targets":[1e400'))).toBe(
      "targets[0] = Infinity is not a finite number",
    );
    expect(messageAfter((c) => { c.inputs = []; c.targets = []; })).toBe("inputs is empty: expected at least one token");
    expect(messageAfter((c) => { (c.targets as number[]).pop(); })).toBe(
      "targets has 5 tokens but inputs has 6: expected one target per input",
    );
    expect(messageAfter((c) => { c.inputs = { 0: 1 }; })).toBe(
      "inputs is not an array: expected a list of token ids, got an object",
    );
  });

  it("checks the optional vocab list", () => {
    const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    expect(parseCase(json({ ...base(), vocab: names })).vocab).toEqual(names);
    expect(messageFor(json({ ...base(), vocab: names.slice(1) }))).toBe("vocab has 7 names, expected 8 (one per token, from E)");
    expect(messageFor(json({ ...base(), vocab: [...names.slice(0, 7), 8] }))).toBe("vocab[7] = 8 is not a string");
    expect(messageFor(json({ ...base(), vocab: [...names.slice(0, 7), "c"] }))).toBe(
      'vocab[7] = "c" repeats vocab[2]: token names must be distinct',
    );
    expect(messageFor(json({ ...base(), vocab: "abcdefgh" }))).toBe(
      "vocab is not an array: expected a list of 8 token names (one per token, from E), got a string",
    );
  });

  it("rejects a case whose numbers overflow float64 rather than print null", () => {
    const c = base();
    c.E = c.E.map((r) => r.map(() => 1e300));
    c.U = c.U.map((r) => r.map(() => 1e300));
    expect(() => answerCase(parseCase(json(c)))).toThrow(
      new InputError("the case's numbers are too large for float64: the answer's a[0][0] came out Infinity"),
    );
  });
});

describe("answerCase", () => {
  it("gives every quantity of eqs 1.1–1.7 and 4.1–4.9 with the documented shapes", () => {
    const a = answerCase(randomCase(OPTS));
    const { vocab: V, dModel: d, hidden: H, tau } = OPTS;
    const shape = (m: number[][]) => [m.length, ...new Set(m.map((r) => r.length))];
    expect(Object.keys(a)).toEqual([
      "sizes", "loss", "L_t", "h0", "x", "a", "h", "o", "yhat", "dL_do", "dL_dh", "dL_da", "dL_dc", "dL_db", "dL_dV",
      "dL_dW", "dL_dU", "dL_dE",
    ]);
    expect(a.sizes).toEqual({ vocab: V, d_model: d, hidden: H, tau });
    expect(a.L_t).toHaveLength(tau);
    expect(a.h0).toEqual([0, 0, 0, 0, 0, 0]);
    for (const [m, s] of [
      [a.x, [tau, d]], [a.a, [tau, H]], [a.h, [tau, H]], [a.o, [tau, V]], [a.yhat, [tau, V]], [a.dL_do, [tau, V]],
      [a.dL_dh, [tau, H]], [a.dL_da, [tau, H]], [a.dL_dV, [V, H]], [a.dL_dW, [H, H]], [a.dL_dU, [H, d]], [a.dL_dE, [V, d]],
    ] as const) expect(shape(m as number[][])).toEqual(s);
    expect(a.dL_dc).toHaveLength(V);
    expect(a.dL_db).toHaveLength(H);
    expect(a.loss).toBeCloseTo(a.L_t.reduce((s, v) => s + v, 0) / tau, 14);
    for (const r of a.yhat) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  it("matches a case worked by hand: all-zero parameters give ŷ = ½ and L = log 2", () => {
    const z = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(0));
    const text = json({ E: z(2, 1), U: z(1, 1), W: z(1, 1), b: [0], V: z(2, 1), c: [0, 0], inputs: [0, 1], targets: [1, 1] });
    const a = JSON.parse(answerKey(text));
    expect(a.loss).toBe(Math.log(2));
    expect(a.L_t).toEqual([Math.log(2), Math.log(2)]);
    expect(a.yhat).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expect(a.dL_do).toEqual([[0.25, -0.25], [0.25, -0.25]]); // (ŷ − 1{i = y}) / τ, eq 4.1
    expect(a.dL_dc).toEqual([0.5, -0.5]); // eq 4.4
    expect(a.dL_dE).toEqual([[0], [0]]); // V = 0 cuts every path back to E
  });

  it("agrees with central differences (lib/gradcheck.ts) for every parameter, h⁽ᵗ⁾ and o⁽ᵗ⁾", () => {
    for (const h0 of ["zeros", "point-one"] as const) {
      const k = randomCase({ seed: 7, vocab: 5, dModel: 3, hidden: 4, tau: 5, h0 });
      const a = answerCase(k);
      const numeric = numericalParamGrads(k.params, k.inputs, k.targets, k.h0);
      const analytic = { E: a.dL_dE, U: a.dL_dU, W: a.dL_dW, b: a.dL_db, V: a.dL_dV, c: a.dL_dc };
      for (const name of PARAM_NAMES) {
        const g = analytic[name];
        const m = Array.isArray(g[0]) ? fromRows(g as number[][]) : Float64Array.from(g as number[]);
        expect(discrepancy(m, numeric[name]).relError, `dL_d${name}, h0 ${h0}`).toBeLessThan(FD_REL_TOL);
      }
      const f = forward(k.params, k.inputs, k.targets, k.h0);
      const dh = numericalHiddenGrads(k.params, f, k.inputs, k.targets);
      expect(discrepancy(fromRows(a.dL_dh), dh).relError, `dL_dh, h0 ${h0}`).toBeLessThan(FD_REL_TOL);
      if (h0 === "point-one") expect(a.h0).toEqual([0.1, 0.1, 0.1, 0.1]);
    }
  });

  it("round-trips: a random case written as JSON and parsed back gives exactly the same answer", () => {
    const k = randomCase({ ...OPTS, h0: "point-one" });
    const again = parseCase(json(caseToJson(k)));
    expect(again.params).toEqual(k.params);
    expect(again.h0).toEqual(k.h0);
    expect(answerCase(again)).toEqual(answerCase(k));
    expect(answerKey(json(caseToJson(k)))).toBe(`${json(answerCase(k))}\n`);
  });
});

describe("random cases", () => {
  it("are next-token cases, and the same options give the same bytes", () => {
    const k = randomCase(OPTS);
    expect(k.inputs.slice(1)).toEqual(k.targets.slice(0, -1));
    const out = randomCaseOutput(OPTS);
    expect(randomCaseOutput({ ...OPTS })).toBe(out);
    expect(randomCaseOutput({ ...OPTS, seed: 2 })).not.toBe(out);
    expect(Object.keys(JSON.parse(out))).toEqual(["case", "answer"]);
    expect(out.endsWith("}\n") && out.indexOf("\n") === out.length - 1).toBe(true);
  });

  it("reject options out of range", () => {
    expect(() => randomCase({ ...OPTS, vocab: 513 })).toThrow(
      new InputError("vocab = 513 is out of range: expected an integer from 1 to 512"),
    );
    expect(() => randomCase({ ...OPTS, seed: -1 })).toThrow(
      new InputError("seed = -1 is out of range: expected an integer from 0 to 4294967295"),
    );
    expect(() => randomCase({ ...OPTS, tau: 1.5 })).toThrow(InputError);
  });
});

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
    expect(parseArgs(flags)).toEqual({ kind: "random", options: { ...OPTS, h0: "zeros" } });
    expect(parseArgs([...flags.slice(2), "--seed=4294967295", "--h0", "point-one"])).toEqual({
      kind: "random", options: { ...OPTS, seed: 4294967295, h0: "point-one" },
    });
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(runCommand({ kind: "help" }, () => "")).toBe(`${USAGE}\n`);
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
      "unknown option --sed: expected --seed, --vocab, --d-model, --hidden, --tau, --h0 or a case FILE (see --help)",
    );
    expect(messageOf(flags.slice(0, 8))).toBe(
      "--tau is missing: a random case needs --seed, --vocab, --d-model, --hidden and --tau (see --help)",
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
  });
});

describe("the CLI, end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "answer-key-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], input?: string) => {
    const r = spawnSync("node_modules/.bin/tsx", ["bin/answer-key.ts", ...args], {
      cwd: "/work/main", input: input ?? "", encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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
});
