/**
 * A reader's version of a lib/ function, run in the sandbox worker: what the page sends (FnRunRequest: the file, the
 * function's name, the reader's code, the arguments the page's cell passed, and the form of lib/'s own result), how
 * the worker evaluates the declaration in its module's scope (`evaluateFunction`: every name the module sees — its
 * imports and its own top-level declarations — is in scope, as when the function runs in lib/), and how a result is
 * read (`packLike`): only a value of the very form lib/'s result has, finite where lib/'s is, (a matrix of the same shape, a vector of the same
 * length, an object with the same keys…) is copied, so a huge or odd result is refused in the worker, in one line,
 * before anything crosses into the page, and the page reads it again on arrival.
 *
 * Pure: no DOM, no Node APIs. The TypeScript is stripped elsewhere (src/workers/run-code.ts, with sucrase, which keeps
 * line numbers); the unit tests run the same path in Node.
 */
import type { Matrix } from "../core/matrix.js";
import { oneLine, preview } from "../core/tokens.js";

/** The form of a value: what a reader's result must match to be read at all. */
export type Like =
  | { t: "num"; nonFinite?: true }
  | { t: "vec"; n: number; nonFinite?: true }
  | { t: "mat"; rows: number; cols: number; nonFinite?: true }
  | { t: "arr"; items: Like[] }
  | { t: "obj"; keys: Record<string, Like> }
  | { t: "str" }
  | { t: "bool" };

/** What the page sends for a run of a reader's version of a function. */
export interface FnRunRequest {
  kind: "fn";
  /** The module the function lives in ("lib/derivation/hidden.ts"): its scope is the code's scope. */
  file: string;
  name: string;
  /** The reader's code: the declaration, as the page showed it (doc comment, `export` and types included). */
  code: string;
  args: unknown[];
  like: Like;
}

/** What the worker answers: the packed value or one line, and the time spent inside the worker. */
export type FnRunReply = ({ value: unknown } | { error: string }) & { ms: number };

const isMatrix = (v: unknown): v is Matrix =>
  typeof v === "object" && v !== null && "data" in v && (v as Matrix).data instanceof Float64Array &&
  typeof (v as Matrix).rows === "number" && typeof (v as Matrix).cols === "number";

/** Largest number of entries a value may have (lib's largest at the largest sizes is far below). */
export const MAX_ENTRIES = 4_000_000;

/** The form of lib/'s own result; throws for what no reader's result could be checked against (a function, a Map). */
export function describe(v: unknown, path = "the result"): Like {
  // NaN or ±Infinity in a reader's result is refused, unless lib/'s own value has some there too (a form that
  // divides by an underflowed probability does): then the cell's checks judge them
  const finite = (xs: ArrayLike<number>) => { for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) return false; return true; };
  if (typeof v === "number") return Number.isFinite(v) ? { t: "num" } : { t: "num", nonFinite: true };
  if (typeof v === "string") return { t: "str" };
  if (typeof v === "boolean") return { t: "bool" };
  if (v instanceof Float64Array) return finite(v) ? { t: "vec", n: v.length } : { t: "vec", n: v.length, nonFinite: true };
  if (isMatrix(v)) return finite(v.data) ? { t: "mat", rows: v.rows, cols: v.cols } : { t: "mat", rows: v.rows, cols: v.cols, nonFinite: true };
  if (Array.isArray(v)) return { t: "arr", items: v.map((x, i) => describe(x, `${path}[${i}]`)) };
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return { t: "obj", keys: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x, `${path}.${k}`)])) };
  }
  throw new Error(`${path} is ${v === null ? "null" : typeof v}, which an edit cannot be checked against`);
}

/** "a matrix [4,8]", as messages name a form. */
export function likeText(l: Like): string {
  switch (l.t) {
    case "num": return "a number";
    case "str": return "a string";
    case "bool": return "true or false";
    case "vec": return `a vector [${l.n}] (Float64Array)`;
    case "mat": return `a matrix [${l.rows},${l.cols}]`;
    case "arr": return `an array of ${l.items.length}`;
    case "obj": return `an object with ${Object.keys(l.keys).join(", ")}`;
  }
}

const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** What a value is, in a message, reading lengths only. */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "number") return Number.isFinite(v) ? "a number" : String(v);
  if (typeof v === "string") return `a string (${preview(v, 20)})`;
  if (isMatrix(v)) return `a matrix [${v.rows},${v.cols}]`;
  if (isList(v)) return `${Array.isArray(v) ? "an array" : "a typed array"} of ${v.length}`;
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

