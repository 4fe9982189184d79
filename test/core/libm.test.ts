/**
 * lib/core/libm.ts against a 40-digit reference (decimal.js, from each double's exact value) over the whole range of
 * each function, its special values, its table, and the rule that keeps engines out of lib's numbers: no numeric
 * module calls a Math function outside the allow-list of exactly specified ones.
 *
 * LIBM_SAMPLES=<n> raises the number of random arguments per range (default 600) for a longer measurement; the test
 * prints the worst error it found for each range.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { EXP2_TABLE } from "../../lib/core/libm-tables.js";
import { MAX_ULP, atanh, exp, log, log1p, tanh } from "../../lib/core/libm.js";
import { makeRng } from "../../lib/core/rng.js";
import { exp2Table } from "../../scripts/libm-tables.js";

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15, minE: -9e15, maxE: 9e15 });
type Dec = InstanceType<typeof D>;

const cell = new Float64Array(1), words = new Uint32Array(cell.buffer);
const fields = (x: number) => {
  cell[0] = x;
  const e = (words[1]! >>> 20) & 0x7ff, m = (BigInt(words[1]! & 0xfffff) << 32n) | BigInt(words[0]!);
  return { neg: words[1]! >>> 31 === 1, e, m };
};

/** The exact value of a finite double as a Decimal (decimal.js's own conversion goes through the shortest string). */
function exact(x: number): Dec {
  if (x === 0) return new D(0);
  const { neg, e, m } = fields(x);
  const sig = e === 0 ? m : m | (1n << 52n), ex = (e === 0 ? 1 : e) - 1075;
  let text: string;
  if (ex >= 0) text = (sig << BigInt(ex)).toString();
  else {
    const digits = (sig * 5n ** BigInt(-ex)).toString().padStart(-ex + 1, "0");
    text = `${digits.slice(0, ex)}.${digits.slice(ex)}`;
  }
  return new D((neg ? "-" : "") + text);
}

/** |got − ref| in units of the last place of the true value ref (the spacing of doubles in ref's binade). */
function ulpError(got: number, ref: Dec): number {
  if (ref.isZero()) return got === 0 ? 0 : Infinity;
  const near = ref.toNumber();
  let { e } = fields(Math.abs(near));
  // ref just below a power of two can round up to it: its binade is the one below.
  if (fields(near).m === 0n && e > 0 && exact(Math.abs(near)).gt(ref.abs())) e -= 1;
  const ulp = new D(2).pow(Math.max(e, 1) - 1075);
  return exact(got).minus(ref).abs().div(ulp).toNumber();
}

const SAMPLES = Number(process.env.LIBM_SAMPLES ?? 600);

interface Range { name: string; draw: (u: number) => number }
const uniform = (lo: number, hi: number): Range["draw"] => (u) => lo + (hi - lo) * u;
/** Log-uniform magnitudes e^lo … e^hi: every binade in between gets its share. */
const logUniform = (lo: number, hi: number): Range["draw"] => (u) => Math.exp(lo + (hi - lo) * u);

function worst(f: (x: number) => number, ref: (x: Dec) => Dec, draw: Range["draw"], seed: number) {
  const rng = makeRng(seed);
  let max = 0, at = NaN;
  for (let i = 0; i < SAMPLES; i++) {
    const x = draw(rng.next());
    const err = ulpError(f(x), ref(exact(x)));
    if (!(err <= max)) { max = err; at = x; }
  }
  return { max, at };
}

