/**
 * A control that depends only on the example's shape (τ, the sizes, the tokens) is made once per shape and handed
 * back when its cell re-runs for new numbers (another seed): the reader's choice stays where they put it, and the page
 * does not build, insert and lay out a fresh form on every edit.
 */
const made = new Map<string, { key: string; node: HTMLElement }>();

/** The node `make()` returned for the same `name` and `key` last time, or a new one (which replaces it). */
export function keptControl<T extends HTMLElement>(name: string, key: unknown, make: () => T): T {
  const k = JSON.stringify(key);
  const old = made.get(name);
  if (old?.key === k) return old.node as T;
  const node = make();
  made.set(name, { key: k, node });
  return node;
}
