/**
 * Pages only arrange (docs/architecture.md). Framework does not type-check a page's cells, and a cell that computes
 * is maths no unit test sees, so this suite reads every page of src/ as the program it is:
 * - the ```ts cells of a page and its inline `${…}` expressions, in page order, type-checked together with
 *   Framework's built-ins declared (src/ has no tsconfig of its own): an unused import, a name that does not exist or
 *   a call with the wrong arguments fails here, not in a reader's browser;
 * - no cell over MAX_CELL_LINES lines;
 * - no arithmetic in a page (ALLOWED below says what is left), and no maths in src/components/ or src/workers/;
 * - every `file: "lib/…", fn: "…"` a cell names is a function that file exports.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { libRefsOf, libSource } from "../scripts/lib-code.js";
import { type Cell, cellsOf } from "./page-cells.js";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");
export const MAX_CELL_LINES = 40;

const PAGES = readdirSync(join(ROOT, "src")).filter((f) => f.endsWith(".md")).sort().map((f) => `src/${f}`);
const CELLS = new Map(PAGES.map((p) => [p, cellsOf(p, read(p))]));

// Framework's built-ins that the pages use (https://observablehq.com/framework/reactivity): `view` gives the value
// of an input, `display` shows a value and returns nothing a cell could use.
const FRAMEWORK_DTS = `
declare function display(value: unknown): void;
declare function view<T>(element: Element & { value: T }): unknown extends T ? any : T;
declare function view(element: Element): any;
declare function FileAttachment(name: string): { url(): Promise<string>; href: string; name: string; json(): Promise<any>; text(): Promise<string> };
declare const Generators: { input(element: Element): AsyncGenerator<any>; observe<T = any>(change: (notify: (value: T) => void) => unknown): AsyncGenerator<T> };
declare const invalidation: Promise<void>;
declare function __resolved<T>(value: T): T extends AsyncGenerator<infer Y> ? Y : Awaited<T>;
declare const width: number;
`;
/**
 * Another cell sees a top-level promise resolved and a generator as its latest value (Framework's implicit await):
 * each top-level initializer is wrapped in `__resolved(…)`, on the same lines.
 */
function asSeenByOtherCells(code: string): string {
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true);
  const spans: [number, number][] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) if (d.initializer) spans.push([d.initializer.getStart(sf), d.initializer.getEnd()]);
  }
  let out = code;
  for (const [from, to] of spans.reverse()) out = `${out.slice(0, from)}__resolved(${out.slice(from, to)})${out.slice(to)}`;
  return out;
}

const virtualName = (page: string) => join(ROOT, `${page}.cells.ts`);
const DTS_NAME = join(ROOT, "src/framework-builtins.d.ts");

