/**
 * lib/state/embed.ts: the embed of one equation reads its parameters with the site's strict parser, keeps them
 * through a page's own rewrites of its query, and writes the iframe a lecturer pastes. Plus the head's script
 * (scripts/theme-toggle.ts), which applies an embed's theme before lib/ is loaded, agreeing with readEmbed.
 */
import { describe, expect, it } from "vitest";
import {
  EMBED_HEIGHT_MESSAGE, EMBED_HEIGHT_RANGE, embedSnippet, embedUrl, heightMessage, readEmbed, snippetHeight,
} from "../../lib/state/embed.js";
import { MAX_MESSAGE_LENGTH } from "../../lib/core/tokens.js";
import { themeHeadScript } from "../../scripts/theme-toggle.js";

const EQUATIONS = ["eq-4-1", "eq-4-9", "d2l-2-4b"];

describe("readEmbed", () => {
  it("reads the equation and the view, defaults left out of the link", () => {
    expect(readEmbed("?embed=eq-4-9&seed=3", EQUATIONS)).toEqual({ equation: "eq-4-9", view: { controls: "show", theme: "system" }, message: "" });
    expect(readEmbed("?seed=3&theme=dark&embed=d2l-2-4b&controls=hide", EQUATIONS))
      .toEqual({ equation: "d2l-2-4b", view: { controls: "hide", theme: "dark" }, message: "" });
  });

  it("names the field of a bad equation, and then has nothing to show", () => {
    const r = readEmbed("?embed=eq-9-9&theme=dark", EQUATIONS);
    expect(r.equation).toBeNull();
    expect(r.message).toBe('embed: "eq-9-9" is not a numbered equation of this page with a live cell: expected one of eq-4-1, eq-4-9, d2l-2-4b');
    expect(readEmbed("?embed=", EQUATIONS).message).toMatch(/^embed: "" is not a numbered equation/);
    expect(readEmbed("?embed=eq-4-1&embed=eq-4-9", EQUATIONS).message).toBe("embed: is given more than once in the link: expected it once");
    expect(readEmbed("?embed=eq-4-1", []).message).toBe('embed: "eq-4-1" names no equation: this page has no numbered equation with a live cell');
  });

  it("replaces a bad controls or theme by its default and says so in one line", () => {
    const r = readEmbed("?embed=eq-4-1&controls=off&theme=dark", EQUATIONS);
    expect(r).toEqual({
      equation: "eq-4-1", view: { controls: "show", theme: "dark" },
      message: 'controls: "off" is not a way to show the controls: expected one of show, hide — showing controls = show (the default) and the link\'s other settings.',
    });
    const two = readEmbed("?embed=eq-4-1&controls=0&theme=blue", EQUATIONS);
    expect(two.view).toEqual({ controls: "show", theme: "system" });
    expect(two.message).toMatch(/^controls: .* \(and 1 more problem\) — showing controls = show, theme = system \(the defaults\)\.$/);
  });

  it("keeps every message on one bounded line", () => {
    const many = Array.from({ length: 40 }, (_, k) => `eq-${k}-${k}`);
    for (const search of ["?embed=%0A%E2%80%AEx", `?embed=${"x".repeat(300)}`, "?embed=nope", "?embed=eq-1-1&theme=%0A"]) {
      const m = readEmbed(search, many).message;
      expect(m.length, search).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(m, search).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }
  });
});

describe("embedUrl", () => {
  it("make the embed's address: the equation first, defaults left out, the page's settings after", () => {
    const page = { origin: "https://example.org", pathname: "/course/summary", search: "?text=badge&seed=7" };
    expect(embedUrl(page, "eq-4-9", { controls: "show", theme: "system" })).toBe("https://example.org/course/summary?embed=eq-4-9&text=badge&seed=7");
    expect(embedUrl({ ...page, search: "?embed=eq-4-1&seed=7" }, "eq-4-9", { controls: "hide", theme: "dark" }))
      .toBe("https://example.org/course/summary?embed=eq-4-9&controls=hide&theme=dark&seed=7");
    const url = new URL(embedUrl({ ...page, search: "" }, "eq-4-9", { controls: "show", theme: "light" }));
    expect(readEmbed(url.search, EQUATIONS)).toEqual({ equation: "eq-4-9", view: { controls: "show", theme: "light" }, message: "" });
  });
});

describe("what a lecturer pastes", () => {
  it("is one lazily loaded iframe with the address and title as attribute text", () => {
    const s = embedSnippet({ src: "https://example.org/summary?embed=eq-4-9&text=a\"b<c", title: "Equation (4.9), BPTT \"companion\"", height: 640 });
    expect(s).toBe('<iframe src="https://example.org/summary?embed=eq-4-9&amp;text=a&quot;b&lt;c" title="Equation (4.9), BPTT &quot;companion&quot;" ' +
      'width="720" height="640" loading="lazy" style="border:0;max-width:100%"></iframe>');
  });

  it("has a fixed height rounded up to a step and kept within bounds", () => {
    expect(snippetHeight(775.2)).toBe(780);
    expect(snippetHeight(780)).toBe(780);
    expect(snippetHeight(10)).toBe(EMBED_HEIGHT_RANGE[0]);
    expect(snippetHeight(1e6)).toBe(EMBED_HEIGHT_RANGE[1]);
    expect(snippetHeight(Number.NaN)).toBe(EMBED_HEIGHT_RANGE[0]);
  });

  it("hears the height as the documented message", () => {
    expect(heightMessage("eq-4-9", 775.2)).toEqual({ type: EMBED_HEIGHT_MESSAGE, equation: "eq-4-9", height: 776 });
    expect(EMBED_HEIGHT_MESSAGE).toBe("bptt-companion:embed-height");
  });
});

describe("the head's script", () => {
  /** What the inline script sets on <html> for a query string and a stored theme. */
  function runHead(search: string, stored: string | null): Record<string, string> {
    const attributes: Record<string, string> = {};
    const body = /<script>([\s\S]*)<\/script>/.exec(themeHeadScript())![1]!;
    new Function("document", "location", "localStorage", body)(
      { documentElement: { setAttribute: (k: string, v: string) => (attributes[k] = v) } },
      { search },
      { getItem: () => stored },
    );
    return attributes;
  }

  it("gives an embed the link's theme, not the stored one, as readEmbed reads it", () => {
    for (const search of ["?embed=eq-4-9", "?embed=eq-4-9&theme=dark", "?seed=2&embed=eq-4-9&theme=light", "?embed=eq-4-9&theme=blue",
      "?embed=eq-4-9&theme=darkish", "?theme=dark&embed=eq-4-9&controls=hide"]) {
      const head = runHead(search, "dark");
      expect(head["data-embed"], search).toBe("");
      expect(head["data-theme"], search).toBe(readEmbed(search, EQUATIONS).view.theme);
    }
  });

  it("leaves a page that is not an embed to the stored theme", () => {
    expect(runHead("?seed=2&theme=light", "dark")).toEqual({ "data-theme": "dark" });
    expect(runHead("?embedded=1", null)).toEqual({ "data-theme": "system" });
  });
});
