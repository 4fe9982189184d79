/**
 * A zip of a problem set's case files, one `case-ID.json` per student (lib/tools/problem-set.ts caseFiles), for a
 * lecturer to hand out. Loaded only when the button is pressed (fflate's zip writer), so the page's weight does not
 * carry it.
 */
import { strToU8, zipSync } from "fflate";

export function casesZip(files: readonly { name: string; text: string }[]): Blob {
  const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, strToU8(f.text)])), { level: 6 });
  return new Blob([zip], { type: "application/zip" });
}
