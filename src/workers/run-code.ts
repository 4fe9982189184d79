/**
 * The worker that runs a reader's code (bundled by scripts/build-workers.ts into src/_workers/run-code.js, sucrase
 * and lib/editable.ts inlined). It receives `{ seq, code, args }`, strips the TypeScript with sucrase (which keeps
 * line numbers), evaluates the body with the arguments and the helper library of lib/editable.ts, and answers
 * `{ seq, value }` or `{ seq, error }` with one readable line ("line 3: dL_do is not defined").
 *
 * The page, not the worker, enforces the time limit: it terminates a worker that does not answer in time
 * (src/components/edit-cell.ts). `runCode` is exported so the unit tests run the very same path in Node.
 */
import { transform } from "sucrase";
import { type RunOutcome, evaluateCode } from "../../lib/editable.js";

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

interface Request {
  seq: number;
  code: string;
  args: Record<string, unknown>;
}

const scope = globalThis as unknown as { importScripts?: unknown; onmessage: unknown; postMessage: (m: unknown) => void };
if (typeof scope.importScripts === "function") {
  scope.onmessage = (event: MessageEvent<Request>) => {
    const { seq, code, args } = event.data;
    const t0 = performance.now();
    const out = runCode(code, args);
    const ms = performance.now() - t0;
    try {
      scope.postMessage({ seq, ms, ...out });
    } catch {
      scope.postMessage({ seq, ms, error: "the result cannot be sent back to the page: return numbers, arrays of numbers or arrays of arrays" });
    }
  };
}
