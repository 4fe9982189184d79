/**
 * The built site served on 127.0.0.1 and a Chromium to visit it with: what every browser test file starts from.
 */
import type { Browser } from "playwright-core";
import { launch } from "./browser.js";
import { DIST } from "./navigation.js";
import { serveDist } from "./serve.js";

export interface Site {
  base: string;
  browser: Browser;
  stop: () => Promise<void>;
}

export async function startSite(): Promise<Site> {
  const { url, server } = await serveDist(DIST);
  const browser = await launch();
  return {
    base: url,
    browser,
    stop: async () => {
      await browser.close();
      server.close();
    },
  };
}
