/**
 * The answer key (lib/tools/answer-key.ts) as files a student or lecturer can download: the JSON the command-line tool
 * prints, LaTeX tables (booktabs: \toprule, \midrule, \bottomrule), one per quantity, for a solution sheet, and CSV,
 * one row per entry, for a marking spreadsheet.
 *
 * Pure: no Node APIs, no DOM.
 */
import type { Answer } from "./answer-key.js";
import { type Axis, QUANTITIES, type QuantityKey, entriesOf } from "./compare-answer.js";

/** The answer as JSON, byte for byte what `npm run --silent answer-key -- case.json` prints. */
export function answerToJson(answer: Answer): string {
  return `${JSON.stringify(answer)}\n`;
}

/** Escape text for LaTeX (token names can be any string). */
export function latexEscape(s: string): string {
  const map: Record<string, string> = {
    "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#", "%": "\\%", "_": "\\_",
    "^": "\\textasciicircum{}", "~": "\\textasciitilde{}", " ": "\\textvisiblespace{}",
  };
  return s.replace(/[\\{}$&#%_^~ ]/g, (c) => map[c]!);
}

/** A number for a LaTeX table: `digits` significant digits, exponents as $\times 10^{k}$, minus as $-$. */
export function latexNumber(v: number, digits = 6): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) {
    const s = String(Number(v.toPrecision(digits)));
    return s.startsWith("-") ? `$-$${s.slice(1)}` : s;
  }
  const [m, e] = v.toExponential(digits - 1).split("e") as [string, string];
  const mant = String(Number(m));
  return `$${mant}\\times 10^{${Number(e)}}$`;
}

export interface LatexOptions {
  /** Token names, one per vocabulary entry (the case's "vocab"); otherwise tokens are numbered. */
  vocab?: readonly string[];
  /** Significant digits, default 6. */
  digits?: number;
  /** The quantities to tabulate, in the answer's order; default all. */
  keys?: readonly QuantityKey[];
  /** The comment lines that open the file (sizes, the booktabs package); default true. */
  header?: boolean;
}

const AXIS_NAME: Record<Axis, string> = { t: "$t$", vocab: "token", hidden: "$j$", d_model: "$k$" };

/** Labels along an axis: t = 1…τ, tokens by name or number, units numbered from 1 (as the derivation does). */
function axisLabels(axis: Axis, n: number, vocab?: readonly string[]): string[] {
  if (axis === "vocab" && vocab) return vocab.map(latexEscape);
  return Array.from({ length: n }, (_, i) => String(i + 1));
}

/**
 * One booktabs table per quantity of the answer, each in a `table` float with a caption naming the quantity and
 * its equation. A vector is one row; the loss is a one-cell table. Needs \usepackage{booktabs} (said in the
 * header comment).
 */
export function answerToLatex(answer: Answer, opts: LatexOptions = {}): string {
  const digits = opts.digits ?? 6;
  const { vocab, d_model, hidden, tau } = answer.sizes;
  const len: Record<Axis, number> = { t: tau, vocab, hidden, d_model };
  const out: string[] = opts.header === false ? [] : [
    "% The answer key of one case (bptt-companion): one booktabs table per quantity.",
    `% Sizes: vocab = ${vocab}, d_model = ${d_model}, hidden = ${hidden}, tau = ${tau}.`,
    "% Requires \\usepackage{booktabs} in the preamble.",
    "",
  ];
  for (const q of QUANTITIES) {
    if (opts.keys && !opts.keys.includes(q.key)) continue;
    const value = answer[q.key];
    const caption = `$${q.tex}$${q.equation ? ` (eq.~${q.equation.replace("–", "--")})` : " (given)"}`;
    out.push(`% ${q.key}`, "\\begin{table}[htbp]", "\\centering", `\\caption{${caption}}`);
    if (q.axes.length === 0) {
      out.push("\\begin{tabular}{r}", "\\toprule", `${latexNumber(value as number, digits)} \\\\`, "\\bottomrule", "\\end{tabular}");
    } else {
      const [rowAxis, colAxis] = q.axes.length === 1 ? [null, q.axes[0]!] : [q.axes[0]!, q.axes[1]!];
      const cols = len[colAxis];
      const colLabels = axisLabels(colAxis, cols, opts.vocab);
      const entries = entriesOf(value as number[] | number[][]);
      const rows = rowAxis ? len[rowAxis] : 1;
      const rowLabels = rowAxis ? axisLabels(rowAxis, rows, opts.vocab) : [""];
      out.push(`\\begin{tabular}{l${"r".repeat(cols)}}`, "\\toprule");
      out.push(`${rowAxis ? `${AXIS_NAME[rowAxis]} $\\backslash$ ${AXIS_NAME[colAxis]}` : AXIS_NAME[colAxis]} & ${colLabels.join(" & ")} \\\\`);
      out.push("\\midrule");
      for (let i = 0; i < rows; i++) {
        const cells = entries.slice(i * cols, (i + 1) * cols).map(([, v]) => latexNumber(v, digits));
        out.push(`${rowLabels[i]} & ${cells.join(" & ")} \\\\`);
      }
      out.push("\\bottomrule", "\\end{tabular}");
    }
    out.push("\\end{table}", "");
  }
  return out.join("\n");
}

/** One line of CSV: a field with a comma, a quote or a line break is quoted, its quotes doubled (RFC 4180). */
export function csvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(",");
}

/**
 * The rows of an answer as CSV, one per entry of each quantity in `keys` (default all): quantity, equation, i, j,
 * value; i and j are the JSON's indices from 0 ("" where the quantity has fewer axes), the value in full
 * precision (JavaScript's shortest text that reads back as the same float64).
 */
export function answerCsvRows(answer: Answer, keys: readonly QuantityKey[] = QUANTITIES.map((q) => q.key)): string[][] {
  const rows: string[][] = [];
  for (const q of QUANTITIES) {
    if (!keys.includes(q.key)) continue;
    for (const [index, v] of entriesOf(answer[q.key])) {
      rows.push([q.key, q.equation || "given", String(index[0] ?? ""), String(index[1] ?? ""), String(v)]);
    }
  }
  return rows;
}

/** The answer as CSV with a header row: quantity, equation, i, j, value (see `answerCsvRows`). */
export function answerToCsv(answer: Answer, keys?: readonly QuantityKey[]): string {
  return `${[["quantity", "equation", "i", "j", "value"], ...answerCsvRows(answer, keys)].map(csvLine).join("\n")}\n`;
}
