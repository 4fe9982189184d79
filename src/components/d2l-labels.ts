/** Axis labels of the D2L page's heatmaps of ∂h_t/∂w_h. */
import type { WhLayout } from "../lib/d2l/model.js";

/** Column labels of the flattened w_h: "hx i,b" for W_hx[i,b], "hh i,b" for W_hh[i,b] (1-based, row-major). */
export function whLabels(layout: WhLayout, cols: { W_hx: number; W_hh: number }, hidden: number): string[] {
  const out: string[] = [];
  for (const n of layout.names) {
    const c = cols[n], tag = n === "W_hx" ? "hx" : "hh";
    for (let i = 1; i <= hidden; i++) for (let b = 1; b <= c; b++) out.push(`${tag} ${i},${b}`);
  }
  return out;
}

/** Row labels "t·i" for T stacked h-row blocks. */
export function stepRowLabels(T: number, hidden: number): string[] {
  const out: string[] = [];
  for (let t = 1; t <= T; t++) for (let i = 1; i <= hidden; i++) out.push(`${t}·${i}`);
  return out;
}
