/**
 * The sandbox a reader's code runs in (src/components/sandbox.ts, src/workers/run-code.ts, scripts/csp.ts), attacked
 * in the built site in Chromium as a mischievous classmate sharing a link would: one cell's code reaching into
 * another's result (a forged reply, a replaced handler, a poisoned prototype), a timer that outlives its run, an
 * interval that allocates after a correct result, the network and storage, NaN and strings, an oversized result,
 * close(), a visit that ended mid-run, and Reset during a run. Each attack must fail harmlessly with one line, or
 * be impossible; the page keeps working. Firefox and WebKit: sandbox-engines.test.ts.
 */
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useSite } from "./harness.js";
import { PASS, cellState, lineOf, openEditor, panel, poll, run, setCode, withEpilogue, withPrelude } from "./editing.js";
import { BLOCKED_GLOBALS } from "../../src/workers/sandbox/run.js";
import { libSource } from "../../scripts/lib-code.js";

/** An inert flag that names this file's Chromium among the machine's processes, for its CPU and memory. */
const MARK = `--bptt-sandbox-test=${process.pid}`;
const site = useSite([MARK]);

/** A second server, on another port (another origin): it records every request the reader's code manages to make. */
const hits: string[] = [];
let otherOrigin = "";
const other = createServer((req, res) => {
  hits.push(`${req.method} ${req.url}`);
  res.writeHead(200, { "content-type": "text/javascript", "access-control-allow-origin": "*" });
  res.end("export default 1;");
});
beforeAll(async () => {
  await new Promise<void>((ok) => other.listen(0, "127.0.0.1", ok));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(() => other.close());

const BACKWARD = "lib/derivation/backward.ts", EMBEDDING = "lib/derivation/embedding.ts";
/** The code the page shows for a function of backward.ts / embedding.ts. */
const shown = (fn: string) => libSource(fn.startsWith("gradE") && fn !== "gradE" ? EMBEDDING : BACKWARD, fn).text;
/** …with `stmts` run first, or after its value is computed (as `__out`, which they may replace). */
const before = (fn: string, stmts: string) => withPrelude(fn.startsWith("gradE") && fn !== "gradE" ? EMBEDDING : BACKWARD, fn, stmts);
const after = (fn: string, stmts: string) => withEpilogue(fn.startsWith("gradE") && fn !== "gradE" ? EMBEDDING : BACKWARD, fn, stmts);
/** The one line a failing statement gives: `✗ line N: message`, N where `text` is in `code`. */
const atLine = (code: string, text: string, message: string) => ({ error: `✗ line ${lineOf(code, text)}: ${message}`, pass: 0, fail: 0 });

/** The processes of this file's Chromium: the one started with MARK and all its descendants (Linux /proc). */
function chromiumPids(): string[] {
  const parent = new Map<string, string>();
  let root: string | undefined;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      parent.set(pid, readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]!);
      if (!root && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(MARK)) root = pid;
    } catch {
      // the process ended between listing and reading
    }
  }
  if (!root) return [];
  const out = [root];
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (out.includes(ppid) && !out.includes(pid)) { out.push(pid); grew = true; }
  }
  return out;
}

/** The sum of `measure` over this file's Chromium processes (one that ends while being read counts 0). */
function sumOverChromium(measure: (pid: string) => number): number {
  let sum = 0;
  for (const pid of chromiumPids()) {
    try {
      sum += measure(pid);
    } catch {
      // gone
    }
  }
  return sum;
}

/** CPU time (s) used so far by this file's Chromium: utime + stime, in ticks of 1/100 s. */
const chromiumCpu = () => sumOverChromium((pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
}) / 100;

/** Resident memory (MB) of this file's Chromium. */
const chromiumRssMB = () => sumOverChromium((pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0)) / 1024;

