import { describe, expect, it } from "vitest";
import { answerCase, answerKey } from "../../lib/tools/answer-key.js";
import { caseToJson, randomCase } from "../../lib/tools/case.js";
import { answerToJson, answerToLatex, latexEscape, latexNumber } from "../../lib/tools/answer-export.js";
import { QUANTITIES } from "../../lib/tools/compare-answer.js";

const k = randomCase({ seed: 7, vocab: 4, dModel: 2, hidden: 3, tau: 5 });
const answer = answerCase(k);

describe("answer-export", () => {
  it("the JSON download is byte for byte the CLI's answer", () => {
    expect(answerToJson(answer)).toBe(answerKey(JSON.stringify(caseToJson(k))));
    expect(JSON.parse(answerToJson(answer))).toEqual(answer);
  });

  it("formats numbers for LaTeX", () => {
    expect(latexNumber(0)).toBe("0");
    expect(latexNumber(1.23456789)).toBe("1.23457");
    expect(latexNumber(-0.5)).toBe("$-$0.5");
    expect(latexNumber(1.5e-7)).toBe("$1.5\\times 10^{-7}$");
    expect(latexNumber(-2e6)).toBe("$-2\\times 10^{6}$");
  });

  it("escapes token names", () => {
    expect(latexEscape("a_b&%$#{}~^\\ ")).toBe("a\\_b\\&\\%\\$\\#\\{\\}\\textasciitilde{}\\textasciicircum{}\\textbackslash{}\\textvisiblespace{}");
  });

  it("writes one balanced booktabs tabular per quantity, with the right number of rows and columns", () => {
    const tex = answerToLatex(answer);
    expect(tex).toContain("\\usepackage{booktabs}");
    const tabulars = tex.split("\\begin{tabular}").slice(1);
    expect(tabulars).toHaveLength(QUANTITIES.length);
    expect(tex.split("\\end{tabular}")).toHaveLength(QUANTITIES.length + 1);
    expect(tex.split("\\begin{table}")).toHaveLength(QUANTITIES.length + 1);
    for (const [n, q] of QUANTITIES.entries()) {
      const body = tabulars[n]!;
      expect(body).toMatch(/\\toprule[\s\S]*\\bottomrule/);
      const lines = body.split("\n").filter((l) => l.endsWith("\\\\"));
      const rows = q.axes.length === 2 ? (q.axes[0] === "t" ? 5 : { vocab: 4, hidden: 3, d_model: 2 }[q.axes[0]!]) : 1;
      // header + data rows (a number has no header)
      expect(lines).toHaveLength(q.axes.length === 0 ? 1 : rows + 1);
      const cols = (body.match(/^\{l(r*)\}/)?.[1] ?? "r").length;
      for (const l of lines.slice(q.axes.length === 0 ? 0 : 1)) {
        expect(l.split(" & ")).toHaveLength(q.axes.length === 0 ? 1 : cols + 1);
      }
    }
  });

  it("puts the numbers in the table (dL_dE row 2) and captions with the equation", () => {
    const tex = answerToLatex(answer);
    expect(tex).toContain("\\caption{$(DL)_{E}$ (eq.~4.9)}");
    expect(tex).toContain("\\caption{$(DL)_{h^{(t)}}$ (eq.~4.2--4.3)}");
    const row = `2 & ${answer.dL_dE[1]!.map((v) => latexNumber(v)).join(" & ")} \\\\`;
    expect(tex.slice(tex.indexOf("% dL_dE"))).toContain(row);
  });

  it("names vocabulary rows by their tokens when given", () => {
    const tex = answerToLatex(answer, { vocab: ["a", "b_", " ", "%"] });
    expect(tex).toContain("token & a & b\\_ & \\textvisiblespace{} & \\% \\\\");
  });
});
