/**
 * Data loader for the Cite page (src/cite.md): reads CITATION.cff at build time and writes the site's citation as
 * JSON — BibTeX, BibLaTeX, APA-style text, CSL-JSON (lib/tools/citation.ts, via citation-js), the version, and the commit
 * the site was built from (`git rev-parse --short HEAD`, "unknown" without git). Framework runs it with tsx.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { citationFromCff } from "../lib/tools/citation.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function buildCommit(): string {
  try {
    const out = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return /^[0-9a-f]{4,40}$/.test(out.trim()) ? out.trim() : "unknown";
  } catch {
    return "unknown";
  }
}

const cff = readFileSync(join(root, "CITATION.cff"), "utf8");
const citation = await citationFromCff(cff);
process.stdout.write(JSON.stringify({ ...citation, commit: buildCommit(), cff }, null, 2));
