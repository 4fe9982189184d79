/**
 * A step t shared by several cells of a page: a store, and radio buttons bound to it, so that several pickers on a
 * page stay in step and the reader can choose t next to whichever equation they are reading.
 */
import { el } from "./dom.js";

export interface StepStore {
  get(): number;
  set(t: number): void;
  /** Calls `fn` now and on every change; returns the unsubscribe function (fits Generators.observe). */
  observe(fn: (t: number) => void): () => void;
}

export function stepStore(initial = 1): StepStore {
  let t = initial;
  const fns = new Set<(t: number) => void>();
  return {
    get: () => t,
    set(next) {
      if (next === t) return;
      t = next;
      for (const fn of fns) fn(t);
    },
    observe(fn) {
      fns.add(fn);
      fn(t);
      return () => fns.delete(fn);
    },
  };
}

let pickerId = 0;

/**
 * Radio buttons "1·c 2·a …" bound to a StepStore: several pickers on a page stay in step, so the reader can choose
 * t next to whichever equation they are reading. The store may hold a t beyond τ after the text got shorter; the
 * picker shows the clamped step.
 */
export function stepPicker(steps: string[], store: StepStore, invalidation?: Promise<unknown>): HTMLElement {
  const name = `step-picker-${++pickerId}`;
  const fieldset = el("fieldset", "step-picker");
  fieldset.append(el("legend", undefined, "Step t"));
  const radios = steps.map((s, k) => {
    const label = el("label");
    const input = el("input");
    input.type = "radio";
    input.name = name;
    input.value = String(k + 1);
    input.addEventListener("change", () => input.checked && store.set(k + 1));
    label.append(input, el("span", undefined, s));
    fieldset.append(label);
    return input;
  });
  const off = store.observe((t) => {
    const k = Math.min(Math.max(t, 1), steps.length) - 1;
    radios.forEach((r, i) => (r.checked = i === k));
  });
  invalidation?.then(off);
  return fieldset;
}

/** The store's t within 1 … τ: it may hold a t beyond τ after the text got shorter. */
export function clampStep(t: number, tau: number): number {
  return Math.min(Math.max(t, 1), tau);
}
