/**
 * The ✓/✗ badge after a live cell: an independent computation against the page's value, with the largest
 * absolute difference. A NaN error never passes.
 */
import { fmt } from "./format.js";

export interface CheckResult {
  /** What the value was checked against, e.g. "finite differences". */
  against: string;
  maxAbsError: number;
  tolerance: number;
}

export function passes({ maxAbsError, tolerance }: CheckResult): boolean {
  return maxAbsError <= tolerance; // false for NaN
}

export function checkBadge(r: CheckResult): HTMLElement {
  const ok = passes(r);
  const el = document.createElement("span");
  el.className = `check ${ok ? "check-pass" : "check-fail"}`;
  el.setAttribute("role", "status");
  el.textContent = `${ok ? "✓" : "✗"} matches ${r.against}: max |error| = ${fmt(r.maxAbsError, 2)}` +
    (ok ? "" : ` (tolerance ${fmt(r.tolerance, 2)})`);
  return el;
}
