/**
 * The worker that runs a reader's code (bundled by scripts/build-workers.ts into src/_workers/run-code.js, sucrase
 * and lib/tools/sandbox-protocol.ts inlined). The page makes one per run inside the sandbox frame (src/components/sandbox.ts) and
 * terminates it as soon as the run is over, so nothing the code starts (a timer, a handler, a changed prototype)
 * outlives it. On start the worker takes away every way out the frame's Content-Security-Policy already blocks
 * (scripts/csp.ts), so that reaching for one is a plain "fetch is not defined", then says it is ready.
 *
 * A run is one message `{ code, args, name, shape }` carrying a MessagePort: the worker strips the TypeScript with
 * sucrase (which keeps line numbers), evaluates the body with the arguments and lib/derivation/editable.ts's helpers
 * (lib/tools/sandbox-protocol.ts `evaluateCode`), packs the
 * result into a Float64Array of exactly `shape` (or one line saying why it is not one) and answers on that port,
 * the only channel the page listens to for this run.
 *
 * `runCode` is exported so that the unit tests run the very same path in Node.
 */
import { transform } from "sucrase";
import { type RunOutcome, type RunRequest, evaluateCode, packResult } from "../../lib/tools/sandbox-protocol.js";

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

export function runCode(code: string, args: Record<string, unknown>): RunOutcome {
  const t = transpile(code);
  return "error" in t ? t : evaluateCode(t.js, args);
}

export function runAndPack(req: RunRequest): { data: Float64Array } | { error: string } {
  const out = runCode(req.code, req.args);
  if ("error" in out) return out;
  try {
    return packResult(req.name, out.value, req.shape);
  } catch (e) {
    // The result's own getters or proxy traps ran and threw
    return { error: `${req.name}: the result could not be read (${e instanceof Error ? e.message : "it threw"})` };
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

const scope = globalThis as unknown as {
  importScripts?: unknown; onmessage: unknown; postMessage: (m: unknown) => void; close: unknown;
};
if (typeof scope.importScripts === "function") {
  // Captured before anything else runs: the reader's code may replace the prototypes' methods, not these.
  const post = scope.postMessage.bind(scope);
  const portPost = MessagePort.prototype.postMessage;
  const apply = Reflect.apply;
  const now = performance.now.bind(performance);
  scope.onmessage = (event: MessageEvent<RunRequest>) => {
    const port = event.ports[0];
    if (!port) return;
    const t0 = now();
    const out = runAndPack(event.data);
    const reply = { ...out, ms: now() - t0 };
    apply(portPost, port, "data" in out ? [reply, [out.data.buffer]] : [reply]);
  };
  // Warm up before saying ready: a first transpile and evaluation compiles sucrase and `new Function`'s path, which
  // took WebKit (2 cores, under Xvfb) more than half of the 1 s limit when it was left to the reader's first run.
  runCode("const warm: number[] = [1];\nreturn warm;", {});
  const left = removeGlobals(scope, BLOCKED_GLOBALS);
  // close() would end the run without an answer, which the page could only report as a time-out
  Object.defineProperty(scope, "close", {
    value: () => { throw new Error("close() is not available here: return your result instead"); },
    configurable: false, writable: false,
  });
  post(left.length ? { error: `the sandbox could not remove ${left.join(", ")}` } : { ready: true });
}
