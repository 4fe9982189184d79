/**
 * The pages' Content-Security-Policy (scripts/csp.ts) is in force, and a breach of it is a failure in both
 * harnesses: on a real page that showed no problem, a script of the page fetches from another origin and
 * evaluates text; both must be refused, and the refusal must appear among the visit's problems — the engines.ts
 * driver in Chromium, Firefox and WebKit, and harness.ts's Chromium, which the page tests use.
 */
import { describe, expect, it } from "vitest";
import { PAGE_CSP } from "../../scripts/csp.js";
import { ENGINES, engineBlock, useEngineSite, type EnginePage } from "./engines.js";
import { useSite } from "./harness.js";

const PAGE = "/logits";
/** Another origin (a port nothing listens on): refused by `connect-src 'self'`, and harmless if it were not. */
const ELSEWHERE = "http://127.0.0.1:1/csp-probe";

interface Outcome {
  metas: string[];
  fetch: string;
  eval: string;
}

/**
 * Adds an inline script to the page (allowed: Framework's own module is inline) that tries both, and returns what
 * became of each once they have settled. The attempts are not made by `page.evaluate` itself: a driver's code is
 * exempt from the page's policy (CDP evaluates with `allowUnsafeEvalBlockedByCSP`), and so is a script it inserts
 * and runs synchronously.
 */
async function breach(page: Pick<EnginePage, "evaluate">, elsewhere: string): Promise<Outcome> {
  return page.evaluate(async (url: string) => {
    const w = window as unknown as { __cspProbe?: Partial<Outcome> };
    const probe: Partial<Outcome> = (w.__cspProbe = {});
    const s = document.createElement("script");
    s.textContent = `(() => {
      const probe = window.__cspProbe;
      try { probe.eval = "ran: " + eval("1"); } catch (e) { probe.eval = "refused: " + e.name; }
      fetch(${JSON.stringify(url)}).then(() => { probe.fetch = "ran"; }, (e) => { probe.fetch = "refused: " + e.name; });
    })();`;
    // In a task of its own: Chromium's driver lets code run during its evaluation call eval whatever the policy.
    setTimeout(() => document.head.append(s), 0);
    for (let i = 0; i < 100 && !(probe.fetch && probe.eval); i++) await new Promise((r) => setTimeout(r, 50));
    // Violation events are dispatched in a task of their own: give them time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    return {
      metas: Array.from(document.querySelectorAll<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy" i]'), (m) => m.content),
      fetch: probe.fetch ?? "no outcome",
      eval: probe.eval ?? "no outcome",
    } as Outcome;
  }, elsewhere);
}

function expectRefused(outcome: Outcome, where: string): void {
  expect(outcome.metas, `${where}: the page declares PAGE_CSP once`).toEqual([PAGE_CSP]);
  expect(outcome.eval, `${where}: eval("1") from the page`).toBe("refused: EvalError");
  expect(outcome.fetch, `${where}: fetch of another origin`).toBe("refused: TypeError");
}

for (const engine of ENGINES) {
  const { title, skip } = engineBlock(engine);
  describe.skipIf(skip)(`${title}: the pages' Content-Security-Policy`, () => {
    const site = useEngineSite(engine);

    it(`refuses eval and another origin on ${PAGE}, and the visit reports both`, async () => {
      const visit = await site.open(PAGE);
      expect(await visit.problems(), `${engine.name} ${PAGE} before the breach`).toEqual([]);
      const outcome = await breach(visit.page, ELSEWHERE);
      const problems = await visit.problems();
      await visit.page.close();
      expectRefused(outcome, `${engine.name} ${PAGE}`);
      // The observer injected into every page (engines-server.ts) sees both, whatever the engine.
      const text = problems.join("\n");
      expect(problems.filter((p) => p.startsWith(`CSP violation: connect-src blocked ${ELSEWHERE}`)), text).toHaveLength(1);
      expect(problems.filter((p) => p.startsWith("CSP violation: script-src blocked eval")), text).toHaveLength(1);
    });
  });
}

describe("Chromium through harness.ts: the pages' Content-Security-Policy", () => {
  const site = useSite();

  it(`reports a breach on ${PAGE} as console errors`, async () => {
    const { page, problems } = await site.open(PAGE);
    expect([...problems], `${PAGE} before the breach`).toEqual([]);
    const outcome = await breach(page, ELSEWHERE);
    await page.close();
    expectRefused(outcome, `chromium (harness.ts) ${PAGE}`);
    const text = problems.join("\n");
    // Chromium's own messages for the fetch, and harness.ts's for both (Chromium logs nothing for eval).
    expect(text).toContain(`console.error: Connecting to '${ELSEWHERE}' violates the following Content Security Policy directive`);
    expect(problems).toContain(`console.error: CSP violation: connect-src blocked ${ELSEWHERE}`);
    expect(problems).toContain("console.error: CSP violation: script-src blocked eval");
  });
});
