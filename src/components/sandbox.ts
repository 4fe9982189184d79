/**
 * Where a reader's code runs: one fresh worker per run, made from a `blob:` URL inside a hidden frame whose
 * Content-Security-Policy (scripts/csp.ts) allows no connection, no import and no storage, and terminated as soon
 * as the run is over — answered, failed, timed out or cancelled. So:
 * - nothing a run starts (a timer, an interval that allocates, a handler, a changed prototype) outlives it, and no
 *   run can see another's: the time limit covers everything the run started;
 * - the answer comes over a MessagePort made for that run alone; nothing posted elsewhere is ever read;
 * - the answer is a value of exactly the form of lib/'s result or one line (the worker packs it with
 *   lib/tools/run-function.ts's `packLike` before it crosses over, and the page reads it again): a result larger
 *   than the quantity it stands for is never copied into the page.
 * A spare worker is started ahead of each run (loading sucrase takes tens of ms), so a run's time limit counts the
 * reader's code, not the start-up.
 */
import { type FnRunRequest, packLike } from "../lib/tools/run-function.js";
import { oneLine } from "../lib/core/tokens.js";

/** How long a reader's code may run before its worker is terminated (ms). */
export const TIME_LIMIT_MS = 1000;
/** How long a fresh worker may take to load (ms): a slow machine loading sucrase, not the reader's code. */
export const START_LIMIT_MS = 20_000;

/** A run's outcome; `ms` is the round trip from the run's message to its answer, `workerMs` the part spent in the worker. */
export type SandboxOutcome =
  | { value: unknown; ms: number; workerMs: number }
  | { error: string; ms?: number; workerMs?: number }
  | { cancelled: true };

interface Spawned {
  worker: Worker;
  ready: Promise<string | null>;
}

export class Sandbox {
  private frame: Promise<Window> | undefined;
  private source: Promise<string> | undefined;
  private spare: Promise<Spawned> | undefined;
  private current: { worker?: Worker; finish: (o: SandboxOutcome) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly urls: { worker: string; frame: string }) {}

  /** Start loading the frame, the worker's code and a worker, ahead of the next Run. */
  warm(): void {
    if (this.spare) return;
    const p = this.spawn();
    p.catch(() => {
      if (this.spare === p) this.spare = undefined; // reported by the run that takes it
    });
    this.spare = p;
  }

