/**
 * A reader's versions of lib/ functions (src/components/notebook.ts), kept for later: in a link (`#code=…`,
 * base64url of their JSON, keyed "lib/derivation/hidden.ts#hiddenStepJacobian") and in the browser's storage, per
 * page, each with the hash and text of lib/'s version it was based on, so that a change of the site's code since is
 * noticed. Whatever comes in is validated (keys of the form file#name, text only, bounded length), and a malformed
 * link or store gives one line or nothing, never an exception.
 */

/** The longest code a link or the store carries for one function or equation (characters). */
export const MAX_CODE_LENGTH = 20_000;

export function toBase64Url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(s: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error("it contains characters that base64url does not use");
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** "lib/derivation/hidden.ts#hiddenStepJacobian" → the reader's code. */
export type CodeEdits = Record<string, string>;

export interface StoredEdit {
  code: string;
  /** fnv1a of lib/'s runtime source the edit was based on (lib/core/hash.ts). */
  base: string;
  /** lib/'s text it was based on, for showing what changed. */
  baseCode: string;
  /** Whether it is in use (it ran and returned a value of the right form). */
  active: boolean;
}
export type StoredCode = Record<string, StoredEdit>;

export const CODE_HASH_KEY = "code";

const KEY = /^lib\/[a-z0-9/-]+\.ts#[A-Za-z_$][\w$]*$/;
/** How many functions one link or store may carry. */
export const MAX_FUNCTIONS = 64;

const text = (v: unknown, what: string): string => {
  if (typeof v !== "string") throw new Error(`${what} is not text`);
  if (v.length > MAX_CODE_LENGTH) throw new Error(`${what} is longer than ${MAX_CODE_LENGTH} characters`);
  return v;
};

function entries(obj: unknown): [string, unknown][] {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Error("expected an object of function → code");
  const list = Object.entries(obj);
  if (list.length > MAX_FUNCTIONS) throw new Error(`more than ${MAX_FUNCTIONS} functions`);
  for (const [k] of list) if (!KEY.test(k)) throw new Error(`"${k.slice(0, 60)}" does not name a function of lib/ (file#name)`);
  return list;
}

export function encodeCode(edits: CodeEdits): string {
  return toBase64Url(JSON.stringify(edits));
}

/** The edits in a location hash (`#code=…`); null when there are none; one line when they cannot be used. */
export function codeFromHash(hash: string): { edits: CodeEdits } | { error: string } | null {
  const m = new RegExp(`(?:^#|&)${CODE_HASH_KEY}=([^&]*)`).exec(hash);
  if (!m) return null;
  try {
    const list = entries(JSON.parse(fromBase64Url(m[1]!)));
    return { edits: Object.fromEntries(list.map(([k, v]) => [k, text(v, `the code for ${k}`)])) };
  } catch (e) {
    return { error: `the code in this link cannot be used: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The store's entries; anything malformed is dropped whole (nothing of it is trusted). */
export function parseStoredCode(json: string | null): StoredCode {
  if (!json) return {};
  try {
    const out: StoredCode = {};
    for (const [k, v] of entries(JSON.parse(json))) {
      const e = v as Record<string, unknown>;
      if (typeof e !== "object" || e === null) throw new Error("not an object");
      out[k] = { code: text(e.code, "code"), base: text(e.base, "base"), baseCode: text(e.baseCode, "baseCode"), active: e.active === true };
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * Links made before the editors opened lib/'s own functions carried `#edit=…` (the catalogue's code, which no
 * function reads any more): such a link gets one line saying so, not silence.
 */
export const LEGACY_LINK_MESSAGE =
  "This link carries edits in the site's earlier format, which it no longer reads: open Edit under a cell to write them again.";
export const isLegacyEditLink = (hash: string): boolean => /(?:^#|&)edit=/.test(hash);
