/**
 * What test/browser/same-bits.test.ts computes both in Node and (bundled by esbuild into one classic script) in
 * every browser engine. Every double is returned as the hex of its 64 bits, so −0, subnormals and the last bit all
 * count; the answer key's output is returned as the very bytes `npm run --silent answer-key -- ARGV` prints.
 */
import { exp, log, tanh } from "../../lib/core/libm.js";
import { parseArgs, runCommand } from "../../lib/tools/answer-key-cli.js";
import { backward, paramGrads } from "../../lib/derivation/backward.js";
import { lossAndGrads, makeWorkspace } from "../../lib/fast/fast.js";
import { forward } from "../../lib/derivation/forward.js";
import { PARAM_NAMES, initParams, initialHidden } from "../../lib/derivation/model.js";
import { makeRng } from "../../lib/core/rng.js";
import { GOLDEN_CASES } from "../golden/cases.js";

const cell = new Float64Array(1);
const words = new Uint32Array(cell.buffer);
/** The 64 bits of x in hex; every NaN as "nan" (engines may keep different NaN payloads, and no number is lost). */
export const hex = (x: number): string => {
  if (x !== x) return "nan";
  cell[0] = x;
  return words[1]!.toString(16).padStart(8, "0") + words[0]!.toString(16).padStart(8, "0");
};

/** How many arguments each function is probed at. */
export const ARGUMENTS_PER_FUNCTION = 120_000;

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 1, -1, 0.5, 2];

/**
 * The arguments, seeded: for exp, (−40, 0) (softmax's shifted logits), (−16, 16) and the whole range (−745, 710);
 * for log, (0, 1], (1, 100) and (1, 2)·2^(−1074 … 1023) (subnormals to the largest double); for tanh, (−8, 8), (−25, 25) and
 * (−1e-3, 1e-3). A few special values first.
 */
export function probeArguments(): Record<"exp" | "log" | "tanh", number[]> {
  const rng = makeRng(2026);
  const n = (ARGUMENTS_PER_FUNCTION - SPECIAL.length) / 3;
  const spread = (parts: (() => number)[]) => [...SPECIAL, ...parts.flatMap((f) => Array.from({ length: n }, f))];
  const u = () => rng.next();
  // 2^k by exact halvings and doublings: \`2 ** k\` is Math.pow, which engines need not round alike.
  const pow2 = (k: number) => {
    let v = 1;
    for (; k > 0; k--) v *= 2;
    for (; k < 0; k++) v /= 2;
    return v;
  };
  return {
    exp: spread([() => -40 * u(), () => 32 * (u() - 0.5), () => -745 + 1455 * u()]),
    log: spread([() => 1 - u(), () => 1 + 99 * u(), () => (1 + u()) * pow2(Math.floor(2098 * u()) - 1074)]),
    tanh: spread([() => 16 * (u() - 0.5), () => 50 * (u() - 0.5), () => 2e-3 * (u() - 0.5)]),
  };
}

/** Generated answer-key cases beyond the golden ones: larger, so that every kind of step is exercised. */
export const PROBE_CASES: readonly (readonly string[])[] = [
  ["--seed", "3", "--vocab", "65", "--d-model", "24", "--hidden", "48", "--tau", "8", "--h0", "point-one"],
  ["--seed", "11", "--vocab", "30", "--d-model", "12", "--hidden", "40", "--tau", "12"],
  ["--seed", "123456789", "--vocab", "10", "--d-model", "8", "--hidden", "16", "--tau", "30", "--h0", "point-one"],
  ["--seed", "42", "--vocab", "7", "--d-model", "3", "--hidden", "5", "--tau", "64"],
];

/** Every case's argument list, golden ones first, keyed as it appears in a report. */
export function answerKeyCases(): [string, readonly string[]][] {
  return [
    ...GOLDEN_CASES.map((c) => [`answer-key ${c.name}`, c.argv] as [string, readonly string[]]),
    ...PROBE_CASES.map((argv) => [`answer-key ${argv.join(" ")}`, argv] as [string, readonly string[]]),
  ];
}

export type ProbeResult = Record<string, string[]>;

export function run(): ProbeResult {
  const args = probeArguments();
  const sizes = { vocab: 11, dModel: 5, hidden: 9 }, tau = 7;
  const p = initParams(sizes, makeRng(17));
  const inputs = [3, 1, 4, 1, 5, 9, 2], targets = [1, 4, 1, 5, 9, 2, 6];
  const h0 = initialHidden("point-one", sizes.hidden);
  const ws = makeWorkspace(sizes, tau);
  const fastLoss = lossAndGrads(p, inputs, targets, h0, ws);
  const f = forward(p, inputs, targets, h0);
  const g = paramGrads(backward(p, f, inputs, targets));
  const flat = (grads: Record<string, Float64Array | { data: Float64Array }>) =>
    PARAM_NAMES.flatMap((n) => Array.from("data" in grads[n]! ? (grads[n] as { data: Float64Array }).data : (grads[n] as Float64Array), hex));
  const noFile = (): never => { throw new Error("a random case reads no file"); };
  const out: ProbeResult = {
    kernels: [ws.k.kind], // "wasm": the products ran in WebAssembly SIMD
    exp: args.exp.map((x) => hex(exp(x))),
    log: args.log.map((x) => hex(log(x))),
    tanh: args.tanh.map((x) => hex(tanh(x))),
    "lib/fast/fast.ts": [hex(fastLoss), ...flat(ws.grads)],
    "lib/derivation/backward.ts": [hex(f.loss), ...flat(g as unknown as Record<string, Float64Array | { data: Float64Array }>)],
  };
  for (const [key, argv] of answerKeyCases()) out[key] = [runCommand(parseArgs(argv), noFile)];
  return out;
}
