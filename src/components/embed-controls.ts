/**
 * The controls of an equation's cells (src/components/embed.ts finds the cells): the cells that define, with
 * `view(…)`, a value those cells read, directly or through other cells, read from Framework's own list of each
 * cell's inputs and outputs in the page's module script. Loaded with the embed or the Embed panel only.
 */

/** The cell a block of Framework's displays into: the id in its `<!--:id:-->` marker. */
export function cellId(block: Element): string | null {
  for (const node of block.childNodes) {
    const m = node.nodeType === Node.COMMENT_NODE ? /^:([0-9a-f]{8}(?:-\d+)?):$/.exec((node as Comment).data) : null;
    if (m) return m[1]!;
  }
  return null;
}

interface CellDeclaration { inputs: string[]; outputs: string[] }

/**
 * Each cell's inputs and outputs, as Framework 1.13 compiles a page: `define({id: "…", inputs: [...], outputs:
 * [...], body: …})` in the page's inline module script. test/browser/embed.test.ts fails if this stops finding a
 * cell's controls (the step slider of (3.7)).
 */
function cellDeclarations(): Map<string, CellDeclaration> {
  const out = new Map<string, CellDeclaration>();
  const list = (s: string | undefined): string[] => (s ? JSON.parse(s) as string[] : []);
  for (const script of document.querySelectorAll("script[type=module]:not([src])")) {
    const defines = /define\(\{id: "([\w-]+)"(?:, mode: "\w+")?(?:, inputs: (\[[^\]]*\]))?(?:, outputs: (\[[^\]]*\]))?/g;
    for (const m of (script.textContent ?? "").matchAll(defines)) out.set(m[1]!, { inputs: list(m[2]), outputs: list(m[3]) });
  }
  return out;
}

/** The blocks of the cells whose `view(…)` the given cells read, directly or through other cells, in page order. */
export function controlBlocks(cells: readonly HTMLElement[]): HTMLElement[] {
  const declared = cellDeclarations();
  const definedBy = new Map<string, string>();
  for (const [id, d] of declared) for (const o of d.outputs) definedBy.set(o, id);
  const controls = new Set<string>();
  const seen = new Set<string>();
  const stack = cells.map(cellId).filter((id): id is string => id !== null);
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const d = declared.get(id);
    if (!d) continue;
    if (d.inputs.includes("view")) controls.add(id);
    for (const input of d.inputs) {
      const from = definedBy.get(input);
      if (from !== undefined) stack.push(from);
    }
  }
  return Array.from(document.querySelectorAll<HTMLElement>("#observablehq-main > div.observablehq"))
    .filter((block) => controls.has(cellId(block) ?? ""));
}