const cases: [string, (x: number) => number, (x: Dec) => Dec, number, [string, Range["draw"]][]][] = [
  ["exp", exp, (x) => x.exp(), MAX_ULP.exp, [
    ["the normal range [−708.39, 709.78]", uniform(-708.39, 709.78)],
    ["the softmax's range [−50, 0]", uniform(-50, 0)],
    ["[−1, 1]", uniform(-1, 1)],
    ["tiny |x|, 1e−20 … 1e−3", logUniform(-46, -7)],
    ["the last stretch before overflow, [709.779, 709.7827]", uniform(709.779, 709.782712893384)],
  ]],
  ["exp", exp, (x) => x.exp(), MAX_ULP.expSubnormal, [["subnormal results [−745.13, −708.4]", uniform(-745.13, -708.4)]]],
  ["log", log, (x) => x.ln(), MAX_ULP.log, [
    ["every binade of the normal doubles", logUniform(-708, 709)],
    ["[0.5, 2], where the result is small", uniform(0.5, 2)],
    ["[0.999, 1.001]", uniform(0.999, 1.001)],
    ["the subnormals", (u) => u * 2.2250738585072014e-308],
  ]],
  ["tanh", tanh, (x) => x.tanh(), MAX_ULP.tanh, [
    ["[−22, 22]", uniform(-22, 22)],
    ["[−1, 1]", uniform(-1, 1)],
    ["[0.5, 0.75], across the switch at 0.625", uniform(0.5, 0.75)],
    ["[0.53, 0.55], where Cephes' form is least accurate", uniform(0.53, 0.55)],
    ["tiny |x|, 1e−12 … 0.1", logUniform(-28, -2.3)],
  ]],
  ["log1p", log1p, (x) => x.plus(1).ln(), MAX_ULP.log1p, [["1e−17 … 1e4", logUniform(-40, 9)], ["[−0.5, 0.5]", uniform(-0.5, 0.5)]]],
  ["atanh", atanh, (x) => x.atanh(), MAX_ULP.atanh, [["[−0.9999, 0.9999]", uniform(-0.9999, 0.9999)], ["tiny |x|", logUniform(-40, -2)]]],
];

describe.each(cases)("%s against 40 digits", (name, f, ref, bound, ranges) => {
  it.each(ranges)(`is within its bound over %s`, (range, draw) => {
    const { max, at } = worst(f, ref, draw, 13);
    console.log(`${name} over ${range}: worst ${max.toFixed(3)} ulp at x = ${at}`);
    expect(max, `${name}(${at})`).toBeLessThanOrEqual(bound);
  }, SAMPLES * 5 + 30_000); // ~1 ms a sample on a busy machine
});

describe("special values", () => {
  const same = (a: number, b: number) => Object.is(a, b);
  it("exp", () => {
    for (const [x, want] of [[NaN, NaN], [Infinity, Infinity], [-Infinity, 0], [0, 1], [-0, 1], [710, Infinity],
      [-746, 0], [-745.2, 0], [-745.1, 5e-324], [1, Math.E]] as const) {
      expect(same(exp(x), want), `exp(${x}) = ${exp(x)}`).toBe(true);
    }
    expect(exp(709.782712893384)).toBeLessThan(Infinity); // ln of the largest double
  });
  it("log", () => {
    for (const [x, want] of [[NaN, NaN], [Infinity, Infinity], [-Infinity, NaN], [0, -Infinity], [-0, -Infinity],
      [-1, NaN], [1, 0], [2, Math.LN2], [5e-324, -744.4400719213812]] as const) {
      expect(same(log(x), want), `log(${x}) = ${log(x)}`).toBe(true);
    }
    expect(log(Number.MAX_VALUE)).toBe(709.782712893384);
  });
  it("tanh is odd, keeps −0 and saturates to ±1", () => {
    for (const [x, want] of [[NaN, NaN], [0, 0], [-0, -0], [Infinity, 1], [-Infinity, -1], [22, 1], [-30, -1], [1e-300, 1e-300]] as const) {
      expect(same(tanh(x), want), `tanh(${x}) = ${tanh(x)}`).toBe(true);
    }
    const rng = makeRng(3);
    for (let i = 0; i < 1000; i++) { const x = 30 * rng.next(); expect(tanh(-x)).toBe(-tanh(x)); }
  });
  it("log1p and atanh", () => {
    for (const [f, x, want] of [[log1p, 0, 0], [log1p, -0, -0], [log1p, -1, -Infinity], [log1p, -2, NaN], [log1p, Infinity, Infinity],
      [atanh, 0, 0], [atanh, -0, -0], [atanh, 1, Infinity], [atanh, -1, -Infinity], [atanh, 2, NaN]] as const) {
      expect(same(f(x), want), `${f.name}(${x}) = ${f(x)}`).toBe(true);
    }
  });
});

