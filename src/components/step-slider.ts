/**
 * A range slider over the steps t = 1 … τ − 1 of a recursion (t = 0 alone when τ = 1), starting at the last, with a
 * read-out the page words; its `value` is the chosen t, for Framework's `view()`.
 */
import { el } from "./dom.js";

export function stepSlider(tau: number, describe: (t: number) => string): HTMLElement & { value: number } {
  const lo = Math.min(1, tau - 1), hi = tau - 1;
  const wrap = el("div", "step-picker");
  const label = el("label");
  const input = el("input");
  Object.assign(input, { type: "range", min: String(lo), max: String(hi), step: "1", value: String(hi), disabled: lo === hi });
  label.append("Step t ", input);
  const out = el("output");
  const show = () => (out.textContent = describe(Number(input.value)));
  input.addEventListener("input", show);
  show();
  wrap.append(label, out);
  Object.defineProperty(wrap, "value", { get: () => Number(input.value) });
  return wrap as unknown as HTMLElement & { value: number };
}
