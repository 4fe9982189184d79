/**
 * The page's path for an edit, in Node: the worker runs and packs (src/workers/run-code.ts runAndPack), the page
 * checks what it sent (lib/tools/sandbox-protocol.ts checkEdit), on the default example.
 */
import { runAndPack } from "../../src/workers/sandbox/run.js";
import {
  type EditId, argsFor, editable, effective, numericalValue, referenceValue,
} from "../../lib/derivation/editable.js";
import { checkEdit, shapeOf } from "../../lib/tools/sandbox-protocol.js";
import { DEFAULT_CONFIG, buildExample, numericalGradients } from "../../lib/state/example.js";

export const ex = buildExample({ ...DEFAULT_CONFIG });
export const fd = numericalGradients(ex);
export const base = effective(ex);


/** The page's path: the worker runs and packs (runAndPack), the page checks what it sent (checkEdit). */
export function runChecked(id: EditId, code: string, e = ex, eff = effective(e), numeric = numericalValue(id, e, fd)) {
  const ref = referenceValue(id, e, eff);
  const out = runAndPack({ code, args: argsFor(id, e, eff), name: editable(id).name, shape: shapeOf(ref) });
  return { out, check: checkEdit(id, out, ref, numeric) };
}

export function run(id: EditId, code: string, eff = base) {
  const { out, check } = runChecked(id, code, ex, eff);
  if ("error" in out) throw new Error(out.error);
  return check;
}
