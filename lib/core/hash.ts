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

/**
 * FNV-1a of a value's content: every number's 64 bits (so −0 and 0, and each NaN payload the engine keeps, differ),
 * strings, and the structure around them (arrays, typed arrays, plain objects' keys). Two runs of a function on
 * equal inputs get the same key however the inputs were made: the sandbox's results are kept per key.
 */
export function hashValue(v: unknown): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  const bits = new Float64Array(1), words = new Uint32Array(bits.buffer);
  const num = (x: number) => {
    bits[0] = x;
    mix(words[0]!);
    mix(words[1]!);
  };
  const walk = (x: unknown): void => {
    if (typeof x === "number") { mix(1); num(x); }
    else if (typeof x === "string") { mix(2); mix(x.length); for (let i = 0; i < x.length; i++) mix(x.charCodeAt(i)); }
    else if (typeof x === "boolean") mix(x ? 3 : 4);
    else if (x === null || x === undefined) mix(x === null ? 5 : 6);
    else if (x instanceof Float64Array) { mix(7); mix(x.length); for (let i = 0; i < x.length; i++) num(x[i]!); }
    else if (Array.isArray(x)) { mix(8); mix(x.length); for (const y of x) walk(y); }
    else if (typeof x === "object") {
      mix(9);
      for (const k of Object.keys(x).sort()) { walk(k); walk((x as Record<string, unknown>)[k]); }
    } else mix(10);
  };
  walk(v);
  return h.toString(16).padStart(8, "0");
}
