/**
 * What test/browser/same-bits.test.ts computes both in Node and (bundled) in Chromium. Every double is returned
 * as the hex of its 64 bits, so −0, subnormals and the last bit all count.
 */
import { backward, paramGrads } from "../../lib/backward.js";
import { lossAndGrads, makeWorkspace } from "../../lib/fast.js";
import { expFast, tanhFast } from "../../lib/fastmath.js";
import { forward } from "../../lib/forward.js";
import { PARAM_NAMES, initParams, initialHidden } from "../../lib/model.js";
import { makeRng } from "../../lib/rng.js";

const cell = new Float64Array(1);
const words = new Uint32Array(cell.buffer);
const hex = (x: number): string => {
  cell[0] = x;
  return words[1]!.toString(16).padStart(8, "0") + words[0]!.toString(16).padStart(8, "0");
};

export function run() {
  const rng = makeRng(2026);
  const args = Array.from({ length: 4000 }, (_, i) => (i < 2000 ? -40 * rng.next() : 16 * (rng.next() - 0.5)));
  const sizes = { vocab: 11, dModel: 5, hidden: 9 }, tau = 7;
  const p = initParams(sizes, makeRng(17));
  const inputs = [3, 1, 4, 1, 5, 9, 2], targets = [1, 4, 1, 5, 9, 2, 6];
  const h0 = initialHidden("point-one", sizes.hidden);
  const ws = makeWorkspace(sizes, tau);
  const fastLoss = lossAndGrads(p, inputs, targets, h0, ws);
  const f = forward(p, inputs, targets, h0);
  const g = paramGrads(backward(p, f, inputs, targets));
  const flat = (grads: Record<string, Float64Array | { data: Float64Array }>) =>
    PARAM_NAMES.flatMap((n) => Array.from("data" in grads[n]! ? (grads[n] as { data: Float64Array }).data : (grads[n] as Float64Array), hex));
  return {
    kernels: [ws.k.kind], // "wasm": the products ran in WebAssembly SIMD
    exp: args.map((x) => hex(expFast(x))),
    tanh: args.map((x) => hex(tanhFast(x))),
    fast: [hex(fastLoss), ...flat(ws.grads)],
    reference: [hex(f.loss), ...flat(g as unknown as Record<string, Float64Array | { data: Float64Array }>)],
  };
}
