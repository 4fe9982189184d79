/**
 * The rules that keep the folders meaning what they say (docs/architecture.md), read from every import statement
 * of the repository's TypeScript and of the pages' cells, type-only imports included:
 * - lib/ imports nothing from src/, bin/, bench/, scripts/ or test/ (the numerics stand alone);
 * - lib/core/ imports only lib/core/ (everything else builds on it, never the other way);
 * - src/components/ never imports src/workers/ (a worker's protocol types live in lib/ next to its numerics);
 * - the maths never depends on the tools or on a page's state: only lib/tools/ and lib/state/ import lib/tools/ and
 *   lib/state/ (the one exception, the editable equations' catalogue, reads the type of a page's example);
 * - the checks are independent of what they check: the intermediate forms of the main derivation and the
 *   textbook forms of its forward pass never reach lib/derivation/backward.ts, the summary code they are checked
 *   against, not even through another module; likewise the stacked RNN's finite differences and per-example loops
 *   never reach the backward and forward passes they check, and D2L's checks (lib/d2l/checks.ts,
 *   lib/d2l/tfjs-oracles.ts) never reach the D2L code they check; the argument checks of both folders
 *   (lib/stacked/validate.ts, lib/d2l/validate.ts) reach none of that code either, so that a check may use them.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

function walk(dir: string, ext: RegExp): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => ext.test(f) && !f.includes("node_modules") && !f.startsWith("lib/") && !f.startsWith(".observablehq"))
    .map((f) => join(dir, f));
}

/**
 * The module specifiers a file imports (static, side-effect, re-exports and type-only: statements that begin a line;
 * dynamic `import("…")` anywhere), with the repository path each resolves to. Import-like text inside a string that
 * does not begin a line (a test's fixture) is not an import.
 */
