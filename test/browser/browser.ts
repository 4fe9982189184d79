/**
 * Debian's Chromium driven by playwright-core. `npx playwright install` cannot download browsers here, so the
 * system package is used (.ci/run installs it). The flags keep a root, offline Chromium quiet: without the
 * background-networking ones it floods the closed network with refused connections.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** `extraArgs` are added to the flags below (engines.ts adds its recording proxy). */
export function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", ...extraArgs,
    ],
  });
}
