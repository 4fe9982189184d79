/**
 * Web Workers, bundled. Each `src/workers/NAME.ts` becomes one self-contained classic script
 * `src/_workers/NAME.js` (lib/ inlined), which a page loads with
 * `new Worker(await FileAttachment("./_workers/NAME.js").url())`: Framework then copies it into `dist/_file/`
 * under a content hash. Framework bundles modules that pages import, but not a worker's entry point, hence this step.
 *
 * Also writes `src/_workers/sandbox.html`, the frame a reader's code runs in (scripts/csp.ts).
 *
 * Run by `predev` and `prebuild`; the output is git-ignored. `--watch` rebuilds on change (for `npm run dev`).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { SANDBOX_HTML } from "./csp.js";
import { scopePlugin } from "./module-scope.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src", "workers");
export const WORKERS_OUT = join(root, "src", "_workers");

export function workerOptions(out = WORKERS_OUT): esbuild.BuildOptions {
  const entryPoints = (existsSync(src) ? readdirSync(src) : []).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).map((f) => join(src, f));
  return {
    entryPoints,
    outdir: out,
    bundle: true,
    format: "iife", // a classic worker: no module-worker support needed, no import resolution at run time
    target: "es2022",
    platform: "browser",
    logLevel: "warning",
    legalComments: "none",
    minify: true, // the editor's worker carries sucrase: ~0.5 MB unminified
    // run-code.ts imports `lib-scopes`: every editable module with its scope, so a reader's version of a function
    // sees what the function sees in lib/ (scripts/module-scope.ts). Other workers do not import it.
    plugins: [scopePlugin()],
  };
}

export async function buildWorkers(out = WORKERS_OUT): Promise<void> {
  mkdirSync(out, { recursive: true });
  await esbuild.build(workerOptions(out));
  writeSandboxFrame(out);
}

/** The sandbox frame (scripts/csp.ts): a document with a policy and nothing else, in which run-code workers are made. */
export function writeSandboxFrame(out = WORKERS_OUT): void {
  writeFileSync(join(out, "sandbox.html"), SANDBOX_HTML);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--watch")) {
    mkdirSync(WORKERS_OUT, { recursive: true });
    writeSandboxFrame();
    const ctx = await esbuild.context(workerOptions());
    await ctx.watch();
  } else {
    await buildWorkers();
  }
}