/** One program of every page's cells: the line of a diagnostic maps back to the page. */
function checkPages(pages: Map<string, Cell[]>): string[] {
  const sources = new Map<string, { text: string; lines: number[] }>();
  for (const [page, cells] of pages) {
    let text = "";
    const lines: number[] = [];
    for (const c of cells) {
      const n = c.code.split("\n").length;
      for (let i = 0; i < n; i++) lines.push(c.line + (c.inline ? 0 : i));
      text += `${c.inline ? c.code : asSeenByOtherCells(c.code)}\n`;
    }
    sources.set(virtualName(page), { text: `${text}export {};\n`, lines });
  }
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"], strict: true, noEmit: true, skipLibCheck: true,
    // Cells are JavaScript-like (Framework writes them as modules of their own); their parameters are inferred
    // where they can be and `any` where not, as in an untyped notebook.
    noImplicitAny: false, useUnknownInCatchVariables: false, noUnusedLocals: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    const v = sources.get(name);
    if (v) return ts.createSourceFile(name, v.text, lang);
    if (name === DTS_NAME) return ts.createSourceFile(name, FRAMEWORK_DTS, lang);
    return getSourceFile(name, lang, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => sources.has(name) || name === DTS_NAME || fileExists(name);
  const program = ts.createProgram([...sources.keys(), DTS_NAME], options, host);
  const problems: string[] = [];
  for (const [name, v] of sources) {
    const file = program.getSourceFile(name)!;
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      // Framework runs cells in the order of their dependencies, not of the page: a name used above its cell is fine.
      if (d.code === 2448 || d.code === 2454) continue;
      const line = file.getLineAndCharacterOfPosition(d.start ?? 0).line;
      problems.push(`${name.slice(ROOT.length + 1, -".cells.ts".length)}:${v.lines[line] ?? "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    }
  }
  return problems;
}

/**
 * What a page's cell may compute: nothing. ALLOWED is what arranging needs — an index moved by a small integer
 * literal (`t + 1`, `tau - 1`), string building (`+` whose result is a string), comparisons, `++`/`--` of a loop
 * counter, unary minus. Not allowed: `*`, `/`, `%`, `**`, any `Math.…` call, `+`/`−` between two computed numbers,
 * compound arithmetic assignment (`+=` on a number, `*=`, …) and `.reduce(`. Such code belongs in the page's lib/
 * module, where a unit test sees it.
 */
export const ALLOWED = "indexing by a small integer literal, string building, comparisons, ++/-- and unary minus";

/**
 * What a component or worker may not do: call the derivation's elementary functions or raise to a power (that is
 * maths, lib/'s job, with lib/core/libm.ts's functions that give the same bits in every engine). Drawing keeps its
 * geometry (+ − × ÷, Math.min/max/round/hypot/sqrt/sin/cos/atan2 for pixels and angles).
 */
const MATHS_FUNCTIONS = new Set(["exp", "expm1", "log", "log1p", "log2", "log10", "tanh", "sinh", "cosh", "atanh", "asinh", "acosh", "pow"]);

function mathsIn(code: string): { line: number; text: string }[] {
  const sf = ts.createSourceFile("x.ts", code, ts.ScriptTarget.ES2022, true);
  const out: { line: number; text: string }[] = [];
  const visit = (n: ts.Node): void => {
    const power = ts.isBinaryExpression(n) && [ts.SyntaxKind.AsteriskAsteriskToken, ts.SyntaxKind.AsteriskAsteriskEqualsToken].includes(n.operatorToken.kind);
    const call = ts.isPropertyAccessExpression(n) && n.expression.getText(sf) === "Math" && MATHS_FUNCTIONS.has(n.name.text);
    if (power || call) out.push({ line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, text: n.getText(sf).slice(0, 80) });
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function arithmeticIn(code: string, at: (line: number) => string): string[] {
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const isSmallInt = (e: ts.Expression) => ts.isNumericLiteral(e) && Number.isInteger(Number(e.text)) && Number(e.text) <= 9;
  const isStringy = (e: ts.Expression): boolean =>
    ts.isStringLiteral(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) ||
    (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken && (isStringy(e.left) || isStringy(e.right))) ||
    (ts.isParenthesizedExpression(e) && isStringy(e.expression)) ||
    (ts.isCallExpression(e) && /\b(String|fmt\w*|toFixed|toString|join|sup|sub|label\w*|shapeText)$/.test(e.expression.getText(sf)));
  const say = (n: ts.Node, what: string) =>
    out.push(`${at(sf.getLineAndCharacterOfPosition(n.getStart(sf)).line)}: ${what}: ${n.getText(sf).replace(/\s+/g, " ").slice(0, 80)}`);
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      const K = ts.SyntaxKind;
      if ([K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken, K.AsteriskEqualsToken, K.SlashEqualsToken,
        K.PercentEqualsToken, K.AsteriskAsteriskEqualsToken, K.MinusEqualsToken].includes(op)) say(n, "arithmetic");
      else if (op === K.PlusToken || op === K.MinusToken || op === K.PlusEqualsToken) {
        const indexing = op !== K.PlusEqualsToken && (isSmallInt(n.right) || (op === K.PlusToken && isSmallInt(n.left)));
        const strings = op !== K.MinusToken && (isStringy(n.left) || isStringy(n.right));
        if (!indexing && !strings) say(n, "arithmetic");
      }
    } else if (ts.isPropertyAccessExpression(n) && n.expression.getText(sf) === "Math") say(n, "Math");
    else if (ts.isPropertyAccessExpression(n) && n.name.text === "reduce") say(n, "a reduction");
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe("pages only arrange", () => {
  it("finds the cells it checks (a check that cannot fail is a defect)", () => {
    expect(PAGES).toContain("src/summary.md");
    const hidden = CELLS.get("src/hidden.md")!;
    expect(hidden.filter((c) => !c.inline).length).toBeGreaterThan(5);
    expect(hidden.some((c) => c.inline && c.code === "(hidden);")).toBe(true);
    expect(cellsOf("x.md", "a ${f({ b: `${c}` })} d\n```ts\nconst c = 1;\n```\n<style>\n.x { }\n</style>"))
      .toEqual([{ page: "x.md", line: 1, code: "(f({ b: `${c}` }));", inline: true }, { page: "x.md", line: 3, code: "const c = 1;\n", inline: false }]);
    expect(arithmeticIn("const a = b * 2; const c = d[t - 1] + `x${e}`; f(g + h); Math.max(1, 2); xs.reduce((s, v) => s, 0); i++;", String))
      .toEqual(["0: arithmetic: b * 2", "0: arithmetic: g + h", "0: Math: Math.max", "0: a reduction: xs.reduce"]);
    expect(mathsIn("// Math.exp(1)\nconst y = Math.tanh(x) + x ** 2 + Math.max(a, b);")).toEqual([{ line: 2, text: "Math.tanh" }, { line: 2, text: "x ** 2" }]);
  });

  it("every page's cells type-check (Framework does not)", () => {
    // The check can fail: an unused import, a property that does not exist, a call with too few arguments.
    const bad = cellsOf("src/bad.md", '```ts\nimport { maxAbs, row, zeros } from "./lib/core/matrix.js";\nconst m = zeros(2, 2);\n```\n\n${m.rowz} ${row(m)}\n');
    expect(checkPages(new Map([["src/bad.md", bad]]))).toEqual([
      "src/bad.md:2: 'maxAbs' is declared but its value is never read.",
      "src/bad.md:6: Property 'rowz' does not exist on type 'Matrix'.",
      "src/bad.md:6: Expected 2 arguments, but got 1.",
    ]);
    expect(checkPages(CELLS)).toEqual([]);
  }, 120_000);

  it(`no cell is over ${MAX_CELL_LINES} lines`, () => {
    const long = [...CELLS.values()].flat().filter((c) => !c.inline && c.code.split("\n").length - 1 > MAX_CELL_LINES)
      .map((c) => `${c.page}:${c.line}: ${c.code.split("\n").length - 1} lines`);
    expect(long).toEqual([]);
  });

  it(`no page computes (allowed: ${ALLOWED})`, () => {
    const found = [...CELLS.values()].flat().flatMap((c) => arithmeticIn(c.code, (l) => `${c.page}:${c.line + (c.inline ? 0 : l)}`));
    expect(found).toEqual([]);
  });

  it("no component or worker calls an elementary function (they draw and carry; lib/ computes)", () => {
    const files = ["src/components", "src/workers"].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => `${d}/${f}`));
    expect(files).toContain("src/components/heatmap.ts");
    const found = files.flatMap((f) => mathsIn(read(f)).map((m) => `${f}:${m.line}: ${m.text}`));
    expect(found).toEqual([]);
  });

  it("every lib/ function a cell names is exported by its file (the code shown beside the cell is read from there)", () => {
    const files = [...PAGES, ...readdirSync(join(ROOT, "src/components")).map((f) => `src/components/${f}`)];
    const refs = files.flatMap((f) => libRefsOf(read(f)).flatMap((r) => r.fns.map((fn) => ({ file: r.file, fn, page: f }))));
    expect(refs.length).toBeGreaterThan(50);
    const missing = refs.flatMap((r) => {
      try {
        libSource(r.file, r.fn);
        return [];
      } catch (error) {
        return [`${r.page}: ${(error as Error).message.split("\n")[0]}`];
      }
    });
    expect(missing).toEqual([]);
    expect(() => libSource("lib/core/matrix.ts", "noSuchFunction")).toThrow("lib/core/matrix.ts exports no function or const named noSuchFunction");
  });

});
