/**
 * Where two answer-key outputs (or any two JSON texts) first differ, said so that a reader can act on it: the
 * first differing number's path and both values with their 64 bits, and the byte offset. null when identical.
 */
const cell = new Float64Array(1);
const words = new Uint32Array(cell.buffer);
export const bits = (x: number): string => {
  cell[0] = x;
  return words[1]!.toString(16).padStart(8, "0") + words[0]!.toString(16).padStart(8, "0");
};

function firstPath(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === "number" && typeof b === "number") {
    return Object.is(a, b) ? null : `${path}: ${a} (0x${bits(a)}) vs ${b} (0x${bits(b)})`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = firstPath(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return a.length === b.length ? null : `${path}: length ${a.length} vs ${b.length}`;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.join() !== kb.join()) return `${path || "top level"}: keys ${ka.join(",")} vs ${kb.join(",")}`;
    for (const k of ka) {
      const d = firstPath((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** null if `want` and `got` are the same text; else e.g. `answer.dL_dW[1][0]: 0.12… (0x3fbe…) vs … (byte 1234)`. */
export function firstDifference(want: string, got: string): string | null {
  if (want === got) return null;
  let at = 0;
  while (at < want.length && want[at] === got[at]) at++;
  let where: string | null = null;
  try {
    where = firstPath(JSON.parse(want), JSON.parse(got), "");
  } catch { /* not JSON: the offset says it */ }
  const context = `…${JSON.stringify(want.slice(Math.max(0, at - 20), at + 20))} vs …${JSON.stringify(got.slice(Math.max(0, at - 20), at + 20))}`;
  return `${where ?? "same JSON values, different text"} (byte ${at}: ${context})`;
}
