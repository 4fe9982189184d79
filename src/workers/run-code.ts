/**
 * The worker that runs a reader's code. The page makes one per run inside the sandbox frame
 * (src/components/sandbox.ts) and terminates it as soon as the run is over, so nothing the code starts (a timer, a
 * handler, a changed prototype) outlives it. On start the worker takes away every way out the frame's
 * Content-Security-Policy already blocks (scripts/csp.ts), so that reaching for one is a plain "fetch is not
 * defined", then says it is ready.
 *
 * A run is one message `{ kind: "fn", file, name, code, args, like }` carrying a MessagePort, answered on that port
 * only: the reader's version of a lib/ function, run in its module's scope (from `lib-scopes`, which
 * scripts/build-workers.ts generates: scripts/module-scope.ts) on the cell's arguments and packed to the form of
 * lib/'s result (lib/tools/run-function.ts). What a run does is src/workers/sandbox/run.ts.
 */
import scopes from "lib-scopes";
import type { FnRunRequest } from "../../lib/tools/run-function.js";
import { BLOCKED_GLOBALS, removeGlobals, runFunction } from "./sandbox/run.js";

const WARM_FILE = "warm-up";

const scope = globalThis as unknown as {
  importScripts?: unknown; onmessage: unknown; postMessage: (m: unknown) => void; close: unknown;
};
if (typeof scope.importScripts === "function") {
  // Captured before anything else runs: the reader's code may replace the prototypes' methods, not these.
  const post = scope.postMessage.bind(scope);
  const portPost = MessagePort.prototype.postMessage;
  const apply = Reflect.apply;
  const now = performance.now.bind(performance);
  scope.onmessage = (event: MessageEvent<FnRunRequest>) => {
    const port = event.ports[0];
    if (!port) return;
    const t0 = now();
    const out = runFunction(event.data, scopes);
    apply(portPost, port, [{ ...out, ms: now() - t0 }]);
  };
  // Warm up before saying ready: a first transpile and evaluation compiles sucrase and `new Function`'s path, which
  // took WebKit (2 cores, under Xvfb) more than half of the 1 s limit when it was left to the reader's first run.
  runFunction({ kind: "fn", file: WARM_FILE, name: "warm", code: "function warm(a: number[]): number { return a[0]!; }", args: [[1]], like: { t: "num" } },
    { [WARM_FILE]: {} });
  const left = removeGlobals(scope, BLOCKED_GLOBALS);
  // close() would end the run without an answer, which the page could only report as a time-out
  Object.defineProperty(scope, "close", {
    value: () => { throw new Error("close() is not available here: return your result instead"); },
    configurable: false, writable: false,
  });
  post(left.length ? { error: `the sandbox could not remove ${left.join(", ")}` } : { ready: true });
}
