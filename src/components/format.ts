/** Number formatting for displayed values: 4 significant digits, and an exact zero printed as a plain "0". */
export function fmt(v: number, digits = 4): string {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(digits))) : v.toExponential(digits - 1);
}

/** "[6, 4]" for a matrix, "[6]" for a vector, as the derivation writes shapes. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
