/**
 * Builds the site once before the browser suite, exactly as a reader gets it (`npm run build`, which also runs
 * scripts/check-dist.ts). Set SKIP_BUILD=1 to reuse an existing `dist/` while iterating on tests.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export default function setup(): void {
  if (process.env.SKIP_BUILD && existsSync(`${process.env.BPTT_DIST ?? "dist"}/index.html`)) return;
  const r = spawnSync("npm", ["run", "--silent", "build"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l && !l.includes("nodedir")).slice(-25).join("\n");
    throw new Error(`npm run build failed (exit ${r.status}):\n${tail}`);
  }
}
