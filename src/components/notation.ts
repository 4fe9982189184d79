/**
 * The source's notation in text that a component builds (a table's header or caption, a heading): subscripts
 * written TeX-style, `(DL)_{o⁽ᵗ⁾}` or `Σ_i`, become <sub> elements, so the reader sees (DL) with o⁽ᵗ⁾ set below
 * it rather than the braces. Superscripts are already Unicode (⁽ᵗ⁾, ᵀ). A single-character subscript must end there
 * (`ŷ_y⁽ᵗ⁾`, `(DL)_E row`): names such as `d_model` or `dL_do` stay as written; digits are an index wherever
 * they stop (`h_1h_2`).
 */

/** The parts of `text`: strings, and <sub> elements for its subscripts (nested ones nest). */
export function notation(text: string): (string | HTMLElement)[] {
  const out: (string | HTMLElement)[] = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === "_" && text[i + 1] === "{") {
      let depth = 0, j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "{") depth++;
        else if (text[j] === "}" && --depth === 0) break;
      }
      if (j < text.length) {
        if (plain) out.push(plain), (plain = "");
        out.push(sub(notation(text.slice(i + 2, j))));
        i = j + 1;
        continue;
      }
    } else if (text[i] === "_" && i > 0 && /^\d/.test(text.slice(i + 1))) {
      // Digits are an index whatever follows: h_1h_2 (a symbol's name, W_{h_1h_2}⁽²⁾) is h₁h₂.
      const digits = /^\d+/.exec(text.slice(i + 1))![0];
      if (plain) out.push(plain), (plain = "");
      out.push(sub([digits]));
      i += 1 + digits.length;
      continue;
    } else if (text[i] === "_" && i > 0) {
      const [ch] = Array.from(text.slice(i + 1));
      const after = ch === undefined ? "" : text.slice(i + 1 + ch.length, i + 2 + ch.length);
      if (ch !== undefined && /[\p{L}\p{N}]/u.test(ch) && !/[\p{L}\p{N}_]/u.test(after)) {
        if (plain) out.push(plain), (plain = "");
        out.push(sub([ch]));
        i += 1 + ch.length;
        continue;
      }
    }
    plain += text[i];
    i++;
  }
  if (plain) out.push(plain);
  return out;
}

function sub(parts: (string | HTMLElement)[]): HTMLElement {
  const s = document.createElement("sub");
  s.append(...parts);
  return s;
}