class Refused extends Error {}

/**
 * Copy `v` into a value of exactly the form `like` (fresh Float64Arrays, plain objects), or say in one line why it
 * is not one, naming where: `hiddenGradTerms: .throughNext: expected a matrix [4,8], got a matrix [3,8]`. A vector may
 * come back as a plain array of numbers; entries may be NaN or ±Infinity (the checks then fail, and say so), but never
 * a string, a hole or anything that is not a number.
 */
export function packLike(name: string, v: unknown, like: Like): { value: unknown } | { error: string } {
  let entries = 0;
  const at = (path: string) => `the result${path}`;
  const numbers = (list: ArrayLike<unknown>, n: number, path: string, allowNonFinite: boolean, cols = 0): Float64Array => {
    entries += n;
    if (entries > MAX_ENTRIES) throw new Refused(`${at(path)} has more than ${MAX_ENTRIES} numbers`);
    const out = new Float64Array(n);
    let first = "", bad = 0;
    for (let i = 0; i < n; i++) {
      const x = list[i];
      const where = cols ? `${at(path.replace(/\.data$/, ""))}[${Math.floor(i / cols)}][${i % cols}]` : `${at(path)}[${i}]`;
      if (typeof x !== "number") throw new Refused(`${where} is ${x === undefined && !(i in (list as object)) ? "missing (a hole)" : valueText(x)}, not a number`);
      if (!allowNonFinite && !Number.isFinite(x) && bad++ === 0) first = `${where} is ${x}`;
      out[i] = x;
    }
    if (bad) throw new Refused(bad === 1 ? first : `${first}, and ${bad - 1} more ${bad === 2 ? "entry is" : "entries are"} not finite numbers`);
    return out;
  };
  const pack = (x: unknown, l: Like, path: string): unknown => {
    const wrong = () => new Refused(`${path ? `${at(path)}: ` : ""}expected ${likeText(l)}, got ${valueText(x)}`);
    switch (l.t) {
      case "num":
        if (typeof x !== "number") throw wrong();
        if (!Number.isFinite(x) && !l.nonFinite) throw new Refused(`${at(path)} is ${x}`);
        return x;
      case "str":
        if (typeof x !== "string") throw wrong();
        return x.slice(0, 200);
      case "bool":
        if (typeof x !== "boolean") throw wrong();
        return x;
      case "vec":
        if (!isList(x) || x.length !== l.n) throw wrong();
        return numbers(x, l.n, path, !!l.nonFinite);
      case "mat": {
        if (!isMatrix(x) || x.rows !== l.rows || x.cols !== l.cols) throw wrong();
        if (x.data.length !== l.rows * l.cols) throw new Refused(`${at(path)}.data has ${x.data.length} numbers, not rows × cols = ${l.rows * l.cols}`);
        return { rows: l.rows, cols: l.cols, data: numbers(x.data, l.rows * l.cols, `${path}.data`, !!l.nonFinite, l.cols) };
      }
      case "arr":
        if (!Array.isArray(x) || x.length !== l.items.length) throw wrong();
        return l.items.map((item, i) => pack(x[i], item, `${path}[${i}]`));
      case "obj": {
        if (typeof x !== "object" || x === null || isList(x)) throw wrong();
        const out: Record<string, unknown> = {};
        for (const [k, item] of Object.entries(l.keys)) {
          if (!(k in x)) throw new Refused(`${at(path)}.${k} is missing: expected ${likeText(l)}`);
          out[k] = pack((x as Record<string, unknown>)[k], item, `${path}.${k}`);
        }
        return out;
      }
    }
  };
  try {
    return { value: pack(v, like, "") };
  } catch (e) {
    if (e instanceof Refused) return { error: oneLine(`${name}: ${e.message}`) };
    // a getter or proxy trap of the reader's result ran and threw
    return { error: oneLine(`${name}: the result could not be read (${e instanceof Error ? e.message : "it threw"})`) };
  }
}

/** Names the reader's code in V8's and SpiderMonkey's stack traces ("reader-code.js:L:C"). */
export const SOURCE_URL = "\n//# sourceURL=reader-code.js";

/** Where the first line of the reader's code lands in `new Function`'s source, measured once (engines differ). */
let lineOffset: number | undefined;
export function functionLineOffset(): number {
  if (lineOffset === undefined) {
    try {
      new Function("__a", `throw new Error('probe');${SOURCE_URL}`)(0);
    } catch (e) {
      lineOffset = (stackLine(e) ?? 3) - 1;
    }
  }
  return lineOffset ?? 2;
}