  /** Runs are queued: one at a time, each in its own worker. */
  run(req: FnRunRequest): Promise<SandboxOutcome> {
    const next = this.queue.then(() => this.runNow(req));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the run in progress (its worker is terminated) and every queued one. */
  cancelAll(): void {
    this.queue = Promise.resolve();
    this.current?.finish({ cancelled: true });
  }

  private loadFrame(): Promise<Window> {
    return (this.frame ??= new Promise<Window>((resolve, reject) => {
      const f = document.createElement("iframe");
      f.hidden = true;
      f.tabIndex = -1;
      f.title = "sandbox for the code you run (empty)";
      f.setAttribute("aria-hidden", "true");
      f.className = "sandbox-frame";
      f.addEventListener("load", () => (f.contentWindow ? resolve(f.contentWindow) : reject(new Error("the sandbox frame has no window"))), { once: true });
      f.addEventListener("error", () => reject(new Error("the sandbox frame did not load")), { once: true });
      f.src = this.urls.frame;
      document.body.append(f);
    }));
  }

  private loadSource(): Promise<string> {
    return (this.source ??= fetch(this.urls.worker).then((r) => {
      if (!r.ok) throw new Error(`the code runner could not be loaded (HTTP ${r.status})`);
      return r.text();
    }));
  }

  private async spawn(): Promise<Spawned> {
    const [win, text] = await Promise.all([this.loadFrame(), this.loadSource()]);
    // Made with the frame's own Blob, URL and Worker, so that the worker's creator, and its policy, is the frame.
    const w = win as unknown as { Blob: typeof Blob; URL: typeof URL; Worker: typeof Worker };
    const url = w.URL.createObjectURL(new w.Blob([text], { type: "text/javascript" }));
    const worker = new w.Worker(url);
    const ready = new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`the code runner did not start within ${START_LIMIT_MS / 1000} s`), START_LIMIT_MS);
      worker.onmessage = (ev: MessageEvent<{ ready?: boolean; error?: string }>) => {
        clearTimeout(timer);
        worker.onmessage = null; // the only message ever read from the worker itself; a run answers on its port
        resolve(ev.data?.ready === true ? null : oneLine(`the code runner could not start: ${String(ev.data?.error ?? "no reason given")}`));
      };
      worker.onerror = (ev) => {
        ev.preventDefault();
        clearTimeout(timer);
        resolve(oneLine(`the code runner could not start: ${ev.message || "unknown error"}`));
      };
    }).finally(() => w.URL.revokeObjectURL(url));
    return { worker, ready };
  }

  private takeSpare(): Promise<Spawned> {
    const s = this.spare ?? this.spawn();
    this.spare = undefined;
    return s;
  }

  private async runNow(req: FnRunRequest): Promise<SandboxOutcome> {
    let spawned: Spawned;
    try {
      spawned = await this.takeSpare();
    } catch (e) {
      this.frame = this.source = undefined; // try again from scratch on the next run
      return { error: oneLine(`the code runner could not start: ${e instanceof Error ? e.message : String(e)}`) };
    }
    this.warm(); // the next run's worker loads while this one runs
    const { worker } = spawned;
    return new Promise<SandboxOutcome>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let t0 = 0;
      const channel = new MessageChannel();
      const finish = (o: SandboxOutcome) => {
        if (this.current?.finish !== finish) return;
        this.current = undefined;
        clearTimeout(timer);
        worker.terminate(); // whatever the code left running ends here
        channel.port1.close();
        resolve(o);
      };
      this.current = { worker, finish };
      void spawned.ready.then((startError) => {
        if (startError) return finish({ error: startError });
        if (this.current?.finish !== finish) return; // cancelled while the worker was loading
        channel.port1.onmessage = (ev: MessageEvent<unknown>) => finish({ ...readReply(ev.data, req), ms: performance.now() - t0 });
        worker.onerror = (ev) => {
          ev.preventDefault();
          finish({ error: oneLine(`the code runner failed: ${ev.message || "unknown error"}`) });
        };
        timer = setTimeout(() => finish({ error: `stopped after ${TIME_LIMIT_MS / 1000} s: does your loop end?` }), TIME_LIMIT_MS);
        t0 = performance.now();
        try {
          worker.postMessage(req, [channel.port2]);
        } catch (e) {
          // structured cloning refused an input (a function, a DOM node): the cell cannot be run elsewhere
          finish({ error: oneLine(`the inputs of this cell cannot be sent to the sandbox (${e instanceof Error ? e.message : String(e)})`) });
        }
      });
    });
  }
}

/**
 * What the worker sent (an FnRunReply of src/workers/run-code.ts), read as the page expects it: a value of the very
 * form of lib/'s result (packed again here: structured cloning made it plain data, and reading it again costs
 * nothing next to the run), or a message of one line.
 */
function readReply(reply: unknown, req: FnRunRequest): { value: unknown; workerMs: number } | { error: string; workerMs?: number } {
  // A getter on a posted object cannot run here: structured cloning makes plain data
  const r = (typeof reply === "object" && reply !== null ? reply : {}) as { [K in "value" | "error" | "ms"]?: unknown };
  const workerMs = typeof r.ms === "number" && Number.isFinite(r.ms) ? r.ms : undefined;
  if (typeof r.error === "string") return { error: oneLine(r.error), workerMs };
  if (!("value" in r)) return { error: `${req.name}: the code runner sent neither a value nor a message` };
  const v = packLike(req.name, r.value, req.like);
  return "error" in v ? v : { value: v.value, workerMs: workerMs ?? NaN };
}
