/**
 * Guided experiments: a precise edit of an equation's code that reproduces a classic mistake, declared next to the
 * function it edits (`experiments(hiddenGradsBroadcastForm, [...])` under its declaration), so that the page's
 * editor offers it and the tests prove that it breaks the check for the reason it gives.
 *
 * A registry keyed by the function itself: the page, the editor and the tests all ask `experimentsOf(fn)`, and the
 * function's module is the only place an experiment is written.
 */

export interface Experiment {
  /** What the reader is offered: "Broadcast v along rows". */
  label: string;
  /** Text of the function's source (as written in lib/, doc comment excluded) to replace: occurs exactly once. */
  find: string;
  replace: string;
  /** Why the check fails, in a few sentences a student can follow. */
  why: string;
}

const registry = new WeakMap<Function, readonly Experiment[]>();

/** Declare the guided experiments of `fn` (called once, under its declaration). */
export function experiments(fn: Function, list: readonly Experiment[]): void {
  registry.set(fn, list);
}

export function experimentsOf(fn: Function): readonly Experiment[] {
  return registry.get(fn) ?? [];
}

/** `code` with the experiment applied, or null when its `find` is not in `code` exactly once (the code was edited). */
export function applyExperiment(code: string, e: Experiment): string | null {
  const at = code.indexOf(e.find);
  if (at < 0 || code.indexOf(e.find, at + 1) >= 0) return null;
  return code.slice(0, at) + e.replace + code.slice(at + e.find.length);
}
