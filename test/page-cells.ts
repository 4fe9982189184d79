/**
 * A page's cells as Framework sees them: its ```ts (or ```js) fences and the `${…}` expressions of its prose, in
 * page order, each with the line it starts on. Read by test/pages.test.ts (type-check, no arithmetic) and
 * test/lib-code.test.ts (every cell's code block).
 */
export interface Cell { page: string; line: number; code: string; inline: boolean }

/** Where a `${` … `}` opened at `from` closes, skipping braces inside strings and nested templates. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    const ch = text[k]!;
    if (ch === '"' || ch === "'" || ch === "`") {
      const end = ch === "`" ? templateEnd(text, k) : text.indexOf(ch, k + 1);
      if (end < 0) return -1;
      k = end;
    } else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return k;
  }
  return -1;
}
function templateEnd(text: string, from: number): number {
  for (let k = from + 1; k < text.length; k++) {
    if (text[k] === "\\") k++;
    else if (text[k] === "`") return k;
    else if (text[k] === "$" && text[k + 1] === "{") {
      k = closingBrace(text, k + 1);
      if (k < 0) return -1;
    }
  }
  return -1;
}

/** A page's ```ts cells and the `${…}` expressions of its prose (not of its <style> or of $…$ TeX), in order. */
export function cellsOf(page: string, text: string): Cell[] {
  const cells: Cell[] = [];
  const lineAt = (k: number) => text.slice(0, k).split("\n").length;
  const fence = /^```(\w*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
  let prose = 0;
  const scanProse = (from: number, to: number) => {
    const part = text.slice(from, to).replace(/<style>[\s\S]*?<\/style>/g, (s) => " ".repeat(s.length));
    for (let k = part.indexOf("${"); k >= 0; k = part.indexOf("${", k + 1)) {
      const end = closingBrace(part, k + 1);
      if (end < 0) break;
      cells.push({ page, line: lineAt(from + k), code: `(${part.slice(k + 2, end)});`, inline: true });
      k = end;
    }
  };
  for (const m of text.matchAll(fence)) {
    scanProse(prose, m.index);
    prose = m.index + m[0].length;
    if (m[1] === "ts" || m[1] === "js") cells.push({ page, line: lineAt(m.index) + 1, code: m[2]!, inline: false });
  }
  scanProse(prose, text.length);
  return cells;
}
