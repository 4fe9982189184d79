/**
 * The two Content-Security-Policies of the site, declared once: the pages' (in every page's <head>, from
 * observablehq.config.ts) and the sandbox frame's (src/_workers/sandbox.html, written by scripts/build-workers.ts).
 * A static host cannot send headers, so both are `<meta http-equiv="Content-Security-Policy">`.
 *
 * A reader's code runs in a worker made from a `blob:` URL inside the sandbox frame (src/components/sandbox.ts).
 * Such a worker inherits the policy of the document that created it, so it gets SANDBOX_CSP, not the page's:
 * no connection of any kind (fetch, XHR, WebSocket, EventSource), no import() or importScripts() of anything.
 * Measured in Chromium 156, Firefox 153 and WebKitGTK 2.50: every one of those is refused, to the site's own origin
 * as much as to another host (test/browser/sandbox.test.ts and sandbox-engines.test.ts keep it so). Its
 * 'unsafe-eval' also lets WebAssembly compile; the worker removes the WebAssembly global instead.
 */

/**
 * What the pages need and nothing more: their own modules plus Framework's inline module script, WebAssembly for
 * lib/fast/kernels.ts, the training and answer-key workers, the sandbox frame, KaTeX's fonts, inline styles (KaTeX and
 * CodeMirror set them), and fetches of the site's own files (FileAttachment). No `unsafe-eval`: only the
 * sandbox runs code from text.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "frame-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join("; ");

/**
 * What `observable preview` (npm run dev) puts in the pages instead: PAGE_CSP plus `'unsafe-eval'`, because the
 * preview's live reload runs a changed cell's new code with eval() (Framework 1.13's preview client is opened with
 * `eval: (body) => eval(body)`); under PAGE_CSP an edit to a page left it broken until reloaded by hand. Never in
 * a build: scripts/check-dist.ts requires every built page's policy to be PAGE_CSP exactly.
 */
export const PREVIEW_CSP = PAGE_CSP.split("; ")
  .map((directive) => (directive.startsWith("script-src ") ? `${directive} 'unsafe-eval'` : directive))
  .join("; ");

/**
 * The sandbox frame: it loads nothing itself; the page creates the worker in it from a blob: URL. The worker may
 * evaluate the reader's (transpiled) code and nothing else: `default-src 'none'` covers connections, fonts,
 * images; `script-src 'unsafe-eval'` names no source, so every import() and importScripts() is refused.
 */
export const SANDBOX_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-eval'",
  "worker-src blob:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export const cspMeta = (policy: string): string => `<meta http-equiv="Content-Security-Policy" content="${policy}">`;

/** The sandbox frame's whole document. */
export const SANDBOX_HTML =
  `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n${cspMeta(SANDBOX_CSP)}\n` +
  `<title>Sandbox for a reader's code</title>\n</head>\n<body></body>\n</html>\n`;
