/**
 * The scope of a lib/ module, for the sandbox: a reader's version of a function must see what the function sees in
 * lib/ — the module's imports and its own top-level declarations, exported or not — so that code shown after a cell
 * runs unchanged when the reader presses Run. The run-code worker's bundle (scripts/build-workers.ts) gets, for each
 * module a page's cells name, an extra export `__scope__ = { every value name in scope }` added at bundle time
 * (`scopePlugin`), and a virtual module `lib-scopes` mapping "lib/derivation/hidden.ts" to it. Nothing is copied: the
 * names are the module's own bindings.
 *
 * Names that are only types (`interface Matrix`, or imported without `type`) are left out, or the bundle would fail:
 * an import is a value when the module it comes from declares or re-exports a value of that name.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as esbuild from "esbuild";
import ts from "typescript";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const parsed = new Map<string, ts.SourceFile>();
function parse(path: string): ts.SourceFile {
  let sf = parsed.get(path);
  if (!sf) parsed.set(path, (sf = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true)));
  return sf;
}

/** "./matrix.js" from lib/core/fd.ts → the .ts file it is; null for a package. */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const p = resolve(dirname(from), spec).replace(/\.js$/, ".ts");
  return existsSync(p) ? p : null;
}

const hasModifier = (n: ts.Node, k: ts.SyntaxKind) => ts.canHaveModifiers(n) && (ts.getModifiers(n)?.some((m) => m.kind === k) ?? false);

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

/** Values a module declares at its top level: [name, exported?]. */
function declaredValues(sf: ts.SourceFile): [string, boolean][] {
  const out: [string, boolean][] = [];
  for (const st of sf.statements) {
    if (hasModifier(st, ts.SyntaxKind.DeclareKeyword)) continue;
    const exported = hasModifier(st, ts.SyntaxKind.ExportKeyword);
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) out.push([st.name.text, exported]);
    else if (ts.isEnumDeclaration(st) && !hasModifier(st, ts.SyntaxKind.ConstKeyword)) out.push([st.name.text, exported]);
    else if (ts.isVariableStatement(st)) {
      const names: string[] = [];
      for (const d of st.declarationList.declarations) bindingNames(d.name, names);
      for (const n of names) out.push([n, exported]);
    }
  }
  return out;
}

const valueExportCache = new Map<string, Set<string>>();
/** The value names a module exports: its exported declarations and what it re-exports. */
function valueExports(path: string): Set<string> {
  const cached = valueExportCache.get(path);
  if (cached) return cached;
  const out = new Set<string>();
  valueExportCache.set(path, out); // cycles: what is known so far
  const sf = parse(path);
  for (const [n, exported] of declaredValues(sf)) if (exported) out.add(n);
  const imported = importedValues(path);
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || st.isTypeOnly) continue;
    const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? resolveImport(path, st.moduleSpecifier.text) : null;
    if (!st.exportClause) {
      if (from) for (const n of valueExports(from)) out.add(n);
    } else if (ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (el.isTypeOnly) continue;
        const orig = (el.propertyName ?? el.name).text;
        const isValue = from ? valueExports(from).has(orig) : imported.has(orig) || declaredValues(sf).some(([n]) => n === orig);
        if (isValue) out.add(el.name.text);
      }
    }
  }
  return out;
}

/** The local names a module imports that are values. */
function importedValues(path: string): Set<string> {
  const out = new Set<string>();
  for (const st of parse(path).statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const clause = st.importClause;
    if (!clause || clause.isTypeOnly) continue;
    const from = resolveImport(path, st.moduleSpecifier.text);
    if (clause.name) out.add(clause.name.text);
    const b = clause.namedBindings;
    if (b && ts.isNamespaceImport(b)) out.add(b.name.text);
    else if (b) {
      for (const el of b.elements) {
        if (el.isTypeOnly) continue;
        const orig = (el.propertyName ?? el.name).text;
        if (!from || valueExports(from).has(orig)) out.add(el.name.text);
      }
    }
  }
  return out;
}

/** Every value name in scope at the top level of `path`: imports and own declarations, sorted. */
export function scopeNames(path: string): string[] {
  const names = new Set(importedValues(path));
  for (const [n] of declaredValues(parse(path))) names.add(n);
  return [...names].sort();
}

/** The modules whose functions a reader can edit: the page modules of each source (not the checks, not the tools). */
export function editableModules(): string[] {
  const dirs = ["lib/derivation", "lib/stacked", "lib/d2l"];
  return dirs.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => `${d}/${f}`)).sort();
}

export const SCOPES_MODULE = "lib-scopes";

/**
 * Adds `__scope__` to each editable module and serves `lib-scopes`: `{ "lib/derivation/hidden.ts": __scope__, … }`.
 */
export function scopePlugin(modules: readonly string[] = editableModules()): esbuild.Plugin {
  const abs = new Map(modules.map((m) => [join(ROOT, m), m]));
  return {
    name: "lib-scopes",
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${SCOPES_MODULE}$`) }, () => ({ path: SCOPES_MODULE, namespace: SCOPES_MODULE }));
      build.onLoad({ filter: /.*/, namespace: SCOPES_MODULE }, () => ({
        resolveDir: ROOT,
        loader: "ts",
        contents: [...abs.entries()].map(([p, m], i) => `import { __scope__ as s${i} } from ${JSON.stringify(p)}; // ${m}`).join("\n") +
          `\nexport default { ${[...abs.values()].map((m, i) => `${JSON.stringify(m)}: s${i}`).join(", ")} };\n`,
      }));
      build.onLoad({ filter: /\/lib\/.*\.ts$/ }, (args) => {
        const m = abs.get(args.path);
        if (!m) return undefined;
        const names = scopeNames(args.path);
        return {
          loader: "ts",
          contents: `${readFileSync(args.path, "utf8")}\nexport const __scope__ = { ${names.join(", ")} };\n`,
        };
      });
    },
  };
}

/** For messages: a path from the repository root. */
export const fromRoot = (p: string): string => relative(ROOT, p);