export function importsOf(file: string, text: string): { spec: string; target: string | null }[] {
  const out: { spec: string; target: string | null }[] = [];
  const found = [
    ...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*["']([^"'\n]+)["']/gm),
    ...text.matchAll(/^import\s*["']([^"'\n]+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["']([^"'\n]+)["']\s*\)/g),
  ];
  for (const m of found) {
    const spec = m[1]!;
    if (!spec.startsWith(".")) {
      out.push({ spec, target: null }); // a package
      continue;
    }
    let target = normalize(join(dirname(file), spec)).replace(/\.js$/, ".ts");
    if (target.startsWith("src/lib/")) target = target.slice(4); // the symlink to lib/
    out.push({ spec, target });
  }
  return out;
}

const LIB = walk("lib", /\.ts$/);
const SRC = [...walk("src/components", /\.ts$/), ...walk("src/workers", /\.ts$/), ...walk("src", /^[^/]+\.md$/)];
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");
/** Every lib/ module `from` imports, directly or through others (itself included). */
const reaches = (from: string): string[] => {
  const seen = new Set([from]);
  for (const f of seen) for (const i of importsOf(f, read(f))) if (i.target?.startsWith("lib/")) seen.add(i.target);
  return [...seen];
};
const violations = (files: string[], bad: (target: string, file: string) => boolean) =>
  files.flatMap((f) => importsOf(f, read(f)).filter((i) => i.target && bad(i.target, f)).map((i) => `${f} imports ${i.spec}`));

describe("layers", () => {
  it("finds the files it checks (a check that cannot fail is a defect)", () => {
    expect(LIB.length).toBeGreaterThan(30);
    expect(LIB).toContain("lib/core/matrix.ts");
    expect(SRC).toContain("src/summary.md");
    expect(SRC).toContain("src/components/sandbox.ts");
    expect(importsOf("src/components/x.ts", 'import type { A } from "../workers/run-code.js";\nconst m = await import("../lib/core/rng.js");\nconst s = \'import "./not.js"\';'))
      .toEqual([{ spec: "../workers/run-code.js", target: "src/workers/run-code.ts" }, { spec: "../lib/core/rng.js", target: "lib/core/rng.ts" }]);
    expect(importsOf("src/summary.md", 'import { zeros } from "./lib/core/matrix.js";')).toEqual([{ spec: "./lib/core/matrix.js", target: "lib/core/matrix.ts" }]);
  });

  it("lib/ imports nothing outside lib/", () => {
    expect(violations(LIB, (t) => !t.startsWith("lib/"))).toEqual([]);
  });

  it("lib/core/ imports only lib/core/", () => {
    expect(violations(LIB.filter((f) => f.startsWith("lib/core/")), (t) => !t.startsWith("lib/core/"))).toEqual([]);
  });

  it("only lib/tools/ and lib/state/ import lib/tools/ and lib/state/", () => {
    const outside = (f: string) => !f.startsWith("lib/tools/") && !f.startsWith("lib/state/");
    expect(violations(LIB.filter(outside), (t) => !outside(t))).toEqual([]);
  });

  it("src/components/ never imports src/workers/", () => {
    expect(violations(SRC.filter((f) => f.startsWith("src/components/")), (t) => t.startsWith("src/workers/"))).toEqual([]);
  });

  it("the forms and the checks never reach the backward pass they are checked against, even through another module", () => {
    const forms = ["logits", "hidden", "parameters", "embedding", "validate"].map((n) => `lib/derivation/${n}.ts`);
    const checks = ["gradcheck", "forward-checks", "graph-checks", "hidden-checks", "parameters-checks", "embedding-checks"].map((n) => `lib/derivation/${n}.ts`);
    for (const f of [...forms, ...checks]) expect(LIB, f).toContain(f);
    expect([...forms, ...checks].filter((f) => reaches(f).includes("lib/derivation/backward.ts"))).toEqual([]);
    expect(reaches("lib/derivation/graph.ts")).toContain("lib/derivation/backward.ts"); // the search does find it where it is
  });

  it("a page's check module never imports the page module it checks (forward-checks reads forward.ts's types only)", () => {
    const pairs = [["graph-checks", "graph"], ["hidden-checks", "hidden"], ["parameters-checks", "parameters"], ["embedding-checks", "embedding"]];
    for (const [check, page] of pairs) expect(reaches(`lib/derivation/${check}.ts`)).not.toContain(`lib/derivation/${page}.ts`);
    const valueImports = read("lib/derivation/forward-checks.ts").split("\n").filter((l) => /^import (?!type)[^;]*"\.\/forward\.js"/.test(l) && !/^import \{ type [A-Za-z]+ \}/.test(l));
    expect(valueImports).toEqual([]);
  });

  it("D2L's checks (finite differences, TF.js) never reach the backward pass, forward-mode or page code they check", () => {
    const checked = ["d2l", "bridge", "vanishing", "intuition", "truncation"].map((n) => `lib/d2l/${n}.ts`);
    const oracles = ["lib/d2l/checks.ts", "lib/d2l/tfjs-oracles.ts", "lib/d2l/validate.ts"]; // validate.ts: the argument checks a check may use
    for (const f of [...checked, ...oracles]) expect(LIB, f).toContain(f);
    for (const oracle of oracles) expect(reaches(oracle).filter((f) => checked.includes(f)), oracle).toEqual([]);
    expect(reaches("lib/d2l/truncation.ts")).toContain("lib/d2l/d2l.ts"); // the search does find it where it is
  });

  it("every relative import resolves to a file that exists", () => {
    const all = [...LIB, ...SRC, ...walk("test", /\.ts$/), ...walk("bench", /\.ts$/), ...walk("bin", /\.ts$/), ...walk("scripts", /\.ts$/)];
    const missing = all.flatMap((f) => importsOf(f, read(f))
      .filter((i) => i.target && !i.target.startsWith("src/_") && !exists(i.target))
      .map((i) => `${f} imports ${i.spec} (${relative(ROOT, join(ROOT, i.target!))})`));
    expect(missing).toEqual([]);
  });

  it("the stacked RNN's checks never reach the code they check: finite differences neither backward pass, the loops per example neither batch forward pass", () => {
    const rules: [string, string[]][] = [
      ["lib/stacked/finite-differences.ts", ["lib/stacked/backward.ts", "lib/stacked/stacked.ts", "lib/stacked/as-printed.ts"]],
      ["lib/stacked/per-example.ts", ["lib/stacked/forward.ts", "lib/stacked/stacked.ts"]],
      ["lib/stacked/validate.ts", ["lib/stacked/forward.ts", "lib/stacked/backward.ts", "lib/stacked/stacked.ts", "lib/stacked/as-printed.ts"]],
    ];
    for (const [check, checked] of rules) {
      expect(LIB, check).toContain(check);
      for (const f of checked) expect(LIB, f).toContain(f);
      expect(reaches(check).filter((f) => checked.includes(f)), check).toEqual([]);
    }
    expect(reaches("lib/stacked/page.ts")).toContain("lib/stacked/backward.ts"); // the search does find it where it is
  });
});

function exists(path: string): boolean {
  try {
    readFileSync(join(ROOT, path));
    return true;
  } catch {
    return false;
  }
}
