/**
 * Three browser engines behind one small driver, so that a test file can `describe.each(ENGINES)`:
 *
 *   chromium  Debian's `chromium`, through playwright-core (CDP)                       browser.ts
 *   firefox   Debian's `firefox-esr`, through puppeteer-core (WebDriver BiDi)
 *   webkit    Debian's `webkit2gtk-driver` (WebKitWebDriver + MiniBrowser, WebKitGTK), through selenium-webdriver
 *             (classic W3C WebDriver); MiniBrowser has no headless mode, so the harness starts its own Xvfb
 *
 * A driver opens a URL, evaluates a function in the page, and reports the problems it can see. What each can see:
 *
 * | observed                                  | chromium        | firefox          | webkit                 |
 * |-------------------------------------------|-----------------|------------------|------------------------|
 * | console.error / console.warn, page        | engine + page   | engine + page    | page only (injected)   |
 * | messages the engine logs itself           | yes             | yes              | no                     |
 * | uncaught errors, unhandled rejections     | engine + page   | engine + page    | page only (injected)   |
 * | failed requests (network errors)          | engine          | engine           | element load errors    |
 * | HTTP 4xx/5xx from the local server        | engine + server | engine + server  | server                 |
 * | Content-Security-Policy refusals in the   | page (+ engine, | page (+ engine,  | page only (injected)   |
 * |   document                                |   but not eval) |   some)          |                        |
 * | requests to another host by a page or a   | engine + page   | engine + page    | proxy + page           |
 * |   worker                                  |   (+ proxy)     |   + proxy        |                        |
 * | the browser's own background traffic      | proxy: printed, | proxy: a problem | proxy: a problem       |
 * |   (updates, telemetry, sign-in)           |   refused, not  |                  |                        |
 * |                                           |   a failure     |                  |                        |
 * | console output of Web Workers             | engine          | engine           | no                     |
 *
 * "page" is engines-server.ts's injected observer script, "server" and "proxy" the recording server itself (every
 * engine runs with it as its HTTP(S) proxy, so nothing reaches the network unseen). An engine whose binary is
 * missing is skipped with a message, except under CI, where it fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser as PwBrowser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { CHROMIUM, launch as launchChromium } from "./browser.js";
import { DIST } from "./navigation.js";
import { serveRecording, type RecordingServer } from "./engines-server.js";

export type EngineName = "chromium" | "firefox" | "webkit";

/** A page open in some engine. */
export interface EnginePage {
  /** Runs `fn` in the page (it must be self-contained: it is sent as source text) and returns its JSON-able result. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** What the engine itself reported since the page was opened (nothing for WebKit). */
  engineProblems(): string[];
  close(): Promise<void>;
}

export interface EngineSession {
  version: string;
  open(url: string): Promise<EnginePage>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** The files that must exist for the engine to run. */
  binaries: string[];
  /** How to get them on Debian. */
  install: string;
  /**
   * Whether the proxy's records of requests to other hosts count as problems. Not for Chromium: Chromium 156
   * itself asks update.googleapis.com and accounts.google.com (a CUP-signed update check, sign-in) whatever flags
   * it gets; the proxy refuses them, so nothing leaves the machine, and useEngineSite prints them. Any request a
   * page makes is still caught by Chromium's own request events.
   */
  proxyRecordsAreProblems: boolean;
  start(proxy: string): Promise<EngineSession>;
}

export const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? "/usr/bin/WebKitWebDriver";
export const MINIBROWSER = process.env.MINIBROWSER_PATH ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
export const XVFB = "/usr/bin/Xvfb";

/** What Chromium's and Firefox's network events count as a problem, worded alike (their libraries' APIs differ). */
function responseProblem(status: number, url: string): string | undefined {
  return status >= 400 && new URL(url).pathname !== "/favicon.ico" ? `HTTP ${status}: ${url}` : undefined;
}
function requestProblem(url: string, origin: string): string | undefined {
  const u = new URL(url);
  return u.protocol !== "data:" && u.protocol !== "blob:" && u.host !== origin ? `request to another host: ${url}` : undefined;
}
const note = (problems: string[], problem: string | undefined): void => {
  if (problem) problems.push(problem);
};

// ---------------------------------------------------------------------------------------------------------------
// Chromium: playwright-core over CDP

