/**
 * The built site on 127.0.0.1 for the engine-neutral tests (engines.ts), and what that server can see whatever
 * the engine:
 *
 * - every request it answers with 4xx/5xx ("failed request" for every engine, workers included);
 * - every request to another host: each engine is started with this server as its HTTP and HTTPS proxy, so a
 *   request off 127.0.0.1 — by a page, a worker or the browser itself (updates, telemetry) — arrives here as an
 *   absolute URL or a CONNECT, is recorded and refused. Loopback requests go straight to the server in Chromium
 *   and Firefox; WebKitGTK sends them through the proxy too, and they are answered as usual.
 * - into every HTML page it injects, first thing in <head>, a classic script (OBSERVER below) that records what
 *   the page itself can see: console.error/console.warn calls, uncaught errors, unhandled rejections, elements
 *   that failed to load, Content-Security-Policy violations, and Resource Timing entries for other hosts or with
 *   an HTTP error status. It is the only
 *   console channel there is for WebKit (WebKitWebDriver has no log or BiDi endpoint); in Chromium and Firefox it
 *   adds to the engine's own events.
 */
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { readFile } from "node:fs/promises";
import { resolveFile } from "./serve.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".woff2": "font/woff2", ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8", ".cff": "text/plain; charset=utf-8", ".wasm": "application/wasm",
};

/** Runs in the page before any of its own scripts; records into `window.__engineProblems` (read by engines.ts). */
function observer(): void {
  const w = window as unknown as { __engineProblems?: string[] };
  if (w.__engineProblems) return;
  const out: string[] = (w.__engineProblems = []);
  const show = (a: unknown): string => {
    if (a instanceof Error) return a.message;
    if (typeof a === "object" && a !== null) {
      try { return JSON.stringify(a); } catch { return String(a); }
    }
    return String(a);
  };
  for (const [level, name] of [["error", "error"], ["warn", "warning"]] as const) {
    const original = console[level];
    console[level] = function (...args: unknown[]) {
      out.push(`console.${name}: ${args.map(show).join(" ")}`);
      return original.apply(this, args);
    };
  }
  addEventListener("error", (event) => {
    const e = event as Event; // an ErrorEvent for an uncaught error, a plain Event for an element that failed to load
    if (e instanceof ErrorEvent) out.push(`uncaught: ${e.message}`);
    else {
      const t = e.target as (Element & { src?: string; href?: string }) | null;
      out.push(`failed to load: <${t?.tagName?.toLowerCase()}> ${t?.src || t?.href || ""}`);
    }
  }, true);
  addEventListener("unhandledrejection", (e) => out.push(`unhandled rejection: ${show(e.reason)}`));
  // The page's Content-Security-Policy (scripts/csp.ts) refusing something. Engines log only some refusals
  // themselves (Chromium none for eval, WebKit's log is out of reach), and a refused eval or fetch whose error
  // the code catches leaves no other trace. A worker's refusals fire in the worker, out of sight here.
  document.addEventListener("securitypolicyviolation", (e) => {
    const at = e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : "";
    out.push(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"}${at}`);
  });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
        const u = new URL(entry.name, location.href);
        if (u.protocol !== "data:" && u.protocol !== "blob:" && u.host !== location.host) out.push(`request to another host: ${entry.name}`);
        const status = (entry as { responseStatus?: number }).responseStatus;
        if (status !== undefined && status >= 400) out.push(`HTTP ${status}: ${entry.name}`);
      }
    }).observe({ type: "resource", buffered: true });
  } catch {
    out.push("observer: PerformanceObserver for resources is missing");
  }
}
export const OBSERVER = `<script>(${observer.toString()})();</script>`;

export interface RecordingServer {
  url: string;
  /** "127.0.0.1:PORT", to give an engine as its HTTP and HTTPS proxy. */
  proxy: string;
  server: Server;
  /** Everything recorded so far (failed requests, requests to other hosts), oldest first. */
  log: string[];
  stop: () => Promise<void>;
}

export async function serveRecording(dir: string): Promise<RecordingServer> {
  const log: string[] = [];
  let host = "";
  const answer = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const file = resolveFile(dir, path);
    if (!file) {
      // Firefox and WebKit ask for /favicon.ico on their own when a page links none (the site links none).
      if (path !== "/favicon.ico") log.push(`HTTP 404: ${req.method} ${path}`);
      res.writeHead(404, { "content-type": TYPES[".html"]! });
      res.end("not found");
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    if (extname(file) === ".html") {
      const html = await readFile(file, "utf8");
      const at = html.search(/<head[^>]*>/i);
      const end = at < 0 ? 0 : at + html.slice(at).indexOf(">") + 1;
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(html.slice(0, end) + OBSERVER + html.slice(end));
      return;
    }
    res.writeHead(200, { "content-type": type });
    createReadStream(file).pipe(res);
  };
  const server = createServer((req, res) => {
    const raw = req.url ?? "/";
    if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
      // A proxy request: ours if it names this server (WebKitGTK proxies loopback too), refused otherwise.
      const u = new URL(raw);
      if (u.host !== host) {
        log.push(`request to another host: ${req.method} ${raw}`);
        res.writeHead(502, { "content-type": "text/plain" });
        res.end("no network in the test suite");
        return;
      }
      void answer(req, res, u.pathname).catch((e: unknown) => { log.push(`server error: ${String(e)}`); res.destroy(); });
      return;
    }
    void answer(req, res, new URL(raw, "http://x").pathname).catch((e: unknown) => { log.push(`server error: ${String(e)}`); res.destroy(); });
  });
  server.on("connect", (req: IncomingMessage, socket) => {
    log.push(`request to another host: CONNECT ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  return {
    url: `http://${host}`,
    proxy: host,
    server,
    log,
    stop: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
