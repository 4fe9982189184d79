/**
 * What the run-code worker (src/workers/run-code.ts) does with a run, kept out of the entry so that the unit tests
 * run the very same path in Node: strip the TypeScript with sucrase (which keeps line numbers), evaluate, pack the
 * result before it crosses into the page; and the globals the worker removes before any reader's code runs.
 */
import { transform } from "sucrase";
import { type FnRunRequest, evaluateFunction, packLike } from "../../../lib/tools/run-function.js";

/** TypeScript → JavaScript, or a one-line message with the reader's line number. */
export function transpile(code: string): { js: string } | { error: string } {
  try {
    return { js: transform(code, { transforms: ["typescript"], disableESTransforms: true }).code };
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    const message = String(err.message ?? e).replace(/\s*\(\d+:\d+\)\s*$/, "");
    return { error: err.loc ? `line ${err.loc.line}: syntax error: ${message}` : `syntax error: ${message}` };
  }
}

/**
 * Globals a reader's code must not have. The frame's policy already refuses every connection, import and nested
 * worker; removing the names as well gives a plain "… is not defined" and leaves nothing to find a gap in.
 * Storage is here because the policy does not cover it: indexedDB, caches and the origin-private file system
 * (navigator.storage) would let code persist into later visits.
 */
export const BLOCKED_GLOBALS = [
  "fetch", "fetchLater", "XMLHttpRequest", "XMLHttpRequestUpload", "XMLHttpRequestEventTarget", "WebSocket",
  "WebSocketStream", "EventSource", "WebTransport", "importScripts", "Worker", "SharedWorker", "BroadcastChannel",
  "indexedDB", "IDBFactory", "caches", "CacheStorage", "Cache", "navigator", "WorkerNavigator", "StorageManager",
  "FileSystemHandle", "FileSystemDirectoryHandle", "FileSystemFileHandle", "Request", "postMessage",
  // 'unsafe-eval' lets WebAssembly compile too; the reader's code has no use for it
  "WebAssembly",
] as const;

/** Delete `names` from `scope` and every prototype above it (engines keep them on WorkerGlobalScope.prototype); the names still reachable. */
export function removeGlobals(scope: object, names: readonly string[]): string[] {
  for (let o: object | null = scope; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of names) if (Object.prototype.hasOwnProperty.call(o, n)) Reflect.deleteProperty(o, n);
  }
  return names.filter((n) => n in scope);
}

/**
 * A reader's version of a lib/ function: transpiled, evaluated in its module's scope (`scopes[req.file]`, the
 * module's own bindings: scripts/module-scope.ts), called with the cell's arguments, and packed to the form of
 * lib/'s own result (lib/tools/run-function.ts).
 */
export function runFunction(req: FnRunRequest, scopes: Readonly<Record<string, Record<string, unknown>>>): { value: unknown } | { error: string } {
  const scope = scopes[req.file];
  if (!scope) return { error: `${req.file} is not a module whose functions can be edited` };
  const t = transpile(req.code);
  if ("error" in t) return t;
  const out = evaluateFunction(t.js, req.name, scope, req.args);
  if ("error" in out) return out;
  try {
    return packLike(req.name, out.value, req.like);
  } catch (e) {
    // the result's own getters or proxy traps ran and threw (packLike catches its own reads; this is the rest)
    return { error: `${req.name}: the result could not be read (${e instanceof Error ? e.message : "it threw"})` };
  }
}