const chromiumEngine: Engine = {
  name: "chromium",
  binaries: [CHROMIUM],
  install: "apt-get install -y chromium",
  proxyRecordsAreProblems: false,
  async start(proxy) {
    const browser: PwBrowser = await launchChromium([`--proxy-server=http://${proxy}`]);
    return {
      version: `Chromium ${browser.version()}`,
      async open(url) {
        const page = await browser.newPage();
        const problems: string[] = [];
        const origin = new URL(url).host;
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
        page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
        page.on("response", (r) => note(problems, responseProblem(r.status(), r.url())));
        page.on("request", (r) => note(problems, requestProblem(r.url(), origin)));
        await page.goto(url, { waitUntil: "load" });
        return {
          evaluate: (fn, arg) => page.evaluate(fn as never, arg as never),
          engineProblems: () => [...problems],
          close: () => page.close(),
        };
      },
      close: () => browser.close(),
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi

/**
 * Besides puppeteer's own profile (which already points updates, telemetry and safe browsing at nothing), what
 * keeps Firefox ESR off the network: every request goes to the recording proxy, and these stop the background
 * traffic it saw (remote settings, CRLite, captive-portal and connectivity checks, prefetching).
 */
function firefoxPrefs(proxy: string): Record<string, unknown> {
  const [host, port] = proxy.split(":");
  return {
    "network.proxy.type": 1,
    "network.proxy.http": host, "network.proxy.http_port": Number(port),
    "network.proxy.ssl": host, "network.proxy.ssl_port": Number(port),
    "network.proxy.no_proxies_on": "",
    "security.remote_settings.crlite_filters.enabled": false,
    "security.remote_settings.intermediates.enabled": false,
    "extensions.blocklist.enabled": false,
    "network.connectivity-service.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.dns.disablePrefetch": true,
    "network.prefetch-next": false,
    "network.http.speculative-parallel-limit": 0,
    "browser.region.network.url": "",
    "geo.provider.network.url": "",
    "app.update.auto": false,
    "app.update.enabled": false,
    "toolkit.telemetry.enabled": false,
    "toolkit.telemetry.unified": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "datareporting.healthreport.uploadEnabled": false,
  };
}

const firefoxEngine: Engine = {
  name: "firefox",
  binaries: [FIREFOX],
  install: "apt-get install -y firefox-esr",
  proxyRecordsAreProblems: true,
  async start(proxy) {
    const { default: puppeteer } = await import("puppeteer-core");
    const browser = await puppeteer.launch({
      browser: "firefox",
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: firefoxPrefs(proxy),
      // Release builds ignore puppeteer's `services.settings.server` pref unless this is set: without it Firefox
      // asked firefox.settings.services.mozilla.com ~30 times a second.
      env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: "1" },
    });
    const version = (await browser.version()).replace(/^firefox\//, "Firefox ");
    return {
      version,
      async open(url) {
        const page = await browser.newPage();
        const problems: string[] = [];
        const origin = new URL(url).host;
        page.on("console", (m) => {
          const t = m.type() as string;
          if (t === "error" || t === "warn" || t === "warning") problems.push(`console.${t === "error" ? "error" : "warning"}: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`uncaught: ${e instanceof Error ? e.message : String(e)}`));
        page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
        page.on("response", (r) => note(problems, responseProblem(r.status(), r.url())));
        page.on("request", (r) => note(problems, requestProblem(r.url(), origin)));
        await page.goto(url, { waitUntil: "load" });
        return {
          evaluate: (fn, arg) => page.evaluate(fn as never, arg as never) as never,
          engineProblems: () => [...problems],
          close: () => page.close(),
        };
      },
      close: () => browser.close(),
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// WebKit: WebKitWebDriver (WebKitGTK's MiniBrowser) through selenium-webdriver, on a private Xvfb display

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) if (c.pid) try { process.kill(-c.pid, "SIGKILL"); } catch { /* gone */ }
});

/** Starts `command` in its own process group (so that stopping it stops its children too). */
function startChild(command: string, args: string[], env: NodeJS.ProcessEnv, extraFd = false): ChildProcess {
  const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "ignore", "pipe", ...(extraFd ? ["pipe" as const] : [])] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const gone = new Promise<void>((ok) => child.once("exit", () => ok()));
  try { process.kill(-child.pid, "SIGTERM"); } catch { return; }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, "SIGKILL"); } catch { /* gone */ } }, 3000);
  await gone;
  clearTimeout(timer);
}

function stderrTail(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (d: Buffer) => { text = (text + String(d)).slice(-2000); });
  return () => text.trim();
}

/** An Xvfb on a display it picks itself (-displayfd), with no TCP listener and no xauth needed. */
async function startXvfb(): Promise<{ display: string; child: ChildProcess }> {
  const child = startChild(XVFB, ["-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1280x1024x24"], process.env, true);
  const err = stderrTail(child);
  const display = await new Promise<string>((ok, fail) => {
    let got = "";
    const timer = setTimeout(() => fail(new Error(`Xvfb gave no display within 20 s: ${err()}`)), 20_000);
    child.stdio[3]!.on("data", (d: Buffer) => {
      got += String(d);
      if (got.includes("\n")) { clearTimeout(timer); ok(`:${got.trim()}`); }
    });
    child.once("exit", (code) => { clearTimeout(timer); fail(new Error(`Xvfb exited (${code}): ${err()}`)); });
  });
  return { display, child };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function waitForDriver(url: string, child: ChildProcess, err: () => string): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${err()}`);
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error(`WebKitWebDriver did not answer on ${url} within 20 s: ${err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const webkitEngine: Engine = {
  name: "webkit",
  binaries: [WEBKIT_DRIVER, MINIBROWSER, XVFB],
  install: "apt-get install -y webkit2gtk-driver xvfb",
  proxyRecordsAreProblems: true,
  async start(proxy) {
    const { Builder } = await import("selenium-webdriver");
    const xvfb = await startXvfb();
    const port = await freePort();
    const home = mkdtempSync(join(tmpdir(), "bptt-webkit-"));
    // A fresh HOME and XDG dirs: MiniBrowser's caches and local storage start empty and are thrown away.
    const env = {
      ...process.env, DISPLAY: xvfb.display, HOME: home, XDG_CACHE_HOME: join(home, "cache"),
      XDG_DATA_HOME: join(home, "data"), XDG_CONFIG_HOME: join(home, "config"), WAYLAND_DISPLAY: "",
    };
    const wd = startChild(WEBKIT_DRIVER, [`--port=${port}`, "--host=local"], env);
    const err = stderrTail(wd);
    const stopAll = async () => {
      await stopChild(wd);
      await stopChild(xvfb.child);
      rmSync(home, { recursive: true, force: true });
    };
    let driver: import("selenium-webdriver").WebDriver;
    try {
      await waitForDriver(`http://127.0.0.1:${port}`, wd, err);
      driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
        browserName: "MiniBrowser",
        "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
        proxy: { proxyType: "manual", httpProxy: proxy, sslProxy: proxy },
        pageLoadStrategy: "normal",
      }).build();
    } catch (e) {
      await stopAll();
      throw e;
    }
    const caps = await driver.getCapabilities();
    await driver.manage().setTimeouts({ script: 120_000, pageLoad: 60_000 });
    return {
      version: `WebKitGTK ${caps.get("browserVersion")}`,
      async open(url) {
        await driver.get(url);
        return {
          // selenium sends `return (fn).apply(null, arguments)`; WebDriver awaits a returned promise.
          evaluate: (fn, arg) => driver.executeScript(fn as never, arg) as never,
          engineProblems: () => [],
          close: async () => { await driver.get("about:blank"); },
        };
      },
      async close() {
        try { await driver.quit(); } finally { await stopAll(); }
      },
    };
  },
};

export const ENGINES: readonly Engine[] = [chromiumEngine, firefoxEngine, webkitEngine];

export function missingBinaries(engine: Engine): string[] {
  return engine.binaries.filter((b) => !existsSync(b));
}

/**
 * The title of an engine's `describe`, and whether to skip it: only when a binary is missing and CI is not set.
 * In CI a missing browser runs anyway and fails on launch.
 */
export function engineBlock(engine: Engine): { title: string; skip: boolean } {
  const missing = missingBinaries(engine);
  if (missing.length === 0 || process.env.CI) return { title: engine.name, skip: false };
  const why = `${engine.name} SKIPPED: ${missing.join(", ")} missing (${engine.install}); under CI this fails`;
  console.warn(`browser suite: ${why}`);
  return { title: why, skip: true };
}

// ---------------------------------------------------------------------------------------------------------------
// The hook test files use

export interface Visit {
  page: EnginePage;
  /** Everything that went wrong since the page was opened: the engine's, the page's and the server's records. */
  problems(): Promise<string[]>;
}

export interface EngineSite {
  readonly base: string;
  readonly version: string;
  /** Opens base + path, waits for the page to load and its live cells to settle (see `settle`). */
  open(path: string): Promise<Visit>;
  /** What the recording server saw over the whole session (failed requests, requests to other hosts). */
  serverLog(): string[];
}

/**
 * The built site, served by the recording server, and `engine` started against it: in the calling `describe`'s
 * beforeAll, stopped in its afterAll. Prints the engine's version and its start-up time.
 */
export function useEngineSite(engine: Engine): EngineSite {
  let server: RecordingServer | undefined;
  let session: EngineSession | undefined;
  beforeAll(async () => {
    server = await serveRecording(DIST);
    const t0 = performance.now();
    session = await engine.start(server.proxy);
    console.log(`${engine.name}: ${session.version}, started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
  afterAll(async () => {
    const offHost = [...new Set(server?.log.filter((l) => l.startsWith("request to another host")) ?? [])];
    if (offHost.length) console.warn(`${engine.name}: refused by the recording proxy:\n  ${offHost.join("\n  ")}`);
    try { await session?.close(); } finally { await server?.stop(); }
  });
  const started = () => {
    if (!server || !session) throw new Error(`useEngineSite: ${engine.name} is not started yet: use it inside a test or hook`);
    return { server, session };
  };
  return {
    get base() { return started().server.url; },
    get version() { return started().session.version; },
    serverLog: () => [...started().server.log],
    async open(path) {
      const { server: s, session: sess } = started();
      const from = s.log.length;
      const page = await sess.open(s.url + path);
      await settle(page);
      return {
        page,
        async problems() {
          const injected = await page.evaluate(() => (window as unknown as { __engineProblems?: string[] }).__engineProblems ?? null);
          const mathml = await page.evaluate(invalidMathml);
          const all = [
            // Firefox's report of a MathML element laid out while the parser had given it only some of its children
            // (a long page is laid out in between network chunks): stands only if the finished document has one.
            ...page.engineProblems().filter((p) => !(TRANSIENT_MATHML.test(p) && mathml.length === 0)),
            ...mathml.map((m) => `invalid MathML in the finished page: ${m}`),
            ...(injected ?? ["observer: the injected observer did not run"]),
            ...s.log.slice(from).filter((l) => engine.proxyRecordsAreProblems || !l.startsWith("request to another host")),
          ];
          return [...new Set(all)];
        },
      };
    },
  };
}

/**
 * What Firefox logs (as an uncaught error) when it lays out a MathML element with the wrong number of children. On
 * the largest pages it does so now and then *while parsing*, for an element whose last children have not arrived
 * yet (/stacked: 2 to 4 loads in 10, for <mfrac> and <msubsup>); `invalidMathml` checks the finished document instead.
 */
const TRANSIENT_MATHML = /^uncaught: Invalid markup: Incorrect number of children for <\w+\/> tag\.$/;

/**
 * Every MathML element of the page whose schema fixes its number of children and that has another number, as
 * "<mfrac> with 1 child, in #eq-2-3". Evaluated in the page (self-contained).
 */
export function invalidMathml(): string[] {
  const arity: Record<string, number> = { mfrac: 2, msub: 2, msup: 2, msubsup: 3, munder: 2, mover: 2, munderover: 3, mroot: 2 };
  const out: string[] = [];
  for (const [tag, n] of Object.entries(arity)) {
    for (const e of Array.from(document.getElementsByTagNameNS("http://www.w3.org/1998/Math/MathML", tag))) {
      const k = e.children.length;
      if (k !== n) out.push(`<${tag}> with ${k} ${k === 1 ? "child" : "children"}, in #${e.closest("[id]")?.id ?? "?"}`);
    }
  }
  return out;
}

/**
 * Waits until the document has loaded, every numbered equation has its live cell (Framework renders cells after
 * load), and the page has stopped changing: the same counts of cells, checks and loaded resources over half a
 * second. Gives up silently after `timeout` ms: the test's assertions then say what is missing.
 */
export async function settle(page: EnginePage, timeout = 30_000): Promise<void> {
  const until = Date.now() + timeout;
  let last = "";
  let stableSince = 0;
  while (Date.now() < until) {
    const s = await page.evaluate(() => {
      const q = (sel: string) => document.querySelectorAll(sel).length;
      const eqs = q(".equation[id]"), cells = q(".live-cell");
      return {
        ready: document.readyState === "complete" && (eqs === 0 || cells >= eqs),
        key: [cells, q(".check-pass"), q(".check-fail"), q(".observablehq--error"), performance.getEntriesByType("resource").length].join(","),
      };
    });
    if (s.ready && s.key === last) {
      if (Date.now() - stableSince >= 500) return;
    } else {
      last = s.key;
      stableSince = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
