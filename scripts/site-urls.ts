/**
 * THE build-time setting for where the site and its code live: the site's public address (the BibTeX `url`, the
 * Cite page) and the repository's (the footer, the Cite page, the notes pages' links to files). Whoever publishes
 * the site sets them for the build:
 *
 *   BPTT_SITE_URL=https://example.org/bptt/ BPTT_REPO_URL=https://example.org/code/bptt-companion npm run build
 *
 * Unset, they default to CITATION.cff's `url` and `repository-code`, so a build in a fork still says something
 * true once the fork edits that file. Read once, here, by observablehq.config.ts and the build-time plugins.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface SiteUrls {
  /** The site's public address, ending in "/". */
  site: string;
  /** The repository's address (no trailing "/"). */
  repo: string;
}

/** An absolute http(s) address, or a one-line error naming the setting. */
function checkUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: "${value}" is not an absolute address (expected https://…)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${name}: "${value}" is not an http(s) address`);
  return value;
}

/** The setting: the environment first, then CITATION.cff (its text may be given, for tests). */
export function siteUrls(env: Record<string, string | undefined> = process.env, cffText?: string): SiteUrls {
  const cff = (parseYaml(cffText ?? readFileSync(join(ROOT, "CITATION.cff"), "utf8")) ?? {}) as Record<string, unknown>;
  const site = env.BPTT_SITE_URL?.trim() || String(cff.url ?? "");
  const repo = env.BPTT_REPO_URL?.trim() || String(cff["repository-code"] ?? "");
  return {
    site: checkUrl(site, env.BPTT_SITE_URL ? "BPTT_SITE_URL" : "CITATION.cff url").replace(/\/*$/, "/"),
    repo: checkUrl(repo, env.BPTT_REPO_URL ? "BPTT_REPO_URL" : "CITATION.cff repository-code").replace(/\/+$/, ""),
  };
}

/** The address of a file of the repository (its default branch), e.g. "LICENSE" or "lib/tools/case.ts". */
export function repoFileUrl(repo: string, path: string): string {
  return `${repo}/blob/main/${path.replace(/^\.?\//, "")}`;
}
