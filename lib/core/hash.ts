/**
 * FNV-1a (32-bit) of a text's UTF-16 code units, as 8 hex digits. Integer operations only (xor, Math.imul, >>> 0),
 * so Node and every browser engine give the same digits: the build hashes the code it shows beside a cell, the page
 * hashes the function that ran, and the browser suite compares the two.
 */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