/** Waits until Chromium's resident memory is below `mb` (or `timeout` ms pass); how long that took, and the peak over the start. */
async function settleRss(mb: number, timeout: number): Promise<{ ms: number; peak: number }> {
  const t0 = Date.now();
  let peak = 0;
  for (;;) {
    const now = chromiumRssMB();
    peak = Math.max(peak, now);
    if (now < mb || Date.now() - t0 >= timeout) return { ms: Date.now() - t0, peak: peak - (mb - 300) };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU seconds Chromium uses over `ms` of wall time. */
async function cpuOver(ms: number): Promise<number> {
  const c0 = chromiumCpu();
  await new Promise((r) => setTimeout(r, ms));
  return chromiumCpu() - c0;
}

/**
 * Chromium's CPU use in half-second windows until a window is quiet (under 0.15 s of CPU) or `timeout` ms pass:
 * the windows, and when the quiet one began. A terminated worker that was running JavaScript is torn down by the
 * engine within about two seconds (Chromium forces termination after a delay); one left running never goes quiet.
 */
async function cpuQuiet(timeout = 6000): Promise<{ windows: number[]; quietAfterMs: number }> {
  const windows: number[] = [];
  for (let t = 0; t < timeout; t += 500) {
    const c = await cpuOver(500);
    windows.push(Number(c.toFixed(2)));
    if (c < 0.15) return { windows, quietAfterMs: t };
  }
  return { windows, quietAfterMs: Infinity };
}

async function fresh(path: string) {
  const visit = await site.open(path);
  await visit.page.evaluate(() => localStorage.clear());
  return visit;
}

/**
 * A browser profile of its own (a "next visit" must share its localStorage, which separate playwright pages do
 * not), a page in it at `path`, and what the page reports as errors.
 */
async function profile(path: string) {
  const context = await site.browser.newContext();
  const visit = async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${site.base}${path}`, { waitUntil: "networkidle" });
    return { page, problems };
  };
  return { context, ...(await visit()), next: visit };
}

/** Stores `code` as the page's edit in use of `fn`, reloads (it starts running), and closes the tab before its time limit. */
async function closeMidRun(page: Page, name: string, file: string, fn: string, code: string): Promise<void> {
  await page.evaluate((a) => {
    const base = document.querySelector<HTMLElement>(`details.lib-code[data-fn="${a.fn}"]`)!.dataset.hash!;
    localStorage.setItem(a.key, JSON.stringify({ [`${a.file}#${a.fn}`]: { code: a.code, base, baseCode: "", active: true } }));
  }, { key: `bptt-companion:code:${name}`, file, fn, code });
  await page.reload({ waitUntil: "load" });
  await page.waitForFunction((key) => localStorage.getItem(key) !== null, `bptt-companion:code-running:${name}`);
  await page.close({ runBeforeUnload: false });
}

const YOURS = (fn: string) => ({ fail: 0, using: expect.stringMatching(new RegExp(`^your code for ${fn}\\(\\)`)) });

