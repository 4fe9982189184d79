import { defineConfig } from "vitest/config";

// Two projects: the unit suite (lib/, the CLI, build scripts) and the browser suite, which builds the site once and
// drives Debian's Chromium against `dist/`. Tests are looked for in test/ only: `src/lib` is a symlink to `lib/`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", "**/node_modules/**"],
          setupFiles: ["test/fast-check-seed.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
