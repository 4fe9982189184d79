/** Screenshots of built pages for a human to look at: `tsx scripts/screenshot.ts [page …]` → screenshots/. */
import { mkdirSync } from "node:fs";
import { serveDist } from "../test/browser/serve.js";
import { launch } from "../test/browser/browser.js";

const pages = process.argv.slice(2);
const { url, server } = await serveDist("dist");
const browser = await launch();
mkdirSync("screenshots", { recursive: true });
for (const [name, width] of [["desktop", 1280], ["phone", 390]] as const) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on("console", (m) => console.log(`[${name} console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.log(`[${name} pageerror] ${e.message}`));
  for (const p of pages.length ? pages : ["/"]) {
    await page.goto(url + p, { waitUntil: "networkidle" });
    const file = `screenshots/${(p.replace(/\W+/g, "_") || "_") + "-" + name}.png`;
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
  }
}
await browser.close();
server.close();