describe("one run cannot reach another", () => {
  it("a forged reply, a replaced handler and a poisoned prototype in (4.1) leave (4.4) and the page's cells alone", async () => {
    const { page, problems } = await fresh("/summary");
    const attack = after("logitGrads", [
      "self.onmessage = () => {};",
      "MessagePort.prototype.postMessage = function () { throw new Error('forged'); };",
      "Array.prototype.map = () => { throw new Error('poisoned'); };",
      "Float64Array.prototype.map = () => { throw new Error('poisoned'); };",
      "Object.prototype.toJSON = () => 'poisoned';",
      "for (let s = 1; s < 100; s++) { try { self.postMessage({ seq: s, value: [[1e9]] }); } catch {} }",
    ].join("\n"));
    expect(await run(page, "logitGrads", attack)).toEqual(PASS);
    expect(await run(page, "gradC", shown("gradC"))).toEqual(PASS);
    await poll(() => cellState(page, "gradC")).toEqual(YOURS("gradC"));
    expect(await page.locator(".live-cell .check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("on /embedding too: (3.19)'s poisoned Array.prototype does not reach (3.21)", async () => {
    const { page, problems } = await fresh("/embedding");
    expect(await run(page, "gradETripleSum", after("gradETripleSum", "Array.prototype.map = () => { throw new Error('poisoned'); };\nArray.prototype.push = () => 0;"))).toEqual(PASS);
    expect(await run(page, "gradEOneHotForm", shown("gradEOneHotForm"))).toEqual(PASS);
    expect(await run(page, "gradETensorForm", shown("gradETensorForm"))).toEqual(PASS);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("nothing a run starts outlives it", () => {
  it("a timer that spins after a correct result: ✓, and no CPU is used once the run is over", async () => {
    const { page, problems } = await fresh("/summary");
    expect(await run(page, "gradC", after("gradC", "setTimeout(function spin() { for (;;) {} }, 50);\nqueueMicrotask(() => { for (;;) {} });"))).toEqual(PASS);
    const quiet = await cpuQuiet();
    console.log(`Chromium CPU per half second after a run that left a spinning timer: ${quiet.windows.join(", ")} s`);
    expect(quiet.quietAfterMs).toBeLessThan(4000);
    expect(await cpuOver(2000)).toBeLessThan(0.6); // and it stays quiet
    // It is the reader's own code, stored: the next visit runs it again, and again nothing survives the run
    await page.reload({ waitUntil: "networkidle" });
    await poll(() => cellState(page, "gradC")).toEqual(YOURS("gradC"));
    expect((await cpuQuiet()).quietAfterMs).toBeLessThan(4000);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("an interval that allocates after a correct result cannot grow the tab, on this visit or the next", async () => {
    const { page, problems } = await fresh("/summary");
    const rss0 = chromiumRssMB();
    const code = after("gradC", "const keep = [];\nsetInterval(() => { const a = new Float64Array(1e7); a.fill(1); keep.push(a); }, 10);");
    expect(await run(page, "gradC", code)).toEqual(PASS);
    await page.waitForTimeout(3000);
    const grew = chromiumRssMB() - rss0;
    console.log(`Chromium resident memory 3 s after a run that left an allocating interval: ${grew >= 0 ? "+" : ""}${grew.toFixed(0)} MB`);
    expect(grew).toBeLessThan(300); // unchecked, the interval adds 80 MB every 10 ms
    await page.reload({ waitUntil: "networkidle" });
    await poll(() => cellState(page, "gradC")).toEqual(YOURS("gradC"));
    await page.waitForTimeout(3000);
    expect(chromiumRssMB() - rss0).toBeLessThan(300);
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("close() is one line, and the next run is not taken for a time-out", async () => {
    const { page, problems } = await fresh("/summary");
    const code = before("gradC", "  close();");
    expect(await run(page, "gradC", code)).toEqual(atLine(code, "close();", "close() is not available here: return your result instead"));
    expect(await run(page, "gradC", shown("gradC"))).toEqual(PASS);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("allocating without end inside the run is stopped by the time limit, and the page goes on", async () => {
    const { page, problems } = await fresh("/summary");
    const rss0 = chromiumRssMB();
    const outcome = await run(page, "gradC", before("gradC", "  const keep = [];\n  for (;;) keep.push(new Array(1e5).fill(Math.random()));"));
    console.log(`allocating in a loop: ${outcome.error}; resident memory after: ${(chromiumRssMB() - rss0).toFixed(0)} MB over the start`);
    expect(outcome.error).toMatch(/^✗ (stopped after 1 s: does your loop end\?|the code runner failed: .*)$/);
    expect(await run(page, "gradC", shown("gradC"))).toEqual(PASS);
    // The worker is terminated at the limit; the engine tears it down (and returns its memory) shortly after
    const settled = await settleRss(rss0 + 300, 10_000);
    console.log(`  resident memory back within 300 MB of the start after ${settled.ms} ms (peak +${settled.peak.toFixed(0)} MB)`);
    expect(settled.ms).toBeLessThan(10_000);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("no way out", () => {
  it("the network and storage globals are gone, and the worker's policy refuses every import", async () => {
    const { page, problems } = await fresh("/summary");
    // Chromium announces a request before its policy check: what matters is that none completes, each blocked by the policy
    const finished: string[] = [], failed: string[] = [];
    page.on("requestfinished", (r) => finished.push(r.url()));
    page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    const names = JSON.stringify(BLOCKED_GLOBALS);
    const gone = `const left = ${names}.filter((n) => n in self);\nif (left.length) throw new Error("reachable: " + left.join(", "));`;
    expect(await run(page, "gradC", after("gradC", gone))).toEqual(PASS);
    const fetching = before("gradC", `  fetch("${otherOrigin}/fetch");`);
    expect(await run(page, "gradC", fetching)).toEqual(atLine(fetching, "fetch(", "fetch is not defined"));
    for (const name of ["XMLHttpRequest", "WebSocket", "importScripts", "indexedDB", "caches", "BroadcastChannel", "EventSource", "Worker", "navigator"]) {
      const code = before("gradC", `  ${name};`);
      expect((await run(page, "gradC", code)).error, name).toBe(atLine(code, `  ${name};`, `${name} is not defined`).error);
    }
    const start = finished.length;
    const imports = [
      `import("${otherOrigin}/import.js").catch(() => {});`,
      `import(location.origin + "/index.html").catch(() => {});`,
      `import("data:text/javascript,export default 1").catch(() => {});`,
      `new Function("return 1")();`, // evaluating code is the one thing the sandbox allows
    ].join("\n");
    expect(await run(page, "gradC", after("gradC", imports))).toEqual(PASS);
    await page.waitForTimeout(500);
    expect(hits).toEqual([]);
    expect(finished.slice(start).filter((u) => !u.startsWith("blob:"))).toEqual([]);
    expect(failed).toEqual([`${otherOrigin}/import.js csp`, `${site.base}/index.html csp`]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("every returned value is checked entry by entry, and no view throws", () => {
  it("NaN, Infinity, strings, holes and null are one line naming the entry, never a ✓; the cells after it are drawn", async () => {
    const { page, problems } = await fresh("/summary");
    const cases: [string, string][] = [
      ["__out[3] = NaN;", "✗ gradC: the result[3] is NaN"],
      ["__out[0] = Infinity; __out[1] = -Infinity;", "✗ gradC: the result[0] is Infinity, and 1 more entry is not finite numbers"],
      ["__out = Array.from(__out); __out[2] = String(__out[2]);", "✗ gradC: the result[2] is a string ("],
      ["__out = Array.from(__out); delete __out[1];", "✗ gradC: the result[1] is missing (a hole), not a number"],
      ["__out = Array.from(__out); __out[4] = null;", "✗ gradC: the result[4] is null, not a number"],
    ];
    for (const [edit, message] of cases) {
      const r = await run(page, "gradC", after("gradC", edit));
      expect(r.error, edit).toContain(message);
      expect(r.pass, edit).toBe(0);
      // lib/'s value stands in: the page's cells keep passing, and none is marked as using the reader's code
      expect(await cellState(page, "gradC")).toEqual({ fail: 0, using: "" });
    }
    // the whole matrix (4.1): a NaN in row 2, column 3
    expect((await run(page, "logitGrads", after("logitGrads", "__out.data[2 * __out.cols + 3] = 0 / 0;"))).error).toBe("✗ logitGrads: the result[2][3] is NaN");
    // wrong forms and kinds
    expect((await run(page, "gradC", after("gradC", "__out = 'abc';"))).error).toMatch(/^✗ gradC: expected a vector \[\d+\] \(Float64Array\), got a string \("abc"\)$/);
    expect((await run(page, "gradC", after("gradC", "__out = { length: 3 };"))).error).toMatch(/^✗ gradC: expected a vector \[\d+\] \(Float64Array\), got an object$/);
    expect((await run(page, "logitGrads", after("logitGrads", "__out = zeros(__out.cols, __out.rows);"))).error).toMatch(/^✗ logitGrads: expected a matrix \[6,8\], got a matrix \[8,6\]$/);
    // huge but finite values: drawn, red, nothing throws
    expect(await run(page, "gradC", after("gradC", "__out[0] = 1e308; __out[1] = -1e308;"))).toEqual({ error: null, pass: 0, fail: 1 });
    await poll(async () => (await cellState(page, "gradC")).fail).toBe(2);
    expect(await page.locator(".live-cell").count()).toBeGreaterThanOrEqual(await page.locator(".equation[id]").count());
    expect(problems).toEqual([]);
    await page.close();
  });

  it("an oversized result is refused in the worker, before anything is copied into the page", async () => {
    const { page, problems } = await fresh("/summary");
    const rss0 = chromiumRssMB();
    const heap0 = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize);
    const t0 = Date.now();
    const r = await run(page, "gradC", before("gradC", "  return new Float64Array(1e8);"));
    console.log(`Float64Array(1e8): "${r.error}" after ${Date.now() - t0} ms`);
    expect(r.error).toMatch(/^✗ gradC: expected a vector \[\d+\] \(Float64Array\), got a typed array of 100000000$/);
    await page.waitForTimeout(1000);
    const heap1 = await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize);
    expect((heap1 - heap0) / 2 ** 20).toBeLessThan(50);
    expect(chromiumRssMB() - rss0).toBeLessThan(300); // the 800 MB lived in the worker, and went with it
    // it failed, so it is not run again on the next visit: shown, with a notice
    await page.reload({ waitUntil: "networkidle" });
    await panel(page, "gradC").locator(".edit-notice").waitFor();
    expect(await panel(page, "gradC").locator(".edit-notice").textContent()).toMatch(/not in use/);
    await page.waitForTimeout(500);
    expect(await panel(page, "gradC").locator(".edit-result").textContent()).toBe("");
    expect(await cellState(page, "gradC")).toEqual({ fail: 0, using: "" });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("on /embedding, the same attacks fail the same way", () => {
  it("network, NaN, an oversized result, close(), a spinning timer, and a visit that ended mid-run", async () => {
    const { context, page, problems, next: nextVisit } = await profile("/embedding");
    await page.evaluate(() => localStorage.clear());
    const fetching = before("gradETripleSum", `  fetch("${otherOrigin}/embedding");`);
    expect(await run(page, "gradETripleSum", fetching)).toEqual(atLine(fetching, "fetch(", "fetch is not defined"));
    expect(await run(page, "gradEOneHotForm", after("gradEOneHotForm", "__out.data[1 * __out.cols + 2] = NaN;")))
      .toEqual({ error: "✗ gradEOneHotForm: the result[1][2] is NaN", pass: 0, fail: 0 });
    expect((await run(page, "gradETensorForm", before("gradETensorForm", "  return new Float64Array(1e8);"))).error)
      .toMatch(/^✗ gradETensorForm: expected a matrix \[\d+,\d+\], got a typed array of 100000000$/);
    const closing = before("gradETensorForm", "  close();");
    expect((await run(page, "gradETensorForm", closing)).error).toBe(atLine(closing, "close();", "close() is not available here: return your result instead").error);
    expect(await run(page, "gradEOneHotForm", after("gradEOneHotForm", "setTimeout(function spin() { for (;;) {} }, 50);"))).toEqual(PASS);
    expect((await cpuQuiet()).quietAfterMs).toBeLessThan(4000);
    expect(hits).toEqual([]);
    // a visit that ends while (3.19)'s stored loop runs: the next one shows it and does not run it
    await closeMidRun(page, "embedding", EMBEDDING, "gradETripleSum", before("gradETripleSum", "  while (true) {}"));
    const next = (await nextVisit()).page;
    await panel(next, "gradETripleSum").locator(".edit-notice").waitFor();
    expect(await panel(next, "gradETripleSum").locator(".edit-notice").textContent()).toMatch(/still running when your last visit ended/);
    await next.waitForTimeout(1500);
    expect(await panel(next, "gradETripleSum").locator(".edit-result").textContent()).toBe("");
    expect(await next.locator(".live-cell .check-fail").count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe("stored edits never lock a reader out", () => {
  it("code that was running when a visit ended is shown, not run, on the next visit (or the one after)", async () => {
    const { context, page, next: nextVisit } = await profile("/summary");
    await closeMidRun(page, "summary", BACKWARD, "gradC", before("gradC", "  while (true) {}"));
    const next = await nextVisit();
    const p = panel(next.page, "gradC");
    await p.locator(".edit-notice").waitFor();
    expect(await p.locator(".edit-notice").textContent()).toMatch(/still running when your last visit ended .* not run again/);
    expect(await p.locator(".cm-content").textContent()).toContain("while (true) {}");
    await next.page.waitForTimeout(1500);
    expect(await p.locator(".edit-result").textContent()).toBe("");
    const stored = () => next.page.evaluate((k) => JSON.parse(localStorage.getItem("bptt-companion:code:summary") ?? "{}")[k], `${BACKWARD}#gradC`);
    expect(await stored()).toEqual({ code: expect.stringContaining("while (true)"), base: expect.any(String), baseCode: expect.any(String), active: false });
    // Run is still the reader's choice, and ends as any loop does
    await p.getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => p.locator(".edit-error").textContent()).toBe("✗ stopped after 1 s: does your loop end?");
    expect(next.problems).toEqual([]);
    await next.page.evaluate(() => localStorage.clear());
    await context.close();
  });

  it("Reset ends the run in progress and empties the store; Reset all resets every function", async () => {
    const { page, problems } = await fresh("/summary");
    await openEditor(page, "gradC");
    await setCode(page, "gradC", before("gradC", "  while (true) {}"));
    await panel(page, "gradC").getByRole("button", { name: "Run", exact: true }).click();
    await poll(() => panel(page, "gradC").locator(".edit-running").count()).toBe(1);
    await page.waitForTimeout(200);
    await panel(page, "gradC").getByRole("button", { name: "Reset", exact: true }).click();
    const quiet = await cpuQuiet(); // the loop's worker is terminated at Reset, not left to its time limit
    console.log(`Chromium CPU per half second after Reset during a run: ${quiet.windows.join(", ")} s`);
    expect(quiet.quietAfterMs).toBeLessThan(4000);
    expect(await panel(page, "gradC").locator(".edit-result").textContent()).toBe("");
    expect(await page.evaluate(() => [localStorage.getItem("bptt-companion:code:summary"), localStorage.getItem("bptt-companion:code-running:summary")])).toEqual([null, null]);

    await openEditor(page, "gradE");
    await panel(page, "gradE").getByRole("button", { name: "Assign instead of accumulate" }).click();
    await openEditor(page, "logitGrads");
    await panel(page, "logitGrads").getByRole("button", { name: "Drop the 1/τ" }).click();
    await poll(() => cellState(page, "gradE")).toEqual({ fail: 2, using: expect.stringMatching(/^your code for gradE\(\)/) });
    await panel(page, "logitGrads").getByRole("button", { name: "Reset all edits on this page" }).click();
    await poll(() => page.locator(".check-fail").count()).toBe(0);
    expect(await page.locator(".live-cell .using-badge").count()).toBe(0);
    expect(await panel(page, "gradE").locator(".cm-content").textContent()).toContain("vaddInPlace(row(dL_dE, inputs[t]!), ");
    expect(await page.evaluate(() => localStorage.getItem("bptt-companion:code:summary"))).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });
});
