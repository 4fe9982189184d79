import { describe, expect, it } from "vitest";
import { siteHeader } from "../scripts/site-header.js";

const pages = [{ name: "One", pages: [{ name: "Intro", path: "/" }, { name: "A <b>", path: "/a" }] }];

describe("the site header (scripts/site-header.ts)", () => {
  const html = siteHeader("Site", pages, "/a");

  it("starts with the skip link to the main content, before any other link or control", () => {
    expect(html.indexOf('<a class="skip-link" href="#observablehq-main"')).toBe(0);
    expect(html).toMatch(/^<a [^>]*>Skip to content<\/a><a class="site-title"/);
  });

  it("marks the current page, escapes names, and ends with the labelled search combobox", () => {
    expect(html).toContain('<a href="/a" aria-current="page">A &lt;b></a>');
    expect(siteHeader("Site", pages, "/index")).toContain('<a href="/" aria-current="page">Intro</a>');
    expect(html).toMatch(/<label[^>]*for="site-search-input">Search the site<\/label><input id="site-search-input"[^>]*role="combobox"/);
    expect(html).toContain('aria-controls="site-search-results"');
    expect(html).toContain('<ul id="site-search-results" role="listbox"');
    expect(html.endsWith("</div>")).toBe(true);
  });
});
