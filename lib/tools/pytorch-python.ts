/**
 * What the two "Reproduce in PyTorch" scripts share (lib/tools/pytorch-script.ts for the main derivation,
 * lib/tools/pytorch-stacked-script.ts for the stacked RNN): float64 numbers written so that Python reads back the very
 * same doubles, nested lists of them, and the Python that compares PyTorch's values with the page's and prints the
 * table. Pure: no Node APIs, no DOM.
 */
import type { Matrix, Vector } from "../core/matrix.js";
import { PYTORCH_ATOL, PYTORCH_RTOL } from "../core/tolerances.js";

/** A downloadable script: its file name (which tells the configuration) and its text. */
export interface PythonScript {
  filename: string;
  text: string;
}

/**
 * A float64 as a Python literal that reads back bit for bit: JavaScript's shortest round-trip decimal (what Python's
 * repr would also choose), with ".0" on an integral value so that it stays a float, and −0 kept.
 */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`pyNumber: ${x} has no Python float literal (the page never shows one)`);
  if (Object.is(x, -0)) return "-0.0";
  const s = String(x);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** A vector as a Python list. */
export const pyVector = (v: Vector | readonly number[]): string => `[${Array.from(v, pyNumber).join(", ")}]`;

/** A matrix as a Python list of rows. */
export const pyMatrix = (m: Matrix): string =>
  `[${Array.from({ length: m.rows }, (_, i) => pyVector(m.data.subarray(i * m.cols, (i + 1) * m.cols))).join(", ")}]`;

/** Matrices of one shape (one per step) as a Python list of them: shape [count, rows, cols]. */
export const pyMatrices = (ms: readonly Matrix[]): string => `[${ms.map(pyMatrix).join(", ")}]`;

/** Integers (token or class ids) as a Python list. */
export const pyInts = (ids: readonly number[]): string => `[${ids.join(", ")}]`;

/** Integer lists as a Python list of lists. */
export const pyIntRows = (rows: readonly (readonly number[])[]): string => `[${rows.map(pyInts).join(", ")}]`;

/** A string as a Python literal (JSON's escapes are Python's). */
export const pyString = (s: string): string => JSON.stringify(s);

/** The part of a file name that a text contributes: letters and digits kept, anything else "_", at most 24 characters. */
export function fileSlug(text: string): string {
  return Array.from(text, (ch) => (/^[A-Za-z0-9]$/.test(ch) ? ch : "_")).slice(0, 24).join("");
}

/**
 * The page's numbers as a Python dict, one quantity per line, so that a reader (or a test) can find and change one
 * (`    "dL_dW": [[…]],`).
 */
export function pyPageDict(entries: readonly (readonly [string, string])[]): string {
  return `PAGE = {\n${entries.map(([name, literal]) => `    ${pyString(name)}: ${literal},`).join("\n")}\n}`;
}

/**
 * The opening of every script: the imports, float64, the tolerances with their reason, and `compare`, which
 * prints the table and exits 1 naming every quantity that disagrees. Only `torch` and the standard library.
 */
export const PYTHON_PRELUDE = `import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

# Every tensor in float64, as the page computes.
torch.set_default_dtype(torch.float64)

# The tolerances of torch.allclose: |PyTorch - page| <= ATOL + RTOL * |page|, entry by entry. The page (TypeScript)
# and PyTorch compute in float64 (unit roundoff 1.1e-16) and differ only in the order of their sums and in the last
# bit of exp, log and tanh, so they agree to about 1e-15 relative even after 32 steps of the recurrence: RTOL leaves
# five orders of margin, and a wrong term, transpose or factor shows at 1e-3 or more. ATOL covers entries that are
# zero or nearly (a sum that cancels), where a relative error says nothing.
RTOL = ${pyNumber(PYTORCH_RTOL)}
ATOL = ${pyNumber(PYTORCH_ATOL)}

if hasattr(sys.stdout, "reconfigure"):
    sys.stdout.reconfigure(errors="replace")  # a console without Unicode shows ? for the marks, and does not stop


def compare(rows):
    """Each row: (quantity, equation, what PyTorch computed, what to compare it with). Prints the table; returns the
    quantities that disagree, with their equations."""
    width = max(len("quantity"), *(len(row[0]) for row in rows))
    eq_width = max(len("eq"), *(len(row[1]) for row in rows))
    print(f"{'quantity':<{width}}  {'eq':<{eq_width}}  {'shape':<14}  {'max |Δ|':>9}  allclose")
    failed = []
    for name, eq, ours, theirs in rows:
        ours = torch.as_tensor(ours).detach().to(torch.float64)
        theirs = torch.as_tensor(theirs, dtype=torch.float64).detach()
        shape = str(list(theirs.shape))
        if ours.shape != theirs.shape:
            ok, delta = False, f"{'shape':>9}  ✗ PyTorch's shape is {list(ours.shape)}"
        else:
            ok = torch.allclose(ours, theirs, rtol=RTOL, atol=ATOL)
            worst = (ours - theirs).abs().max().item() if ours.numel() else 0.0
            delta = f"{worst:>9.1e}  {'✓' if ok else '✗'}"
        print(f"{name:<{width}}  {eq:<{eq_width}}  {shape:<14}  {delta}")
        if not ok:
            failed.append(f"{name} ({eq})")
    return failed


def finish(failed, count):
    """Exit 0 when every quantity agrees, else 1 with the list of those that do not."""
    print()
    if failed:
        print(f"DISAGREE: {len(failed)} of {count} quantities: " + ", ".join(failed))
        sys.exit(1)
    print(f"All {count} quantities agree (torch.allclose, rtol {RTOL:g}, atol {ATOL:g}; PyTorch {torch.__version__}).")

`;