/**
 * The line of the innermost frame in the reader's code: "reader-code.js:L:C" in the stack (V8 without a source URL
 * writes "<anonymous>:L:C", Firefox "Function:L:C"). JavaScriptCore (WebKit) writes a bare "anonymous@" for code
 * made by `new Function`, whatever its source URL, but gives the error the `line` of the frame that threw, and a
 * `sourceURL` only when that frame is in a script with one (ours, the helpers): no sourceURL, the reader's line.
 */
export function stackLine(e: unknown): number | undefined {
  let stack: string, jsc: { line?: unknown; sourceURL?: unknown };
  try {
    stack = e instanceof Error ? String(e.stack ?? "") : "";
    jsc = e instanceof Error ? { line: (e as { line?: unknown }).line, sourceURL: (e as { sourceURL?: unknown }).sourceURL } : {};
  } catch {
    return undefined; // a thrown object whose stack (or prototype) is a trap
  }
  const m = /reader-code\.js:(\d+):\d+/.exec(stack) ?? /<anonymous>:(\d+):\d+/.exec(stack) ?? /Function:(\d+):\d+/.exec(stack);
  if (m) return Number(m[1]);
  return typeof jsc.line === "number" && !jsc.sourceURL ? jsc.line : undefined;
}

/** The first declaration's `export` goes: the code is evaluated as a function body, where `export` is a syntax error. */
export const withoutExport = (js: string): string => js.replace(/^(\s*)export\s+(?=(?:async\s+)?function\b|const\b|let\b|class\b)/m, "$1");

/**
 * Evaluate the reader's declaration of `name` (already transpiled to JavaScript) with `scope` in scope and call it
 * with `args`. Never throws: an exception becomes one line, counting lines of the reader's code
 * (`line 12: W is not defined`).
 */
export function evaluateFunction(js: string, name: string, scope: Record<string, unknown>, args: unknown[]): { value: unknown } | { error: string } {
  const names = Object.keys(scope).filter((k) => k !== name);
  let make: (...a: unknown[]) => unknown;
  try {
    make = new Function(...names, `"use strict";\n${withoutExport(js)}\n;return typeof ${name} === "function" ? ${name} : undefined;${SOURCE_URL}`) as typeof make;
  } catch (e) {
    return { error: oneLine(`syntax error: ${e instanceof Error ? e.message : String(e)}`) };
  }
  try {
    const fn = make(...names.map((k) => scope[k]));
    if (typeof fn !== "function") return { error: `the code no longer declares a function named ${name}: keep its name` };
    const value = (fn as (...a: unknown[]) => unknown)(...args);
    if (value === undefined) return { error: `${name} returned nothing: end it with \`return\` and the result` };
    if (value instanceof Promise) return { error: `${name} returned a Promise: compute the value and return it, without async or await` };
    return { value };
  } catch (e) {
    const line = stackLine(e);
    let text: string;
    try {
      text = e instanceof Error ? String(e.message) : typeof e === "object" && e !== null ? preview(e) : String(e);
    } catch {
      text = "the code threw a value that cannot be shown";
    }
    // +1 for the "use strict" line above the reader's first line
    return { error: oneLine(line === undefined ? text : `line ${line - functionLineOffset() - 1}: ${text}`) };
  }
}

/** Every number of a value of form `like`, in order: what the check against lib/ compares. */
export function flatten(v: unknown, like: Like, out: number[] = []): number[] {
  switch (like.t) {
    case "num": out.push(v as number); break;
    case "vec": for (const x of v as Float64Array) out.push(x); break;
    case "mat": for (const x of (v as Matrix).data) out.push(x); break;
    case "arr": like.items.forEach((l, i) => flatten((v as unknown[])[i], l, out)); break;
    case "obj": for (const [k, l] of Object.entries(like.keys)) flatten((v as Record<string, unknown>)[k], l, out); break;
    default: break;
  }
  return out;
}

/**
 * The largest absolute difference between two values of form `like`. Entries that are the same (the same NaN or
 * infinity included) differ by 0; a NaN where the other value has anything else makes the whole difference NaN, which
 * no check passes.
 */
export function maxDiffLike(a: unknown, b: unknown, like: Like): number {
  const x = flatten(a, like), y = flatten(b, like);
  let m = 0, nan = false;
  for (let i = 0; i < x.length; i++) {
    if (Object.is(x[i], y[i])) continue;
    const d = Math.abs(x[i]! - y[i]!);
    if (Number.isNaN(d)) nan = true;
    else if (d > m) m = d;
  }
  return nan ? NaN : m;
}
