/**
 * The run-code worker's `lib-scopes`, built in Node with the very plugin the worker's bundle uses
 * (scripts/module-scope.ts), so that a test runs a reader's function in the scope the browser gives it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { scopePlugin } from "../../scripts/module-scope.js";

let built: Promise<Record<string, Record<string, unknown>>> | undefined;

export function libScopes(): Promise<Record<string, Record<string, unknown>>> {
  return (built ??= (async () => {
    const out = await esbuild.build({
      stdin: { contents: 'export { default } from "lib-scopes";', resolveDir: process.cwd(), loader: "ts" },
      bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "silent", plugins: [scopePlugin()],
    });
    const file = join(mkdtempSync(join(tmpdir(), "lib-scopes-")), "scopes.mjs");
    writeFileSync(file, out.outputFiles[0]!.text);
    return (await import(pathToFileURL(file).href)).default;
  })());
}