describe("the table of 2^(j/128)", () => {
  it("is what scripts/libm-tables.ts computes (run `npm run build:libm` after changing it)", () => {
    const { hi, lo } = exp2Table();
    expect(Array.from(EXP2_TABLE)).toEqual(hi.flatMap((h, j) => [h, lo[j]!]));
  });

  it("holds, for each j, the nearest double hi and a lo that brings hi + lo within half an ulp of lo of 2^(j/128)", () => {
    // Checked in integers: with v = (hi + lo)·2^S and u = ulp(lo)·2^S, 2^(j/128) lies in (v − u/2, v + u/2) iff
    // (2v − u)^128 < 2^(j + 128(S + 1)) < (2v + u)^128. Nearest hi: |lo| ≤ ulp(hi)/2.
    const S = 200n;
    const scaled = (x: number): bigint => { // x·2^S exactly, for doubles with no bits below 2^−S
      const { neg, e, m } = fields(x);
      if (e === 0 && m === 0n) return 0n;
      const v = (m | (1n << 52n)) << (BigInt(e - 1075) + S);
      return neg ? -v : v;
    };
    const ulpScaled = (x: number) => 1n << (BigInt(fields(x).e - 1075) + S);
    for (let j = 0; j < 128; j++) {
      const hi = EXP2_TABLE[2 * j]!, lo = EXP2_TABLE[2 * j + 1]!;
      const target = 1n << (BigInt(j) + 128n * (S + 1n));
      if (j === 0) { expect([hi, lo]).toEqual([1, 0]); continue; }
      const v = scaled(hi) + scaled(lo), u = ulpScaled(lo);
      expect((2n * v - u) ** 128n < target && target < (2n * v + u) ** 128n, `entry ${j}`).toBe(true);
      const l = scaled(lo);
      expect(2n * (l < 0n ? -l : l) <= ulpScaled(hi), `entry ${j}: hi is not the nearest double`).toBe(true);
    }
  });
});

/** Math functions that IEEE 754 or ECMAScript specify exactly, so every engine gives the same bits. */
const ALLOWED_MATH = new Set([
  "abs", "min", "max", "sqrt", "floor", "ceil", "round", "trunc", "sign", "imul", "fround", "clz32",
  "E", "LN2", "LN10", "LOG2E", "LOG10E", "PI", "SQRT1_2", "SQRT2",
]);

/** Every `Math.name` and `**` in the code (not the comments or strings) of a TypeScript file. */
function mathUses(text: string): { name: string; line: number }[] {
  const sf = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ES2022, true);
  const out: { name: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Math") {
      out.push({ name: `Math.${node.name.text}`, line });
    } else if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Math") {
      out.push({ name: "Math[…]", line });
    } else if (ts.isIdentifier(node) && node.text === "Math" && !ts.isPropertyAccessExpression(node.parent) && !ts.isElementAccessExpression(node.parent)) {
      out.push({ name: "Math (passed around whole)", line });
    } else if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken
      || node.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskEqualsToken)) {
      out.push({ name: "** (Math.pow)", line });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("no numeric module of lib/ calls a Math function an engine may round its own way", () => {
  const LIB = join(import.meta.dirname, "..", "..", "lib");
  const files = (readdirSync(LIB, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).sort();

  it.each(files)("lib/%s", (file) => {
    const bad = mathUses(readFileSync(join(LIB, file), "utf8"))
      .filter((u) => !(u.name.startsWith("Math.") && ALLOWED_MATH.has(u.name.slice(5))))
      .map((u) => `line ${u.line}: ${u.name}`);
    expect(bad, "use lib/core/libm.ts (exp, log, tanh, log1p, atanh) or + − × ÷ √").toEqual([]);
  });

  it("the scan finds what it must (a check that cannot fail is a defect)", () => {
    const found = mathUses("// Math.exp(1)\nconst s = 'Math.log(2)';\nconst a = Math.exp(1) + Math.sqrt(2) + 2 ** 3;\nconst f = Math;\nx **= 2;")
      .map((u) => u.name);
    expect(found).toEqual(["Math.exp", "Math.sqrt", "** (Math.pow)", "Math (passed around whole)", "** (Math.pow)"]);
  });
});
