/**
 * A reader's edits kept for later: in the link (`#edit=…`, base64url of their JSON, so a shared link reproduces
 * them) and in the browser's storage, per page. Whatever comes in is validated (known equations of the page only,
 * text only, bounded length), and a malformed link or store gives one line or nothing, never an exception.
 */
import { type EditId, EDIT_IDS, isEditId } from "../derivation/editable.js";
import { MAX_CODE_LENGTH, fromBase64Url, toBase64Url } from "./code-edits.js";

export { MAX_CODE_LENGTH };

export type EditsPayload = Partial<Record<EditId, string>>;

/** Validate a decoded object of edits: known ids only, strings only, bounded length. */
export function validateEdits(obj: unknown, allowed: readonly EditId[] = EDIT_IDS): { edits: EditsPayload } | { error: string } {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return { error: "expected an object of equation → code" };
  const edits: EditsPayload = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!isEditId(k) || !allowed.includes(k)) return { error: `"${k.slice(0, 40)}" is not an editable equation of this page` };
    if (typeof v !== "string") return { error: `the code for ${k} is not text` };
    if (v.length > MAX_CODE_LENGTH) return { error: `the code for ${k} is longer than ${MAX_CODE_LENGTH} characters` };
    edits[k] = v;
  }
  return { edits };
}

/** The URL fragment value for some edits: base64url of their JSON. */
export function encodeEdits(edits: EditsPayload): string {
  return toBase64Url(JSON.stringify(edits));
}

/** Decode a fragment value; a malformed one gives a one-line message, never an exception. */
export function decodeEdits(s: string, allowed: readonly EditId[] = EDIT_IDS): { edits: EditsPayload } | { error: string } {
  let obj: unknown;
  try {
    obj = JSON.parse(fromBase64Url(s));
  } catch (e) {
    return { error: `the edits in this link cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  const r = validateEdits(obj, allowed);
  return "error" in r ? { error: `the edits in this link cannot be used: ${r.error}` } : r;
}

/** The name of the fragment parameter: `#edit=…`. */
export const EDIT_HASH_KEY = "edit";

/** The edits in a location hash (`#edit=…`), null when there are none. */
export function editsFromHash(hash: string, allowed: readonly EditId[] = EDIT_IDS): { edits: EditsPayload } | { error: string } | null {
  const m = new RegExp(`(?:^#|&)${EDIT_HASH_KEY}=([^&]*)`).exec(hash);
  return m ? decodeEdits(m[1]!, allowed) : null;
}

/** What the store keeps per page: the reader's code for each equation, and whether it is in use. */
export type StoredEdits = Partial<Record<EditId, { code: string; active: boolean }>>;

export function parseStored(json: string | null, allowed: readonly EditId[] = EDIT_IDS): StoredEdits {
  if (!json) return {};
  try {
    const obj = JSON.parse(json) as Record<string, { code?: unknown; active?: unknown }>;
    const codes = validateEdits(Object.fromEntries(Object.entries(obj ?? {}).map(([k, v]) => [k, v?.code])), allowed);
    if ("error" in codes) return {};
    return Object.fromEntries(Object.entries(codes.edits).map(([k, c]) => [k, { code: c, active: obj[k]!.active === true }]));
  } catch {
    return {};
  }
}
